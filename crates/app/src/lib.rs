//! Airtill's use cases. The desktop shell's commands and the `airtill` command line
//! both call these functions, so both behave the same; role checks happen here.

pub mod accounts;
mod auth;
mod bills;
mod catalog;
pub mod chain;
pub mod chain_office;
pub mod config;
pub mod counter;
mod credentials;
mod day_key;
pub mod doctor;
mod engine_settings;
mod error;
pub mod listener;
pub mod logging;
pub mod office;
pub mod people;
mod pin_keep;
pub mod provider;
pub mod reconcile;
pub mod report_export;
mod sell;
pub mod settings;
pub mod setup;
mod slip;
mod stock;
mod tender;
mod till;
pub mod time;
pub mod views;
pub mod words;

pub use airtill_domain as domain;
pub use airtill_engine::SaleChanged;
pub use auth::{chain_pin_hash, lock_for, pin_params, LoginPerson, PinCost, Session, FREE_ATTEMPTS, LONGEST_LOCK_MS};
pub use chain::{ChainLinkInput, ChainLinkState, ChainStatusView, ChainTestView};
pub use chain_office::{ChainReport, ChainReportQuery, ChainTillView};
pub use config::{Mode, OpenOptions};
pub use counter::{CounterSettingsView, CounterTotals, QuickKeyView, Reprint};
pub use doctor::{Check, CheckStatus};
pub use engine_settings::{check_route_key, route_key};
pub use error::{AppError, ErrorCode, ErrorPayload};
pub use office::{DenominationCount, OverrideLine, RefundLine, Report, ReportKind, ReportLine, ReportQuery, ReportSale, ReprintLine, ShiftStatus, ShiftView, WalletLine};
pub use people::parse_role;
pub use reconcile::{Mismatch, MismatchKind, NetworkMatch, Reconciliation};
pub use sell::provider_ref_title;
pub use setup::{SetupDone, SetupKind, SetupRequest};
pub use till::{Till, DEFAULT_IDLE_LOCK_MINUTES};
pub use views::*;

use airtill_domain::clock::{Clock, SystemClock};
use airtill_domain::network::PrefixTable;
use airtill_engine::aat::AatProvider;
use airtill_engine::mx::MxProvider;
use airtill_engine::smartcall::SmartcallProvider;
use airtill_engine::{Engine, EngineConfig, SaleProvider};
use airtill_providers::{aat, ideamart, mx, smartcall};
use airtill_sandbox::{AatSandbox, IdeamartSandbox, MxSandbox, SmartcallSandbox};
use airtill_store::{Role, Shop, Store};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

pub type Result<T> = std::result::Result<T, AppError>;

/// The running application: the ledger, the provider clients and, in training mode,
/// the embedded provider sandbox.
pub struct Airtill {
    store: Arc<Mutex<Store>>,
    smartcall: Arc<smartcall::Client>,
    /// The second provider, when the shop has an AAT account (always in training).
    aat: Option<Arc<AatProvider>>,
    /// AAT's catalog (network → voucher type → vouchers), fetched when first needed.
    aat_catalog: tokio::sync::RwLock<Option<Vec<aat::CatalogNetwork>>>,
    /// UK mobile credits, when the shop has an MX Telecom account (always in training).
    mx: Option<Arc<MxProvider>>,
    /// The mobile-balance tender, when the shop has an Ideamart application.
    ideamart: Option<Arc<ideamart::Client>>,
    /// The notification listener, when the manager has turned it on.
    listener: Mutex<Option<listener::Running>>,
    /// Voucher stock orders are driven one at a time.
    stock_driving: Arc<tokio::sync::Mutex<()>>,
    engine: Arc<Engine>,
    resolver: Mutex<Option<tokio::sync::watch::Sender<bool>>>,
    /// Kept alive for as long as the app runs in training mode.
    _sandbox: Option<SmartcallSandbox>,
    _aat_sandbox: Option<AatSandbox>,
    _mx_sandbox: Option<MxSandbox>,
    _ideamart_sandbox: Option<IdeamartSandbox>,
    prefixes: PrefixTable,
    catalog: RwLock<Option<catalog::Catalog>>,
    data_dir: PathBuf,
    training: bool,
    /// The one clock of this till: sales, reports, reconciliation, the engine and (in
    /// training) the practice providers all read it. The system's, but for tests
    /// that live through days in seconds.
    clock: Arc<dyn Clock>,
    /// The last reading of each provider's wallet and when it was read (for reports
    /// that never wait for a provider).
    wallet_readings: Mutex<std::collections::HashMap<String, (airtill_domain::Money4, i64)>>,
    /// Peppers every PIN hash: derived from the till's key (kept with the credentials,
    /// never in the ledger), so a copied ledger alone cannot check a single guess.
    pepper: [u8; 32],
    /// The day's stock key, while a manager has the day open (memory only).
    day_key: Mutex<Option<[u8; 32]>>,
    /// Sends what the till records to the chain's books, when it is linked to a chain.
    chain: Mutex<Option<chain::Replicator>>,
    /// The chain's PIN pepper, once the till has reached its chain: PIN hashes made at
    /// the head office verify with it.
    chain_pepper: Arc<Mutex<Option<[u8; 32]>>>,
}

/// A key for one purpose, derived from the till's key (HMAC-SHA-256 of the label).
pub(crate) fn derive_key(till_key: &[u8; 32], label: &str) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(till_key).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The till's key (it seals voucher PINs, peppers people's PINs and keys the audit
/// chain), kept with the credentials. One key for the life of the ledger: when the
/// ledger holds anything made with a key (sealed PINs, peppered PIN hashes, a keyed
/// audit trail) and none is found, no new key is made; the till says where it was.
pub(crate) fn till_key(creds: &credentials::Credentials, store: &Store) -> Result<[u8; 32]> {
    match creds.existing_data_key(PIN_KEY_NAME)? {
        Some(k) => Ok(k),
        None if store.sealed_pin_count()? > 0 || store.users()?.iter().any(|u| auth::is_peppered(&u.pin_hash)) || store.audit_keyed_rows()? > 0 => Err(AppError::Configuration(format!(
            "the key of this till (it seals voucher PINs and checks people's PINs) is not {} and the ledger was made with it: Airtill makes no second key. Restore the key (the keyring, or credentials.key and credentials.enc from a backup of this folder)",
            creds.where_kept()
        ))),
        None => creds.new_data_key(PIN_KEY_NAME),
    }
}

/// Writes one audit line into the ledger at `ledger` of the till in `data_dir` without
/// opening the app (the restore's own line), keyed like every other.
pub fn audit_ledger(data_dir: &std::path::Path, ledger: &std::path::Path, action: &str, detail: &str) -> Result<()> {
    let mut store = Store::open(ledger)?;
    let key = till_key(&credentials::Credentials::new(data_dir), &store)?;
    store.set_audit_key(&derive_key(&key, "airtill audit chain v1"), false)?;
    store.audit(action, None, detail, time::now_ms())?;
    Ok(())
}

/// Noted with the credentials once the audit trail is keyed: after that a trail in
/// plain hashes is a rewrite, never keyed again.
const AUDIT_KEYED_NOTE: &str = "audit-chain-keyed";

/// Creates the data folder if needed; on Unix it is the till's user's alone (0700):
/// other local users cannot list or read the ledger, slips or sealed credentials.
pub(crate) fn make_private_dir(dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::Io(format!("cannot create {}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir).map(|m| m.permissions().mode()).unwrap_or(0);
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| AppError::Io(format!("cannot make {} private (mode 0700): {e}", dir.display())))?;
        }
    }
    Ok(())
}

/// The demo shop's people, created on the first start in training mode only: their
/// PINs are printed in the guide, so a live shop never has them.
pub const DEMO_MANAGER: (&str, &str) = ("Lindiwe", "2580");
pub const DEMO_CASHIER: (&str, &str) = ("Thabo", "1234");

/// The name of the voucher-PIN key among the sealed credentials.
pub(crate) const PIN_KEY_NAME: &str = "voucher_pin_key";

/// The shop's time zone (an IANA name); Africa/Johannesburg unless set.
pub(crate) const TIME_ZONE_SETTING: &str = "time_zone";

/// Minutes after which a pending sale is cancelled where the provider allows it.
pub(crate) const PENDING_CANCEL_SETTING: &str = "pending_cancel_minutes";

impl Airtill {
    /// Opens the ledger (creating it on first start), and in training mode starts the
    /// provider sandbox on a free loopback port and points the Smartcall client at it.
    /// Must run inside a tokio runtime.
    pub async fn open(opts: OpenOptions) -> Result<Airtill> {
        Self::open_with_clock(opts, Arc::new(SystemClock)).await
    }

    /// As [`Airtill::open`], with the clock every part of the till reads (a test's
    /// [`airtill_domain::ManualClock`] runs a month of shop days in seconds).
    pub async fn open_with_clock(opts: OpenOptions, clock: Arc<dyn Clock>) -> Result<Airtill> {
        make_private_dir(&opts.data_dir)?;
        let cfg = config::load(&opts)?;
        let training = cfg.mode == Mode::Training;
        let mut store = Store::open(&opts.data_dir.join("airtill.db"))?;
        // One clock for the shop's day: its time zone, never the machine's.
        time::set_zone(match store.setting(TIME_ZONE_SETTING)? {
            Some(name) => time::parse_zone(&name).unwrap_or_else(|e| {
                tracing::warn!("{e}: the shop's days are South African");
                time::DEFAULT_ZONE
            }),
            None => time::DEFAULT_ZONE,
        });
        // The sales this process sends are its own: another process starting on the same
        // ledger (the command line, a second till) leaves them alone.
        store.hold_lease()?;
        // Voucher PINs are sealed in the ledger under a key kept with the credentials;
        // the same key peppers PIN hashes and keys the audit chain.
        let creds = credentials::Credentials::new(&opts.data_dir);
        let pin_key = till_key(&creds, &store)?;
        let keyed_before = creds.get(AUDIT_KEYED_NOTE)?.is_some();
        match store.set_audit_key(&derive_key(&pin_key, "airtill audit chain v1"), !keyed_before)? {
            airtill_store::AuditKeying::Broken(why) => tracing::error!("the audit trail does not verify: {why}"),
            airtill_store::AuditKeying::KeyedNow(n) => tracing::info!(rows = n, "the audit trail was keyed"),
            airtill_store::AuditKeying::Keyed => {}
        }
        if !keyed_before {
            creds.set(AUDIT_KEYED_NOTE, "1")?;
        }
        let pepper = auth::pepper_from(&pin_key);
        let swept = slip::sweep_pin_files(&opts.data_dir);
        if swept > 0 {
            tracing::info!(count = swept, "files with voucher PINs left from before were removed");
        }
        let sealed = store.set_pin_key(&pin_key)?;
        if sealed > 0 {
            tracing::info!(count = sealed, "voucher PINs found in plain text were sealed");
        }
        if store.shop()?.is_none() && !training {
            // A live shop is made by the setup (the owner and their PIN), never here.
            return Err(AppError::NotSetUp);
        }
        if store.shop()?.is_none() {
            // A practice till opened without the setup (tests, tools): the demo shop.
            // The first start is one transaction: the (slow) PIN hashes are made first,
            // then the shop and its people are written together, so a start killed at
            // any moment leaves no shop or a whole one, never a shop nobody can open.
            let people = [
                (DEMO_MANAGER.0, Role::Manager, auth::hash_pin(&pepper, DEMO_MANAGER.1, auth::PinCost::Practice)?),
                (DEMO_CASHIER.0, Role::Cashier, auth::hash_pin(&pepper, DEMO_CASHIER.1, auth::PinCost::Practice)?),
            ];
            let shop = Shop { name: cfg.shop_name.clone(), till_id: cfg.till_id.clone(), training };
            store.atomically(|s| {
                if s.shop()?.is_some() {
                    return Ok(());
                }
                s.set_shop(&shop)?;
                if s.users()?.is_empty() {
                    for (name, role, hash) in &people {
                        s.add_user(name, *role, hash)?;
                    }
                }
                Ok(())
            })?;
        } else {
            let mut shop = store.shop()?.expect("checked above");
            if shop.training != training {
                shop.training = training;
                store.set_shop(&shop)?;
            }
        }
        let (client_cfg, sandbox) = if training {
            let sandbox = SmartcallSandbox::start_with_clock(clock.clone()).await.map_err(|e| AppError::Io(format!("the training sandbox could not start: {e}")))?;
            // Where this process's sandbox listens, for support staff and the real-window test.
            let note = serde_json::json!({ "smartcall_base_url": sandbox.base_url(), "pid": std::process::id() });
            let _ = std::fs::write(opts.data_dir.join("training-sandbox.json"), note.to_string());
            (config::training_smartcall(&sandbox.base_url()), Some(sandbox))
        } else {
            (cfg.live_smartcall()?, None)
        };
        let smartcall = Arc::new(smartcall::Client::with_clock(client_cfg, clock.clone()).map_err(|e| AppError::Configuration(e.to_string()))?);
        let (aat_cfg, aat_sandbox) = if training {
            let sb = AatSandbox::start_with_clock(clock.clone()).await.map_err(|e| AppError::Io(format!("the AAT training sandbox could not start: {e}")))?;
            (Some(config::training_aat(&sb.base_url())), Some(sb))
        } else {
            (cfg.live_aat()?, None)
        };
        let aat = match aat_cfg {
            Some(c) => Some(Arc::new(AatProvider::new("aat", Arc::new(aat::Client::new(c).map_err(|e| AppError::Configuration(e.to_string()))?)))),
            None => None,
        };
        let (mx_cfg, mx_sandbox) = if training {
            let sb = MxSandbox::start_with_clock(clock.clone()).await.map_err(|e| AppError::Io(format!("the MX training sandbox could not start: {e}")))?;
            (Some(config::training_mx(&sb.base_url())), Some(sb))
        } else {
            (cfg.live_mx()?, None)
        };
        let mx = match mx_cfg {
            Some(c) => Some(Arc::new(MxProvider::new("mx", Arc::new(mx::Client::new(c).map_err(|e| AppError::Configuration(e.to_string()))?)))),
            None => None,
        };
        let (ideamart_cfg, ideamart_sandbox) = if training {
            let sb = IdeamartSandbox::start_with_clock(clock.clone()).await.map_err(|e| AppError::Io(format!("the Ideamart training sandbox could not start: {e}")))?;
            (Some(config::training_ideamart(&sb.base_url())), Some(sb))
        } else {
            (cfg.live_ideamart()?, None)
        };
        let ideamart = match ideamart_cfg {
            Some(c) => Some(Arc::new(ideamart::Client::new(c).map_err(|e| AppError::Configuration(e.to_string()))?)),
            None => None,
        };
        if let Some(sb) = &aat_sandbox {
            let note = serde_json::json!({
                "smartcall_base_url": sandbox.as_ref().map(|s| s.base_url()),
                "aat_base_url": sb.base_url(),
                "mx_base_url": mx_sandbox.as_ref().map(|s| s.base_url()),
                "ideamart_base_url": ideamart_sandbox.as_ref().map(|s| s.base_url()),
                "pid": std::process::id(),
            });
            let _ = std::fs::write(opts.data_dir.join("training-sandbox.json"), note.to_string());
        }
        let prefixes = config::prefix_table(&opts)?;
        let engine_config =
            EngineConfig { cancel_pending_after_ms: store.setting(PENDING_CANCEL_SETTING)?.and_then(|v| v.parse::<i64>().ok()).filter(|m| *m > 0).map(|m| m * 60_000), ..EngineConfig::default() };
        let store = Arc::new(Mutex::new(store));
        let mut providers: Vec<Arc<dyn SaleProvider>> = vec![Arc::new(SmartcallProvider::new("smartcall", smartcall.clone()))];
        if let Some(a) = &aat {
            providers.push(a.clone());
        }
        if let Some(m) = &mx {
            providers.push(m.clone());
        }
        let engine = Arc::new(Engine::new(store.clone(), providers, clock.clone(), engine_config));
        // Start-up recovery before anything sells, then the resolver.
        engine.recover().map_err(AppError::from)?;
        let (_task, stop) = engine.spawn_resolver(std::time::Duration::from_secs(5));
        let app = Airtill {
            store,
            smartcall,
            aat,
            aat_catalog: tokio::sync::RwLock::new(None),
            mx,
            ideamart,
            listener: Mutex::new(None),
            stock_driving: Arc::new(tokio::sync::Mutex::new(())),
            engine,
            resolver: Mutex::new(Some(stop)),
            _sandbox: sandbox,
            _aat_sandbox: aat_sandbox,
            _mx_sandbox: mx_sandbox,
            _ideamart_sandbox: ideamart_sandbox,
            prefixes,
            catalog: RwLock::new(None),
            data_dir: opts.data_dir,
            training,
            clock,
            wallet_readings: Mutex::new(std::collections::HashMap::new()),
            pepper,
            day_key: Mutex::new(None),
            chain: Mutex::new(None),
            chain_pepper: Arc::new(Mutex::new(chain::saved_pepper(&creds))),
        };
        app.resume_listener().await?;
        // The one resolver drives the other money movements too (one stop signal, one
        // backoff, one grace rule).
        if let Some(client) = &app.ideamart {
            app.engine.add_movements(Arc::new(tender::PaymentMovements { store: app.store.clone(), client: client.clone(), clock: app.clock.clone() }));
        }
        app.engine.add_movements(Arc::new(app.stock_buyer()));
        app.erase_old_pins()?;
        app.resume_the_day()?;
        app.start_chain()?;
        Ok(app)
    }

    pub fn is_training(&self) -> bool {
        self.training
    }

    /// The shop's time zone: it decides every day (Z, periods, reconciliation, stock
    /// expiry), whatever zone the machine is set to.
    pub fn time_zone(&self) -> String {
        time::zone().name().to_string()
    }

    /// Sets the shop's time zone (manager): `Africa/Johannesburg`, `Europe/London`.
    pub fn set_time_zone(&self, session: &Session, name: &str) -> Result<String> {
        session.require_manager()?;
        let tz = time::parse_zone(name).map_err(AppError::BadInput)?;
        self.store().set_setting(TIME_ZONE_SETTING, tz.name())?;
        self.audit("settings", Some(session.user_id), &format!("time zone {}", tz.name()))?;
        time::set_zone(tz);
        Ok(tz.name().to_string())
    }

    /// Now, by the till's clock, in epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The ledger's file.
    pub fn ledger_path(&self) -> PathBuf {
        self.data_dir.join("airtill.db")
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Appends a line to the hash-chained audit trail.
    pub(crate) fn audit(&self, action: &str, user_id: Option<i64>, detail: &str) -> Result<()> {
        self.store().audit(action, user_id, detail, self.now_ms())?;
        Ok(())
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves SQLite consistent (every write is a
        // transaction), so a poisoned lock is safe to take over.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What every screen shows at the top.
    pub fn status(&self, session: Option<&Session>) -> Result<AppStatus> {
        let shop = self.store().shop()?.ok_or_else(|| AppError::Io("the shop is not set up".into()))?;
        Ok(AppStatus {
            training: self.training,
            shop_name: shop.name,
            till_id: shop.till_id,
            user: session.map(|s| s.user_view()),
            idle_lock_minutes: self.idle_lock_minutes()?,
            printer: match self.receipt_printer().ok().flatten() {
                Some((t, _)) => Some(t.describe()),
                None => self.system_printer().ok().flatten().map(|q| if q.is_empty() { "the system's default printer".to_string() } else { format!("system printer {q}") }),
            },
            practice_outage: self.practice_outage_on(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// Recognises a number as it is typed: its normal form and the network its range
    /// was first given to (a hint: numbers move between networks).
    pub fn lookup_number(&self, input: &str) -> Result<NumberInfo> {
        let m = airtill_domain::Msisdn::parse(input)?;
        Ok(NumberInfo { msisdn: m.as_str().to_string(), display: m.display_local(), network_hint: self.prefixes.network_of(&m) })
    }

    /// The network the number's SIM is on now, by Smartcall's SIM lookup (a few
    /// seconds at most: the prefix hint stands when it cannot be asked).
    pub async fn confirm_network(&self, session: &Session, input: &str) -> Result<NetworkCheckView> {
        session.require_seller()?;
        let info = self.lookup_number(input)?;
        let asked = tokio::time::timeout(std::time::Duration::from_secs(4), self.smartcall.sim_network(&info.msisdn)).await;
        let sim = match asked {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(crate::provider::provider_error(e)),
            Err(_) => {
                return Err(AppError::Provider {
                    class: airtill_providers::ErrorClass::Transient,
                    message: "Smartcall did not say which network the number is on in time: the number's range is used.".into(),
                })
            }
        };
        let network = airtill_domain::Network::from_provider_name(&sim.network);
        Ok(NetworkCheckView { msisdn: info.msisdn, network_name: sim.network.trim().to_string(), network, ported: sim.ported, differs_from_hint: network.is_some() && network != info.network_hint })
    }

    /// Sale state changes as the engine commits them (for screens that update live).
    pub fn subscribe_sales(&self) -> tokio::sync::broadcast::Receiver<SaleChanged> {
        self.engine.subscribe()
    }

    /// Stops the resolver and gives the provider token back. Call when the app closes.
    pub async fn shutdown(&self) {
        if let Some(stop) = self.resolver.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = stop.send(true);
        }
        self.stop_chain();
        if let Err(e) = self.smartcall.invalidate().await {
            tracing::warn!("could not invalidate the Smartcall token: {e}");
        }
        // Closed: whatever this process still had in flight is for the next start.
        self.store().release_lease();
    }
}

#[cfg(test)]
#[path = "books_tests.rs"]
mod books_tests;
#[cfg(test)]
#[path = "chain_tests.rs"]
pub(crate) mod chain_tests;
#[cfg(test)]
#[path = "listener_tests.rs"]
mod listener_tests;
#[cfg(test)]
mod secrets_tests;
#[cfg(test)]
#[path = "tender_tests.rs"]
mod tender_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
impl Airtill {
    /// Logs in and opens the person's shift (with no float) if none is open: cash is
    /// sold only into an open shift.
    pub(crate) fn login_to_sell(&self, pin: &str) -> Session {
        let s = self.login(pin).unwrap();
        if self.my_shift(&s).unwrap().is_none() {
            self.open_shift(&s, "0").unwrap();
        }
        s
    }
}

/// A live shop for tests, made by the real setup against `smartcall_url`: the owner
/// (manager, [`test_live::MANAGER_PIN`]) and one cashier ([`test_live::CASHIER_PIN`]);
/// `extra_toml` is added to `airtill.toml` (other providers' sections).
#[cfg(test)]
pub(crate) mod test_live {
    pub const MANAGER_PIN: &str = "582931";
    pub const CASHIER_PIN: &str = "4829";

    pub async fn shop(dir: &std::path::Path, smartcall_url: &str, extra_toml: &str) {
        let mut req = crate::setup::tests::live_request(smartcall_url);
        req.manager_pin = MANAGER_PIN.into();
        req.manager_pin_again = MANAGER_PIN.into();
        crate::setup::setup(dir, &req).await.unwrap();
        if !extra_toml.is_empty() {
            let path = dir.join("airtill.toml");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}\n{extra_toml}")).unwrap();
        }
        let app = crate::Airtill::open(crate::OpenOptions { data_dir: dir.to_path_buf() }).await.unwrap();
        let m = app.login(MANAGER_PIN).unwrap();
        app.add_person(&m, "Sipho", crate::PersonRole::Cashier, CASHIER_PIN).unwrap();
        app.shutdown().await;
    }
}
