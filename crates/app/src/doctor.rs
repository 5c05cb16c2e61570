//! `airtill doctor`: the checks support staff run first. Each says what it found and
//! what to do.

use crate::{Airtill, Result, Session};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Warning,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Check {
    pub name: String,
    pub status: CheckStatus,
    pub detail: String,
}

fn check(name: &str, status: CheckStatus, detail: impl Into<String>) -> Check {
    Check { name: name.into(), status, detail: detail.into() }
}

impl Airtill {
    /// Database integrity and durability, the Z chain, sales left unresolved, the
    /// provider's reachability and credentials, the printer (manager).
    pub async fn doctor(&self, session: &Session) -> Result<Vec<Check>> {
        session.require_manager()?;
        use CheckStatus as S;
        let mut out = Vec::new();
        {
            let store = self.store();
            match store.integrity_check() {
                Ok(r) if r == "ok" => out.push(check("database integrity", S::Ok, "the ledger file is whole: no damage found")),
                Ok(r) => out.push(check("database integrity", S::Failed, format!("{r}. Restore the last backup (airtill restore) and call support."))),
                Err(e) => out.push(check("database integrity", S::Failed, e.to_string())),
            }
            match store.durability() {
                Ok((mode, 2)) if mode == "wal" => out.push(check("durability", S::Ok, "every sale is on the disk before its provider hears of it: a power cut loses nothing")),
                Ok((mode, sync)) => out.push(check(
                    "durability",
                    S::Failed,
                    format!("the ledger is not set to keep every sale through a power cut (it is in {mode} mode, level {sync}). Restart Airtill; if this stays, call support."),
                )),
                Err(e) => out.push(check("durability", S::Failed, e.to_string())),
            }
            match (store.plain_pins(), store.sealed_pins_that_do_not_open()) {
                (Ok(0), Ok(bad)) if bad.is_empty() => out.push(check("voucher PINs", S::Ok, "every PIN in the ledger is sealed and opens with this till's key")),
                (Ok(plain), Ok(bad)) if plain > 0 => out.push(check(
                    "voucher PINs",
                    S::Failed,
                    format!("{} stored in plain text{}", crate::words::count(plain, "PIN"), if bad.is_empty() { String::new() } else { format!("; {} do not open", bad.len()) }),
                )),
                (Ok(_), Ok(bad)) => out.push(check(
                    "voucher PINs",
                    S::Warning,
                    format!(
                        "{} do not open (first: sale {}): the key of another till, or a changed row; Smartcall gives them again by reference",
                        crate::words::count(bad.len() as i64, "sealed PIN"),
                        bad[0]
                    ),
                )),
                (Err(e), _) | (_, Err(e)) => out.push(check("voucher PINs", S::Failed, e.to_string())),
            }
            match store.sales_unlike_their_history()? {
                odd if odd.is_empty() => out.push(check("sales and their history", S::Ok, "every sale is where its history last moved it")),
                odd => out.push(check(
                    "sales and their history",
                    S::Failed,
                    format!(
                        "{} not where the history says (first: sale {}): the ledger was changed outside Airtill. Compare with the last backup.",
                        crate::words::count_of(odd.len() as i64, "sale is", "sales are"),
                        odd[0]
                    ),
                )),
            }
            // The demo shop's PINs are printed in the guide: in a live shop they open
            // the office to anyone who read it.
            if !self.training {
                let users = store.users()?;
                let known: Vec<&airtill_store::UserRow> = users.iter().filter(|u| u.active && [crate::DEMO_MANAGER.1, crate::DEMO_CASHIER.1].iter().any(|p| self.pin_is(p, &u.pin_hash))).collect();
                if known.is_empty() {
                    out.push(check("people", S::Ok, format!("{} active, none with a PIN from the guide", users.iter().filter(|u| u.active).count())));
                } else {
                    let names: Vec<&str> = known.iter().map(|u| u.name.as_str()).collect();
                    out.push(check(
                        "people",
                        S::Failed,
                        format!(
                            "{} {} with the demo PINs printed in Airtill's guide: anyone who read it can. Each must choose a new PIN at the next login (or a manager disables them in Office, People).",
                            names.join(", "),
                            if names.len() == 1 { "logs in" } else { "log in" }
                        ),
                    ));
                }
            }
            match store.verify_audit()? {
                Ok(n) => out.push(check("audit trail", S::Ok, format!("{}, each chained to the one before: none changed or removed", crate::words::count(n, "line")))),
                Err(why) => out.push(check("audit trail", S::Failed, format!("{why}. Someone changed the ledger outside Airtill."))),
            }
            out.push(z_heads_check(&store)?);
            out.push(roles_check(&store, self.training)?);
            match store.receipt_gaps()? {
                (n, gaps) if gaps.is_empty() => out.push(check("receipt numbers", S::Ok, format!("{}, numbered 1 to {n} without a gap", crate::words::count(n, "receipt")))),
                (_, gaps) => out.push(check(
                    "receipt numbers",
                    S::Failed,
                    format!(
                        "{} {} {} missing: sales were removed outside Airtill",
                        if gaps.len() == 1 { "receipt" } else { "receipts" },
                        gaps.iter().map(|g| format!("{g:06}")).collect::<Vec<_>>().join(", "),
                        if gaps.len() == 1 { "is" } else { "are" }
                    ),
                )),
            }
            let zs = store.z_reports()?;
            let mut expected_after = 0;
            let mut broken = None;
            for (i, z) in zs.iter().enumerate() {
                if z.z_no != i as i64 + 1 || z.after_sale_id != expected_after {
                    broken = Some(z.z_no);
                    break;
                }
                expected_after = z.upto_sale_id;
            }
            match broken {
                None => out.push(check("Z reports", S::Ok, format!("{}, numbered without gaps, each starting where the last ended", crate::words::count(zs.len() as i64, "Z report")))),
                Some(n) => out.push(check("Z reports", S::Failed, format!("Z {n} does not follow the one before it: the ledger was changed outside Airtill"))),
            }
            let unresolved = store.unresolved_sales()?;
            let now = self.now_ms();
            let old: Vec<_> = unresolved.iter().filter(|s| now - s.created_ms > 3_600_000).collect();
            if unresolved.is_empty() {
                out.push(check("unresolved sales", S::Ok, "none"));
            } else if old.is_empty() {
                out.push(check("unresolved sales", S::Ok, format!("{} being resolved now", unresolved.len())));
            } else {
                out.push(check(
                    "unresolved sales",
                    S::Warning,
                    format!("{} older than an hour (oldest receipt {:06}): the provider cannot be reached, or they need a manager's decision", old.len(), old[0].receipt_no),
                ));
            }
        }
        let mode = if self.is_training() { "the training sandbox" } else { "Smartcall" };
        match tokio::time::timeout(std::time::Duration::from_secs(10), self.smartcall.ping()).await {
            Ok(Ok(_)) => out.push(check("provider reachable", S::Ok, format!("{mode} answers"))),
            Ok(Err(e)) => out.push(check("provider reachable", S::Failed, format!("{mode}: {}", e.cashier_message()))),
            Err(_) => out.push(check("provider reachable", S::Failed, format!("{mode} did not answer within 10 seconds"))),
        }
        match tokio::time::timeout(std::time::Duration::from_secs(10), self.smartcall.balance()).await {
            Ok(Ok(e4)) => out.push(check("provider credentials", S::Ok, format!("logged in; wallet {}", airtill_domain::Money4::zar(e4)))),
            // Only a refused login is about the account's settings.
            Ok(Err(e)) if e.class_for_read() == airtill_providers::ErrorClass::Configuration => {
                out.push(check("provider credentials", S::Failed, format!("{} Check the account in Settings.", e.cashier_message())))
            }
            Ok(Err(e)) => out.push(check("provider credentials", S::Failed, e.cashier_message())),
            Err(_) => out.push(check("provider credentials", S::Failed, "no answer within 10 seconds")),
        }
        let wait = std::time::Duration::from_secs(10);
        if let Some(aat) = &self.aat {
            match tokio::time::timeout(wait, aat.client().user_status()).await {
                Ok(Ok(st)) if st.enabled => out.push(check("AAT account", S::Ok, format!("enabled ({})", st.environment.unwrap_or_else(|| "environment not said".into())))),
                Ok(Ok(_)) => out.push(check("AAT account", S::Failed, "AAT says the account is not enabled")),
                Ok(Err(e)) => out.push(check("AAT account", S::Failed, e.cashier_message())),
                Err(_) => out.push(check("AAT account", S::Failed, "AAT did not answer within 10 seconds")),
            }
        }
        if let Some(mx) = &self.mx {
            match tokio::time::timeout(wait, mx.client().balance()).await {
                Ok(Ok((minor, currency))) => out.push(check("MX Telecom account", S::Ok, format!("pre-paid funds {}", airtill_domain::Money::new(minor, currency)))),
                Ok(Err(e)) => out.push(check("MX Telecom account", S::Failed, e.cashier_message())),
                Err(_) => out.push(check("MX Telecom account", S::Failed, "MX Telecom did not answer within 10 seconds")),
            }
            // Credits are final only by MX's notification: without the listener they wait.
            let listening = self.listener.lock().unwrap_or_else(|p| p.into_inner()).is_some();
            out.push(if listening {
                check("notification listener", S::Ok, "on: MX confirmations and AAT call-backs are taken")
            } else {
                check("notification listener", S::Warning, "off: UK credits stay pending until it is on (Settings → Provider notifications)")
            });
        }
        let open_notices = self.store().notifications(true, 100)?.into_iter().filter(|n| n.effect != "deferred").count();
        if open_notices > 0 {
            out.push(check("provider notifications", S::Warning, format!("{open_notices} about no known sale or contradicting a sale: see Office → Notifications")));
        }
        let open_orders = self.store().open_stock_orders()?;
        let levels = self.store().stock_levels(self.now_ms())?;
        if !open_orders.is_empty() {
            let doubt = open_orders.iter().filter(|o| o.state == airtill_domain::StockOrderState::InDoubt).count();
            out.push(check("voucher stock orders", S::Warning, format!("{} not finished ({doubt} not confirmed): Office → Voucher stock → Check (Airtill also checks every 30 s)", open_orders.len())));
        } else if !levels.is_empty() {
            let on_hand: i64 = levels.iter().map(|l| l.available).sum();
            let expired: i64 = levels.iter().map(|l| l.expired).sum();
            let status = if expired > 0 { S::Warning } else { S::Ok };
            out.push(check("voucher stock", status, format!("{} on hand{}", crate::words::count(on_hand, "voucher"), if expired > 0 { format!(", {expired} expired unsold") } else { String::new() })));
        }
        let vault = crate::credentials::Credentials::new(self.data_dir());
        let on_file = vault.vault() == crate::credentials::Vault::File && !self.is_training();
        out.push(check("where secrets are kept", if on_file { S::Warning } else { S::Ok }, format!("provider passwords and the voucher-PIN key are {}", vault.where_kept())));
        match self.receipt_printer() {
            Ok(None) => out.push(check("receipt printer", S::Warning, "none set up: slips are saved as PDF and printed from there")),
            Ok(Some((target, _))) => {
                let probe = tokio::task::spawn_blocking(move || airtill_print::escpos::probe(&target, std::time::Duration::from_secs(3)).map(|_| target.describe())).await;
                match probe {
                    Ok(Ok(name)) => out.push(check("receipt printer", S::Ok, format!("{name} answers"))),
                    Ok(Err(e)) => out.push(check("receipt printer", S::Failed, e.to_string())),
                    Err(e) => out.push(check("receipt printer", S::Failed, e.to_string())),
                }
            }
            Err(e) => out.push(check("receipt printer", S::Failed, e.to_string())),
        }
        Ok(out)
    }
}

/// Each Z's audit chain head, printed at its close, against the trail as it is now: a
/// trail rewritten before a Z (even rechained with the key) no longer meets its head.
fn z_heads_check(store: &airtill_store::Store) -> Result<Check> {
    let heads: Vec<(i64, String)> = store.z_audit_heads()?.into_iter().filter_map(|(z, h)| h.map(|h| (z, h))).collect();
    for (z, head) in &heads {
        let (id, hash) = head.split_once(':').unwrap_or(("0", head));
        let now = store.audit_hash_of(id.parse().unwrap_or(0))?;
        if now.as_deref() != Some(hash) {
            return Ok(check("Z and the audit trail", CheckStatus::Failed, format!("Z {z} closed the audit trail at line {id}, and that line is not as it was then: the trail was rewritten")));
        }
    }
    Ok(check(
        "Z and the audit trail",
        CheckStatus::Ok,
        format!("{} the audit trail where {} closed it", crate::words::count_of(heads.len() as i64, "Z report meets", "Z reports meet"), if heads.len() == 1 { "it" } else { "they" }),
    ))
}

/// Every person's role against the line that added them to the trail (the setup's
/// owner, or "NAME as ROLE (person N)").
fn roles_check(store: &airtill_store::Store, training: bool) -> Result<Check> {
    let lines = store.audit_between(i64::MIN, i64::MAX)?;
    let mut unlisted = Vec::new();
    for u in store.users()? {
        let added = lines.iter().find_map(|l| {
            if l.action == "setup" && l.user_id == Some(u.id) {
                return Some("manager".to_string());
            }
            let rest = l.detail.strip_suffix(&format!(" (person {})", u.id)).filter(|_| l.action == "user_added")?;
            rest.rsplit_once(" as ").map(|(_, role)| role.to_string())
        });
        match added {
            Some(role) if role != u.role.as_str() => {
                return Ok(check(
                    "people's roles",
                    CheckStatus::Failed,
                    format!("{} is a {} in the ledger, but was added as a {role}: the ledger was changed outside Airtill", u.name, u.role.as_str()),
                ))
            }
            Some(_) => {}
            None => unlisted.push(u.name),
        }
    }
    if unlisted.is_empty() || training {
        Ok(check("people's roles", CheckStatus::Ok, "every person's role is the one they were added with"))
    } else {
        Ok(check("people's roles", CheckStatus::Warning, format!("no line in the audit trail says how {} was added (added by an older version): their role cannot be compared", unlisted.join(", "))))
    }
}
