//! The manager's view of the whole chain (Office → Chain, `airtill chain report`):
//! reports across tills and shops and each till's link, read from the chain's
//! PostgreSQL through its report functions.

use crate::chain::target_of;
use crate::office::ReportLine;
use crate::{time, AppError, Airtill, Result, Session};
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
        let lines = reports::report(link.client(), window, self.training, time::zone().name()).await.map_err(|e| AppError::Io(e.to_string()))?;
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
