//! Recharges (async, synchronous `v2`, batch), prevend, cancel and transaction
//! enquiries, with the QA simulator's rules.

use super::faults::network_down_response;
use super::{
    balance_text, code_error, cost_e4, four, health_key, is_down, is_json, json_response, ok_envelope, owner, owns, rand_text, rand_text_e4, unsupported_media_type, Inner, LedgerEntry, Movement,
    MovementKind, Prevend, St, DUPLICATE_WINDOW_MS, PENDING_RESOLVES_AFTER_MS,
};
use airtill_domain::money::parse_decimal;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The sandbox's own copy of the prevend validity (providers' conventions: 10 minutes).
const PREVEND_VALID_MS: i64 = 10 * 60 * 1000;
/// Client-reference history: one week; Smartload-reference history: one month.
const CLIENT_REF_HISTORY_MS: i64 = 7 * 24 * 3600 * 1000;
const SMARTLOAD_REF_HISTORY_MS: i64 = 31 * 24 * 3600 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// South African time is UTC+2 all year.
pub(crate) const SAST_MS: i64 = 2 * 3600 * 1000;

/// The fields of a recharge request, read by hand from the raw body.
pub(crate) struct RechargeFields {
    pub smartload_id: String,
    pub client_reference: String,
    pub sms_recipient: String,
    pub device_id: String,
    pub product_id: i64,
    pub amount: i64,
    pub pinless: bool,
    /// Which of the product's two catalog entries is sold (and at which discount).
    pub send_sms: bool,
}

const RECHARGE_FIELDS: [&str; 9] = ["smartloadId", "clientReference", "smsRecipientMsisdn", "deviceId", "productId", "amount", "pinless", "sendSms", "smsProviderIdentifier"];

/// Reads an object with exactly the allowed fields (an unknown field is refused).
pub(crate) fn read_object(v: &Value, allowed: &[&str]) -> Result<HashMap<String, Value>, String> {
    let Some(o) = v.as_object() else {
        return Err("the body is not a JSON object".into());
    };
    if let Some(unknown) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("unknown field {unknown}"));
    }
    Ok(o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

pub(crate) fn read_recharge_bytes(body: &[u8]) -> Result<RechargeFields, String> {
    let raw: HashMap<String, Box<serde_json::value::RawValue>> = serde_json::from_slice(body).map_err(|e| format!("the body is not a JSON object: {e}"))?;
    read_recharge_raw(&raw)
}

fn read_recharge_raw(raw: &HashMap<String, Box<serde_json::value::RawValue>>) -> Result<RechargeFields, String> {
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
    let amount = raw_amount(raw.get("amount").map(|r| r.get()), "amount")?;
    let product_id = raw.get("productId").ok_or("productId is missing")?.get().parse::<i64>().map_err(|_| "productId must be a whole number".to_string())?;
    let send_sms = boolean("sendSms")?;
    if let Some(s) = raw.get("smsProviderIdentifier") {
        serde_json::from_str::<String>(s.get()).map_err(|_| "smsProviderIdentifier must be a string".to_string())?;
    }
    Ok(RechargeFields {
        smartload_id: text("smartloadId")?,
        client_reference: text("clientReference")?,
        sms_recipient: text("smsRecipientMsisdn")?,
        device_id: text("deviceId")?,
        product_id,
        amount,
        pinless: boolean("pinless")?,
        send_sms,
    })
}

/// A Rand amount given as a bare JSON number (`100`, `12.5`), in cents.
pub(crate) fn raw_amount(raw: Option<&str>, name: &str) -> Result<i64, String> {
    let text = raw.ok_or(format!("{name} is missing"))?;
    if text.starts_with('"') {
        return Err(format!("{name} must be a number"));
    }
    parse_decimal(text, 2).map_err(|_| format!("{name} {text} is not an amount in Rand"))
}

pub(crate) fn pin_length(network_id: i64) -> usize {
    match network_id {
        2 => 16,
        8 | 13 => 20,
        9 => 14,
        _ => 12,
    }
}

/// The month of South African time (UTC+2, no summer time) a moment falls in, as
/// `year * 12 + month`: free basic electricity is given once a month.
pub(crate) fn sa_month(ms: i64) -> i64 {
    use chrono::Datelike;
    let t = chrono::DateTime::from_timestamp_millis(ms + 2 * 3600 * 1000).unwrap_or_default();
    i64::from(t.year()) * 12 + i64::from(t.month0())
}

pub(crate) fn digits(rng: &mut impl Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

/// A refusal: the flat `{code,message}` shape (or the network-down one).
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    pub network_down: Option<String>,
}

impl Refusal {
    fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Refusal {
        Refusal { status, code, message: message.into(), network_down: None }
    }

    fn flat(&self) -> Response {
        match &self.network_down {
            Some(n) => network_down_response(n),
            None => code_error(self.status, self.code, &self.message),
        }
    }

    fn nested(&self) -> Value {
        json!({"code": self.code, "message": self.message})
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Async,
    Sync,
}

/// The next refund run after `now`: 05h30, 11h30, 17h30, 23h30 South African time.
pub(crate) fn next_refund_ms(now: i64) -> i64 {
    let local = now + SAST_MS;
    let day_start = local - local.rem_euclid(DAY_MS);
    let runs = [5 * 60 + 30, 11 * 60 + 30, 17 * 60 + 30, 23 * 60 + 30, 24 * 60 + 5 * 60 + 30];
    let next = runs.iter().map(|m| day_start + m * 60_000).find(|t| *t > local).unwrap_or(day_start + DAY_MS);
    next - SAST_MS
}

/// The cashup item name of a network (`VOD`, `MTN`, `CELLC`, as the service writes them).
pub(crate) fn cashup_item(network: &str) -> String {
    match network {
        "Vodacom" => "VOD".into(),
        "MTN" => "MTN".into(),
        "Cell C" => "CELLC".into(),
        other => other.to_string(),
    }
}

/// Checks and records one recharge; the ledger index on success.
fn accept(inner: &mut Inner, user: &str, req: &RechargeFields, now: i64, mode: Mode) -> Result<usize, Refusal> {
    let bad = StatusCode::BAD_REQUEST;
    if !owns(inner, user, &req.smartload_id) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, 400, "The supplied Smartload ID is not registered to your account"));
    }
    if req.client_reference.trim().is_empty() {
        return Err(Refusal::new(bad, 1007, "Recharge parameter validation failure: clientReference is empty"));
    }
    if inner.by_client_ref(&req.client_reference).is_some() {
        return Err(Refusal::new(bad, 1001, "Duplicate recharge"));
    }
    if let Some(p) = inner.prevends.get(&req.client_reference) {
        if p.mobile && now - p.created_ms > PREVEND_VALID_MS {
            return Err(Refusal::new(bad, 17, "The prevend has expired"));
        }
    }
    // The entry of the two with this id whose smsIndicator is what was asked for.
    let Some(product) = inner.products.iter().find(|p| p.id == req.product_id && p.sms == req.send_sms).cloned() else {
        return Err(Refusal::new(bad, 9, "Invalid Offering ID (product code)"));
    };
    if product.type_code == "P " {
        return Err(Refusal::new(bad, 7, "Invalid product type: payment products are paid through /payments"));
    }
    let electricity = product.type_code == "E ";
    if req.pinless == product.pinned && (req.pinless || !electricity) {
        return Err(Refusal::new(bad, 10, "Pinless Indicator Error: Smartload only distributes vouchers on the selected network"));
    }
    if req.amount < product.min || req.amount > product.max {
        return Err(Refusal::new(bad, 1007, "Recharge parameter validation failure: amount out of range"));
    }
    if !req.device_id.bytes().all(|b| b.is_ascii_digit()) || req.device_id.is_empty() {
        return Err(Refusal::new(bad, 6, "Invalid recharge Cell No provided"));
    }
    if !(electricity || (req.device_id.len() == 11 && req.device_id.starts_with("27"))) {
        return Err(Refusal::new(bad, 6, "Invalid recharge Cell No provided"));
    }
    if !(req.sms_recipient.len() == 11 && req.sms_recipient.starts_with("27") && req.sms_recipient.bytes().all(|b| b.is_ascii_digit())) {
        return Err(Refusal::new(bad, 1007, "Recharge parameter validation failure: smsRecipientMsisdn"));
    }
    if electricity && req.device_id.len() != 11 && req.device_id.len() != 13 {
        return Err(Refusal::new(bad, 8, "A meter number is compulsory for an electricity recharge"));
    }
    let repeat = |e: &LedgerEntry| !matches!(e.status, "FAILED" | "CANCELLED") && now - e.created_ms < DUPLICATE_WINDOW_MS;
    if inner.to_device(&req.device_id, req.amount).any(repeat) {
        let message = if electricity {
            "A recharge with this meter no. has been received. Please wait for it to complete before retrying"
        } else {
            "A trx with the same Cell no + amount was done in the last 5 minutes. Please retry in 5 min if valid."
        };
        return Err(Refusal::new(bad, 16, message));
    }
    if !product.pinned {
        if let Some(key) = health_key(product.network) {
            if is_down(inner, key, now) {
                return Err(Refusal { status: StatusCode::OK, code: 2, message: String::new(), network_down: Some(product.network.to_string()) });
            }
        }
    }
    if product.pinned && req.amount == 1_100 {
        // The QA simulator's business failure, for a voucher: nothing is issued.
        return Err(Refusal::new(bad, 2, "General System Error, recharged failed"));
    }
    let cost = cost_e4(req.amount, product.discount);
    let wallet = inner.wallets.get(&req.smartload_id).copied().unwrap_or(0);
    if wallet < cost {
        return Err(Refusal::new(bad, 15, format!("Insufficient funds in the SmartLoad wallet - Current balance: {}", balance_text(wallet))));
    }
    inner.wallets.insert(req.smartload_id.clone(), wallet - cost);
    let item = cashup_item(product.network);
    inner.movements.push(Movement { ms: now, smartload_id: req.smartload_id.clone(), delta: -cost, kind: MovementKind::Sale { item, amount: req.amount } });
    let order_ref = inner.next_order_ref;
    inner.next_order_ref += 1;
    // The QA simulator: R11 is a business failure, R13 a network pending; other
    // pinless recharges wait in the queue (async) or go through at once (sync).
    // Electricity is never synchronous (spec, "Synchronous recharge request"): the
    // answer is a submission only, and the token comes with the transaction's final
    // state, to be asked for by Transaction Query.
    let status = match (req.amount, product.pinned, mode) {
        (1_100, _, _) => "FAILED",
        (1_300, _, _) => "PENDING",
        _ if electricity => "REQUESTED",
        (_, true, _) => "SUCESSFUL",
        (_, false, Mode::Sync) => "SUCESSFUL",
        (_, false, Mode::Async) => "REQUESTED",
    };
    let mut rng = rand::rng();
    let (pin, ticket) = if product.pinned && status == "SUCESSFUL" { (Some(digits(&mut rng, pin_length(product.network_id))), Some(digits(&mut rng, 10))) } else { (None, None) };
    Ok(inner.record(LedgerEntry {
        client_reference: req.client_reference.clone(),
        order_reference_id: order_ref,
        smartload_id: req.smartload_id.clone(),
        kind: "recharge",
        product_id: product.id,
        network: product.network.to_string(),
        device_id: req.device_id.clone(),
        amount: req.amount,
        cost,
        discount: product.discount,
        status,
        voucher_pin: pin,
        additional_pin: None,
        ticket_number: ticket,
        created_ms: now,
        refund_due_ms: (status == "FAILED").then(|| next_refund_ms(now)),
        refunded: false,
    }))
}

/// The `recharge` object of an answer.
fn recharge_json(inner: &Inner, e: &LedgerEntry, now: i64) -> Value {
    let padded = |s: &Option<String>, width: usize| s.as_ref().map(|v| format!("{v:<width$}")).unwrap_or_default();
    let balance = inner.wallets.get(&e.smartload_id).copied().unwrap_or(0);
    let _ = now;
    json!({
        "balance": four(balance),
        "orderReferenceId": e.order_reference_id,
        "ticketNumber": padded(&e.ticket_number, 20),
        "boxNumber": "",
        "batchNumber": "",
        "voucherPin": padded(&e.voucher_pin, 24),
        "expiryDate": e.voucher_pin.as_ref().map(|_| e.created_ms + 365 * DAY_MS),
        "retailPrice": format!("{}.{:02}", e.amount / 100, e.amount % 100),
        "dealerDiscount": percent_text(e.discount),
    })
}

/// `5.5`, `6`, `7.125`: the recorded `dealerDiscount` text, from ten-thousandths.
fn percent_text(e4: i64) -> String {
    let text = format!("{}.{:04}", e4 / 10_000, e4 % 10_000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Moves sales on to where the clock says they are, and pays refunds that are due.
pub(crate) fn settle(inner: &mut Inner, now: i64) {
    let mut rng = rand::rng();
    let queue = inner.queue_delay_ms;
    let mut refunds = Vec::new();
    let Inner { ledger, products, open, free_basic_meters, free_basic_issued, .. } = inner;
    open.retain(|&i| {
        let e = &mut ledger[i];
        if e.status == "REQUESTED" && now - e.created_ms >= queue {
            e.status = "SUCESSFUL";
            // Electricity reaches the supplier: its token, and on a meter registered
            // for free basic electricity the month's free-basic token with the first.
            if let Some(p) = products.iter().find(|p| p.id == e.product_id).filter(|p| p.pinned) {
                e.voucher_pin = Some(digits(&mut rng, pin_length(p.network_id)));
                e.ticket_number = Some(digits(&mut rng, 10));
                if free_basic_meters.contains(&e.device_id) && free_basic_issued.insert((e.device_id.clone(), sa_month(e.created_ms))) {
                    e.additional_pin = Some(digits(&mut rng, 20));
                }
            }
        }
        if e.status == "PENDING" && now - e.created_ms >= PENDING_RESOLVES_AFTER_MS {
            e.status = "SUCESSFUL";
            if let Some(p) = products.iter().find(|p| p.id == e.product_id).filter(|p| p.pinned) {
                e.voucher_pin = Some(digits(&mut rng, pin_length(p.network_id)));
                e.ticket_number = Some(digits(&mut rng, 10));
            }
        }
        if e.status == "FAILED" && !e.refunded && e.refund_due_ms.is_some_and(|t| t <= now) {
            e.refunded = true;
            refunds.push((e.smartload_id.clone(), e.cost, cashup_item(&e.network), e.amount, e.refund_due_ms.unwrap_or(now)));
        }
        // Kept while it may still change.
        matches!(e.status, "REQUESTED" | "PENDING") || (e.status == "FAILED" && !e.refunded)
    });
    for (sid, cost, item, amount, at) in refunds {
        *inner.wallets.entry(sid.clone()).or_default() += cost;
        inner.movements.push(Movement { ms: at, smartload_id: sid, delta: cost, kind: MovementKind::Refund { item, amount } });
    }
}

async fn read_body(st: &St, headers: &HeaderMap, body: &Bytes) -> Result<(String, RechargeFields, i64), Response> {
    if !is_json(headers) {
        return Err(unsupported_media_type());
    }
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let user = super::bearer_user(headers, &mut inner, now)?;
    let req = read_recharge_bytes(body).map_err(|why| code_error(StatusCode::BAD_REQUEST, 1007, &format!("Recharge parameter validation failure: {why}")))?;
    Ok((user, req, now))
}

pub(crate) async fn recharge_async(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let (user, req, now) = match read_body(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut inner = st.lock();
    settle(&mut inner, now);
    match accept(&mut inner, &user, &req, now, Mode::Async) {
        Ok(i) => {
            let e = inner.ledger[i].clone();
            ok_envelope(json!({ "recharge": recharge_json(&inner, &e, now) }))
        }
        Err(r) => r.flat(),
    }
}

/// The network's own words for an outcome, as `statusMessage` carries them.
fn network_message(network: &str, outcome: &str) -> String {
    match (network, outcome) {
        ("Vodacom", "ok") => "00 Recharge completed successfully",
        ("Vodacom", "fail") => "12 Invalid Recharge",
        ("Vodacom", "pending") => "10 Delay in processing the recharge",
        ("MTN", "ok") => "0000 Request was Successful",
        ("MTN", "fail") => "1810 Business Rule Violation",
        ("MTN", "pending") => "Network busy processing",
        ("Cell C", "ok") => "0 Successful Transaction",
        ("Cell C", "fail") => "9 Unsuccessful Transaction",
        ("Cell C", "pending") => "6 Transaction time-out",
        (n, "fail") if n.starts_with("Telkom") => "MPR-030 An error occurred validating the account against the Product Platform",
        (n, "pending") if n.starts_with("Telkom") => "MPR-050 Recharge is in a state that does not allow for completion",
        (_, "ok") => "Recharge successful",
        (_, "fail") => "Recharge failed",
        _ => "Network busy processing",
    }
    .to_string()
}

pub(crate) async fn recharge_sync(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let (user, req, now) = match read_body(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut inner = st.lock();
    settle(&mut inner, now);
    match accept(&mut inner, &user, &req, now, Mode::Sync) {
        Ok(i) => {
            let e = inner.ledger[i].clone();
            let (code, outcome, error) = match e.status {
                "FAILED" => (2, "fail", json!({"code": 2, "message": "General System Error, recharged failed"})),
                "PENDING" => (3, "pending", json!({"code": 1006, "message": "Recharge Timeout, Please query recharge for status"})),
                _ => (0, "ok", Value::Null),
            };
            let recharge = if code == 0 { recharge_json(&inner, &e, now) } else { Value::Null };
            json_response(
                StatusCode::OK,
                json!({
                    "error": error,
                    "responseCode": if code == 0 { "SUCCESS" } else if code == 3 { "SYS_ERROR" } else { "APP_ERROR" },
                    "statusCode": code,
                    "statusMessage": network_message(&e.network, outcome),
                    "recharge": recharge,
                }),
            )
        }
        Err(r) if r.network_down.is_some() => r.flat(),
        Err(r) => json_response(StatusCode::OK, json!({"error": r.nested(), "responseCode": "APP_ERROR", "statusCode": if r.code == 2 { 2 } else { 1 }, "statusMessage": null, "recharge": null})),
    }
}

pub(crate) async fn recharge_batch(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    if !is_json(&headers) {
        return unsupported_media_type();
    }
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let user = match super::bearer_user(&headers, &mut inner, now) {
        Ok(u) => u,
        Err(r) => return r,
    };
    type RawFields = HashMap<String, Box<serde_json::value::RawValue>>;
    let parsed = serde_json::from_slice::<RawFields>(&body).map_err(|e| e.to_string()).and_then(|top| {
        if let Some(k) = top.keys().find(|k| k.as_str() != "recharges") {
            return Err(format!("unknown field {k}"));
        }
        let list = top.get("recharges").ok_or("recharges is missing")?;
        serde_json::from_str::<Vec<RawFields>>(list.get()).map_err(|e| e.to_string())
    });
    let recharges = match parsed {
        Ok(b) => b,
        Err(e) => return code_error(StatusCode::BAD_REQUEST, 1007, &format!("Recharge parameter validation failure: {e}")),
    };
    struct Batch {
        recharges: Vec<RawFields>,
    }
    let batch = Batch { recharges };
    if batch.recharges.len() > 100 {
        return json_response(StatusCode::OK, json!({"responseCode": "BATCH_LIMIT_EXCEEDED", "recharges": []}));
    }
    settle(&mut inner, now);
    let mut items = Vec::new();
    let mut ok = 0;
    for raw in &batch.recharges {
        let cref = raw.get("clientReference").and_then(|r| serde_json::from_str::<String>(r.get()).ok()).unwrap_or_default();
        let result = read_recharge_raw(raw)
            .map_err(|why| Refusal::new(StatusCode::BAD_REQUEST, 1007, format!("Recharge parameter validation failure: {why}")))
            .and_then(|req| accept(&mut inner, &user, &req, now, Mode::Async));
        items.push(match result {
            Ok(i) => {
                ok += 1;
                let e = inner.ledger[i].clone();
                json!({"clientReference": cref, "responseCode": "SUCCESS", "error": null, "recharge": recharge_json(&inner, &e, now)})
            }
            Err(r) => {
                let (rc, err) = match &r.network_down {
                    Some(n) => ("SYS_ERROR", json!({"code": 2, "message": format!("{n} network is down")})),
                    None => ("APP_ERROR", r.nested()),
                };
                json!({"clientReference": cref, "responseCode": rc, "error": err, "recharge": null})
            }
        });
    }
    let rc = if ok == items.len() {
        "SUCCESS"
    } else if ok == 0 {
        "FAILURE"
    } else {
        "PART_SUCCESS"
    };
    json_response(StatusCode::OK, json!({"responseCode": rc, "recharges": items}))
}

pub(crate) async fn prevend(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let (user, req, now) = match read_body(&st, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut inner = st.lock();
    let answer = |code: &str, message: &str| json_response(StatusCode::OK, json!({"responseCode": code, "message": message}));
    if !owns(&inner, &user, &req.smartload_id) {
        return super::not_registered();
    }
    let Some(product) = inner.products.iter().find(|p| p.id == req.product_id).cloned() else {
        return answer("INV_REQUEST", "Invalid product ID");
    };
    let electricity = product.type_code == "E ";
    let mobile_ok = !product.pinned && req.pinless && matches!(product.network, "Vodacom" | "MTN");
    if !(electricity || mobile_ok) {
        // FAQ 2: only pinless Vodacom and MTN products (and electricity).
        return answer("INV_REQUEST", "Invalid product ID");
    }
    if inner.by_client_ref(&req.client_reference).is_some() {
        return answer("INV_REQUEST", "Client reference already used");
    }
    if let Some(key) = health_key(product.network) {
        if is_down(&inner, key, now) {
            return answer("SYS_ERROR", &format!("{} network is down", product.network));
        }
    }
    if req.amount < product.min || req.amount > product.max {
        return answer("APP_ERROR", &network_message(product.network, "fail"));
    }
    if req.amount == 1_100 {
        return answer("APP_ERROR", &network_message(product.network, "fail"));
    }
    if electricity && req.device_id.len() != 11 && req.device_id.len() != 13 {
        return answer("APP_ERROR", "Invalid meter number");
    }
    inner.prevends.insert(req.client_reference.clone(), Prevend { created_ms: now, mobile: !electricity });
    let message = if electricity { "Meter validated".to_string() } else { network_message(product.network, "ok") };
    answer("SUCCESS", &message)
}

/// `5.50%`, `7.125%`: the enquiry's discount text, from ten-thousandths.
fn discount_text(e4: i64) -> String {
    let frac = format!("{:04}", e4 % 10_000);
    let frac = frac.trim_end_matches('0');
    format!("{}.{frac:0<2}%", e4 / 10_000)
}

pub(crate) fn transaction_json(inner: &Inner, e: &LedgerEntry) -> Value {
    let product = inner.products.iter().find(|p| p.id == e.product_id);
    let network_text = product.map(|p| p.name.clone()).unwrap_or_else(|| e.network.clone());
    let discount = e.discount;
    let status_text = match e.status {
        "SUCESSFUL" => "Recharge Successful",
        "FAILED" => "Recharge Failed",
        "CANCELLED" => "Recharge Cancelled",
        "REQUESTED" => "Recharge Requested",
        _ => "Recharge Pending",
    };
    let pad = |s: &Option<String>| s.as_ref().map(|v| Value::String(format!("{v:<24}"))).unwrap_or(Value::Null);
    let mut t = Map::new();
    t.insert("description".into(), json!(if e.kind == "payment" { "Payment" } else { "Order" }));
    t.insert("network".into(), json!(network_text));
    t.insert("recipientMsisdn".into(), json!(e.device_id));
    t.insert("statusDate".into(), json!(e.created_ms));
    t.insert("reference".into(), json!(e.order_reference_id.to_string()));
    t.insert("amount".into(), json!(rand_text(e.amount)));
    t.insert("discount".into(), json!(discount_text(discount)));
    t.insert("cost".into(), json!(rand_text_e4(e.cost)));
    t.insert("status".into(), json!(status_text));
    t.insert("statusId".into(), json!(e.status));
    t.insert("ticketNumber".into(), pad(&e.ticket_number));
    t.insert("voucherPin".into(), pad(&e.voucher_pin));
    t.insert("additionalVoucherPin".into(), pad(&e.additional_pin));
    t.insert("boxNumber".into(), Value::Null);
    t.insert("batchNumber".into(), Value::Null);
    t.insert("expiryDate".into(), e.voucher_pin.as_ref().map(|_| json!(e.created_ms + 365 * DAY_MS)).unwrap_or(Value::Null));
    Value::Object(t)
}

pub(crate) async fn transaction_by_client_ref(State(st): State<St>, headers: HeaderMap, Path((sid, cref)): Path<(String, String)>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = owner(&headers, &mut inner, now, &sid) {
        return r;
    }
    settle(&mut inner, now);
    let found = inner.by_client_ref(&cref).map(|i| &inner.ledger[i]).filter(|e| e.smartload_id == sid && now - e.created_ms <= CLIENT_REF_HISTORY_MS);
    match found {
        Some(e) => ok_envelope(json!({ "transaction": transaction_json(&inner, e) })),
        None => code_error(StatusCode::BAD_REQUEST, 1005, "ClientReference does not exist"),
    }
}

pub(crate) async fn transaction_by_smartload_ref(State(st): State<St>, headers: HeaderMap, Path((sid, oref)): Path<(String, String)>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = owner(&headers, &mut inner, now, &sid) {
        return r;
    }
    settle(&mut inner, now);
    let oref = oref.parse::<i64>().unwrap_or(-1);
    let found = inner.by_order_ref(oref).map(|i| &inner.ledger[i]).filter(|e| e.smartload_id == sid && now - e.created_ms <= SMARTLOAD_REF_HISTORY_MS);
    match found {
        Some(e) => ok_envelope(json!({ "transaction": transaction_json(&inner, e) })),
        None => code_error(StatusCode::BAD_REQUEST, 1008, "Recharge does not exist"),
    }
}

enum CancelKey {
    Client(String),
    Smartload(String),
}

fn cancel(st: &St, headers: &HeaderMap, sid: &str, key: CancelKey) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = owner(headers, &mut inner, now, sid) {
        return r;
    }
    settle(&mut inner, now);
    let bad = StatusCode::BAD_REQUEST;
    let index = match &key {
        CancelKey::Client(c) if c.trim().is_empty() => return code_error(bad, 100, "Invalid request message. No transaction references supplied"),
        CancelKey::Client(c) => match inner.by_client_ref(c).filter(|&i| inner.ledger[i].smartload_id == sid) {
            Some(i) => i,
            None => return code_error(bad, 3, "The client reference is not linked to an Smartload reference number (invalid client reference number)"),
        },
        CancelKey::Smartload(r) => match r.parse::<i64>().ok().and_then(|r| inner.by_order_ref(r)).filter(|&i| inner.ledger[i].smartload_id == sid) {
            Some(i) => i,
            None => return code_error(bad, 4, "The Smartload reference number is not valid"),
        },
    };
    let e = inner.ledger[index].clone();
    let shown = match key {
        CancelKey::Client(c) => c,
        CancelKey::Smartload(r) => r,
    };
    match e.status {
        "CANCELLED" => code_error(bad, 7, &format!("{shown} has already been cancelled.")),
        _ if e.voucher_pin.is_some() => code_error(bad, 5, "A voucher recharge cannot be cancelled because a PIN has been issued"),
        "REQUESTED" => {
            inner.ledger[index].status = "CANCELLED";
            *inner.wallets.entry(e.smartload_id.clone()).or_default() += e.cost;
            let item = cashup_item(&e.network);
            inner.movements.push(Movement { ms: now, smartload_id: e.smartload_id.clone(), delta: e.cost, kind: MovementKind::Refund { item, amount: e.amount } });
            ok_envelope(json!({}))
        }
        _ => code_error(bad, 6, "The recharge could not be cancelled because it has already been attempted at the network"),
    }
}

pub(crate) async fn cancel_by_client_ref(State(st): State<St>, headers: HeaderMap, Path((sid, cref)): Path<(String, String)>) -> Response {
    cancel(&st, &headers, &sid, CancelKey::Client(cref))
}

pub(crate) async fn cancel_by_smartload_ref(State(st): State<St>, headers: HeaderMap, Path((sid, oref)): Path<(String, String)>) -> Response {
    cancel(&st, &headers, &sid, CancelKey::Smartload(oref))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refunds_run_at_the_four_times_of_day() {
        // 2026-11-23 10:00 SAST = 08:00 UTC.
        let ten_am = 1_795_392_000_000 + 8 * 3600 * 1000;
        let next = next_refund_ms(ten_am);
        assert_eq!(next - ten_am, 90 * 60 * 1000, "11h30 is an hour and a half after 10h00");
        let midnight_local = 1_795_392_000_000 - SAST_MS + 24 * 3600 * 1000 - 20 * 60 * 1000; // 23h40 SAST
        assert_eq!(next_refund_ms(midnight_local) - midnight_local, (20 + 5 * 60 + 30) * 60 * 1000);
    }
}
