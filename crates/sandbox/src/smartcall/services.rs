//! Utilities (SIM network, network health), payments (EasyPay, DSTV) and SmartRica.

use super::form::{invalid, owned, Form};
use super::recharge::{digits, read_object, SAST_MS};
use super::{bearer_user, code_error, debit, is_down, json_response, ok_envelope, two_places, LedgerEntry, Movement, MovementKind, Registration, St, HEALTH_KEYS, TRAINING_RICA_AGENT};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{json, Value};

/// How long a RICA registration stays `PENDING`.
pub const RICA_PROCESSING_MS: i64 = 10 * 60 * 1000;
/// How long an agent registration stays `PENDING`.
pub const AGENT_PROCESSING_MS: i64 = 60 * 60 * 1000;
/// A disabled agent the sandbox knows.
pub const DISABLED_RICA_AGENT: &str = "27821234568";

fn bad(code: i64, message: &str) -> Response {
    code_error(StatusCode::BAD_REQUEST, code, message)
}

/// The sandbox's own little prefix model (not the app's table), for `simnetwork`.
fn home_network(msisdn: &str) -> Option<&'static str> {
    if msisdn.len() != 11 || !msisdn.starts_with("27") || !msisdn.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let local = format!("0{}", &msisdn[2..]);
    const TABLE: [(&str, &str); 14] = [
        ("082", "Vodacom"),
        ("072", "Vodacom"),
        ("076", "Vodacom"),
        ("079", "Vodacom"),
        ("083", "MTN"),
        ("073", "MTN"),
        ("078", "MTN"),
        ("084", "Cell C"),
        ("074", "Cell C"),
        ("062", "Cell C"),
        ("0811", "Telkom Mobile"),
        ("0812", "Telkom Mobile"),
        ("0813", "Telkom Mobile"),
        ("0741", "Virgin Mobile"),
    ];
    TABLE.iter().filter(|(p, _)| local.starts_with(p)).max_by_key(|(p, _)| p.len()).map(|(_, n)| *n)
}

/// Numbers ending in 999 have been ported: to Telkom Mobile, or from it to Vodacom.
fn current_network(msisdn: &str) -> Option<(&'static str, bool)> {
    let home = home_network(msisdn)?;
    if msisdn.ends_with("999") {
        return Some((if home == "Telkom Mobile" { "Vodacom" } else { "Telkom Mobile" }, true));
    }
    Some((home, false))
}

pub(crate) async fn sim_network(State(st): State<St>, headers: HeaderMap, Path(msisdn): Path<String>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let Some((network, ported)) = current_network(&msisdn) else {
        return bad(6, "Invalid recharge Cell No provided");
    };
    let date = chrono::DateTime::from_timestamp_millis(now + SAST_MS).map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default();
    json_response(StatusCode::OK, json!({"msisdn": msisdn, "queryDate": date, "ported": ported, "network": network, "error": null}))
}

pub(crate) async fn health(State(st): State<St>, headers: HeaderMap) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let mut o = serde_json::Map::new();
    for k in HEALTH_KEYS {
        o.insert(k.to_string(), json!(if is_down(&inner, k, now) { "DOWN" } else { "UP" }));
    }
    json_response(StatusCode::OK, Value::Object(o))
}

fn digit_sum(s: &str) -> i64 {
    s.bytes().filter(u8::is_ascii_digit).map(|b| i64::from(b - b'0')).sum()
}

pub(crate) async fn easypay_query(State(st): State<St>, headers: HeaderMap, Path((kind, value)): Path<(String, String)>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    match kind.as_str() {
        "epNo" => {
            if !(value.starts_with('9') && (10..=30).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())) {
                return bad(1007, "Invalid EasyPay number");
            }
            if value.ends_with("0000") {
                return bad(1008, "Account not found");
            }
            let due = (digit_sum(&value) * 1_234) % 200_000 + 5_000;
            ok_envelope(json!({"accountReference": value, "amountDue": two_places(due), "description": "City of Johannesburg - Rates and Taxes"}))
        }
        "noticeNo" => {
            if value.trim().is_empty() || value.len() > 40 {
                return bad(1007, "Invalid notice number");
            }
            ok_envelope(json!({"accountReference": value, "amountDue": two_places(50_000), "description": "JMPD traffic fine"}))
        }
        _ => bad(1007, "Invalid EasyPay account type"),
    }
}

struct PaymentIn {
    sid: String,
    cref: String,
    product_id: i64,
    network: &'static str,
    account: String,
    amount: i64,
    discount: i64,
}

fn pay(st: &St, headers: &HeaderMap, p: PaymentIn, cell: &str) -> Response {
    if !(cell.len() == 11 && cell.starts_with("27") && cell.bytes().all(|b| b.is_ascii_digit())) {
        return invalid("paymentCellNumber");
    }
    if p.amount <= 0 {
        return invalid("paymentAmount must be more than 0");
    }
    let (mut inner, now) = match owned(st, headers, &p.sid) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if p.cref.trim().is_empty() {
        return invalid("clientReference is empty");
    }
    if inner.by_client_ref(&p.cref).is_some() {
        return bad(1001, "Duplicate recharge");
    }
    let cost = super::cost_e4(p.amount, p.discount);
    if let Err((code, message)) = debit(&mut inner, &p.sid, cost) {
        return bad(code, &message);
    }
    inner.movements.push(Movement { ms: now, smartload_id: p.sid.clone(), delta: -cost, kind: MovementKind::Sale { item: p.network.to_string(), amount: p.amount } });
    let order_ref = inner.next_order_ref;
    inner.next_order_ref += 1;
    inner.record(LedgerEntry::done(&p.cref, order_ref, &p.sid, "payment", p.product_id, p.network, &p.account, p.amount, p.discount, now));
    let mut rng = rand::rng();
    ok_envelope(json!({"payment": {"reference": order_ref.to_string(), "receiptNumber": digits(&mut rng, 12), "amount": two_places(p.amount)}}))
}

/// The fields every payment has, read from a form.
fn payment_fields(f: &Form) -> Result<(String, String, String, String, String, i64), Response> {
    Ok((f.text("smartloadId")?, f.text("clientReference")?, f.text("accountType")?, f.text("accountReference")?, f.text("paymentCellNumber")?, f.amount("paymentAmount")?))
}

pub(crate) async fn easypay_pay(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = ["smartloadId", "clientReference", "productId", "accountType", "accountReference", "paymentAmount", "paymentCellNumber"];
    let (f, product_id) = match Form::read(&headers, &body, &fields).and_then(|f| f.int("productId").map(|id| (f, id))) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (sid, cref, kind, account, cell, amount) = match payment_fields(&f) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !matches!(kind.as_str(), "epNo" | "noticeNo") {
        return invalid("accountType is epNo or noticeNo");
    }
    let discount = {
        let inner = st.lock();
        match inner.products.iter().find(|p| p.id == product_id && p.type_code == "P " && !p.sms) {
            Some(p) => p.discount,
            None => return bad(9, "Invalid Offering ID (product code)"),
        }
    };
    pay(&st, &headers, PaymentIn { sid, cref, product_id, network: "EasyPay", account, amount, discount }, &cell)
}

pub(crate) async fn dstv_query(State(st): State<St>, headers: HeaderMap, Path((kind, value)): Path<(String, String)>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = bearer_user(&headers, &mut inner, now) {
        return r;
    }
    if !(6..=13).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return bad(1007, "Invalid DSTV account number");
    }
    match kind.as_str() {
        "SUBS" => ok_envelope(json!({"accountReference": value, "amountDue": two_places(89_900), "description": "DStv Premium - account active"})),
        "TVOD" => ok_envelope(json!({"accountReference": value, "amountDue": two_places(0), "description": "DStv BoxOffice wallet"})),
        _ => bad(1007, "Invalid DSTV account type"),
    }
}

pub(crate) async fn dstv_pay(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = ["smartloadId", "clientReference", "accountType", "accountReference", "paymentAmount", "paymentCellNumber"];
    let parsed = Form::read(&headers, &body, &fields).and_then(|f| payment_fields(&f));
    let (sid, cref, kind, account, cell, amount) = match parsed {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !matches!(kind.as_str(), "SUBS" | "TVOD") {
        return invalid("accountType is SUBS or TVOD");
    }
    if !(6..=13).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_digit()) {
        return bad(1007, "Invalid DSTV account number");
    }
    pay(&st, &headers, PaymentIn { sid, cref, product_id: 0, network: "DSTV", account, amount, discount: 10_000 }, &cell)
}

// ---- SmartRica ----------------------------------------------------------------

/// The sandbox's own check of a South African ID number (Luhn).
fn id_number_ok(id: &str) -> bool {
    if id.len() != 13 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut sum = 0;
    for (i, b) in id.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn today(now: i64) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_millis(now + SAST_MS).map(|d| d.date_naive()).unwrap_or_default()
}

/// Spec 9b: a passport needs an expiry at least 3 months ahead.
fn check_identity(id_type: &str, id_number: &str, expiry: Option<&str>, now: i64) -> Result<Option<String>, Response> {
    match id_type {
        "RSA_ID" => Ok((!id_number_ok(id_number)).then(|| "ID number failed Home Affairs validation".to_string())),
        "PASSPORT" => {
            let Some(expiry) = expiry.and_then(|e| chrono::NaiveDate::parse_from_str(e, "%Y-%m-%d").ok()) else {
                return Err(bad(1007, "Passport expiry date is required"));
            };
            let limit = today(now).checked_add_months(chrono::Months::new(3)).unwrap_or_default();
            if expiry < limit {
                return Err(bad(1007, "Passport must be valid for at least 3 months"));
            }
            Ok(None)
        }
        _ => Err(bad(1007, "idType is RSA_ID or PASSPORT")),
    }
}

fn check_address(v: Option<&Value>) -> Result<(), Response> {
    let Some(a) = v else {
        return Err(bad(1007, "residentialAddress is required"));
    };
    read_object(a, &["line1", "suburb", "city", "postalCode"]).map_err(|e| bad(1007, &format!("residentialAddress: {e}")))?;
    for k in ["line1", "suburb", "city", "postalCode"] {
        if a.get(k).and_then(|v| v.as_str()).is_none_or(|s| s.trim().is_empty()) {
            return Err(bad(1007, &format!("residentialAddress.{k} is required")));
        }
    }
    Ok(())
}

fn agent_state(msisdn: &str) -> (bool, bool, bool) {
    match msisdn {
        TRAINING_RICA_AGENT => (true, true, true),
        DISABLED_RICA_AGENT => (true, false, true),
        _ => (false, false, false),
    }
}

fn register(st: &St, prefix: &str, msisdn: String, rejected: Option<String>, agent: bool) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    let id = format!("{prefix}{:08}", inner.registrations.len() + 1);
    inner.registrations.push(Registration { id: id.clone(), msisdn, created_ms: now, rejected, agent });
    ok_envelope(json!({ "registrationId": id }))
}

fn authed(st: &St, headers: &HeaderMap) -> Result<(), Response> {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    bearer_user(headers, &mut inner, now).map(|_| ())
}

pub(crate) async fn rica_register(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    const FIELDS: [&str; 12] =
        ["agentId", "msisdn", "iccid", "firstName", "surname", "idType", "idNumber", "passportExpiry", "nationality", "alternativeContactNumber", "residentialAddress", "network"];
    let o = match Form::read(&headers, &body, &FIELDS).and_then(|f| authed(&st, &headers).map(|_| f)) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let get = |k: &str| o.get(k);
    if !agent_state(&get("agentId")).1 {
        return bad(1007, "The agent is not an enabled RICA agent");
    }
    if get("alternativeContactNumber").is_empty() {
        return bad(1007, "An alternative contact number is mandatory");
    }
    let msisdn = get("msisdn");
    if current_network(&msisdn).is_none() {
        return bad(6, "Invalid Cell No provided");
    }
    if !(19..=20).contains(&get("iccid").len()) {
        return bad(1007, "Invalid ICCID");
    }
    if get("firstName").is_empty() || get("surname").is_empty() {
        return bad(1007, "firstName and surname are required");
    }
    if let Err(r) = check_address(o.value("residentialAddress")) {
        return r;
    }
    let expiry = o.value("passportExpiry").and_then(|v| v.as_str());
    let rejected = match check_identity(&get("idType"), &get("idNumber"), expiry, st.clock.now_ms()) {
        Ok(r) => r,
        Err(r) => return r,
    };
    register(&st, "RICA", msisdn, rejected, false)
}

pub(crate) async fn rica_change_ownership(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    const FIELDS: [&str; 12] = [
        "agentId",
        "firstName",
        "surname",
        "idDetails",
        "registrationType",
        "subscriberId",
        "last4Iccid",
        "residentialAddress",
        "previousIdNumber",
        "previousIdType",
        "network",
        "businessOwnerIdDetails",
    ];
    let o = match Form::read(&headers, &body, &FIELDS).and_then(|f| authed(&st, &headers).map(|_| f)) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let get = |k: &str| o.get(k);
    if !agent_state(&get("agentId")).1 {
        return bad(1007, "The agent is not an enabled RICA agent");
    }
    let subscriber = get("subscriberId");
    if current_network(&subscriber).is_none() {
        return bad(6, "Invalid Cell No provided");
    }
    let last4 = get("last4Iccid");
    if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
        return bad(1007, "last4Iccid must be 4 digits");
    }
    if let Err(r) = check_address(o.value("residentialAddress")) {
        return r;
    }
    let Some(id) = o.value("idDetails") else {
        return bad(1007, "idDetails is required");
    };
    if let Err(e) = read_object(id, &["idType", "idNumber", "passportExpiry", "nationality"]) {
        return bad(1007, &format!("idDetails: {e}"));
    }
    let idf = |k: &str| id.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let rejected = match check_identity(&idf("idType"), &idf("idNumber"), id.get("passportExpiry").and_then(|v| v.as_str()), st.clock.now_ms()) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match get("registrationType").as_str() {
        "INDIVIDUAL" => {}
        "BUSINESS" if o.value("businessOwnerIdDetails").is_some_and(|v| v.is_object()) => {}
        "BUSINESS" => return bad(1007, "businessOwnerIdDetails is required for a business"),
        _ => return bad(1007, "registrationType is INDIVIDUAL or BUSINESS"),
    }
    register(&st, "CHOW", subscriber, rejected, false)
}

fn status_of(st: &St, headers: &HeaderMap, id: &str, agent: bool) -> Result<(String, String, Option<String>), Response> {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    bearer_user(headers, &mut inner, now)?;
    let Some(r) = inner.registrations.iter().find(|r| r.id == id && r.agent == agent) else {
        return Err(bad(1008, "Registration does not exist"));
    };
    let wait = if agent { super::services::AGENT_PROCESSING_MS } else { RICA_PROCESSING_MS };
    let (status, reason) = match (&r.rejected, now - r.created_ms >= wait) {
        (_, false) => ("PENDING", None),
        (Some(why), true) => (if agent { "FAILED" } else { "REJECTED" }, Some(why.clone())),
        (None, true) => (if agent { "APPROVED" } else { "REGISTERED" }, None),
    };
    Ok((r.msisdn.clone(), status.to_string(), reason))
}

pub(crate) async fn rica_status(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    match status_of(&st, &headers, &id, false) {
        Ok((msisdn, status, reason)) => ok_envelope(json!({"registrationId": id, "msisdn": msisdn, "status": status, "reason": reason})),
        Err(r) => r,
    }
}

pub(crate) async fn rica_agent(State(st): State<St>, headers: HeaderMap, Path(msisdn): Path<String>) -> Response {
    if let Err(r) = authed(&st, &headers) {
        return r;
    }
    let (agent, enabled, under) = agent_state(&msisdn);
    ok_envelope(json!({"agent": agent, "enabled": enabled, "underMasterDealer": under}))
}

pub(crate) async fn rica_register_agent(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    const FIELDS: [&str; 11] = ["msisdn", "firstName", "surname", "idType", "idNumber", "passportExpiry", "nationality", "residentialAddress", "idImage", "faceImage", "proofOfAddressImage"];
    let o = match Form::read(&headers, &body, &FIELDS).and_then(|f| authed(&st, &headers).map(|_| f)) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let get = |k: &str| o.get(k);
    let msisdn = get("msisdn");
    if current_network(&msisdn).is_none() {
        return bad(6, "Invalid Cell No provided");
    }
    if let Err(r) = check_address(o.value("residentialAddress")) {
        return r;
    }
    let mut face_ok = true;
    for k in ["idImage", "faceImage", "proofOfAddressImage"] {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(get(k)) else {
            return bad(1007, &format!("{k} is not base64"));
        };
        if bytes.is_empty() || bytes.len() > 300 * 1024 {
            return bad(1007, &format!("{k} must be an image of at most 300k"));
        }
        if k == "faceImage" {
            face_ok = bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"\x89PNG");
        }
    }
    let rejected = match check_identity(&get("idType"), &get("idNumber"), o.value("passportExpiry").and_then(|v| v.as_str()), st.clock.now_ms()) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let rejected = rejected.or((!face_ok).then(|| "Face image could not be verified".to_string()));
    register(&st, "AGT", msisdn, rejected, true)
}

pub(crate) async fn rica_agent_status(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    match status_of(&st, &headers, &id, true) {
        Ok((_, status, reason)) => ok_envelope(json!({"status": status, "reason": reason})),
        Err(r) => r,
    }
}
