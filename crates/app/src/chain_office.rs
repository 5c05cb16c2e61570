//! The manager's view of the whole chain (Office → Chain, `airtill chain report`):
//! reports across tills and shops and each till's link, read from the chain's
//! PostgreSQL through its report functions.

use crate::chain::target_of;
use crate::office::ReportLine;
use crate::{time, Airtill, AppError, Result, Session};
use airtill_central::reports::{self, Window};
use airtill_central::TillLink;
use airtill_domain::{Currency, Money, Money4};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which chain report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChainReportQuery {
    /// Since each till's last Z (true), or the days `from`..`to` (`YYYY-MM-DD`).
    pub x: bool,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// A till of the chain, as every manager sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChainTillView {
    pub till: String,
    pub shop: String,
    /// Records the chain holds of it.
    pub records: i64,
    /// Records it had written, at its last contact, that the chain does not hold yet.
    pub waiting: i64,
    /// When it last reached the chain (the shop's time), if ever.
    pub last_contact: Option<String>,
    /// Seconds since then.
    pub silent_seconds: Option<i64>,
    pub version: Option<String>,
    /// The last head office decision it applied.
    pub decisions_applied: i64,
    /// What the chain found wrong with its records and has not cleared.
    pub problems: i64,
    /// This very till.
    pub this_till: bool,
}

/// A report across every till of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChainReport {
    pub chain_name: String,
    /// `X (since each till's last Z)` or the days covered.
    pub covers: String,
    pub produced_at: String,
    pub training: bool,
    /// Sold sales (succeeded), one line per currency.
    pub sold: Vec<ReportLine>,
    pub by_shop: Vec<ReportLine>,
    pub by_till: Vec<ReportLine>,
    pub by_cashier: Vec<ReportLine>,
    pub by_network: Vec<ReportLine>,
    pub by_provider: Vec<ReportLine>,
    pub by_kind: Vec<ReportLine>,
    pub by_hour: Vec<ReportLine>,
    /// Refused sales per till (nothing sold).
    pub failed: Vec<ReportLine>,
    /// Sales still waiting for their result, per till.
    pub unresolved: Vec<ReportLine>,
    pub tills: Vec<ChainTillView>,
}

fn line(l: &reports::Line) -> Result<ReportLine> {
    let currency = Currency::from_code(&l.currency).ok_or_else(|| AppError::Io(format!("the chain's books hold an amount in {}, which this till does not know", l.currency)))?;
    Ok(ReportLine {
        key: l.key.clone(),
        count: l.sales,
        value: Money::new(l.value_minor, currency),
        cost: Money4::new(l.cost_e4, currency),
        profit: Money4::new(l.value_minor * 100 - l.cost_e4, currency),
    })
}

impl Airtill {
    async fn chain_link(&self) -> Result<(TillLink, String)> {
        let (target, till) = target_of(&self.data_dir)?.ok_or_else(|| AppError::BadInput("This till is not linked to a chain: link it first (Office → Chain).".into()))?;
        let link = TillLink::open(&target).await.map_err(|e| AppError::Io(format!("The chain's books cannot be read now: {e}. This till's own reports are in the Office as always.")))?;
        Ok((link, till))
    }

    /// The tills of the chain and their links (manager).
    pub async fn chain_tills(&self, session: &Session) -> Result<Vec<ChainTillView>> {
        session.require_manager()?;
        let (link, me) = self.chain_link().await?;
        self.tills_of(&link, &me).await
    }

    async fn tills_of(&self, link: &TillLink, me: &str) -> Result<Vec<ChainTillView>> {
        let now = self.now_ms();
        let tills = reports::tills(link.client()).await.map_err(|e| AppError::Io(e.to_string()))?;
        Ok(tills
            .into_iter()
            .map(|t| ChainTillView {
                this_till: t.till_id == me,
                last_contact: t.last_contact_s.map(|s| time::local_minutes(now - s * 1000)),
                silent_seconds: t.last_contact_s,
                till: t.till_id,
                shop: t.shop,
                records: t.records,
                waiting: t.waiting,
                version: t.app_version,
                decisions_applied: t.decisions_applied,
                problems: t.problems,
            })
            .collect())
    }

    /// A report across every till of the chain (manager): X since each till's last Z,
    /// or the shop's days `from`..`to`.
    pub async fn chain_report(&self, session: &Session, q: &ChainReportQuery) -> Result<ChainReport> {
        session.require_manager()?;
        let (window, covers) = if q.x {
            (Window::X, "X: since each till's last Z".to_string())
        } else {
            let from = q.from.as_deref().map(str::trim).filter(|d| !d.is_empty()).ok_or_else(|| AppError::BadInput("Choose the first day of the period.".into()))?;
            let to = q.to.as_deref().map(str::trim).filter(|d| !d.is_empty()).unwrap_or(from);
            let from_ms = crate::office::parse_local_date(from)?;
            let to_start = crate::office::parse_local_date(to)?;
            if to_start < from_ms {
                return Err(AppError::BadInput("The period ends before it starts. Swap the dates.".into()));
            }
            let to_ms = time::local_day_bounds(to_start).1;
            (Window::Period { from_ms, to_ms }, if from == to { format!("the day {from}") } else { format!("the days {from} to {to}") })
        };
        let (link, me) = self.chain_link().await?;
        let lines = reports::report(link.client(), window, self.training, time::offset_ms_at(self.now_ms())).await.map_err(|e| AppError::Io(e.to_string()))?;
        let pick = |dim: &str| -> Result<Vec<ReportLine>> { lines.iter().filter(|l| l.dimension == dim).map(line).collect() };
        let chain_name = self.store().setting("chain_name")?.unwrap_or_default();
        Ok(ChainReport {
            chain_name,
            covers,
            produced_at: time::local_minutes(self.now_ms()),
            training: self.training,
            sold: pick("total")?,
            by_shop: pick("shop")?,
            by_till: pick("till")?,
            by_cashier: pick("cashier")?,
            by_network: pick("network")?,
            by_provider: pick("provider")?,
            by_kind: pick("kind")?,
            by_hour: pick("hour")?,
            failed: pick("failed")?,
            unresolved: pick("unresolved")?,
            tills: self.tills_of(&link, &me).await?,
        })
    }
}

/// A sale of the chain as the reconciliation reads sales (what the chain does not
/// keep, a till's own detail, is left empty).
fn as_sale_row(s: &reports::ProviderSale) -> Option<airtill_store::SaleRow> {
    let currency = Currency::from_code(&s.currency)?;
    let state = airtill_domain::SaleState::parse(&s.state)?;
    Some(airtill_store::SaleRow {
        id: s.sale_id,
        receipt_no: s.receipt_no,
        till_id: s.till_id.clone(),
        user_name: String::new(),
        state,
        training: false,
        created_ms: s.created_ms,
        updated_ms: s.updated_ms,
        details: airtill_store::SaleDetails {
            request_id: String::new(),
            client_ref: s.client_ref.clone(),
            user_id: 0,
            provider: "smartcall".into(),
            network_name: s.network.clone(),
            product_id: 0,
            product_name: String::new(),
            product_kind: s.product_kind.clone(),
            pinned: s.pinned,
            recipient: String::new(),
            amount_minor: s.amount_minor,
            currency,
            discount_e4: None,
        },
        outcome: airtill_store::Outcome { provider_ref: s.provider_ref.clone(), cost_e4: s.cost_e4, ..Default::default() },
        submitted_ms: None,
        checks: 0,
        next_check_ms: None,
        cancel_requested_ms: None,
    })
}

impl Airtill {
    /// Reconciles the shop's days `from..=to` of the Smartcall account with the sales
    /// of every till of the chain (manager): each difference names the till and its
    /// receipt, or is one no till of the chain explains.
    pub async fn chain_reconcile(&self, session: &Session, from: &str, to: &str) -> Result<crate::Reconciliation> {
        session.require_manager()?;
        let (start, end, from_ms, to_ms) = crate::reconcile::days(from, to)?;
        let (link, _) = self.chain_link().await?;
        let read = |e: airtill_central::CentralError| AppError::Io(format!("The chain's books cannot be read now: {e}"));
        let sales = reports::provider_sales(link.client(), "smartcall", from_ms, to_ms, self.training).await.map_err(read)?;
        let before = reports::provider_sales(link.client(), "smartcall", from_ms - crate::reconcile::REFUND_LOOKBACK, from_ms, self.training).await.map_err(read)?;
        let stock = reports::provider_stock(link.client(), "smartcall", from_ms, to_ms).await.map_err(read)?;
        let till_of: std::collections::HashMap<String, (String, String)> = sales.iter().chain(&before).map(|s| (s.client_ref.clone(), (s.till_id.clone(), s.shop.clone()))).collect();
        let rows: Vec<airtill_store::SaleRow> = sales.iter().filter_map(as_sale_row).collect();
        let earlier: Vec<airtill_store::SaleRow> = before.iter().filter_map(as_sale_row).filter(|s| crate::office::refund_due_ms(s).is_some()).collect();
        let mut by_key: std::collections::BTreeMap<String, (String, i64, i64)> = Default::default();
        for (_, key, name, n, v) in stock {
            let e = by_key.entry(key).or_insert((name, 0, 0));
            e.1 += n;
            e.2 += v;
        }
        let stock = by_key.into_iter().map(|(k, (name, n, v))| (k, name, n, v)).collect();
        let mut r = self.reconcile_smartcall_sales(crate::reconcile::SmartcallBooks { start, end, from_ms, to_ms, sales: rows, earlier, stock }).await?;
        for m in &mut r.mismatches {
            match m.client_ref.as_ref().and_then(|c| till_of.get(c)) {
                Some((till, shop)) => {
                    m.explanation = format!("Till {till} ({shop}), receipt {:06}: {}", m.receipt_no.unwrap_or(0), m.explanation);
                    m.till = Some(till.clone());
                }
                None if m.kind == crate::MismatchKind::MissingAtTill => {
                    m.explanation = m.explanation.replace(
                        "than this till has. They were sold from another till or app on the same Smartload account, or lost here",
                        "than every till of the chain has. No till of the chain made them: another app on the same Smartload account, or sales lost at a till",
                    );
                }
                None => {}
            }
        }
        r.provider = crate::ProviderId::Smartcall;
        Ok(r)
    }
}
