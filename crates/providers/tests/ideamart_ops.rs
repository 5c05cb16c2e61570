//! Ideamart's two operations against the Ideamart sandbox over real HTTP: every status
//! class, and a lost debit answer resolved by repeating the same `externalTrxId`.

use airtill_providers::ideamart::*;
use airtill_providers::ErrorClass;
use airtill_sandbox::{Fault, IdeamartSandbox, IDEAMART_START_BALANCE, IDEAMART_TRAINING_APP_ID};
use std::time::Duration;

fn client(sb: &IdeamartSandbox, password: &str) -> Client {
    Client::new(Config {
        base_url: sb.base_url(),
        application_id: IDEAMART_TRAINING_APP_ID.into(),
        password: password.into(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(1500),
    })
    .unwrap()
}

fn debit(id: &str, to: &str, minor: i64) -> DebitRequest {
    DebitRequest { external_trx_id: id.into(), subscriber: to.into(), amount: minor }
}

#[tokio::test]
async fn balance_and_debit_in_exact_amounts() {
    let sb = IdeamartSandbox::start().await.unwrap();
    let c = client(&sb, "training");
    let b = c.balance("0776351232").await.unwrap();
    assert_eq!((b.chargeable, b.account_status.as_str(), b.account_type.as_str()), (IDEAMART_START_BALANCE, "Active", "Pre Paid"));
    let d = c.debit(&debit("trx1", "94776351232", 1_050)).await.unwrap();
    assert!(!d.already_completed && d.internal_trx_id.is_some() && d.reference_id.as_deref().is_some_and(|r| r.len() == 8));
    assert_eq!(c.balance("94776351232").await.unwrap().chargeable, IDEAMART_START_BALANCE - 1_050);
    let l = sb.ledger();
    assert_eq!((l[0].amount, l[0].currency.as_str(), l[0].status.as_str(), l[0].subscriber.as_str()), (1_050, "LKR", "S1000", "94776351232"));
}

#[tokio::test]
async fn every_status_class() {
    let sb = IdeamartSandbox::start().await.unwrap();
    let c = client(&sb, "training");
    let code = |e: IdeamartError| (e.status_code().unwrap_or("").to_string(), e.class_for_sale());
    assert_eq!(code(client(&sb, "wrong").balance("94776351232").await.unwrap_err()), ("E1313".into(), ErrorClass::Configuration));
    assert_eq!(code(c.debit(&debit("a1", "94770000378", 500)).await.unwrap_err()), ("E1378".into(), ErrorClass::Rejected));
    assert_eq!(code(c.debit(&debit("a2", "94770000406", 500)).await.unwrap_err()), ("E1406".into(), ErrorClass::Rejected));
    assert_eq!(code(c.debit(&debit("a3", "94770000405", 500)).await.unwrap_err()), ("E1405".into(), ErrorClass::Rejected));
    assert_eq!(code(c.debit(&debit("a4", "94770000317", 500)).await.unwrap_err()), ("E1317".into(), ErrorClass::Rejected));
    assert_eq!(code(c.debit(&debit("a5", "94776351232", 50)).await.unwrap_err()), ("E1330".into(), ErrorClass::Rejected));
    assert_eq!(code(c.debit(&debit("a6", "94776351232", 40_000)).await.unwrap_err()), ("E1378".into(), ErrorClass::Rejected));
    sb.inject_next_status("E1600");
    let e = c.debit(&debit("a7", "94776351232", 500)).await.unwrap_err();
    assert_eq!(code(e.clone()), ("E1600".into(), ErrorClass::Transient));
    assert!(e.cashier_message().contains("Nothing was taken"));
    // A refused debit may be tried again with the same id.
    assert!(c.debit(&debit("a7", "94776351232", 500)).await.is_ok());
    // Refused locally before sending.
    assert!(matches!(c.debit(&debit("a8", "27831234567", 500)).await, Err(IdeamartError::Invalid(_))));
    assert!(matches!(c.debit(&debit("has spaces", "94776351232", 500)).await, Err(IdeamartError::Invalid(_))));
    assert_eq!(sb.balance("94776351232"), IDEAMART_START_BALANCE - 500);
}

#[tokio::test]
async fn a_lost_debit_answer_is_resolved_by_repeating_the_same_id_never_charged_twice() {
    let sb = IdeamartSandbox::start().await.unwrap();
    let c = client(&sb, "training");
    for (i, fault) in [Fault::DropAfterRecord, Fault::Malformed, Fault::Delay(Duration::from_secs(3))].into_iter().enumerate() {
        sb.inject_next_debit(fault.clone());
        let req = debit(&format!("lost{i}"), "94776351232", 1_000);
        let e = c.debit(&req).await.unwrap_err();
        assert_eq!(e.class_for_sale(), ErrorClass::InDoubt, "{fault:?}: {e:?}");
        // The repeat says E1379: it had gone through.
        let again = c.debit(&req).await.unwrap();
        assert!(again.already_completed, "{fault:?}");
    }
    // HTTP 500 before anything happened: in doubt too, and the repeat debits once.
    sb.inject_next_debit(Fault::Http500);
    let req = debit("lost500", "94776351232", 1_000);
    assert_eq!(c.debit(&req).await.unwrap_err().class_for_sale(), ErrorClass::InDoubt);
    assert!(!c.debit(&req).await.unwrap().already_completed);
    assert_eq!(sb.balance("94776351232"), IDEAMART_START_BALANCE - 4_000, "four debits, each taken once");
}
