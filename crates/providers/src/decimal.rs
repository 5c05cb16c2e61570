//! Exact reading and writing of provider amounts in JSON, never through `f64`.
//!
//! A JSON number is read from its raw text (`serde_json`'s `RawValue`), a JSON string
//! (`"R450.00"`, `"5.50%"`) from its contents; both go through the exact parser of
//! [`airtill_domain::money::parse_decimal`].

use airtill_domain::money::{format_minor, parse_decimal, FINE_DIGITS};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::value::RawValue;

/// Hundredths (cents, or hundredths of a percent) from a JSON number or string.
pub fn hundredths<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let raw: &RawValue = Deserialize::deserialize(d)?;
    raw_hundredths(raw).map_err(D::Error::custom)
}

/// As [`hundredths`], where `null` or absence means `None`.
pub fn opt_hundredths<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let raw: Option<&RawValue> = Deserialize::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get() == "null" => Ok(None),
        Some(r) if r.get() == "\"\"" => Ok(None),
        Some(r) => raw_hundredths(r).map(Some).map_err(D::Error::custom),
    }
}

fn raw_hundredths(raw: &RawValue) -> Result<i64, String> {
    raw_scaled(raw, 2)
}

/// The marker an amount too precise to hold carries in its error, so that the clients
/// can say which field and provider sent it (see [`PRECISION_MARK`]).
pub const PRECISION_MARK: &str = "more decimal places than";

fn raw_scaled(raw: &RawValue, scale: u32) -> Result<i64, String> {
    let text = raw.get();
    let inner = if text.starts_with('"') { serde_json::from_str::<String>(text).map_err(|e| e.to_string())? } else { text.to_string() };
    parse_decimal(&inner, scale).map_err(|e| format!("amount {text}: {e}"))
}

/// Ten-thousandths (of a rand, or of a percent) from a JSON number or string: the
/// precision providers keep wallets, costs, discounts and cashups in (`99973.475`,
/// `"-14.1750"`, `5.5000`). A fifth decimal that is not zero is an error.
pub fn ten_thousandths<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let raw: &RawValue = Deserialize::deserialize(d)?;
    raw_scaled(raw, FINE_DIGITS).map_err(D::Error::custom)
}

/// As [`ten_thousandths`], where `null`, `""` or absence means `None`.
pub fn opt_ten_thousandths<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let raw: Option<&RawValue> = Deserialize::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get() == "null" || r.get() == "\"\"" => Ok(None),
        Some(r) => raw_scaled(r, FINE_DIGITS).map(Some).map_err(D::Error::custom),
    }
}

/// Writes ten-thousandths as a JSON number with four places (`5.5000`), no float.
pub fn serialize_e4<S: Serializer>(e4: &i64, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(format_minor(*e4, FINE_DIGITS)).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&raw, s)
}

/// As [`serialize_e4`] for an optional value (`null` when absent).
pub fn serialize_opt_e4<S: Serializer>(e4: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match e4 {
        Some(v) => serialize_e4(v, s),
        None => s.serialize_none(),
    }
}

/// Reads JSON into `T`; a failure names the field that failed (`recharge.balance`)
/// and, for an amount with more decimals than can be held exactly, says so.
pub fn from_json_named<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path.is_empty() || path == "." {
            inner
        } else {
            format!("{path}: {inner}")
        }
    })
}

/// Writes cents as a JSON number in major units with no float: 1200 → `12`, 1250 → `12.5`.
/// Reads `text` as any money the wire carries (a number, "R450.00", "5.50%"), for
/// the fuzzer: an error is fine, a panic is not.
#[cfg(test)]
pub(crate) fn parse_json_money_for_fuzz(text: &str) -> Option<i64> {
    let raw: Box<RawValue> = serde_json::from_str(text).ok()?;
    raw_hundredths(&raw).ok()
}

pub fn serialize_rand<S: Serializer>(minor: &i64, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(json_number(*minor)).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&raw, s)
}

/// As [`serialize_rand`] for an optional amount (`null` when absent).
pub fn serialize_opt_rand<S: Serializer>(minor: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match minor {
        Some(m) => serialize_rand(m, s),
        None => s.serialize_none(),
    }
}

/// The shortest exact decimal for cents: `12`, `12.5`, `12.05`, `-3`.
pub fn json_number(minor: i64) -> String {
    let text = format_minor(minor, 2);
    let text = text.trim_end_matches('0');
    text.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Deserialize, Serialize, Debug)]
    struct T {
        #[serde(deserialize_with = "hundredths", serialize_with = "serialize_rand")]
        a: i64,
        #[serde(default, deserialize_with = "opt_hundredths", skip_serializing)]
        b: Option<i64>,
    }

    #[test]
    fn reads_numbers_and_strings_exactly() {
        let t: T = serde_json::from_str(r#"{"a":99574.75,"b":"R450.00"}"#).unwrap();
        assert_eq!((t.a, t.b), (9_957_475, Some(45_000)));
        let t: T = serde_json::from_str(r#"{"a":"5.50%","b":null}"#).unwrap();
        assert_eq!((t.a, t.b), (550, None));
        let t: T = serde_json::from_str(r#"{"a":2.0000}"#).unwrap();
        assert_eq!((t.a, t.b), (200, None));
        assert!(serde_json::from_str::<T>(r#"{"a":2.005}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a":1e2}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a":true}"#).is_err());
    }

    #[derive(Deserialize, Serialize, Debug)]
    struct F {
        #[serde(deserialize_with = "ten_thousandths", serialize_with = "serialize_e4")]
        balance: i64,
        #[serde(default, deserialize_with = "opt_ten_thousandths", serialize_with = "serialize_opt_e4")]
        profit: Option<i64>,
    }

    #[test]
    fn four_decimal_amounts_read_exactly_and_a_fifth_decimal_names_its_field() {
        let f: F = serde_json::from_str(r#"{"balance":99973.475,"profit":"0.8250"}"#).unwrap();
        assert_eq!((f.balance, f.profit), (999_734_750, Some(8_250)));
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"balance":99973.4750,"profit":0.8250}"#);
        let f: F = serde_json::from_str(r#"{"balance":-14.175,"profit":null}"#).unwrap();
        assert_eq!((f.balance, f.profit), (-141_750, None));
        let e = from_json_named::<F>(br#"{"balance":1.23456}"#).unwrap_err();
        assert!(e.starts_with("balance: ") && e.contains(PRECISION_MARK), "{e}");
        // Cents still refuse a third decimal: a price is never sub-cent.
        assert!(serde_json::from_str::<T>(r#"{"a":14.175}"#).is_err());
    }

    #[test]
    fn writes_json_numbers_without_floats() {
        assert_eq!(json_number(1200), "12");
        assert_eq!(json_number(1250), "12.5");
        assert_eq!(json_number(1205), "12.05");
        assert_eq!(json_number(0), "0");
        assert_eq!(json_number(10_000), "100");
        assert_eq!(serde_json::to_string(&T { a: 10_000, b: None }).unwrap(), r#"{"a":100}"#);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Deserialize)]
    struct A {
        #[serde(deserialize_with = "hundredths")]
        a: i64,
    }

    fn read(json: &str) -> Result<i64, String> {
        serde_json::from_str::<A>(json).map(|v| v.a).map_err(|e| e.to_string())
    }

    proptest! {
        #[test]
        fn written_numbers_read_back_exactly(cents in -10_000_000_000i64..10_000_000_000i64) {
            prop_assert_eq!(read(&format!("{{\"a\":{}}}", json_number(cents))), Ok(cents));
        }

        #[test]
        fn four_place_numbers_rand_strings_and_percentages_read_exactly(cents in 0i64..10_000_000_000i64) {
            let four = format!("{}.{:02}00", cents / 100, cents % 100);
            prop_assert_eq!(read(&format!("{{\"a\":{four}}}")), Ok(cents));
            let rand = format!("\"R{}.{:02}\"", cents / 100, cents % 100);
            prop_assert_eq!(read(&format!("{{\"a\":{rand}}}")), Ok(cents));
            let percent = format!("\"{}.{:02}%\"", cents / 100, cents % 100);
            prop_assert_eq!(read(&format!("{{\"a\":{percent}}}")), Ok(cents));
        }

        #[test]
        fn a_value_that_is_not_exact_is_an_error(cents in 0i64..1_000_000_000, extra in 1u8..10) {
            let text = format!("{}.{:02}{}", cents / 100, cents % 100, extra);
            let number = read(&format!("{{\"a\":{text}}}"));
            let string = read(&format!("{{\"a\":\"R{text}\"}}"));
            prop_assert!(number.is_err() && string.is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,24}") {
            let _ = read(&format!("{{\"a\":{}}}", serde_json::to_string(&s).unwrap()));
            let _ = read(&format!("{{\"a\":{s}}}"));
        }
    }
}
