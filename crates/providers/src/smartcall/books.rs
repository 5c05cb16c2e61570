//! How Smartcall keeps its books, as far as they touch the till's: which of a
//! product's two catalog entries the till sells, and when a failed pinless recharge's
//! money comes back (providers.md §1).

use super::types::{Network, Product};
use chrono::{NaiveTime, TimeZone};
use chrono_tz::Africa::Johannesburg;

/// Whether the till asks Smartcall to send the customer an SMS: vouchers yes (the
/// customer gets the PIN by SMS as well as on the slip), direct recharges and
/// electricity no (the token is on the slip; providers.md: `sendSms` defaults true for
/// pinned, false for pinless). The catalog lists every product twice with the same id,
/// once per `smsIndicator`; the entry whose `smsIndicator` equals this is the one the
/// till sells, and its discount is the one the wallet is charged.
pub fn sends_sms(pinned: bool, electricity: bool) -> bool {
    pinned && !electricity
}

/// True when the product is electricity (a meter, a token), by its network or type.
pub fn is_electricity(network: &Network, product: &Product) -> bool {
    network.description.trim().to_ascii_lowercase().starts_with("electricity") || product.type_code.as_deref() == Some(super::conventions::TYPE_ELECTRICITY)
}

/// What the till makes of the catalog entries that share one product id.
#[derive(Debug, Clone, PartialEq)]
pub enum Twin<'a> {
    /// The entry the till sells (the one whose `smsIndicator` is [`sends_sms`], or the
    /// only one there is).
    Sell(&'a Product),
    /// The entries disagree on what the customer pays: the product is not offered.
    PricesDisagree { id: i64, name: String },
}

/// Picks the entry to sell among `entries` (all with one id), by the one rule above.
pub fn choose_twin<'a>(network: &Network, entries: &[&'a Product]) -> Option<Twin<'a>> {
    let first = *entries.first()?;
    if entries.iter().any(|p| p.min_amount != first.min_amount || p.max_amount != first.max_amount || p.retail_value != first.retail_value || p.pin_indicator != first.pin_indicator) {
        return Some(Twin::PricesDisagree { id: first.id, name: first.name.trim().to_string() });
    }
    let want = sends_sms(first.pin_indicator, is_electricity(network, first));
    Some(Twin::Sell(entries.iter().copied().find(|p| p.sms_indicator == want).unwrap_or(first)))
}

/// Smartcall's refund runs for failed pinless recharges, South African time.
pub const REFUND_RUNS: [(u32, u32); 4] = [(5, 30), (11, 30), (17, 30), (23, 30)];

/// The first refund run after `ms` (epoch ms): when the cost of a pinless recharge
/// that failed at `ms` comes back to the wallet. South African time (Africa/Johannesburg),
/// whatever the till's own clock is set to.
pub fn refund_run_after(ms: i64) -> i64 {
    let at = Johannesburg.timestamp_millis_opt(ms).single().unwrap_or_else(|| Johannesburg.timestamp_millis_opt(0).unwrap());
    let mut day = at.date_naive();
    for _ in 0..3 {
        for (h, m) in REFUND_RUNS {
            let t = NaiveTime::from_hms_opt(h, m, 0).expect("a time of day");
            if let Some(run) = Johannesburg.from_local_datetime(&day.and_time(t)).single() {
                if run.timestamp_millis() > ms {
                    return run.timestamp_millis();
                }
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    ms
}

/// `23h30` of a refund run, as Smartcall and the shop say it.
pub fn refund_time_text(ms: i64) -> String {
    match Johannesburg.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Hh%M").to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sast(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Johannesburg.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().timestamp_millis()
    }

    #[test]
    fn refunds_come_at_the_next_of_the_four_runs() {
        assert_eq!(refund_run_after(sast(2026, 12, 1, 10, 0)), sast(2026, 12, 1, 11, 30));
        assert_eq!(refund_run_after(sast(2026, 12, 1, 11, 30)), sast(2026, 12, 1, 17, 30));
        assert_eq!(refund_run_after(sast(2026, 12, 1, 23, 45)), sast(2026, 12, 2, 5, 30));
        assert_eq!(refund_time_text(sast(2026, 12, 1, 23, 30)), "23h30");
    }

    fn product(id: i64, sms: bool, pinned: bool, retail: i64, discount: i64) -> Product {
        Product {
            id,
            name: "MTN Airtime R12".into(),
            description: None,
            type_code: Some("V ".into()),
            min_amount: retail,
            max_amount: retail,
            discount_percentage: Some(discount),
            retail_value: retail,
            pin_indicator: pinned,
            sms_indicator: sms,
        }
    }

    #[test]
    fn one_entry_of_each_twin_is_sold_by_one_rule() {
        let net = Network { id: 2, description: "MTN".into(), product_types: Vec::new() };
        let (plain, sms) = (product(7, false, true, 1_200, 60_000), product(7, true, true, 1_200, 55_000));
        assert_eq!(choose_twin(&net, &[&plain, &sms]), Some(Twin::Sell(&sms)), "a voucher is sold with the SMS");
        let (plain, sms) = (product(8, false, false, 1_200, 60_000), product(8, true, false, 1_200, 55_000));
        assert_eq!(choose_twin(&net, &[&sms, &plain]), Some(Twin::Sell(&plain)), "a direct recharge without");
        let odd = product(8, true, false, 1_300, 55_000);
        assert!(matches!(choose_twin(&net, &[&plain, &odd]), Some(Twin::PricesDisagree { id: 8, .. })));
        assert_eq!(choose_twin(&net, &[&plain]), Some(Twin::Sell(&plain)));
    }
}
