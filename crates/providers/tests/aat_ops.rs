//! Every AAT operation of the client against the AAT sandbox, over real HTTP, with
//! both POST (the default) and GET, and every error sample of the spec.

use airtill_domain::clock::{Clock, ManualClock};
use airtill_providers::aat::*;
use airtill_providers::ErrorClass;
use airtill_sandbox::{AatSandbox, Fault, AAT_TRAINING_CREDIT_CENTS};
use std::sync::Arc;
use std::time::Duration;

/// 2026-11-23 10:00 South African time.
const START_MS: i64 = 1_795_392_000_000 + 8 * 3600 * 1000;

fn config(base: String, password: &str, method: HttpMethod) -> Config {
    Config { base_url: base, username: "training".into(), password: password.into(), method, connect_timeout: Duration::from_secs(2), request_timeout: Duration::from_millis(1500) }
}

async fn env(method: HttpMethod) -> (AatSandbox, Client, ManualClock) {
    let clock = ManualClock::new(START_MS);
    let sb = AatSandbox::start_with_clock(Arc::new(clock.clone())).await.unwrap();
    let c = Client::new(config(sb.base_url(), "training", method)).unwrap();
    (sb, c, clock)
}

async fn voucher(c: &Client, network: &str, name: &str) -> VoucherDetails {
    let cat = c.catalog().await.unwrap();
    let n = cat.iter().find(|n| n.network.name == network).unwrap_or_else(|| panic!("no {network}"));
    n.types.iter().flat_map(|(_, v)| v.iter()).find(|v| v.name == name).unwrap_or_else(|| panic!("no {name}")).clone()
}

fn refused(e: AatError) -> AatCode {
    match e {
        AatError::Refused { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn look_ups_by_post_and_get() {
    for method in [HttpMethod::Post, HttpMethod::Get] {
        let (_sb, c, _) = env(method).await;
        assert_eq!(c.network("27831234567").await.unwrap(), NetworkInfo { id: 2, name: "MTN".into() });
        assert_eq!(c.network("27821234567").await.unwrap().name, "Vodacom");
        assert_eq!(refused(c.network("0831234567").await.unwrap_err()), AatCode::InvalidMsisdn);
        assert_eq!(refused(c.network("27991234567").await.unwrap_err()), AatCode::NoNetwork);
        let nets = c.networks().await.unwrap();
        assert_eq!(nets.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), ["Vodacom", "MTN", "Cell C", "Telkom Mobile", "Virgin Mobile"]);
        let types = c.voucher_types(2).await.unwrap();
        assert!(types.contains(&VoucherTypeInfo { id: 13, network_id: 2, name: "Airtime Voucher".into(), fixed_amount: false }));
        assert_eq!(refused(c.voucher_types(12).await.unwrap_err()), AatCode::NoVoucherTypes);
        let vouchers = c.vouchers(2, 13).await.unwrap();
        let r2 = vouchers.iter().find(|v| v.id == 121).unwrap();
        assert_eq!((r2.name.as_str(), r2.min_amount, r2.max_amount, r2.pinned), ("MTN R2.00 voucher", 200, 200, true));
        assert!(r2.is_fixed_amount());
        assert_eq!(refused(c.vouchers(77, 13).await.unwrap_err()), AatCode::NoNetwork);
        assert_eq!(refused(c.vouchers(2, 999).await.unwrap_err()), AatCode::NoVoucher);
        assert_eq!(c.credit().await.unwrap().remaining_credit, AAT_TRAINING_CREDIT_CENTS);
        assert_eq!(c.user_status().await.unwrap(), UserStatus { environment: Some("testing".into()), enabled: true });
        // The recharge process as a catalog: Virgin is listed with no types.
        let cat = c.catalog().await.unwrap();
        assert_eq!(cat.len(), 5);
        assert!(cat.iter().find(|n| n.network.name == "Virgin Mobile").unwrap().types.is_empty());
        assert!(cat.iter().find(|n| n.network.name == "MTN").unwrap().types.iter().all(|(_, v)| !v.is_empty()));
    }
}

#[tokio::test]
async fn a_wrong_password_is_configuration_everywhere() {
    let (sb, _, _) = env(HttpMethod::Post).await;
    let c = Client::new(config(sb.base_url(), "nope", HttpMethod::Post)).unwrap();
    for e in [
        c.networks().await.unwrap_err(),
        c.network("27831234567").await.unwrap_err(),
        c.voucher_types(2).await.unwrap_err(),
        c.vouchers(2, 13).await.unwrap_err(),
        c.credit().await.unwrap_err(),
        c.user_status().await.unwrap_err(),
        c.transaction("x").await.unwrap_err(),
    ] {
        assert_eq!(refused(e.clone()), AatCode::Unauthorised, "{e:?}");
        assert_eq!(e.class_for_read(), ErrorClass::Configuration);
    }
    let v = VoucherDetails { id: 121, name: "MTN R2.00 voucher".into(), description: String::new(), min_amount: 200, max_amount: 200, pinned: true };
    let e = c.recharge(&RechargeRequest::new(RechargeKind::Pinned, &v, 200, Some("27831234567"), "r-1").unwrap()).await.unwrap_err();
    assert_eq!(e.class_for_sale(), ErrorClass::Configuration);
    assert!(sb.ledger().is_empty());
}

#[tokio::test]
async fn the_six_recharges_and_the_automatic_fixed_amount_choice() {
    let (sb, c, _) = env(HttpMethod::Post).await;
    let r5 = voucher(&c, "MTN", "MTN R5.00 voucher").await;
    let pinless = voucher(&c, "MTN", "MTN Airtime Pinless").await;
    let data = voucher(&c, "MTN", "MTN 1GB Data 30 days").await;
    // A one-amount voucher goes through the FixedAmount calls; any-amount through the others.
    let cases = [
        (RechargeKind::Pinned, &r5, 500, Some("27831234567"), "PerformPinnedRechargeFixedAmount"),
        (RechargeKind::PinnedWithoutMsisdn, &r5, 500, None, "PerformPinnedRechargeWithoutMsisdnFixedAmount"),
        (RechargeKind::Pinless, &pinless, 1250, Some("27831234567"), "PerformPinlessRecharge"),
        (RechargeKind::Pinless, &data, 9900, Some("27831234568"), "PerformPinlessRechargeFixedAmount"),
    ];
    for (i, (kind, v, amount, to, op)) in cases.iter().enumerate() {
        let req = RechargeRequest::new(*kind, v, *amount, *to, &format!("ref-{i}")).unwrap();
        assert_eq!(req.operation(), *op);
        let info = c.recharge(&req).await.unwrap();
        assert!(info.order_ref.is_some() && info.ticket_number.as_deref().is_some_and(|t| t.len() == 12), "{info:?}");
        let pin = info.voucher_pin.clone().unwrap();
        assert_eq!(pin.len(), 16);
        let t = c.transaction(&format!("ref-{i}")).await.unwrap();
        assert_eq!((t.status.clone(), t.amount, t.order_ref.clone()), (TransactionStatus::Ok, *amount, info.order_ref.clone()));
        assert_eq!(sb.ledger()[i].operation, *op);
    }
    // The non-fixed calls with amounts, forced by hand, for pinned vouchers that take a range.
    let r = RechargeRequest { kind: RechargeKind::Pinned, recipient_msisdn: Some("27831234567".into()), voucher_id: 120, amount: 500, fixed_amount: false, client_ref: "by-hand-1".into() };
    assert_eq!(r.operation(), "PerformPinnedRecharge");
    c.recharge(&r).await.unwrap();
    let r = RechargeRequest { kind: RechargeKind::PinnedWithoutMsisdn, recipient_msisdn: None, voucher_id: 120, amount: 500, fixed_amount: false, client_ref: "by-hand-2".into() };
    assert_eq!(r.operation(), "PerformPinnedRechargeWithoutMsisdn");
    c.recharge(&r).await.unwrap();
    let spent = 500 + 500 + 1250 + 9900 + 500 + 500;
    assert_eq!(c.credit().await.unwrap().remaining_credit, AAT_TRAINING_CREDIT_CENTS - spent);
    // The PIN comes back from GetTransactionInfo with the expiry; a pinless sale has none.
    let t = c.transaction("ref-0").await.unwrap();
    assert_eq!(t.voucher_pin.as_ref().map(String::len), Some(16));
    assert!(t.expiry_ms.is_some_and(|e| e > START_MS));
    assert_eq!(c.transaction("ref-2").await.unwrap().expiry_ms, None);
    // Six successful sales today, none yesterday.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    assert_eq!(c.transaction_count(day, day).await.unwrap().transactions, 6);
    assert_eq!(c.transaction_count(day.pred_opt().unwrap(), day.pred_opt().unwrap()).await.unwrap().transactions, 0);
    assert!(c.transaction_count(day, day.pred_opt().unwrap()).await.is_err());
}

#[tokio::test]
async fn every_error_sample_of_the_spec() {
    let (sb, c, _) = env(HttpMethod::Get).await;
    let r5 = voucher(&c, "MTN", "MTN R5.00 voucher").await;
    let pinless = voucher(&c, "MTN", "MTN Airtime Pinless").await;
    let send = |kind: RechargeKind, voucher_id: i64, amount: i64, fixed: bool, to: Option<&str>, cref: &str| RechargeRequest {
        kind,
        recipient_msisdn: to.map(str::to_string),
        voucher_id,
        amount,
        fixed_amount: fixed,
        client_ref: cref.into(),
    };
    let e = c.recharge(&send(RechargeKind::Pinless, 9999, 500, false, Some("27831234567"), "e1")).await.unwrap_err();
    assert_eq!((refused(e.clone()), e.class_for_sale()), (AatCode::InvalidVoucher, ErrorClass::Rejected));
    let e = c.recharge(&send(RechargeKind::Pinless, pinless.id, 150, false, Some("27831234567"), "e2")).await.unwrap_err();
    assert_eq!(refused(e.clone()), AatCode::AmountOutOfRange { min: Some(200), max: Some(100_000) });
    assert!(e.cashier_message().contains("R2.00 to R1 000.00"), "{}", e.cashier_message());
    let e = c.recharge(&send(RechargeKind::Pinned, r5.id, 300, false, Some("27831234567"), "e3")).await.unwrap_err();
    assert_eq!(refused(e), AatCode::AmountNotExact { amount: Some(500) });
    let e = c.recharge(&send(RechargeKind::Pinned, r5.id, 500, true, Some("27991234567"), "e4")).await.unwrap_err();
    assert_eq!(refused(e), AatCode::InvalidMsisdn);
    let e = c.recharge(&send(RechargeKind::Pinless, pinless.id, 500, true, Some("27831234567"), "e5")).await.unwrap_err();
    assert_eq!(refused(e), AatCode::NotFixedAmount);
    // A pinless recharge to a number of another network.
    let e = c.recharge(&send(RechargeKind::Pinless, pinless.id, 500, false, Some("27821234567"), "e6")).await.unwrap_err();
    assert_eq!(refused(e), AatCode::InvalidVoucher);
    assert!(sb.ledger().is_empty(), "refusals record nothing");
    // Credit limit: the current credit parsed.
    sb.set_credit(100);
    let e = c.recharge(&send(RechargeKind::Pinned, r5.id, 500, true, Some("27831234567"), "e7")).await.unwrap_err();
    assert_eq!((refused(e.clone()), e.class_for_sale()), (AatCode::InsufficientCredit { current: Some(100) }, ErrorClass::Configuration));
    sb.set_credit(AAT_TRAINING_CREDIT_CENTS);
    // A reference used by a successful sale: in doubt (ask GetTransactionInfo), in all three spellings.
    for (kind, fixed, to) in [(RechargeKind::Pinned, true, Some("27831234567")), (RechargeKind::Pinned, false, Some("27831234567")), (RechargeKind::PinnedWithoutMsisdn, false, None)] {
        let cref = format!("dup-{kind:?}-{fixed}");
        c.recharge(&send(kind, r5.id, 500, fixed, to, &cref)).await.unwrap();
        let e = c.recharge(&send(kind, r5.id, 500, fixed, to, &cref)).await.unwrap_err();
        assert_eq!((refused(e.clone()), e.class_for_sale()), (AatCode::ReferenceUsed, ErrorClass::InDoubt));
    }
    assert_eq!(sb.ledger().len(), 3);
    // No such transaction.
    assert_eq!(refused(c.transaction("never-sold").await.unwrap_err()), AatCode::NoTransaction);
    // Local refusals before sending: wrong kind, amount, number.
    assert!(RechargeRequest::new(RechargeKind::Pinless, &r5, 500, Some("27831234567"), "x").is_err());
    assert!(RechargeRequest::new(RechargeKind::Pinned, &r5, 400, Some("27831234567"), "x").is_err());
    assert!(RechargeRequest::new(RechargeKind::Pinned, &r5, 500, Some("0831234567"), "x").is_err());
    assert!(RechargeRequest::new(RechargeKind::Pinless, &pinless, 100_001, Some("27831234567"), "x").is_err());
}

#[tokio::test]
async fn a_missing_parameter_is_the_asmx_500_and_nothing_is_sold() {
    let (sb, _, _) = env(HttpMethod::Post).await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/PerformPinnedRecharge", sb.base_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=training&password=training&recipientMsisdn=27831234567&voucherId=120&amount=5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(r.text().await.unwrap().starts_with("System.InvalidOperationException: Missing parameter: clientRef."));
    // Names match without regard to case, as ASP.NET's do (the spec writes `clientref`).
    let r = http.get(format!("{}/GetTransactionInfo?username=training&password=training&clientref=x", sb.base_url())).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(sb.ledger().is_empty());
}

#[tokio::test]
async fn pending_pinless_recharges_settle_by_the_clock() {
    let (_sb, c, clock) = env(HttpMethod::Post).await;
    let pinless = voucher(&c, "MTN", "MTN Airtime Pinless").await;
    for (to, cref) in [("27830000013", "slow-ok"), ("27830000011", "slow-fail")] {
        c.recharge(&RechargeRequest::new(RechargeKind::Pinless, &pinless, 1000, Some(to), cref).unwrap()).await.unwrap();
        assert_eq!(c.transaction(cref).await.unwrap().status, TransactionStatus::Pending);
    }
    assert_eq!(c.credit().await.unwrap().remaining_credit, AAT_TRAINING_CREDIT_CENTS - 2000);
    clock.advance_ms(airtill_sandbox::aat::PENDING_RESOLVES_AFTER_MS);
    assert_eq!(c.transaction("slow-ok").await.unwrap().status, TransactionStatus::Ok);
    assert_eq!(c.transaction("slow-fail").await.unwrap().status, TransactionStatus::Failed);
    // The failed one's credit came back, and its reference may be used again.
    assert_eq!(c.credit().await.unwrap().remaining_credit, AAT_TRAINING_CREDIT_CENTS - 1000);
    c.recharge(&RechargeRequest::new(RechargeKind::Pinless, &pinless, 1000, Some("27831234567"), "slow-fail").unwrap()).await.unwrap();
    assert_eq!(c.transaction("slow-fail").await.unwrap().status, TransactionStatus::Ok);
    assert!(clock.now_ms() > START_MS);
}

#[tokio::test]
async fn faults_after_sending_are_in_doubt_and_the_sale_is_found_by_reference() {
    let (sb, c, _) = env(HttpMethod::Post).await;
    let r5 = voucher(&c, "MTN", "MTN R5.00 voucher").await;
    let cases = [(Fault::DropAfterRecord, true), (Fault::Malformed, true), (Fault::Delay(Duration::from_secs(3)), true), (Fault::Http500, false)];
    for (i, (fault, recorded)) in cases.into_iter().enumerate() {
        sb.inject_next_sale(fault.clone());
        let cref = format!("fault-{i}");
        let e = c.recharge(&RechargeRequest::new(RechargeKind::Pinned, &r5, 500, Some("27831234567"), &cref).unwrap()).await.unwrap_err();
        assert_eq!(e.class_for_sale(), ErrorClass::InDoubt, "{fault:?}: {e:?}");
        match c.transaction(&cref).await {
            Ok(t) => assert!(recorded && t.status == TransactionStatus::Ok && t.voucher_pin.is_some(), "{fault:?}"),
            Err(e) => assert!(!recorded && refused(e) == AatCode::NoTransaction, "{fault:?}"),
        }
    }
    // Nothing listening: unreachable, a transient refusal.
    let dead = Client::new(config("http://127.0.0.1:9/MobileRecharge.asmx".into(), "training", HttpMethod::Post)).unwrap();
    assert_eq!(dead.credit().await.unwrap_err().class_for_sale(), ErrorClass::Transient);
}

/// A merchant's call-back URL: records every body posted to it.
async fn receiver() -> (String, Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let g = got.clone();
    let app = axum::Router::new().route(
        "/aat",
        axum::routing::post(move |body: axum::body::Bytes| {
            let g = g.clone();
            async move {
                g.lock().unwrap().push(body.to_vec());
                "OK"
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/aat", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, got)
}

#[tokio::test]
async fn call_backs_come_when_final_and_hourly_for_three_hours() {
    let (sb, c, clock) = env(HttpMethod::Post).await;
    let (url, got) = receiver().await;
    sb.set_callback_url(Some(url));
    let r5 = voucher(&c, "MTN", "MTN R5.00 voucher").await;
    let pinless = voucher(&c, "MTN", "MTN Airtime Pinless").await;
    c.recharge(&RechargeRequest::new(RechargeKind::Pinned, &r5, 500, Some("27831234567"), "cb-now").unwrap()).await.unwrap();
    c.recharge(&RechargeRequest::new(RechargeKind::Pinless, &pinless, 1000, Some("27830000011"), "cb-later").unwrap()).await.unwrap();
    let wait_for = |n: usize| {
        let got = got.clone();
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while got.lock().unwrap().len() < n {
                assert!(std::time::Instant::now() < deadline, "only {} call-backs", got.lock().unwrap().len());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    wait_for(1).await;
    let first = Callback::parse(&got.lock().unwrap()[0]).unwrap();
    assert_eq!((first.client_ref.as_str(), first.success, first.amount, first.network.as_deref()), ("cb-now", true, Some(500), Some("MTN")));
    // The pending one: its call-back when it fails, with the reason.
    clock.advance_ms(airtill_sandbox::aat::PENDING_RESOLVES_AFTER_MS);
    wait_for(2).await;
    let failed = Callback::parse(&got.lock().unwrap()[1]).unwrap();
    assert_eq!((failed.client_ref.as_str(), failed.success), ("cb-later", false));
    assert!(failed.fail_reason.is_some());
    // Hourly for three hours: three more each.
    for hour in 1..=3 {
        clock.advance_ms(3600 * 1000);
        wait_for(2 + 2 * hour).await;
    }
    clock.advance_ms(5 * 3600 * 1000);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(got.lock().unwrap().len(), 8, "nothing after the third hour");
    assert_eq!(sb.callbacks_sent().iter().filter(|(_, s)| *s == 200).count(), 8);
}
