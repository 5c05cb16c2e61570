//! The Smartcall Web Service V3 simulator.
//!
//! Behaviour from the spec's QA simulator and the real service (providers.md §1):
//! R11 is a business failure, R13 is "network pending" that resolves later, networks
//! drop in rotation (switchable), a duplicate client reference is 1001, the same number
//! and amount within 5 minutes is 16, cancels work only before submission (7 when
//! already cancelled), tokens live 24 h or 4 h idle with at most 20 per user (429), a
//! POST without `Content-Type: application/json` gets the HTML 415 page, PINs come
//! right-padded and success is spelt `SUCESSFUL`. Faults can be injected per request
//! ([`Fault`]). Time comes from a [`Clock`] the tests control.

pub mod catalog;
mod faults;
mod form;
mod recharge;
mod services;
mod wallet;

pub use faults::Fault;

use crate::clock::{Clock, SystemClock};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use catalog::{network_ids, network_json, render, SimProduct};
use rand::Rng;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// A batch voucher order as the sandbox took it: `(order id, client reference, [(ticket, PIN)])`.
pub type VoucherOrder = (i64, String, Vec<(String, String)>);

/// Training mode's account: the app logs in with these when no account is set up.
pub const TRAINING_USERNAME: &str = "training";
pub const TRAINING_PASSWORD: &str = "training";
pub const TRAINING_SMARTLOAD_ID: &str = "27820000001";
/// A second dealer account of the training user, for funds transfers.
pub const TRAINING_SECOND_SMARTLOAD_ID: &str = "27820000002";
/// A RICA agent number known to the sandbox (enabled, under the master dealer).
pub const TRAINING_RICA_AGENT: &str = "27821234567";
/// The practice meter registered for free basic electricity: its first token of each
/// month comes with a free-basic token (`additionalVoucherPin`) as well.
pub const TRAINING_FREE_BASIC_METER: &str = "04040404040";
/// The training wallet starts with R100 000.00.
pub const TRAINING_WALLET_CENTS: i64 = 10_000_000;

const TOKEN_LIFE_MS: i64 = 24 * 3600 * 1000;
const TOKEN_IDLE_MS: i64 = 4 * 3600 * 1000;
const MAX_TOKENS: usize = 20;
const DUPLICATE_WINDOW_MS: i64 = 5 * 60 * 1000;
/// How long an R13 "network pending" recharge stays pending.
pub const PENDING_RESOLVES_AFTER_MS: i64 = 2 * 60 * 1000;
/// How long an ordinary pinless recharge waits in Smartcall's queue before it reaches
/// the network (and can no longer be cancelled), unless changed with
/// [`SmartcallSandbox::set_queue_delay_ms`].
pub const ASYNC_SETTLES_AFTER_MS: i64 = 3 * 1000;
/// How long each network stays down in the QA simulator's rotation.
pub const ROTATION_SLOT_MS: i64 = 5 * 60 * 1000;
/// The health keys, in rotation order.
pub const HEALTH_KEYS: [&str; 5] = ["vodacom", "mtn", "cellc", "telkom", "virgin"];

/// One sale the sandbox accepted: what the provider's books say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub client_reference: String,
    pub order_reference_id: i64,
    pub smartload_id: String,
    /// `recharge`, `payment` or `voucher_order`.
    pub kind: &'static str,
    pub product_id: i64,
    /// The catalog network (`MTN`, `Electricity-Eskom`, `EasyPay`, `DSTV`).
    pub network: String,
    pub device_id: String,
    /// Cents.
    pub amount: i64,
    /// Ten-thousandths of a rand debited from the wallet (amount less discount, to
    /// the service's four decimals).
    pub cost: i64,
    /// The discount it was charged at, ten-thousandths of a percent.
    pub discount: i64,
    /// `REQUESTED`, `PENDING`, `SUCESSFUL`, `FAILED`, `CANCELLED`.
    pub status: &'static str,
    pub voucher_pin: Option<String>,
    /// Electricity: the free-basic-electricity token issued with the token, when the
    /// meter is registered for it and this is its first token of the month.
    pub additional_pin: Option<String>,
    pub ticket_number: Option<String>,
    pub created_ms: i64,
    /// When a failed pinless recharge's cost comes back to the wallet.
    pub refund_due_ms: Option<i64>,
    pub refunded: bool,
}

impl LedgerEntry {
    /// A sale that is final at once (a payment, a voucher order).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn done(cref: &str, order_ref: i64, sid: &str, kind: &'static str, product_id: i64, network: &str, device: &str, amount: i64, discount: i64, now: i64) -> LedgerEntry {
        LedgerEntry {
            client_reference: cref.to_string(),
            order_reference_id: order_ref,
            smartload_id: sid.to_string(),
            kind,
            product_id,
            network: network.to_string(),
            device_id: device.to_string(),
            amount,
            cost: cost_e4(amount, discount),
            discount,
            status: "SUCESSFUL",
            voucher_pin: None,
            additional_pin: None,
            ticket_number: None,
            created_ms: now,
            refund_due_ms: None,
            refunded: false,
        }
    }

    /// True when this sale counts as sold (the money stays with the provider).
    pub fn is_sold(&self) -> bool {
        self.status == "SUCESSFUL"
    }
}

/// A wallet movement, for balances and cashups.
#[derive(Debug, Clone)]
pub(crate) struct Movement {
    pub ms: i64,
    pub smartload_id: String,
    /// Ten-thousandths of a rand, signed.
    pub delta: i64,
    pub kind: MovementKind,
}

#[derive(Debug, Clone)]
pub(crate) enum MovementKind {
    /// A sale's cost (negative), with its retail amount and cashup item name.
    Sale { item: String, amount: i64 },
    /// A failed sale's cost returned.
    Refund { item: String, amount: i64 },
    /// A funds transfer in.
    Deposit,
    /// A funds transfer out.
    TransferOut,
}

struct TokenInfo {
    user: String,
    issued_ms: i64,
    last_used_ms: i64,
}

pub(crate) struct Prevend {
    pub created_ms: i64,
    pub mobile: bool,
}

pub(crate) struct Order {
    pub order_id: i64,
    pub smartload_id: String,
    pub client_reference: String,
    pub password: String,
    pub file_version: u32,
    /// (ticket, pin, amount cents, expiry yyyy-mm-dd, box, batch)
    pub vouchers: Vec<(String, String, i64, String, String, String)>,
    pub amount: i64,
}

pub(crate) struct Registration {
    pub id: String,
    pub msisdn: String,
    pub created_ms: i64,
    pub rejected: Option<String>,
    pub agent: bool,
}

pub(crate) struct Inner {
    users: HashMap<String, (String, Vec<String>)>,
    tokens: HashMap<String, TokenInfo>,
    pub wallets: HashMap<String, i64>,
    pub products: Vec<SimProduct>,
    pub ledger: Vec<LedgerEntry>,
    /// Ledger positions by client reference, by Smartload (order) reference, by
    /// device and amount, and of entries that may still change: a real provider
    /// looks a sale up by key, not by reading its whole history each time.
    by_client_ref: HashMap<String, usize>,
    by_order_ref: HashMap<i64, usize>,
    by_device: HashMap<(String, i64), Vec<usize>>,
    pub open: std::collections::BTreeSet<usize>,
    pub movements: Vec<Movement>,
    pub prevends: HashMap<String, Prevend>,
    pub orders: Vec<Order>,
    pub registrations: Vec<Registration>,
    pub next_order_ref: i64,
    pub queue_delay_ms: i64,
    /// Meters registered for free basic electricity, and the months (`year * 12 +
    /// month`, South African time) each has had its free-basic token in.
    pub free_basic_meters: std::collections::HashSet<String>,
    pub free_basic_issued: std::collections::HashSet<(String, i64)>,
    pub forced_down: Vec<String>,
    pub rotation_from_ms: Option<i64>,
}

pub(crate) struct Shared {
    inner: Mutex<Inner>,
    pub clock: Arc<dyn Clock>,
    logins: AtomicU64,
    pub faults: Mutex<faults::FaultState>,
}

impl Inner {
    /// Records a sale in the ledger and its indexes; returns its position.
    pub fn record(&mut self, e: LedgerEntry) -> usize {
        let i = self.ledger.len();
        self.by_client_ref.insert(e.client_reference.clone(), i);
        self.by_order_ref.insert(e.order_reference_id, i);
        self.by_device.entry((e.device_id.clone(), e.amount)).or_default().push(i);
        if matches!(e.status, "REQUESTED" | "PENDING" | "FAILED") {
            self.open.insert(i);
        }
        self.ledger.push(e);
        i
    }

    pub fn by_client_ref(&self, cref: &str) -> Option<usize> {
        self.by_client_ref.get(cref).copied()
    }

    pub fn by_order_ref(&self, oref: i64) -> Option<usize> {
        self.by_order_ref.get(&oref).copied()
    }

    /// Entries to this device of this amount, newest last.
    pub fn to_device(&self, device: &str, amount: i64) -> impl Iterator<Item = &LedgerEntry> {
        self.by_device.get(&(device.to_string(), amount)).into_iter().flatten().map(|&i| &self.ledger[i])
    }
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) type St = Arc<Shared>;

/// A running simulator on a loopback port. Dropping it stops the server.
pub struct SmartcallSandbox {
    addr: SocketAddr,
    shared: St,
    /// Stops the server that runs now; `None` while it is stopped (an outage).
    stop: Mutex<Option<oneshot::Sender<()>>>,
    /// Ends when the server that runs now has let go of its port.
    done: Mutex<Option<oneshot::Receiver<()>>>,
}

/// Serves the simulator on `listener` until the returned sender fires; the receiver
/// answers once the port is free again.
fn serve(shared: St, listener: tokio::net::TcpListener) -> (oneshot::Sender<()>, oneshot::Receiver<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let (done_tx, done) = oneshot::channel::<()>();
    let app = router(shared);
    tokio::spawn(async move {
        use axum::serve::ListenerExt;
        // Answers go out at once (no Nagle delay), as a real service's do.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        let _ = done_tx.send(());
    });
    (stop, done)
}

impl SmartcallSandbox {
    /// Starts on a free loopback port with the training account and the system clock.
    pub async fn start() -> std::io::Result<SmartcallSandbox> {
        Self::start_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(clock: Arc<dyn Clock>) -> std::io::Result<SmartcallSandbox> {
        Self::start_on(clock, ("127.0.0.1", 0)).await
    }

    /// Starts on a given address (a fixed port for a sandbox shared between processes).
    pub async fn start_on(clock: Arc<dyn Clock>, addr: impl tokio::net::ToSocketAddrs) -> std::io::Result<SmartcallSandbox> {
        let mut users = HashMap::new();
        users.insert(TRAINING_USERNAME.to_string(), (TRAINING_PASSWORD.to_string(), vec![TRAINING_SMARTLOAD_ID.to_string(), TRAINING_SECOND_SMARTLOAD_ID.to_string()]));
        let mut wallets = HashMap::new();
        wallets.insert(TRAINING_SMARTLOAD_ID.to_string(), TRAINING_WALLET_CENTS * 100);
        wallets.insert(TRAINING_SECOND_SMARTLOAD_ID.to_string(), 0);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                users,
                tokens: HashMap::new(),
                wallets,
                products: catalog::products(),
                ledger: Vec::new(),
                by_client_ref: HashMap::new(),
                by_order_ref: HashMap::new(),
                by_device: HashMap::new(),
                open: Default::default(),
                movements: Vec::new(),
                prevends: HashMap::new(),
                orders: Vec::new(),
                registrations: Vec::new(),
                next_order_ref: 130_078_272,
                queue_delay_ms: ASYNC_SETTLES_AFTER_MS,
                free_basic_meters: [TRAINING_FREE_BASIC_METER.to_string()].into(),
                free_basic_issued: Default::default(),
                forced_down: Vec::new(),
                rotation_from_ms: None,
            }),
            clock,
            logins: AtomicU64::new(0),
            faults: Mutex::new(faults::FaultState::default()),
        });
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, done) = serve(shared.clone(), listener);
        tracing::info!(%addr, "Smartcall sandbox listening");
        Ok(SmartcallSandbox { addr, shared, stop: Mutex::new(Some(stop)), done: Mutex::new(Some(done)) })
    }

    /// The base URL to configure the client with (`http://127.0.0.1:PORT/webservice`).
    pub fn base_url(&self) -> String {
        format!("http://{}/webservice", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Everything the sandbox accepted, in order, with pending sales moved on to
    /// where the clock says they are.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        let mut inner = self.shared.lock();
        let now = self.shared.clock.now_ms();
        recharge::settle(&mut inner, now);
        inner.ledger.clone()
    }

    /// How many sales the sandbox has accepted (cheap: no copy of the ledger).
    pub fn ledger_len(&self) -> usize {
        self.shared.lock().ledger.len()
    }

    /// A wallet's balance in ten-thousandths of a rand (the service keeps four decimals).
    pub fn wallet_e4(&self, smartload_id: &str) -> Option<i64> {
        let mut inner = self.shared.lock();
        let now = self.shared.clock.now_ms();
        recharge::settle(&mut inner, now);
        inner.wallets.get(smartload_id).copied()
    }

    /// Live tokens (for tests of the client's token discipline).
    pub fn live_tokens(&self) -> usize {
        let mut inner = self.shared.lock();
        let now = self.shared.clock.now_ms();
        expire_tokens(&mut inner, now);
        inner.tokens.len()
    }

    /// How many successful logins (`POST /auth`) the sandbox has answered.
    /// The access tokens handed out so far (for tests that check none leaked).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.lock().tokens.keys().cloned().collect()
    }

    pub fn logins(&self) -> u64 {
        self.shared.logins.load(Ordering::SeqCst)
    }

    /// Invalidates every live token, as when the service restarts.
    pub fn expire_all_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// Injects `fault` into the next request whose method and path (below
    /// `/webservice`) match; `path_prefix` `""` matches any path.
    pub fn inject(&self, method: &str, path_prefix: &str, fault: Fault) {
        self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()).push(method, path_prefix, fault);
    }

    /// Injects `fault` into the next sale request (a recharge of any kind, or a payment).
    pub fn inject_next_sale(&self, fault: Fault) {
        self.inject("POST", faults::SALE_PATHS_MARK, fault);
    }

    /// From now on, `percent`% of sale requests get a fault drawn from `kinds`
    /// (seeded, so a run can be repeated). `percent` 0 turns it off.
    pub fn set_random_faults(&self, percent: u32, seed: u64, kinds: Vec<Fault>) {
        self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()).set_random(percent, seed, kinds);
    }

    /// How many faults have been applied, by kind name.
    pub fn faults_applied(&self) -> HashMap<&'static str, u64> {
        self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()).applied.clone()
    }

    /// Forces a network (`vodacom`, `mtn`, `cellc`, `telkom`, `virgin`) down or up.
    pub fn set_network_down(&self, key: &str, down: bool) {
        let mut inner = self.shared.lock();
        inner.forced_down.retain(|k| k != key);
        if down {
            inner.forced_down.push(key.to_string());
        }
    }

    /// Turns the QA simulator's rotation on (from the clock's now) or off: each network
    /// in turn is down for 5 minutes, with 5 minutes of all up in between.
    pub fn set_rotation(&self, on: bool) {
        let now = self.shared.clock.now_ms();
        self.shared.lock().rotation_from_ms = on.then_some(now);
    }

    /// Registers a meter for free basic electricity (the practice one is
    /// [`TRAINING_FREE_BASIC_METER`]).
    pub fn register_free_basic_meter(&self, meter: &str) {
        self.shared.lock().free_basic_meters.insert(meter.to_string());
    }

    /// How long pinless recharges and electricity wait in the queue before reaching the
    /// network (electricity's token is issued then).
    pub fn set_queue_delay_ms(&self, ms: i64) {
        self.shared.lock().queue_delay_ms = ms.max(0);
    }

    /// Changes a product's discount, in ten-thousandths of a percent (both
    /// `smsIndicator` twins, the SMS one 0.25% lower): the catalog and its `ETag` change.
    pub fn set_discount(&self, product_id: i64, discount_e4: i64) {
        let mut inner = self.shared.lock();
        for q in inner.products.iter_mut().filter(|q| q.id == product_id) {
            q.discount = discount_e4 - if q.sms { catalog::SMS_DISCOUNT_LESS } else { 0 };
        }
    }

    /// Makes the two catalog entries of a product disagree on its price (a broken
    /// catalog, for tests): the `smsIndicator` twin costs `cents` instead.
    pub fn set_twin_price(&self, product_id: i64, cents: i64) {
        let mut inner = self.shared.lock();
        for q in inner.products.iter_mut().filter(|q| q.id == product_id && q.sms) {
            q.retail = cents;
            q.min = cents;
            q.max = cents;
        }
    }

    /// An outage: `true` stops the server (connections are refused: the service
    /// cannot be reached); `false` starts it again on the same port, with everything
    /// it held. Answers once the change is done.
    pub async fn set_offline(&self, offline: bool) -> std::io::Result<()> {
        if offline {
            let stop = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take();
            let done = self.done.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(s) = stop {
                let _ = s.send(());
            }
            if let Some(d) = done {
                // In-flight requests finish first; idle connections are closed.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), d).await;
            }
            tracing::info!(addr = %self.addr, "Smartcall sandbox offline");
            return Ok(());
        }
        if self.stop.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
            return Ok(());
        }
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    tracing::debug!("port not free yet: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        };
        let (stop, done) = serve(self.shared.clone(), listener);
        *self.stop.lock().unwrap_or_else(|p| p.into_inner()) = Some(stop);
        *self.done.lock().unwrap_or_else(|p| p.into_inner()) = Some(done);
        tracing::info!(addr = %self.addr, "Smartcall sandbox back online");
        Ok(())
    }

    /// True while the simulator is stopped by [`SmartcallSandbox::set_offline`].
    pub fn is_offline(&self) -> bool {
        self.stop.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }

    /// The batch voucher orders taken: `(order id, client reference, [(ticket, PIN)])`.
    pub fn voucher_orders(&self) -> Vec<VoucherOrder> {
        self.shared.lock().orders.iter().map(|o| (o.order_id, o.client_reference.clone(), o.vouchers.iter().map(|v| (v.0.clone(), v.1.clone())).collect())).collect()
    }

    /// Sets a wallet's balance in cents (a deposit made at the bank, say).
    pub fn set_wallet(&self, smartload_id: &str, cents: i64) {
        self.shared.lock().wallets.insert(smartload_id.to_string(), cents * 100);
    }

    /// Stops the server now: when this returns, a new connection is refused (see
    /// [`SmartcallSandbox::set_offline`] to stop and start it again).
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = s.send(());
            crate::common::wait_until_refused(self.addr);
        }
    }
}

impl Drop for SmartcallSandbox {
    fn drop(&mut self) {
        // Dropped: the signal only; nobody waits for the port.
        if let Some(s) = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = s.send(());
        }
    }
}

fn router(st: St) -> Router {
    let api = Router::new()
        .route("/auth", post(auth_login).delete(auth_invalidate))
        .route("/auth/token", get(token_query).delete(token_flush))
        .route("/test/ping", get(|| async { json_response(StatusCode::OK, json!({"response": "Pong"})) }))
        .route("/smartload/balance/{id}", get(wallet::balance))
        .route("/smartload/registered/{msisdn}", get(wallet::registered))
        .route("/smartload/networks", get(networks))
        .route("/smartload/networks/{id}", get(network))
        .route("/smartload/products/{id}", get(product))
        .route("/smartload/recharges", post(recharge::recharge_async))
        .route("/smartload/v2/recharges", post(recharge::recharge_sync))
        .route("/smartload/recharges/batch", post(recharge::recharge_batch))
        .route("/smartload/prevend", post(recharge::prevend))
        .route("/smartload/recharges/{sid}/{cref}", get(recharge::transaction_by_client_ref).delete(recharge::cancel_by_client_ref))
        .route("/smartload/recharges/{sid}/reference/{oref}", get(recharge::transaction_by_smartload_ref).delete(recharge::cancel_by_smartload_ref))
        .route("/smartload/fundstransfer", post(wallet::funds_transfer))
        .route("/smartload/cashup/{sid}", get(wallet::cashup_today))
        .route("/smartload/cashup", post(wallet::cashup_period))
        .route("/smartload/vouchers/orders", post(wallet::order_vouchers))
        .route("/smartload/vouchers/orders/{sid}/{order}/file", get(wallet::order_file))
        .route("/smartload/vouchers/orders/{sid}/{order}/recreate", post(wallet::recreate_order_file))
        .route("/utilities/simnetwork/{msisdn}", get(services::sim_network))
        .route("/utilities/health", get(services::health))
        .route("/payments/easypay/{kind}/{value}", get(services::easypay_query))
        .route("/payments/easypay", post(services::easypay_pay))
        .route("/payments/dstv/{kind}/{value}", get(services::dstv_query))
        .route("/payments/dstv", post(services::dstv_pay))
        .route("/smartrica/changeownership", post(services::rica_change_ownership))
        .route("/smartrica/registrations", post(services::rica_register))
        .route("/smartrica/registrations/{id}", get(services::rica_status))
        .route("/smartrica/agents", post(services::rica_register_agent))
        .route("/smartrica/agents/{msisdn}", get(services::rica_agent))
        .route("/smartrica/agents/registrations/{id}", get(services::rica_agent_status))
        .layer(axum::middleware::from_fn_with_state(st.clone(), faults::layer));
    Router::new().nest("/webservice", api).with_state(st)
}

pub(crate) fn json_response(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], render(&v)).into_response()
}

/// The flat business-error shape: `{"code":16,"message":"..."}`.
pub(crate) fn code_error(status: StatusCode, code: i64, message: &str) -> Response {
    json_response(status, json!({"code": code, "message": message}))
}

pub(crate) fn ok_envelope(mut fields: Value) -> Response {
    let mut v = json!({"error": null, "responseCode": "SUCCESS"});
    if let (Some(o), Some(extra)) = (v.as_object_mut(), fields.as_object_mut()) {
        o.append(extra);
    }
    json_response(StatusCode::OK, v)
}

fn auth_failure(description: &str) -> Response {
    json_response(StatusCode::UNAUTHORIZED, json!({"responseDescription": description, "accessToken": null, "tokenType": null, "expiresAt": null, "scope": null}))
}

/// The HTML page the real service sends for a POST without a JSON content type.
pub(crate) fn unsupported_media_type() -> Response {
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
        "<!DOCTYPE html><html><head><title>Error 415 Unsupported Media Type</title></head><body><h1>HTTP Status 415 - Unsupported Media Type</h1></body></html>",
    )
        .into_response()
}

pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"))
}

fn basic_user(headers: &HeaderMap, inner: &Inner) -> Result<String, Response> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(b64) = value.strip_prefix("Basic ") else {
        return Err(auth_failure("Authorization denied. Invalid authorization header"));
    };
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok().and_then(|b| String::from_utf8(b).ok());
    let Some((user, pass)) = decoded.as_deref().and_then(|s| s.split_once(':')) else {
        return Err(auth_failure("Authorization denied. Invalid authorization header"));
    };
    match inner.users.get(user) {
        None => Err(auth_failure("Invalid username")),
        Some((p, _)) if p != pass => Err(auth_failure("Invalid password")),
        Some(_) => Ok(user.to_string()),
    }
}

fn expire_tokens(inner: &mut Inner, now: i64) {
    inner.tokens.retain(|_, t| now - t.issued_ms < TOKEN_LIFE_MS && now - t.last_used_ms < TOKEN_IDLE_MS);
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(|t| t.trim().to_string())
}

/// Drops one token (the fault "token expiry").
pub(crate) fn kill_token(st: &Shared, token: &str) {
    st.lock().tokens.remove(token);
}

/// The user behind a bearer token, touching it; a 401 answer otherwise.
pub(crate) fn bearer_user(headers: &HeaderMap, inner: &mut Inner, now: i64) -> Result<String, Response> {
    expire_tokens(inner, now);
    let Some(token) = bearer_token(headers) else {
        return Err(auth_failure("Authorization denied. Invalid authorization header"));
    };
    match inner.tokens.get_mut(&token) {
        Some(t) => {
            t.last_used_ms = now;
            Ok(t.user.clone())
        }
        None => Err(auth_failure("Authorization denied. Token validation failed")),
    }
}

/// Debits a sale's cost from a wallet, or the service's code 15 with the balance.
pub(crate) fn debit(inner: &mut Inner, smartload_id: &str, cost: i64) -> Result<(), (i64, String)> {
    let wallet = inner.wallets.get(smartload_id).copied().unwrap_or(0);
    if wallet < cost {
        return Err((15, format!("Insufficient funds in the SmartLoad wallet - Current balance: {}", balance_text(wallet))));
    }
    inner.wallets.insert(smartload_id.to_string(), wallet - cost);
    Ok(())
}

/// The bearer's user, who must own `smartload_id` (403 code 400 otherwise).
pub(crate) fn owner(headers: &HeaderMap, inner: &mut Inner, now: i64, smartload_id: &str) -> Result<String, Response> {
    let user = bearer_user(headers, inner, now)?;
    if !owns(inner, &user, smartload_id) {
        return Err(not_registered());
    }
    Ok(user)
}

pub(crate) fn owns(inner: &Inner, user: &str, smartload_id: &str) -> bool {
    inner.users.get(user).is_some_and(|(_, ids)| ids.iter().any(|i| i == smartload_id))
}

/// Is `msisdn` a Smartload dealer account the sandbox knows?
pub(crate) fn is_dealer(inner: &Inner, msisdn: &str) -> bool {
    inner.wallets.contains_key(msisdn)
}

pub(crate) fn not_registered() -> Response {
    code_error(StatusCode::FORBIDDEN, 400, "The supplied Smartload ID is not registered to your account")
}

async fn auth_login(State(st): State<St>, headers: HeaderMap) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let user = match basic_user(&headers, &inner) {
        Ok(u) => u,
        Err(r) => return r,
    };
    expire_tokens(&mut inner, now);
    let live = inner.tokens.values().filter(|t| t.user == user).count();
    if live >= MAX_TOKENS {
        return json_response(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"responseDescription": "Maximum concurrent session limit reached. Limit is 20", "accessToken": null, "tokenType": null, "expiresAt": null, "scope": null}),
        );
    }
    let token = new_token();
    inner.tokens.insert(token.clone(), TokenInfo { user, issued_ms: now, last_used_ms: now });
    st.logins.fetch_add(1, Ordering::SeqCst);
    json_response(
        StatusCode::OK,
        json!({
            "responseDescription": "Authentication successful",
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresAt": now + TOKEN_LIFE_MS,
            "scope": "WEBSERVICE_SMARTLOAD_FULL,WEBSERVICE_SMARTRICA_FULL",
        }),
    )
}

fn new_token() -> String {
    let mut rng = rand::rng();
    let part = |rng: &mut rand::rngs::ThreadRng, n: usize| -> String {
        let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    format!("eyJhbGciOiJIUzUxMiJ9.{}.{}", part(&mut rng, 48), part(&mut rng, 32))
}

async fn auth_invalidate(State(st): State<St>, headers: HeaderMap) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    if let Some(token) = bearer_token(&headers) {
        inner.tokens.remove(&token);
    }
    json_response(StatusCode::OK, json!({"responseDescription": "Token invalidation successful", "accessToken": null, "tokenType": null, "expiresAt": null, "scope": null}))
}

/// Basic or Bearer: the user either way.
fn any_user(headers: &HeaderMap, inner: &mut Inner, now: i64) -> Result<String, Response> {
    let is_basic = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("Basic "));
    if is_basic {
        basic_user(headers, inner)
    } else {
        bearer_user(headers, inner, now)
    }
}

async fn token_query(State(st): State<St>, headers: HeaderMap) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let user = match any_user(&headers, &mut inner, now) {
        Ok(u) => u,
        Err(r) => return r,
    };
    expire_tokens(&mut inner, now);
    let live = inner.tokens.values().filter(|t| t.user == user).count();
    json_response(StatusCode::OK, json!({"availableTokens": MAX_TOKENS - live}))
}

async fn token_flush(State(st): State<St>, headers: HeaderMap) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let user = match any_user(&headers, &mut inner, now) {
        Ok(u) => u,
        Err(r) => return r,
    };
    inner.tokens.retain(|_, t| t.user != user);
    json_response(StatusCode::OK, json!({"availableTokens": MAX_TOKENS}))
}

/// A stable hash of a rendered body, as the service's `ETag`.
fn etag_of(body: &str) -> String {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in body.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("\"{h:016x}\"")
}

fn with_etag(headers: &HeaderMap, v: Value) -> Response {
    let body = render(&v);
    let tag = etag_of(&body);
    let asked = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    if asked == Some(tag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json".to_string()), (header::ETAG, tag)], body).into_response()
}

async fn networks(State(st): State<St>, headers: HeaderMap) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let nets: Vec<Value> = network_ids(&inner.products).into_iter().filter_map(|id| network_json(id, &inner.products)).collect();
    with_etag(&headers, json!({ "networks": nets }))
}

async fn network(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    match id.parse::<i64>().ok().and_then(|id| network_json(id, &inner.products)) {
        Some(n) => with_etag(&headers, n),
        None => code_error(StatusCode::BAD_REQUEST, 5, "Invalid recharge network"),
    }
}

async fn product(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return code_error(StatusCode::BAD_REQUEST, 9, "Invalid Offering ID (product code)");
    };
    let Some(p) = inner.products.iter().find(|p| p.id == id) else {
        return code_error(StatusCode::BAD_REQUEST, 9, "Invalid Offering ID (product code)");
    };
    // The product and its twin with the other smsIndicator (same id).
    let twins: Vec<Value> = inner.products.iter().filter(|q| q.id == p.id).map(catalog::product_json).collect();
    with_etag(&headers, json!({ "products": twins }))
}

/// `99574.75`-style amounts.
pub(crate) fn two_places(cents: i64) -> Value {
    catalog::raw_number(format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100))
}

/// `99973.4750`-style amounts, from ten-thousandths.
pub(crate) fn four(e4: i64) -> Value {
    catalog::four_places_e4(e4)
}

/// `R450.00`.
pub(crate) fn rand_text(cents: i64) -> String {
    format!("{}R{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100)
}

/// `R14.175`, `R450.00`: ten-thousandths as the enquiry writes a cost (two to four
/// decimals).
pub(crate) fn rand_text_e4(e4: i64) -> String {
    let frac = format!("{:04}", e4.abs() % 10_000);
    let frac = frac.trim_end_matches('0');
    format!("{}R{}.{frac:0<2}", if e4 < 0 { "-" } else { "" }, e4.abs() / 10_000)
}

/// What the wallet pays for `cents` at a discount of `discount_e4` ten-thousandths of
/// a percent: the service keeps four decimals and rounds the discount half up.
pub(crate) fn cost_e4(cents: i64, discount_e4: i64) -> i64 {
    let off = (i128::from(cents) * i128::from(discount_e4) + 5_000) / 10_000;
    cents * 100 - off as i64
}

/// The wallet in ten-thousandths as the insufficient-funds message shows it (`R12.3450`).
pub(crate) fn balance_text(e4: i64) -> String {
    format!("{}R{}.{:04}", if e4 < 0 { "-" } else { "" }, e4.abs() / 10_000, e4.abs() % 10_000)
}

/// The health key of a catalog network, if it is a mobile network.
pub(crate) fn health_key(network: &str) -> Option<&'static str> {
    let n = network.to_ascii_lowercase();
    HEALTH_KEYS.into_iter().find(|k| match *k {
        "cellc" => n.starts_with("cell"),
        k => n.starts_with(k),
    })
}

/// Is this mobile network down now (forced, or by the rotation)?
pub(crate) fn is_down(inner: &Inner, key: &str, now: i64) -> bool {
    if inner.forced_down.iter().any(|k| k == key) {
        return true;
    }
    let Some(from) = inner.rotation_from_ms else {
        return false;
    };
    let slot = ((now - from).max(0) / ROTATION_SLOT_MS) as usize % (HEALTH_KEYS.len() * 2);
    slot.is_multiple_of(2) && HEALTH_KEYS[slot / 2] == key
}
