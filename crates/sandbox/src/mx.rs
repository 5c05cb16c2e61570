//! The MX Telecom crediting simulator: `/api/credit` and `/api/balance` (GET or POST,
//! `plain` or `xml` answers) and notifications sent for real, as HTTP GETs, to the URL
//! set with [`MxSandbox::set_notification_url`] (providers.md §4, written here by hand).
//!
//! The test numbers 447700900000–447700900019 follow the spec's table: the first
//! notification at once, the second [`MxSandbox::set_second_delay_ms`] later by the
//! sandbox's clock (five minutes unless changed); any other number is confirmed at
//! once. Numbers 447700900090–447700900093 are rejected with reasons a client has
//! not been told of ([`MX_UNKNOWN_REJECTIONS`]), as a real gateway has more than its
//! pages show. The account is `training` / `training` with £1,000.00 of pre-paid funds; a
//! confirmed credit is taken from them. A notification the shop does not answer with
//! 200 is sent again on the next tick, up to five times.

use crate::clock::{Clock, SystemClock};
use crate::common::{BrokenBody, Server, Shared};
use crate::Fault;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

pub const MX_TRAINING_USERNAME: &str = "training";
pub const MX_TRAINING_PASSWORD: &str = "training";
/// £1,000.00 in thousandths.
pub const MX_TRAINING_FUNDS: i64 = 1_000_000;
pub const MX_SECOND_NOTIFICATION_MS: i64 = 5 * 60 * 1000;

/// One notification due or sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxNotice {
    pub state: &'static str,
    pub billing_type: Option<&'static str>,
    pub mvno: Option<&'static str>,
    pub due_ms: i64,
    /// HTTP statuses the shop answered, one per attempt (0: not reached).
    pub answers: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxCredit {
    pub credit_id: String,
    pub msisdn: String,
    /// Thousandths.
    pub amount: i64,
    pub currency: String,
    pub created_ms: i64,
    pub notices: Vec<MxNotice>,
}

impl MxCredit {
    /// The state of the latest notification sent (or due first).
    pub fn state(&self) -> &'static str {
        self.notices.iter().rev().find(|n| !n.answers.is_empty()).or(self.notices.first()).map(|n| n.state).unwrap_or("submitted")
    }
}

struct Inner {
    funds: i64,
    credits: Vec<MxCredit>,
    next_id: u64,
    url: Option<String>,
    second_delay_ms: i64,
    faults: VecDeque<Fault>,
}

type St = Arc<Shared<Inner>>;

pub struct MxSandbox {
    server: Server,
    shared: St,
}

/// The spec's table: (first, second) notifications with their extra parameters.
fn sequence(msisdn: &str) -> Vec<(&'static str, Option<&'static str>, Option<&'static str>)> {
    let Some(n) = msisdn.strip_prefix("4477009000").and_then(|s| s.parse::<u32>().ok()).filter(|_| msisdn.len() == 12) else {
        return vec![("confirmed", None, None)];
    };
    let extra = match n % 4 {
        1 => (Some("postpay"), None),
        2 => (Some("prepay"), None),
        3 => (None, Some("test")),
        _ => (None, None),
    };
    let (b, m) = extra;
    match n {
        0..=3 => vec![("confirmed", b, m)],
        4..=7 => vec![("failure", b, m)],
        8..=11 => vec![("submitted", b, m), ("failure", b, m)],
        12..=15 => vec![("retry", b, m), ("confirmed", b, m)],
        16..=19 => vec![("retry", b, m), ("failure", b, m)],
        _ => vec![("confirmed", None, None)],
    }
}

impl MxSandbox {
    pub async fn start() -> std::io::Result<MxSandbox> {
        Self::start_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(clock: Arc<dyn Clock>) -> std::io::Result<MxSandbox> {
        let shared = Shared::new(Inner { funds: MX_TRAINING_FUNDS, credits: Vec::new(), next_id: 1, url: None, second_delay_ms: MX_SECOND_NOTIFICATION_MS, faults: VecDeque::new() }, clock)?;
        let server = Server::start(Router::new().route("/api/credit", any(credit)).route("/api/balance", any(balance)).with_state(shared.clone())).await?;
        let weak = Arc::downgrade(&shared);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                let Some(st) = weak.upgrade() else { break };
                deliver_due(&st).await;
            }
        });
        Ok(MxSandbox { server, shared })
    }

    /// `http://127.0.0.1:PORT/api`
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.server.addr)
    }

    /// Where notifications go (the shop's listener), `None` for nowhere.
    pub fn set_notification_url(&self, url: Option<String>) {
        self.shared.lock().url = url;
    }

    pub fn set_second_delay_ms(&self, ms: i64) {
        self.shared.lock().second_delay_ms = ms.max(0);
    }

    pub fn credits(&self) -> Vec<MxCredit> {
        self.shared.lock().credits.clone()
    }

    /// Pre-paid funds, thousandths.
    pub fn funds(&self) -> i64 {
        self.shared.lock().funds
    }

    pub fn set_funds(&self, thousandths: i64) {
        self.shared.lock().funds = thousandths;
    }

    pub fn inject_next_credit(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Sends every notification due now (the ticker does this too).
    pub async fn deliver_now(&self) {
        deliver_due(&self.shared).await;
    }

    /// Sends a credit's latest notification once more (as a gateway that retries).
    pub async fn resend_latest(&self, credit_id: &str) -> Option<u16> {
        let (c, i) = {
            let inner = self.shared.lock();
            let c = inner.credits.iter().find(|c| c.credit_id == credit_id)?.clone();
            let i = c.notices.iter().rposition(|n| !n.answers.is_empty())?;
            (c, i)
        };
        Some(send(&self.shared, &c, i).await)
    }

    /// Sends one notification of a credit out of turn (index into its sequence).
    pub async fn send_notice(&self, credit_id: &str, index: usize) -> Option<u16> {
        let c = self.shared.lock().credits.iter().find(|c| c.credit_id == credit_id)?.clone();
        (index < c.notices.len()).then_some(())?;
        Some(send(&self.shared, &c, index).await)
    }

    pub fn stop(&mut self) {
        self.server.stop();
    }
}

async fn deliver_due(st: &St) {
    let now = st.clock.now_ms();
    let due: Vec<(MxCredit, usize)> = {
        let inner = st.lock();
        if inner.url.is_none() {
            return;
        }
        inner
            .credits
            .iter()
            .flat_map(|c| {
                // In order: a notice goes only after the one before it was answered 200.
                let next = c.notices.iter().position(|n| !n.answers.contains(&200));
                next.filter(|&i| c.notices[i].due_ms <= now && c.notices[i].answers.len() < 5).map(|i| (c.clone(), i))
            })
            .collect()
    };
    for (c, i) in due {
        send(st, &c, i).await;
    }
}

/// Sends notice `i` of credit `c`; records the answer; applies a confirmation to the funds.
async fn send(st: &St, c: &MxCredit, i: usize) -> u16 {
    let Some(url) = st.lock().url.clone() else {
        return 0;
    };
    let n = &c.notices[i];
    let mut q = format!("creditId={}&creditState={}&msisdn={}&network=TESTNETWORK&amount={}&currency={}&requirefulfilmentUrl=no", c.credit_id, n.state, c.msisdn, c.amount, c.currency);
    if let Some(b) = n.billing_type {
        q.push_str(&format!("&billingType={b}"));
    }
    if let Some(m) = n.mvno {
        q.push_str(&format!("&mvno={m}"));
    }
    if n.state == "failure" {
        q.push_str("&reason=Network%20rejected%20the%20credit");
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    let status = match st.http.get(format!("{url}{sep}{q}")).send().await {
        Ok(r) => r.status().as_u16(),
        Err(e) => {
            tracing::info!("MX sandbox notification to {url} failed: {e}");
            0
        }
    };
    let mut inner = st.lock();
    let first_200 = status == 200;
    let apply = if let Some(cr) = inner.credits.iter_mut().find(|x| x.credit_id == c.credit_id) {
        let already = cr.notices[i].answers.contains(&200);
        cr.notices[i].answers.push(status);
        first_200 && !already && cr.notices[i].state == "confirmed"
    } else {
        false
    };
    if apply {
        inner.funds -= c.amount;
    }
    status
}

fn params(method: &Method, query: Option<String>, headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let mut text = query.unwrap_or_default();
    let form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if *method == Method::POST && form {
        if !text.is_empty() {
            text.push('&');
        }
        text.push_str(&String::from_utf8_lossy(body));
    }
    let mut m = HashMap::new();
    for p in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        let dec = |x: &str| percent_encoding::percent_decode_str(&x.replace('+', " ")).decode_utf8_lossy().into_owned();
        m.entry(dec(k)).or_insert_with(|| dec(v));
    }
    m
}

/// An answer in the format asked for: `key=value` lines, or `<credit>` with children.
fn reply(status: StatusCode, xml: bool, fields: &[(&str, String)]) -> Response {
    if xml {
        let inner: String = fields.iter().map(|(k, v)| format!("<{k}>{}</{k}>", v.replace('&', "&amp;").replace('<', "&lt;"))).collect();
        (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><credit>{inner}</credit>")).into_response()
    } else {
        let text: String = fields.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
    }
}

fn rejected(xml: bool, id: i64, text: &str) -> Response {
    reply(StatusCode::FORBIDDEN, xml, &[("outcome", "rejected".into()), ("outcomeReasonId", id.to_string()), ("outcomeReasonText", text.into())])
}

async fn balance(State(st): State<St>, method: Method, RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let p = params(&method, q, &headers, &body);
    let xml = p.get("responseFormat").map(String::as_str) == Some("xml");
    if p.get("username").map(String::as_str) != Some(MX_TRAINING_USERNAME) || p.get("password").map(String::as_str) != Some(MX_TRAINING_PASSWORD) {
        return rejected(xml, 3001, "Invalid username or password");
    }
    let funds = st.lock().funds;
    reply(StatusCode::OK, xml, &[("balance", funds.to_string()), ("currency", "GBP".into())])
}

async fn credit(State(st): State<St>, method: Method, RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let fault = st.lock().faults.pop_front();
    if fault == Some(Fault::Http500) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    }
    let p = params(&method, q, &headers, &body);
    let resp = credit_answer(&st, &p);
    match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            resp
        }
        Some(Fault::DropAfterRecord) => {
            Response::builder().status(StatusCode::OK).body(Body::from_stream(BrokenBody::new(b"outcome=succ"))).unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Some(Fault::Malformed) => {
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 16).await.unwrap_or_default();
            let mut r = Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 3)));
            r.headers_mut().remove(header::CONTENT_LENGTH);
            r
        }
        _ => resp,
    }
}

/// Test numbers the gateway rejects with reasons no public page lists: a fraud
/// limit, an authentication failure, an exhausted credit limit, a network block.
pub const MX_UNKNOWN_REJECTIONS: [(&str, i64, &str); 4] = [
    ("447700900090", 3099, "Fraud detection limit reached for this end user"),
    ("447700900091", 3042, "Authentication failed: source address not permitted"),
    ("447700900092", 3043, "Account credit limit exhausted"),
    ("447700900093", 3098, "Network temporarily not accepting credits"),
];

fn credit_answer(st: &St, p: &HashMap<String, String>) -> Response {
    let xml = p.get("responseFormat").map(String::as_str) == Some("xml");
    let get = |k: &str| p.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if get("username") != Some(MX_TRAINING_USERNAME) || get("password") != Some(MX_TRAINING_PASSWORD) {
        return rejected(xml, 3001, "Invalid username or password");
    }
    let Some(msisdn) = get("msisdn") else {
        return rejected(xml, 3035, "Missing msisdn");
    };
    let Some(amount) = get("amount") else {
        return rejected(xml, 3037, "Missing amount");
    };
    let Some(currency) = get("currency") else {
        return rejected(xml, 3038, "Missing currency");
    };
    if !(msisdn.len() == 12 && msisdn.starts_with("447") && msisdn.bytes().all(|b| b.is_ascii_digit())) {
        return rejected(xml, 3010, "Invalid msisdn");
    }
    if currency != "GBP" {
        return rejected(xml, 3039, "Unsupported currency");
    }
    if let Some((_, id, text)) = MX_UNKNOWN_REJECTIONS.iter().find(|(n, _, _)| *n == msisdn) {
        return rejected(xml, *id, text);
    }
    let Some(amount) = amount.parse::<i64>().ok().filter(|a| *a > 0 && *a <= 100_000) else {
        return rejected(xml, 3041, "Invalid amount");
    };
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if inner.funds < amount {
        return rejected(xml, 3040, "Insufficient pre-paid funds");
    }
    let id = format!("MX{:08}", inner.next_id);
    inner.next_id += 1;
    let delay = inner.second_delay_ms;
    let notices = sequence(msisdn)
        .into_iter()
        .enumerate()
        .map(|(i, (state, billing_type, mvno))| MxNotice { state, billing_type, mvno, due_ms: now + if i == 0 { 0 } else { delay }, answers: Vec::new() })
        .collect();
    inner.credits.push(MxCredit { credit_id: id.clone(), msisdn: msisdn.to_string(), amount, currency: currency.to_string(), created_ms: now, notices });
    reply(StatusCode::OK, xml, &[("outcome", "success".into()), ("outcomeReasonId", "1000".into()), ("creditId", id)])
}
