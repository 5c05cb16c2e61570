//! A year of a busy shop, for the reports benchmark: sales spread over the days
//! before `end_ms`, opening hours only, networks and products in a spaza shop's mix,
//! each sale with its history, a few refused and cancelled, the last ones pending.

use crate::{Result, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// South African time: the shop opens 07:00 and closes 20:00 (UTC+2).
const OPEN_HOUR_UTC: i64 = 5;
const OPEN_HOURS: i64 = 13;

/// `(network, product kind, pinned, amount in cents, discount in ten-thousandths of %)`.
const MIX: &[(&str, &str, bool, i64, i64, u32)] = &[
    ("Vodacom", "voucher", true, 1_200, 55_000, 18),
    ("Vodacom", "airtime", false, 2_900, 55_000, 12),
    ("Vodacom", "data", false, 4_900, 55_000, 8),
    ("MTN", "voucher", true, 1_200, 60_000, 16),
    ("MTN", "airtime", false, 1_500, 60_000, 10),
    ("MTN", "data", false, 9_900, 60_000, 6),
    ("Cell C", "voucher", true, 1_000, 70_000, 8),
    ("Cell C", "sms", false, 500, 70_000, 3),
    ("Telkom Mobile", "airtime", false, 2_000, 75_000, 5),
    ("Eskom", "electricity", false, 10_000, 25_000, 10),
    ("EasyPay", "bill_payment", false, 35_000, 10_000, 4),
];

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub sales: i64,
    pub days: i64,
    pub first_ms: i64,
    pub last_ms: i64,
}

/// Adds `sales` sales by `users` over the `days` days before `end_ms` to the ledger at
/// `path` (already set up, with its shop). One transaction; the file is durable when
/// this returns.
pub fn year_of_sales(path: &std::path::Path, sales: i64, days: i64, end_ms: i64, users: &[i64], seed: u64) -> Result<Generated> {
    let mut store = Store::open(path)?;
    let till = store.till_id()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let weights: u32 = MIX.iter().map(|m| m.5).sum();
    let first_day = (end_ms / DAY_MS - days + 1) * DAY_MS;
    let per_day = sales / days;
    let mut extra = sales - per_day * days;
    store.conn.pragma_update(None, "synchronous", "OFF")?;
    let tx = store.conn.transaction()?;
    let mut receipt: i64 = tx.query_row("SELECT COALESCE(MAX(receipt_no), 0) FROM sales WHERE till_id = ?1", [&till], |r| r.get(0))?;
    let mut first_ms = i64::MAX;
    let mut last_ms = 0;
    {
        let mut sale = tx.prepare(
            "INSERT INTO sales (request_id, client_ref, receipt_no, till_id, user_id, provider, network_name, product_id, product_name,
                product_kind, pinned, recipient, amount_minor, currency, discount_e4, state, provider_ref, voucher_pin,
                wallet_after_e4, training, created_ms, updated_ms, submitted_ms, tender, cost_e4)
             VALUES (?1, ?2, ?3, ?4, ?5, 'smartcall', ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'ZAR', ?13, ?14, ?15, ?16, ?17, 1, ?18, ?19, ?18, 'cash', ?20)",
        )?;
        let mut event = tx.prepare("INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail) VALUES (?1, ?2, ?3, ?4, ?5, NULL)")?;
        let mut wallet: i64 = 50_000_000_000;
        for day in 0..days {
            let n = per_day + i64::from(extra > 0);
            extra -= 1;
            let open = first_day + day * DAY_MS + OPEN_HOUR_UTC * HOUR_MS;
            let mut times: Vec<i64> = (0..n).map(|_| open + rng.random_range(0..OPEN_HOURS * HOUR_MS)).collect();
            times.sort_unstable();
            for t in times {
                let mut pick = rng.random_range(0..weights);
                let m = MIX.iter().find(|m| {
                    if pick < m.5 {
                        true
                    } else {
                        pick -= m.5;
                        false
                    }
                });
                let (network, kind, pinned, amount, discount, _) = *m.expect("weights add up");
                receipt += 1;
                let roll = rng.random_range(0..1000);
                let recent = end_ms - t < HOUR_MS;
                let state = match roll {
                    _ if recent && roll < 20 => "pending",
                    0..=14 => "failed",
                    15..=17 => "cancelled",
                    _ => "succeeded",
                };
                let cost = airtill_domain::Money4::cost_after_discount(airtill_domain::Money::zar(amount), discount).e4;
                if state == "succeeded" {
                    wallet -= cost;
                }
                let pin = (pinned && state == "succeeded").then(|| format!("{:016}", rng.random_range(0..10_000_000_000_000_000i64)));
                let user = users[rng.random_range(0..users.len())];
                let recipient = format!("278{:08}", rng.random_range(0..100_000_000));
                sale.execute(params![
                    format!("gen-{receipt}"),
                    format!("{:08x}-gen0-4000-8000-{receipt:012}", seed as u32),
                    receipt,
                    till,
                    user,
                    network,
                    100 + receipt % 7,
                    format!("{network} {kind}"),
                    kind,
                    pinned,
                    recipient,
                    amount,
                    discount,
                    state,
                    (state != "failed").then(|| (130_000_000 + receipt).to_string()),
                    pin,
                    (state == "succeeded").then_some(wallet),
                    t,
                    t + 900,
                    cost,
                ])?;
                let id = tx.last_insert_rowid();
                event.execute(params![id, 1, None::<String>, "created", t])?;
                event.execute(params![id, 2, "created", "submitting", t])?;
                let last = if state == "cancelled" { "pending" } else { state };
                event.execute(params![id, 3, "submitting", last, t + 900])?;
                if state == "cancelled" {
                    event.execute(params![id, 4, "pending", "cancelled", t + 600_000])?;
                }
                first_ms = first_ms.min(t);
                last_ms = last_ms.max(t);
            }
        }
    }
    tx.commit()?;
    store.conn.pragma_update(None, "synchronous", "FULL")?;
    store.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")?;
    Ok(Generated { sales, days, first_ms, last_ms })
}
