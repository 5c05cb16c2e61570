//! MX Telecom crediting against the MX sandbox over real HTTP: credit and balance in
//! both formats and methods, every rejection, faults after sending, and the spec's test
//! numbers' notification sequences received by a real HTTP endpoint.

use airtill_domain::clock::ManualClock;
use airtill_domain::Currency;
use airtill_providers::mx::*;
use airtill_providers::ErrorClass;
use airtill_sandbox::{Fault, MxSandbox, MX_TRAINING_FUNDS};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const START_MS: i64 = 1_795_392_000_000 + 8 * 3600 * 1000;

fn client(sb: &MxSandbox, password: &str, format: ResponseFormat, method: HttpMethod) -> Client {
    Client::new(Config {
        base_url: sb.base_url(),
        username: "training".into(),
        password: password.into(),
        response_format: format,
        method,
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(1500),
    })
    .unwrap()
}

fn credit(to: &str, pence: i64) -> CreditRequest {
    CreditRequest { msisdn: to.into(), amount: pence, currency: Currency::GBP, brand: None }
}

/// A shop's notification endpoint: records every query string it is sent.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let app = axum::Router::new().route(
        "/mx",
        axum::routing::get(move |axum::extract::RawQuery(q): axum::extract::RawQuery| {
            let g = g.clone();
            async move {
                g.lock().unwrap().push(q.unwrap_or_default());
                "OK"
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mx", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, got)
}

#[tokio::test]
async fn credit_and_balance_in_both_formats_and_methods() {
    let sb = MxSandbox::start().await.unwrap();
    for (i, (format, method)) in
        [(ResponseFormat::Plain, HttpMethod::Post), (ResponseFormat::Xml, HttpMethod::Get), (ResponseFormat::Plain, HttpMethod::Get), (ResponseFormat::Xml, HttpMethod::Post)].into_iter().enumerate()
    {
        let c = client(&sb, "training", format, method);
        let id = c.credit(&credit("07700 900000", 500)).await.unwrap();
        assert_eq!(id, format!("MX{:08}", i + 1));
        assert_eq!(c.balance().await.unwrap(), (MX_TRAINING_FUNDS / 10, Currency::GBP), "funds move only on confirmation; nothing listens here");
    }
    let credits = sb.credits();
    assert_eq!((credits[0].amount, credits[0].msisdn.as_str(), credits[0].currency.as_str()), (5000, "447700900000", "GBP"), "pence go as thousandths");
}

#[tokio::test]
async fn rejections_are_certain_and_classed() {
    let sb = MxSandbox::start().await.unwrap();
    let c = client(&sb, "training", ResponseFormat::Plain, HttpMethod::Post);
    let bad_login = client(&sb, "nope", ResponseFormat::Xml, HttpMethod::Post).credit(&credit("447700900000", 500)).await.unwrap_err();
    assert_eq!((bad_login.class_for_sale(), matches!(bad_login, MxError::Rejected { reason_id: 3001, .. })), (ErrorClass::Configuration, true));
    sb.set_funds(1000);
    let no_funds = c.credit(&credit("447700900000", 500)).await.unwrap_err();
    assert!(matches!(no_funds, MxError::Rejected { reason_id: 3040, .. }));
    assert_eq!(no_funds.class_for_sale(), ErrorClass::Configuration);
    sb.set_funds(MX_TRAINING_FUNDS);
    // The gateway-wide codes from MX's pages, with a raw request that leaves them out.
    let http = reqwest::Client::new();
    let r = http.get(format!("{}/credit?username=training&password=training&msisdn=447700900000&currency=GBP", sb.base_url())).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("outcomeReasonId=3037"));
    let r = http.get(format!("{}/credit?username=training&password=training&msisdn=447700900000&amount=5000", sb.base_url())).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("outcomeReasonId=3038"));
    // Refused here, before sending.
    assert!(matches!(c.credit(&credit("27831234567", 500)).await, Err(MxError::Invalid(_))));
    assert!(sb.credits().is_empty());
}

#[tokio::test]
async fn rejections_for_reasons_nobody_told_us_reach_the_manager_with_mxs_words() {
    let sb = MxSandbox::start().await.unwrap();
    for format in [ResponseFormat::Plain, ResponseFormat::Xml] {
        let c = client(&sb, "training", format, HttpMethod::Get);
        for (number, id, text) in airtill_sandbox::MX_UNKNOWN_REJECTIONS {
            let e = c.credit(&credit(number, 500)).await.unwrap_err();
            assert!(matches!(&e, MxError::Rejected { reason_id, .. } if *reason_id == id), "{e:?}");
            // Certain (nothing credited), but never the customer's refusal: the manager's.
            assert_eq!(e.class_for_sale(), ErrorClass::Configuration, "{number}");
            let m = e.cashier_message();
            assert!(m.contains(text) && m.contains("Nothing was credited") && m.contains("manager"), "{m}");
            assert!(!m.contains("customer"), "{m}");
        }
        // Only a number MX cannot credit is the customer's.
        let e = c.credit(&credit("4477009", 500)).await;
        assert!(matches!(e, Err(MxError::Invalid(_))), "refused before sending");
    }
    // The authentication-sounding one says it is the account.
    let e = client(&sb, "training", ResponseFormat::Plain, HttpMethod::Post).credit(&credit("447700900091", 500)).await.unwrap_err();
    assert!(e.cashier_message().contains("account"), "{}", e.cashier_message());
    assert!(sb.credits().is_empty(), "nothing was credited");
    // A reason the gateway uses for a number it will not credit stays the customer's.
    let bad = airtill_providers::mx::MxError::Rejected { reason_id: 3010, reason: "Invalid msisdn".into() };
    assert_eq!(bad.class_for_sale(), ErrorClass::Rejected);
}

#[tokio::test]
async fn faults_after_sending_are_in_doubt() {
    let sb = MxSandbox::start().await.unwrap();
    let c = client(&sb, "training", ResponseFormat::Plain, HttpMethod::Post);
    for fault in [Fault::DropAfterRecord, Fault::Malformed, Fault::Delay(Duration::from_secs(3)), Fault::Http500] {
        sb.inject_next_credit(fault.clone());
        assert_eq!(c.credit(&credit("447700900000", 500)).await.unwrap_err().class_for_sale(), ErrorClass::InDoubt, "{fault:?}");
    }
    assert_eq!(sb.credits().len(), 3, "recorded before the drop, the cut and the delay; not before the 500");
    let dead = Client::new(Config { base_url: "http://127.0.0.1:9/api".into(), ..c.config().clone() }).unwrap();
    assert_eq!(dead.credit(&credit("447700900000", 500)).await.unwrap_err().class_for_sale(), ErrorClass::Transient);
}

#[tokio::test]
async fn the_test_numbers_send_their_notifications_with_the_second_after_the_clocks_delay() {
    let clock = ManualClock::new(START_MS);
    let sb = MxSandbox::start_with_clock(Arc::new(clock.clone())).await.unwrap();
    let (url, got) = receiver().await;
    sb.set_notification_url(Some(url));
    let c = client(&sb, "training", ResponseFormat::Plain, HttpMethod::Post);
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(c.credit(&credit(&format!("4477009000{n:02}"), 500)).await.unwrap());
    }
    ids.push(c.credit(&credit("447700123456", 1000)).await.unwrap());
    sb.deliver_now().await;
    let read = |got: &Arc<Mutex<Vec<String>>>| got.lock().unwrap().iter().map(|q| Notification::from_query(q).unwrap()).collect::<Vec<_>>();
    let first = read(&got);
    assert_eq!(first.len(), 21, "one notification each at once");
    let state_of = |ns: &[Notification], id: &str| ns.iter().filter(|n| n.credit_id == id).map(|n| n.state).collect::<Vec<_>>();
    use CreditState::*;
    for (n, id) in ids.iter().enumerate().take(20) {
        let want = match n {
            0..=3 => Confirmed,
            4..=7 => Failure,
            8..=11 => Submitted,
            _ => Retry,
        };
        assert_eq!(state_of(&first, id), [want], "number {n}");
    }
    let n1 = first.iter().find(|x| x.credit_id == ids[1]).unwrap();
    assert_eq!((n1.billing_type.as_deref(), n1.network.as_deref(), n1.amount, n1.currency.as_deref()), (Some("postpay"), Some("TESTNETWORK"), Some(5000), Some("GBP")));
    assert_eq!(first.iter().find(|x| x.credit_id == ids[3]).unwrap().mvno.as_deref(), Some("test"));
    assert!(first.iter().find(|x| x.credit_id == ids[4]).unwrap().reason.is_some());
    assert_eq!(state_of(&first, &ids[20]), [Confirmed], "a number not in the table is confirmed");
    // Nothing more until the clock passes five minutes.
    clock.advance_ms(4 * 60 * 1000);
    sb.deliver_now().await;
    assert_eq!(got.lock().unwrap().len(), 21);
    clock.advance_ms(60 * 1000);
    sb.deliver_now().await;
    let all = read(&got);
    assert_eq!(all.len(), 33);
    for (n, id) in ids.iter().enumerate().take(20) {
        let want: &[CreditState] = match n {
            0..=3 => &[Confirmed],
            4..=7 => &[Failure],
            8..=11 => &[Submitted, Failure],
            12..=15 => &[Retry, Confirmed],
            _ => &[Retry, Failure],
        };
        assert_eq!(state_of(&all, id), want, "number {n}");
    }
    // Funds: taken for the 4 + 4 + 1 confirmed credits only.
    assert_eq!(sb.funds(), MX_TRAINING_FUNDS - 8 * 5000 - 10_000);
    assert_eq!(c.balance().await.unwrap().0, (MX_TRAINING_FUNDS - 50_000) / 10);
}
