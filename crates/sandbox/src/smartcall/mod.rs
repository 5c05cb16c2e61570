//! The Smartcall Web Service V3 simulator.
//!
//! Behaviour from the spec's QA simulator and the real service (providers.md §1):
//! R11 is a business failure, R13 is "network pending" that resolves later, a
//! duplicate client reference is 1001, the same number and amount within 5 minutes is
//! 16, a POST without `Content-Type: application/json` gets the HTML 415 page, PINs
//! come right-padded and success is spelt `SUCESSFUL`.

pub mod catalog;

use crate::clock::{Clock, SystemClock};
use airtill_domain::money::parse_decimal;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use catalog::{four_places, network_ids, network_json, raw_number, render, SimProduct};
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Training mode's account: the app logs in with these when no account is set up.
pub const TRAINING_USERNAME: &str = "training";
pub const TRAINING_PASSWORD: &str = "training";
pub const TRAINING_SMARTLOAD_ID: &str = "27820000001";
/// The training wallet starts with R100 000.00.
pub const TRAINING_WALLET_CENTS: i64 = 10_000_000;

const TOKEN_LIFE_MS: i64 = 24 * 3600 * 1000;
const TOKEN_IDLE_MS: i64 = 4 * 3600 * 1000;
const MAX_TOKENS: usize = 20;
const DUPLICATE_WINDOW_MS: i64 = 5 * 60 * 1000;
/// How long an R13 "network pending" recharge stays pending.
pub const PENDING_RESOLVES_AFTER_MS: i64 = 2 * 60 * 1000;
/// How long an ordinary pinless recharge takes to reach the network.
pub const ASYNC_SETTLES_AFTER_MS: i64 = 3 * 1000;

/// One recharge the sandbox accepted: what the provider's books say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub client_reference: String,
    pub order_reference_id: i64,
    pub smartload_id: String,
    pub product_id: i64,
    pub device_id: String,
    /// Cents.
    pub amount: i64,
    /// Cents debited from the wallet (amount less discount).
    pub cost: i64,
    /// `PENDING`, `SUCESSFUL`, `FAILED`, `CANCELLED`.
    pub status: &'static str,
    pub voucher_pin: Option<String>,
    pub ticket_number: Option<String>,
    pub created_ms: i64,
}

struct TokenInfo {
    user: String,
    issued_ms: i64,
    last_used_ms: i64,
}

struct Inner {
    users: HashMap<String, (String, Vec<String>)>,
    tokens: HashMap<String, TokenInfo>,
    wallets: HashMap<String, i64>,
    products: Vec<SimProduct>,
    ledger: Vec<LedgerEntry>,
    next_order_ref: i64,
}

struct Shared {
    inner: Mutex<Inner>,
    clock: Arc<dyn Clock>,
}

type St = Arc<Shared>;

/// A running simulator on a loopback port. Dropping it stops the server.
pub struct SmartcallSandbox {
    addr: SocketAddr,
    shared: St,
    stop: Option<oneshot::Sender<()>>,
}

impl SmartcallSandbox {
    /// Starts on a free loopback port with the training account and the system clock.
    pub async fn start() -> std::io::Result<SmartcallSandbox> {
        Self::start_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(clock: Arc<dyn Clock>) -> std::io::Result<SmartcallSandbox> {
        let mut users = HashMap::new();
        users.insert(TRAINING_USERNAME.to_string(), (TRAINING_PASSWORD.to_string(), vec![TRAINING_SMARTLOAD_ID.to_string()]));
        let mut wallets = HashMap::new();
        wallets.insert(TRAINING_SMARTLOAD_ID.to_string(), TRAINING_WALLET_CENTS);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                users,
                tokens: HashMap::new(),
                wallets,
                products: catalog::products(),
                ledger: Vec::new(),
                next_order_ref: 130_078_272,
            }),
            clock,
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        tracing::info!(%addr, "Smartcall sandbox listening");
        Ok(SmartcallSandbox { addr, shared, stop: Some(stop) })
    }

    /// The base URL to configure the client with (`http://127.0.0.1:PORT/webservice`).
    pub fn base_url(&self) -> String {
        format!("http://{}/webservice", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Everything the sandbox accepted, in order.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        let mut inner = self.shared.inner.lock().unwrap();
        let now = self.shared.clock.now_ms();
        settle_pending(&mut inner, now);
        inner.ledger.clone()
    }

    /// A wallet's balance in cents.
    pub fn wallet(&self, smartload_id: &str) -> Option<i64> {
        self.shared.inner.lock().unwrap().wallets.get(smartload_id).copied()
    }

    /// Live tokens (for tests of the client's token discipline).
    pub fn live_tokens(&self) -> usize {
        self.shared.inner.lock().unwrap().tokens.len()
    }

    /// Stops the server now.
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Drop for SmartcallSandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

fn router(st: St) -> Router {
    let api = Router::new()
        .route("/auth", post(auth_login).delete(auth_invalidate))
        .route("/auth/token", get(token_query).delete(token_flush))
        .route("/test/ping", get(|| async { json_response(StatusCode::OK, json!({"response": "Pong"})) }))
        .route("/smartload/balance/{id}", get(balance))
        .route("/smartload/networks", get(networks))
        .route("/smartload/networks/{id}", get(network))
        .route("/smartload/products/{id}", get(product))
        .route("/smartload/recharges", post(recharge))
        .route("/smartload/recharges/{sid}/{cref}", get(transaction));
    Router::new().nest("/webservice", api).with_state(st)
}

fn json_response(status: StatusCode, v: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], render(&v)).into_response()
}

fn code_error(status: StatusCode, code: i64, message: &str) -> Response {
    json_response(status, json!({"code": code, "message": message}))
}

fn auth_failure(description: &str) -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        json!({"responseDescription": description, "accessToken": null, "tokenType": null, "expiresAt": null, "scope": null}),
    )
}

/// The HTML page the real service sends for a POST without a JSON content type.
fn unsupported_media_type() -> Response {
    (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
        "<!DOCTYPE html><html><head><title>Error 415 Unsupported Media Type</title></head><body><h1>HTTP Status 415 - Unsupported Media Type</h1></body></html>",
    )
        .into_response()
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"))
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

/// The user behind a bearer token, touching it; a 401 answer otherwise.
fn bearer_user(headers: &HeaderMap, inner: &mut Inner, now: i64) -> Result<String, Response> {
    expire_tokens(inner, now);
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err(auth_failure("Authorization denied. Invalid authorization header"));
    };
    match inner.tokens.get_mut(token.trim()) {
        Some(t) => {
            t.last_used_ms = now;
            Ok(t.user.clone())
        }
        None => Err(auth_failure("Authorization denied. Token validation failed")),
    }
}

fn owns(inner: &Inner, user: &str, smartload_id: &str) -> bool {
    inner.users.get(user).is_some_and(|(_, ids)| ids.iter().any(|i| i == smartload_id))
}

fn not_registered() -> Response {
    code_error(StatusCode::FORBIDDEN, 400, "The supplied Smartload ID is not registered to your account")
}

async fn auth_login(State(st): State<St>, headers: HeaderMap) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.inner.lock().unwrap();
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
    let mut inner = st.inner.lock().unwrap();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("").trim().to_string();
    inner.tokens.remove(&token);
    json_response(
        StatusCode::OK,
        json!({"responseDescription": "Token invalidation successful", "accessToken": null, "tokenType": null, "expiresAt": null, "scope": null}),
    )
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
    let mut inner = st.inner.lock().unwrap();
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
    let mut inner = st.inner.lock().unwrap();
    let user = match any_user(&headers, &mut inner, now) {
        Ok(u) => u,
        Err(r) => return r,
    };
    inner.tokens.retain(|_, t| t.user != user);
    json_response(StatusCode::OK, json!({"availableTokens": MAX_TOKENS}))
}

async fn balance(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.inner.lock().unwrap();
    let user = match bearer_user(&headers, &mut inner, now) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !owns(&inner, &user, &id) {
        return not_registered();
    }
    settle_pending(&mut inner, now);
    let cents = inner.wallets.get(&id).copied().unwrap_or(0);
    json_response(StatusCode::OK, json!({"error": null, "responseCode": "SUCCESS", "balance": four_places(cents)}))
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
    let mut inner = st.inner.lock().unwrap();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let nets: Vec<Value> = network_ids(&inner.products).into_iter().filter_map(|id| network_json(id, &inner.products)).collect();
    with_etag(&headers, json!({ "networks": nets }))
}

async fn network(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.inner.lock().unwrap();
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
    let mut inner = st.inner.lock().unwrap();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return code_error(StatusCode::BAD_REQUEST, 9, "Invalid Offering ID (product code)");
    };
    let Some(p) = inner.products.iter().find(|p| p.id == id) else {
        return code_error(StatusCode::BAD_REQUEST, 9, "Invalid Offering ID (product code)");
    };
    // The product and its twin with the other smsIndicator.
    let twins: Vec<Value> = inner.products.iter().filter(|q| q.network_id == p.network_id && q.name == p.name).map(catalog::product_json).collect();
    with_etag(&headers, json!({ "products": twins }))
}

/// The fields of a recharge request, read by hand from the raw body.
struct RechargeFields {
    smartload_id: String,
    client_reference: String,
    sms_recipient: String,
    device_id: String,
    product_id: i64,
    amount: i64,
    pinless: bool,
}

const RECHARGE_FIELDS: [&str; 9] =
    ["smartloadId", "clientReference", "smsRecipientMsisdn", "deviceId", "productId", "amount", "pinless", "sendSms", "smsProviderIdentifier"];

fn read_recharge(body: &[u8]) -> Result<RechargeFields, String> {
    let raw: HashMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_slice(body).map_err(|e| format!("the body is not a JSON object: {e}"))?;
    if let Some(unknown) = raw.keys().find(|k| !RECHARGE_FIELDS.contains(&k.as_str())) {
        return Err(format!("unknown field {unknown}"));
    }
    let text = |k: &str| -> Result<String, String> {
        let r = raw.get(k).ok_or(format!("{k} is missing"))?;
        serde_json::from_str::<String>(r.get()).map_err(|_| format!("{k} must be a string"))
    };
    let boolean = |k: &str| -> Result<bool, String> {
        let r = raw.get(k).ok_or(format!("{k} is missing"))?;
        serde_json::from_str::<bool>(r.get()).map_err(|_| format!("{k} must be true or false"))
    };
    let amount_text = raw.get("amount").ok_or("amount is missing")?.get().to_string();
    if amount_text.starts_with('"') {
        return Err("amount must be a number".into());
    }
    let amount = parse_decimal(&amount_text, 2).map_err(|_| format!("amount {amount_text} is not an amount in Rand"))?;
    let product_id = raw.get("productId").ok_or("productId is missing")?.get().parse::<i64>().map_err(|_| "productId must be a whole number".to_string())?;
    boolean("sendSms")?;
    Ok(RechargeFields {
        smartload_id: text("smartloadId")?,
        client_reference: text("clientReference")?,
        sms_recipient: text("smsRecipientMsisdn")?,
        device_id: text("deviceId")?,
        product_id,
        amount,
        pinless: boolean("pinless")?,
    })
}

fn pin_length(network_id: i64) -> usize {
    match network_id {
        2 => 16,
        8 | 13 => 20,
        9 => 14,
        _ => 12,
    }
}

fn digits(rng: &mut impl Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

async fn recharge(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    if !is_json(&headers) {
        return unsupported_media_type();
    }
    let now = st.clock.now_ms();
    let mut inner = st.inner.lock().unwrap();
    let user = match bearer_user(&headers, &mut inner, now) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let req = match read_recharge(&body) {
        Ok(r) => r,
        Err(why) => return code_error(StatusCode::BAD_REQUEST, 1007, &format!("Recharge parameter validation failure: {why}")),
    };
    if !owns(&inner, &user, &req.smartload_id) {
        return not_registered();
    }
    if req.client_reference.trim().is_empty() {
        return code_error(StatusCode::BAD_REQUEST, 1007, "Recharge parameter validation failure: clientReference is empty");
    }
    if inner.ledger.iter().any(|e| e.client_reference == req.client_reference) {
        return code_error(StatusCode::BAD_REQUEST, 1001, "Duplicate recharge");
    }
    let Some(product) = inner.products.iter().find(|p| p.id == req.product_id).cloned() else {
        return code_error(StatusCode::BAD_REQUEST, 9, "Invalid Offering ID (product code)");
    };
    if req.pinless == product.pinned && !(product.type_code == "E " && !req.pinless) {
        return code_error(StatusCode::BAD_REQUEST, 10, "Pinless Indicator Error: Smartload only distributes vouchers on the selected network");
    }
    if req.amount < product.min || req.amount > product.max {
        return code_error(StatusCode::BAD_REQUEST, 1007, "Recharge parameter validation failure: amount out of range");
    }
    if !req.device_id.bytes().all(|b| b.is_ascii_digit()) || req.device_id.is_empty() {
        return code_error(StatusCode::BAD_REQUEST, 6, "Invalid recharge Cell No provided");
    }
    if product.type_code != "E " && !(req.device_id.len() == 11 && req.device_id.starts_with("27")) {
        return code_error(StatusCode::BAD_REQUEST, 6, "Invalid recharge Cell No provided");
    }
    if !(req.sms_recipient.len() == 11 && req.sms_recipient.starts_with("27") && req.sms_recipient.bytes().all(|b| b.is_ascii_digit())) {
        return code_error(StatusCode::BAD_REQUEST, 1007, "Recharge parameter validation failure: smsRecipientMsisdn");
    }
    if product.type_code == "E " && req.device_id.len() != 11 && req.device_id.len() != 13 {
        return code_error(StatusCode::BAD_REQUEST, 8, "A meter number is compulsory for an electricity recharge");
    }
    if inner.ledger.iter().any(|e| e.device_id == req.device_id && e.amount == req.amount && e.status != "FAILED" && now - e.created_ms < DUPLICATE_WINDOW_MS) {
        return code_error(StatusCode::BAD_REQUEST, 16, "A trx with the same Cell no + amount was done in the last 5 minutes. Please retry in 5 min if valid.");
    }
    let cost = req.amount - req.amount * product.discount / 10_000;
    let wallet = inner.wallets.get(&req.smartload_id).copied().unwrap_or(0);
    if wallet < cost {
        return code_error(StatusCode::BAD_REQUEST, 15, &format!("Insufficient funds in the SmartLoad wallet - Current balance: R{}.{:02}", wallet / 100, wallet % 100));
    }
    let balance_after = wallet - cost;
    inner.wallets.insert(req.smartload_id.clone(), balance_after);
    let order_ref = inner.next_order_ref;
    inner.next_order_ref += 1;
    let mut rng = rand::rng();
    // The QA simulator: R11 is a business failure, R13 a network pending.
    let status = match req.amount {
        1_100 => "FAILED",
        1_300 => "PENDING",
        _ if product.pinned => "SUCESSFUL",
        _ => "PENDING",
    };
    let (pin, ticket) = if product.pinned && status == "SUCESSFUL" {
        (Some(digits(&mut rng, pin_length(product.network_id))), Some(digits(&mut rng, 10)))
    } else {
        (None, None)
    };
    if status == "FAILED" {
        // Failed pinless recharges come back to the wallet.
        inner.wallets.insert(req.smartload_id.clone(), wallet);
    }
    let expiry = pin.as_ref().map(|_| now + 365 * 24 * 3600 * 1000);
    inner.ledger.push(LedgerEntry {
        client_reference: req.client_reference.clone(),
        order_reference_id: order_ref,
        smartload_id: req.smartload_id.clone(),
        product_id: product.id,
        device_id: req.device_id.clone(),
        amount: req.amount,
        cost,
        status,
        voucher_pin: pin.clone(),
        ticket_number: ticket.clone(),
        created_ms: now,
    });
    let padded = |s: &Option<String>, width: usize| s.as_ref().map(|v| format!("{v:<width$}")).unwrap_or_default();
    json_response(
        StatusCode::OK,
        json!({
            "error": null,
            "responseCode": "SUCCESS",
            "recharge": {
                "balance": two_places(balance_after),
                "orderReferenceId": order_ref,
                "ticketNumber": padded(&ticket, 20),
                "boxNumber": "",
                "batchNumber": "",
                "voucherPin": padded(&pin, 24),
                "expiryDate": expiry,
                "retailPrice": format!("{}.{:02}", req.amount / 100, req.amount % 100),
                "dealerDiscount": percent_text(product.discount),
            }
        }),
    )
}

/// `99574.75`-style balances.
fn two_places(cents: i64) -> Value {
    raw_number(format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100))
}

/// `5.5`, `6`: the recorded `dealerDiscount` text.
fn percent_text(hundredths: i64) -> String {
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Moves network-pending recharges to their final state once their time has come.
fn settle_pending(inner: &mut Inner, now: i64) {
    let mut rng = rand::rng();
    let products = inner.products.clone();
    for e in inner.ledger.iter_mut() {
        let after = if e.amount == 1_300 { PENDING_RESOLVES_AFTER_MS } else { ASYNC_SETTLES_AFTER_MS };
        if e.status == "PENDING" && now - e.created_ms >= after {
            e.status = "SUCESSFUL";
            if let Some(p) = products.iter().find(|p| p.id == e.product_id).filter(|p| p.pinned) {
                e.voucher_pin = Some(digits(&mut rng, pin_length(p.network_id)));
                e.ticket_number = Some(digits(&mut rng, 10));
            }
        }
    }
}

async fn transaction(State(st): State<St>, headers: HeaderMap, Path((sid, cref)): Path<(String, String)>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.inner.lock().unwrap();
    let user = match bearer_user(&headers, &mut inner, now) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !owns(&inner, &user, &sid) {
        return not_registered();
    }
    settle_pending(&mut inner, now);
    let Some(e) = inner.ledger.iter().find(|e| e.smartload_id == sid && e.client_reference == cref).cloned() else {
        return code_error(StatusCode::BAD_REQUEST, 1005, "ClientReference does not exist");
    };
    let product = inner.products.iter().find(|p| p.id == e.product_id);
    let network_text = product.map(|p| p.name.clone()).unwrap_or_default();
    let discount = product.map(|p| p.discount).unwrap_or(0);
    let status_text = match e.status {
        "SUCESSFUL" => "Recharge Successful",
        "FAILED" => "Recharge Failed",
        "CANCELLED" => "Recharge Cancelled",
        _ => "Recharge Pending",
    };
    let money = |c: i64| format!("R{}.{:02}", c / 100, c % 100);
    let pad = |s: &Option<String>| s.as_ref().map(|v| Value::String(format!("{v:<24}"))).unwrap_or(Value::Null);
    let mut t = Map::new();
    t.insert("description".into(), json!("Order"));
    t.insert("network".into(), json!(network_text));
    t.insert("recipientMsisdn".into(), json!(e.device_id));
    t.insert("statusDate".into(), json!(e.created_ms));
    t.insert("reference".into(), json!(e.order_reference_id.to_string()));
    t.insert("amount".into(), json!(money(e.amount)));
    t.insert("discount".into(), json!(format!("{}.{:02}%", discount / 100, discount % 100)));
    t.insert("cost".into(), json!(money(e.cost)));
    t.insert("status".into(), json!(status_text));
    t.insert("statusId".into(), json!(e.status));
    t.insert("ticketNumber".into(), pad(&e.ticket_number));
    t.insert("voucherPin".into(), pad(&e.voucher_pin));
    t.insert("additionalVoucherPin".into(), Value::Null);
    t.insert("boxNumber".into(), Value::Null);
    t.insert("batchNumber".into(), Value::Null);
    t.insert("expiryDate".into(), e.voucher_pin.as_ref().map(|_| json!(e.created_ms + 365 * 24 * 3600 * 1000)).unwrap_or(Value::Null));
    json_response(StatusCode::OK, json!({"error": null, "responseCode": "SUCCESS", "transaction": Value::Object(t)}))
}
