//! The training catalog: the networks and product types of providers.md with
//! several hundred products, each listed twice with the same id (once per
//! `smsIndicator`), as the real service does. Built as plain JSON.

use serde_json::{json, Value};

/// One sellable product as the sandbox knows it (its own view, not the client's).
#[derive(Debug, Clone)]
pub struct SimProduct {
    pub id: i64,
    pub network_id: i64,
    pub network: &'static str,
    pub name: String,
    pub type_code: &'static str,
    /// Cents.
    pub min: i64,
    pub max: i64,
    /// Cents; 9_999_999 means any amount between min and max.
    pub retail: i64,
    /// Ten-thousandths of a percent (5.5% is 55 000), as the service keeps them.
    pub discount: i64,
    pub pinned: bool,
    pub sms: bool,
}

struct TypeDef {
    id: i64,
    code: &'static str,
    description: &'static str,
    fixed: bool,
}

const AIRTIME: TypeDef = TypeDef { id: 1, code: "A ", description: "Airtime", fixed: false };
const VOUCHERS: TypeDef = TypeDef { id: 2, code: "V ", description: "Airtime Vouchers", fixed: true };
const DATA: TypeDef = TypeDef { id: 3, code: "D ", description: "Data Bundles", fixed: true };
const SMS: TypeDef = TypeDef { id: 4, code: "S ", description: "SMS Bundles", fixed: true };
const ELECTRICITY: TypeDef = TypeDef { id: 5, code: "E ", description: "Electricity", fixed: false };
const PAYMENTS: TypeDef = TypeDef { id: 6, code: "P ", description: "Bill Payments", fixed: false };

const VOUCHER_VALUES: [i64; 16] = [5, 10, 12, 15, 29, 30, 50, 55, 60, 100, 110, 150, 180, 200, 300, 500];
const DATA_BUNDLES: [(&str, i64); 12] =
    [("30MB", 8), ("50MB", 12), ("100MB", 20), ("250MB", 39), ("500MB", 65), ("1GB", 99), ("1.5GB", 129), ("2GB", 149), ("3GB", 199), ("5GB", 289), ("10GB", 469), ("20GB", 699)];
const SMS_BUNDLES: [(&str, i64); 5] = [("50 SMS", 10), ("100 SMS", 17), ("250 SMS", 35), ("500 SMS", 60), ("2000 SMS", 450)];

/// (id, name, discount in ten-thousandths of a percent). Telkom's 7.125% makes costs
/// with four decimals (R20 costs R18.575), as real dealer discounts do.
const MOBILE_NETWORKS: [(i64, &str, i64); 5] = [(1, "Vodacom", 55_000), (2, "MTN", 60_000), (3, "Cell C", 70_000), (9, "Telkom Mobile", 71_250), (12, "Virgin Mobile", 70_000)];
/// With an SMS notification the discount is lower by this (the FAQ): 0.25%.
pub const SMS_DISCOUNT_LESS: i64 = 2_500;
const ELECTRICITY_NETWORKS: [(i64, &str); 2] = [(8, "Electricity-Municipalities"), (13, "Electricity-Eskom")];
/// The network whose products are paid through `/payments/easypay`.
pub const EASYPAY_NETWORK: (i64, &str) = (20, "EasyPay");
const EASYPAY_PRODUCTS: [&str; 3] = ["EasyPay Municipal Accounts", "EasyPay Traffic Fines", "EasyPay Telkom Accounts"];

/// Every product, in catalog order.
pub fn products() -> Vec<SimProduct> {
    let mut out = Vec::new();
    let mut next_id = 100;
    let mut add = |out: &mut Vec<SimProduct>, net: (i64, &'static str), t: &TypeDef, name: String, min: i64, max: i64, retail: i64, discount: i64, pinned: bool| {
        next_id += 1;
        for sms in [false, true] {
            out.push(SimProduct {
                id: next_id,
                network_id: net.0,
                network: net.1,
                name: name.clone(),
                type_code: t.code,
                min,
                max,
                retail,
                // The FAQ: with an SMS notification the discount may be lower.
                discount: if sms { discount - SMS_DISCOUNT_LESS } else { discount },
                pinned,
                sms,
            });
        }
    };
    for (id, name, discount) in MOBILE_NETWORKS {
        let net = (id, name);
        add(&mut out, net, &AIRTIME, format!("{name} Airtime"), 200, 100_000, 9_999_999, discount, false);
        for v in VOUCHER_VALUES {
            add(&mut out, net, &VOUCHERS, format!("{name} Airtime R{v}"), v * 100, v * 100, v * 100, discount, true);
        }
        for (size, price) in DATA_BUNDLES {
            add(&mut out, net, &DATA, format!("{name} {size} Data"), price * 100, price * 100, price * 100, discount - 10_000, false);
        }
        for (size, price) in SMS_BUNDLES {
            add(&mut out, net, &SMS, format!("{name} {size}"), price * 100, price * 100, price * 100, discount - 10_000, false);
        }
    }
    for (id, name) in ELECTRICITY_NETWORKS {
        add(&mut out, (id, name), &ELECTRICITY, format!("{name} Prepaid"), 1_000, 300_000, 9_999_999, 25_000, true);
    }
    for name in EASYPAY_PRODUCTS {
        add(&mut out, EASYPAY_NETWORK, &PAYMENTS, name.to_string(), 100, 1_000_000, 9_999_999, 15_000, false);
    }
    out
}

fn type_of(code: &str) -> &'static TypeDef {
    match code {
        "A " => &AIRTIME,
        "V " => &VOUCHERS,
        "D " => &DATA,
        "S " => &SMS,
        "P " => &PAYMENTS,
        _ => &ELECTRICITY,
    }
}

/// A JSON number with exactly four decimals, as the service writes them (`2.0000`).
/// `serde_json::Value` cannot hold a number's text, so it is marked and written out
/// by [`render`].
pub fn four_places(cents: i64) -> Value {
    raw_number(format!("{}{}.{:02}00", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100))
}

/// Ten-thousandths as a JSON number with four decimals (`99973.4750`, `5.5000`).
pub fn four_places_e4(e4: i64) -> Value {
    raw_number(format!("{}{}.{:04}", if e4 < 0 { "-" } else { "" }, e4.abs() / 10_000, e4.abs() % 10_000))
}

/// A JSON number given by its exact text (`99574.75`, `100000.0000`).
pub fn raw_number(text: String) -> Value {
    Value::String(format!("{MARK}{text}{MARK}"))
}

const MARK: char = '\u{1}';
const MARKED_OPEN: &str = "\"\\u0001";
const MARKED_CLOSE: &str = "\\u0001\"";

/// Serialises a JSON value, writing numbers made by [`raw_number`] as bare numbers.
pub fn render(v: &Value) -> String {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find(MARKED_OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARKED_OPEN.len()..];
        let end = after.find(MARKED_CLOSE).expect("a marked number is closed");
        out.push_str(&after[..end]);
        rest = &after[end + MARKED_CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

pub fn product_json(p: &SimProduct) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "description": p.name,
        "typeCode": p.type_code,
        "minAmount": four_places(p.min),
        "maxAmount": four_places(p.max),
        "discountPercentage": four_places_e4(p.discount),
        "retailValue": four_places(p.retail),
        "pinIndicator": p.pinned,
        "smsIndicator": p.sms,
    })
}

/// `Network` objects in the recorded shape, from a product list.
pub fn network_json(network_id: i64, products: &[SimProduct]) -> Option<Value> {
    let mine: Vec<&SimProduct> = products.iter().filter(|p| p.network_id == network_id).collect();
    let first = mine.first()?;
    let mut types: Vec<&'static TypeDef> = Vec::new();
    for p in &mine {
        let t = type_of(p.type_code);
        if !types.iter().any(|x| x.id == t.id) {
            types.push(t);
        }
    }
    let product_types: Vec<Value> = types
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "code": t.code,
                "description": t.description,
                "fixedAmount": t.fixed,
                "products": mine.iter().filter(|p| p.type_code == t.code).map(|p| product_json(p)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Some(json!({ "id": network_id, "description": first.network, "productTypes": product_types }))
}

pub fn network_ids(products: &[SimProduct]) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for p in products {
        if !ids.contains(&p.network_id) {
            ids.push(p.network_id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_hundred_products_each_twice() {
        let p = products();
        assert!(p.len() >= 300, "{}", p.len());
        for pair in p.chunks(2) {
            assert_eq!(pair[0].name, pair[1].name);
            assert_eq!(pair[0].id, pair[1].id, "twins share their id, as the real catalog's do");
            assert_ne!(pair[0].sms, pair[1].sms);
        }
        assert!(p.iter().any(|x| x.network == "MTN" && x.pinned && x.retail == 1200));
    }

    #[test]
    fn amounts_have_four_places() {
        assert_eq!(render(&four_places(200)), "2.0000");
        assert_eq!(render(&four_places(9_999_999)), "99999.9900");
        assert_eq!(render(&four_places(-5_500)), "-55.0000");
        let v = json!({"a": four_places(1), "b": "text", "c": [four_places(10)]});
        assert_eq!(render(&v), r#"{"a":0.0100,"b":"text","c":[0.1000]}"#);
    }
}
