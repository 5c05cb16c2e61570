//! Voucher stock against the practice providers over HTTP: bought from Smartcall (the
//! order's zip fetched and opened) and from AAT (one by one), kept sealed, sold when
//! the provider cannot sell, counted in the cashup and in reconciliation.

use super::*;
use crate::{OpenOptions, DEMO_CASHIER, DEMO_MANAGER};
use airtill_domain::{Money, SaleState};
use airtill_sandbox::Fault;

async fn app() -> (Airtill, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    (app, dir)
}

fn mtn_voucher(c: &crate::CatalogView, rand: i64) -> i64 {
    c.networks.iter().find(|n| n.name == "MTN").unwrap().groups.iter().flat_map(|g| &g.products).find(|p| p.pinned && p.fixed.map(|m| m.minor) == Some(rand * 100)).unwrap().id
}

fn order(provider: &str, product_id: i64, quantity: i64) -> StockOrderRequest {
    StockOrderRequest { request_id: uuid::Uuid::new_v4().to_string(), provider: crate::ProviderId::parse(provider).unwrap(), product_id, quantity }
}

fn sale(product_id: i64) -> SaleRequest {
    SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id, recipient: "083 123 4567".into(), amount: None, override_pin: None }
}

fn today() -> String {
    crate::reconcile::sast_date(time::now_ms()).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn stock_bought_from_smartcall_is_sold_when_smartcall_cannot_be_reached_and_counted_everywhere() {
    let (app, dir) = app().await;
    let m = app.login_to_sell(DEMO_MANAGER.1);
    let c = app.catalog(&m, false).await.unwrap();
    let r5 = mtn_voucher(&c, 5);
    let sb = app._sandbox.as_ref().unwrap();
    let wallet_before = sb.wallet_e4(airtill_sandbox::TRAINING_SMARTLOAD_ID).unwrap();

    // The manager buys five: one order, its file fetched and opened, five vouchers in.
    let req = order("smartcall", r5, 5);
    let o = app.buy_stock(&m, &req).await.unwrap();
    assert_eq!((o.state.as_str(), o.received, o.total), ("received", 5, Money::zar(2_500)), "{o:?}");
    assert_eq!(app.buy_stock(&m, &req).await.unwrap().id, o.id, "the same request is the same order");
    let orders = sb.voucher_orders();
    assert_eq!(orders.len(), 1, "one order at Smartcall");
    assert_eq!(orders[0].1, o.client_ref);
    assert!(sb.wallet_e4(airtill_sandbox::TRAINING_SMARTLOAD_ID).unwrap() < wallet_before, "paid from the wallet");
    let levels = app.stock_levels(&m).unwrap();
    assert_eq!(levels.len(), 1);
    assert_eq!((levels[0].network_name.as_str(), levels[0].amount, levels[0].available), ("MTN", Money::zar(500), 5));
    assert!(levels[0].next_expiry.is_some());
    // No PIN of the order is anywhere in the database files.
    drop(app.store().checkpoint());
    for name in ["airtill.db", "airtill.db-wal"] {
        let file = std::fs::read(dir.path().join(name)).unwrap_or_default();
        for (_, pin) in &orders[0].2 {
            assert!(!file.windows(pin.len()).any(|w| w == pin.as_bytes()), "a stock PIN is in {name} in plain text");
        }
    }

    // Smartcall cannot be reached: nothing is sent, and the till offers stock.
    let s = app.login_to_sell(DEMO_CASHIER.1);
    assert_eq!(app.stock_for_product(&s, r5).await.unwrap(), 5);
    assert!(app.practice_outage(&m, true).await.unwrap());
    let refused = app.sell(&s, &sale(r5)).await.unwrap();
    assert_eq!(refused.state, SaleState::Failed, "{refused:?}");
    assert_eq!(refused.stock_offer, Some(5));
    let from_stock = sale(r5);
    let sold = app.sell_from_stock(&s, &from_stock).await.unwrap();
    assert_eq!((sold.state, sold.provider.as_str()), (SaleState::Succeeded, "stock"));
    assert!(sold.state_text.contains("from stock"));
    let pin = sold.voucher_pin.clone().unwrap().replace(' ', "");
    let (ticket, _) = orders[0].2.iter().find(|(_, p)| *p == pin).expect("a PIN of the order");
    assert_eq!(sold.ticket_number.as_deref(), Some(ticket.as_str()));
    assert_eq!(sold.dial_string, Some(format!("*141*{pin}#")));
    assert_eq!(app.sell_from_stock(&s, &from_stock).await.unwrap().id, sold.id, "a double click sells one");
    assert_eq!(app.stock_for_product(&s, r5).await.unwrap(), 4);
    // No provider was asked for the stock sale.
    assert_eq!(sb.ledger().iter().filter(|e| e.client_reference == sold.client_ref).count(), 0);
    assert!(!app.practice_outage(&m, false).await.unwrap());
    assert_eq!(app.sell(&s, &sale(r5)).await.unwrap().state, SaleState::Succeeded, "Smartcall is back");

    // A cashier may not buy stock or play with outages; bad input changes nothing.
    assert!(matches!(app.buy_stock(&s, &order("smartcall", r5, 1)).await, Err(AppError::Forbidden(_))));
    assert!(matches!(app.practice_outage(&s, true).await, Err(AppError::Forbidden(_))));
    for (bad, words) in [
        (order("smartcall", r5, 0), "1 to 1000"),
        (order("smartcall", r5, 1001), "1 to 1000"),
        (order("mx", r5, 1), "Smartcall or AAT"),
        (order("aat", r5, 51), "1 to 50"),
        (StockOrderRequest { request_id: "no spaces here".into(), ..order("smartcall", r5, 1) }, "not valid"),
    ] {
        let e = app.buy_stock(&m, &bad).await.unwrap_err();
        assert!(e.to_string().contains(words), "{e}");
    }
    let pinless = c.networks.iter().find(|n| n.name == "MTN").unwrap().groups.iter().flat_map(|g| &g.products).find(|p| !p.pinned).unwrap().id;
    let e = app.buy_stock(&m, &order("smartcall", pinless, 1)).await.unwrap_err();
    assert!(e.to_string().contains("not a voucher with a PIN"), "{e}");
    assert_eq!(sb.voucher_orders().len(), 1, "nothing more was ordered");
    assert_eq!(app.stock_orders(&m).unwrap().len(), 1);

    // Sold out: said plainly, nothing sold.
    for _ in 0..4 {
        app.sell_from_stock(&s, &sale(r5)).await.unwrap();
    }
    let e = app.sell_from_stock(&s, &sale(r5)).await.unwrap_err();
    assert!(e.to_string().contains("left in stock"), "{e}");

    // The cashup counts the stock sales like any other, under their own provider.
    let x = app.x_report(&m).await.unwrap();
    let stock_line = x.by_provider.iter().find(|l| l.key == "stock").expect("a stock line in the X report");
    assert_eq!((stock_line.count, stock_line.value), (5, Money::zar(2_500)));
    assert_eq!(x.by_provider.iter().find(|l| l.key == "smartcall").map(|l| l.count), Some(1), "the sale after the outage");
    // Smartcall counts the five vouchers bought as its sales: reconciliation agrees.
    let r = app.reconcile(&m, &today(), &today()).await.unwrap();
    let mtn = r.networks.iter().find(|n| n.network == "MTN").unwrap();
    assert!(mtn.matches, "{mtn:?}");
    assert!(r.mismatches.is_empty(), "{:?}", r.mismatches);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_order_answer_is_found_by_its_reference_and_never_ordered_twice() {
    let (app, _d) = app().await;
    let m = app.login_to_sell(DEMO_MANAGER.1);
    let c = app.catalog(&m, false).await.unwrap();
    let sb = app._sandbox.as_ref().unwrap();
    sb.inject("POST", "/smartload/vouchers/orders", Fault::DropAfterRecord);
    let o = app.buy_stock(&m, &order("smartcall", mtn_voucher(&c, 5), 3)).await.unwrap();
    assert_eq!(o.state.as_str(), "in_doubt", "{o:?}");
    assert!(o.state_text.contains("do not order again"), "{}", o.state_text);
    assert!(o.open);
    let checks = app.doctor(&m).await.unwrap();
    let c1 = checks.iter().find(|c| c.name == "voucher stock orders").expect("doctor names the open order");
    assert!(c1.detail.contains("1 not finished (1 not confirmed)"), "{}", c1.detail);
    // Checked: found by its client reference, a new file (new password) fetched.
    let o = app.finish_stock_order(&m, o.id).await.unwrap();
    assert_eq!((o.state.as_str(), o.received), ("received", 3), "{o:?}");
    let orders = sb.voucher_orders();
    assert_eq!(orders.len(), 1, "ordered once");
    assert_eq!(o.provider_ref, Some(orders[0].0.to_string()));
    assert_eq!(app.stock_levels(&m).unwrap()[0].available, 3);
    // Checking a finished order again changes nothing.
    assert_eq!(app.finish_stock_order(&m, o.id).await.unwrap().received, 3);
    assert_eq!(app.stock_levels(&m).unwrap()[0].available, 3);
    assert!(matches!(app.finish_stock_order(&m, 999).await, Err(AppError::BadInput(_))));
    let checks = app.doctor(&m).await.unwrap();
    assert!(checks.iter().any(|c| c.name == "voucher stock" && c.detail == "3 vouchers on hand"), "{checks:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_sent_before_a_crash_is_asked_for_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let order_id = {
        let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let m = app.login_to_sell(DEMO_MANAGER.1);
        let c = app.catalog(&m, false).await.unwrap();
        // The order left and the till died before the answer: what a crash leaves.
        let sb = app._sandbox.as_ref().unwrap();
        sb.inject("POST", "/smartload/vouchers/orders", Fault::Delay(std::time::Duration::from_secs(30)));
        let req = order("smartcall", mtn_voucher(&c, 5), 2);
        let buying = app.buy_stock(&m, &req);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), buying).await;
        let open = app.store().open_stock_orders().unwrap();
        assert_eq!((open.len(), open[0].state.as_str(), open[0].attempted), (1, "sending", 1));
        assert_eq!(sb.voucher_orders().len(), 1, "Smartcall took it");
        // The same Smartcall answers the next app (its state is kept by the test).
        let buyer = app.stock_buyer();
        let o = buyer.drive(open[0].id).await.unwrap();
        assert_eq!((o.state.as_str(), o.received), ("received", 2));
        assert_eq!(sb.voucher_orders().len(), 1, "asked for by reference, never sent again");
        o.id
    };
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    assert_eq!(app.store().stock_order(order_id).unwrap().received, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn aat_vouchers_are_bought_one_by_one_and_a_lost_answer_is_asked_for() {
    let (app, _d) = app().await;
    let m = app.login_to_sell(DEMO_MANAGER.1);
    let c = app.catalog(&m, false).await.unwrap();
    let aat = app._aat_sandbox.as_ref().unwrap();
    aat.inject_next_sale(Fault::DropAfterRecord);
    let o = app.buy_stock(&m, &order("aat", mtn_voucher(&c, 5), 3)).await.unwrap();
    assert_eq!((o.state.as_str(), o.received), ("in_doubt", 0), "{o:?}");
    let o = app.finish_stock_order(&m, o.id).await.unwrap();
    assert_eq!((o.state.as_str(), o.received), ("received", 3), "{o:?}");
    let ledger = aat.ledger();
    assert_eq!(ledger.len(), 3, "one call per voucher, the lost one not sent again");
    assert!(ledger.iter().all(|e| e.operation == "PerformPinnedRechargeWithoutMsisdnFixedAmount" && e.msisdn.is_none() && e.voucher_id == 120), "{ledger:?}");
    let refs: Vec<String> = ledger.iter().map(|e| e.client_ref.clone()).collect();
    assert_eq!(refs, (1..=3).map(|i| format!("{}-{i}", o.client_ref)).collect::<Vec<_>>());
    // Sold from stock: the PIN is AAT's.
    let s = app.login_to_sell(DEMO_CASHIER.1);
    let sold = app.sell_from_stock(&s, &sale(mtn_voucher(&c, 5))).await.unwrap();
    let pin = sold.voucher_pin.unwrap().replace(' ', "");
    assert!(ledger.iter().any(|e| e.pin.as_deref() == Some(pin.as_str())));
    // AAT counts three transactions; so does the till.
    let r = app.reconcile_with(&m, "aat", &today(), &today()).await.unwrap();
    assert!(r.networks[0].matches, "{:?}", r.networks);

    // AAT refuses (no credit): nothing bought, said plainly.
    aat.set_credit(0);
    let o = app.buy_stock(&m, &order("aat", mtn_voucher(&c, 5), 2)).await.unwrap();
    assert_eq!((o.state.as_str(), o.received), ("failed", 0), "{o:?}");
    assert!(o.message.as_deref().is_some_and(|m| m.contains("R0.00 left")), "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_smartcall_never_received_fails_after_the_grace_and_nothing_is_bought() {
    let (app, dir) = app().await;
    let m = app.login_to_sell(DEMO_MANAGER.1);
    let c = app.catalog(&m, false).await.unwrap();
    let sb = app._sandbox.as_ref().unwrap();
    // A 500 before anything is recorded: the till cannot know, so it is in doubt.
    sb.inject("POST", "/smartload/vouchers/orders", Fault::Http500);
    let o = app.buy_stock(&m, &order("smartcall", mtn_voucher(&c, 5), 4)).await.unwrap();
    assert_eq!(o.state.as_str(), "in_doubt", "{o:?}");
    // Smartcall does not know it; within two minutes that is not believed yet, however
    // often it is checked.
    for _ in 0..3 {
        let o = app.finish_stock_order(&m, o.id).await.unwrap();
        assert_eq!(o.state.as_str(), "in_doubt", "{o:?}");
    }
    let db = rusqlite::Connection::open(dir.path().join("airtill.db")).unwrap();
    db.execute("UPDATE stock_orders SET created_ms = created_ms - 3 * 60000 WHERE id = ?1", [o.id]).unwrap();
    let o = app.finish_stock_order(&m, o.id).await.unwrap();
    assert_eq!((o.state.as_str(), o.received), ("failed", 0), "{o:?}");
    assert!(o.message.as_deref().is_some_and(|m| m.contains("never received")), "{o:?}");
    assert!(sb.voucher_orders().is_empty(), "nothing was ordered");
    assert!(app.stock_levels(&m).unwrap().is_empty());
}

/// Issue 18: stock PINs are sealed under the day's key, which only a manager's PIN
/// unwraps. With the day open a cashier sells from stock (a restart mid-day too);
/// after the Z, the till, copied whole with its credentials, opens no stock PIN until
/// a manager logs in.
#[tokio::test(flavor = "multi_thread")]
async fn stock_pins_open_only_while_a_manager_has_the_day_open() {
    let (app, dir) = app().await;
    let m = app.login_to_sell(DEMO_MANAGER.1);
    assert!(app.day_open(), "a manager's login opens the day");
    let c = app.catalog(&m, false).await.unwrap();
    let r5 = mtn_voucher(&c, 5);
    app.buy_stock(&m, &order("smartcall", r5, 3)).await.unwrap();
    let sealed: Vec<String> = {
        let db = rusqlite::Connection::open(dir.path().join("airtill.db")).unwrap();
        let mut st = db.prepare("SELECT pin_sealed FROM stock_vouchers").unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap();
        r.map(|x| x.unwrap()).collect()
    };
    assert!(sealed.len() == 3 && sealed.iter().all(|p| p.starts_with("s1:")), "{sealed:?}");
    // A restart mid-day: the cashier still sells from stock with no manager.
    app.shutdown().await;
    drop(app);
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let s = app.login_to_sell(DEMO_CASHIER.1);
    assert!(app.day_open());
    assert_eq!(app.sell_from_stock(&s, &sale(r5)).await.unwrap().provider, "stock");
    // The Z closes the day.
    let m = app.login(DEMO_MANAGER.1).unwrap();
    app.z_report(&m).await.unwrap();
    assert!(!app.day_open());
    assert!(matches!(app.sell_from_stock(&s, &sale(r5)).await, Err(AppError::DayClosed)));
    app.shutdown().await;
    drop(app);
    // The whole folder copied, credentials and all: still no stock PIN.
    let copy = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), copy.path().join(e.file_name())).unwrap();
        }
    }
    let stolen = Airtill::open(OpenOptions { data_dir: copy.path().to_path_buf() }).await.unwrap();
    let s2 = stolen.login_to_sell(DEMO_CASHIER.1);
    assert!(matches!(stolen.sell_from_stock(&s2, &sale(r5)).await, Err(AppError::DayClosed)));
    stolen.shutdown().await;
    // The manager logs in the next morning: stock sells again.
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let s = app.login_to_sell(DEMO_CASHIER.1);
    assert!(matches!(app.sell_from_stock(&s, &sale(r5)).await, Err(AppError::DayClosed)));
    let m = app.login(DEMO_MANAGER.1).unwrap();
    assert_eq!(app.sell_from_stock(&s, &sale(r5)).await.unwrap().provider, "stock");
    // A manager who changes her PIN keeps her key: the new PIN opens the next day.
    app.change_own_pin(&m, DEMO_MANAGER.1, "482913", "482913").unwrap();
    app.z_report(&m).await.unwrap();
    let id = app.person_named(DEMO_MANAGER.0).unwrap();
    let m = app.login_as(id, "482913").unwrap();
    assert!(app.day_open());
    // Every wrap lost (edited out of the file): no new key replaces the one the stock
    // is sealed under; the day stays closed and the vouchers wait for it.
    app.z_report(&m).await.unwrap();
    let db = rusqlite::Connection::open(dir.path().join("airtill.db")).unwrap();
    db.execute("DELETE FROM stock_key_wraps", []).unwrap();
    app.login_as(id, "482913").unwrap();
    assert!(!app.day_open());
    assert_eq!(app.store().stock_key_wraps().unwrap(), 0);
    app.shutdown().await;
}
