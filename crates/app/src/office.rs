//! The manager's office: shifts with cash counts, X, Z and period reports, their CSV
//! and PDF forms, backup and restore. Role checks happen here, for the shell and the
//! command line alike.

use crate::{time, Airtill, AppError, Result, Session};
use airtill_domain::{Currency, Money};
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

/// One line of figures: sold sales of one key in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportLine {
    pub key: String,
    pub count: i64,
    pub value: Money,
    pub cost: Money,
    pub profit: Money,
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
    pub provider: String,
    pub opening: Option<Money>,
    pub closing: Option<Money>,
    /// Where the closing figure comes from: the provider asked now, or its answer to
    /// the last sale.
    pub closing_source: String,
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
    /// `open`, `balanced`, `over` or `short`.
    pub status: String,
    /// `(denomination, pieces)` as counted.
    pub counts: Vec<DenominationCount>,
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
}

fn line(t: &Totals) -> ReportLine {
    let m = |minor| Money::new(minor, t.currency);
    ReportLine { key: t.key.clone(), count: t.count, value: m(t.value_minor), cost: m(t.cost_minor), profit: m(t.profit_minor) }
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
        None => "open",
        Some(0) => "balanced",
        Some(v) if v > 0 => "over",
        Some(_) => "short",
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
        status: status.into(),
        counts,
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

/// The sale ids a Z report left unresolved (carried into the next one).
fn unresolved_ids(z: &ZRow) -> Result<Vec<i64>> {
    let r: Report = serde_json::from_str(&z.body).map_err(|e| AppError::Io(format!("Z {} cannot be read: {e}", z.z_no)))?;
    Ok(r.unresolved.iter().map(|s| s.sale_id).collect())
}

/// The local time's offset from UTC now, in ms (for sales by hour of day).
fn local_offset_ms() -> i64 {
    i64::from(chrono::Local::now().offset().local_minus_utc()) * 1000
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

/// `YYYY-MM-DD` as the start of that local day, in epoch ms.
pub fn parse_local_date(text: &str) -> Result<i64> {
    let d = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| AppError::BadInput(format!("'{text}' is not a date. Write it as 2026-11-23.")))?;
    let noon = d.and_hms_opt(12, 0, 0).expect("noon exists");
    let ms = match chrono::TimeZone::from_local_datetime(&chrono::Local, &noon) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.timestamp_millis(),
        chrono::LocalResult::None => noon.and_utc().timestamp_millis(),
    };
    Ok(time::local_day_bounds(ms).0)
}

impl Airtill {
    /// Opens the session user's shift with a float counted into the drawer.
    pub fn open_shift(&self, session: &Session, float: &str) -> Result<ShiftView> {
        session.require_seller()?;
        let float = Money::parse(float, Currency::ZAR).map_err(|e| AppError::BadInput(format!("The float: {e}. Type it like 500.00.")))?;
        if float.minor < 0 {
            return Err(AppError::BadInput("The float cannot be negative.".into()));
        }
        let now = time::now_ms();
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
        let now = time::now_ms();
        store.open_shift_of(session.user_id)?.map(|s| shift_view(&store, &s, now)).transpose()
    }

    /// Closes the session user's shift with the cash counted by denomination. The
    /// variance (over or short) is recorded as it is, never forced to zero.
    pub fn close_shift(&self, session: &Session, counts: &[DenominationCount]) -> Result<ShiftView> {
        session.require_seller()?;
        let counted = check_counts(counts)?;
        let now = time::now_ms();
        let mut store = self.store();
        let shift = store.open_shift_of(session.user_id)?.ok_or_else(|| AppError::BadInput("You have no open shift to close.".into()))?;
        let pairs: Vec<(i64, i64)> = counts.iter().filter(|c| c.pieces > 0).map(|c| (c.denomination, c.pieces)).collect();
        let json = serde_json::to_string(&pairs).map_err(|e| AppError::Io(e.to_string()))?;
        let closed = store.close_shift(shift.id, &json, counted, session.user_id, now)?;
        shift_view(&store, &closed, now)
    }

    /// Logs a reprint of a slip (the print screens call this before printing a COPY).
    pub fn log_reprint(&self, session: &Session, sale_id: i64, approved_by: Option<i64>) -> Result<()> {
        session.require_seller()?;
        let mut store = self.store();
        store.sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        let receipt = store.sale(sale_id)?.receipt_no;
        store.log_reprint(sale_id, session.user_id, approved_by, time::now_ms())?;
        store.audit("reprint", Some(session.user_id), &format!("receipt {receipt:06}{}", approved_by.map(|m| format!(", approved by user {m}")).unwrap_or_default()), time::now_ms())?;
        Ok(())
    }

    /// The X report: everything since the last Z, changing nothing.
    pub async fn x_report(&self, session: &Session) -> Result<Report> {
        session.require_manager()?;
        let live = self.live_wallets().await;
        self.since_last_z(session, ReportKind::X, live)
    }

    /// The Z report: everything since the last Z, numbered and kept final. A second Z
    /// on one day covers only what came after the first.
    pub async fn z_report(&self, session: &Session) -> Result<Report> {
        session.require_manager()?;
        let live = self.live_wallets().await;
        let report = self.since_last_z(session, ReportKind::Z, live)?;
        let body = serde_json::to_string(&report).map_err(|e| AppError::Io(e.to_string()))?;
        let (after, upto, from_ms) = self.z_bounds()?;
        let z = ZRow {
            till_id: report.till_id.clone(),
            z_no: report.z_no.unwrap_or(1),
            after_sale_id: after,
            upto_sale_id: upto,
            from_ms,
            produced_ms: time::now_ms(),
            produced_by: session.user_id,
            body,
        };
        self.store().save_z(&z).map_err(|e| match e {
            airtill_store::StoreError::Conflict(m) => AppError::BadInput(format!("{m}.")),
            other => other.into(),
        })?;
        self.audit("z_report", Some(session.user_id), &format!("Z {} (sales {} to {})", z.z_no, z.after_sale_id + 1, z.upto_sale_id))?;
        Ok(report)
    }

    /// A Z report as it was produced.
    pub fn z_report_by_no(&self, session: &Session, z_no: i64) -> Result<Report> {
        session.require_manager()?;
        let z = self.store().z_report(z_no)?.ok_or_else(|| AppError::BadInput(format!("There is no Z report {z_no}.")))?;
        serde_json::from_str(&z.body).map_err(|e| AppError::Io(format!("Z {z_no} cannot be read: {e}")))
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
            wallets.push(WalletLine { provider, opening, closing, closing_source: "the provider's answer to the last sale".into() });
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

    fn since_last_z(&self, session: &Session, kind: ReportKind, live: Vec<(String, Money)>) -> Result<Report> {
        let upto = self.store().last_sale_id()?;
        self.since_last_z_upto(session, kind, live, upto, time::now_ms())
    }

    /// Z reports for a ledger made by the benchmark's generator: one at each cutoff
    /// (a day's close), covering the sales created before it, as if produced then.
    pub fn z_reports_for_history(&self, session: &Session, cutoffs: &[i64]) -> Result<usize> {
        session.require_manager()?;
        let mut made = 0;
        for &cutoff in cutoffs {
            let upto = self.store().last_sale_id_before(cutoff)?;
            let report = self.since_last_z_upto(session, ReportKind::Z, Vec::new(), upto, cutoff)?;
            let last = self.store().last_z()?;
            let z = ZRow {
                till_id: report.till_id.clone(),
                z_no: report.z_no.unwrap_or(1),
                after_sale_id: last.as_ref().map_or(0, |z| z.upto_sale_id),
                upto_sale_id: upto,
                from_ms: last.as_ref().map_or(0, |z| z.produced_ms),
                produced_ms: cutoff,
                produced_by: session.user_id,
                body: serde_json::to_string(&report).map_err(|e| AppError::Io(e.to_string()))?,
            };
            self.store().save_z(&z)?;
            made += 1;
        }
        Ok(made)
    }

    fn since_last_z_upto(&self, session: &Session, kind: ReportKind, live: Vec<(String, Money)>, upto: i64, now: i64) -> Result<Report> {
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
        let previous: Option<Report> = last.as_ref().and_then(|z| serde_json::from_str(&z.body).ok());
        let mut providers = store.providers_in(&window)?;
        for (p, _) in &live {
            if !providers.contains(p) {
                providers.push(p.clone());
            }
        }
        let mut wallets = Vec::new();
        for provider in providers {
            let opening =
                previous.as_ref().and_then(|r| r.wallets.iter().find(|w| w.provider == provider).and_then(|w| w.closing)).or(store.wallet_after(&provider, after)?.map(|(m, _)| Money::zar(m)));
            let (closing, source) = match live.iter().find(|(p, _)| *p == provider) {
                Some((_, m)) => (Some(*m), "asked the provider now"),
                None => (store.wallet_after(&provider, upto)?.map(|(m, _)| Money::zar(m)), "the provider's answer to the last sale"),
            };
            wallets.push(WalletLine { provider, opening, closing, closing_source: source.into() });
        }
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
            store.failed_in(window)?.into_iter().map(|(c, n, v)| ReportLine { key: "failed".into(), count: n, value: Money::new(v, c), cost: Money::new(0, c), profit: Money::new(0, c) }).collect();
        let now = time::now_ms();
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
            by_hour: lines(By::Hour { offset_ms: local_offset_ms() })?,
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
        })
    }

    /// Each provider's wallet, asked now (skipped when it cannot be reached quickly).
    async fn live_wallets(&self) -> Vec<(String, Money)> {
        let wait = std::time::Duration::from_secs(5);
        let mut out = Vec::new();
        match tokio::time::timeout(wait, self.smartcall.balance()).await {
            Ok(Ok(minor)) => out.push(("smartcall".to_string(), Money::zar(minor))),
            Ok(Err(e)) => tracing::warn!("the Smartcall wallet could not be read for a report: {e}"),
            Err(_) => tracing::warn!("the Smartcall wallet did not answer in time for a report"),
        }
        if let Some(aat) = &self.aat {
            match tokio::time::timeout(wait, aat.client().credit()).await {
                Ok(Ok(c)) => out.push(("aat".to_string(), Money::zar(c.remaining_credit))),
                Ok(Err(e)) => tracing::warn!("the AAT credit could not be read for a report: {e}"),
                Err(_) => tracing::warn!("the AAT credit did not answer in time for a report"),
            }
        }
        out
    }

    /// Writes a report to `<data>/reports/` as PDF (`a4` or `80mm`) or CSV and, when
    /// asked, opens it in the system's viewer (to print from there). Exporting a Z
    /// exports that Z as it was produced; it never produces a new one.
    pub async fn export_report(&self, session: &Session, q: &ReportQuery, format: &str, paper: &str, open: bool) -> Result<crate::SlipFile> {
        session.require_manager()?;
        let report = match q.kind {
            ReportKind::X => self.x_report(session).await?,
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
            (ReportKind::X, _) => format!("x-{}", time::local_minutes(time::now_ms()).replace([' ', ':'], "-")),
            _ => format!("period-{}-{}", q.from.as_deref().unwrap_or(""), q.to.as_deref().unwrap_or("")),
        };
        let suffix = if ext == "pdf" && !a4 { "-80mm" } else { "" };
        let path = dir.join(format!("{name}{suffix}.{ext}"));
        std::fs::write(&path, bytes).map_err(|e| AppError::Io(format!("the report could not be saved to {}: {e}", path.display())))?;
        if open {
            open::that_detached(&path).map_err(|e| AppError::Io(format!("the report was saved to {} but could not be opened: {e}", path.display())))?;
        }
        Ok(crate::SlipFile { path: path.display().to_string() })
    }

    /// A copy of the ledger made while the till runs (SQLite's online backup).
    pub fn backup(&self, session: &Session, out: &std::path::Path) -> Result<()> {
        session.require_manager()?;
        if out.exists() {
            return Err(AppError::BadInput(format!("{} exists already. Choose a new file name.", out.display())));
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
    const DAY_MS: i64 = 86_400_000;
    // 20:00 in South Africa (UTC+2), when the shop closes.
    const CLOSE_UTC_MS: i64 = 18 * 3_600_000;
    if dir.join("airtill.db").exists() {
        return Err(AppError::BadInput(format!("{} already holds a ledger", dir.display())));
    }
    let opts = crate::OpenOptions { data_dir: dir.to_path_buf() };
    let app = Airtill::open(opts.clone()).await?;
    let manager = app.login(crate::DEMO_MANAGER.1)?;
    app.add_user(&manager, "Zanele", "cashier", "4321")?;
    app.add_user(&manager, "Sipho", "cashier", "5678")?;
    let users = app.user_ids(&manager)?;
    app.shutdown().await;
    drop(app);
    let g = airtill_store::generate::year_of_sales(&dir.join("airtill.db"), sales, days, time::now_ms(), &users, seed)?;
    let app = Airtill::open(opts).await?;
    let manager = app.login(crate::DEMO_MANAGER.1)?;
    let cutoffs: Vec<i64> = (g.first_ms / DAY_MS..g.last_ms / DAY_MS).map(|d| d * DAY_MS + CLOSE_UTC_MS).collect();
    app.z_reports_for_history(&manager, &cutoffs)?;
    app.shutdown().await;
    Ok(g)
}

/// Now, in epoch ms.
pub fn now_ms() -> i64 {
    time::now_ms()
}

fn last_wallet_before(store: &Store, provider: &str, before_ms: i64) -> Result<Option<Money>> {
    Ok(store.wallet_before(provider, before_ms)?.map(Money::zar))
}

#[cfg(test)]
#[path = "office_tests.rs"]
mod tests;
