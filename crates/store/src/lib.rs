//! The local ledger. Every write that matters is one transaction on a database in WAL
//! mode with `synchronous=FULL`: once a function here returns, the row survives a
//! crash or a power cut.

mod audit;
pub mod generate;
mod guards;
mod lease;
mod office;
mod outbox;
mod payments;
mod pins;
mod schema;
mod stock;
pub use audit::{AuditKeying, AuditRow};
pub use guards::{Attempt, GuardRow};
pub use office::{By, ReprintRow, ShiftRow, Totals, Window, ZRow};
pub use outbox::{chain_hash, OutboxRow, GENESIS_HASH};
pub use payments::{MobilePayment, NewMobilePayment};
pub use stock::{NewStockOrder, NewStockVoucher, StockLevel, StockOrder, StockWant};

use airtill_domain::{Currency, SaleState};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database could not be used: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database was written by a newer Airtill (schema {found}, this one knows {known})")]
    NewerSchema { found: i64, known: i64 },
    #[error("sale {id} is {actual}, not {expected}")]
    WrongState { id: i64, expected: &'static str, actual: String },
    #[error("sale {0} cannot move from {1} to {2}")]
    BadTransition(i64, &'static str, &'static str),
    #[error("no sale {0}")]
    NoSale(i64),
    #[error("a stored value is not valid: {0}")]
    Corrupt(String),
    #[error("nothing was saved: {0}")]
    NotSaved(String),
    #[error("{0}")]
    Conflict(String),
    /// A stock PIN is asked for while no manager has the day open (its key is not here).
    #[error("stock vouchers open only while a manager has opened the day")]
    DayClosed,
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Manager,
    Cashier,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Cashier => "cashier",
        }
    }
    pub fn parse(s: &str) -> Result<Role> {
        match s {
            "manager" => Ok(Role::Manager),
            "cashier" => Ok(Role::Cashier),
            other => Err(StoreError::Corrupt(format!("role {other}"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Shop {
    pub name: String,
    pub till_id: String,
    pub training: bool,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
    pub active: bool,
    /// The PIN is one everyone knows: the person must choose a new one to go on.
    pub must_change_pin: bool,
}

/// A change to one person (each `None` leaves that part as it is).
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub pin_hash: Option<String>,
    pub active: Option<bool>,
    pub must_change_pin: Option<bool>,
}

/// What is sold: fixed when the sale is created, never changed after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleDetails {
    /// Made by the UI at the confirm step; a repeat returns the same sale.
    pub request_id: String,
    pub client_ref: String,
    pub user_id: i64,
    pub provider: String,
    pub network_name: String,
    pub product_id: i64,
    pub product_name: String,
    pub product_kind: String,
    pub pinned: bool,
    /// `27XXXXXXXXX`, or a meter number.
    pub recipient: String,
    pub amount_minor: i64,
    pub currency: Currency,
    /// Dealer discount in ten-thousandths of a percent (5.5% is 55 000), as the
    /// catalog gave it for the variant sent.
    pub discount_e4: Option<i64>,
}

impl SaleDetails {
    /// What the provider will charge, by the catalog's discount (the one rule:
    /// [`airtill_domain::Money4::cost_after_discount`]); `None` when no discount is known.
    pub fn expected_cost_e4(&self) -> Option<i64> {
        self.discount_e4.map(|d| airtill_domain::Money4::cost_after_discount(airtill_domain::Money::new(self.amount_minor, self.currency), d).e4)
    }
}

/// What came back from the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The provider's reference (Smartcall's Smartload reference, `orderReferenceId`).
    pub provider_ref: Option<String>,
    pub voucher_pin: Option<String>,
    /// A second PIN issued with the first: electricity's free-basic-electricity token
    /// (Smartcall's `additionalVoucherPin`). Cash as much as the first: sealed, erased
    /// and counted with it.
    pub additional_pin: Option<String>,
    pub ticket_number: Option<String>,
    pub expiry_ms: Option<i64>,
    /// The wallet after the sale, ten-thousandths of a rand (as the provider keeps it).
    pub wallet_after_e4: Option<i64>,
    /// What the provider charged for the sale, ten-thousandths of a rand, when it
    /// said so (Smartcall's `cost`, or its answer's `dealerDiscount` on the price).
    pub cost_e4: Option<i64>,
    pub error_class: Option<String>,
    pub error_message: Option<String>,
}

/// A provider's notification as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: i64,
    pub received_ms: i64,
    pub provider: String,
    pub reference: String,
    pub state: String,
    pub sale_id: Option<i64>,
    /// `applied`, `duplicate`, `ignored_final`, `unknown`, `deferred`, `conflict`.
    pub effect: String,
    pub detail: String,
}

/// A sale as the ledger holds it: what was sold, where it stands, and what the
/// provider said.
#[derive(Debug, Clone)]
pub struct SaleRow {
    pub id: i64,
    pub receipt_no: i64,
    pub till_id: String,
    pub user_name: String,
    pub state: SaleState,
    pub training: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub details: SaleDetails,
    pub outcome: Outcome,
    /// When the request may have left for the provider (the move to `submitting`).
    pub submitted_ms: Option<i64>,
    /// How many times the resolver has asked the provider about it.
    pub checks: i64,
    /// When the resolver asks next (`None`: as soon as it can).
    pub next_check_ms: Option<i64>,
    /// A cancel asked for and not yet answered (store and forward).
    pub cancel_requested_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct SaleEvent {
    pub sale_id: i64,
    pub from_state: Option<SaleState>,
    pub to_state: SaleState,
    pub at_ms: i64,
    pub detail: Option<String>,
}

pub struct Store {
    conn: Connection,
    /// Seals voucher PINs when the app has given its key ([`Store::set_pin_key`]).
    pins: Option<pins::PinSealer>,
    /// Opens stock PINs while a manager has opened the day ([`Store::set_day_key`]).
    day_pins: Option<pins::PinSealer>,
    /// The ledger's file (`None` in memory): its owners' lease files live beside it.
    path: Option<std::path::PathBuf>,
    /// This process's hold on the sales it sends ([`Store::hold_lease`]).
    lease: Option<lease::Lease>,
    /// Keys the audit chain ([`Store::set_audit_key`]): kept with the credentials,
    /// never in the ledger, so a chain recomputed from the ledger alone does not verify.
    audit_key: Option<[u8; 32]>,
}

/// A bare connection for benchmarks.
pub type RawConnection = Connection;

/// A database with one table `t (v)`, with the ledger's durability settings (WAL,
/// `synchronous=FULL`): what one durable commit costs on this disk.
/// A write transaction, or a savepoint inside the one already open (a group commit:
/// [`Store::group`]), so that each write is all-or-nothing either way.
pub(crate) enum Tx<'a> {
    Top(rusqlite::Transaction<'a>),
    Nested(rusqlite::Savepoint<'a>),
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Tx::Top(t) => t,
            Tx::Nested(s) => s,
        }
    }
}

impl Tx<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        match self {
            Tx::Top(t) => t.commit(),
            Tx::Nested(s) => s.commit(),
        }
    }
}

pub(crate) fn write_tx(conn: &mut Connection) -> rusqlite::Result<Tx<'_>> {
    if conn.is_autocommit() {
        Ok(Tx::Top(conn.transaction_with_behavior(TransactionBehavior::Immediate)?))
    } else {
        Ok(Tx::Nested(conn.savepoint()?))
    }
}

/// Inserts a sale row with the next receipt number of the till and the first line of
/// its history, inside the caller's transaction.
pub(crate) fn insert_sale_row(tx: &Connection, s: &SaleDetails, now_ms: i64, state: &str, submitted_ms: Option<i64>) -> Result<i64> {
    let (till_id, training): (String, bool) = tx.prepare_cached("SELECT till_id, training FROM shop WHERE id = 1")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let receipt_no: i64 = tx.prepare_cached("SELECT COALESCE(MAX(receipt_no), 0) + 1 FROM sales WHERE till_id = ?1")?.query_row([&till_id], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT INTO sales (request_id, client_ref, receipt_no, till_id, user_id, provider, network_name, product_id,
            product_name, product_kind, pinned, recipient, amount_minor, currency, discount_e4, state, training,
            created_ms, updated_ms, submitted_ms, cost_e4)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19, ?20)",
    )?
    .execute(params![
        s.request_id,
        s.client_ref,
        receipt_no,
        till_id,
        s.user_id,
        s.provider,
        s.network_name,
        s.product_id,
        s.product_name,
        s.product_kind,
        s.pinned,
        s.recipient,
        s.amount_minor,
        s.currency.code(),
        s.discount_e4,
        state,
        training,
        now_ms,
        submitted_ms,
        s.expected_cost_e4()
    ])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sale_events WHERE sale_id = ?1), NULL, 'created', ?2, NULL)",
    )?
    .execute(params![id, now_ms])?;
    Ok(id)
}

pub fn raw_durable_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")?;
    Ok(conn)
}

pub(crate) const SALE_COLUMNS: &str = "s.id, s.request_id, s.client_ref, s.receipt_no, s.till_id, s.user_id, u.name, s.provider, \
    s.network_name, s.product_id, s.product_name, s.product_kind, s.pinned, s.recipient, s.amount_minor, s.currency, \
    s.discount_e4, s.state, s.provider_ref, s.voucher_pin, s.ticket_number, s.expiry_ms, s.wallet_after_e4, \
    s.error_class, s.error_message, s.training, s.created_ms, s.updated_ms, s.submitted_ms, s.checks, s.next_check_ms, \
    s.cancel_requested_ms, s.cost_e4, s.additional_pin";

/// A typed state read from a text column (an unknown word is a corrupt row).
pub(crate) fn state_of<T>(r: &Row<'_>, i: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    parse(&s).ok_or_else(|| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("unknown state {s}").into()))
}

pub(crate) fn currency_from(s: &str) -> Result<Currency> {
    match s {
        "ZAR" => Ok(Currency::ZAR),
        "LKR" => Ok(Currency::LKR),
        "GBP" => Ok(Currency::GBP),
        other => Err(StoreError::Corrupt(format!("currency {other}"))),
    }
}

/// What a sale's additional PIN is sealed to: its client reference, marked, so that
/// neither PIN of a sale opens in the other's place.
fn additional_aad(client_ref: &str) -> String {
    format!("{client_ref}#additional")
}

pub(crate) fn sale_from_row(r: &Row<'_>) -> rusqlite::Result<(SaleRow, String, String)> {
    let currency: String = r.get(15)?;
    let state: String = r.get(17)?;
    let details = SaleDetails {
        request_id: r.get(1)?,
        client_ref: r.get(2)?,
        user_id: r.get(5)?,
        provider: r.get(7)?,
        network_name: r.get(8)?,
        product_id: r.get(9)?,
        product_name: r.get(10)?,
        product_kind: r.get(11)?,
        pinned: r.get(12)?,
        recipient: r.get(13)?,
        amount_minor: r.get(14)?,
        currency: Currency::ZAR,
        discount_e4: r.get(16)?,
    };
    let outcome = Outcome {
        provider_ref: r.get(18)?,
        voucher_pin: r.get(19)?,
        additional_pin: r.get(33)?,
        ticket_number: r.get(20)?,
        expiry_ms: r.get(21)?,
        wallet_after_e4: r.get(22)?,
        cost_e4: r.get(32)?,
        error_class: r.get(23)?,
        error_message: r.get(24)?,
    };
    let row = SaleRow {
        id: r.get(0)?,
        receipt_no: r.get(3)?,
        till_id: r.get(4)?,
        user_name: r.get(6)?,
        state: SaleState::Created,
        training: r.get(25)?,
        created_ms: r.get(26)?,
        updated_ms: r.get(27)?,
        details,
        outcome,
        submitted_ms: r.get(28)?,
        checks: r.get(29)?,
        next_check_ms: r.get(30)?,
        cancel_requested_ms: r.get(31)?,
    };
    Ok((row, currency, state))
}

/// Moves one sale from `from` to `to` inside `tx` if it is still in `from`, with a
/// history line; true when it moved.
#[allow(clippy::too_many_arguments)]
fn recover_one(tx: &Connection, id: i64, from: SaleState, to: SaleState, class: &str, message: &str, detail: &str, now_ms: i64) -> Result<bool> {
    let n = tx.prepare_cached("UPDATE sales SET state = ?3, updated_ms = ?2, next_check_ms = NULL, error_class = ?4, error_message = ?5 WHERE id = ?1 AND state = ?6")?.execute(params![
        id,
        now_ms,
        to.as_str(),
        class,
        message,
        from.as_str()
    ])?;
    if n == 0 {
        return Ok(false);
    }
    if to == SaleState::Failed {
        release_payment_of(tx, id)?;
    }
    tx.prepare_cached(
        "INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sale_events WHERE sale_id = ?1), ?3, ?4, ?2, ?5)",
    )?
    .execute(params![id, now_ms, from.as_str(), to.as_str(), detail])?;
    Ok(true)
}

/// Frees the mobile-balance payment a sale that did not sell had claimed (inside the
/// caller's transaction); the sale's tender stays as it was tried.
fn release_payment_of(tx: &Connection, sale_id: i64) -> Result<()> {
    tx.prepare_cached("UPDATE mobile_payments SET sale_id = NULL, reserved_for = NULL WHERE sale_id = ?1")?.execute([sale_id])?;
    Ok(())
}

/// Where a whole copy of a database is made before it is renamed to `out`:
/// `.NAME.partial` beside it (a killed copy leaves only this, never a file under `out`).
pub(crate) fn partial_path(out: &Path) -> std::path::PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "airtill.db".into());
    out.with_file_name(format!(".{name}.partial"))
}

/// Copies `src` (SQLite's online backup: one consistent moment) into a new file beside
/// `out`, checks it, writes it to disk, and returns its path; nothing is left on an error.
pub(crate) fn copy_beside(src: &Connection, out: &Path) -> Result<std::path::PathBuf> {
    let tmp = partial_path(out);
    let _ = std::fs::remove_file(&tmp);
    let made = (|| -> Result<()> {
        let mut dst = Connection::open(&tmp)?;
        {
            let backup = rusqlite::backup::Backup::new(src, &mut dst)?;
            backup.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        let ok: String = dst.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(StoreError::Corrupt(format!("the copy failed its check: {ok}")));
        }
        drop(dst);
        std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| StoreError::NotSaved(format!("the copy could not be written to disk: {e}")))?;
        Ok(())
    })();
    if let Err(e) = made {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// Makes a rename in `path`'s folder durable.
pub(crate) fn sync_folder_of(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

impl Store {
    /// Runs `f` as one transaction: every write it makes lands, or none does (the
    /// store's own writes inside it become savepoints of this one). Inside a transaction
    /// already (a group commit), it is a savepoint of that one: all of `f` or nothing.
    pub fn atomically<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.whole(f)
    }

    /// As [`Store::atomically`], for a caller with its own error type.
    pub fn whole<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&mut Store) -> std::result::Result<T, E>) -> std::result::Result<T, E> {
        let top = self.conn.is_autocommit();
        let (begin, commit, undo) = if top { ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK") } else { ("SAVEPOINT whole", "RELEASE whole", "ROLLBACK TO whole; RELEASE whole") };
        self.conn.execute_batch(begin).map_err(|e| E::from(e.into()))?;
        match f(self) {
            Ok(v) => match self.conn.execute_batch(commit) {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.conn.execute_batch(undo);
                    Err(E::from(e.into()))
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch(undo);
                Err(e)
            }
        }
    }

    /// Opens (and creates or migrates) the ledger at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        // The ledger is the till's user's alone (SQLite gives its -wal and -shm files
        // the same mode).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if std::fs::metadata(path).map(|m| m.permissions().mode() & 0o077 != 0).unwrap_or(false) {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| StoreError::NotSaved(format!("the ledger's mode could not be set to 0600: {e}")))?;
            }
        }
        let mut store = Self::setup(conn)?;
        store.path = Some(path.to_path_buf());
        Ok(store)
    }

    /// A private in-memory ledger, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    /// Takes this process's lease on the ledger: a file beside it, locked by the OS for
    /// as long as this store lives (a killed process lets go of it at once). Every sale
    /// this store starts sending carries the lease's token; another process's start-up
    /// recovery moves a sale in flight only when its owner's lease is free, i.e. the
    /// owner is gone. Without a lease, sales carry no owner and are anyone's to recover.
    pub fn hold_lease(&mut self) -> Result<&str> {
        let Some(path) = &self.path else { return Err(StoreError::NotSaved("an in-memory ledger has no lease".into())) };
        if self.lease.is_none() {
            self.lease = Some(lease::Lease::take(&lease::dir_of(path)).map_err(|e| StoreError::NotSaved(format!("the till's lease could not be taken: {e}")))?);
        }
        Ok(self.lease.as_ref().map(|l| l.token()).unwrap_or_default())
    }

    /// Lets go of the lease (the app is closing): a sale of this process still in
    /// flight becomes the next start's to recover.
    pub fn release_lease(&mut self) {
        self.lease = None;
    }

    /// The token of this store's lease, if it holds one.
    pub fn lease_token(&self) -> Option<&str> {
        self.lease.as_ref().map(|l| l.token())
    }

    /// True when the owner of a sale in flight is still alive (its lease is held; this
    /// store's own lease is alive by definition).
    fn owner_alive(&self, owner: Option<&str>) -> bool {
        match (owner, &self.path) {
            (None, _) | (_, None) => false,
            (Some(o), _) if Some(o) == self.lease_token() => true,
            (Some(o), Some(path)) => lease::held(&lease::dir_of(path), o),
        }
    }

    fn setup(conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement of a sale stays prepared (rusqlite keeps 16 by default, fewer
        // than a sale and the screens use, so SQL was parsed again and again).
        conn.set_prepared_statement_cache_capacity(128);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn, pins: None, day_pins: None, path: None, lease: None, audit_key: None };
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// Sets SQLite's automatic WAL checkpoint threshold in pages (0 = off; then call
    /// [`Store::checkpoint`] from a quiet moment).
    pub fn set_autocheckpoint(&self, pages: i64) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        Ok(())
    }

    /// Checks that `backup` is a sound Airtill ledger this version can read, then puts
    /// it in place of the ledger at `target` (which must not be open). The ledger it
    /// replaces is kept beside it as `<target>.before-restore-<ms>`.
    pub fn restore(backup: &Path, target: &Path, now_ms: i64) -> Result<std::path::PathBuf> {
        let src = Connection::open_with_flags(backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let ok: String = src.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|_| StoreError::Corrupt(format!("{} is not an Airtill backup", backup.display())))?;
        if ok != "ok" {
            return Err(StoreError::Corrupt(format!("{} is damaged: {ok}", backup.display())));
        }
        let version: i64 = src.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = schema::known_version();
        if version > known {
            return Err(StoreError::NewerSchema { found: version, known });
        }
        let has_sales: bool = src.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sales'", [], |r| r.get::<_, i64>(0)).map(|n| n == 1)?;
        if version == 0 || !has_sales {
            return Err(StoreError::Corrupt(format!("{} is not an Airtill backup", backup.display())));
        }
        // The backup is copied whole beside the ledger first; only then is the live
        // ledger set aside and the copy renamed into its place (a kill at any moment
        // leaves the live ledger, or the restored one, never half of either).
        let copy = copy_beside(&src, target)?;
        let kept = target.with_extension(format!("db.before-restore-{now_ms}"));
        if target.exists() {
            // The live ledger, its WAL folded in, kept aside.
            let live = Connection::open(target)?;
            live.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            drop(live);
            std::fs::rename(target, &kept).map_err(|e| StoreError::NotSaved(format!("the ledger could not be set aside: {e}")))?;
            for ext in ["db-wal", "db-shm"] {
                let _ = std::fs::remove_file(target.with_extension(ext));
            }
        }
        std::fs::rename(&copy, target).map_err(|e| StoreError::NotSaved(format!("the restored ledger could not be put in place: {e}")))?;
        sync_folder_of(target);
        // Open it as the app does: WAL, migrations to this version.
        Store::open(target)?;
        Ok(kept)
    }

    /// Gives the store the key voucher PINs are sealed with, and seals any PIN still
    /// stored in plain text (a ledger from before sealing, or one restored).
    pub fn set_pin_key(&mut self, key: &[u8; 32]) -> Result<usize> {
        let sealer = pins::PinSealer::new(key);
        let tx = write_tx(&mut self.conn)?;
        let plain: Vec<(i64, String, String)> = {
            let mut st = tx.prepare("SELECT id, client_ref, voucher_pin FROM sales WHERE voucher_pin IS NOT NULL AND voucher_pin NOT LIKE 'p1:%'")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (id, client_ref, pin) in &plain {
            tx.execute("UPDATE sales SET voucher_pin = ?2 WHERE id = ?1", params![id, sealer.seal(pin, client_ref)])?;
        }
        let plain_additional: Vec<(i64, String, String)> = {
            let mut st = tx.prepare("SELECT id, client_ref, additional_pin FROM sales WHERE additional_pin IS NOT NULL AND additional_pin NOT LIKE 'p1:%'")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (id, client_ref, pin) in &plain_additional {
            tx.execute("UPDATE sales SET additional_pin = ?2 WHERE id = ?1", params![id, sealer.seal(pin, &additional_aad(client_ref))])?;
        }
        tx.commit()?;
        self.pins = Some(sealer);
        Ok(plain.len() + plain_additional.len())
    }

    /// Erases the PINs of vouchers sold before `cutoff_ms` by these providers (who say
    /// a PIN again when asked by the sale's reference): the ledger keeps that there was
    /// one, and when it went. The count erased.
    pub fn erase_pins_sold_before(&mut self, cutoff_ms: i64, providers: &[&str], now_ms: i64) -> Result<usize> {
        let list = providers.iter().map(|p| format!("'{}'", p.replace('\'', ""))).collect::<Vec<_>>().join(",");
        let sql = format!(
            "UPDATE sales SET voucher_pin = NULL, additional_pin = NULL, pin_erased_ms = ?2 WHERE voucher_pin IS NOT NULL AND pin_erased_ms IS NULL
             AND created_ms < ?1 AND state IN ('succeeded', 'reversed', 'failed', 'cancelled') AND provider IN ({list})"
        );
        Ok(self.conn.execute(&sql, params![cutoff_ms, now_ms])?)
    }

    /// When this sale's PIN was erased, if it was.
    pub fn pin_erased_at(&self, sale_id: i64) -> Result<Option<i64>> {
        Ok(self.conn.prepare_cached("SELECT pin_erased_ms FROM sales WHERE id = ?1")?.query_row([sale_id], |r| r.get(0)).optional()?.flatten())
    }

    /// Sealed PINs that do not open with the key given (for `doctor`).
    pub fn sealed_pins_that_do_not_open(&self) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare("SELECT id, client_ref, voucher_pin, additional_pin FROM sales WHERE voucher_pin LIKE 'p1:%' OR additional_pin LIKE 'p1:%' ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, Option<String>>(3)?)))?;
        let mut bad = Vec::new();
        for row in rows {
            let (id, client_ref, stored, additional) = row?;
            let opens = |text: &Option<String>, aad: &str| match text {
                Some(t) if t.starts_with(pins::SEALED) => self.pins.as_ref().and_then(|s| s.open(t, aad)).is_some(),
                _ => true,
            };
            if !opens(&stored, &client_ref) || !opens(&additional, &additional_aad(&client_ref)) {
                bad.push(id);
            }
        }
        Ok(bad)
    }

    /// Sales whose state is not where their append-only history last moved them (a row
    /// changed in the file behind Airtill's back), by id (for `doctor`).
    pub fn sales_unlike_their_history(&self) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare("SELECT s.id FROM sales s WHERE s.state IS NOT (SELECT e.to_state FROM sale_events e WHERE e.sale_id = s.id ORDER BY e.seq DESC LIMIT 1) ORDER BY s.id")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// PINs sealed in the ledger (sales and stock vouchers): a till that has some must
    /// never start with a new key.
    pub fn sealed_pin_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM sales WHERE voucher_pin LIKE 'p1:%') + (SELECT COUNT(*) FROM sales WHERE additional_pin LIKE 'p1:%') + (SELECT COUNT(*) FROM stock_vouchers WHERE pin_sealed LIKE 'p1:%' OR pin_sealed LIKE 's1:%')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Voucher PINs still in plain text (for `doctor`).
    pub fn plain_pins(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM sales WHERE voucher_pin IS NOT NULL AND voucher_pin NOT LIKE 'p1:%') + (SELECT COUNT(*) FROM sales WHERE additional_pin IS NOT NULL AND additional_pin NOT LIKE 'p1:%')",
            [],
            |r| r.get(0),
        )?)
    }

    /// A sale row as read, its state and currency parsed and its PIN opened.
    fn finish(&self, parts: (SaleRow, String, String)) -> Result<SaleRow> {
        let (mut row, currency, state) = parts;
        row.details.currency = currency_from(&currency)?;
        row.state = SaleState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("sale state {state}")))?;
        if let Some(stored) = row.outcome.voucher_pin.take() {
            row.outcome.voucher_pin = if stored.starts_with(pins::SEALED) {
                // A PIN that does not open (no key: the ledger was moved to another
                // machine; or the row was changed) is not shown; the provider gives it
                // again by the sale's reference. `sealed_pins_that_do_not_open` counts them.
                self.pins.as_ref().and_then(|sealer| sealer.open(&stored, &row.details.client_ref))
            } else {
                Some(stored)
            };
        }
        if let Some(stored) = row.outcome.additional_pin.take() {
            row.outcome.additional_pin =
                if stored.starts_with(pins::SEALED) { self.pins.as_ref().and_then(|sealer| sealer.open(&stored, &additional_aad(&row.details.client_ref))) } else { Some(stored) };
        }
        Ok(row)
    }

    /// Runs `f` inside one transaction, committed (one durable write) when it returns:
    /// the writes of several sellers queued at once share one commit. Each write
    /// inside is still all-or-nothing on its own (a savepoint). When the commit fails,
    /// or `f` panics, nothing of it stays.
    pub fn group<R>(&mut self, f: impl FnOnce(&mut Store) -> R) -> Result<R> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        let r = match r {
            Ok(r) => r,
            Err(panic) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                std::panic::resume_unwind(panic);
            }
        };
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            return Err(e.into());
        }
        Ok(r)
    }

    /// Copies the WAL back into the database file (`PRAGMA wal_checkpoint(PASSIVE)`).
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.prepare_cached("PRAGMA wal_checkpoint(PASSIVE)")?.query_row([], |_| Ok(()))?;
        Ok(())
    }

    /// `PRAGMA journal_mode` and `PRAGMA synchronous`, for checks.
    pub fn durability(&self) -> Result<(String, i64)> {
        let mode: String = self.conn.prepare_cached("PRAGMA journal_mode")?.query_row([], |r| r.get(0))?;
        let sync: i64 = self.conn.prepare_cached("PRAGMA synchronous")?.query_row([], |r| r.get(0))?;
        Ok((mode, sync))
    }

    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.prepare_cached("PRAGMA integrity_check")?.query_row([], |r| r.get(0))?)
    }

    pub fn shop(&self) -> Result<Option<Shop>> {
        Ok(self.conn.query_row("SELECT name, till_id, training FROM shop WHERE id = 1", [], |r| Ok(Shop { name: r.get(0)?, till_id: r.get(1)?, training: r.get(2)? })).optional()?)
    }

    pub fn set_shop(&mut self, shop: &Shop) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO shop (id, name, till_id, training) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, till_id = excluded.till_id, training = excluded.training",
            )?
            .execute(params![shop.name, shop.till_id, shop.training])?;
        Ok(())
    }

    pub fn add_user(&mut self, name: &str, role: Role, pin_hash: &str) -> Result<i64> {
        self.conn.prepare_cached("INSERT INTO users (name, role, pin_hash, active) VALUES (?1, ?2, ?3, 1)")?.execute(params![name, role.as_str(), pin_hash])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Adds a person the chain's head office made (or finds the one added before).
    pub fn add_chain_user(&mut self, chain_person_id: i64, name: &str, role: Role, pin_hash: &str, must_change_pin: bool) -> Result<i64> {
        if let Some(id) = self.user_of_chain_person(chain_person_id)? {
            return Ok(id);
        }
        self.conn.prepare_cached("INSERT INTO users (name, role, pin_hash, active, must_change_pin, chain_person_id) VALUES (?1, ?2, ?3, 1, ?4, ?5)")?.execute(params![
            name,
            role.as_str(),
            pin_hash,
            must_change_pin,
            chain_person_id
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The till's person for a person of the chain.
    pub fn user_of_chain_person(&self, chain_person_id: i64) -> Result<Option<i64>> {
        Ok(self.conn.prepare_cached("SELECT id FROM users WHERE chain_person_id = ?1")?.query_row([chain_person_id], |r| r.get(0)).optional()?)
    }

    pub fn users(&self) -> Result<Vec<UserRow>> {
        let mut st = self.conn.prepare("SELECT id, name, role, pin_hash, active, must_change_pin FROM users ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, bool>(4)?, r.get::<_, bool>(5)?)))?;
        rows.map(|r| {
            let (id, name, role, pin_hash, active, must_change_pin) = r?;
            Ok(UserRow { id, name, role: Role::parse(&role)?, pin_hash, active, must_change_pin })
        })
        .collect()
    }

    /// Changes one person: a new name, a new PIN, disabled or enabled again. People
    /// are never deleted: sales, shifts and the audit trail name them.
    pub fn change_user(&mut self, id: i64, change: &UserChange) -> Result<()> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE users SET name = COALESCE(?2, name), pin_hash = COALESCE(?3, pin_hash), active = COALESCE(?4, active),
                 must_change_pin = COALESCE(?5, must_change_pin) WHERE id = ?1",
            )?
            .execute(params![id, change.name, change.pin_hash, change.active, change.must_change_pin])?;
        if n == 0 {
            return Err(StoreError::Conflict(format!("there is no person {id}")));
        }
        Ok(())
    }

    /// Commits a new sale (state `created`) with the next receipt number of the till,
    /// and the first line of its history. A `request_id` seen before returns the sale
    /// made for it, unchanged: a double click never makes a second sale.
    pub fn create_sale(&mut self, s: &SaleDetails, now_ms: i64) -> Result<(SaleRow, bool)> {
        self.insert_sale(s, now_ms, false)
    }

    /// As [`Store::create_sale`], with the move to `submitting` in the same durable
    /// transaction (two lines of history): the row is on disk before the request may
    /// leave, at the cost of one commit instead of two.
    pub fn create_sale_submitting(&mut self, s: &SaleDetails, now_ms: i64) -> Result<(SaleRow, bool)> {
        self.insert_sale(s, now_ms, true)
    }

    fn insert_sale(&mut self, s: &SaleDetails, now_ms: i64, submitting: bool) -> Result<(SaleRow, bool)> {
        let tx = write_tx(&mut self.conn)?;
        let existing: Option<i64> = tx.prepare_cached("SELECT id FROM sales WHERE request_id = ?1")?.query_row([&s.request_id], |r| r.get(0)).optional()?;
        if let Some(id) = existing {
            drop(tx);
            return Ok((self.sale(id)?, false));
        }
        let state = if submitting { "submitting" } else { "created" };
        let id = insert_sale_row(&tx, s, now_ms, state, submitting.then_some(now_ms))?;
        // The sale in flight is this process's (its lease), for every other's recovery.
        if let Some(token) = self.lease.as_ref().map(|l| l.token()) {
            tx.prepare_cached("UPDATE sales SET owner = ?2 WHERE id = ?1")?.execute(params![id, token])?;
        }
        if submitting {
            tx.prepare_cached("INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sale_events WHERE sale_id = ?1), 'created', 'submitting', ?2, NULL)")?.execute(params![id, now_ms],
            )?;
        }
        tx.commit()?;
        Ok((self.sale(id)?, true))
    }

    /// Moves a sale from `from` to `to` in one transaction, with what the provider
    /// said, and appends the move to the sale's history.
    pub fn transition(&mut self, id: i64, from: SaleState, to: SaleState, outcome: &Outcome, now_ms: i64) -> Result<SaleRow> {
        if !from.can_move_to(to) {
            return Err(StoreError::BadTransition(id, from.as_str(), to.as_str()));
        }
        let tx = write_tx(&mut self.conn)?;
        let found: Option<(String, String)> = tx.prepare_cached("SELECT state, client_ref FROM sales WHERE id = ?1")?.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let (actual, client_ref) = found.ok_or(StoreError::NoSale(id))?;
        let pin = match (&outcome.voucher_pin, &self.pins) {
            (Some(p), Some(sealer)) => Some(sealer.seal(p, &client_ref)),
            (p, _) => p.clone(),
        };
        let additional = match (&outcome.additional_pin, &self.pins) {
            (Some(p), Some(sealer)) => Some(sealer.seal(p, &additional_aad(&client_ref))),
            (p, _) => p.clone(),
        };
        if actual != from.as_str() {
            return Err(StoreError::WrongState { id, expected: from.as_str(), actual });
        }
        tx.prepare_cached(
            "UPDATE sales SET state = ?2, updated_ms = ?3,
                provider_ref = COALESCE(?4, provider_ref), voucher_pin = COALESCE(?5, voucher_pin),
                ticket_number = COALESCE(?6, ticket_number), expiry_ms = COALESCE(?7, expiry_ms),
                wallet_after_e4 = COALESCE(?8, wallet_after_e4),
                error_class = ?9, error_message = ?10, cost_e4 = COALESCE(?11, cost_e4),
                additional_pin = COALESCE(?12, additional_pin),
                submitted_ms = CASE WHEN ?2 = 'submitting' THEN ?3 ELSE submitted_ms END,
                next_check_ms = CASE WHEN ?2 IN ('pending', 'in_doubt') THEN next_check_ms ELSE NULL END,
                cancel_requested_ms = CASE WHEN ?2 IN ('pending', 'in_doubt') THEN cancel_requested_ms ELSE NULL END
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            to.as_str(),
            now_ms,
            outcome.provider_ref,
            pin,
            outcome.ticket_number,
            outcome.expiry_ms,
            outcome.wallet_after_e4,
            outcome.error_class,
            outcome.error_message,
            outcome.cost_e4,
            additional
        ])?;
        if matches!(to, SaleState::Failed | SaleState::Cancelled) {
            // Nothing sold: a mobile-balance payment that paid for it is free again, in
            // the same transaction.
            release_payment_of(&tx, id)?;
        }
        let detail = outcome.error_message.clone().or_else(|| outcome.provider_ref.as_ref().map(|r| format!("provider reference {r}")));
        tx.prepare_cached(
            "INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sale_events WHERE sale_id = ?1), ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, from.as_str(), to.as_str(), now_ms, detail])?;
        tx.commit()?;
        self.sale(id)
    }

    pub fn sale(&self, id: i64) -> Result<SaleRow> {
        let sql = format!("SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id WHERE s.id = ?1");
        let parts = self.conn.prepare_cached(&sql)?.query_row([id], sale_from_row).optional()?.ok_or(StoreError::NoSale(id))?;
        self.finish(parts)
    }

    /// The sale made for a UI request id, if there is one.
    pub fn sale_by_request(&self, request_id: &str) -> Result<Option<SaleRow>> {
        let sql = format!("SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id WHERE s.request_id = ?1");
        self.conn.prepare_cached(&sql)?.query_row([request_id], sale_from_row).optional()?.map(|p| self.finish(p)).transpose()
    }

    /// The sale with this client reference, if there is one.
    pub fn sale_by_client_ref(&self, client_ref: &str) -> Result<Option<SaleRow>> {
        let sql = format!("SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id WHERE s.client_ref = ?1");
        self.conn.prepare_cached(&sql)?.query_row([client_ref], sale_from_row).optional()?.map(|p| self.finish(p)).transpose()
    }

    /// The sale a provider knows by its own reference (`provider_ref`).
    pub fn sale_by_provider_ref(&self, provider: &str, provider_ref: &str) -> Result<Option<SaleRow>> {
        let sql = format!("SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id WHERE s.provider = ?1 AND s.provider_ref = ?2 ORDER BY s.id DESC LIMIT 1");
        self.conn.prepare_cached(&sql)?.query_row([provider, provider_ref], sale_from_row).optional()?.map(|p| self.finish(p)).transpose()
    }

    /// Unresolved sales of a provider to a recipient for an amount that carry no
    /// provider reference yet (a sale whose answer was lost), oldest first.
    pub fn unreferenced_unresolved(&self, provider: &str, recipient: &str, amount_minor: i64) -> Result<Vec<SaleRow>> {
        let sql = format!(
            "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id
             WHERE s.provider = ?1 AND s.recipient = ?2 AND s.amount_minor = ?3 AND s.provider_ref IS NULL
               AND s.state IN ('submitting', 'pending', 'in_doubt') ORDER BY s.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params![provider, recipient, amount_minor], sale_from_row)?;
        rows.map(|r| self.finish(r?)).collect()
    }

    /// Keeps a provider's notification as received, with what it did.
    #[allow(clippy::too_many_arguments)]
    pub fn record_notification(&mut self, provider: &str, reference: &str, state: &str, sale_id: Option<i64>, effect: &str, detail: &str, now_ms: i64) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO notifications (received_ms, provider, reference, state, sale_id, effect, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![now_ms, provider, reference, state, sale_id, effect, detail],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A provider's notifications received in `[from_ms, to_ms)`, oldest first.
    pub fn notifications_between(&self, provider: &str, from_ms: i64, to_ms: i64) -> Result<Vec<NotificationRow>> {
        let mut st = self.conn.prepare(
            "SELECT id, received_ms, provider, reference, state, sale_id, effect, detail FROM notifications
             WHERE provider = ?1 AND received_ms >= ?2 AND received_ms < ?3 ORDER BY id",
        )?;
        let rows = st.query_map(params![provider, from_ms, to_ms], |r| {
            Ok(NotificationRow { id: r.get(0)?, received_ms: r.get(1)?, provider: r.get(2)?, reference: r.get(3)?, state: r.get(4)?, sale_id: r.get(5)?, effect: r.get(6)?, detail: r.get(7)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A deferred notification's later effect.
    pub fn set_notification_effect(&mut self, id: i64, effect: &str, sale_id: Option<i64>) -> Result<()> {
        self.conn.execute("UPDATE notifications SET effect = ?2, sale_id = COALESCE(?3, sale_id) WHERE id = ?1", params![id, effect, sale_id])?;
        Ok(())
    }

    /// Notifications, newest first; `open_only`: those a person must look at or that
    /// wait (unknown, deferred, conflict).
    pub fn notifications(&self, open_only: bool, limit: i64) -> Result<Vec<NotificationRow>> {
        let sql = format!(
            "SELECT id, received_ms, provider, reference, state, sale_id, effect, detail FROM notifications {} ORDER BY id DESC LIMIT ?1",
            if open_only { "WHERE effect IN ('unknown', 'deferred', 'conflict')" } else { "" }
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([limit], |r| {
            Ok(NotificationRow { id: r.get(0)?, received_ms: r.get(1)?, provider: r.get(2)?, reference: r.get(3)?, state: r.get(4)?, sale_id: r.get(5)?, effect: r.get(6)?, detail: r.get(7)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Sales found by a number (the recipient, or its last digits), a reference
    /// (client, provider, or receipt number), within `[from_ms, to_ms)` when given;
    /// newest first, at most `limit`.
    pub fn search_sales(&self, number: Option<&str>, reference: Option<&str>, window: Option<(i64, i64)>, limit: i64) -> Result<Vec<SaleRow>> {
        let (from, to) = window.unwrap_or((i64::MIN, i64::MAX));
        let receipt: Option<i64> = reference.and_then(|r| r.trim_start_matches('0').parse().ok());
        let sql = format!(
            "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id
             WHERE s.created_ms >= ?1 AND s.created_ms < ?2
               AND (?3 IS NULL OR s.recipient LIKE '%' || ?3)
               AND (?4 IS NULL OR s.client_ref = ?4 OR s.provider_ref = ?4 OR s.receipt_no = ?5)
             ORDER BY s.created_ms DESC, s.id DESC LIMIT ?6"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params![from, to, number, reference, receipt, limit], sale_from_row)?;
        rows.map(|r| self.finish(r?)).collect()
    }

    /// Sales created in `[from_ms, to_ms)`, newest first.
    pub fn sales_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SaleRow>> {
        let sql = format!(
            "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id
             WHERE s.created_ms >= ?1 AND s.created_ms < ?2 ORDER BY s.created_ms DESC, s.id DESC"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([from_ms, to_ms], sale_from_row)?;
        rows.map(|r| self.finish(r?)).collect()
    }

    /// Sales whose outcome is still open, oldest first.
    pub fn unresolved_sales(&self) -> Result<Vec<SaleRow>> {
        let sql = format!(
            "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id
             WHERE s.state IN ('created', 'submitting', 'pending', 'in_doubt') AND s.state IN ('submitting', 'pending', 'in_doubt') ORDER BY s.id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], sale_from_row)?;
        rows.map(|r| self.finish(r?)).collect()
    }

    /// The id of this till's sale with this receipt number.
    pub fn sale_id_by_receipt(&self, receipt_no: i64) -> Result<Option<i64>> {
        let till = self.till_id()?;
        Ok(self.conn.prepare_cached("SELECT id FROM sales WHERE till_id = ?1 AND receipt_no = ?2")?.query_row(params![till, receipt_no], |r| r.get(0)).optional()?)
    }

    pub fn sale_events(&self, sale_id: i64) -> Result<Vec<SaleEvent>> {
        let mut st = self.conn.prepare("SELECT sale_id, from_state, to_state, at_ms, detail FROM sale_events WHERE sale_id = ?1 ORDER BY seq")?;
        let rows = st.query_map([sale_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, Option<String>>(4)?)))?;
        rows.map(|r| {
            let (sale_id, from, to, at_ms, detail) = r?;
            let parse = |s: &str| SaleState::parse(s).ok_or_else(|| StoreError::Corrupt(format!("sale state {s}")));
            Ok(SaleEvent { sale_id, from_state: from.as_deref().map(parse).transpose()?, to_state: parse(&to)?, at_ms, detail })
        })
        .collect()
    }

    /// Start-up recovery: every sale found `submitting` may have left, so it becomes
    /// `in_doubt` (one transaction, with a history line each). Returns their ids.
    ///
    /// `unowned` also takes the sales that carry no owner (written without a lease, or
    /// by an older Airtill): right at start only, when no sale of this process is out.
    pub fn recover_submitting(&mut self, now_ms: i64, unowned: bool) -> Result<Vec<i64>> {
        // Only the sales whose sending process is gone: a sale in flight belongs to the
        // process sending it (its lease is still held), whoever else starts meanwhile.
        let orphans: Vec<(i64, String)> = {
            let mut st = self.conn.prepare_cached("SELECT id, state, owner FROM sales WHERE state IN ('created', 'submitting') ORDER BY id")?;
            let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
                .into_iter()
                .filter(|(_, _, owner)| if owner.is_none() { unowned } else { !self.owner_alive(owner.as_deref()) })
                .map(|(id, state, _)| (id, state))
                .collect()
        };
        if orphans.is_empty() {
            return Ok(Vec::new());
        }
        let tx = write_tx(&mut self.conn)?;
        let mut moved = Vec::new();
        for (id, state) in orphans {
            // A sale still `created` was never sent (the move to `submitting` comes first).
            let (from, to, class, message, detail) = if state == "created" {
                (SaleState::Created, SaleState::Failed, "rejected", "Airtill stopped before sending this sale. Nothing was sold.", "found created, its sender gone: never sent")
            } else {
                (
                    SaleState::Submitting,
                    SaleState::InDoubt,
                    "in_doubt",
                    "Airtill stopped while sending this sale. It may have gone through: it is being checked.",
                    "found submitting, its sender gone: the request may have left",
                )
            };
            if recover_one(&tx, id, from, to, class, message, detail, now_ms)? && to == SaleState::InDoubt {
                moved.push(id);
            }
        }
        tx.commit()?;
        Ok(moved)
    }

    /// Unresolved sales the resolver should look at now, oldest first.
    pub fn resolver_due(&self, now_ms: i64, limit: i64) -> Result<Vec<SaleRow>> {
        let sql = format!(
            "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id
             WHERE s.state IN ('created', 'submitting', 'pending', 'in_doubt') AND s.state IN ('pending', 'in_doubt')
               AND (s.next_check_ms IS NULL OR s.next_check_ms <= ?1)
             ORDER BY COALESCE(s.next_check_ms, 0), s.id LIMIT ?2"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params![now_ms, limit], sale_from_row)?;
        rows.map(|r| self.finish(r?)).collect()
    }

    /// When the resolver should next look at any unresolved sale.
    pub fn next_resolver_time(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT MIN(COALESCE(next_check_ms, 0)) FROM sales
             WHERE state IN ('created', 'submitting', 'pending', 'in_doubt') AND state IN ('pending', 'in_doubt')",
            )?
            .query_row([], |r| r.get(0))?)
    }

    /// Records one more check of a sale and when to check again (not a state change).
    pub fn schedule_check(&mut self, id: i64, next_ms: i64, note: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE sales SET checks = checks + 1, next_check_ms = ?2, error_message = COALESCE(?3, error_message)
             WHERE id = ?1 AND state IN ('pending', 'in_doubt')",
            )?
            .execute(params![id, next_ms, note])?;
        Ok(())
    }

    /// Asks for a sale to be cancelled; the resolver sends it (and again after a restart).
    pub fn request_cancel(&mut self, id: i64, now_ms: i64) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE sales SET cancel_requested_ms = ?2, next_check_ms = NULL
             WHERE id = ?1 AND state IN ('pending', 'in_doubt') AND cancel_requested_ms IS NULL",
            )?
            .execute(params![id, now_ms])?;
        Ok(n == 1)
    }

    /// A cancel the provider refused for good (the recharge already reached the network).
    pub fn drop_cancel_request(&mut self, id: i64, now_ms: i64, why: &str) -> Result<()> {
        let tx = write_tx(&mut self.conn)?;
        let state: String = tx.prepare_cached("SELECT state FROM sales WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
        tx.prepare_cached("UPDATE sales SET cancel_requested_ms = NULL WHERE id = ?1")?.execute([id])?;
        tx.prepare_cached(
            "INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sale_events WHERE sale_id = ?1), ?2, ?2, ?3, ?4)",
        )?
        .execute(params![id, state, now_ms, format!("cancel refused: {why}")])?;
        tx.commit()?;
        Ok(())
    }

    /// Moves a sale being sent to another provider after the first refused it for sure
    /// (state stays `submitting`; the move is in the history).
    pub fn reroute(&mut self, id: i64, provider: &str, product_id: i64, why: &str, now_ms: i64) -> Result<SaleRow> {
        let tx = write_tx(&mut self.conn)?;
        let (state, old): (String, String) = tx.prepare_cached("SELECT state, provider FROM sales WHERE id = ?1")?.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if state != "submitting" {
            return Err(StoreError::WrongState { id, expected: "submitting", actual: state });
        }
        tx.prepare_cached("UPDATE sales SET provider = ?2, product_id = ?3, updated_ms = ?4, submitted_ms = ?4 WHERE id = ?1")?.execute(params![id, provider, product_id, now_ms])?;
        tx.prepare_cached("INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sale_events WHERE sale_id = ?1), 'submitting', 'submitting', ?2, ?3)")?.execute(params![id, now_ms, format!("{old} refused it ({why}); sent to {provider}")],
        )?;
        tx.commit()?;
        self.sale(id)
    }

    /// An unresolved sale to this recipient for this amount, if there is one.
    pub fn unresolved_for(&self, recipient: &str, amount_minor: i64) -> Result<Option<SaleRow>> {
        let sql = format!(
            "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id
             WHERE s.recipient = ?1 AND s.amount_minor = ?2 AND s.state IN ('created', 'submitting', 'pending', 'in_doubt')
             ORDER BY s.id LIMIT 1"
        );
        self.conn.prepare_cached(&sql)?.query_row(params![recipient, amount_minor], sale_from_row).optional()?.map(|p| self.finish(p)).transpose()
    }

    /// Records a manager's override (append-only).
    pub fn record_override(&mut self, sale_id: Option<i64>, kind: &str, manager_id: i64, reason: &str, now_ms: i64) -> Result<i64> {
        self.conn.prepare_cached("INSERT INTO overrides (sale_id, kind, manager_id, reason, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![sale_id, kind, manager_id, reason, now_ms])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// `(kind, manager name, reason)` of a sale's overrides.
    pub fn overrides_of(&self, sale_id: i64) -> Result<Vec<(String, String, String)>> {
        let mut st = self.conn.prepare("SELECT o.kind, u.name, COALESCE(o.reason, '') FROM overrides o JOIN users u ON u.id = o.manager_id WHERE o.sale_id = ?1 ORDER BY o.id")?;
        let rows = st.query_map([sale_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The routes: kind key → providers in order.
    pub fn routes(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut st = self.conn.prepare("SELECT kind_key, providers FROM routes ORDER BY kind_key")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (k, p) = r?;
            Ok((k, p.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()))
        })
        .collect()
    }

    pub fn set_route(&mut self, kind_key: &str, providers: &[String]) -> Result<()> {
        if providers.is_empty() {
            self.conn.prepare_cached("DELETE FROM routes WHERE kind_key = ?1")?.execute([kind_key])?;
        } else {
            self.conn
                .prepare_cached("INSERT INTO routes (kind_key, providers) VALUES (?1, ?2) ON CONFLICT(kind_key) DO UPDATE SET providers = excluded.providers")?
                .execute(params![kind_key, providers.join(",")])?;
        }
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.prepare_cached("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?.execute(params![key, value])?;
        Ok(())
    }

    pub fn sale_count(&self) -> Result<i64> {
        Ok(self.conn.prepare_cached("SELECT COUNT(*) FROM sales")?.query_row([], |r| r.get(0))?)
    }

    /// All sales (for reconciliation and tests), oldest first.
    pub fn all_sales(&self) -> Result<Vec<SaleRow>> {
        let sql = format!("SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id ORDER BY s.id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], sale_from_row)?;
        rows.map(|r| self.finish(r?)).collect()
    }

    /// A provider's cached catalog: `(etag, body)`.
    pub fn cached_catalog(&self, provider: &str) -> Result<Option<(Option<String>, String)>> {
        Ok(self.conn.query_row("SELECT etag, body FROM catalog_cache WHERE provider = ?1", [provider], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    pub fn save_catalog(&mut self, provider: &str, etag: Option<&str>, body: &str, now_ms: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO catalog_cache (provider, etag, body, fetched_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(provider) DO UPDATE SET etag = excluded.etag, body = excluded.body, fetched_ms = excluded.fetched_ms",
            )?
            .execute(params![provider, etag, body, now_ms])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
