//! The Ideamart CaaS simulator: `POST /caas/balance/query` and `POST /caas/direct/debit`
//! (providers.md §3), JSON written here by hand, every answer HTTP 200 with a
//! `statusCode`.
//!
//! Sandbox rules (ours):
//! - Application `APP_000001` with password `training`; anything else is `E1313`.
//! - Every valid Sri Lankan number (`tel:94` + 9 digits) is a prepaid account with
//!   LKR 300.00, except these test numbers: `94770000378` has nothing (E1378),
//!   `94770000406` declines on the phone (E1406), `94770000405` never approves
//!   (E1405), `94770000317` is barred (E1317).
//! - Balances and debits are in LKR only, as the spec requires ("must be in 'LKR'");
//!   any other currency is refused with `E1336` (currency not allowed), so a client
//!   that sends rand fails here.
//! - A repeated `externalTrxId` of a successful debit answers `E1379`; of a refused
//!   one, it is tried again.
//! - Faults: a delay, a connection dropped after the debit, HTTP 500 before it, a
//!   body cut in half, or a status code forced on the next debit.

use crate::clock::{Clock, SystemClock};
use crate::common::{BrokenBody, Server, Shared};
use crate::Fault;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

pub const IDEAMART_TRAINING_APP_ID: &str = "APP_000001";
pub const IDEAMART_TRAINING_PASSWORD: &str = "training";
/// LKR 300.00 on every ordinary test number.
pub const IDEAMART_START_BALANCE: i64 = 30_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeamartLedgerEntry {
    pub external_trx_id: String,
    pub internal_trx_id: String,
    pub subscriber: String,
    /// Minor units.
    pub amount: i64,
    pub currency: String,
    /// `S1000` or the refusal's code.
    pub status: String,
    pub at_ms: i64,
}

enum Injected {
    Fault(Fault),
    Status(String),
}

struct Inner {
    balances: HashMap<String, i64>,
    ledger: Vec<IdeamartLedgerEntry>,
    next_internal: i64,
    queue: VecDeque<Injected>,
}

type St = Arc<Shared<Inner>>;

pub struct IdeamartSandbox {
    server: Server,
    shared: St,
}

impl IdeamartSandbox {
    pub async fn start() -> std::io::Result<IdeamartSandbox> {
        Self::start_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(clock: Arc<dyn Clock>) -> std::io::Result<IdeamartSandbox> {
        let shared = Shared::new(Inner { balances: HashMap::new(), ledger: Vec::new(), next_internal: 321, queue: VecDeque::new() }, clock)?;
        let server = Server::start(Router::new().route("/caas/balance/query", post(balance)).route("/caas/direct/debit", post(debit)).with_state(shared.clone())).await?;
        Ok(IdeamartSandbox { server, shared })
    }

    /// `http://127.0.0.1:PORT/caas`
    pub fn base_url(&self) -> String {
        format!("http://{}/caas", self.server.addr)
    }

    pub fn ledger(&self) -> Vec<IdeamartLedgerEntry> {
        self.shared.lock().ledger.clone()
    }

    /// A subscriber's balance now, minor units (`94...`).
    pub fn balance(&self, subscriber: &str) -> i64 {
        let inner = self.shared.lock();
        inner.balances.get(subscriber).copied().unwrap_or_else(|| start_balance(subscriber))
    }

    pub fn set_balance(&self, subscriber: &str, minor: i64) {
        self.shared.lock().balances.insert(subscriber.to_string(), minor);
    }

    pub fn inject_next_debit(&self, fault: Fault) {
        self.shared.lock().queue.push_back(Injected::Fault(fault));
    }

    /// The next debit answers this status code (a transient `E1600`, say) and takes nothing.
    pub fn inject_next_status(&self, code: &str) {
        self.shared.lock().queue.push_back(Injected::Status(code.to_string()));
    }

    pub fn stop(&mut self) {
        self.server.stop();
    }
}

fn start_balance(subscriber: &str) -> i64 {
    if subscriber == "94770000378" {
        0
    } else {
        IDEAMART_START_BALANCE
    }
}

fn answer(v: Value) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

fn status(code: &str, detail: &str) -> Response {
    answer(json!({ "statusCode": code, "statusDetail": detail }))
}

/// The request's JSON, the application checked; or the answer to give instead.
fn read(headers: &HeaderMap, body: &[u8]) -> Result<Value, Response> {
    let json_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("application/json"));
    let v: Value = match (json_type, serde_json::from_slice(body)) {
        (true, Ok(v @ Value::Object(_))) => v,
        _ => return Err(status("E1312", "Request is invalid.")),
    };
    if v.get("applicationId").and_then(Value::as_str) != Some(IDEAMART_TRAINING_APP_ID) || v.get("password").and_then(Value::as_str) != Some(IDEAMART_TRAINING_PASSWORD) {
        return Err(status("E1313", "Authentication failed."));
    }
    Ok(v)
}

/// `tel:94XXXXXXXXX` (or the bare number) → `94XXXXXXXXX`.
fn subscriber(v: &Value) -> Result<String, Response> {
    let raw = v.get("subscriberId").and_then(Value::as_str).unwrap_or("");
    let n = raw.strip_prefix("tel:").unwrap_or(raw);
    if n.len() == 11 && n.starts_with("94") && n.bytes().all(|b| b.is_ascii_digit()) {
        Ok(n.to_string())
    } else {
        Err(status("E1325", "Format of the address is invalid."))
    }
}

/// LKR unless given; anything but LKR is refused (the service is only for Dialog,
/// Airtel and Hutch subscribers, who hold rupees).
fn currency(v: &Value) -> Result<String, Response> {
    match v.get("currency") {
        None => Ok("LKR".into()),
        Some(Value::String(c)) if c == "LKR" => Ok(c.clone()),
        Some(_) => Err(status("E1336", "Currency not allowed.")),
    }
}

async fn balance(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let v = match read(&headers, &body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (n, _cur) = match (subscriber(&v), currency(&v)) {
        (Ok(n), Ok(c)) => (n, c),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if n == "94770000317" {
        return status("E1317", "MSISDN is in an invalid state.");
    }
    let inner = st.lock();
    let b = inner.balances.get(&n).copied().unwrap_or_else(|| start_balance(&n));
    // Written as the service writes it: "300.0".
    let text = format!("{}.{}", b / 100, if b % 100 == 0 { "0".to_string() } else { format!("{:02}", b % 100) });
    answer(json!({ "chargeableBalance": text, "statusCode": "S1000", "statusDetail": "Success", "accountStatus": "Active", "accountType": "Pre Paid" }))
}

/// `"1"`, `"10.5"`, `"10.50"` → minor units; more than two decimals or junk is none.
fn amount(v: &Value) -> Option<i64> {
    let s = v.get("amount")?.as_str()?.trim();
    let (w, f) = s.split_once('.').unwrap_or((s, ""));
    if w.is_empty() || w.len() > 9 || f.len() > 2 || !w.bytes().all(|b| b.is_ascii_digit()) || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = if f.is_empty() { 0 } else { f.parse::<i64>().ok()? * if f.len() == 1 { 10 } else { 1 } };
    Some(w.parse::<i64>().ok()? * 100 + frac)
}

fn stamp(ms: i64) -> String {
    // Sri Lanka is UTC+05:30.
    let t = chrono::DateTime::from_timestamp_millis(ms + 330 * 60 * 1000).unwrap_or_default().naive_utc();
    format!("{}+0530", t.format("%Y-%m-%dT%H:%M:%S"))
}

async fn debit(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let injected = st.lock().queue.pop_front();
    if let Some(Injected::Fault(Fault::Http500)) = injected {
        return (StatusCode::INTERNAL_SERVER_ERROR, "<html><body>500 Internal Server Error</body></html>").into_response();
    }
    let resp = debit_answer(&st, &headers, &body, injected.as_ref());
    match injected {
        Some(Injected::Fault(Fault::Delay(d))) => {
            tokio::time::sleep(d).await;
            resp
        }
        Some(Injected::Fault(Fault::DropAfterRecord)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(BrokenBody::new(b"{\"statusCode\":\"S1")))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Some(Injected::Fault(Fault::Malformed)) => {
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
            let mut r = Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)));
            r.headers_mut().remove(header::CONTENT_LENGTH);
            r
        }
        _ => resp,
    }
}

fn debit_answer(st: &St, headers: &HeaderMap, body: &[u8], injected: Option<&Injected>) -> Response {
    let v = match read(headers, body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let ext = v.get("externalTrxId").and_then(Value::as_str).unwrap_or("").to_string();
    if ext.is_empty() || ext.len() > 32 {
        return status("E1312", "Request is invalid.");
    }
    if v.get("paymentInstrument").and_then(Value::as_str) != Some("MobileAccount") {
        return status("E1371", "Payment instrument is not available.");
    }
    let (n, cur) = match (subscriber(&v), currency(&v)) {
        (Ok(n), Ok(c)) => (n, c),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let Some(amount) = amount(&v) else {
        return status("E1312", "Request is invalid: the amount.");
    };
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if inner.ledger.iter().any(|e| e.external_trx_id == ext && e.status == "S1000") {
        return answer(json!({ "statusCode": "E1379", "statusDetail": "Transaction has already completed.", "externalTrxId": ext, "timeStamp": stamp(now) }));
    }
    let refusal = match (injected, n.as_str()) {
        (Some(Injected::Status(code)), _) => Some((code.clone(), "Forced by the sandbox.".to_string())),
        (_, "94770000317") => Some(("E1317".into(), "MSISDN is in an invalid state.".into())),
        (_, "94770000405") => Some(("E1405".into(), "Authorisation timed out.".into())),
        (_, "94770000406") => Some(("E1406".into(), "Rejected by the user.".into())),
        _ if amount < 100 => Some(("E1330".into(), "Amount is too low.".into())),
        _ => None,
    };
    let bal = inner.balances.get(&n).copied().unwrap_or_else(|| start_balance(&n));
    let refusal = refusal.or_else(|| (bal < amount).then(|| ("E1378".to_string(), "Insufficient balance.".to_string())));
    let internal = inner.next_internal;
    inner.next_internal += 1;
    let code = refusal.as_ref().map(|r| r.0.clone()).unwrap_or_else(|| "S1000".into());
    inner.ledger.push(IdeamartLedgerEntry { external_trx_id: ext.clone(), internal_trx_id: internal.to_string(), subscriber: n.clone(), amount, currency: cur, status: code.clone(), at_ms: now });
    if let Some((code, detail)) = refusal {
        return answer(json!({ "statusCode": code, "statusDetail": detail, "externalTrxId": ext, "timeStamp": stamp(now) }));
    }
    inner.balances.insert(n, bal - amount);
    answer(json!({
        "statusCode": "S1000",
        "timeStamp": stamp(now),
        "shortDescription": "Debited",
        "statusDetail": "Success",
        "externalTrxId": ext,
        "longDescription": "The amount was debited from the mobile account.",
        "internalTrxId": internal.to_string(),
        "referenceId": format!("{:08}", internal),
    }))
}
