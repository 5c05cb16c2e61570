//! The counter's speed and its rules: quick keys (the manager's, or the till's best
//! sellers), the free reprint window, the cashier's own totals, and a PIN voucher sold
//! without the customer's number (and Smartcall's 5 minutes for a second one).

use super::*;
use crate::{OpenOptions, SaleRequest, DEMO_CASHIER, DEMO_MANAGER};
use airtill_domain::clock::ManualClock;
use airtill_domain::{Money, SaleState};
use std::sync::Arc;

async fn shop() -> (Airtill, ManualClock, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(crate::time::now_ms());
    let app = Airtill::open_with_clock(OpenOptions { data_dir: dir.path().to_path_buf() }, Arc::new(clock.clone())).await.unwrap();
    (app, clock, dir)
}

fn voucher(c: &crate::CatalogView, network: &str, rand: i64) -> i64 {
    c.networks.iter().find(|n| n.name == network).unwrap().groups.iter().flat_map(|g| &g.products).find(|p| p.pinned && p.fixed.map(|m| m.minor) == Some(rand * 100)).unwrap().id
}

fn sale(product_id: i64, to: &str) -> SaleRequest {
    SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id, recipient: to.into(), amount: None, override_pin: None }
}

#[tokio::test(flavor = "multi_thread")]
async fn quick_keys_are_the_best_sellers_until_the_manager_pins_them_and_bad_choices_change_nothing() {
    let (app, _clock, _d) = shop().await;
    let m = app.login_to_sell(DEMO_MANAGER.1);
    let s = app.login_to_sell(DEMO_CASHIER.1);
    assert!(app.quick_keys(&s).await.unwrap().is_empty(), "a new till has sold nothing");
    let c = app.catalog(&s, false).await.unwrap();
    let (r12, r5, vodacom10) = (voucher(&c, "MTN", 12), voucher(&c, "MTN", 5), voucher(&c, "Vodacom", 10));
    for to in ["083 123 0001", "083 123 0002"] {
        assert_eq!(app.sell(&s, &sale(r12, to)).await.unwrap().state, SaleState::Succeeded);
    }
    app.sell(&s, &sale(r5, "083 123 0003")).await.unwrap();
    // The best sellers, most sold first, each on its key.
    let keys = app.quick_keys(&s).await.unwrap();
    let ids: Vec<(u8, i64, bool)> = keys.iter().map(|k| (k.key, k.product.id, k.pinned_by_manager)).collect();
    assert_eq!(ids, vec![(1, r12, false), (2, r5, false)]);

    // Only a manager pins them; names as the screen shows them, or catalog numbers.
    assert!(matches!(app.set_quick_keys(&s, &[vodacom10]).await, Err(AppError::Forbidden(_))));
    let named = app.products_named(&["vodacom airtime r10".to_string(), r12.to_string()]).await.unwrap();
    assert_eq!(named, vec![vodacom10, r12]);
    let keys = app.set_quick_keys(&m, &named).await.unwrap();
    assert_eq!(keys.iter().map(|k| (k.key, k.product.id, k.pinned_by_manager)).collect::<Vec<_>>(), vec![(1, vodacom10, true), (2, r12, true)]);
    assert_eq!(app.counter_settings(&s).unwrap().quick_keys, vec![vodacom10, r12]);

    // Refused, said plainly, and the keys stay as they were.
    let any_amount = c.networks.iter().find(|n| n.name == "MTN").unwrap().groups.iter().flat_map(|g| &g.products).find(|p| p.fixed.is_none()).unwrap().id;
    for bad in [vec![r12, r12], vec![any_amount], vec![999_999], vec![r12; 10]] {
        let e = app.set_quick_keys(&m, &bad).await.unwrap_err();
        assert!(matches!(e, AppError::BadInput(_)), "{bad:?}: {e}");
    }
    let e = app.products_named(&["MTN Airtime R13".to_string()]).await.unwrap_err();
    assert!(e.to_string().contains("No product is called") && e.to_string().contains("MTN Airtime R13"), "{e}");
    assert_eq!(app.counter_settings(&s).unwrap().quick_keys, vec![vodacom10, r12]);
    // None pinned: back to the best sellers.
    let keys = app.set_quick_keys(&m, &[]).await.unwrap();
    assert!(keys.iter().all(|k| !k.pinned_by_manager) && keys[0].product.id == r12);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cashier_reprints_freely_within_the_managers_window_and_needs_a_manager_after_it() {
    let (app, clock, _d) = shop().await;
    let m = app.login_to_sell(DEMO_MANAGER.1);
    assert_eq!(app.counter_settings(&m).unwrap().free_reprint_minutes, 10, "ten minutes unless the manager says");
    for bad in [-1, 61] {
        assert!(matches!(app.set_free_reprint_minutes(&m, bad), Err(AppError::BadInput(_))));
    }
    let s = app.login_to_sell(DEMO_CASHIER.1);
    assert!(matches!(app.set_free_reprint_minutes(&s, 5), Err(AppError::Forbidden(_))));
    assert_eq!(app.free_reprint_minutes().unwrap(), 10, "refusals save nothing");
    let c = app.catalog(&s, false).await.unwrap();
    let first = app.sell(&s, &sale(voucher(&c, "MTN", 12), "083 123 0001")).await.unwrap();
    let last = app.sell(&s, &sale(voucher(&c, "MTN", 5), "083 123 0002")).await.unwrap();
    let out = tempfile::tempdir().unwrap();
    // Within the window: the older voucher is the cashier's to reprint (a COPY, logged).
    let listed = app.sales_today(&s).unwrap();
    assert_eq!(listed.iter().find(|v| v.id == first.id).unwrap().reprint, Reprint::Free);
    app.save_slip(&s, first.id, Some(out.path().join("a.pdf")), None).await.unwrap();
    app.save_slip(&s, first.id, Some(out.path().join("b.pdf")), None).await.unwrap();
    let log = app.store().reprints_between(0, i64::MAX).unwrap();
    assert_eq!(log.len(), 1, "the second print is the copy");
    assert_eq!(log[0].approved_by, None, "no manager was needed");

    // Eleven minutes on: the older one needs a manager; the last sale stays free.
    clock.advance_ms(11 * 60_000);
    let s = app.login_to_sell(DEMO_CASHIER.1);
    let listed = app.sales_today(&s).unwrap();
    assert_eq!(listed.iter().find(|v| v.id == first.id).unwrap().reprint, Reprint::NeedsManager);
    assert_eq!(listed.iter().find(|v| v.id == last.id).unwrap().reprint, Reprint::Free);
    assert!(matches!(app.save_slip(&s, first.id, Some(out.path().join("c.pdf")), None).await, Err(AppError::ManagerPinNeeded { .. })));
    assert_eq!(app.store().reprints_between(0, i64::MAX).unwrap().len(), 1, "a refusal records nothing");
    // A logged-in manager is not asked for her PIN again.
    let m = app.login_to_sell(DEMO_MANAGER.1);
    app.save_slip(&m, first.id, Some(out.path().join("d.pdf")), None).await.unwrap();
    assert_eq!(app.store().reprints_between(0, i64::MAX).unwrap().len(), 2);
    // The window at 0: only the last sale.
    app.set_free_reprint_minutes(&m, 0).unwrap();
    assert_eq!(app.free_reprint_minutes().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cashiers_totals_are_her_own_shift_and_a_voucher_sells_without_a_number() {
    let (app, _clock, _d) = shop().await;
    let s = app.login(DEMO_CASHIER.1).unwrap();
    let t = app.counter_totals(&s).unwrap();
    assert!(!t.shift_open && t.sold == 0);
    app.open_shift(&s, "200").unwrap();
    let c = app.catalog(&s, false).await.unwrap();
    let r12 = voucher(&c, "MTN", 12);
    // No number: the PIN is printed for the customer to load.
    let sold = app.sell(&s, &sale(r12, "")).await.unwrap();
    assert_eq!(sold.state, SaleState::Succeeded);
    assert!(sold.voucher_pin.is_some());
    // A second of the same amount within Smartcall's 5 minutes: refused at Smartcall,
    // nothing sold, and the cashier told to use the customer's number.
    let again = app.sell(&s, &sale(r12, "")).await.unwrap();
    assert_eq!(again.state, SaleState::Failed);
    assert_eq!(again.error.as_deref(), Some(airtill_engine::smartcall::NO_NUMBER_REPEAT));
    let with_number = app.sell(&s, &sale(r12, "083 123 4501")).await.unwrap();
    assert_eq!(with_number.state, SaleState::Succeeded);
    // A pinless recharge needs its number: refused before anything is written.
    let any_amount = c.networks.iter().find(|n| n.name == "MTN").unwrap().groups.iter().flat_map(|g| &g.products).find(|p| p.fixed.is_none()).unwrap().id;
    let before = app.sales_today(&s).unwrap().len();
    let req = SaleRequest { amount: Some("20".into()), ..sale(any_amount, "") };
    assert!(matches!(app.sell(&s, &req).await, Err(AppError::BadInput(_))));
    assert_eq!(app.sales_today(&s).unwrap().len(), before);
    // Her totals: two sold in cash, one refused; the drawer holds the float and R24.
    let t = app.counter_totals(&s).unwrap();
    assert!(t.shift_open);
    assert_eq!((t.sold, t.sold_cash, t.waiting), (2, 2, 0));
    assert_eq!((t.cash_sales, t.cash_expected), (Money::zar(2_400), Money::zar(22_400)));
    // The manager's shift is apart.
    let m = app.login_to_sell(DEMO_MANAGER.1);
    assert_eq!(app.counter_totals(&m).unwrap().sold, 0);
}
