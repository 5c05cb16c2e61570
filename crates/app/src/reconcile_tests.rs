//! Reconciliation against the sandbox with mismatches planted on both sides.

use super::*;
use crate::{OpenOptions, SaleRequest, DEMO_CASHIER, DEMO_MANAGER};
use airtill_domain::SaleState;
use airtill_providers::smartcall::{Client, RechargeRequest};
use airtill_store::{Outcome, SaleDetails};

fn today() -> String {
    sast_date(time::now_ms()).to_string()
}

/// A sale the sandbox makes for another till on the same account.
pub(crate) async fn sell_elsewhere(other: &Client, client_ref: &str, product_id: i64, amount: i64, device: &str) {
    let r = RechargeRequest {
        smartload_id: airtill_sandbox::TRAINING_SMARTLOAD_ID.into(),
        client_reference: client_ref.into(),
        sms_recipient_msisdn: device.into(),
        device_id: device.into(),
        product_id,
        amount,
        pinless: false,
        send_sms: true,
        sms_provider_identifier: None,
    };
    other.recharge(&r).await.unwrap();
}

/// A row written straight into the till's ledger.
pub(crate) fn plant(app: &Airtill, user: i64, client_ref: &str, network: &str, amount: i64, state: SaleState) -> i64 {
    plant_at(app, "smartcall", user, client_ref, network, amount, state)
}

fn plant_at(app: &Airtill, provider: &str, user: i64, client_ref: &str, network: &str, amount: i64, state: SaleState) -> i64 {
    let mut store = app.store();
    let n = store.sale_count().unwrap() + 1;
    let d = SaleDetails {
        request_id: format!("planted-{n}"),
        client_ref: client_ref.into(),
        user_id: user,
        provider: provider.into(),
        network_name: network.into(),
        product_id: 1,
        product_name: format!("{network} planted"),
        product_kind: "voucher".into(),
        pinned: true,
        recipient: format!("2782{n:07}"),
        amount_minor: amount,
        currency: Currency::ZAR,
        discount_e4: Some(60_000),
    };
    let (row, _) = store.create_sale_submitting(&d, time::now_ms()).unwrap();
    store.transition(row.id, SaleState::Submitting, state, &Outcome::default(), time::now_ms()).unwrap();
    row.id
}

#[tokio::test(flavor = "multi_thread")]
async fn every_planted_mismatch_is_found_in_both_directions_with_its_sale() {
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    let catalog = app.catalog(&cashier, false).await.unwrap();
    let mtn = catalog.networks.iter().find(|n| n.name == "MTN").unwrap();
    let r12 = mtn.groups.iter().flat_map(|g| g.products.iter()).find(|p| p.pinned && p.fixed.map(|m| m.minor) == Some(1_200)).unwrap().id;
    for to in ["0831234567", "0831234568"] {
        let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: r12, recipient: to.into(), amount: None, override_pin: None };
        assert_eq!(app.sell(&cashier, &req).await.unwrap().state, SaleState::Succeeded);
    }
    let day = today();
    let clean = app.reconcile(&manager, &day, &day).await.unwrap();
    assert!(clean.clean, "{clean:#?}");
    assert_eq!(clean.sales_checked, 2);
    assert_eq!(clean.networks.len(), 1);
    assert_eq!((clean.networks[0].till_count, clean.networks[0].provider_count), (2, 2));

    let sb = app._sandbox.as_ref().unwrap();
    let other = Client::new(crate::config::training_smartcall(&sb.base_url())).unwrap();
    // a: sold by another till on the account: the till lacks it.
    sell_elsewhere(&other, "other-till-a", r12, 1_200, "27835550001").await;
    // b: the till shows a sale Smartcall never had.
    let b = plant(&app, cashier.user_id, "never-sent-b", "Vodacom", 2_900, SaleState::Succeeded);
    // c: Smartcall sold it; the till shows it failed.
    sell_elsewhere(&other, "lost-reply-c", r12, 1_200, "27835550002").await;
    let c = plant(&app, cashier.user_id, "lost-reply-c", "MTN", 1_200, SaleState::Failed);
    // d: both have it, at different amounts.
    sell_elsewhere(&other, "amount-d", r12, 1_200, "27835550003").await;
    let d = plant(&app, cashier.user_id, "amount-d", "MTN", 1_500, SaleState::Succeeded);

    let r = app.reconcile(&manager, &day, &day).await.unwrap();
    assert!(!r.clean);
    let kinds: Vec<(MismatchKind, Option<i64>)> = r.mismatches.iter().map(|m| (m.kind, m.sale_id)).collect();
    assert_eq!(kinds.len(), 4, "{:#?}", r.mismatches);
    assert!(kinds.contains(&(MismatchKind::MissingAtProvider, Some(b))));
    assert!(kinds.contains(&(MismatchKind::StateDiffers, Some(c))));
    assert!(kinds.contains(&(MismatchKind::AmountDiffers, Some(d))));
    // MTN at Smartcall: 2 + a + c + d = 5 sales, R60.00; at the till: 2 + d = 3, R39.00.
    let missing = r.mismatches.iter().find(|m| m.kind == MismatchKind::MissingAtTill).unwrap();
    assert_eq!((missing.network.as_str(), missing.amount), ("MTN", Money::zar(2_100)));
    assert!(missing.explanation.contains("2 more sales worth R21.00"), "{}", missing.explanation);
    let mtn_line = r.networks.iter().find(|n| n.network == "MTN").unwrap();
    assert_eq!((mtn_line.till_count, mtn_line.till_value, mtn_line.provider_count, mtn_line.provider_value), (3, Money4::zar(390_000), 5, Money4::zar(600_000)));
    let vod = r.networks.iter().find(|n| network_key(&n.network) == "VODACOM").unwrap();
    assert_eq!((vod.till_count, vod.provider_count, vod.matches), (1, 0, false));
    assert!(r.provider_closing.is_some() && r.provider_opening.is_some());
    // Every sale of the day the till has was asked about: its two and the three planted.
    assert_eq!(r.sales_checked, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn aat_is_reconciled_by_its_count_and_sale_by_sale() {
    use airtill_providers::aat::{self, RechargeKind, RechargeRequest as AatRecharge};
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    app.set_route(&manager, "MTN/pinned/voucher", &["aat".into()]).unwrap();
    let catalog = app.catalog(&cashier, false).await.unwrap();
    let mtn = catalog.networks.iter().find(|n| n.name == "MTN").unwrap();
    let r5 = mtn.groups.iter().flat_map(|g| g.products.iter()).find(|p| p.pinned && p.fixed.map(|m| m.minor) == Some(500)).unwrap().id;
    for to in ["0831234567", "0831234568"] {
        let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: r5, recipient: to.into(), amount: None, override_pin: None };
        let sale = app.sell(&cashier, &req).await.unwrap();
        assert_eq!((sale.state, sale.provider.as_str()), (SaleState::Succeeded, "aat"));
    }
    let day = today();
    let clean = app.reconcile_aat(&manager, &day, &day).await.unwrap();
    assert!(clean.clean, "{clean:#?}");
    assert_eq!((clean.provider.as_str(), clean.sales_checked, clean.networks[0].till_count, clean.networks[0].provider_count), ("aat", 2, 2, 2));
    assert_eq!(clean.provider_closing, Some(Money4::from_money(Money::zar(airtill_sandbox::AAT_TRAINING_CREDIT_CENTS - 1_000))));

    let other = aat::Client::new(crate::config::training_aat(&app._aat_sandbox.as_ref().unwrap().base_url())).unwrap();
    let r5_details = aat::VoucherDetails { id: 120, name: "MTN R5.00 voucher".into(), description: String::new(), min_amount: 500, max_amount: 500, pinned: true };
    let sell_elsewhere = |cref: &'static str| {
        let other = &other;
        let v = r5_details.clone();
        async move { other.recharge(&AatRecharge::new(RechargeKind::Pinned, &v, 500, Some("27835550001"), cref).unwrap()).await.unwrap() }
    };
    sell_elsewhere("aat-other-till").await;
    let b = plant_at(&app, "aat", cashier.user_id, "aat-never-sent", "MTN", 500, SaleState::Succeeded);
    sell_elsewhere("aat-lost-reply").await;
    let c = plant_at(&app, "aat", cashier.user_id, "aat-lost-reply", "MTN", 500, SaleState::Failed);
    sell_elsewhere("aat-amount").await;
    let d = plant_at(&app, "aat", cashier.user_id, "aat-amount", "MTN", 1_000, SaleState::Succeeded);

    let r = app.reconcile_aat(&manager, &day, &day).await.unwrap();
    assert!(!r.clean);
    let kinds: Vec<(MismatchKind, Option<i64>)> = r.mismatches.iter().map(|m| (m.kind, m.sale_id)).collect();
    assert!(kinds.contains(&(MismatchKind::MissingAtProvider, Some(b))), "{kinds:?}");
    assert!(kinds.contains(&(MismatchKind::StateDiffers, Some(c))), "{kinds:?}");
    assert!(kinds.contains(&(MismatchKind::AmountDiffers, Some(d))), "{kinds:?}");
    // AAT: 2 + 3 elsewhere = 5 successful; the till: 2 + b + d = 4 sold.
    assert!(kinds.contains(&(MismatchKind::MissingAtTill, None)), "{kinds:?}");
    assert_eq!((r.networks[0].till_count, r.networks[0].provider_count, r.networks[0].matches), (4, 5, false));
    assert_eq!(kinds.len(), 4, "{:#?}", r.mismatches);
    assert!(matches!(app.reconcile_aat(&cashier, &day, &day).await, Err(AppError::Forbidden(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn reconciliation_is_for_managers_and_checks_its_dates() {
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    assert!(matches!(app.reconcile(&cashier, &today(), &today()).await, Err(AppError::Forbidden(_))));
    assert!(matches!(app.reconcile(&manager, "yesterday", &today()).await, Err(AppError::BadInput(_))));
    assert!(matches!(app.reconcile(&manager, "2026-11-23", "2026-11-01").await, Err(AppError::BadInput(_))));
}

#[test]
fn network_names_meet_across_both_sides() {
    assert_eq!(network_key("Vodacom"), network_key("VOD"));
    assert_eq!(network_key("Cell C"), network_key("CELLC"));
    assert_eq!(network_key("Telkom Mobile"), network_key("TELKOM MOBILE"));
    assert_ne!(network_key("MTN"), network_key("Telkom Mobile"));
}
