//! The AAT sandbox's networks, voucher types and vouchers (ids of the spec's samples
//! where it has them: MTN is network 2, its R2 and R5 vouchers are 121 and 120).

/// (id, name), as `GetNetworkList` answers. Virgin Mobile has no vouchers here.
pub const NETWORKS: [(i64, &str); 5] = [(1, "Vodacom"), (2, "MTN"), (3, "Cell C"), (9, "Telkom Mobile"), (12, "Virgin Mobile")];

/// Voucher types: (id, name, FixedAmount).
pub const TYPES: [(i64, &str, bool); 4] = [(13, "Airtime Voucher", false), (20, "Airtime Pinless", false), (17, "Data Bundle Voucher", true), (2, "SMS Bundle", true)];

#[derive(Debug, Clone)]
pub struct SimVoucher {
    pub id: i64,
    pub network_id: i64,
    pub type_id: i64,
    pub name: String,
    /// Cents.
    pub min: i64,
    pub max: i64,
    pub pinned: bool,
}

pub fn vouchers() -> Vec<SimVoucher> {
    let mut out = Vec::new();
    // (network id, first voucher id, name)
    for (net, base, name) in [(1i64, 100i64, "Vodacom"), (2, 120, "MTN"), (3, 140, "Cell C"), (9, 160, "Telkom")] {
        let v = |id: i64, type_id: i64, label: String, min: i64, max: i64, pinned: bool| SimVoucher { id, network_id: net, type_id, name: label, min, max, pinned };
        if net == 2 {
            // The spec's own two.
            out.push(v(120, 13, "MTN R5.00 voucher".into(), 500, 500, true));
            out.push(v(121, 13, "MTN R2.00 voucher".into(), 200, 200, true));
        } else {
            out.push(v(base, 13, format!("{name} R5.00 voucher"), 500, 500, true));
            out.push(v(base + 1, 13, format!("{name} R2.00 voucher"), 200, 200, true));
        }
        for (k, rand) in [(2i64, 10i64), (3, 12), (4, 29), (5, 30), (6, 50), (7, 100)] {
            out.push(v(base + k, 13, format!("{name} R{rand}.00 voucher"), rand * 100, rand * 100, true));
        }
        out.push(v(base + 10, 20, format!("{name} Airtime Pinless"), 200, 100_000, false));
        out.push(v(base + 11, 17, format!("{name} 1GB Data 30 days"), 9_900, 9_900, false));
        out.push(v(base + 12, 17, format!("{name} 500MB Data 30 days"), 6_500, 6_500, false));
        out.push(v(base + 13, 2, format!("{name} 50 SMS"), 1_500, 1_500, false));
    }
    out
}

/// The network of a `27...` number by its original range (the sandbox's own table).
pub fn network_of_msisdn(m: &str) -> Option<(i64, &'static str)> {
    let local = m.strip_prefix("27")?;
    let p2 = local.get(..2)?;
    let p3 = local.get(..3)?;
    let id = match (p2, p3) {
        (_, "606" | "607" | "608" | "609" | "636" | "637" | "646" | "647" | "711" | "712" | "713" | "714" | "715" | "716" | "818") => 1,
        ("72" | "76" | "79" | "82", _) => 1,
        (_, "603" | "604" | "605" | "630" | "631" | "632" | "633" | "634" | "635" | "638" | "639" | "640" | "710" | "717" | "718" | "719" | "810") => 2,
        ("73" | "78" | "83", _) => 2,
        (_, "610" | "611" | "612" | "613" | "615" | "616" | "617" | "618" | "619" | "641" | "642" | "643" | "644" | "645") => 3,
        ("62" | "74" | "84", _) => 3,
        (_, "614" | "811" | "812" | "813" | "814" | "815" | "816" | "817") => 9,
        _ => return None,
    };
    NETWORKS.iter().find(|(i, _)| *i == id).copied()
}
