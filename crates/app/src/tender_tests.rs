//! The mobile-balance tender against the practice Ideamart over HTTP.

use super::*;
use crate::{MobilePaymentRequest, OpenOptions, SaleRequest, DEMO_CASHIER, DEMO_MANAGER};
use airtill_domain::{Currency, Money, SaleState};

fn pay(to: &str, amount: &str) -> MobilePaymentRequest {
    MobilePaymentRequest { request_id: uuid::Uuid::new_v4().to_string(), subscriber: to.into(), amount: amount.into() }
}

/// Rupees (cents of a rupee).
fn lkr(minor: i64) -> Money {
    Money::new(minor, Currency::LKR)
}

/// The manager sets Rs 18.235 per rand.
fn set_rate(app: &Airtill) {
    let m = app.login_to_sell(DEMO_MANAGER.1);
    assert_eq!(app.set_mobile_rate(&m, Some("18.235")).unwrap().as_deref(), Some("Rs 18.2350 per R1"));
}

fn voucher(c: &crate::CatalogView, rand: i64) -> SaleRequest {
    let id = c.networks.iter().find(|n| n.name == "MTN").unwrap().groups.iter().flat_map(|g| &g.products).find(|p| p.pinned && p.fixed.map(|m| m.minor) == Some(rand * 100)).unwrap().id;
    SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: id, recipient: "0831234567".into(), amount: None, override_pin: None }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sale_paid_from_the_customers_mobile_balance() {
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let s = app.login_to_sell(DEMO_CASHIER.1);
    let sb = app._ideamart_sandbox.as_ref().unwrap();
    let b = app.mobile_balance(&s, "077 635 1232").await.unwrap();
    assert_eq!(b.chargeable, lkr(airtill_sandbox::IDEAMART_START_BALANCE), "Ideamart's balance is in rupees");
    // No rupee rate set: no payment, nothing stored or sent.
    let e = app.take_mobile_payment(&s, &pay("94776351232", "12")).await.unwrap_err();
    assert!(matches!(&e, AppError::BadInput(m) if m.contains("rupees only") && m.contains("nothing was taken")), "{e}");
    assert!(matches!(app.mobile_quote(&s, "12"), Err(AppError::BadInput(_))));
    assert!(sb.ledger().is_empty() && app.store().open_mobile_payments().unwrap().is_empty());
    // A cashier cannot set the rate; bad rates change nothing.
    assert!(matches!(app.set_mobile_rate(&s, Some("18")), Err(AppError::Forbidden(_))));
    let m = app.login_to_sell(DEMO_MANAGER.1);
    for bad in ["abc", "-1", "0", "18.23456", "R18"] {
        assert!(matches!(app.set_mobile_rate(&m, Some(bad)), Err(AppError::BadInput(_))), "{bad}");
    }
    assert_eq!(app.mobile_rate().unwrap(), None);
    set_rate(&app);
    // The customer is shown what it takes first: R12 at Rs 18.235 is Rs 218.82.
    let q = app.mobile_quote(&s, "12").unwrap();
    assert_eq!((q.covers, q.charge, q.rate_text.as_str()), (Money::zar(1_200), lkr(21_882), "Rs 18.2350 per R1"));
    // Too little on the account: refused before anything is stored or sent.
    let e = app.take_mobile_payment(&s, &pay("94770000378", "12")).await.unwrap_err();
    assert!(matches!(&e, AppError::BadInput(m) if m.contains("too little")), "{e}");
    assert!(sb.ledger().is_empty());
    // Declined on the phone: failed, said plainly.
    let p = app.take_mobile_payment(&s, &pay("94770000406", "12")).await.unwrap();
    assert_eq!(p.state.as_str(), "failed");
    assert!(p.error.as_deref().is_some_and(|e| e.contains("declined")), "{p:?}");
    // Paid; the same request again is the same payment.
    let req = pay("94776351232", "12");
    let p = app.take_mobile_payment(&s, &req).await.unwrap();
    assert_eq!((p.state.as_str(), p.amount, p.covers), ("succeeded", lkr(21_882), Money::zar(1_200)));
    assert_eq!(p.rate_text.as_deref(), Some("Rs 18.2350 per R1"));
    assert_eq!(app.take_mobile_payment(&s, &req).await.unwrap().id, p.id);
    assert_eq!(sb.balance("94776351232"), airtill_sandbox::IDEAMART_START_BALANCE - 21_882);
    assert!(sb.ledger().iter().all(|e| e.currency == "LKR"), "never another currency");
    let c = app.catalog(&s, false).await.unwrap();
    // Another amount than the sale's: refused, nothing sold.
    let e = app.sell_paid_by_mobile(&s, &voucher(&c, 5), p.id).await.unwrap_err();
    assert!(matches!(&e, AppError::BadInput(m) if m.contains("Nothing was sold")), "{e}");
    // The sale, paid by it.
    let sale = app.sell_paid_by_mobile(&s, &voucher(&c, 12), p.id).await.unwrap();
    assert_eq!(sale.state, SaleState::Succeeded);
    assert_eq!(app.store().sale_tender(sale.id).unwrap(), "ideamart");
    assert_eq!(app.store().mobile_payment(p.id).unwrap().sale_id, Some(sale.id));
    // Spent: not a second time.
    assert!(matches!(app.sell_paid_by_mobile(&s, &voucher(&c, 12), p.id).await, Err(AppError::BadInput(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_debit_answer_is_resolved_with_the_same_id_and_a_failed_sale_frees_the_payment() {
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let s = app.login_to_sell(DEMO_CASHIER.1);
    let sb = app._ideamart_sandbox.as_ref().unwrap();
    set_rate(&app);
    sb.inject_next_debit(airtill_sandbox::Fault::DropAfterRecord);
    let p = app.take_mobile_payment(&s, &pay("94776351232", "5")).await.unwrap();
    assert_eq!(p.state.as_str(), "in_doubt", "{p:?}");
    assert!(p.state_text.contains("do not take it again"));
    let p = app.check_mobile_payment(&s, p.id).await.unwrap();
    assert_eq!(p.state.as_str(), "succeeded");
    let taken: Vec<_> = sb.ledger().into_iter().filter(|e| e.status == "S1000").collect();
    assert_eq!(taken.len(), 1, "one debit, found again by its id");
    // R5 at Rs 18.235 is Rs 91.175: Rs 91.18, halves up.
    assert_eq!(sb.balance("94776351232"), airtill_sandbox::IDEAMART_START_BALANCE - 9_118);
    // The sale fails for sure (Smartcall's wallet is empty): the payment stays free.
    let c = app.catalog(&s, false).await.unwrap();
    app._sandbox.as_ref().unwrap().set_wallet(airtill_sandbox::TRAINING_SMARTLOAD_ID, 0);
    let failed = app.sell_paid_by_mobile(&s, &voucher(&c, 5), p.id).await.unwrap();
    assert_eq!(failed.state, SaleState::Failed);
    assert_eq!(app.store().mobile_payment(p.id).unwrap().sale_id, None);
    app._sandbox.as_ref().unwrap().set_wallet(airtill_sandbox::TRAINING_SMARTLOAD_ID, 1_000_000);
    let sale = app.sell_paid_by_mobile(&s, &voucher(&c, 5), p.id).await.unwrap();
    assert_eq!(sale.state, SaleState::Succeeded);
    assert_eq!(app.store().mobile_payment(p.id).unwrap().sale_id, Some(sale.id));
}

/// A payment whose answer was lost is settled by the till's one resolver (the same
/// that asks about sales), with nobody pressing "Check payment": the same debit again.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_debit_answer_is_settled_by_the_tills_resolver_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let clock = airtill_domain::ManualClock::new(crate::time::now_ms());
    let app = Airtill::open_with_clock(OpenOptions { data_dir: dir.path().to_path_buf() }, std::sync::Arc::new(clock.clone())).await.unwrap();
    let s = app.login_to_sell(DEMO_CASHIER.1);
    set_rate(&app);
    let sb = app._ideamart_sandbox.as_ref().unwrap();
    sb.inject_next_debit(airtill_sandbox::Fault::DropAfterRecord);
    let p = app.take_mobile_payment(&s, &pay("94776351232", "5")).await.unwrap();
    assert_eq!(p.state.as_str(), "in_doubt");
    // Time goes by: past the first backoff step, the resolver's next pass repeats the debit.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.store().mobile_payment(p.id).unwrap().state.is_open() {
        assert!(std::time::Instant::now() < deadline, "the resolver never asked again");
        clock.advance_ms(1_000);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.store().mobile_payment(p.id).unwrap().state.as_str(), "succeeded");
    assert_eq!(sb.ledger().iter().filter(|e| e.status == "S1000").count(), 1, "taken once");
}
