//! The sale engine. Host-independent: the desktop shell and the command line use it
//! through the app's use cases, and the crash and fault tests drive it directly.
//!
//! The rules, each enforced here:
//! 1. A sale row with its own client reference is committed (WAL, `synchronous=FULL`)
//!    before any byte goes to a provider; the outcome is committed before anyone is
//!    told. Every move is one transaction with a line of append-only history.
//! 2. The same request id always returns the same sale (a double click, a resent
//!    command).
//! 3. A timeout, a broken connection, a 5xx or a "query me" answer leaves the sale
//!    `in_doubt` or `pending`; the resolver asks the provider by the same reference
//!    until it has a final answer. Never a resend.
//! 4. At start, every sale found `submitting` becomes `in_doubt`.
//! 5. While a sale to a number and amount is unresolved, another needs a manager.
//! 6. Routing fails over to the next provider only after a certain refusal (or the
//!    network down before anything was sent), never from `in_doubt`.

pub mod aat;
mod group;
pub mod mx;
pub mod provider;
pub mod smartcall;

use airtill_domain::clock::Clock;
use airtill_domain::SaleState;
use airtill_store::{Outcome, SaleDetails, SaleRow, Store, StoreError};
pub use provider::{CancelAnswer, Queried, SaleProvider, Submitted};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

pub type SharedStore = Arc<Mutex<Store>>;

/// What a provider's notification did to a sale.
#[derive(Debug, Clone)]
pub enum NoticeEffect {
    /// The sale moved.
    Applied(SaleRow),
    /// The sale already stood there (a repeat, or an earlier step of a final sale).
    Duplicate(SaleRow),
    /// The sale is final and the notification says otherwise: kept for a person.
    Conflict(SaleRow),
    /// The sale is still being sent: apply the notification once it is not.
    StillSubmitting(SaleRow),
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Rule 5: an unresolved sale to the same number and amount exists.
    #[error("A sale of the same amount to this number is not finished yet (receipt {receipt_no}). Selling it again needs a manager.")]
    NeedsOverride { sale_id: i64, receipt_no: i64 },
    #[error("No provider is set up to sell this product.")]
    NoRoute,
    /// The mobile-balance payment is not a confirmed payment free to use.
    #[error("That mobile payment is not a confirmed payment free to use. Nothing was sold; take a new one.")]
    PaymentNotFree(i64),
}

pub type Result<T> = std::result::Result<T, EngineError>;

/// A sale's state changed (for screens that update without polling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleChanged {
    pub sale_id: i64,
    pub state: SaleState,
}

/// A sale to make: what is sold (with the first provider of its route) and the
/// other providers to try, in order, with their own product ids.
#[derive(Debug, Clone)]
pub struct SaleOrder {
    pub details: SaleDetails,
    /// `(provider, product id)` after the first, in route order.
    pub fallbacks: Vec<(String, i64)>,
    /// A manager's id when a manager approved selling past the guard rail.
    pub override_by: Option<i64>,
    /// A confirmed mobile-balance payment that pays for the sale: claimed in the same
    /// transaction as the sale row, and let go in the same one that fails it.
    pub paid_by: Option<i64>,
}

/// How the resolver behaves.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// First wait before asking again; doubles each time up to `max_backoff_ms`.
    pub base_backoff_ms: i64,
    pub max_backoff_ms: i64,
    /// A provider's "no such sale" is believed only this long after the request
    /// could have left (a request still on its way is not "not found").
    pub not_found_grace_ms: i64,
    /// A sale pending longer than this is cancelled where the provider allows it;
    /// `None` never.
    pub cancel_pending_after_ms: Option<i64>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { base_backoff_ms: 2_000, max_backoff_ms: 5 * 60_000, not_found_grace_ms: 2 * 60_000, cancel_pending_after_ms: None }
    }
}

pub struct Engine {
    store: SharedStore,
    providers: HashMap<String, Arc<dyn SaleProvider>>,
    clock: Arc<dyn Clock>,
    config: Mutex<EngineConfig>,
    events: broadcast::Sender<SaleChanged>,
    commits: group::GroupCommit,
    /// The other money movements that can be in doubt (voucher stock orders, mobile
    /// payments): driven by the same resolver, on the same backoff.
    movements: Mutex<Vec<Arc<dyn Movements>>>,
}

/// A kind of money movement besides sales whose answer can be lost (a stock order, a
/// payment from a customer's mobile balance). Its rows are kept before they leave and
/// asked about by their own reference; the engine's one resolver drives them.
#[async_trait::async_trait]
pub trait Movements: Send + Sync {
    /// What the movements are called in the log.
    fn name(&self) -> &str;
    /// The ids of the movements whose answer is not known yet.
    fn open(&self) -> std::result::Result<Vec<i64>, String>;
    /// Asks about one movement now (by its own reference, never anew) and records the
    /// answer; true once it is final.
    async fn drive(&self, id: i64) -> std::result::Result<bool, String>;
}

/// The waits of [`Engine::sell`]'s follow-up of a sale due within seconds.
const FOLLOW_UP_WAITS_MS: [i64; 5] = [1_000, 1_000, 1_500, 2_000, 2_500];

/// When each open movement is next asked about: the engine's one backoff.
#[derive(Default)]
struct MovementSchedule {
    next: HashMap<(String, i64), (i64, i64)>,
}

/// The next wait after `checks` checks.
pub fn backoff_ms(cfg: &EngineConfig, checks: i64) -> i64 {
    let shift = checks.clamp(0, 20) as u32;
    cfg.base_backoff_ms.saturating_mul(1i64 << shift).min(cfg.max_backoff_ms)
}

impl Engine {
    pub fn new(store: SharedStore, providers: Vec<Arc<dyn SaleProvider>>, clock: Arc<dyn Clock>, config: EngineConfig) -> Engine {
        let (events, _) = broadcast::channel(256);
        let providers = providers.into_iter().map(|p| (p.name().to_string(), p)).collect();
        let commits = group::GroupCommit::new(store.clone());
        Engine { store, providers, clock, config: Mutex::new(config), events, commits, movements: Mutex::new(Vec::new()) }
    }

    /// Adds a kind of money movement for the resolver to drive.
    pub fn add_movements(&self, m: Arc<dyn Movements>) {
        self.movements.lock().unwrap_or_else(|p| p.into_inner()).push(m);
    }

    /// Drives every open movement that is due (first asked one backoff step after it is
    /// seen open, then on the same doubling as sales: 2 s to 5 minutes). Movements no
    /// longer open (settled by a cashier's check) leave the schedule.
    async fn drive_movements(&self, schedule: &mut MovementSchedule) {
        let kinds: Vec<Arc<dyn Movements>> = self.movements.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let cfg = self.config();
        for m in kinds {
            let open = match m.open() {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!("{}: {e}", m.name());
                    continue;
                }
            };
            schedule.next.retain(|(kind, id), _| kind != m.name() || open.contains(id));
            for id in open {
                let key = (m.name().to_string(), id);
                // First seen: asked after the first backoff step (its seller may be
                // asking right now), then on the same doubling as sales.
                let now = self.now();
                let (checks, due) = *schedule.next.entry(key.clone()).or_insert((0, now + cfg.base_backoff_ms));
                if due > now {
                    continue;
                }
                match m.drive(id).await {
                    Ok(true) => {
                        schedule.next.remove(&key);
                    }
                    Ok(false) => {
                        schedule.next.insert(key, (checks + 1, self.now() + backoff_ms(&cfg, checks)));
                    }
                    Err(e) => {
                        tracing::warn!("{} {id}: {e}", m.name());
                        schedule.next.insert(key, (checks + 1, self.now() + backoff_ms(&cfg, checks)));
                    }
                }
            }
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // Every write is one SQLite transaction, so a poisoned lock is safe to take over.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn config(&self) -> EngineConfig {
        self.config.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_cancel_pending_after(&self, ms: Option<i64>) {
        self.config.lock().unwrap_or_else(|p| p.into_inner()).cancel_pending_after_ms = ms;
    }

    /// Durable commits the engine has made for sales (each one group of writes).
    pub fn sale_commits(&self) -> u64 {
        self.commits.commits()
    }

    /// Sale state changes, as they are committed.
    pub fn subscribe(&self) -> broadcast::Receiver<SaleChanged> {
        self.events.subscribe()
    }

    fn tell(&self, row: &SaleRow) {
        let _ = self.events.send(SaleChanged { sale_id: row.id, state: row.state });
    }

    fn move_to(&self, id: i64, from: SaleState, to: SaleState, outcome: &Outcome) -> Result<SaleRow> {
        let row = self.store().transition(id, from, to, outcome, self.now())?;
        self.tell(&row);
        Ok(row)
    }

    /// As [`Engine::move_to`] for the resolver: when another check (the resolver task
    /// and a cashier's "check now") moved the sale first, its answer stands.
    fn settle_to(&self, id: i64, from: SaleState, to: SaleState, outcome: &Outcome) -> Result<SaleRow> {
        match self.move_to(id, from, to, outcome) {
            Err(EngineError::Store(StoreError::WrongState { .. })) => Ok(self.store().sale(id)?),
            other => other,
        }
    }

    /// A manager's decision on a sale no provider can settle (MX keeps no look-up: its
    /// answer and its notification both lost; or past every provider's history):
    /// `to` is `Succeeded` or `Failed`. Only an unresolved sale moves; the decision
    /// is the last word unless the provider speaks later, which is then reported as
    /// a contradiction, never applied.
    pub fn decide(&self, sale_id: i64, to: SaleState, why: &str) -> Result<SaleRow> {
        if !matches!(to, SaleState::Succeeded | SaleState::Failed) {
            return Err(EngineError::Store(StoreError::NotSaved("a decision is sold or not sold".into())));
        }
        let sale = self.store().sale(sale_id)?;
        if !matches!(sale.state, SaleState::Pending | SaleState::InDoubt) {
            return Err(EngineError::Store(StoreError::WrongState { id: sale_id, expected: "pending or in doubt", actual: sale.state.as_str().into() }));
        }
        let outcome = match to {
            SaleState::Failed => Outcome { error_class: Some("rejected".into()), error_message: Some(format!("Not sold, as decided by a manager: {why}")), ..Default::default() },
            _ => Outcome::default(),
        };
        self.move_to(sale_id, sale.state, to, &outcome)
    }

    /// Applies a provider's word about a sale that came from outside (a notification,
    /// a call-back): `to` is what the provider reports (`succeeded`, `failed`, or
    /// `pending`). The same word twice changes nothing, and a final sale never moves
    /// (an out-of-order or contradicting word is reported, not applied). A sale still
    /// `submitting` is left to its seller: the word is to be applied later.
    pub fn apply_notice(&self, sale_id: i64, to: SaleState, outcome: &Outcome) -> Result<NoticeEffect> {
        for _ in 0..3 {
            let sale = self.store().sale(sale_id)?;
            let result = match sale.state {
                SaleState::Succeeded | SaleState::Failed | SaleState::Cancelled | SaleState::Reversed => {
                    return Ok(if sale.state == to || to == SaleState::Pending { NoticeEffect::Duplicate(sale) } else { NoticeEffect::Conflict(sale) });
                }
                SaleState::Created | SaleState::Submitting => return Ok(NoticeEffect::StillSubmitting(sale)),
                SaleState::Pending if to == SaleState::Pending => return Ok(NoticeEffect::Duplicate(sale)),
                from @ (SaleState::Pending | SaleState::InDoubt) => self.move_to(sale_id, from, to, outcome),
            };
            match result {
                Ok(row) => return Ok(NoticeEffect::Applied(row)),
                // Someone else moved it first: look again.
                Err(EngineError::Store(StoreError::WrongState { .. })) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(NoticeEffect::Duplicate(self.store().sale(sale_id)?))
    }

    /// Rule 4: every sale found `submitting` whose sending process is gone becomes
    /// `in_doubt` (a sale in flight belongs to the process sending it: its lease, see
    /// [`Store::hold_lease`]). Call at start, before selling; the resolver calls it on
    /// every pass too, so a till that stays up takes over the sales of one that died.
    pub fn recover(&self) -> Result<Vec<i64>> {
        self.recover_gone(true)
    }

    fn recover_gone(&self, unowned: bool) -> Result<Vec<i64>> {
        let ids = self.store().recover_submitting(self.now(), unowned)?;
        if !ids.is_empty() {
            tracing::warn!(count = ids.len(), "sales whose sender is gone are now in doubt");
        }
        for id in &ids {
            let _ = self.events.send(SaleChanged { sale_id: *id, state: SaleState::InDoubt });
        }
        Ok(ids)
    }

    /// Makes a sale (rules 1, 2, 5, 6). Returns it in whatever state the provider left
    /// it; errors only when nothing was written.
    pub async fn sell(&self, order: SaleOrder) -> Result<SaleRow> {
        // Rules 2 and 5 checked and the row created in one write; rule 1: on disk,
        // already `submitting`, before any byte leaves. Sellers arriving together
        // share the commit.
        let has_route = self.providers.contains_key(&order.details.provider);
        let now = self.now();
        let details = order.details.clone();
        let override_by = order.override_by;
        let paid_by = order.paid_by;
        let (sale, created) = self
            .commits
            .write(move |store| {
                let d = &details;
                if let Some(existing) = store.sale_by_request(&d.request_id)? {
                    return Ok((existing, false));
                }
                if !has_route {
                    return Err(EngineError::NoRoute);
                }
                // A voucher sold without a number is no one's repeat: each is its own PIN.
                let open = if d.recipient.is_empty() { None } else { store.unresolved_for(&d.recipient, d.amount_minor)? };
                if let Some(open) = open {
                    if override_by.is_none() {
                        return Err(EngineError::NeedsOverride { sale_id: open.id, receipt_no: open.receipt_no });
                    }
                }
                let (sale, created) = store.create_sale_submitting(d, now)?;
                if created {
                    if let Some(manager) = override_by {
                        store.record_override(Some(sale.id), "repeat_sale", manager, "same number and amount while another is unresolved", now)?;
                    }
                    if let Some(payment) = paid_by {
                        // Refused (spent, or not confirmed): the sale row goes with it.
                        store.pay_sale_with(payment, sale.id).map_err(|_| EngineError::PaymentNotFree(payment))?;
                    }
                }
                Ok((sale, created))
            })
            .await?;
        if !created {
            return Ok(sale);
        }
        let _ = self.events.send(SaleChanged { sale_id: sale.id, state: SaleState::Created });
        self.tell(&sale);
        let mut sale = sale;
        let mut fallbacks = order.fallbacks.iter().filter(|(p, _)| self.providers.contains_key(p));
        loop {
            let provider = self.providers.get(&sale.details.provider).cloned().ok_or(EngineError::NoRoute)?;
            let (next, outcome) = match provider.submit(&sale).await {
                Submitted::Succeeded(o) => (SaleState::Succeeded, o),
                Submitted::Pending(o) => (SaleState::Pending, o),
                Submitted::InDoubt(o) => (SaleState::InDoubt, o),
                Submitted::Refused { outcome, reroutable } => {
                    if reroutable {
                        if let Some((next_provider, product_id)) = fallbacks.next() {
                            let why = outcome.error_message.clone().unwrap_or_default();
                            sale = self.store().reroute(sale.id, next_provider, *product_id, &why, self.now())?;
                            continue;
                        }
                    }
                    (SaleState::Failed, outcome)
                }
            };
            let (id, now) = (sale.id, self.now());
            let answer = outcome.clone();
            let row = match self.commits.write(move |store| Ok(store.transition(id, SaleState::Submitting, next, &answer, now)?)).await {
                Ok(row) => row,
                // Moved meanwhile by someone else (an older till's start-up, a manager's
                // decision): the seller's own answer still lands where it may, and the
                // seller is shown the sale as it stands, never an error.
                Err(EngineError::Store(StoreError::WrongState { .. })) => {
                    let current = self.store().sale(id)?;
                    if current.state.can_move_to(next) && current.state != next {
                        self.settle_to(id, current.state, next, &outcome)?
                    } else {
                        if current.state != next {
                            tracing::warn!(sale = id, ?next, now = ?current.state, "the provider's answer came after the sale was settled otherwise: kept as it stands");
                        }
                        current
                    }
                }
                Err(e) => return Err(e),
            };
            self.tell(&row);
            if row.state == SaleState::Pending {
                if let Some(limit_ms) = provider.follow_up_ms(&row) {
                    return self.follow_up(row, limit_ms).await;
                }
            }
            return Ok(row);
        }
    }

    /// Stays with a sale whose final answer is due within seconds: the resolver asks
    /// after 1, 2, 3.5, 5.5 and 8 s (as far as `limit_ms` allows), and the sale is
    /// answered as it then stands (still pending: the resolver goes on, on its backoff).
    async fn follow_up(&self, mut row: SaleRow, limit_ms: i64) -> Result<SaleRow> {
        let mut waited = 0;
        for wait in FOLLOW_UP_WAITS_MS {
            if !matches!(row.state, SaleState::Pending | SaleState::InDoubt) || waited + wait > limit_ms {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(wait as u64)).await;
            waited += wait;
            row = self.resolve(row.id).await?;
        }
        Ok(row)
    }

    /// Asks the provider about one unresolved sale now and records the answer.
    pub async fn resolve(&self, sale_id: i64) -> Result<SaleRow> {
        let sale = self.store().sale(sale_id)?;
        self.resolve_row(sale).await
    }

    async fn resolve_row(&self, sale: SaleRow) -> Result<SaleRow> {
        if !matches!(sale.state, SaleState::Pending | SaleState::InDoubt) {
            return Ok(sale);
        }
        let Some(provider) = self.providers.get(&sale.details.provider).cloned() else {
            return Ok(sale);
        };
        let cfg = self.config();
        // A store-and-forward cancel goes first.
        if sale.cancel_requested_ms.is_some() && sale.state == SaleState::Pending {
            match provider.cancel(&sale).await {
                CancelAnswer::Cancelled => {
                    let o = Outcome { error_message: Some("Cancelled: it stayed pending too long. Nothing was sold.".into()), ..Default::default() };
                    return self.settle_to(sale.id, SaleState::Pending, SaleState::Cancelled, &o);
                }
                CancelAnswer::Refused(why) => self.store().drop_cancel_request(sale.id, self.now(), &why)?,
                CancelAnswer::TryLater(why) => {
                    let next = self.now() + backoff_ms(&cfg, sale.checks);
                    self.store().schedule_check(sale.id, next, None)?;
                    tracing::info!(sale = sale.id, "cancel to be sent again: {why}");
                    return Ok(self.store().sale(sale.id)?);
                }
            }
        }
        let now = self.now();
        let answer = provider.query(&sale, now).await;
        let now = self.now();
        let again = |store: &mut Store, note: Option<&str>| store.schedule_check(sale.id, now + backoff_ms(&cfg, sale.checks), note);
        match answer {
            Queried::Succeeded(o) => return self.settle_to(sale.id, sale.state, SaleState::Succeeded, &o),
            Queried::Failed(o) => return self.settle_to(sale.id, sale.state, SaleState::Failed, &o),
            Queried::Cancelled(o) => return self.settle_to(sale.id, sale.state, SaleState::Cancelled, &o),
            Queried::Pending(o) => {
                if sale.state == SaleState::InDoubt {
                    let row = self.settle_to(sale.id, SaleState::InDoubt, SaleState::Pending, &o)?;
                    again(&mut self.store(), None)?;
                    return Ok(row);
                }
                let waited = now - sale.submitted_ms.unwrap_or(sale.created_ms);
                if cfg.cancel_pending_after_ms.is_some_and(|limit| waited >= limit) {
                    if self.store().request_cancel(sale.id, now)? {
                        tracing::info!(sale = sale.id, "pending too long: cancel requested");
                    }
                } else {
                    again(&mut self.store(), None)?;
                }
            }
            Queried::NotFound => {
                let since = now - sale.submitted_ms.unwrap_or(sale.created_ms);
                if since >= cfg.not_found_grace_ms {
                    let o = Outcome { error_class: Some("rejected".into()), error_message: Some("The provider never received this sale. Nothing was sold.".into()), ..Default::default() };
                    return self.settle_to(sale.id, sale.state, SaleState::Failed, &o);
                }
                again(&mut self.store(), None)?;
            }
            Queried::TryLater(why) => {
                tracing::info!(sale = sale.id, "cannot ask the provider yet: {why}");
                again(&mut self.store(), None)?;
            }
            Queried::TooOld(why) => {
                // Checked again daily; a manager decides.
                self.store().schedule_check(sale.id, now + 24 * 3600 * 1000, Some(&why))?;
            }
        }
        Ok(self.store().sale(sale.id)?)
    }

    /// One pass of the resolver over every sale that is due. Returns how many it
    /// looked at.
    pub async fn resolve_due(&self) -> Result<usize> {
        // Another till's sales in flight, left when it died.
        self.recover_gone(false)?;
        let due = self.store().resolver_due(self.now(), 200)?;
        let n = due.len();
        for sale in due {
            if let Err(e) = self.resolve_row(sale).await {
                tracing::warn!("resolver: {e}");
            }
        }
        Ok(n)
    }

    /// Unresolved sales left.
    pub fn unresolved(&self) -> Result<Vec<SaleRow>> {
        Ok(self.store().unresolved_sales()?)
    }

    /// The resolver: a task that asks about due sales until `stop` fires, sleeping
    /// until the next sale is due (at most `idle`).
    pub fn spawn_resolver(self: &Arc<Self>, idle: std::time::Duration) -> (tokio::task::JoinHandle<()>, tokio::sync::watch::Sender<bool>) {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let engine = self.clone();
        let handle = tokio::spawn(async move {
            let mut schedule = MovementSchedule::default();
            loop {
                if let Err(e) = engine.resolve_due().await {
                    tracing::warn!("resolver pass failed: {e}");
                }
                engine.drive_movements(&mut schedule).await;
                let wait = match engine.store().next_resolver_time() {
                    Ok(Some(t)) => std::time::Duration::from_millis((t - engine.now()).clamp(50, idle.as_millis() as i64) as u64),
                    _ => idle,
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stopped.changed() => return,
                }
            }
        });
        (handle, stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_ceiling() {
        let cfg = EngineConfig::default();
        assert_eq!(backoff_ms(&cfg, 0), 2_000);
        assert_eq!(backoff_ms(&cfg, 3), 16_000);
        assert_eq!(backoff_ms(&cfg, 40), 300_000);
    }
}
