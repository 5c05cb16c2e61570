//! The AAT Mobile Recharge API 3.4 simulator (ASMX, XML).
//!
//! Wire from providers.md §2 and the spec's samples, written here by hand: each
//! operation is `/MobileRecharge.asmx/<Operation>`, GET with a query string or POST
//! with a form; every declared parameter must be present (HTTP 500 `Missing
//! parameter` otherwise, as ASP.NET answers); parameter names match without regard to
//! case, as ASP.NET's collections do. Answers are XML in AAT's namespace, with the
//! spec's error texts word for word (their spellings vary by operation, as the spec's
//! do).
//!
//! Sandbox rules (our own, for tests and training):
//! - The training account is `training` / `training` with R100 000.00 credit; each
//!   sale debits its face value.
//! - Pinless recharges to a number ending in `0013` stay `PENDING` for
//!   [`PENDING_RESOLVES_AFTER_MS`] and then succeed; ending in `0011` they stay pending
//!   as long and then fail (the credit comes back). Every other sale is final at once.
//! - A client reference may be used again only after a failed sale.
//! - When a sale becomes final, and again one, two and three hours later by the clock
//!   (AAT's hourly re-check; also on demand with [`AatSandbox::recheck`]), the
//!   call-back JSON is POSTed to the URL set with [`AatSandbox::set_callback_url`].
//! - Faults ([`Fault`]) can be injected into recharge calls.

mod catalog;

use crate::clock::{Clock, SystemClock};
use crate::common::{BrokenBody, Server, Shared};
use crate::Fault;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use catalog::{network_of_msisdn, SimVoucher, NETWORKS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

pub const AAT_TRAINING_USERNAME: &str = "training";
pub const AAT_TRAINING_PASSWORD: &str = "training";
/// R100 000.00.
pub const AAT_TRAINING_CREDIT_CENTS: i64 = 10_000_000;
/// How long a `0013`/`0011` pinless recharge stays pending.
pub const PENDING_RESOLVES_AFTER_MS: i64 = 2 * 60 * 1000;

const NS: &str = r#"xmlns="https://mobilerechargeapi.gsm.co.za/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;

/// One sale in AAT's books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AatLedgerEntry {
    pub transaction_id: i64,
    pub client_ref: String,
    pub order_ref: String,
    pub operation: String,
    pub msisdn: Option<String>,
    pub voucher_id: i64,
    pub voucher_type: i64,
    pub network: String,
    /// Cents.
    pub amount: i64,
    pub pin: Option<String>,
    pub ticket: String,
    pub box_number: String,
    pub batch_number: String,
    /// `OK`, `PENDING` or `FAILED`.
    pub status: &'static str,
    pub created_ms: i64,
    pub resolves_ms: Option<i64>,
    pub fail_reason: Option<String>,
}

impl AatLedgerEntry {
    pub fn is_sold(&self) -> bool {
        self.status == "OK"
    }
}

#[derive(Default)]
struct Faults {
    queue: VecDeque<Fault>,
    random: Option<(u32, StdRng, Vec<Fault>)>,
    applied: HashMap<&'static str, u64>,
}

impl Faults {
    fn take(&mut self) -> Option<Fault> {
        let f = self.queue.pop_front().or_else(|| {
            let (percent, rng, kinds) = self.random.as_mut()?;
            let hit = rng.random_range(0..100) < *percent;
            let i = rng.random_range(0..kinds.len());
            hit.then(|| kinds[i].clone())
        });
        if let Some(f) = &f {
            *self.applied.entry(f.name()).or_default() += 1;
        }
        f
    }
}

struct Inner {
    credit: i64,
    vouchers: Vec<SimVoucher>,
    ledger: Vec<AatLedgerEntry>,
    next_tx: i64,
    next_order: i64,
    callback_url: Option<String>,
    /// Call-backs posted: (client reference, status code answered or 0 when it failed).
    callbacks_sent: Vec<(String, u16)>,
    /// AAT's hourly re-checks: (client reference, when), three per final sale.
    rechecks: Vec<(String, i64)>,
    faults: Faults,
    rng: StdRng,
    requests: u64,
}

type St = Arc<Shared<Inner>>;

/// A running AAT simulator on a loopback port. Dropping it stops the server.
pub struct AatSandbox {
    server: Server,
    shared: St,
}

impl AatSandbox {
    pub async fn start() -> std::io::Result<AatSandbox> {
        Self::start_with_clock(Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(clock: Arc<dyn Clock>) -> std::io::Result<AatSandbox> {
        let shared = Shared::new(
            Inner {
                credit: AAT_TRAINING_CREDIT_CENTS,
                vouchers: catalog::vouchers(),
                ledger: Vec::new(),
                next_tx: 5_000_001,
                next_order: 98_187_964,
                callback_url: None,
                callbacks_sent: Vec::new(),
                rechecks: Vec::new(),
                faults: Faults::default(),
                rng: StdRng::seed_from_u64(clock.now_ms() as u64),
                requests: 0,
            },
            clock,
        )?;
        let server = Server::start(Router::new().route("/MobileRecharge.asmx/{op}", any(handle)).with_state(shared.clone())).await?;
        // Pending sales settle as the clock moves; their call-backs go out then.
        let ticker = Arc::downgrade(&shared);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                let Some(st) = ticker.upgrade() else { break };
                let due = settle(&st);
                for e in due {
                    post_callback(&st, &e).await;
                }
                for e in due_rechecks(&st) {
                    post_callback(&st, &e).await;
                }
            }
        });
        tracing::info!(addr = %server.addr, "AAT sandbox listening");
        Ok(AatSandbox { server, shared })
    }

    /// `http://127.0.0.1:PORT/MobileRecharge.asmx`
    pub fn base_url(&self) -> String {
        format!("http://{}/MobileRecharge.asmx", self.server.addr)
    }

    /// Everything AAT accepted, pending sales moved on to where the clock says.
    pub fn ledger(&self) -> Vec<AatLedgerEntry> {
        settle(&self.shared);
        self.shared.lock().ledger.clone()
    }

    /// Remaining credit, cents.
    pub fn credit(&self) -> i64 {
        settle(&self.shared);
        self.shared.lock().credit
    }

    pub fn set_credit(&self, cents: i64) {
        self.shared.lock().credit = cents;
    }

    /// How many HTTP requests reached an operation.
    pub fn requests(&self) -> u64 {
        self.shared.lock().requests
    }

    /// Where call-backs go (`None`: nowhere).
    pub fn set_callback_url(&self, url: Option<String>) {
        self.shared.lock().callback_url = url;
    }

    /// Call-backs posted so far: client reference and the HTTP status the merchant
    /// answered (0 when it could not be reached).
    pub fn callbacks_sent(&self) -> Vec<(String, u16)> {
        self.shared.lock().callbacks_sent.clone()
    }

    /// AAT's hourly recheck: posts the call-back of every final sale again.
    pub async fn recheck(&self) {
        settle(&self.shared);
        let finals: Vec<AatLedgerEntry> = self.shared.lock().ledger.iter().filter(|e| e.status != "PENDING").cloned().collect();
        for e in finals {
            post_callback(&self.shared, &e).await;
        }
    }

    /// Injects a fault into the next recharge call.
    pub fn inject_next_sale(&self, fault: Fault) {
        self.shared.lock().faults.queue.push_back(fault);
    }

    /// `percent`% of recharge calls get a fault drawn from `kinds` (seeded).
    pub fn set_random_faults(&self, percent: u32, seed: u64, kinds: Vec<Fault>) {
        self.shared.lock().faults.random = (percent > 0 && !kinds.is_empty()).then(|| (percent.min(100), StdRng::seed_from_u64(seed), kinds));
    }

    pub fn faults_applied(&self) -> HashMap<&'static str, u64> {
        self.shared.lock().faults.applied.clone()
    }

    pub fn stop(&mut self) {
        self.server.stop();
    }
}

/// One hour, by the sandbox's clock.
const HOUR_MS: i64 = 3600 * 1000;

/// Schedules the three hourly re-checks of a sale that became final at `at`.
fn schedule_rechecks(inner: &mut Inner, client_ref: &str, at: i64) {
    for h in 1..=3 {
        inner.rechecks.push((client_ref.to_string(), at + h * HOUR_MS));
    }
}

/// The re-checks that are due now, taken off the list: each sale as it stands.
fn due_rechecks(st: &St) -> Vec<AatLedgerEntry> {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let (due, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut inner.rechecks).into_iter().partition(|(_, t)| *t <= now);
    inner.rechecks = rest;
    due.into_iter()
        .filter_map(|(cref, _)| {
            let mine: Vec<&AatLedgerEntry> = inner.ledger.iter().filter(|e| e.client_ref == cref).collect();
            mine.iter().rev().find(|e| e.status != "FAILED").or(mine.last()).map(|e| (*e).clone())
        })
        .collect()
}

/// Moves pending sales on; returns those that became final now (for call-backs).
fn settle(st: &St) -> Vec<AatLedgerEntry> {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let mut done = Vec::new();
    let mut refund = 0;
    for e in inner.ledger.iter_mut().filter(|e| e.status == "PENDING") {
        if e.resolves_ms.is_some_and(|t| now >= t) {
            if e.msisdn.as_deref().is_some_and(|m| m.ends_with("0011")) {
                e.status = "FAILED";
                e.fail_reason = Some("The network refused the recharge".into());
                refund += e.amount;
            } else {
                e.status = "OK";
            }
            done.push(e.clone());
        }
    }
    inner.credit += refund;
    for e in &done {
        schedule_rechecks(&mut inner, &e.client_ref, now);
    }
    done
}

async fn post_callback(st: &St, e: &AatLedgerEntry) {
    let Some(url) = st.lock().callback_url.clone() else {
        return;
    };
    // The call-back body, written by hand from the spec's field list.
    let body = format!(
        r#"{{"TransactionId":{},"ClientRef":"{}","OrderRef":"{}","MSISDN":"{}","Amount":{},"VoucherType":"{}","Description":"{}","Network":"{}","Success":{},"FailReason":{}}}"#,
        e.transaction_id,
        json_escape(&e.client_ref),
        e.order_ref,
        e.msisdn.as_deref().unwrap_or(""),
        decimal(e.amount),
        e.voucher_type,
        json_escape(&e.operation),
        json_escape(&e.network),
        e.status == "OK",
        e.fail_reason.as_deref().map(|r| format!("\"{}\"", json_escape(r))).unwrap_or_else(|| "null".into()),
    );
    let status = match st.http.post(&url).header("Content-Type", "application/json").body(body).send().await {
        Ok(r) => r.status().as_u16(),
        Err(err) => {
            tracing::info!("AAT sandbox call-back to {url} failed: {err}");
            0
        }
    };
    st.lock().callbacks_sent.push((e.client_ref.clone(), status));
}

fn json_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Cents as AAT writes decimals: `2` for whole rand, `2.50` otherwise.
fn decimal(cents: i64) -> String {
    if cents % 100 == 0 {
        (cents / 100).to_string()
    } else {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

/// Rand as AAT's decimals in voucher details (`2.00`).
fn decimal2(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `a=1&b=2` (form or query) → pairs, `+` as space, percent-decoded.
fn decode_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |x: &str| percent_encoding::percent_decode_str(&x.replace('+', " ")).decode_utf8_lossy().into_owned();
            (dec(k), dec(v))
        })
        .collect()
}

fn xml(body: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{body}")).into_response()
}

fn asmx_500(text: String) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// The parameters each operation declares, in order.
fn declared(op: &str) -> Option<&'static [&'static str]> {
    Some(match op {
        "GetNetwork" => &["username", "password", "msisdn"],
        "GetNetworkList" | "GetUserCredit" | "GetUserStatus" => &["username", "password"],
        "GetVoucherType" => &["username", "password", "networkId"],
        "GetVoucher" => &["username", "password", "networkId", "vouchertype"],
        "PerformPinlessRecharge" | "PerformPinnedRecharge" => &["username", "password", "recipientMsisdn", "voucherId", "amount", "clientRef"],
        "PerformPinnedRechargeWithoutMsisdn" => &["username", "password", "voucherId", "amount", "clientRef"],
        "PerformPinlessRechargeFixedAmount" | "PerformPinnedRechargeFixedAmount" => &["username", "password", "recipientMsisdn", "voucherId", "clientRef"],
        "PerformPinnedRechargeWithoutMsisdnFixedAmount" => &["username", "password", "voucherId", "clientRef"],
        "GetTransactionInfo" => &["username", "password", "clientRef"],
        "GetTransactionCount" => &["username", "password", "startdate", "enddate"],
        _ => return None,
    })
}

struct Params(HashMap<String, String>);

impl Params {
    fn get(&self, name: &str) -> &str {
        self.0.get(&name.to_ascii_lowercase()).map(String::as_str).unwrap_or("")
    }
    fn int(&self, name: &str) -> Result<i64, Response> {
        let v = self.get(name).trim();
        v.parse::<i64>().map_err(|_| {
            asmx_500(format!("System.ArgumentException: Cannot convert {v} to System.Int32.\r\nParameter name: type ---> System.FormatException: Input string was not in a correct format."))
        })
    }
}

async fn handle(State(st): State<St>, Path(op): Path<String>, method: Method, RawQuery(query): RawQuery, headers: HeaderMap, body: Bytes) -> Response {
    let Some(names) = declared(&op) else {
        return asmx_500(format!("System.InvalidOperationException: Request format is unrecognized for URL unexpectedly ending in '/{op}'."));
    };
    let raw = if method == Method::POST {
        let form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        if !form {
            return asmx_500(format!("System.InvalidOperationException: Request format is invalid: {}.", headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")));
        }
        String::from_utf8_lossy(&body).into_owned()
    } else if method == Method::GET {
        query.unwrap_or_default()
    } else {
        return (StatusCode::METHOD_NOT_ALLOWED, "The HTTP verb used is not allowed.").into_response();
    };
    let mut map = HashMap::new();
    for (k, v) in decode_pairs(&raw) {
        map.entry(k.to_ascii_lowercase()).or_insert(v);
    }
    for n in names {
        if !map.contains_key(&n.to_ascii_lowercase()) {
            return asmx_500(format!(
                "System.InvalidOperationException: Missing parameter: {n}.\r\n   at System.Web.Services.Protocols.ValueCollectionParameterReader.Read(NameValueCollection collection)"
            ));
        }
    }
    let p = Params(map);
    st.lock().requests += 1;
    let authorised = p.get("username") == AAT_TRAINING_USERNAME && p.get("password") == AAT_TRAINING_PASSWORD;
    match op.as_str() {
        "GetNetwork" => xml(get_network(&p, authorised)),
        "GetNetworkList" => xml(get_network_list(authorised)),
        "GetVoucherType" => match p.int("networkId") {
            Ok(id) => xml(get_voucher_type(&st, id, authorised)),
            Err(r) => r,
        },
        "GetVoucher" => match (p.int("networkId"), p.int("vouchertype")) {
            (Ok(n), Ok(t)) => xml(get_voucher(&st, n, t, authorised)),
            (Err(r), _) | (_, Err(r)) => r,
        },
        "GetUserCredit" => {
            settle(&st);
            if !authorised {
                return xml(format!("<UserCredit {NS}>\n  <Id>0</Id>\n  <RemainingCredit>0</RemainingCredit>\n  <Error>unauthorized</Error>\n</UserCredit>"));
            }
            let c = st.lock().credit;
            xml(format!("<UserCredit {NS}>\n  <Id>1</Id>\n  <Name>Training</Name>\n  <RemainingCredit>{}</RemainingCredit>\n</UserCredit>", decimal(c)))
        }
        "GetUserStatus" => {
            if !authorised {
                return xml(format!("<UserStatus {NS}>\n  <Enabled>false</Enabled>\n  <Error>unauthorized</Error>\n</UserStatus>"));
            }
            xml(format!("<UserStatus {NS}>\n  <Environment>testing</Environment>\n  <Enabled>true</Enabled>\n</UserStatus>"))
        }
        "GetTransactionInfo" => xml(get_transaction_info(&st, p.get("clientRef"), authorised)),
        "GetTransactionCount" => get_transaction_count(&st, &p, authorised),
        _ => recharge(&st, &op, &p, authorised).await,
    }
}

fn get_network(p: &Params, authorised: bool) -> String {
    let error = |e: &str| format!("<NetworkInfo {NS}>\n  <Id>0</Id>\n  <Error>{e}</Error>\n</NetworkInfo>");
    if !authorised {
        return error("unAuthorised user. ");
    }
    let m = p.get("msisdn").trim();
    if !(m.starts_with("27") && m.len() == 11 && m.bytes().all(|b| b.is_ascii_digit())) {
        return error("invalid msisdn. ");
    }
    match network_of_msisdn(m) {
        Some((id, name)) => {
            format!("<NetworkInfo {NS}>\n  <Id>{id}</Id>\n  <Name>{name}</Name>\n</NetworkInfo>")
        }
        None => error("no network found"),
    }
}

fn get_network_list(authorised: bool) -> String {
    if !authorised {
        return format!("<ArrayOfNetworkInfo {NS}>\n  <NetworkInfo>\n    <Id>0</Id>\n    <Error>unAuthorised user. </Error>\n  </NetworkInfo>\n</ArrayOfNetworkInfo>");
    }
    let items: String = NETWORKS.iter().map(|(id, name)| format!("  <NetworkInfo>\n    <Id>{id}</Id>\n    <Name>{name}</Name>\n  </NetworkInfo>\n")).collect();
    format!("<ArrayOfNetworkInfo {NS}>\n{items}</ArrayOfNetworkInfo>")
}

fn get_voucher_type(st: &St, network_id: i64, authorised: bool) -> String {
    let none = |e: &str| {
        format!("<ArrayOfVoucherTypeInfo {NS}>\n  <VoucherTypeInfo>\n    <Id>0</Id>\n    <NetworkId>0</NetworkId>\n    <FixedAmount>false</FixedAmount>\n    <Error>{e}</Error>\n  </VoucherTypeInfo>\n</ArrayOfVoucherTypeInfo>")
    };
    if !authorised {
        return none("unAuthorised user. ");
    }
    let inner = st.lock();
    let mut seen = Vec::new();
    let mut items = String::new();
    for v in inner.vouchers.iter().filter(|v| v.network_id == network_id) {
        if seen.contains(&v.type_id) {
            continue;
        }
        seen.push(v.type_id);
        let (_, name, fixed) = catalog::TYPES.iter().find(|t| t.0 == v.type_id).copied().unwrap_or((v.type_id, "Other", false));
        items.push_str(&format!(
            "  <VoucherTypeInfo>\n    <Id>{}</Id>\n    <NetworkId>{network_id}</NetworkId>\n    <Name>{name}</Name>\n    <FixedAmount>{fixed}</FixedAmount>\n  </VoucherTypeInfo>\n",
            v.type_id
        ));
    }
    if items.is_empty() {
        return none("no voucher types found for network. ");
    }
    format!("<ArrayOfVoucherTypeInfo {NS}>\n{items}</ArrayOfVoucherTypeInfo>")
}

fn get_voucher(st: &St, network_id: i64, type_id: i64, authorised: bool) -> String {
    let none = |e: &str| {
        format!("<ArrayOfVoucherDetails {NS}>\n  <VoucherDetails>\n    <Id>0</Id>\n    <MaxAmount>0</MaxAmount>\n    <MinAmount>0</MinAmount>\n    <PinnedVoucher>false</PinnedVoucher>\n    <Error>{e}</Error>\n  </VoucherDetails>\n</ArrayOfVoucherDetails>")
    };
    if !authorised {
        return none("unAuthorised user. ");
    }
    if !NETWORKS.iter().any(|(id, _)| *id == network_id) {
        return none("no Network found. ");
    }
    let inner = st.lock();
    let items: String = inner
        .vouchers
        .iter()
        .filter(|v| v.network_id == network_id && v.type_id == type_id)
        .map(|v| {
            format!(
                "  <VoucherDetails>\n    <Id>{}</Id>\n    <Name>{}</Name>\n    <Description>{}</Description>\n    <MaxAmount>{}</MaxAmount>\n    <MinAmount>{}</MinAmount>\n    <PinnedVoucher>{}</PinnedVoucher>\n  </VoucherDetails>\n",
                v.id,
                xml_escape(&v.name),
                xml_escape(&v.name),
                decimal2(v.max),
                decimal2(v.min),
                v.pinned
            )
        })
        .collect();
    if items.is_empty() {
        return none("no Voucher found. ");
    }
    format!("<ArrayOfVoucherDetails {NS}>\n{items}</ArrayOfVoucherDetails>")
}

fn get_transaction_info(st: &St, client_ref: &str, authorised: bool) -> String {
    let none = |e: &str| format!("<TransactionVoucherInfo {NS}>\n  <Amount>0</Amount>\n  <ExpiryDate>0001-01-01T00:00:00</ExpiryDate>\n  <Error>{e}</Error>\n</TransactionVoucherInfo>");
    if !authorised {
        return none("unAuthorised user. ");
    }
    settle(st);
    let inner = st.lock();
    // The sale that counts: a successful or pending one before any failed attempt.
    let mine: Vec<&AatLedgerEntry> = inner.ledger.iter().filter(|e| e.client_ref == client_ref.trim()).collect();
    let Some(e) = mine.iter().rev().find(|e| e.status != "FAILED").or(mine.last()) else {
        return none("no transaction information found");
    };
    let pin = match (&e.pin, e.status) {
        (Some(p), "OK") => format!("  <VoucherPin>{p} </VoucherPin>\n"),
        _ => String::new(),
    };
    // Only a PIN voucher expires; a direct recharge's "PIN" is AAT's reference.
    let expiry = if e.operation.starts_with("PerformPinned") && e.status == "OK" { expiry_of(e.created_ms) } else { "0001-01-01T00:00:00".to_string() };
    format!(
        "<TransactionVoucherInfo {NS}>\n  <MSISDN>{}</MSISDN>\n  <Amount>{}</Amount>\n  <VoucherType>{}</VoucherType>\n{pin}  <TicketNumber>{} </TicketNumber>\n  <OrderRef>{}</OrderRef>\n  <BoxNumber>{}</BoxNumber>\n  <BatchNumber>{}</BatchNumber>\n  <ExpiryDate>{expiry}</ExpiryDate>\n  <Status>{}</Status>\n</TransactionVoucherInfo>",
        e.msisdn.as_deref().unwrap_or(""),
        decimal(e.amount),
        e.voucher_type,
        e.ticket,
        e.order_ref,
        e.box_number,
        e.batch_number,
        e.status
    )
}

/// A voucher expires three years after sale, at midnight (South African time).
fn expiry_of(created_ms: i64) -> String {
    let sast = chrono::DateTime::from_timestamp_millis(created_ms + 2 * 3600 * 1000).unwrap_or_default().naive_utc().date();
    let e = sast.with_year_plus(3);
    format!("{}T00:00:00", e.format("%Y-%m-%d"))
}

trait PlusYears {
    fn with_year_plus(self, years: i32) -> chrono::NaiveDate;
}

impl PlusYears for chrono::NaiveDate {
    fn with_year_plus(self, years: i32) -> chrono::NaiveDate {
        use chrono::Datelike;
        self.with_year(self.year() + years).unwrap_or(self)
    }
}

fn get_transaction_count(st: &St, p: &Params, authorised: bool) -> Response {
    let (start, end) = (p.get("startdate").trim().to_string(), p.get("enddate").trim().to_string());
    let parse = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d");
    let (Ok(s), Ok(e)) = (parse(&start), parse(&end)) else {
        return asmx_500(format!(
            "System.ArgumentException: Cannot convert {start} to System.DateTime.\r\nParameter name: type ---> System.FormatException: String was not recognized as a valid DateTime."
        ));
    };
    if !authorised {
        return xml(format!(
            "<TotalTransaction {NS}>\n  <Start>0001-01-01T00:00:00</Start>\n  <End>0001-01-01T00:00:00</End>\n  <Transactions>0</Transactions>\n  <Error>unauthorized</Error>\n</TotalTransaction>"
        ));
    }
    settle(st);
    // Successful sales from the start day's midnight to the end of the end day, South
    // African time [convention: the spec does not say whether the end day counts].
    let ms = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis() - 2 * 3600 * 1000;
    let (from, to) = (ms(s), ms(e) + 24 * 3600 * 1000);
    let n = st.lock().ledger.iter().filter(|x| x.is_sold() && x.created_ms >= from && x.created_ms < to).count();
    xml(format!("<TotalTransaction {NS}>\n  <Start>{start}T00:00:00</Start>\n  <End>{end}T00:00:00</End>\n  <Transactions>{n}</Transactions>\n</TotalTransaction>"))
}

fn recharge_error(e: &str) -> Response {
    xml(format!("<RechargeInfo {NS}>\n  <TransactionError>true</TransactionError>\n  <Error>{}</Error>\n</RechargeInfo>", xml_escape(e)))
}

async fn recharge(st: &St, op: &str, p: &Params, authorised: bool) -> Response {
    let fault = st.lock().faults.take();
    if fault == Some(Fault::Http500) {
        return (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html")], "<html><body><h1>Server Error in '/' Application.</h1></body></html>").into_response();
    }
    let answer = recharge_answer(st, op, p, authorised);
    match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            answer
        }
        Some(Fault::DropAfterRecord) => {
            let stream = BrokenBody::new(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<RechargeInfo");
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/xml; charset=utf-8")
                .body(Body::from_stream(stream))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Some(Fault::Malformed) => {
            let (parts, body) = answer.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
            let mut r = Response::from_parts(parts, Body::from(bytes.slice(..bytes.len() / 2)));
            r.headers_mut().remove(header::CONTENT_LENGTH);
            r
        }
        _ => answer,
    }
}

fn recharge_answer(st: &St, op: &str, p: &Params, authorised: bool) -> Response {
    if !authorised {
        return recharge_error("unAuthorised user. ");
    }
    let pinless = op.starts_with("PerformPinless");
    let without_msisdn = op.contains("WithoutMsisdn");
    let fixed_call = op.ends_with("FixedAmount");
    let voucher_id = match p.int("voucherId") {
        Ok(v) => v,
        Err(r) => return r,
    };
    settle(st);
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let recipient = (!without_msisdn).then(|| p.get("recipientMsisdn").trim().to_string());
    let recipient_network = recipient.as_deref().and_then(network_of_msisdn);
    let Some(v) = inner.vouchers.iter().find(|v| v.id == voucher_id && v.pinned != pinless).cloned() else {
        let suffix = recipient_network.map(|(_, n)| format!(" {n}")).unwrap_or_default();
        return recharge_error(&format!("voucher id doesn't exist for mobile network{}", if pinless { String::new() } else { suffix }));
    };
    if let Some(r) = &recipient {
        let valid = r.len() == 11 && r.starts_with("27") && r.bytes().all(|b| b.is_ascii_digit());
        if !valid || recipient_network.is_none() {
            return recharge_error("Invalid recharge Cell No provided");
        }
        // A direct recharge goes to a number on the voucher's own network.
        if pinless && recipient_network.map(|(id, _)| id) != Some(v.network_id) {
            return recharge_error(&format!("voucher id doesn't exist for mobile network {}", recipient_network.map(|(_, n)| n).unwrap_or("")));
        }
    }
    let amount = if fixed_call {
        if v.min != v.max {
            return recharge_error("This isn't a fixed amount voucher. You need to use the PerformPinlessRecharge, PerformPinnedRecharge, PerformPinnedRechargeWithoutMsisdn calls. ");
        }
        v.min
    } else {
        let text = p.get("amount").trim().to_string();
        let Some(a) = parse_rand(&text) else {
            return asmx_500(format!(
                "System.ArgumentException: Cannot convert {text} to System.Decimal.\r\nParameter name: type ---> System.FormatException: Input string was not in a correct format."
            ));
        };
        if v.min == v.max && a != v.min {
            return recharge_error(&format!("invalid amount. Amount needs to exactly be: {}", decimal(v.min)));
        }
        if a < v.min || a > v.max {
            return recharge_error(&format!("invalid amount. Amount needs to be between R{} and R{} (Max Recharge Amount Set: R{})", decimal(v.min), decimal(v.max), decimal(v.max)));
        }
        a
    };
    let client_ref = p.get("clientRef").trim().to_string();
    if client_ref.is_empty() || inner.ledger.iter().any(|e| e.client_ref == client_ref && e.status != "FAILED") {
        // The spec spells this differently in each operation.
        let text = if without_msisdn {
            "client reference already use "
        } else if pinless || fixed_call {
            "client reference already used "
        } else {
            "client reference already used."
        };
        return recharge_error(text);
    }
    if inner.credit < amount {
        return recharge_error(&format!("insufficient credit to complete the transaction. Current credit - R{}", decimal(inner.credit)));
    }
    inner.credit -= amount;
    let (tx, order) = (inner.next_tx, inner.next_order);
    inner.next_tx += 1;
    inner.next_order += 1;
    let pin: String = (0..16).map(|_| char::from(b'0' + inner.rng.random_range(0..10u8))).collect();
    let ticket: String = (0..12).map(|_| char::from(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[inner.rng.random_range(0..32usize)])).collect();
    let slow = pinless && recipient.as_deref().is_some_and(|r| r.ends_with("0013") || r.ends_with("0011"));
    let network = NETWORKS.iter().find(|(id, _)| *id == v.network_id).map(|(_, n)| n.to_string()).unwrap_or_default();
    let entry = AatLedgerEntry {
        transaction_id: tx,
        client_ref,
        order_ref: order.to_string(),
        operation: op.to_string(),
        msisdn: recipient,
        voucher_id: v.id,
        voucher_type: v.type_id,
        network,
        amount,
        pin: Some(pin.clone()),
        ticket: ticket.clone(),
        box_number: (13_004_900 + tx % 100).to_string(),
        batch_number: (130_049_300 + tx % 1000).to_string(),
        status: if slow { "PENDING" } else { "OK" },
        created_ms: now,
        resolves_ms: slow.then_some(now + PENDING_RESOLVES_AFTER_MS),
        fail_reason: None,
    };
    inner.ledger.push(entry.clone());
    if !slow {
        schedule_rechecks(&mut inner, &entry.client_ref, now);
    }
    drop(inner);
    if !slow {
        let st2 = st.clone();
        tokio::spawn(async move { post_callback(&st2, &entry).await });
    }
    // The spec's success sample: the PIN, right-padded ticket number, order reference.
    xml(format!(
        "<RechargeInfo {NS}>\n  <VoucherPin>{pin}</VoucherPin>\n  <OrderRef>{order}</OrderRef>\n  <TicketNumber>{ticket} </TicketNumber>\n  <BoxNumber>{}</BoxNumber>\n  <BatchNumber>{}</BatchNumber>\n  <TransactionError>false</TransactionError>\n</RechargeInfo>",
        13_004_900 + tx % 100,
        130_049_300 + tx % 1000
    ))
}

/// `2`, `2.5`, `2.50` → cents; anything else (or more than two decimals) is none.
fn parse_rand(s: &str) -> Option<i64> {
    let (w, f) = s.split_once('.').unwrap_or((s, ""));
    if w.is_empty() || w.len() > 9 || f.len() > 2 || !w.bytes().all(|b| b.is_ascii_digit()) || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = if f.is_empty() { 0 } else { f.parse::<i64>().ok()? * if f.len() == 1 { 10 } else { 1 } };
    Some(w.parse::<i64>().ok()? * 100 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_aat_writes_and_reads_them() {
        assert_eq!(decimal(200), "2");
        assert_eq!(decimal(250), "2.50");
        assert_eq!(decimal2(500), "5.00");
        assert_eq!(parse_rand("2"), Some(200));
        assert_eq!(parse_rand("2.5"), Some(250));
        assert_eq!(parse_rand("2.50"), Some(250));
        assert_eq!(parse_rand("2.505"), None);
        assert_eq!(parse_rand("-2"), None);
        assert_eq!(parse_rand(""), None);
        assert_eq!(decode_pairs("a=1+2&b=%26&c"), vec![("a".into(), "1 2".into()), ("b".into(), "&".into()), ("c".into(), "".into())]);
    }
}
