//! Reconciliation with the provider: Smartcall's own cashup for the same days, matched
//! with the ledger by network (count and value), and every sale of those days checked
//! by its reference. Every mismatch is listed, in both directions, with the sale it
//! concerns where there is one to name.

use crate::{Airtill, AppError, Result, Session};
use airtill_domain::{Currency, Money, Money4};
use airtill_providers::smartcall::{books, Cashup, ErrorCode, TransactionStatus};
use airtill_store::{SaleRow, Window};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

#[cfg(test)]
use crate::time;

const DAY_MS: i64 = 86_400_000;
/// MX retries a notification for up to 17 hours (its crediting spec).
const MX_RETRIES_FOR_MS: i64 = 17 * 3_600_000;
/// How far before a period a failed sale may have been made and still be refunded in
/// it (Smartcall refunds within six hours; the till may learn of the failure later).
const REFUND_LOOKBACK_MS: i64 = 2 * DAY_MS;

fn parse_date(text: &str) -> Result<chrono::NaiveDate> {
    crate::time::parse_date(text)
}

/// The shop's date at `ms` (its time zone decides every day).
pub fn sast_date(ms: i64) -> chrono::NaiveDate {
    crate::time::date_at(ms)
}

/// The shop's days `from..=to` checked, and the till's sales of one provider
/// made in them (every state).
struct Period {
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
    /// `[from_ms, to_ms)` of those days.
    from_ms: i64,
    to_ms: i64,
    sales: Vec<SaleRow>,
    /// Vouchers bought into stock from the provider in these days, per network key:
    /// `(network name, count, face value)`; the provider counts them as sales.
    stock: Vec<(String, String, i64, i64)>,
}

impl Airtill {
    fn period(&self, provider: &str, from: &str, to: &str) -> Result<Period> {
        let start = parse_date(from)?;
        let end = parse_date(to)?;
        if end < start {
            return Err(AppError::BadInput("The period ends before it starts. Swap the dates.".into()));
        }
        let (from_ms, to_ms) = (crate::time::day_start(start), crate::time::day_start(end.succ_opt().unwrap_or(end)));
        let window = Window::Created { from_ms, to_ms };
        let all = self.store().sales_in(&window, &["created", "submitting", "succeeded", "failed", "pending", "in_doubt", "cancelled", "reversed"])?;
        let stock = self.store().stock_bought_between(provider, from_ms, to_ms)?;
        Ok(Period { start, end, from_ms, to_ms, sales: all.into_iter().filter(|s| s.details.provider == provider).collect(), stock })
    }
}

/// What a Smartcall reconciliation is made of: the days, the sales made in them (and
/// failed ones of the days before whose refund may fall in them), the stock bought.
pub(crate) struct SmartcallBooks {
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub from_ms: i64,
    pub to_ms: i64,
    pub sales: Vec<SaleRow>,
    pub earlier: Vec<SaleRow>,
    pub stock: Vec<(String, String, i64, i64)>,
}

/// Days `from..=to` as `[from_ms, to_ms)` in the shop's zone.
pub(crate) fn days(from: &str, to: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate, i64, i64)> {
    let start = parse_date(from)?;
    let end = parse_date(to)?;
    if end < start {
        return Err(AppError::BadInput("The period ends before it starts. Swap the dates.".into()));
    }
    Ok((start, end, crate::time::day_start(start), crate::time::day_start(end.succ_opt().unwrap_or(end))))
}

/// How far back a failed sale's refund may reach into the days reconciled.
pub(crate) const REFUND_LOOKBACK: i64 = REFUND_LOOKBACK_MS;

/// Sales checked with the provider at once.
const CHECKS_AT_ONCE: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NetworkMatch {
    pub network: String,
    pub till_count: i64,
    /// What the till counts the provider took for, by retail value (exact).
    pub till_value: Money4,
    pub provider_count: i64,
    pub provider_value: Money4,
    /// What the wallet paid, by the till's costs, where the till knows every cost of
    /// the network (not for vouchers bought into stock).
    pub till_cost: Option<Money4>,
    /// What the wallet paid, by the provider (Smartcall's `netAmount`).
    pub provider_cost: Option<Money4>,
    pub matches: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MismatchKind {
    /// The provider counts more on a network than the till has (its API names no
    /// sale: sold from another till or app on the same account, or lost here).
    MissingAtTill,
    /// The till has a sale as sold that the provider does not know.
    MissingAtProvider,
    /// Both know the sale; they disagree on whether it sold.
    StateDiffers,
    /// Both know the sale; they disagree on its amount.
    AmountDiffers,
    /// Both agree on the count and value of a network; they disagree on what the
    /// wallet paid for it.
    CostDiffers,
    /// The till has it pending or in doubt (the resolver is still asking).
    Unresolved,
    /// The provider could not be asked about the sale.
    NotChecked,
    /// Not sold, but the provider took its cost and refunds it at its next refund run:
    /// expected in the books, not a difference.
    RefundDue,
    /// Not sold; the provider took its cost and has refunded it: not a difference.
    Refunded,
}

impl MismatchKind {
    /// The kind of line in a manager's words (the command line's heading of it).
    pub fn words(self) -> &'static str {
        match self {
            MismatchKind::MissingAtTill => "not at the till",
            MismatchKind::MissingAtProvider => "not at the provider",
            MismatchKind::StateDiffers => "sold on one side only",
            MismatchKind::AmountDiffers => "amounts differ",
            MismatchKind::CostDiffers => "costs differ",
            MismatchKind::Unresolved => "still open",
            MismatchKind::NotChecked => "not checked",
            MismatchKind::RefundDue => "refund due",
            MismatchKind::Refunded => "refunded",
        }
    }

    /// True when the line explains the books rather than contradicting them.
    pub fn is_expected(self) -> bool {
        matches!(self, MismatchKind::RefundDue | MismatchKind::Refunded)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Mismatch {
    pub kind: MismatchKind,
    pub network: String,
    pub sale_id: Option<i64>,
    pub receipt_no: Option<i64>,
    pub client_ref: Option<String>,
    pub provider_ref: Option<String>,
    pub till_state: Option<String>,
    pub provider_state: Option<String>,
    pub amount: Money,
    /// In the manager's words: what differs and what to do.
    pub explanation: String,
    /// The till of the chain that made the sale (a chain's reconciliation).
    #[serde(default)]
    pub till: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Reconciliation {
    pub provider: crate::ProviderId,
    pub from_date: String,
    pub to_date: String,
    pub networks: Vec<NetworkMatch>,
    pub mismatches: Vec<Mismatch>,
    pub sales_checked: i64,
    /// The provider's wallet at the start and end of the days, and deposits, exact.
    pub provider_opening: Option<Money4>,
    pub provider_closing: Option<Money4>,
    pub provider_deposits: Option<Money4>,
    /// True when every network matches and every line is expected (refunds).
    pub clean: bool,
    /// In training mode: the sandbox starts afresh with each start of Airtill, so it
    /// knows only the sales of this run.
    pub note: Option<String>,
}

/// A network's name as a key both sides share: `Vodacom` and `VOD`, `Cell C` and
/// `CELLC`, `Telkom Mobile` and `TELKOM MOBILE` meet.
pub fn network_key(name: &str) -> String {
    let k: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    match k.as_str() {
        "VOD" => "VODACOM".into(),
        _ => k,
    }
}

/// One network's side of the books: count, retail value and cost (exact), and
/// whether every cost is known.
#[derive(Debug, Clone, Default)]
struct Side {
    name: String,
    count: i64,
    value_e4: i64,
    cost_e4: i64,
    cost_known: bool,
}

/// The provider's recharges per network key.
fn provider_recharges(c: &Cashup) -> BTreeMap<String, Side> {
    let mut out: BTreeMap<String, Side> = BTreeMap::new();
    for i in c.cashup_response_items.iter().filter(|i| i.group_description.trim().eq_ignore_ascii_case("Recharges")) {
        let name = i.item_description.clone().unwrap_or_default();
        let e = out.entry(network_key(&name)).or_insert_with(|| Side { name: name.trim().to_string(), cost_known: true, ..Side::default() });
        e.count += i.item_count.unwrap_or(0);
        // Recharges are negative in a cashup: money out of the wallet.
        e.value_e4 += -i.amount.unwrap_or(0);
        match i.net_amount {
            Some(n) => e.cost_e4 += -n,
            None => e.cost_known = false,
        }
    }
    out
}

fn group_amount(c: &Cashup, group: &str) -> Option<i64> {
    c.cashup_response_items.iter().find(|i| i.group_description.trim().eq_ignore_ascii_case(group)).and_then(|i| i.amount)
}

/// What a sale cost the wallet: the provider's own figure, else the catalog's discount;
/// `None` when neither is known.
fn sale_cost(s: &SaleRow) -> Option<i64> {
    s.outcome.cost_e4.or_else(|| s.details.expected_cost_e4())
}

/// A failed sale whose cost the provider took: when its refund comes (by the
/// provider's failure time where it said it), for [`match_networks`].
#[derive(Debug, Clone)]
pub struct TakenFailure {
    pub sale: SaleRow,
    pub refund_ms: i64,
}

/// Matches the till's sales with the provider's totals per network. The till counts
/// what the provider took money for: sold and still pending sales, vouchers bought into
/// stock (`stock` per network key, `(name, count, value)`), and failed pinless sales
/// made in the days whose cost was taken, less those refunded in the days (`failures`,
/// made in or before the days).
pub fn match_networks(
    sales: &[SaleRow],
    stock: &[(String, String, i64, i64)],
    failures: &[TakenFailure],
    (from_ms, to_ms): (i64, i64),
    now_ms: i64,
    cashup: &Cashup,
) -> (Vec<NetworkMatch>, Vec<Mismatch>) {
    let mut till: BTreeMap<String, Side> = BTreeMap::new();
    let mut add = |s: &SaleRow, sign: i64| {
        let e = till.entry(network_key(&s.details.network_name)).or_insert_with(|| Side { name: s.details.network_name.clone(), cost_known: true, ..Side::default() });
        e.count += sign;
        e.value_e4 += sign * s.details.amount_minor * 100;
        match sale_cost(s) {
            Some(c) => e.cost_e4 += sign * c,
            None => e.cost_known = false,
        }
    };
    for s in sales.iter().filter(|s| matches!(s.state.as_str(), "succeeded" | "pending")) {
        add(s, 1);
    }
    let mut mismatches = Vec::new();
    for f in failures {
        let s = &f.sale;
        let debited_here = (from_ms..to_ms).contains(&s.created_ms);
        let refunded_here = (from_ms..to_ms).contains(&f.refund_ms) && f.refund_ms <= now_ms;
        if debited_here {
            add(s, 1);
        }
        if refunded_here {
            add(s, -1);
        }
        if debited_here || refunded_here {
            let cost = Money4::new(sale_cost(s).unwrap_or(s.details.amount_minor * 100), s.details.currency);
            let when = books::refund_time_text(f.refund_ms);
            let day = sast_date(f.refund_ms);
            let (kind, explanation) = if f.refund_ms <= now_ms {
                (MismatchKind::Refunded, format!("Not sold. Smartcall took {} from the wallet and refunded it at {when} on {day}. Nothing to do.", cost.round_to_cents()))
            } else {
                (MismatchKind::RefundDue, format!("Not sold. Smartcall took {} from the wallet and refunds it at {when} on {day}. Nothing to do.", cost.round_to_cents()))
            };
            mismatches.push(sale_mismatch(s, kind, Some("FAILED".into()), explanation));
        }
    }
    for (key, name, count, value) in stock {
        let e = till.entry(key.clone()).or_insert_with(|| Side { name: name.clone(), cost_known: true, ..Side::default() });
        e.count += count;
        e.value_e4 += value * 100;
        // What the order cost is the order's business, not kept per voucher here.
        e.cost_known = false;
    }
    let provider = provider_recharges(cashup);
    let keys: std::collections::BTreeSet<&String> = till.keys().chain(provider.keys()).collect();
    let mut networks = Vec::new();
    for k in keys {
        let t = till.get(k).cloned().unwrap_or_else(|| Side { cost_known: true, ..Side::default() });
        let p = provider.get(k).cloned().unwrap_or_else(|| Side { cost_known: true, ..Side::default() });
        let network = if t.name.is_empty() { p.name.clone() } else { t.name.clone() };
        let costs = (t.cost_known && p.cost_known).then_some((t.cost_e4, p.cost_e4));
        let counts_match = t.count == p.count && t.value_e4 == p.value_e4;
        let matches = counts_match && costs.is_none_or(|(a, b)| a == b);
        if p.count > t.count || p.value_e4 > t.value_e4 {
            let (n, v) = ((p.count - t.count).max(0), Money4::zar((p.value_e4 - t.value_e4).max(0)));
            let explanation = format!(
                "Smartcall counts {n} more sale{} worth {v} on {network} than this till has. They were sold from another till or app on the same Smartload account, or lost here: ask Smartcall for the list.",
                if n == 1 { "" } else { "s" }
            );
            mismatches.push(network_mismatch(MismatchKind::MissingAtTill, &network, v, explanation));
        } else if let (true, Some((tc, pc))) = (counts_match, costs.filter(|(a, b)| a != b)) {
            let explanation = format!(
                "The sales agree, but Smartcall charged the wallet {} for {network} and the till expected {}: a discount changed, or Smartcall rounds differently. Ask Smartcall for the discount on these days.",
                Money4::zar(pc),
                Money4::zar(tc)
            );
            mismatches.push(network_mismatch(MismatchKind::CostDiffers, &network, Money4::zar(pc - tc), explanation));
        }
        networks.push(NetworkMatch {
            network,
            till_count: t.count,
            till_value: Money4::zar(t.value_e4),
            provider_count: p.count,
            provider_value: Money4::zar(p.value_e4),
            till_cost: costs.map(|(a, _)| Money4::zar(a)),
            provider_cost: costs.map(|(_, b)| Money4::zar(b)),
            matches,
        });
    }
    (networks, mismatches)
}

/// A difference of a whole network, with no sale of the till to name.
fn network_mismatch(kind: MismatchKind, network: &str, amount: Money4, explanation: String) -> Mismatch {
    Mismatch {
        kind,
        network: network.to_string(),
        sale_id: None,
        receipt_no: None,
        client_ref: None,
        provider_ref: None,
        till_state: None,
        provider_state: None,
        amount: amount.round_to_cents(),
        explanation,
        till: None,
    }
}

fn sale_mismatch(s: &SaleRow, kind: MismatchKind, provider_state: Option<String>, explanation: String) -> Mismatch {
    Mismatch {
        kind,
        network: s.details.network_name.clone(),
        sale_id: Some(s.id),
        receipt_no: Some(s.receipt_no),
        client_ref: Some(s.details.client_ref.clone()),
        provider_ref: s.outcome.provider_ref.clone(),
        till_state: Some(s.state.as_str().to_string()),
        provider_state,
        amount: Money::new(s.details.amount_minor, s.details.currency),
        explanation,
        till: None,
    }
}

impl Airtill {
    /// Reconciles the local days `from..=to` (`YYYY-MM-DD`) with Smartcall (manager).
    pub async fn reconcile(&self, session: &Session, from: &str, to: &str) -> Result<Reconciliation> {
        session.require_manager()?;
        // The shop's days (its time zone, whatever the machine is set to); Smartcall's
        // days are South African, which a South African shop's are too.
        let Period { start, end, from_ms, to_ms, sales, stock } = self.period("smartcall", from, to)?;
        // The failed sales of the days before whose refund may fall in these days.
        let earlier = self.store().sales_in(&Window::Created { from_ms: from_ms - REFUND_LOOKBACK_MS, to_ms: from_ms }, &["failed"])?;
        let earlier: Vec<SaleRow> = earlier.into_iter().filter(|s| s.details.provider == "smartcall" && crate::office::refund_due_ms(s).is_some()).collect();
        self.reconcile_smartcall_sales(SmartcallBooks { start, end, from_ms, to_ms, sales, earlier, stock }).await
    }

    /// Smartcall's cashup of the days against these sales (this till's, or every till's
    /// of the chain), each sale checked by its reference.
    pub(crate) async fn reconcile_smartcall_sales(&self, books: SmartcallBooks) -> Result<Reconciliation> {
        let SmartcallBooks { start, end, from_ms, to_ms, sales, earlier, stock } = books;
        let now = self.now_ms();
        let today = sast_date(now);
        let cashup = if start == today && end == today { self.smartcall.cashup_today().await } else { self.smartcall.cashup_period(start, end).await }.map_err(crate::provider::provider_error)?;

        // Every sale the provider may know, checked by its reference.
        let to_check: Vec<&SaleRow> = sales.iter().filter(|s| s.state.as_str() != "created").chain(earlier.iter()).collect();
        let mut answers = Vec::with_capacity(to_check.len());
        for chunk in to_check.chunks(CHECKS_AT_ONCE) {
            let mut asks = Vec::with_capacity(chunk.len());
            for s in chunk {
                asks.push(self.smartcall.transaction(&s.details.client_ref));
            }
            answers.extend(chunk.iter().copied().zip(futures::future::join_all(asks).await));
        }
        // A failed pinless sale whose cost was taken is refunded at the first refund run
        // after it failed: by Smartcall's own time of the failure where it said it.
        let failures: Vec<TakenFailure> = answers
            .iter()
            .filter(|(s, _)| crate::office::refund_due_ms(s).is_some())
            .map(|(s, a)| {
                let failed_at = a.as_ref().ok().filter(|t| t.status() == Some(TransactionStatus::Failed)).and_then(|t| t.status_date).unwrap_or(s.updated_ms);
                TakenFailure { sale: (*s).clone(), refund_ms: books::refund_run_after(failed_at) }
            })
            .collect();
        let (networks, mut mismatches) = match_networks(&sales, &stock, &failures, (from_ms, to_ms), now, &cashup);
        let in_period = |s: &SaleRow| (from_ms..to_ms).contains(&s.created_ms);
        let answers: Vec<_> = answers.into_iter().filter(|(s, _)| in_period(s)).collect();
        let checked = answers.len() as i64;
        mismatches.extend(answers.into_iter().filter_map(|(s, answer)| check_sale(s, answer)));
        let money = |m: Option<i64>| m.map(|v| Money4::new(v, Currency::ZAR));
        let clean = mismatches.iter().all(|m| m.kind.is_expected()) && networks.iter().all(|n| n.matches);
        Ok(Reconciliation {
            provider: crate::ProviderId::Smartcall,
            from_date: start.to_string(),
            to_date: end.to_string(),
            networks,
            mismatches,
            sales_checked: checked,
            provider_opening: money(group_amount(&cashup, "Opening Balance")),
            provider_closing: money(group_amount(&cashup, "Closing Balance")),
            provider_deposits: money(group_amount(&cashup, "Deposits")),
            clean,
            note: self.is_training().then(|| "Training: the practice provider starts afresh each time Airtill starts, so it knows only the sales made since then.".to_string()),
        })
    }
}

impl Airtill {
    /// Reconciles with the named provider (`smartcall` or `aat`).
    pub async fn reconcile_with(&self, session: &Session, provider: &str, from: &str, to: &str) -> Result<Reconciliation> {
        match provider.trim() {
            "" | "smartcall" => self.reconcile(session, from, to).await,
            "aat" if self.aat.is_some() => self.reconcile_aat(session, from, to).await,
            "mx" if self.mx.is_some() => self.reconcile_mx(session, from, to).await,
            other => Err(AppError::BadInput(format!("There is no provider called '{other}' to reconcile with. This till has: {}.", self.provider_names().join(", ")))),
        }
    }

    /// Reconciles the local days `from..=to` with MX Telecom (manager). MX has no
    /// history to ask: its word is the notifications it sent, kept as received. Every
    /// UK credit of the days is matched with the last final notification for its
    /// credit id (state and amount); a confirmed credit nobody here knows is counted
    /// against the till; the closing funds are MX's balance now.
    pub async fn reconcile_mx(&self, session: &Session, from: &str, to: &str) -> Result<Reconciliation> {
        session.require_manager()?;
        let Some(mx) = self.mx.clone() else {
            return Err(AppError::Configuration("This till has no MX Telecom account to reconcile with.".into()));
        };
        let Period { start, end, from_ms, to_ms, sales, .. } = self.period("mx", from, to)?;
        // Notifications about these days' credits may come after the days end (MX
        // retries for up to 17 hours): those are read too, but only for these days'
        // credits; a credit nobody here knows counts on the day it was confirmed.
        let notices = self.store().notifications_between("mx", from_ms, to_ms + MX_RETRIES_FOR_MS)?;
        let gbp = |minor: i64| Money::new(minor, Currency::GBP);
        // The last final word per credit id: state, amount in pence, sale, received.
        let mut last: BTreeMap<String, (String, Option<i64>, Option<i64>, i64)> = BTreeMap::new();
        for n in &notices {
            if matches!(n.state.as_str(), "confirmed" | "failure") {
                let amount = airtill_providers::mx::Notification::from_query(&n.detail).ok().and_then(|x| x.amount).and_then(airtill_providers::mx::minor_of_thousandths);
                last.insert(n.reference.clone(), (n.state.clone(), amount, n.sale_id, n.received_ms));
            }
        }
        let ours: std::collections::BTreeSet<i64> = sales.iter().map(|s| s.id).collect();
        let mut mismatches = Vec::new();
        let mut checked = 0;
        for s in &sales {
            let state = s.state.as_str();
            let said = state_words(state);
            let unresolved = matches!(state, "pending" | "in_doubt" | "submitting");
            let word = s.outcome.provider_ref.as_ref().and_then(|id| last.get(id));
            if s.outcome.provider_ref.is_some() || unresolved {
                checked += 1;
            }
            match word {
                None if unresolved => mismatches.push(sale_mismatch(
                    s,
                    MismatchKind::Unresolved,
                    None,
                    format!("Still {said} at the till; MX has not confirmed it yet (it retries for up to 17 hours). Nothing to do yet."),
                )),
                None if state == "succeeded" => {
                    mismatches.push(sale_mismatch(s, MismatchKind::StateDiffers, None, "The till shows it credited, but no confirmation from MX was received. Check it with MX Telecom.".into()))
                }
                None => {}
                Some((w, amount, _, _)) => {
                    let provider_sold = w == "confirmed";
                    if provider_sold && state != "succeeded" {
                        mismatches.push(sale_mismatch(
                            s,
                            MismatchKind::StateDiffers,
                            Some(w.clone()),
                            format!("MX confirmed the credit, but the till shows it {said}: the customer may have it without paying. Check with the cashier."),
                        ));
                    } else if !provider_sold && state == "succeeded" {
                        mismatches.push(sale_mismatch(
                            s,
                            MismatchKind::StateDiffers,
                            Some(w.clone()),
                            "The till shows it credited; MX's last word is that it failed. Check it with MX Telecom.".into(),
                        ));
                    } else if let Some(a) = amount.filter(|a| provider_sold && *a != s.details.amount_minor) {
                        mismatches.push(sale_mismatch(s, MismatchKind::AmountDiffers, Some(w.clone()), format!("The till sold {}; MX credited {}.", gbp(s.details.amount_minor), gbp(a))));
                    }
                }
            }
        }
        // Credits MX confirmed that no sale here matches.
        let known: std::collections::BTreeSet<&str> = sales.iter().filter_map(|s| s.outcome.provider_ref.as_deref()).collect();
        let strangers: Vec<(&String, i64)> = last
            .iter()
            .filter(|(id, (w, _, sale, at))| w == "confirmed" && sale.is_none() && !known.contains(id.as_str()) && (from_ms..to_ms).contains(at))
            .map(|(id, (_, a, _, _))| (id, a.unwrap_or(0)))
            .collect();
        for (id, amount) in &strangers {
            mismatches.push(Mismatch {
                kind: MismatchKind::MissingAtTill,
                network: "UK mobile".into(),
                sale_id: None,
                receipt_no: None,
                client_ref: None,
                provider_ref: Some((*id).clone()),
                till_state: None,
                provider_state: Some("confirmed".into()),
                amount: gbp(*amount),
                explanation: format!("MX confirmed credit {id} of {}, which no sale at this till matches: sold from another till or app on the same account, or lost here.", gbp(*amount)),
                till: None,
            });
        }
        let sold: Vec<&SaleRow> = sales.iter().filter(|s| s.state.as_str() == "succeeded").collect();
        // What MX confirmed of these days: this till's credits made in them, and the
        // strangers confirmed in them; never another day's credits.
        let confirmed: Vec<i64> = last
            .iter()
            .filter(|(id, (w, _, sale, _))| w == "confirmed" && (sale.is_some_and(|s| ours.contains(&s)) || known.contains(id.as_str()) || strangers.iter().any(|(x, _)| x == id)))
            .map(|(_, (_, a, _, _))| a.unwrap_or(0))
            .collect();
        let (tc, tv) = (sold.len() as i64, sold.iter().map(|s| s.details.amount_minor).sum::<i64>());
        let (pc, pv) = (confirmed.len() as i64, confirmed.iter().sum::<i64>());
        let gbp4 = |minor: i64| Money4::from_money(gbp(minor));
        let networks = vec![NetworkMatch {
            network: "UK mobile".into(),
            till_count: tc,
            till_value: gbp4(tv),
            provider_count: pc,
            provider_value: gbp4(pv),
            till_cost: None,
            provider_cost: None,
            matches: tc == pc && tv == pv,
        }];
        let closing = if end >= sast_date(self.now_ms()) { mx.client().balance().await.ok().map(|(m, c)| Money4::from_money(Money::new(m, c))) } else { None };
        let clean = mismatches.is_empty() && networks.iter().all(|n| n.matches);
        Ok(Reconciliation {
            provider: crate::ProviderId::Mx,
            from_date: start.to_string(),
            to_date: end.to_string(),
            networks,
            mismatches,
            sales_checked: checked,
            provider_opening: None,
            provider_closing: closing,
            provider_deposits: None,
            clean,
            note: Some("MX Telecom keeps no history to ask: this is checked against the notifications MX sent to this till's listener.".into()),
        })
    }

    /// Reconciles the local days `from..=to` with AAT (manager). AAT reports a count
    /// of successful sales for a period (`GetTransactionCount`), not values, so the
    /// count is matched as a whole and every sale is checked by its client reference
    /// (`GetTransactionInfo`), amount included; the closing credit is AAT's credit now.
    pub async fn reconcile_aat(&self, session: &Session, from: &str, to: &str) -> Result<Reconciliation> {
        session.require_manager()?;
        let Some(aat) = self.aat.clone() else {
            return Err(AppError::Configuration("This till has no AAT account to reconcile with.".into()));
        };
        let Period { start, end, sales, stock, .. } = self.period("aat", from, to)?;
        let read = |e: airtill_providers::aat::AatError| AppError::Provider { class: e.class_for_read(), message: e.cashier_message() };
        let count = aat.client().transaction_count(start, end).await.map_err(read)?;
        let sold: Vec<&SaleRow> = sales.iter().filter(|s| s.state.as_str() == "succeeded").collect();
        // Vouchers bought into stock are AAT transactions too.
        let till_value: i64 = sold.iter().map(|s| s.details.amount_minor).sum::<i64>() + stock.iter().map(|s| s.3).sum::<i64>();
        let till_count = sold.len() as i64 + stock.iter().map(|s| s.2).sum::<i64>();
        let mut mismatches = Vec::new();
        if count.transactions > till_count {
            let n = count.transactions - till_count;
            let explanation = format!(
                "AAT counts {n} more successful sale{} in these days than this till has. They were sold from another till or app on the same AAT account, or lost here: ask AAT for the list.",
                if n == 1 { "" } else { "s" }
            );
            mismatches.push(network_mismatch(MismatchKind::MissingAtTill, "All networks", Money4::zar(0), explanation));
        }
        let networks = vec![NetworkMatch {
            network: "All networks (AAT gives a count, no values)".into(),
            till_count,
            till_value: Money4::from_money(Money::zar(till_value)),
            provider_count: count.transactions,
            // AAT states no value: the sale-by-sale checks below compare the amounts.
            provider_value: Money4::from_money(Money::zar(till_value)),
            till_cost: None,
            provider_cost: None,
            matches: count.transactions == till_count,
        }];
        let to_check: Vec<&SaleRow> = sales.iter().filter(|s| s.state.as_str() != "created").collect();
        let mut answers = Vec::with_capacity(to_check.len());
        for chunk in to_check.chunks(CHECKS_AT_ONCE) {
            let asks: Vec<_> = chunk.iter().map(|s| aat.client().transaction(&s.details.client_ref)).collect();
            answers.extend(chunk.iter().copied().zip(futures::future::join_all(asks).await));
        }
        let checked = answers.len() as i64;
        mismatches.extend(answers.into_iter().filter_map(|(s, a)| check_aat_sale(s, a)));
        let closing = if end >= sast_date(self.now_ms()) { aat.client().credit().await.ok().map(|c| Money4::from_money(Money::zar(c.remaining_credit))) } else { None };
        let clean = mismatches.is_empty() && networks.iter().all(|n| n.matches);
        Ok(Reconciliation {
            provider: crate::ProviderId::Aat,
            from_date: start.to_string(),
            to_date: end.to_string(),
            networks,
            mismatches,
            sales_checked: checked,
            provider_opening: None,
            provider_closing: closing,
            provider_deposits: None,
            clean,
            note: self.is_training().then(|| "Training: the practice provider starts afresh each time Airtill starts, so it knows only the sales made since then.".to_string()),
        })
    }
}

/// One AAT sale against AAT's record of it.
fn check_aat_sale(s: &SaleRow, answer: std::result::Result<airtill_providers::aat::TransactionInfo, airtill_providers::aat::AatError>) -> Option<Mismatch> {
    use airtill_providers::aat::{AatCode, AatError, TransactionStatus as T};
    let state = s.state.as_str();
    let said = state_words(state);
    let unresolved = matches!(state, "pending" | "in_doubt" | "submitting");
    match answer {
        Ok(t) => {
            let shown = Some(match &t.status {
                T::Ok => "OK".to_string(),
                T::Pending => "PENDING".to_string(),
                T::Failed => "FAILED".to_string(),
                T::Other(o) => o.clone(),
            });
            let sold = t.status == T::Ok;
            if unresolved {
                return Some(sale_mismatch(s, MismatchKind::Unresolved, shown, format!("Still {said} at the till; AAT says {}. The till keeps asking; nothing to do yet.", shown_text(&t.status))));
            }
            if state == "succeeded" && !sold && t.status != T::Pending {
                return Some(sale_mismatch(s, MismatchKind::StateDiffers, shown, "The till shows it sold; AAT says it did not. If a PIN was given, phone AAT with this reference.".into()));
            }
            if state != "succeeded" && sold {
                return Some(sale_mismatch(
                    s,
                    MismatchKind::StateDiffers,
                    shown,
                    format!("AAT sold it, but the till shows it {said}: the customer may have it without paying, or paid twice. Check with the cashier."),
                ));
            }
            if sold && t.amount != s.details.amount_minor {
                return Some(sale_mismatch(
                    s,
                    MismatchKind::AmountDiffers,
                    shown,
                    format!("The till sold it for {}; AAT has {}.", Money::new(s.details.amount_minor, s.details.currency), Money::zar(t.amount)),
                ));
            }
            None
        }
        Err(AatError::Refused { code: AatCode::NoTransaction, .. }) => {
            if state == "succeeded" {
                Some(sale_mismatch(
                    s,
                    MismatchKind::MissingAtProvider,
                    None,
                    "The till shows it sold, but AAT has no sale with this reference. Phone AAT with the receipt before giving any more PINs from it.".into(),
                ))
            } else if unresolved {
                Some(sale_mismatch(s, MismatchKind::Unresolved, None, format!("Still {said} at the till; AAT has no record yet.")))
            } else {
                None
            }
        }
        Err(e) => Some(sale_mismatch(s, MismatchKind::NotChecked, None, format!("AAT could not be asked about this sale: {}", e.cashier_message()))),
    }
}

fn shown_text(s: &airtill_providers::aat::TransactionStatus) -> String {
    use airtill_providers::aat::TransactionStatus as T;
    match s {
        T::Ok => "it sold".into(),
        T::Pending => "pending".into(),
        T::Failed => "failed".into(),
        T::Other(code) => format!("\u{201c}{code}\u{201d}, a status the till does not know"),
    }
}

/// A sale's state at the till in words (`in_doubt` → `in doubt`).
fn state_words(state: &str) -> &str {
    match state {
        "in_doubt" => "in doubt",
        "submitting" => "being sent",
        "succeeded" => "sold",
        other => other,
    }
}

/// Smartcall's status of a sale in words, and as Smartcall's own code.
fn smartcall_words(p: TransactionStatus) -> &'static str {
    match p {
        TransactionStatus::Requested => "requested",
        TransactionStatus::Pending => "pending",
        TransactionStatus::Successful => "successful",
        TransactionStatus::Failed => "failed",
        TransactionStatus::Cancelled => "cancelled",
    }
}

/// One sale against the provider's record of it.
fn check_sale(s: &SaleRow, answer: std::result::Result<airtill_providers::smartcall::Transaction, airtill_providers::smartcall::SmartcallError>) -> Option<Mismatch> {
    let state = s.state.as_str();
    let said = state_words(state);
    let unresolved = matches!(state, "pending" | "in_doubt" | "submitting");
    match answer {
        Ok(t) => {
            let ps = t.status();
            let shown = t.status.clone().or_else(|| ps.map(|p| smartcall_words(p).to_uppercase()));
            let provider_sold = ps == Some(TransactionStatus::Successful);
            let provider_open = matches!(ps, Some(TransactionStatus::Requested | TransactionStatus::Pending));
            if unresolved {
                return Some(sale_mismatch(
                    s,
                    MismatchKind::Unresolved,
                    shown,
                    format!("Still {said} at the till; Smartcall says {}. The till keeps asking; nothing to do yet.", ps.map_or("nothing clear", smartcall_words)),
                ));
            }
            if state == "succeeded" && !provider_sold && !provider_open {
                return Some(sale_mismatch(s, MismatchKind::StateDiffers, shown, "The till shows it sold; Smartcall says it did not. If a PIN was given, phone Smartcall with this reference.".into()));
            }
            if state != "succeeded" && provider_sold {
                return Some(sale_mismatch(
                    s,
                    MismatchKind::StateDiffers,
                    shown,
                    format!("Smartcall sold it, but the till shows it {said}: the customer may have it without paying, or paid twice. Check with the cashier."),
                ));
            }
            if let Some(a) = t.amount {
                if a != s.details.amount_minor && provider_sold {
                    return Some(sale_mismatch(
                        s,
                        MismatchKind::AmountDiffers,
                        shown,
                        format!("The till sold it for {}; Smartcall has {}.", Money::new(s.details.amount_minor, s.details.currency), Money::zar(a)),
                    ));
                }
            }
            None
        }
        Err(e) if matches!(e.code(), Some(ErrorCode::ClientReferenceUnknown | ErrorCode::RechargeUnknown)) => {
            if state == "succeeded" {
                Some(sale_mismatch(
                    s,
                    MismatchKind::MissingAtProvider,
                    None,
                    "The till shows it sold, but Smartcall has no sale with this reference. Phone Smartcall with the receipt before giving any more PINs from it.".into(),
                ))
            } else if unresolved {
                Some(sale_mismatch(s, MismatchKind::Unresolved, None, format!("Still {said} at the till; Smartcall has no record yet.")))
            } else {
                None
            }
        }
        Err(e) => Some(sale_mismatch(s, MismatchKind::NotChecked, None, format!("Smartcall could not be asked about this sale: {}", e.cashier_message()))),
    }
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
pub(crate) mod tests;
