//! The manager's office: shifts with cash counts, X, Z and period reports, their CSV
//! and PDF forms, backup and restore. Role checks happen here, for the shell and the
//! command line alike.

use crate::{time, Airtill, AppError, Result, Session};
use airtill_domain::{Currency, Money, Money4};
use airtill_store::{By, ShiftRow, Store, Totals, Window, ZRow};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// South African notes and coins, in cents, largest first.
pub const ZAR_DENOMINATIONS: [i64; 11] = [20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Any time; changes nothing.
    X,
    /// Closes the day: numbered, final.
    Z,
    /// Dates chosen by the manager.
    Period,
}

/// How reports treat amounts finer than a cent, stated on every report.
pub const MONEY_NOTE: &str = "Costs, profits and wallets are kept exactly, to R0.0001 as the providers keep them, and added up exactly. \
Where a figure is shown to the cent it is rounded once, to the nearest cent, halves away from zero.";

/// One line of figures: sold sales of one key in one currency. Value is what the
/// customers paid (cents); cost and profit are exact to the provider's four decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportLine {
    pub key: String,
    pub count: i64,
    pub value: Money,
    pub cost: Money4,
    pub profit: Money4,
}

/// A sale that failed after the provider took its cost from the wallet (a pinless
/// Smartcall recharge the network refused): the money comes back at a refund run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RefundLine {
    pub sale_id: i64,
    pub receipt_no: i64,
    pub provider: crate::ProviderId,
    pub network: String,
    pub amount: Money,
    /// What the wallet paid, and gets back.
    pub cost: Money4,
    /// When the refund is due (the provider's next refund run after the failure).
    pub due_at: String,
    /// True once that time has passed.
    pub refunded: bool,
}

/// A sale a report lists by itself (unresolved, cancelled, settled since the last Z).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportSale {
    pub sale_id: i64,
    pub receipt_no: i64,
    pub created_at: String,
    pub state: String,
    pub network: String,
    pub product: String,
    pub recipient: String,
    pub amount: Money,
    pub cashier: String,
    pub provider_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReprintLine {
    pub receipt_no: i64,
    pub by: String,
    pub approved_by: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OverrideLine {
    pub kind: String,
    pub receipt_no: Option<i64>,
    pub manager: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WalletLine {
    pub provider: crate::ProviderId,
    /// Exact, as the provider keeps it (Smartcall: four decimals).
    pub opening: Option<Money4>,
    pub closing: Option<Money4>,
    /// Where the closing figure comes from: the provider asked now, or its answer to
    /// the last sale.
    pub closing_source: String,
}

/// Where a shift's drawer stands: still open, or closed and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ShiftStatus {
    Open,
    Balanced,
    Over,
    Short,
}

impl ShiftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftStatus::Open => "open",
            ShiftStatus::Balanced => "balanced",
            ShiftStatus::Over => "over",
            ShiftStatus::Short => "short",
        }
    }
}

impl std::fmt::Display for ShiftStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShiftView {
    pub id: i64,
    pub cashier: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub float: Money,
    /// The float and the cash sales so far (for an open shift: until now).
    pub expected: Money,
    pub counted: Option<Money>,
    /// Counted less expected: over when positive, short when negative.
    pub variance: Option<Money>,
    pub status: ShiftStatus,
    /// `(denomination, pieces)` as counted.
    pub counts: Vec<DenominationCount>,
    /// Who counted the cash, when it was not the shift's own person (a manager).
    #[serde(default)]
    pub counted_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DenominationCount {
    /// In cents: 20000 is an R200 note, 50 a 50c coin.
    pub denomination: i64,
    pub pieces: i64,
}

/// An X, Z or period report: what the screen shows, the PDF prints and the CSV holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Report {
    pub kind: ReportKind,
    pub z_no: Option<i64>,
    pub shop_name: String,
    pub till_id: String,
    pub training: bool,
    /// What the report covers, in the till's local time.
    pub from: String,
    pub to: String,
    pub produced_at: String,
    pub produced_by: String,
    /// Sold sales (succeeded), one line per currency.
    pub sold: Vec<ReportLine>,
    pub by_network: Vec<ReportLine>,
    pub by_kind: Vec<ReportLine>,
    pub by_provider: Vec<ReportLine>,
    pub by_cashier: Vec<ReportLine>,
    pub by_tender: Vec<ReportLine>,
    /// Sales by local hour of the day (`08`, `09`, ...), for the chart.
    pub by_hour: Vec<ReportLine>,
    /// Refused sales: nothing sold (count and value per currency).
    pub failed: Vec<ReportLine>,
    /// Pending and in-doubt sales: not counted as sold until settled.
    pub unresolved: Vec<ReportSale>,
    /// Sales listed unresolved on the previous Z that have settled since (their
    /// value, when sold, is in this report's figures).
    pub settled_since_last_z: Vec<ReportSale>,
    pub cancelled: Vec<ReportSale>,
    pub reprints: Vec<ReprintLine>,
    pub overrides: Vec<OverrideLine>,
    pub wallets: Vec<WalletLine>,
    pub shifts: Vec<ShiftView>,
    /// Failed sales whose cost the provider took and refunds later (Smartcall's
    /// pinless recharges): due, or refunded since.
    #[serde(default)]
    pub refunds: Vec<RefundLine>,
    /// How amounts finer than a cent are kept and shown ([`MONEY_NOTE`]).
    #[serde(default)]
    pub money_note: String,
    /// Cash sold by someone with no open shift at the time (ledgers of versions that
    /// did not ask for one): in no drawer's count, so listed on its own.
    #[serde(default)]
    pub cash_outside_shifts: Vec<ReportLine>,
    /// A Z's audit chain head at its close ("id:hash"): the trail up to there cannot
    /// be rewritten without this printed line showing it.
    #[serde(default)]
    pub audit_head: Option<String>,
}

fn line(t: &Totals) -> ReportLine {
    let m4 = |e4| Money4::new(e4, t.currency);
    ReportLine { key: t.key.clone(), count: t.count, value: Money::new(t.value_minor, t.currency), cost: m4(t.cost_e4), profit: m4(t.profit_e4) }
}

/// A failed sale whose cost the provider took, with its refund: Smartcall takes the
/// money for a pinless recharge at once and refunds a failed one at its next refund
/// run after the failure (providers.md). `None` for any other sale.
pub(crate) fn refund_of(s: &airtill_store::SaleRow, now_ms: i64) -> Option<RefundLine> {
    let due = refund_due_ms(s)?;
    let cost = s.outcome.cost_e4.or_else(|| s.details.expected_cost_e4()).unwrap_or(s.details.amount_minor * 100);
    Some(RefundLine {
        sale_id: s.id,
        receipt_no: s.receipt_no,
        provider: crate::ProviderId::stored(&s.details.provider),
        network: s.details.network_name.clone(),
        amount: Money::new(s.details.amount_minor, s.details.currency),
        cost: Money4::new(cost, s.details.currency),
        due_at: time::local_minutes(due),
        refunded: due <= now_ms,
    })
}

/// When a failed sale's cost comes back, if the provider took it: a Smartcall pinless
/// recharge (not a bill) that Smartcall accepted (it has a Smartload reference) and
/// the network then refused. The failure time is when the till learnt of it.
pub(crate) fn refund_due_ms(s: &airtill_store::SaleRow) -> Option<i64> {
    let taken = s.state == airtill_domain::SaleState::Failed && s.details.provider == "smartcall" && !s.details.pinned && s.details.product_kind != "payment" && s.outcome.provider_ref.is_some();
    taken.then(|| airtill_providers::smartcall::books::refund_run_after(s.updated_ms))
}

fn report_sale(s: &airtill_store::SaleRow) -> ReportSale {
    ReportSale {
        sale_id: s.id,
        receipt_no: s.receipt_no,
        created_at: time::local_minutes(s.created_ms),
        state: s.state.as_str().to_string(),
        network: s.details.network_name.clone(),
        product: s.details.product_name.clone(),
        recipient: s.details.recipient.clone(),
        amount: Money::new(s.details.amount_minor, s.details.currency),
        cashier: s.user_name.clone(),
        provider_ref: s.outcome.provider_ref.clone(),
    }
}

fn shift_view(store: &Store, h: &ShiftRow, now_ms: i64) -> Result<ShiftView> {
    let m = |minor| Money::new(minor, h.currency);
    let expected = match h.expected_minor {
        Some(e) => e,
        None => store.expected_cash(h, now_ms)?,
    };
    let status = match h.variance_minor {
        None => ShiftStatus::Open,
        Some(0) => ShiftStatus::Balanced,
        Some(v) if v > 0 => ShiftStatus::Over,
        Some(_) => ShiftStatus::Short,
    };
    let counts: Vec<DenominationCount> = h
        .counts
        .as_deref()
        .and_then(|c| serde_json::from_str::<Vec<(i64, i64)>>(c).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|(denomination, pieces)| DenominationCount { denomination, pieces })
        .collect();
    Ok(ShiftView {
        id: h.id,
        cashier: h.user_name.clone(),
        opened_at: time::local_minutes(h.opened_ms),
        closed_at: h.closed_ms.map(time::local_minutes),
        float: m(h.float_minor),
        expected: m(expected),
        counted: h.counted_minor.map(m),
        variance: h.variance_minor.map(m),
        status,
        counts,
        counted_by: match h.closed_by {
            Some(by) if by != h.user_id => store.users()?.into_iter().find(|u| u.id == by).map(|u| u.name),
            _ => None,
        },
    })
}

/// Which report to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportQuery {
    /// `x` (now), `z` (an earlier Z by `z_no`), or `period` (`from`..`to`).
    pub kind: ReportKind,
    pub z_no: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The version of the record a Z is kept as. A Z is the shop's books: what it said is
/// kept as it was said, forever. A change to [`Report`] that an older record cannot be
/// read into (a field renamed, removed or retyped) needs a new version here, with the
/// older record's shape kept to read it; the fixtures in `crates/app/tests/fixtures`
/// (one per version) are read by a test for ever after.
pub const Z_RECORD_VERSION: u32 = 1;

/// A Z as stored: `{"record":"z","version":1,"report":{...}}`.
pub fn z_record(report: &Report) -> Result<String> {
    serde_json::to_string(&serde_json::json!({ "record": "z", "version": Z_RECORD_VERSION, "report": report })).map_err(|e| AppError::Io(e.to_string()))
}

/// A stored Z, of any version this Airtill knows (records from before versions were
/// kept are the report itself).
pub fn z_from_record(z: &ZRow) -> Result<Report> {
    let unreadable = |e: String| AppError::Io(format!("Z {} cannot be read: {e}", z.z_no));
    let v: serde_json::Value = serde_json::from_str(&z.body).map_err(|e| unreadable(e.to_string()))?;
    let report = match (v.get("record").and_then(|r| r.as_str()), v.get("version").and_then(|n| n.as_u64())) {
        (Some("z"), Some(1)) => v.get("report").cloned().ok_or_else(|| unreadable("no report".into()))?,
        (Some("z"), Some(n)) => return Err(unreadable(format!("it was written by a newer Airtill (record version {n}); update this till"))),
        _ => v,
    };
    serde_json::from_value(report).map_err(|e| unreadable(e.to_string()))
}

/// The sale ids a Z report left unresolved (carried into the next one).
fn unresolved_ids(z: &ZRow) -> Result<Vec<i64>> {
    let r = z_from_record(z)?;
    Ok(r.unresolved.iter().map(|s| s.sale_id).collect())
}

/// Checks and sums a cash count. Every denomination must be a South African note or
/// coin, each at most once, pieces 0 to 100 000.
pub fn check_counts(counts: &[DenominationCount]) -> Result<i64> {
    let mut seen = std::collections::HashSet::new();
    let mut total: i64 = 0;
    for c in counts {
        if !ZAR_DENOMINATIONS.contains(&c.denomination) {
            return Err(AppError::BadInput(format!("{} is not a South African note or coin.", Money::zar(c.denomination))));
        }
        if !seen.insert(c.denomination) {
            return Err(AppError::BadInput(format!("{} is counted twice. Count each note and coin once.", Money::zar(c.denomination))));
        }
        if !(0..=100_000).contains(&c.pieces) {
            return Err(AppError::BadInput(format!("{} pieces of {} cannot be right. Count again.", c.pieces, Money::zar(c.denomination))));
        }
        total += c.denomination * c.pieces;
    }
    Ok(total)
}

/// A date (`2026/11/23`, see [`time::parse_date`]) as the start of that local day, in epoch ms.
pub fn parse_local_date(text: &str) -> Result<i64> {
    let d = time::parse_date(text)?;
    Ok(time::day_start(d))
}

impl Airtill {
    /// Cash goes into a drawer only with its shift open: a cash sale by someone with
    /// no open shift here is refused before anything is stored or sent.
    pub(crate) fn require_cash_shift(&self, session: &Session) -> Result<()> {
        match self.store().open_shift_of(session.user_id)? {
            Some(_) => Ok(()),
            None => Err(AppError::NoShift),
        }
    }

    /// Every open shift at this till (manager): who, since when, the cash expected.
    pub fn open_shifts(&self, session: &Session) -> Result<Vec<ShiftView>> {
        session.require_manager()?;
        let store = self.store();
        let now = self.now_ms();
        store.open_shifts()?.iter().map(|h| shift_view(&store, h, now)).collect()
    }

    /// A manager closes someone's shift with the cash she counted (recorded as counted
    /// by her). Her own shift closes the same way.
    pub fn close_shift_of(&self, session: &Session, shift_id: i64, counts: &[DenominationCount]) -> Result<ShiftView> {
        session.require_manager()?;
        let shift = self.store().shift(shift_id).map_err(|_| AppError::BadInput(format!("There is no shift {shift_id}.")))?;
        if shift.closed_ms.is_some() {
            return Err(AppError::BadInput(format!("Shift {shift_id} of {} is already closed.", shift.user_name)));
        }
        self.close_counted(session, &shift, counts)
    }

    /// Closes `shift` with the cash counted by `session`'s person: the count and its
    /// line on the audit trail in one transaction.
    fn close_counted(&self, session: &Session, shift: &airtill_store::ShiftRow, counts: &[DenominationCount]) -> Result<ShiftView> {
        let counted = check_counts(counts)?;
        let now = self.now_ms();
        let pairs: Vec<(i64, i64)> = counts.iter().filter(|c| c.pieces > 0).map(|c| (c.denomination, c.pieces)).collect();
        let json = serde_json::to_string(&pairs).map_err(|e| AppError::Io(e.to_string()))?;
        let by = if shift.user_id == session.user_id { String::new() } else { format!(" by {}", session.name) };
        let line = format!("shift {} of {} closed{by}: counted {}", shift.id, shift.user_name, Money::zar(counted));
        let mut store = self.store();
        let closed = store.atomically(|s| {
            let closed = s.close_shift(shift.id, &json, counted, session.user_id, now)?;
            s.audit("shift_closed", Some(session.user_id), &line, now)?;
            Ok(closed)
        })?;
        shift_view(&store, &closed, now)
    }

    /// Opens the session user's shift with a float counted into the drawer.
    pub fn open_shift(&self, session: &Session, float: &str) -> Result<ShiftView> {
        session.require_seller()?;
        let float = crate::sell::typed_amount(float, Currency::ZAR).map_err(|e| AppError::BadInput(format!("The float: {e}")))?;
        if float.minor < 0 {
            return Err(AppError::BadInput("The float cannot be negative.".into()));
        }
        let now = self.now_ms();
        let mut store = self.store();
        let shift = store.open_shift(session.user_id, float.minor, Currency::ZAR, now).map_err(|e| match e {
            airtill_store::StoreError::Conflict(_) => AppError::BadInput("Your shift is already open. Close it before opening another.".into()),
            other => other.into(),
        })?;
        shift_view(&store, &shift, now)
    }

    /// The session user's open shift, with the cash the drawer should hold now.
    pub fn my_shift(&self, session: &Session) -> Result<Option<ShiftView>> {
        session.require_seller()?;
        let store = self.store();
        let now = self.now_ms();
        store.open_shift_of(session.user_id)?.map(|s| shift_view(&store, &s, now)).transpose()
    }

    /// Closes the session user's shift with the cash counted by denomination. The
    /// variance (over or short) is recorded as it is, never forced to zero.
    pub fn close_shift(&self, session: &Session, counts: &[DenominationCount]) -> Result<ShiftView> {
        session.require_seller()?;
        check_counts(counts)?;
        let shift = self.store().open_shift_of(session.user_id)?.ok_or_else(|| AppError::BadInput("You have no open shift to close.".into()))?;
        self.close_counted(session, &shift, counts)
    }

    /// Logs a reprint of a slip (the print screens call this before printing a COPY).
    pub fn log_reprint(&self, session: &Session, sale_id: i64, approved_by: Option<i64>) -> Result<()> {
        session.require_seller()?;
        let mut store = self.store();
        store.sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        let receipt = store.sale(sale_id)?.receipt_no;
        store.log_reprint(sale_id, session.user_id, approved_by, self.now_ms())?;
        store.audit("reprint", Some(session.user_id), &format!("receipt {receipt:06}{}", approved_by.map(|m| format!(", approved by user {m}")).unwrap_or_default()), self.now_ms())?;
        Ok(())
    }

    /// The X report: everything since the last Z, changing nothing. It never waits
    /// for a provider: the figures come from the ledger, and each wallet's closing is
    /// the last reading of it (the header asks every minute) or the provider's answer to
    /// the last sale. [`Airtill::report_wallets`] asks the providers now and fills the
    /// wallets in.
    pub async fn x_report(&self, session: &Session) -> Result<Report> {
        session.require_manager()?;
        self.since_last_z(session, ReportKind::X, self.recent_wallets())
    }

    /// The X report with its wallets asked now (for paper and the command line, which
    /// can wait the wallets' short deadline).
    pub async fn x_report_with_wallets(&self, session: &Session) -> Result<Report> {
        let mut r = self.x_report(session).await?;
        r.wallets = self.report_wallets(session).await?;
        Ok(r)
    }

    /// The wallet lines of the X report, asked of every provider now, all at once,
    /// under one short deadline ([`WALLET_DEADLINE`]); a provider that does not answer
    /// in time is named, with its last reading.
    pub async fn report_wallets(&self, session: &Session) -> Result<Vec<WalletLine>> {
        session.require_manager()?;
        let live = self.live_wallets().await;
        let store = self.store();
        let upto = store.last_sale_id()?;
        let last = store.last_z()?;
        let after = last.as_ref().map_or(0, |z| z.upto_sale_id);
        let window = Window::Ids { after, upto, carried: Vec::new() };
        wallet_lines(&store, last.as_ref(), &window, after, upto, &live)
    }

    /// The Z report: everything since the last Z, numbered and kept final. A second Z
    /// on one day covers only what came after the first.
    pub async fn z_report(&self, session: &Session) -> Result<Report> {
        session.require_manager()?;
        let live = self.live_wallets().await;
        let report = self.since_last_z(session, ReportKind::Z, live)?;
        let body = z_record(&report)?;
        let (after, upto, from_ms) = self.z_bounds()?;
        let z =
            ZRow { till_id: report.till_id.clone(), z_no: report.z_no.unwrap_or(1), after_sale_id: after, upto_sale_id: upto, from_ms, produced_ms: self.now_ms(), produced_by: session.user_id, body };
        // The Z and its line on the audit trail: one transaction.
        let (line, now) = (format!("Z {} (sales {} to {})", z.z_no, z.after_sale_id + 1, z.upto_sale_id), self.now_ms());
        let mut report = report;
        report.audit_head = self
            .store()
            .atomically(|s| {
                s.audit("z_report", Some(session.user_id), &line, now)?;
                s.save_z_at_audit_head(&z)
            })
            .map_err(|e| match e {
                airtill_store::StoreError::Conflict(m) => AppError::BadInput(format!("{m}.")),
                other => other.into(),
            })?;
        // The day is closed: PINs past the reprint window go, and the stock key
        // leaves memory until a manager opens the day again.
        self.erase_old_pins()?;
        self.close_the_day(session.user_id)?;
        Ok(report)
    }

    /// A Z report as it was produced.
    pub fn z_report_by_no(&self, session: &Session, z_no: i64) -> Result<Report> {
        session.require_manager()?;
        let z = self.store().z_report(z_no)?.ok_or_else(|| AppError::BadInput(format!("There is no Z report {z_no}.")))?;
        let mut report = z_from_record(&z)?;
        report.audit_head = self.store().z_audit_heads()?.into_iter().find(|(n, _)| *n == z_no).and_then(|(_, h)| h);
        Ok(report)
    }

    /// Numbers of the Z reports produced at this till.
    pub fn z_numbers(&self, session: &Session) -> Result<Vec<i64>> {
        session.require_manager()?;
        Ok(self.store().z_reports()?.iter().map(|z| z.z_no).collect())
    }

    /// A report of the local days `from` to `to` (both included, `YYYY-MM-DD`).
    pub fn period_report(&self, session: &Session, from: &str, to: &str) -> Result<Report> {
        session.require_manager()?;
        let from_ms = parse_local_date(from)?;
        let to_start = parse_local_date(to)?;
        if to_start < from_ms {
            return Err(AppError::BadInput("The period ends before it starts. Swap the dates.".into()));
        }
        let to_ms = time::local_day_bounds(to_start).1;
        let window = Window::Created { from_ms, to_ms };
        let store = self.store();
        let mut wallets = Vec::new();
        for provider in store.providers_in(&window)? {
            let opening = last_wallet_before(&store, &provider, from_ms)?;
            let closing = last_wallet_before(&store, &provider, to_ms)?;
            wallets.push(WalletLine { provider: crate::ProviderId::stored(&provider), opening, closing, closing_source: "the provider's answer to the last sale".into() });
        }
        self.build(&store, session, ReportKind::Period, None, &window, from_ms, to_ms, wallets, Vec::new())
    }

    /// The sale ids a Z made now would cover (for the benchmark's sqlite3 side).
    pub fn z_window_for_bench(&self, session: &Session) -> Result<(i64, i64)> {
        session.require_manager()?;
        let (after, upto, _) = self.z_bounds()?;
        Ok((after, upto))
    }

    /// `[from_ms, to_ms)` of a period report (for the benchmark's sqlite3 side).
    pub fn period_bounds_for_bench(&self, from: &str, to: &str) -> Result<(i64, i64)> {
        Ok((parse_local_date(from)?, time::local_day_bounds(parse_local_date(to)?).1))
    }

    /// `(after_sale_id, upto_sale_id, from_ms)` of a Z made now.
    fn z_bounds(&self) -> Result<(i64, i64, i64)> {
        let store = self.store();
        let last = store.last_z()?;
        let after = last.as_ref().map_or(0, |z| z.upto_sale_id);
        let from_ms = match &last {
            Some(z) => z.produced_ms,
            None => store.first_sale_ms()?.unwrap_or_else(time::now_ms),
        };
        Ok((after, store.last_sale_id()?, from_ms))
    }

    fn since_last_z(&self, session: &Session, kind: ReportKind, live: LiveWallets) -> Result<Report> {
        let upto = self.store().last_sale_id()?;
        self.since_last_z_upto(session, kind, live, upto, self.now_ms())
    }

    /// Z reports for a ledger made by the benchmark's generator: one at each cutoff
    /// (a day's close), covering the sales created before it, as if produced then.
    pub fn z_reports_for_history(&self, session: &Session, cutoffs: &[i64]) -> Result<usize> {
        session.require_manager()?;
        let mut made = 0;
        for &cutoff in cutoffs {
            let upto = self.store().last_sale_id_before(cutoff)?;
            let report = self.since_last_z_upto(session, ReportKind::Z, LiveWallets::default(), upto, cutoff)?;
            let last = self.store().last_z()?;
            let z = ZRow {
                till_id: report.till_id.clone(),
                z_no: report.z_no.unwrap_or(1),
                after_sale_id: last.as_ref().map_or(0, |z| z.upto_sale_id),
                upto_sale_id: upto,
                from_ms: last.as_ref().map_or(0, |z| z.produced_ms),
                produced_ms: cutoff,
                produced_by: session.user_id,
                body: z_record(&report)?,
            };
            self.store().save_z(&z)?;
            made += 1;
        }
        Ok(made)
    }

    fn since_last_z_upto(&self, session: &Session, kind: ReportKind, live: LiveWallets, upto: i64, now: i64) -> Result<Report> {
        let store = self.store();
        let last = store.last_z()?;
        let after = last.as_ref().map_or(0, |z| z.upto_sale_id);
        let carried = match &last {
            Some(z) => unresolved_ids(z)?,
            None => Vec::new(),
        };
        let from_ms = match &last {
            Some(z) => z.produced_ms,
            None => store.first_sale_ms()?.unwrap_or(now),
        };
        let window = Window::Ids { after, upto, carried: carried.clone() };
        let wallets = wallet_lines(&store, last.as_ref(), &window, after, upto, &live)?;
        let z_no = match kind {
            ReportKind::Z => Some(last.as_ref().map_or(1, |z| z.z_no + 1)),
            _ => None,
        };
        self.build(&store, session, kind, z_no, &window, from_ms, now, wallets, carried)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(&self, store: &Store, session: &Session, kind: ReportKind, z_no: Option<i64>, window: &Window, from_ms: i64, to_ms: i64, wallets: Vec<WalletLine>, carried: Vec<i64>) -> Result<Report> {
        let shop = store.shop()?.ok_or_else(|| AppError::Io("the shop is not set up".into()))?;
        let lines = |by: By| -> Result<Vec<ReportLine>> { Ok(store.totals(window, by)?.iter().map(line).collect()) };
        let unresolved_states = ["created", "submitting", "pending", "in_doubt"];
        let unresolved = store.sales_in(window, &unresolved_states)?;
        let settled_since_last_z: Vec<ReportSale> = if carried.is_empty() {
            Vec::new()
        } else {
            let carried_only = Window::Ids { after: 0, upto: 0, carried };
            store.sales_in(&carried_only, &["succeeded", "failed", "cancelled", "reversed"])?.iter().map(report_sale).collect()
        };
        let failed =
            store.failed_in(window)?.into_iter().map(|(c, n, v)| ReportLine { key: "failed".into(), count: n, value: Money::new(v, c), cost: Money4::new(0, c), profit: Money4::new(0, c) }).collect();
        let now = self.now_ms();
        let refunds = store.sales_in(window, &["failed"])?.iter().filter_map(|s| refund_of(s, now)).collect();
        let cash_outside_shifts = store
            .cash_outside_shifts(window)?
            .into_iter()
            .map(|(c, n, v)| ReportLine { key: "cash outside any shift".into(), count: n, value: Money::new(v, c), cost: Money4::new(0, c), profit: Money4::new(0, c) })
            .collect();
        let shifts = store.shifts_between(from_ms, to_ms.max(now))?.iter().map(|h| shift_view(store, h, now)).collect::<Result<Vec<_>>>()?;
        let receipt_of = |id: Option<i64>| id.and_then(|id| store.sale(id).ok()).map(|s| s.receipt_no);
        Ok(Report {
            kind,
            z_no,
            shop_name: shop.name,
            till_id: shop.till_id,
            training: shop.training,
            from: time::local_minutes(from_ms),
            to: time::local_minutes(to_ms),
            produced_at: time::local_minutes(now),
            produced_by: session.name.clone(),
            sold: lines(By::All)?,
            by_network: lines(By::Network)?,
            by_kind: lines(By::Kind)?,
            by_provider: lines(By::Provider)?,
            by_cashier: lines(By::Cashier)?,
            by_tender: lines(By::Tender)?,
            by_hour: lines(By::Hour { offset_ms: time::offset_ms_at(now) })?,
            failed,
            unresolved: unresolved.iter().map(report_sale).collect(),
            settled_since_last_z,
            cancelled: store.sales_in(window, &["cancelled", "reversed"])?.iter().map(report_sale).collect(),
            reprints: store
                .reprints_between(from_ms, to_ms.max(now) + 1)?
                .into_iter()
                .map(|r| ReprintLine { receipt_no: r.receipt_no, by: r.user_name, approved_by: r.approved_by, at: time::local_minutes(r.at_ms) })
                .collect(),
            overrides: store
                .overrides_between(from_ms, to_ms.max(now) + 1)?
                .into_iter()
                .map(|(kind, sale, manager, reason, at)| OverrideLine { kind, receipt_no: receipt_of(sale), manager, reason, at: time::local_minutes(at) })
                .collect(),
            wallets,
            shifts,
            refunds,
            money_note: MONEY_NOTE.into(),
            cash_outside_shifts,
            audit_head: None,
        })
    }

    /// Each provider's wallet, asked now: every provider at once, under one short
    /// deadline; a provider that has not answered by then is named, not waited for.
    async fn live_wallets(&self) -> LiveWallets {
        let smartcall = async { ("smartcall", Some(self.smartcall.balance().await.map(Money4::zar).map_err(|e| e.to_string()))) };
        let aat = async {
            match &self.aat {
                Some(a) => ("aat", Some(a.client().credit().await.map(|c| Money4::from_money(Money::zar(c.remaining_credit))).map_err(|e| e.to_string()))),
                None => ("aat", None),
            }
        };
        let both = futures::future::join(tokio::time::timeout(WALLET_DEADLINE, smartcall), tokio::time::timeout(WALLET_DEADLINE, aat)).await;
        let mut out = LiveWallets::default();
        for (name, answer) in [("smartcall", both.0), ("aat", both.1)] {
            match answer {
                Ok((_, None)) => {}
                Ok((_, Some(Ok(m)))) => {
                    self.note_wallet(name, m);
                    out.answered.push((name.to_string(), m));
                }
                Ok((_, Some(Err(e)))) => {
                    tracing::warn!("the {name} wallet could not be read for a report: {e}");
                    out.unanswered.push(name.to_string());
                }
                Err(_) => {
                    tracing::warn!("the {name} wallet did not answer within {WALLET_DEADLINE:?} for a report");
                    out.unanswered.push(name.to_string());
                }
            }
        }
        out.recent = self.recent_wallets().recent.into_iter().filter(|(p, _, _)| out.unanswered.contains(p)).collect();
        out
    }

    /// Keeps a wallet reading (the header's, a report's) for reports that do not ask.
    pub(crate) fn note_wallet(&self, provider: &str, balance: Money4) {
        let now = self.now_ms();
        self.wallet_readings.lock().unwrap_or_else(|p| p.into_inner()).insert(provider.to_string(), (balance, now));
    }

    /// The wallet readings of the last few minutes.
    fn recent_wallets(&self) -> LiveWallets {
        let now = self.now_ms();
        let readings = self.wallet_readings.lock().unwrap_or_else(|p| p.into_inner());
        let recent = readings.iter().filter(|(_, (_, at))| now - at <= RECENT_WALLET_MS).map(|(p, (m, at))| (p.clone(), *m, *at)).collect();
        LiveWallets { recent, ..LiveWallets::default() }
    }

    /// Writes a report to `<data>/reports/` as PDF (`a4` or `80mm`) or CSV and, when
    /// asked, opens it in the system's viewer (to print from there). Exporting a Z
    /// exports that Z as it was produced; it never produces a new one.
    pub async fn export_report(&self, session: &Session, q: &ReportQuery, format: &str, paper: &str, open: bool) -> Result<crate::SlipFile> {
        session.require_manager()?;
        let report = match q.kind {
            ReportKind::X => self.x_report_with_wallets(session).await?,
            ReportKind::Z => self.z_report_by_no(session, q.z_no.ok_or_else(|| AppError::BadInput("Choose which Z report to export.".into()))?)?,
            ReportKind::Period => {
                let (from, to) = (q.from.as_deref().unwrap_or(""), q.to.as_deref().unwrap_or(""));
                self.period_report(session, from, to)?
            }
        };
        let a4 = match paper {
            "a4" => true,
            "80mm" => false,
            other => return Err(AppError::BadInput(format!("'{other}' is not a paper: a4 or 80mm."))),
        };
        let (bytes, ext) = match format {
            "pdf" => (crate::report_export::report_pdf(&report, a4), "pdf"),
            "csv" => (crate::report_export::report_csv(&report).into_bytes(), "csv"),
            other => return Err(AppError::BadInput(format!("'{other}' is not a format: pdf or csv."))),
        };
        let dir = self.data_dir.join("reports");
        std::fs::create_dir_all(&dir).map_err(|e| AppError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let name = match (report.kind, report.z_no) {
            (ReportKind::Z, Some(n)) => format!("z-{n:04}"),
            (ReportKind::X, _) => format!("x-{}", time::local_minutes(self.now_ms()).replace([' ', ':'], "-")),
            _ => format!("period-{}-{}", q.from.as_deref().unwrap_or(""), q.to.as_deref().unwrap_or("")),
        };
        let suffix = if ext == "pdf" && !a4 { "-80mm" } else { "" };
        let path = dir.join(format!("{name}{suffix}.{ext}"));
        std::fs::write(&path, bytes).map_err(|e| AppError::Io(format!("the report could not be saved to {}: {e}", path.display())))?;
        if open {
            open::that_detached(&path).map_err(|e| {
                tracing::warn!("the viewer did not start: {e}");
                AppError::BadInput(format!("The report was saved to {}, but this computer has no program that opens it: install a document viewer, or open the file from there.", path.display()))
            })?;
        }
        Ok(crate::SlipFile { path: path.display().to_string() })
    }

    /// A copy of the ledger made while the till runs (SQLite's online backup).
    pub fn backup(&self, session: &Session, out: &std::path::Path) -> Result<()> {
        session.require_manager()?;
        if out.exists() {
            return Err(AppError::BadInput(format!("{} exists already. Choose a new file name.", out.display())));
        }
        let folder = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        if !folder.is_dir() {
            return Err(AppError::BadInput(format!("There is no folder {} (is the USB stick in?). Nothing was written.", folder.display())));
        }
        // Recorded first, so that the backup holds its own line.
        self.audit("backup", Some(session.user_id), &out.display().to_string())?;
        self.store().backup_to(out)?;
        Ok(())
    }
}

/// Makes a data folder holding `sales` sales over `days` days before now (the
/// reports benchmark's "year of a busy shop"): the demo shop and people plus two
/// cashiers, each sale with its history, and a Z at every day's close but the last.
pub async fn generate_ledger(dir: &std::path::Path, sales: i64, days: i64, seed: u64) -> Result<airtill_store::generate::Generated> {
    // 20:00 at the shop, when it closes.
    const CLOSE_MS: i64 = 20 * 3_600_000;
    if dir.join("airtill.db").exists() {
        return Err(AppError::BadInput(format!("{} already holds a ledger", dir.display())));
    }
    let opts = crate::OpenOptions { data_dir: dir.to_path_buf() };
    let app = Airtill::open(opts.clone()).await?;
    let manager = app.login(crate::DEMO_MANAGER.1)?;
    app.add_user(&manager, "Zanele", "cashier", "4821")?;
    app.add_user(&manager, "Sipho", "cashier", "5829")?;
    let users = app.user_ids(&manager)?;
    app.shutdown().await;
    drop(app);
    let g = airtill_store::generate::year_of_sales(&dir.join("airtill.db"), sales, days, time::now_ms(), &users, seed)?;
    let app = Airtill::open(opts).await?;
    let manager = app.login(crate::DEMO_MANAGER.1)?;
    let (first, last) = (time::date_at(g.first_ms), time::date_at(g.last_ms));
    let cutoffs: Vec<i64> = first.iter_days().take_while(|d| *d < last).map(|d| time::day_start(d) + CLOSE_MS).collect();
    app.z_reports_for_history(&manager, &cutoffs)?;
    app.shutdown().await;
    Ok(g)
}

/// Now, in epoch ms.
pub fn now_ms() -> i64 {
    time::now_ms()
}

fn last_wallet_before(store: &Store, provider: &str, before_ms: i64) -> Result<Option<Money4>> {
    Ok(store.wallet_before(provider, before_ms)?.map(Money4::zar))
}

/// Each provider's wallet line: the opening is where the last Z closed (or the answer
/// to the last sale before the window); the closing is the provider's answer now, else
/// its last reading, else its answer to the last sale of the window.
fn wallet_lines(store: &Store, last: Option<&ZRow>, window: &Window, after: i64, upto: i64, live: &LiveWallets) -> Result<Vec<WalletLine>> {
    let previous: Option<Report> = last.and_then(|z| z_from_record(z).ok());
    let mut providers = store.providers_in(window)?;
    for p in live.answered.iter().map(|(p, _)| p).chain(live.unanswered.iter()).chain(live.recent.iter().map(|(p, _, _)| p)) {
        if !providers.contains(p) {
            providers.push(p.clone());
        }
    }
    let mut wallets = Vec::new();
    for provider in providers {
        let opening =
            previous.as_ref().and_then(|r| r.wallets.iter().find(|w| w.provider == provider.as_str()).and_then(|w| w.closing)).or(store.wallet_after(&provider, after)?.map(|(m, _)| Money4::zar(m)));
        let last_sale = store.wallet_after(&provider, upto)?.map(|(m, _)| Money4::zar(m));
        let recent = live.recent.iter().find(|(p, _, _)| *p == provider);
        let unanswered = live.unanswered.contains(&provider);
        let (closing, source) = match (live.answered.iter().find(|(p, _)| *p == provider), recent) {
            (Some((_, m)), _) => (Some(*m), "asked the provider now".to_string()),
            (None, Some((_, m, at))) if unanswered => (Some(*m), format!("the provider did not answer in time: its reading at {}", time::local_minutes(*at))),
            (None, None) if unanswered => (last_sale, "the provider did not answer in time: its answer to the last sale".to_string()),
            (None, Some((_, m, at))) => (Some(*m), format!("asked the provider at {}", time::local_minutes(*at))),
            (None, None) => (last_sale, "the provider's answer to the last sale".to_string()),
        };
        wallets.push(WalletLine { provider: crate::ProviderId::stored(&provider), opening, closing, closing_source: source });
    }
    Ok(wallets)
}

/// How long a report waits for the providers' wallets, all asked at once.
pub const WALLET_DEADLINE: std::time::Duration = std::time::Duration::from_millis(1_500);

/// The wallets for a report: those that answered now, those that did not (in time,
/// or at all), and recent readings (when each was read).
#[derive(Debug, Default)]
struct LiveWallets {
    answered: Vec<(String, Money4)>,
    unanswered: Vec<String>,
    recent: Vec<(String, Money4, i64)>,
}

/// How old a wallet reading may be and still stand in an X report.
const RECENT_WALLET_MS: i64 = 5 * 60_000;

#[cfg(test)]
#[path = "office_tests.rs"]
mod tests;
