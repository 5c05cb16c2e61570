//! Every Smartcall operation of the client against the sandbox, over real HTTP.
//! Time is a `ManualClock` shared by both sides: no test waits real minutes.

use airtill_domain::clock::{Clock, ManualClock};
use airtill_providers::smartcall::*;
use airtill_providers::ErrorClass;
use airtill_sandbox::{Fault, SmartcallSandbox, TRAINING_RICA_AGENT, TRAINING_SECOND_SMARTLOAD_ID, TRAINING_SMARTLOAD_ID};
use base64::Engine as _;
use chrono::NaiveDate;
use std::sync::Arc;
use std::time::Duration;

/// 2026-11-23 10:00 South African time.
const START_MS: i64 = 1_795_392_000_000 + 8 * 3600 * 1000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

struct Env {
    sb: SmartcallSandbox,
    client: Arc<Client>,
    clock: ManualClock,
}

fn config(base: String, password: &str) -> Config {
    Config {
        base_url: base,
        username: "training".into(),
        password: password.into(),
        smartload_id: TRAINING_SMARTLOAD_ID.into(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(1500),
    }
}

async fn env() -> Env {
    let clock = ManualClock::new(START_MS);
    let sb = SmartcallSandbox::start_with_clock(Arc::new(clock.clone())).await.unwrap();
    let client = Arc::new(Client::with_clock(config(sb.base_url(), "training"), Arc::new(clock.clone())).unwrap());
    Env { sb, client, clock }
}

fn today() -> NaiveDate {
    "2026-11-23".parse().unwrap()
}

/// A product found in the served catalog by network and name.
async fn product(c: &Client, network: &str, name: &str, sms: bool) -> (Network, Product) {
    let Fetched::Fresh { value, .. } = c.networks(None).await.unwrap() else { panic!("no catalog") };
    let net = value.iter().find(|n| n.description == network).unwrap_or_else(|| panic!("no network {network}")).clone();
    let p = net.product_types.iter().flat_map(|t| t.products.iter()).find(|p| p.name == name && p.sms_indicator == sms).unwrap_or_else(|| panic!("no product {name}")).clone();
    (net, p)
}

fn req(cref: &str, device: &str, p: &Product, cents: i64) -> RechargeRequest {
    RechargeRequest {
        smartload_id: TRAINING_SMARTLOAD_ID.into(),
        client_reference: cref.into(),
        sms_recipient_msisdn: "27831234567".into(),
        device_id: device.into(),
        product_id: p.id,
        amount: cents,
        pinless: !p.pin_indicator,
        send_sms: p.pin_indicator,
        sms_provider_identifier: None,
    }
}

fn code(e: &SmartcallError) -> Option<ErrorCode> {
    e.code()
}

#[tokio::test]
async fn auth_login_token_query_invalidate_and_flush() {
    let e = env().await;
    let auth = e.client.login().await.unwrap();
    assert_eq!(auth.token_type.as_deref(), Some("Bearer"));
    assert_eq!(auth.expires_at, Some(START_MS + 24 * HOUR), "expiresAt is epoch milliseconds");
    assert_eq!(e.client.token_query().await.unwrap().available_tokens, 19);
    // The shared token: a call logs in once, invalidate gives it back.
    e.client.balance().await.unwrap();
    assert_eq!(e.sb.live_tokens(), 2);
    e.client.invalidate().await.unwrap();
    assert_eq!(e.sb.live_tokens(), 1);
    assert_eq!(e.client.flush().await.unwrap().available_tokens, 20);
    assert_eq!(e.sb.live_tokens(), 0);

    let wrong = Client::new(config(e.sb.base_url(), "nope")).unwrap();
    let err = wrong.balance().await.unwrap_err();
    assert!(matches!(err, SmartcallError::LoginRefused(ref m) if m == "Invalid password"), "{err:?}");
    assert_eq!(err.class_for_sale(), ErrorClass::Configuration);
    assert!(err.cashier_message().contains("manager"));
}

#[tokio::test]
async fn ping_needs_no_login() {
    let e = env().await;
    assert_eq!(e.client.ping().await.unwrap().response, "Pong");
    assert_eq!(e.sb.logins(), 0);
}

#[tokio::test]
async fn balance_and_dealer_registration() {
    let e = env().await;
    assert_eq!(e.client.balance().await.unwrap(), 1_000_000_000, "R100 000.0000, in ten-thousandths");
    assert_eq!(e.client.balance_of(TRAINING_SECOND_SMARTLOAD_ID).await.unwrap(), 0);
    let err = e.client.balance_of("27829999999").await.unwrap_err();
    assert_eq!(code(&err), Some(ErrorCode::SmartloadIdNotRegistered));
    assert!(e.client.dealer_registered(TRAINING_SMARTLOAD_ID).await.unwrap());
    assert!(!e.client.dealer_registered("27831234567").await.unwrap());
}

#[tokio::test]
async fn networks_network_and_product_honour_the_etag() {
    let e = env().await;
    let Fetched::Fresh { etag: Some(tag), value } = e.client.networks(None).await.unwrap() else { panic!() };
    let products: usize = value.iter().flat_map(|n| &n.product_types).map(|t| t.products.len()).sum();
    assert!(products >= 300, "several hundred products: {products}");
    assert!(matches!(e.client.networks(Some(&tag)).await.unwrap(), Fetched::NotModified));

    let mtn = value.iter().find(|n| n.description == "MTN").unwrap();
    let Fetched::Fresh { etag: Some(net_tag), value: net } = e.client.network(mtn.id, None).await.unwrap() else { panic!() };
    assert_eq!(&net, mtn);
    assert!(matches!(e.client.network(mtn.id, Some(&net_tag)).await.unwrap(), Fetched::NotModified));

    let p = &mtn.product_types[0].products[0];
    let twins = e.client.product(p.id).await.unwrap();
    assert_eq!(twins.len(), 2);
    assert_ne!(twins[0].sms_indicator, twins[1].sms_indicator, "every product twice, once per smsIndicator");

    // The catalog changes: both ETags change.
    e.sb.set_discount(p.id, 90_000);
    let Fetched::Fresh { etag: Some(new_tag), .. } = e.client.networks(Some(&tag)).await.unwrap() else { panic!("a changed catalog is sent again") };
    assert_ne!(new_tag, tag);
    assert!(matches!(e.client.network(mtn.id, Some(&net_tag)).await.unwrap(), Fetched::Fresh { .. }));
    let err = e.client.product(999_999).await.unwrap_err();
    assert_eq!(code(&err), Some(ErrorCode::InvalidOfferingId));
}

#[tokio::test]
async fn a_voucher_recharge_and_both_enquiries() {
    let e = env().await;
    let (_, p) = product(&e.client, "MTN", "MTN Airtime R12", true).await;
    let r = e.client.recharge(&req("ref-voucher", "27831234567", &p, 1200)).await.unwrap();
    let pin = r.voucher_pin.clone().unwrap();
    assert_eq!(pin.len(), 16, "trimmed: {pin:?}");
    assert_eq!(r.retail_price, Some(1200));
    // Sold with the SMS: that twin's 5.75% discount; the wallet to four decimals.
    assert_eq!(r.balance, Some(1_000_000_000 - (120_000 - 1200 * 57_500 / 10_000)));
    assert_eq!(r.dealer_discount, Some(57_500));
    let t = e.client.transaction("ref-voucher").await.unwrap();
    assert_eq!(t.status(), Some(TransactionStatus::Successful));
    assert_eq!(t.voucher_pin.as_deref(), Some(pin.as_str()));
    assert_eq!(t.amount, Some(1200));
    let by_ref = e.client.transaction_by_smartload_ref(r.order_reference_id).await.unwrap();
    assert_eq!(by_ref.reference, Some(r.order_reference_id.to_string()));
    // History: a week by client reference, a month by Smartload reference.
    e.clock.advance_ms(8 * 24 * HOUR);
    assert_eq!(code(&e.client.transaction("ref-voucher").await.unwrap_err()), Some(ErrorCode::ClientReferenceUnknown));
    assert!(e.client.transaction_by_smartload_ref(r.order_reference_id).await.is_ok());
    e.clock.advance_ms(24 * 24 * HOUR);
    assert_eq!(code(&e.client.transaction_by_smartload_ref(r.order_reference_id).await.unwrap_err()), Some(ErrorCode::RechargeUnknown));
}

#[tokio::test]
async fn the_qa_simulator_scenarios_async() {
    let e = env().await;
    let (_, p) = product(&e.client, "Vodacom", "Vodacom Airtime", false).await;
    // Ordinary pinless: requested, then successful once it reaches the network.
    e.client.recharge(&req("a1", "27821111111", &p, 2000)).await.unwrap();
    assert_eq!(e.client.transaction("a1").await.unwrap().status(), Some(TransactionStatus::Requested));
    e.clock.advance_ms(3_000);
    assert_eq!(e.client.transaction("a1").await.unwrap().status(), Some(TransactionStatus::Successful));
    // R11: a business failure.
    e.client.recharge(&req("a2", "27821111112", &p, 1100)).await.unwrap();
    assert_eq!(e.client.transaction("a2").await.unwrap().status(), Some(TransactionStatus::Failed));
    // R13: network pending, resolved later.
    e.client.recharge(&req("a3", "27821111113", &p, 1300)).await.unwrap();
    assert_eq!(e.client.transaction("a3").await.unwrap().status(), Some(TransactionStatus::Pending));
    e.clock.advance_ms(2 * MINUTE);
    assert_eq!(e.client.transaction("a3").await.unwrap().status(), Some(TransactionStatus::Successful));
    // The failed recharge's cost comes back at the next refund run (11h30).
    let ledger = e.sb.ledger();
    let failed = ledger.iter().find(|l| l.client_reference == "a2").unwrap();
    assert!(!failed.refunded);
    e.clock.advance_ms(90 * MINUTE);
    assert!(e.sb.ledger().iter().find(|l| l.client_reference == "a2").unwrap().refunded);
}

#[tokio::test]
async fn the_qa_simulator_scenarios_sync() {
    let e = env().await;
    let (_, p) = product(&e.client, "MTN", "MTN Airtime", false).await;
    let ok = e.client.recharge_sync(&req("s1", "27831111111", &p, 2000)).await.unwrap();
    assert_eq!(ok.status_message.as_deref(), Some("0000 Request was Successful"));
    assert_eq!(e.client.transaction("s1").await.unwrap().status(), Some(TransactionStatus::Successful));
    let fail = e.client.recharge_sync(&req("s2", "27831111112", &p, 1100)).await.unwrap_err();
    assert_eq!(fail.class_for_sale(), ErrorClass::Rejected, "{fail:?}");
    assert!(matches!(&fail, SmartcallError::Sync { status_code: 2, network: Some(n), .. } if n.code == "1810"));
    let pending = e.client.recharge_sync(&req("s3", "27831111113", &p, 1300)).await.unwrap_err();
    assert!(matches!(pending, SmartcallError::Sync { status_code: 3, .. }));
    assert_eq!(pending.class_for_sale(), ErrorClass::InDoubt, "statusCode 3: query before anything else");
    let invalid = e.client.recharge_sync(&req("s4", "27831111114", &p, 100)).await.unwrap_err();
    assert_eq!(invalid.class_for_sale(), ErrorClass::Rejected, "{invalid:?}");
}

#[tokio::test]
async fn duplicate_reference_and_repeat_within_five_minutes() {
    let e = env().await;
    let (_, p) = product(&e.client, "Cell C", "Cell C Airtime R10", true).await;
    e.client.recharge(&req("d1", "27841234567", &p, 1000)).await.unwrap();
    let dup = e.client.recharge(&req("d1", "27841234567", &p, 1000)).await.unwrap_err();
    assert_eq!(code(&dup), Some(ErrorCode::DuplicateReference));
    assert_eq!(dup.class_for_sale(), ErrorClass::InDoubt, "1001: the reference is ours, query it");
    let again = e.client.recharge(&req("d2", "27841234567", &p, 1000)).await.unwrap_err();
    assert_eq!(code(&again), Some(ErrorCode::RepeatWithinFiveMinutes));
    assert_eq!(again.class_for_sale(), ErrorClass::Rejected);
    e.clock.advance_ms(5 * MINUTE);
    e.client.recharge(&req("d3", "27841234567", &p, 1000)).await.unwrap();
    assert_eq!(e.sb.ledger().len(), 2);
}

#[tokio::test]
async fn cancel_only_before_submission() {
    let e = env().await;
    e.sb.set_queue_delay_ms(10 * MINUTE);
    let (_, pinless) = product(&e.client, "Vodacom", "Vodacom Airtime", false).await;
    let (_, voucher) = product(&e.client, "Vodacom", "Vodacom Airtime R30", true).await;
    let before = e.client.balance().await.unwrap();
    let r = e.client.recharge(&req("c1", "27821234561", &pinless, 5000)).await.unwrap();
    e.client.cancel(&CancelBy::ClientReference("c1".into())).await.unwrap();
    assert_eq!(e.client.transaction("c1").await.unwrap().status(), Some(TransactionStatus::Cancelled));
    assert_eq!(e.client.balance().await.unwrap(), before, "a cancelled recharge's cost comes back");
    let twice = e.client.cancel(&CancelBy::SmartloadReference(r.order_reference_id)).await.unwrap_err();
    assert!(matches!(twice, SmartcallError::Cancel { code: CancelCode::AlreadyCancelled, .. }), "{twice:?}");
    assert_eq!(twice.class_for_sale(), ErrorClass::Rejected);

    e.client.recharge(&req("c2", "27821234562", &pinless, 5000)).await.unwrap();
    e.clock.advance_ms(10 * MINUTE);
    let late = e.client.cancel(&CancelBy::ClientReference("c2".into())).await.unwrap_err();
    assert!(matches!(late, SmartcallError::Cancel { code: CancelCode::AlreadyAtNetwork, .. }), "{late:?}");

    e.client.recharge(&req("c3", "27821234563", &voucher, 3000)).await.unwrap();
    let pinned = e.client.cancel(&CancelBy::ClientReference("c3".into())).await.unwrap_err();
    assert!(matches!(pinned, SmartcallError::Cancel { code: CancelCode::PinIssued, .. }));
    let unknown = e.client.cancel(&CancelBy::ClientReference("nope".into())).await.unwrap_err();
    assert!(matches!(unknown, SmartcallError::Cancel { code: CancelCode::ClientReferenceUnknown, .. }));
    let unknown = e.client.cancel(&CancelBy::SmartloadReference(1)).await.unwrap_err();
    assert!(matches!(unknown, SmartcallError::Cancel { code: CancelCode::SmartloadReferenceInvalid, .. }));
}

#[tokio::test]
async fn batch_recharge_up_to_one_hundred() {
    let e = env().await;
    let (_, p) = product(&e.client, "MTN", "MTN Airtime R5", true).await;
    let reqs: Vec<_> = (0..3).map(|i| req(&format!("b{i}"), &format!("2783100000{i}"), &p, 500)).collect();
    let mut with_bad = reqs.clone();
    with_bad[1].product_id = 999_999;
    let r = e.client.recharge_batch(&with_bad).await.unwrap();
    assert_eq!(r.response_code, "PART_SUCCESS");
    assert!(r.items[0].result.is_ok() && r.items[2].result.is_ok());
    assert_eq!(r.items[1].result.as_ref().unwrap_err().code(), Some(ErrorCode::InvalidOfferingId));
    assert!(r.items[0].result.as_ref().unwrap().voucher_pin.is_some());

    let all_bad: Vec<_> = (0..2).map(|i| req(&format!("x{i}"), "27831000009", &p, 700)).collect();
    assert_eq!(e.client.recharge_batch(&all_bad).await.unwrap().response_code, "FAILURE");

    let before = e.sb.ledger().len();
    let too_many: Vec<_> = (0..101).map(|i| req(&format!("m{i}"), &format!("278310{i:05}"), &p, 500)).collect();
    let err = e.client.recharge_batch(&too_many).await.unwrap_err();
    assert!(matches!(err, SmartcallError::Invalid(ref m) if m.contains("at most 100")), "{err:?}");
    assert_eq!(e.sb.ledger().len(), before, "101 is refused before sending");
    let hundred: Vec<_> = (0..100).map(|i| req(&format!("h{i}"), &format!("278320{i:05}"), &p, 500)).collect();
    assert_eq!(e.client.recharge_batch(&hundred).await.unwrap().response_code, "SUCCESS");
}

#[tokio::test]
async fn prevend_then_recharge_with_the_same_reference() {
    let e = env().await;
    let (mtn, p) = product(&e.client, "MTN", "MTN Airtime", false).await;
    let kind = PrevendKind::for_product(&mtn.description, &p).unwrap();
    let r = req("pv1", "27831234500", &p, 2500);
    let a = e.client.prevend(&r, kind).await.unwrap();
    assert_eq!(a.verdict, PrevendVerdict::WillSucceed);
    e.client.recharge(&r).await.unwrap();

    let will_fail = e.client.prevend(&req("pv2", "27831234501", &p, 1100), kind).await.unwrap();
    assert_eq!(will_fail.verdict, PrevendVerdict::WillFail);

    e.client.prevend(&req("pv3", "27831234502", &p, 2500), kind).await.unwrap();
    e.clock.advance_ms(11 * MINUTE);
    let expired = e.client.recharge(&req("pv3", "27831234502", &p, 2500)).await.unwrap_err();
    assert_eq!(code(&expired), Some(ErrorCode::PrevendExpired));

    let (cellc, cp) = product(&e.client, "Cell C", "Cell C Airtime", false).await;
    assert!(PrevendKind::for_product(&cellc.description, &cp).is_err(), "only Vodacom, MTN and electricity");
    let (_, voucher) = product(&e.client, "MTN", "MTN Airtime R12", true).await;
    assert!(PrevendKind::for_product("MTN", &voucher).is_err(), "vouchers cannot be prevended");
    let (eskom, meter) = product(&e.client, "Electricity-Eskom", "Electricity-Eskom Prepaid", false).await;
    let kind = PrevendKind::for_product(&eskom.description, &meter).unwrap();
    assert_eq!(kind, PrevendKind::Electricity);
    let mut m = req("pv4", "04040404040", &meter, 10_000);
    m.pinless = false;
    assert_eq!(e.client.prevend(&m, kind).await.unwrap().verdict, PrevendVerdict::WillSucceed);
    // The sandbox refuses a prevend on another network even if the client is bypassed.
    let sent_anyway = e.client.prevend(&req("pv5", "27841234567", &cp, 2500), PrevendKind::PinlessMtn).await.unwrap();
    assert_eq!(sent_anyway.verdict, PrevendVerdict::InvalidRequest);
}

#[tokio::test]
async fn funds_transfer_moves_money_between_wallets() {
    let e = env().await;
    let t = FundsTransferRequest { source_smartload_id: TRAINING_SMARTLOAD_ID.into(), recipient_smartload_id: TRAINING_SECOND_SMARTLOAD_ID.into(), amount: 10_000, send_sms: true };
    assert_eq!(e.client.funds_transfer(&t).await.unwrap(), 1_000_000_000 - 1_000_000);
    assert_eq!(e.client.balance_of(TRAINING_SECOND_SMARTLOAD_ID).await.unwrap(), 1_000_000, "R100.0000");
    let too_much = FundsTransferRequest { amount: 1_000_000_000, ..t.clone() };
    let err = e.client.funds_transfer(&too_much).await.unwrap_err();
    assert_eq!(code(&err), Some(ErrorCode::InsufficientFunds));
    assert_eq!(err.class_for_sale(), ErrorClass::Configuration);
    assert!(matches!(e.client.funds_transfer(&FundsTransferRequest { amount: 0, ..t }).await, Err(SmartcallError::Invalid(_))));
}

#[tokio::test]
async fn voucher_orders_their_encrypted_file_and_recreation() {
    let e = env().await;
    let (_, p) = product(&e.client, "MTN", "MTN Airtime R12", true).await;
    let order = e.client.order_vouchers(&VoucherOrderRequest { smartload_id: TRAINING_SMARTLOAD_ID.into(), client_reference: "ord-1".into(), product_id: p.id, quantity: 5 }).await.unwrap();
    assert_eq!((order.quantity, order.amount), (5, 6_000));
    let vouchers = e.client.order_vouchers_file(&order).await.unwrap();
    assert_eq!(vouchers.len(), 5);
    assert!(vouchers.iter().all(|v| v.amount == 1200 && v.voucher_pin.len() == 16));
    let wrong = VoucherOrder { password: "wrong".into(), ..order.clone() };
    assert!(matches!(e.client.order_vouchers_file(&wrong).await, Err(SmartcallError::OrderFile(_))));

    let again = e.client.recreate_order_file(order.order_id).await.unwrap();
    assert_ne!(again.password, order.password);
    assert_eq!(e.client.order_vouchers_file(&again).await.unwrap(), vouchers, "same vouchers, new password");
    assert!(e.client.order_vouchers_file(&order).await.is_err(), "the old password no longer opens it");

    let none = e.client.recreate_order_file(42).await.unwrap_err();
    assert_eq!(code(&none), Some(ErrorCode::BatchOrderUnknown));
    let zero = VoucherOrderRequest { smartload_id: TRAINING_SMARTLOAD_ID.into(), client_reference: "ord-2".into(), product_id: p.id, quantity: 0 };
    assert_eq!(code(&e.client.order_vouchers(&zero).await.unwrap_err()), Some(ErrorCode::QuantityNotPositive));
}

#[tokio::test]
async fn cashup_today_and_for_a_period_add_up() {
    let e = env().await;
    let (_, mtn) = product(&e.client, "MTN", "MTN Airtime R12", true).await;
    let (_, vod) = product(&e.client, "Vodacom", "Vodacom Airtime R30", true).await;
    e.client.recharge(&req("k1", "27831234567", &mtn, 1200)).await.unwrap();
    e.client.recharge(&req("k2", "27831234568", &mtn, 1200)).await.unwrap();
    e.client.recharge(&req("k3", "27821234567", &vod, 3000)).await.unwrap();
    let c = e.client.cashup_today().await.unwrap();
    let mtn_item = c.group("Recharges").find(|i| i.item_description.as_deref() == Some("MTN")).unwrap();
    assert_eq!((mtn_item.item_count, mtn_item.amount), (Some(2), Some(-240_000)));
    assert!(c.group("Recharges").any(|i| i.item_description.as_deref() == Some("VOD")));
    let opening = c.group("Opening Balance").next().unwrap().amount.unwrap();
    let closing = c.group("Closing Balance").next().unwrap().amount.unwrap();
    let net: i64 = c.group("Recharges").map(|i| i.net_amount.unwrap()).sum();
    assert_eq!(opening + net, closing, "the books balance");
    assert_eq!(closing, e.client.balance().await.unwrap());
    let profit = c.group("Total Profit").next().unwrap().amount.unwrap();
    assert_eq!(profit, 540_000 - -net);

    let period = e.client.cashup_period(today(), today()).await.unwrap();
    assert_eq!(period.cashup_response_items, c.cashup_response_items);
    let yesterday = e.client.cashup_period(today().pred_opt().unwrap(), today().pred_opt().unwrap()).await.unwrap();
    assert_eq!(yesterday.group("Recharges").count(), 0);
    assert!(matches!(e.client.cashup_period(today(), today().pred_opt().unwrap()).await, Err(SmartcallError::Invalid(_))));
}

#[tokio::test]
async fn sim_network_health_and_the_network_rotation() {
    let e = env().await;
    let s = e.client.sim_network("27831234567").await.unwrap();
    assert_eq!((s.network.as_str(), s.ported), ("MTN", false));
    let ported = e.client.sim_network("27831234999").await.unwrap();
    assert_eq!((ported.network.as_str(), ported.ported), ("Telkom Mobile", true));
    assert_eq!(code(&e.client.sim_network("123").await.unwrap_err()), Some(ErrorCode::InvalidRechargeCellNo));

    let h = e.client.health().await.unwrap();
    assert!(["vodacom", "mtn", "cellc", "telkom", "virgin"].iter().all(|k| h.is_up(k) == Some(true)), "{h:?}");

    let (_, p) = product(&e.client, "MTN", "MTN Airtime", false).await;
    e.sb.set_network_down("mtn", true);
    assert_eq!(e.client.health().await.unwrap().is_up("mtn"), Some(false));
    let down = e.client.recharge(&req("n1", "27831234567", &p, 2000)).await.unwrap_err();
    assert!(down.is_network_down(), "{down:?}");
    assert!(down.class_for_sale().nothing_sold());
    assert!(down.cashier_message().contains("MTN network is down"));
    assert!(e.sb.ledger().is_empty(), "nothing was recorded");
    e.sb.set_network_down("mtn", false);

    // The QA rotation: Vodacom down, all up, MTN down, all up...
    e.sb.set_rotation(true);
    assert_eq!(e.client.health().await.unwrap().is_up("vodacom"), Some(false));
    e.clock.advance_ms(5 * MINUTE);
    let h = e.client.health().await.unwrap();
    assert!(h.0.values().all(|v| v == "UP"), "{h:?}");
    e.clock.advance_ms(5 * MINUTE);
    let h = e.client.health().await.unwrap();
    assert_eq!((h.is_up("mtn"), h.is_up("vodacom")), (Some(false), Some(true)));
    assert!(e.client.recharge(&req("n2", "27831234567", &p, 2000)).await.unwrap_err().is_network_down());
    let (_, voucher) = product(&e.client, "MTN", "MTN Airtime R12", true).await;
    e.client.recharge(&req("n3", "27831234567", &voucher, 1200)).await.expect("vouchers come from stock, not the network");
}

#[tokio::test]
async fn easypay_and_dstv_query_and_pay() {
    let e = env().await;
    let account = EasyPayAccount::ep_no(">>>>91234567890123").unwrap();
    let q = e.client.easypay_query(&account).await.unwrap();
    assert!(q.amount_due.unwrap() > 0);
    let fine = EasyPayAccount::notice_no("02/1234-567/2026").unwrap();
    let f = e.client.easypay_query(&fine).await.unwrap();
    assert_eq!(f.account_reference.as_deref(), Some("02/1234-567/2026"), "the slash survives the path");
    let (_, p) = product(&e.client, "EasyPay", "EasyPay Municipal Accounts", false).await;
    let pay = EasyPayPayment {
        smartload_id: TRAINING_SMARTLOAD_ID.into(),
        client_reference: "ep-1".into(),
        product_id: p.id,
        account_type: account.account_type().into(),
        account_reference: account.reference().into(),
        payment_amount: q.amount_due.unwrap(),
        payment_cell_number: "27831234567".into(),
    };
    let receipt = e.client.easypay_pay(&pay).await.unwrap();
    assert_eq!(receipt.amount, q.amount_due.unwrap());
    assert_eq!(code(&e.client.easypay_pay(&pay).await.unwrap_err()), Some(ErrorCode::DuplicateReference));
    let t = e.client.transaction("ep-1").await.unwrap();
    assert_eq!(t.status(), Some(TransactionStatus::Successful));

    let d = e.client.dstv_query(DstvAccountType::Subs, "1234567890").await.unwrap();
    assert_eq!(d.amount_due, Some(89_900));
    let paid = e
        .client
        .dstv_pay(&DstvPayment {
            smartload_id: TRAINING_SMARTLOAD_ID.into(),
            client_reference: "dstv-1".into(),
            account_type: DstvAccountType::Subs.as_str().into(),
            account_reference: "1234567890".into(),
            payment_amount: 89_900,
            payment_cell_number: "27831234567".into(),
        })
        .await
        .unwrap();
    assert_eq!(paid.amount, 89_900);
    assert!(e.client.dstv_query(DstvAccountType::Tvod, "12ab").await.is_err());
    let kinds: Vec<_> = e.sb.ledger().iter().map(|l| l.kind).collect();
    assert_eq!(kinds, vec!["payment", "payment"]);
}

fn address() -> Address {
    Address { line1: "12 Vilakazi St".into(), suburb: "Orlando West".into(), city: "Soweto".into(), postal_code: "1804".into() }
}

fn jpeg_b64(size: usize) -> String {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.resize(size, 7);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn rica_registration_change_of_ownership_and_agents() {
    let e = env().await;
    let reg = RicaRegistration {
        agent_id: TRAINING_RICA_AGENT.into(),
        msisdn: "27831234567".into(),
        iccid: "8927000012345678901".into(),
        first_name: "Sipho".into(),
        surname: "Dlamini".into(),
        id_type: IdType::RsaId,
        id_number: "8001015009087".into(),
        passport_expiry: None,
        nationality: "ZA".into(),
        alternative_contact_number: "0721234567".into(),
        residential_address: address(),
    };
    let submitted = e.client.rica_register(&reg, today()).await.unwrap();
    assert_eq!(e.client.rica_status(&submitted.registration_id).await.unwrap().status, "PENDING");
    e.clock.advance_ms(10 * MINUTE);
    let s = e.client.rica_status(&submitted.registration_id).await.unwrap();
    assert_eq!((s.status.as_str(), s.msisdn.as_deref()), ("REGISTERED", Some("27831234567")));

    let passport = RicaRegistration { id_type: IdType::Passport, id_number: "A1234567".into(), passport_expiry: Some("2027-01-01".parse().unwrap()), nationality: "ZW".into(), ..reg.clone() };
    let err = e.client.rica_register(&passport, today()).await.unwrap_err();
    assert!(matches!(err, SmartcallError::Invalid(ref m) if m.contains("3 more months")), "{err:?}");
    let ok_passport = RicaRegistration { passport_expiry: Some("2027-06-01".parse().unwrap()), ..passport };
    e.client.rica_register(&ok_passport, today()).await.unwrap();
    let no_alt = RicaRegistration { alternative_contact_number: String::new(), ..reg.clone() };
    assert!(matches!(e.client.rica_register(&no_alt, today()).await, Err(SmartcallError::Invalid(_))));

    let change = ChangeOwnership {
        agent_id: TRAINING_RICA_AGENT.into(),
        first_name: "Thandi".into(),
        surname: "Mokoena".into(),
        id_details: IdDetails { id_type: IdType::RsaId, id_number: "8001015009087".into(), passport_expiry: None, nationality: "ZA".into() },
        registration_type: "INDIVIDUAL".into(),
        subscriber_id: "27831234567".into(),
        last4_iccid: "8901".into(),
        residential_address: address(),
        previous_id_number: "7501015009083".into(),
        previous_id_type: IdType::RsaId,
        network: "MTN".into(),
        business_owner_id_details: None,
    };
    let c = e.client.rica_change_ownership(&change, today()).await.unwrap();
    assert!(!c.registration_id.is_empty());

    let agent = e.client.rica_agent(TRAINING_RICA_AGENT).await.unwrap();
    assert!(agent.agent && agent.enabled && agent.under_master_dealer);
    assert!(!e.client.rica_agent("27839876543").await.unwrap().agent);

    let mut new_agent = AgentRegistration {
        msisdn: "27835550000".into(),
        first_name: "Lerato".into(),
        surname: "Khumalo".into(),
        id_type: IdType::RsaId,
        id_number: "8001015009087".into(),
        passport_expiry: None,
        nationality: "ZA".into(),
        residential_address: address(),
        id_image: jpeg_b64(2_000),
        face_image: jpeg_b64(3_000),
        proof_of_address_image: jpeg_b64(4_000),
    };
    let a = e.client.rica_register_agent(&new_agent, today()).await.unwrap();
    assert_eq!(e.client.rica_agent_status(&a.registration_id).await.unwrap().status, "PENDING");
    e.clock.advance_ms(HOUR);
    assert_eq!(e.client.rica_agent_status(&a.registration_id).await.unwrap().status, "APPROVED");
    new_agent.face_image = jpeg_b64(300 * 1024 + 1);
    let big = e.client.rica_register_agent(&new_agent, today()).await.unwrap_err();
    assert!(matches!(big, SmartcallError::Invalid(ref m) if m.contains("300 KB")), "{big:?}");
    assert_eq!(code(&e.client.rica_status("nope").await.unwrap_err()), Some(ErrorCode::RechargeUnknown));
}

#[tokio::test]
async fn fifty_concurrent_calls_with_an_expired_token_make_one_login() {
    let e = env().await;
    e.client.balance().await.unwrap();
    assert_eq!(e.sb.logins(), 1);
    e.sb.expire_all_tokens();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let c = e.client.clone();
            tokio::spawn(async move { c.balance().await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(e.sb.logins(), 2, "one login for all fifty");
    assert_eq!(e.sb.live_tokens(), 1);
}

#[tokio::test]
async fn fifty_concurrent_first_calls_share_one_login() {
    let e = env().await;
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let c = e.client.clone();
            tokio::spawn(async move { c.balance().await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(e.sb.logins(), 1);
}

#[tokio::test]
async fn a_full_session_table_is_flushed_and_the_login_retried() {
    let e = env().await;
    // Twenty tokens left behind by crashed tills.
    for _ in 0..20 {
        e.client.login().await.unwrap();
    }
    assert!(matches!(e.client.login().await, Err(SmartcallError::SessionLimit(_))));
    assert_eq!(e.client.balance().await.unwrap(), 1_000_000_000, "flush, log in once more, carry on");
    assert_eq!(e.sb.live_tokens(), 1);
}

#[tokio::test]
async fn the_token_is_renewed_before_the_idle_limit_and_before_expiry() {
    let e = env().await;
    e.client.balance().await.unwrap();
    assert_eq!(e.sb.logins(), 1);
    e.clock.advance_ms(3 * HOUR);
    e.client.balance().await.unwrap();
    assert_eq!(e.sb.logins(), 1, "three idle hours: the token is still good");
    e.clock.advance_ms(3 * HOUR + 56 * MINUTE);
    e.client.balance().await.unwrap();
    assert_eq!(e.sb.logins(), 2, "nearly four idle hours: renewed before the service drops it");
    // Used every 3 hours, the token lives until 5 minutes before expiresAt.
    for _ in 0..7 {
        e.clock.advance_ms(3 * HOUR);
        e.client.balance().await.unwrap();
    }
    assert_eq!(e.sb.logins(), 2);
    e.clock.advance_ms(2 * HOUR + 56 * MINUTE);
    e.client.balance().await.unwrap();
    assert_eq!(e.sb.logins(), 3, "renewed before expiresAt");
    assert_eq!(e.client.login_count(), 3);
}

#[tokio::test]
async fn a_401_logs_in_once_more_and_retries_once() {
    let e = env().await;
    e.client.balance().await.unwrap();
    e.sb.inject("GET", "/smartload/balance", Fault::ExpireToken);
    assert_eq!(e.client.balance().await.unwrap(), 1_000_000_000, "R100 000.0000, in ten-thousandths");
    assert_eq!(e.sb.logins(), 2);
    assert_eq!(e.sb.faults_applied().get("expire_token"), Some(&1));
    // The token of a sale dies before the sale is checked: one re-login, one sale.
    let (_, p) = product(&e.client, "MTN", "MTN Airtime R12", true).await;
    e.sb.inject_next_sale(Fault::ExpireToken);
    e.client.recharge(&req("t1", "27831234567", &p, 1200)).await.unwrap();
    assert_eq!(e.sb.ledger().len(), 1);
}

#[tokio::test]
async fn injected_faults_after_sending_are_in_doubt_and_resolved_by_query() {
    let e = env().await;
    let (_, p) = product(&e.client, "MTN", "MTN Airtime R12", true).await;
    let cases = [(Fault::Delay(Duration::from_millis(2_500)), true), (Fault::DropAfterRecord, true), (Fault::Malformed, true), (Fault::Http500, false)];
    for (i, (fault, recorded)) in cases.into_iter().enumerate() {
        let cref = format!("f{i}");
        e.sb.inject_next_sale(fault.clone());
        let err = e.client.recharge(&req(&cref, &format!("2783123450{i}"), &p, 1200)).await.unwrap_err();
        assert_eq!(err.class_for_sale(), ErrorClass::InDoubt, "{fault:?}: {err:?}");
        assert!(err.cashier_message().contains("do not sell it again"), "{err:?}");
        // The same reference tells the truth; nobody sells again.
        match e.client.transaction(&cref).await {
            Ok(t) => {
                assert!(recorded, "{fault:?}");
                assert_eq!(t.status(), Some(TransactionStatus::Successful));
            }
            Err(q) => {
                assert!(!recorded, "{fault:?}");
                assert_eq!(q.code(), Some(ErrorCode::ClientReferenceUnknown));
            }
        }
    }
    e.sb.inject_next_sale(Fault::NetworkDown);
    let (_, pinless) = product(&e.client, "MTN", "MTN Airtime", false).await;
    assert!(e.client.recharge(&req("f9", "27831234599", &pinless, 2000)).await.unwrap_err().is_network_down());
    assert_eq!(e.sb.ledger().len(), 3);
}

#[tokio::test]
async fn random_faults_are_seeded_and_counted() {
    let e = env().await;
    let (_, p) = product(&e.client, "MTN", "MTN Airtime R5", true).await;
    e.sb.set_random_faults(50, 7, vec![Fault::Http500]);
    let mut failed = 0;
    for i in 0..40 {
        if e.client.recharge(&req(&format!("r{i}"), &format!("278300{i:05}"), &p, 500)).await.is_err() {
            failed += 1;
        }
    }
    assert_eq!(e.sb.faults_applied().get("http_500").copied().unwrap_or(0), failed);
    assert!((8..=32).contains(&failed), "{failed}");
    assert_eq!(e.sb.ledger().len() as u64, 40 - failed);
}

#[tokio::test]
async fn an_unreachable_service_is_transient_and_sends_nothing() {
    let mut e = env().await;
    e.sb.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = e.client.balance().await.unwrap_err();
    assert!(matches!(err, SmartcallError::Unreachable(_)), "{err:?}");
    assert_eq!(err.class_for_sale(), ErrorClass::Transient);
    let _ = e.clock.now_ms();
}

/// A service that answers a fifth decimal (no sandbox of ours would): the client keeps
/// nothing of it and says which field and provider, never "check your credentials".
#[tokio::test]
async fn an_amount_finer_than_four_decimals_is_refused_with_its_field_named() {
    use axum::routing::{get, post};
    let app = axum::Router::new()
        .route("/webservice/auth", post(|| async { r#"{"responseDescription":"Authentication successful","accessToken":"t","tokenType":"Bearer","expiresAt":4102444800000,"scope":"x"}"# }))
        .route("/webservice/smartload/balance/{id}", get(|| async { ([("content-type", "application/json")], r#"{"error":null,"responseCode":"SUCCESS","balance":99973.47512}"#) }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let c = Client::new(config(format!("http://{addr}/webservice"), "x")).unwrap();
    let e = c.balance().await.unwrap_err();
    assert!(matches!(&e, SmartcallError::Inexact(d) if d.contains("balance")), "{e:?}");
    let m = e.cashier_message();
    assert!(m.contains("Smartcall") && m.contains("balance") && m.contains("four"), "{m}");
    assert!(!m.contains("Settings") && !m.contains("password"), "{m}");
    assert_ne!(e.class_for_read(), ErrorClass::Configuration, "not the account's fault");
}
