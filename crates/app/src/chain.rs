//! The chain's books, the till's side: what this till records goes up to the chain's
//! PostgreSQL from its outbox, in order, by a background task that resumes after any
//! outage or restart and never sends a record twice into the books (the database keeps
//! each till's record once, by its number). Selling never waits for it.

use crate::config::{self, CentralFile};
use crate::{Airtill, AppError, Result, Session};
use airtill_central::{CentralError, ErrorClass, Hello, Record, Target, TillLink};
use airtill_store::Store;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ts_rs::TS;

/// The till role's password among the sealed credentials.
pub(crate) const CHAIN_PASSWORD: &str = "chain-password";
/// This installation's own id (random, made once): the chain refuses a second
/// installation sending under the same till id.
const INSTALL_SETTING: &str = "chain_install_id";
/// The chain this till belongs to, once it has reached it.
const CHAIN_ID_SETTING: &str = "chain_id";
const CHAIN_NAME_SETTING: &str = "chain_name";
/// The highest record the chain has confirmed holding (for the status while offline).
const CONFIRMED_SETTING: &str = "chain_confirmed_seq";
/// The last head office decision applied here.
const DECISIONS_SETTING: &str = "chain_decisions_applied";
/// The chain's PIN pepper among the sealed credentials.
const CHAIN_PEPPER: &str = "chain-pepper";
/// Records sent in one statement (a catching-up till sends this many at once).
pub const BATCH: i64 = 4000;
/// How often the outbox is looked at while there is nothing to send.
const IDLE_POLL: Duration = Duration::from_millis(200);
const LONGEST_BACKOFF: Duration = Duration::from_secs(30);
/// How often the head office's decisions are asked for (and the till's sign of life
/// given) while the link is up.
const DECISIONS_EVERY: Duration = Duration::from_secs(5);

/// What a manager types to link the till to the chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ChainLinkInput {
    /// `postgres://ROLE@HOST:PORT/DATABASE`, as the head office gave it.
    pub url: String,
    /// This till's id in the chain (`rosebank-1`).
    pub till: String,
    /// The role's password; empty keeps the one saved.
    #[serde(default)]
    pub password: Option<String>,
    /// A certificate file (PEM) of the chain's database, if not trusted by the system.
    #[serde(default)]
    pub ca_file: Option<String>,
}

/// What *Test connection* found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChainTestView {
    pub chain_name: String,
    pub till: String,
    /// Records of this till the chain holds already.
    pub records_there: i64,
    /// Records this till has written.
    pub records_here: i64,
}

/// The link's state, as the manager sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChainLinkState {
    /// No `[central]` section: the till keeps its books alone.
    NotLinked,
    /// Sending (or about to).
    Sending,
    /// Everything recorded is in the chain's books.
    UpToDate,
    /// The chain cannot be reached: records wait here and go when it can.
    Offline,
    /// The chain refused this till's records: the head office must look.
    Refused,
    /// The settings are wrong (password, certificate, address).
    Settings,
}

/// The link at a glance (manager's Office, `airtill chain status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChainStatusView {
    pub state: ChainLinkState,
    pub url: Option<String>,
    pub till: Option<String>,
    pub chain_name: Option<String>,
    /// Records this till has written.
    pub recorded: i64,
    /// Records the chain has confirmed holding.
    pub confirmed: i64,
    /// Records waiting to go.
    pub waiting: i64,
    /// When the chain last answered (epoch ms), in this process.
    pub last_contact_ms: Option<i64>,
    /// What went wrong last, in plain words.
    pub message: Option<String>,
}

/// What the background task last found (shared with the status).
#[derive(Debug, Clone)]
pub(crate) struct LinkState {
    pub state: ChainLinkState,
    pub last_contact_ms: Option<i64>,
    pub message: Option<String>,
}

/// The running background task.
pub(crate) struct Replicator {
    pub state: Arc<Mutex<LinkState>>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Drop for Replicator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn chain_error(e: CentralError) -> AppError {
    if let CentralError::BadInput(m) = &e {
        return AppError::BadInput(m.clone());
    }
    match e.class() {
        ErrorClass::Settings => AppError::Configuration(e.to_string()),
        _ => AppError::Io(e.to_string()),
    }
}

/// The link's settings, as read from `airtill.toml` and the credentials.
pub(crate) fn target_of(data_dir: &std::path::Path) -> Result<Option<(Target, String)>> {
    let Some(c) = config::read_file(data_dir)?.central else { return Ok(None) };
    let password = match std::env::var("AIRTILL_CHAIN_PASSWORD").ok().filter(|p| !p.is_empty()) {
        Some(p) => p,
        None => crate::credentials::Credentials::new(data_dir)
            .get(CHAIN_PASSWORD)?
            .ok_or_else(|| AppError::Configuration("the chain's password is not saved at this till: link it again (Office → Chain, or `airtill chain link`)".into()))?,
    };
    Ok(Some((Target { url: c.url, password, ca_file: c.ca_file.map(Into::into) }, c.till)))
}

/// The chain's PIN pepper saved at this till, if it has reached its chain.
pub(crate) fn saved_pepper(creds: &crate::credentials::Credentials) -> Option<[u8; 32]> {
    let hex = creds.get(CHAIN_PEPPER).ok()??;
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).filter_map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
    <[u8; 32]>::try_from(bytes.as_slice()).ok()
}

fn save_pepper(data_dir: &std::path::Path, slot: &Mutex<Option<[u8; 32]>>, pepper: [u8; 32]) -> Result<()> {
    if *slot.lock().unwrap_or_else(|p| p.into_inner()) == Some(pepper) {
        return Ok(());
    }
    let hex: String = pepper.iter().map(|b| format!("{b:02x}")).collect();
    crate::credentials::Credentials::new(data_dir).set(CHAIN_PEPPER, &hex)?;
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(pepper);
    Ok(())
}

/// Applies one decision of the head office inside the caller's transaction. What it
/// cannot apply (a kind this version does not know, a person it does not have) is
/// written on the audit trail and passed over: the next decisions still apply.
fn apply_decision(s: &mut Store, version: i64, kind: &str, body: &str, now: i64) -> Result<()> {
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| AppError::Io(format!("decision {version} of the head office cannot be read: {e}")))?;
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let skip = |s: &mut Store, why: &str| s.audit("chain_decision_skipped", None, &format!("decision {version} ({kind}): {why}"), now);
    match kind {
        "person" => {
            let person = v.get("person").and_then(|x| x.as_i64()).unwrap_or(0);
            let op = text("op").unwrap_or_default();
            if op == "add" {
                let (Some(name), Some(role), Some(hash)) = (text("name"), text("role"), text("pin_hash")) else { return Ok(skip(s, "a person without a name, role or PIN")?) };
                let Ok(role) = airtill_store::Role::parse(&role) else { return Ok(skip(s, "a role this till does not know")?) };
                if s.user_of_chain_person(person)?.is_some() {
                    return Ok(());
                }
                let must = v.get("must_change_pin").and_then(|x| x.as_bool()).unwrap_or(true);
                let id = s.add_chain_user(person, &name, role, &hash, must)?;
                s.audit("user_added", None, &format!("{name} as {} (person {id})", role.as_str()), now)?;
                s.audit("chain_decision", None, &format!("decision {version}: {name} added by the head office (chain person {person})"), now)?;
                return Ok(());
            }
            let Some(id) = s.user_of_chain_person(person)? else { return Ok(skip(s, &format!("the chain's person {person} is not at this till"))?) };
            let mut change = airtill_store::UserChange::default();
            match op.as_str() {
                "disable" => change.active = Some(false),
                "enable" => change.active = Some(true),
                "rename" => change.name = text("name"),
                "pin" => {
                    change.pin_hash = text("pin_hash");
                    change.must_change_pin = Some(v.get("must_change_pin").and_then(|x| x.as_bool()).unwrap_or(true));
                }
                _ => return Ok(skip(s, "a change this version does not know")?),
            }
            s.change_user(id, &change)?;
            s.audit("chain_decision", None, &format!("decision {version}: person {id} ({op}) by the head office"), now)?;
        }
        "routes" => {
            let Some(routes) = v.get("routes").and_then(|r| r.as_object()) else { return Ok(skip(s, "no routes")?) };
            for (key, _) in s.routes()? {
                s.set_route(&key, &[])?;
            }
            let mut said = Vec::new();
            for (key, providers) in routes {
                let list: Vec<String> = providers.as_array().map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect()).unwrap_or_default();
                if crate::engine_settings::route_key_ok(key) && !list.is_empty() {
                    s.set_route(key, &list)?;
                    said.push(format!("{key}: {}", list.join(" -> ")));
                }
            }
            s.audit("chain_decision", None, &format!("decision {version}: routes set by the head office ({})", if said.is_empty() { "none".to_string() } else { said.join("; ") }), now)?;
        }
        "wallet_warning" => {
            let minor = v.get("minor").and_then(|m| m.as_i64()).unwrap_or(0);
            s.set_setting(crate::provider::WALLET_WARN_SETTING, &minor.to_string())?;
            s.audit(
                "chain_decision",
                None,
                &format!("decision {version}: wallet warning below {} by the head office", if minor > 0 { airtill_domain::Money::zar(minor).to_string() } else { "never".into() }),
                now,
            )?;
        }
        "pin_keep_days" => {
            let days = v.get("days").and_then(|d| d.as_i64()).filter(|d| (1..=crate::pin_keep::MAX_PIN_KEEP_DAYS).contains(d));
            let Some(days) = days else { return Ok(skip(s, "a reprint window outside 1 to 28 days")?) };
            s.set_setting(crate::pin_keep::PIN_KEEP_SETTING, &days.to_string())?;
            s.audit("chain_decision", None, &format!("decision {version}: voucher PINs kept {} by the head office", crate::words::count(days, "day")), now)?;
        }
        _ => skip(s, "a kind of decision this version does not know")?,
    }
    Ok(())
}

/// Takes the head office's decisions this till has not applied, in order, each batch
/// in one transaction with the number of the last one applied.
async fn take_decisions(store: &Arc<Mutex<Store>>, open: &mut Open, now: &(dyn Fn() -> i64 + Send + Sync)) -> std::result::Result<i64, CentralError> {
    loop {
        let (applied, recorded) = {
            let s = store.lock().unwrap_or_else(|p| p.into_inner());
            (s.setting(DECISIONS_SETTING).ok().flatten().and_then(|v| v.parse::<i64>().ok()).unwrap_or(0), s.outbox_head().unwrap_or(0))
        };
        let decisions = open.link.decisions_after(applied, 100).await?;
        let Some(last) = decisions.last().map(|d| d.0) else {
            // Also the till's sign of life to the chain (its last contact).
            open.link.applied(applied, recorded).await?;
            open.reported = applied;
            return Ok(applied);
        };
        {
            let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
            let at = now();
            s.whole(|s| {
                // Read again inside the transaction: another process of this till may
                // have applied them meanwhile.
                let now_applied = s.setting(DECISIONS_SETTING)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
                for (version, kind, body) in decisions.iter().filter(|d| d.0 > now_applied) {
                    apply_decision(s, *version, kind, body, at)?;
                }
                s.set_setting(DECISIONS_SETTING, &last.max(now_applied).to_string())?;
                Ok::<(), AppError>(())
            })
            .map_err(|e| CentralError::Database(format!("the head office's decisions could not be applied here: {e}")))?;
        }
        open.link.applied(last, recorded).await?;
        open.reported = last;
    }
}

fn install_id(store: &mut Store) -> Result<String> {
    if let Some(id) = store.setting(INSTALL_SETTING)? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    store.set_setting(INSTALL_SETTING, &id)?;
    Ok(id)
}

/// Why the chain's answer to a hello means this till must not send: another chain,
/// another installation, or records under this till id that this ledger does not have.
fn refuse_hello(store: &Store, hello: &Hello, till: &str) -> Result<Option<String>> {
    if let Some(mine) = store.setting(CHAIN_ID_SETTING)? {
        if mine != hello.chain_id {
            let name = store.setting(CHAIN_NAME_SETTING)?.unwrap_or_default();
            return Ok(Some(format!("this database holds the books of the chain \"{}\", not of \"{name}\" that this till belongs to", hello.chain_name)));
        }
    }
    if !hello.install_ok {
        return Ok(Some(format!("the till id {till} is used by another till of the chain: ask the head office for this till's own id")));
    }
    let here = store.outbox_hash_at(hello.head.seq)?;
    if here.as_deref().is_some_and(|h| h != hello.head.hash) || (here.is_none() && hello.head.seq > store.outbox_head()?) {
        return Ok(Some(format!(
            "the chain holds {} records under the till id {till} that are not this till's (another till, or this ledger restored from an older backup): the head office must look before this till sends",
            hello.head.seq
        )));
    }
    // A record the chain holds but this ledger has not hashed yet cannot happen: hashes
    // are made before a record is sent. Its absence here is the case above.
    Ok(None)
}

/// One open link and what the chain holds of this till.
struct Open {
    link: TillLink,
    till: String,
    confirmed: i64,
    /// The last decision this till told the chain it applied.
    reported: i64,
}

/// Sends what is waiting, batch by batch, until the outbox is empty. Answers the
/// records confirmed.
async fn send_waiting(store: &Arc<Mutex<Store>>, open: &mut Open) -> std::result::Result<i64, CentralError> {
    fn read(store: &Arc<Mutex<Store>>, after: i64) -> std::result::Result<Vec<Record>, CentralError> {
        let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
        let batch = s.outbox_batch(after, BATCH).map_err(|e| CentralError::Database(format!("this till's outbox could not be read: {e}")))?;
        Ok(batch.into_iter().map(|r| Record { seq: r.seq, kind: r.kind, key: r.key, at_ms: r.at_ms, body: r.body, hash: r.hash }).collect())
    }
    let started = open.confirmed;
    let mut records = read(store, open.confirmed)?;
    while let Some(last) = records.last().map(|r| r.seq) {
        // The next batch is read while this one is on its way (it is the next one
        // whenever the chain takes this one whole).
        let next_store = store.clone();
        let (head, next) = tokio::join!(open.link.push(&open.till, &records), tokio::task::spawn_blocking(move || read(&next_store, last)));
        let head = head?;
        let here = store.lock().unwrap_or_else(|p| p.into_inner()).outbox_hash_at(head.seq).map_err(|e| CentralError::Database(e.to_string()))?;
        if here.as_deref() != Some(head.hash.as_str()) {
            return Err(CentralError::Refused(format!("the chain's record {} of this till is not this till's: the head office must look", head.seq)));
        }
        open.confirmed = head.seq;
        records = match next {
            Ok(Ok(n)) if head.seq == last => n,
            _ => read(store, head.seq)?,
        };
    }
    if open.confirmed != started {
        // For the status while offline; the chain's own head is the truth on reconnect.
        let _ = store.lock().unwrap_or_else(|p| p.into_inner()).set_setting(CONFIRMED_SETTING, &open.confirmed.to_string());
    }
    Ok(open.confirmed)
}

async fn open_link(store: &Arc<Mutex<Store>>, target: &Target, till: &str, data_dir: &std::path::Path, pepper: &Mutex<Option<[u8; 32]>>) -> std::result::Result<Open, CentralError> {
    let link = TillLink::open(target).await?;
    let install = {
        let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
        install_id(&mut s).map_err(|e| CentralError::Database(e.to_string()))?
    };
    let hello = link.hello(&install, env!("CARGO_PKG_VERSION"), true).await?;
    if hello.till_id != till {
        return Err(CentralError::NotTheChain(format!("the database role of this till's address belongs to till {}, not {till}", hello.till_id)));
    }
    let refused = {
        let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
        let why = refuse_hello(&s, &hello, till).map_err(|e| CentralError::Database(e.to_string()))?;
        if why.is_none() && s.setting(CHAIN_ID_SETTING).ok().flatten().is_none() {
            let _ = s.set_setting(CHAIN_ID_SETTING, &hello.chain_id);
            let _ = s.set_setting(CHAIN_NAME_SETTING, &hello.chain_name);
        }
        why
    };
    if let Some(why) = refused {
        let _ = link.report_problem("conflict", Some(hello.head.seq), &why).await;
        return Err(CentralError::Refused(why));
    }
    if let Some(p) = link.pepper().await? {
        save_pepper(data_dir, pepper, p).map_err(|e| CentralError::Database(e.to_string()))?;
    }
    Ok(Open { link, till: till.to_string(), confirmed: hello.head.seq, reported: -1 })
}

/// What the background task works with.
struct Task {
    store: Arc<Mutex<Store>>,
    target: Target,
    till: String,
    data_dir: std::path::PathBuf,
    pepper: Arc<Mutex<Option<[u8; 32]>>>,
    state: Arc<Mutex<LinkState>>,
    now: Arc<dyn Fn() -> i64 + Send + Sync>,
}

async fn run(task: Task, mut stop: tokio::sync::watch::Receiver<bool>) {
    let Task { store, target, till, data_dir, pepper, state, now } = task;
    let mut open: Option<Open> = None;
    let mut backoff = Duration::from_secs(1);
    let mut decisions_asked: Option<tokio::time::Instant> = None;
    let set = |st: ChainLinkState, msg: Option<String>, contact: bool| {
        let mut g = state.lock().unwrap_or_else(|p| p.into_inner());
        g.state = st;
        g.message = msg;
        if contact {
            g.last_contact_ms = Some(now());
        }
    };
    loop {
        if *stop.borrow() {
            return;
        }
        let step = async {
            if open.is_none() {
                open = Some(open_link(&store, &target, &till, &data_dir, &pepper).await?);
            }
            let o = open.as_mut().expect("opened above");
            let sent = send_waiting(&store, o).await?;
            if decisions_asked.is_none_or(|t| t.elapsed() >= DECISIONS_EVERY) {
                take_decisions(&store, o, now.as_ref()).await?;
                decisions_asked = Some(tokio::time::Instant::now());
            }
            Ok::<i64, CentralError>(sent)
        }
        .await;
        let wait = match step {
            Ok(_) => {
                backoff = Duration::from_secs(1);
                set(ChainLinkState::UpToDate, None, true);
                IDLE_POLL
            }
            Err(e) => {
                let class = e.class();
                tracing::warn!("the chain's books: {e}");
                if class == ErrorClass::Refused {
                    if let Some(o) = &open {
                        let _ = o.link.report_problem(if e.to_string().contains("gap") { "gap" } else { "broken" }, Some(o.confirmed + 1), &e.to_string()).await;
                    }
                }
                open = None;
                decisions_asked = None;
                let st = match class {
                    ErrorClass::Transient => ChainLinkState::Offline,
                    ErrorClass::Refused => ChainLinkState::Refused,
                    ErrorClass::Settings => ChainLinkState::Settings,
                };
                set(st, Some(e.to_string()), false);
                let w = if class == ErrorClass::Transient { backoff } else { Duration::from_secs(60) };
                backoff = (backoff * 2).min(LONGEST_BACKOFF);
                w
            }
        };
        // Wait, but look at the outbox while waiting: a new record is sent at once.
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                break;
            }
            tokio::select! {
                _ = stop.changed() => return,
                _ = tokio::time::sleep(left.min(IDLE_POLL)) => {}
            }
            if open.is_some() {
                let waiting = {
                    let s = store.lock().unwrap_or_else(|p| p.into_inner());
                    s.outbox_head().unwrap_or(0) > open.as_ref().map(|o| o.confirmed).unwrap_or(0)
                };
                if waiting {
                    set(ChainLinkState::Sending, None, false);
                    break;
                }
            }
        }
    }
}

impl Airtill {
    /// Starts sending to the chain if this till is linked to one (at open, and after a
    /// link is saved). A link that cannot be read is said in the status, never stops the
    /// till.
    pub(crate) fn start_chain(&self) -> Result<()> {
        let mut slot = self.chain.lock().unwrap_or_else(|p| p.into_inner());
        *slot = None;
        let (target, till) = match target_of(&self.data_dir) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(()),
            Err(e) => {
                let state = Arc::new(Mutex::new(LinkState { state: ChainLinkState::Settings, last_contact_ms: None, message: Some(e.to_string()) }));
                let (stop, _) = tokio::sync::watch::channel(false);
                *slot = Some(Replicator { state, stop });
                return Ok(());
            }
        };
        let state = Arc::new(Mutex::new(LinkState { state: ChainLinkState::Sending, last_contact_ms: None, message: None }));
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let clock = self.clock.clone();
        let task = Task { store: self.store.clone(), target, till, data_dir: self.data_dir.clone(), pepper: self.chain_pepper.clone(), state: state.clone(), now: Arc::new(move || clock.now_ms()) };
        tokio::spawn(run(task, stop_rx));
        *slot = Some(Replicator { state, stop });
        Ok(())
    }

    pub(crate) fn stop_chain(&self) {
        *self.chain.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Tests the link to the chain (manager): the address, the certificate, the role and
    /// its password, that the database is a chain's, this till's chain, and that the
    /// till id is not another till's. Nothing is sent, nothing saved.
    pub async fn test_chain_link(&self, session: &Session, input: &ChainLinkInput) -> Result<ChainTestView> {
        session.require_manager()?;
        let (target, till) = self.chain_target_from(input)?;
        let link = TillLink::open(&target).await.map_err(chain_error)?;
        let install = install_id(&mut self.store())?;
        let hello = link.hello(&install, env!("CARGO_PKG_VERSION"), false).await.map_err(chain_error)?;
        if hello.till_id != till {
            return Err(AppError::Configuration(format!("the database role in the address belongs to till {}, not {till}: use the address the head office gave for this till", hello.till_id)));
        }
        let store = self.store();
        if let Some(why) = refuse_hello(&store, &hello, &till)? {
            return Err(AppError::Configuration(why));
        }
        Ok(ChainTestView { chain_name: hello.chain_name, till, records_there: hello.head.seq, records_here: store.outbox_head()? })
    }

    /// Tests the link, then saves it (the password sealed with the credentials) and
    /// starts sending (manager).
    pub async fn save_chain_link(&self, session: &Session, input: &ChainLinkInput) -> Result<ChainTestView> {
        let tested = self.test_chain_link(session, input).await?;
        let (target, till) = self.chain_target_from(input)?;
        let creds = crate::credentials::Credentials::new(&self.data_dir);
        creds.set(CHAIN_PASSWORD, &target.password)?;
        let mut file = config::read_file(&self.data_dir)?;
        file.central = Some(CentralFile { url: target.url.clone(), till: till.clone(), ca_file: target.ca_file.as_ref().map(|p| p.display().to_string()) });
        config::write_file(&self.data_dir, &file)?;
        self.audit("chain_linked", Some(session.user_id), &format!("till {till} of the chain \"{}\" at {}", tested.chain_name, target.url))?;
        self.start_chain()?;
        Ok(tested)
    }

    /// Unlinks the till (manager): it stops sending; what it recorded stays here (and
    /// what it sent stays in the chain's books).
    pub fn unlink_chain(&self, session: &Session) -> Result<()> {
        session.require_manager()?;
        let mut file = config::read_file(&self.data_dir)?;
        if file.central.take().is_none() {
            return Err(AppError::BadInput("This till is not linked to a chain.".into()));
        }
        config::write_file(&self.data_dir, &file)?;
        crate::credentials::Credentials::new(&self.data_dir).remove(CHAIN_PASSWORD)?;
        self.audit("chain_unlinked", Some(session.user_id), "")?;
        self.stop_chain();
        Ok(())
    }

    fn chain_target_from(&self, input: &ChainLinkInput) -> Result<(Target, String)> {
        let url = input.url.trim();
        if url.is_empty() || url.len() > 500 {
            return Err(AppError::BadInput("Type the chain's address, as the head office gave it (postgres://…).".into()));
        }
        airtill_central::parse_url(url).map_err(|e| AppError::BadInput(e.to_string()))?;
        let till = input.till.trim().to_string();
        airtill_central::admin::check_till_id(&till).map_err(|e| AppError::BadInput(e.to_string()))?;
        let password = match input.password.as_deref().filter(|p| !p.is_empty()) {
            Some(p) if p.len() > 200 => return Err(AppError::BadInput("That password is too long.".into())),
            Some(p) => p.to_string(),
            None => crate::credentials::Credentials::new(&self.data_dir).get(CHAIN_PASSWORD)?.ok_or_else(|| AppError::BadInput("Type the till's password for the chain.".into()))?,
        };
        let ca_file = match input.ca_file.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => {
                let path = std::path::PathBuf::from(p);
                if !path.is_file() {
                    return Err(AppError::BadInput(format!("There is no certificate file {p}.")));
                }
                Some(path)
            }
            None => None,
        };
        Ok((Target { url: url.to_string(), password, ca_file }, till))
    }

    /// The link at a glance (manager).
    pub fn chain_status(&self, session: &Session) -> Result<ChainStatusView> {
        session.require_manager()?;
        self.chain_status_now()
    }

    pub(crate) fn chain_status_now(&self) -> Result<ChainStatusView> {
        let file = config::read_file(&self.data_dir)?.central;
        let (recorded, confirmed_saved, chain_name) = {
            let s = self.store();
            (s.outbox_head()?, s.setting(CONFIRMED_SETTING)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0), s.setting(CHAIN_NAME_SETTING)?)
        };
        let state = self.chain.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|r| r.state.lock().unwrap_or_else(|p| p.into_inner()).clone());
        let (st, last_contact_ms, message) = match (&file, state) {
            (None, _) => (ChainLinkState::NotLinked, None, None),
            (Some(_), Some(s)) => (s.state, s.last_contact_ms, s.message),
            (Some(_), None) => (ChainLinkState::Offline, None, Some("this process does not send (the window or the next command does)".into())),
        };
        let confirmed = confirmed_saved.min(recorded);
        let st = match st {
            ChainLinkState::UpToDate if confirmed < recorded => ChainLinkState::Sending,
            ChainLinkState::Sending if confirmed >= recorded => ChainLinkState::UpToDate,
            other => other,
        };
        Ok(ChainStatusView {
            state: st,
            url: file.as_ref().map(|f| f.url.clone()),
            till: file.as_ref().map(|f| f.till.clone()),
            chain_name,
            recorded,
            confirmed,
            waiting: recorded - confirmed,
            last_contact_ms,
            message,
        })
    }

    /// Sends everything waiting now and waits until the chain confirms it or says why
    /// not (manager; the command line's `airtill chain push`). The background task, if
    /// any, goes on beside it: the chain keeps each record once.
    pub async fn push_to_chain(&self, session: &Session) -> Result<ChainStatusView> {
        session.require_manager()?;
        let (target, till) = target_of(&self.data_dir)?.ok_or_else(|| AppError::BadInput("This till is not linked to a chain.".into()))?;
        let mut open = open_link(&self.store, &target, &till, &self.data_dir, &self.chain_pepper).await.map_err(chain_error)?;
        send_waiting(&self.store, &mut open).await.map_err(chain_error)?;
        let clock = self.clock.clone();
        take_decisions(&self.store, &mut open, &move || clock.now_ms()).await.map_err(chain_error)?;
        let mut status = self.chain_status_now()?;
        status.confirmed = open.confirmed;
        status.waiting = status.recorded - open.confirmed;
        status.last_contact_ms = Some(self.now_ms());
        if status.waiting == 0 {
            status.state = ChainLinkState::UpToDate;
            status.message = None;
        }
        Ok(status)
    }
}

/// Sends the outbox of the ledger at `ledger` to the chain, as the background task
/// does, until the chain holds all of it (the benchmark's till; no app around it).
/// Answers the records confirmed.
pub async fn push_ledger(ledger: &std::path::Path, target: &Target, till: &str) -> Result<i64> {
    let store = Arc::new(Mutex::new(Store::open(ledger)?));
    let dir = ledger.parent().unwrap_or(std::path::Path::new("."));
    let pepper = Mutex::new(None);
    let mut open = open_link(&store, target, till, dir, &pepper).await.map_err(chain_error)?;
    send_waiting(&store, &mut open).await.map_err(chain_error)
}
