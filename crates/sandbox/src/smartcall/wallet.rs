//! The wallet: balance, dealer check, funds transfer, cashups and batch voucher
//! orders (with their AES-encrypted zip files).

use super::form::{invalid, owned, Form};
use super::recharge::{cashup_item, digits, pin_length, SAST_MS};
use super::{code_error, debit, four, is_dealer, is_json, json_response, ok_envelope, unsupported_media_type, Inner, LedgerEntry, Movement, MovementKind, Order, St};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;

const DAY_MS: i64 = 24 * 3600 * 1000;

pub(crate) async fn balance(State(st): State<St>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (inner, _) = match owned(&st, &headers, &id) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let e4 = inner.wallets.get(&id).copied().unwrap_or(0);
    ok_envelope(json!({ "balance": four(e4) }))
}

pub(crate) async fn registered(State(st): State<St>, headers: HeaderMap, Path(msisdn): Path<String>) -> Response {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    if let Err(r) = super::bearer_user(&headers, &mut inner, now) {
        return r;
    }
    let registered = is_dealer(&inner, &msisdn);
    ok_envelope(json!({ "registered": registered }))
}

pub(crate) async fn funds_transfer(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let f = match Form::read(&headers, &body, &["sourceSmartloadId", "recipientSmartloadId", "amount", "sendSms"]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let parts = (f.text("sourceSmartloadId"), f.text("recipientSmartloadId"), f.amount("amount"), f.boolean("sendSms"));
    let (source, recipient, cents) = match parts {
        (Ok(s), Ok(r), Ok(a), Ok(_)) => (s, r, a),
        (Err(r), ..) | (_, Err(r), ..) | (_, _, Err(r), _) | (.., Err(r)) => return r,
    };
    let (mut inner, now) = match owned(&st, &headers, &source) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !is_dealer(&inner, &recipient) || recipient == source {
        return code_error(StatusCode::BAD_REQUEST, 3, "Invalid owner Cell No provided");
    }
    if cents <= 0 {
        return invalid("amount must be more than 0");
    }
    let e4 = cents * 100;
    if let Err((code, message)) = debit(&mut inner, &source, e4) {
        return code_error(StatusCode::BAD_REQUEST, code, &message);
    }
    *inner.wallets.entry(recipient.clone()).or_default() += e4;
    inner.movements.push(Movement { ms: now, smartload_id: source.clone(), delta: -e4, kind: MovementKind::TransferOut });
    inner.movements.push(Movement { ms: now, smartload_id: recipient, delta: e4, kind: MovementKind::Deposit });
    let balance = inner.wallets.get(&source).copied().unwrap_or(0);
    ok_envelope(json!({ "currentDealerBalance": four(balance) }))
}

/// Midnight (SAST) of a `YYYY-MM-DD` day, in epoch ms.
fn day_start(date: &str) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let utc = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
    Some(utc - SAST_MS)
}

fn cashup(inner: &Inner, sid: &str, from: i64, to: i64) -> Value {
    let balance_now = inner.wallets.get(sid).copied().unwrap_or(0);
    let mine: Vec<&Movement> = inner.movements.iter().filter(|m| m.smartload_id == sid).collect();
    let after = |t: i64| mine.iter().filter(|m| m.ms >= t).map(|m| m.delta).sum::<i64>();
    let opening = balance_now - after(from);
    let closing = balance_now - after(to);
    // Per network: count, retail (cents), cost (ten-thousandths); refunds and cancels
    // take sales back out.
    let mut sales: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut deposits = (0i64, 0i64);
    let mut transfers = (0i64, 0i64);
    for m in mine.iter().filter(|m| m.ms >= from && m.ms < to) {
        match &m.kind {
            MovementKind::Sale { item, amount } => {
                let s = sales.entry(item.clone()).or_default();
                *s = (s.0 + 1, s.1 + amount, s.2 - m.delta);
            }
            MovementKind::Refund { item, amount } => {
                let s = sales.entry(item.clone()).or_default();
                *s = (s.0 - 1, s.1 - amount, s.2 - m.delta);
            }
            MovementKind::Deposit => deposits = (deposits.0 + 1, deposits.1 + m.delta),
            MovementKind::TransferOut => transfers = (transfers.0 + 1, transfers.1 + m.delta),
        }
    }
    let balance_item = |group: &str, cents: i64| json!({"groupDescription": group, "itemDescription": null, "itemCount": null, "amount": four(cents), "netAmount": four(cents), "profit": null});
    let mut items = vec![balance_item("Opening Balance", opening)];
    let mut total_profit = 0;
    for (item, (count, retail, cost)) in &sales {
        let retail = retail * 100;
        let profit = retail - cost;
        total_profit += profit;
        items.push(json!({"groupDescription": "Recharges", "itemDescription": item, "itemCount": count, "amount": four(-retail), "netAmount": four(-cost), "profit": four(profit)}));
    }
    if deposits.0 > 0 {
        items.push(json!({"groupDescription": "Deposits", "itemDescription": "Credit", "itemCount": deposits.0, "amount": four(deposits.1), "netAmount": four(deposits.1), "profit": null}));
    }
    if transfers.0 > 0 {
        items
            .push(json!({"groupDescription": "Transfers", "itemDescription": "Funds Transfer", "itemCount": transfers.0, "amount": four(transfers.1), "netAmount": four(transfers.1), "profit": null}));
    }
    items.push(json!({"groupDescription": "Total Profit", "itemDescription": null, "itemCount": null, "amount": four(total_profit), "netAmount": four(total_profit), "profit": four(total_profit)}));
    items.push(balance_item("Closing Balance", closing));
    json!({"error": null, "responseCode": null, "cashupResponseItems": items})
}

pub(crate) async fn cashup_today(State(st): State<St>, headers: HeaderMap, Path(sid): Path<String>) -> Response {
    let (inner, now) = match owned(&st, &headers, &sid) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let local = now + SAST_MS;
    let from = local - local.rem_euclid(DAY_MS) - SAST_MS;
    json_response(StatusCode::OK, cashup(&inner, &sid, from, now + 1))
}

pub(crate) async fn cashup_period(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let f = match Form::read(&headers, &body, &["smartloadId", "startDate", "endDate"]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (sid, start, end) = match (f.text("smartloadId"), f.text("startDate"), f.text("endDate")) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
    };
    let (Some(from), Some(to)) = (day_start(&start), day_start(&end)) else {
        return invalid("dates are yyyy-MM-dd");
    };
    if to < from {
        return invalid("endDate is before startDate");
    }
    match owned(&st, &headers, &sid) {
        Ok((inner, _)) => json_response(StatusCode::OK, cashup(&inner, &sid, from, to + DAY_MS)),
        Err(r) => r,
    }
}

fn order_json(o: &Order) -> Value {
    json!({"orderId": o.order_id, "fileName": format!("order-{}-{}.zip", o.order_id, o.file_version), "password": o.password, "quantity": o.vouchers.len(), "amount": four(o.amount * 100)})
}

fn new_password() -> String {
    let mut rng = rand::rng();
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    (0..16).map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())])).collect()
}

pub(crate) async fn order_vouchers(State(st): State<St>, headers: HeaderMap, body: Bytes) -> Response {
    let f = match Form::read(&headers, &body, &["smartloadId", "clientReference", "productId", "quantity"]) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (sid, cref, product_id, quantity) = match (f.text("smartloadId"), f.text("clientReference"), f.int("productId"), f.int("quantity")) {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
        (Err(r), ..) | (_, Err(r), ..) | (_, _, Err(r), _) | (.., Err(r)) => return r,
    };
    let (mut inner, now) = match owned(&st, &headers, &sid) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if quantity <= 0 {
        return code_error(StatusCode::BAD_REQUEST, 19, "The quantity must be greater than 0");
    }
    if quantity > 1000 {
        return invalid("at most 1000 vouchers per order");
    }
    if inner.orders.iter().any(|o| o.client_reference == cref) || inner.by_client_ref(&cref).is_some() {
        return code_error(StatusCode::BAD_REQUEST, 1001, "Duplicate recharge");
    }
    // Vouchers ordered in bulk come without an SMS to anyone: the plain entry.
    let Some(product) = inner.products.iter().find(|p| p.id == product_id && !p.sms && p.pinned && p.retail != 9_999_999).cloned() else {
        return code_error(StatusCode::BAD_REQUEST, 9, "Invalid Offering ID (product code)");
    };
    let unit_cost = super::cost_e4(product.retail, product.discount);
    let total = product.retail * quantity;
    let cost = unit_cost * quantity;
    if let Err((code, message)) = debit(&mut inner, &sid, cost) {
        return code_error(StatusCode::BAD_REQUEST, code, &message);
    }
    let mut rng = rand::rng();
    let expiry = chrono::DateTime::from_timestamp_millis(now + 365 * DAY_MS).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let order_id = inner.next_order_ref;
    inner.next_order_ref += 1;
    let batch = format!("B{order_id}");
    let vouchers: Vec<_> =
        (0..quantity).map(|i| (digits(&mut rng, 10), digits(&mut rng, pin_length(product.network_id)), product.retail, expiry.clone(), format!("BOX{}", i / 50 + 1), batch.clone())).collect();
    let item = cashup_item(product.network);
    for _ in 0..quantity {
        inner.movements.push(Movement { ms: now, smartload_id: sid.clone(), delta: -unit_cost, kind: MovementKind::Sale { item: item.clone(), amount: product.retail } });
    }
    let mut entry = LedgerEntry::done(&cref, order_id, &sid, "voucher_order", product_id, product.network, "", total, product.discount, now);
    entry.cost = cost;
    inner.record(entry);
    let order = Order { order_id, smartload_id: sid, client_reference: cref, password: new_password(), file_version: 1, vouchers, amount: total };
    let answer = order_json(&order);
    inner.orders.push(order);
    ok_envelope(json!({ "order": answer }))
}

/// The order's vouchers as an AES-256 encrypted zip with one CSV inside.
fn order_zip(o: &Order) -> Result<Vec<u8>, String> {
    let mut csv = String::from("ticketNumber,voucherPin,amount,expiryDate,boxNumber,batchNumber\n");
    for (ticket, pin, cents, expiry, boxno, batch) in &o.vouchers {
        csv.push_str(&format!("{ticket},{pin},{}.{:02},{expiry},{boxno},{batch}\n", cents / 100, cents % 100));
    }
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).with_aes_encryption(zip::AesMode::Aes256, &o.password);
    w.start_file(format!("order-{}.csv", o.order_id), options).map_err(|e| e.to_string())?;
    w.write_all(csv.as_bytes()).map_err(|e| e.to_string())?;
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}

fn find_order<'a>(inner: &'a mut Inner, sid: &str, order: &str) -> Option<&'a mut Order> {
    let id = order.parse::<i64>().ok()?;
    inner.orders.iter_mut().find(|o| o.order_id == id && o.smartload_id == sid)
}

pub(crate) async fn order_file(State(st): State<St>, headers: HeaderMap, Path((sid, order)): Path<(String, String)>) -> Response {
    let (mut inner, _) = match owned(&st, &headers, &sid) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(o) = find_order(&mut inner, &sid, &order) else {
        return code_error(StatusCode::BAD_REQUEST, 2001, "Batch order does not exist");
    };
    match order_zip(o) {
        Ok(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"order-{}-{}.zip\"", o.order_id, o.file_version))],
            bytes,
        )
            .into_response(),
        Err(e) => code_error(StatusCode::INTERNAL_SERVER_ERROR, 2, &format!("General System Error: {e}")),
    }
}

pub(crate) async fn recreate_order_file(State(st): State<St>, headers: HeaderMap, Path((sid, order)): Path<(String, String)>) -> Response {
    if !is_json(&headers) {
        return unsupported_media_type();
    }
    let (mut inner, _) = match owned(&st, &headers, &sid) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(o) = find_order(&mut inner, &sid, &order) else {
        return code_error(StatusCode::BAD_REQUEST, 2001, "Batch order does not exist");
    };
    o.password = new_password();
    o.file_version += 1;
    let answer = order_json(o);
    ok_envelope(json!({ "order": answer }))
}
