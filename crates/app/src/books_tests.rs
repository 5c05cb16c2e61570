//! The books to the provider's last decimal, against the practice providers over HTTP
//! on one clock the test moves: a wallet with sub-cent amounts, twin catalog entries,
//! a failed pinless sale whose money comes back at a refund run, a quiet day between
//! busy ones, reports that do not wait for a slow provider, and a month of shop days.

use super::*;
use crate::reconcile::sast_date;
use crate::{OpenOptions, SaleRequest, UkCreditRequest, DEMO_CASHIER, DEMO_MANAGER};
use airtill_domain::{Currency, ManualClock, Money, Money4, SaleState};
use airtill_sandbox::TRAINING_SMARTLOAD_ID;
use chrono::TimeZone;
use chrono_tz::Africa::Johannesburg;
use std::sync::Arc;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Epoch ms of a South African wall-clock time.
fn sast(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    Johannesburg.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().timestamp_millis()
}

struct Shop {
    app: Airtill,
    clock: ManualClock,
    manager: Session,
    cashier: Session,
    _dir: tempfile::TempDir,
}

async fn shop_at(start_ms: i64) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(start_ms);
    let app = Airtill::open_with_clock(OpenOptions { data_dir: dir.path().to_path_buf() }, Arc::new(clock.clone())).await.unwrap();
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    Shop { app, clock, manager, cashier, _dir: dir }
}

/// The product of `network` whose group is `kind` and that `pick` accepts.
fn product(c: &crate::CatalogView, network: &str, kind: crate::ProductKind, pick: impl Fn(&crate::ProductView) -> bool) -> crate::ProductView {
    c.networks
        .iter()
        .find(|n| n.name == network)
        .unwrap_or_else(|| panic!("no network {network}"))
        .groups
        .iter()
        .flat_map(|g| g.products.iter())
        .find(|p| p.kind == kind && pick(p))
        .unwrap_or_else(|| panic!("no {kind:?} product on {network}"))
        .clone()
}

fn request(product_id: i64, to: &str, amount: Option<&str>) -> SaleRequest {
    SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id, recipient: to.into(), amount: amount.map(String::from), override_pin: None }
}

/// Sells, then moves the clock past Smartcall's queue and asks until the sale is final.
async fn sell_final(s: &Shop, req: &SaleRequest) -> crate::SaleView {
    let mut sale = s.app.sell(&s.cashier, req).await.unwrap();
    for _ in 0..20 {
        if !matches!(sale.state, SaleState::Pending | SaleState::InDoubt) {
            return sale;
        }
        s.clock.advance_ms(5_000);
        sale = s.app.check_sale(&s.cashier, sale.id).await.unwrap();
    }
    panic!("sale {} stayed {:?}", sale.id, sale.state)
}

fn smartcall(s: &Shop) -> &airtill_sandbox::SmartcallSandbox {
    s.app._sandbox.as_ref().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wallet_with_sub_cent_amounts_is_read_everywhere_exactly() {
    let s = shop_at(sast(2026, 12, 1, 9, 0)).await;
    let c = s.app.catalog(&s.cashier, false).await.unwrap();
    // Vodacom airtime, no SMS, 5.5%: R15 costs R14.175.
    let airtime = product(&c, "Vodacom", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    let sale = sell_final(&s, &request(airtime.id, "0821234567", Some("15"))).await;
    assert_eq!(sale.state, SaleState::Succeeded);
    let wallet = Money4::zar(airtill_sandbox::smartcall::TRAINING_WALLET_CENTS * 100 - 141_750);
    assert_eq!(smartcall(&s).wallet_e4(TRAINING_SMARTLOAD_ID), Some(wallet.e4));
    assert_eq!(wallet.to_string(), "R99 985.825");
    // The balance, the header's wallets, doctor: read to the last decimal.
    assert_eq!(s.app.smartcall_balance(&s.cashier).await.unwrap(), wallet);
    let w = s.app.wallets(&s.cashier).await.unwrap();
    assert_eq!((w[0].balance, w[0].error.as_deref()), (Some(wallet), None));
    let checks = s.app.doctor(&s.manager).await.unwrap();
    let cred = checks.iter().find(|c| c.name == "provider credentials").unwrap();
    assert!(cred.status == crate::CheckStatus::Ok && cred.detail.contains("R99 985.825"), "{cred:?}");
    // The Z keeps the cost, the profit and the closing wallet exactly.
    let z = s.app.z_report(&s.manager).await.unwrap();
    assert_eq!((z.sold[0].cost, z.sold[0].profit), (Money4::zar(141_750), Money4::zar(8_250)));
    let sc = z.wallets.iter().find(|w| w.provider == "smartcall").unwrap();
    assert_eq!((sc.closing, sc.closing_source.as_str()), (Some(wallet), "asked the provider now"));
    assert_eq!(s.app.z_report_by_no(&s.manager, 1).unwrap(), z, "the Z reads back as produced");
    // Reconciled to the last decimal: count, value and what the wallet paid.
    let day = "2026-12-01";
    let r = s.app.reconcile(&s.manager, day, day).await.unwrap();
    assert!(r.clean, "{r:#?}");
    let vod = &r.networks[0];
    assert_eq!((vod.till_cost, vod.provider_cost), (Some(Money4::zar(141_750)), Some(Money4::zar(141_750))));
    assert_eq!(r.provider_closing, Some(wallet));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_product_is_offered_once_and_sold_as_the_twin_the_rule_picks() {
    let s = shop_at(sast(2026, 12, 1, 9, 0)).await;
    let c = s.app.catalog(&s.cashier, true).await.unwrap();
    for n in &c.networks {
        for g in &n.groups {
            let mut ids: Vec<i64> = g.products.iter().map(|p| p.id).collect();
            let listed = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), listed, "{} {}: every product once", n.name, g.name);
        }
    }
    // A voucher is sold with the SMS (that twin's 5.75% on MTN), airtime without (6%).
    let voucher = product(&c, "MTN", crate::ProductKind::Voucher, |p| p.fixed.map(|m| m.minor) == Some(1_200));
    let airtime = product(&c, "MTN", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    sell_final(&s, &request(voucher.id, "0831234567", None)).await;
    sell_final(&s, &request(airtime.id, "0831234568", Some("20"))).await;
    let ledger = smartcall(&s).ledger();
    assert_eq!((ledger[0].discount, ledger[1].discount), (57_500, 60_000));
    let local = s.app.store().all_sales().unwrap();
    assert_eq!((local[0].details.discount_e4, local[1].details.discount_e4), (Some(57_500), Some(60_000)));
    assert_eq!((local[0].outcome.cost_e4, ledger[0].cost), (Some(113_100), 113_100), "R12 less 5.75% is R11.31");

    // Twins that disagree on the price: not offered, and refused with nothing sent.
    smartcall(&s).set_twin_price(voucher.id, 1_300);
    let c = s.app.catalog(&s.cashier, true).await.unwrap();
    assert!(c.networks.iter().flat_map(|n| &n.groups).flat_map(|g| &g.products).all(|p| p.id != voucher.id), "a product with two prices is not offered");
    let e = s.app.sell(&s.cashier, &request(voucher.id, "0831234569", None)).await.unwrap_err();
    assert!(matches!(&e, AppError::BadInput(m) if m.contains("two different prices") && m.contains("Nothing was sold")), "{e}");
    assert_eq!(s.app.store().all_sales().unwrap().len(), 2, "nothing stored");
    assert_eq!(smartcall(&s).ledger_len(), 2, "nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_pinless_sale_says_smartcall_took_the_money_and_reconciles_as_a_refund() {
    let s = shop_at(sast(2026, 12, 1, 10, 0)).await;
    let c = s.app.catalog(&s.cashier, false).await.unwrap();
    let airtime = product(&c, "Vodacom", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    // R15 sells; R11 is the practice network's refusal, after Smartcall took R10.395.
    sell_final(&s, &request(airtime.id, "0821234567", Some("15"))).await;
    let failed = sell_final(&s, &request(airtime.id, "0821234568", Some("11"))).await;
    assert_eq!(failed.state, SaleState::Failed);
    assert!(failed.state_text.contains("Smartcall took R10.40 from the wallet and refunds it at 11h30"), "{}", failed.state_text);
    assert!(!failed.state_text.contains("No money was taken"));
    let day = "2026-12-01";
    let r = s.app.reconcile(&s.manager, day, day).await.unwrap();
    assert!(r.clean, "a refund due is not a difference: {r:#?}");
    let kinds: Vec<_> = r.mismatches.iter().map(|m| (m.kind, m.sale_id)).collect();
    assert_eq!(kinds, vec![(crate::MismatchKind::RefundDue, Some(failed.id))]);
    assert!(r.mismatches[0].explanation.contains("refunds it at 11h30 on 2026-12-01"), "{}", r.mismatches[0].explanation);
    assert_eq!((r.networks[0].till_count, r.networks[0].provider_count), (2, 2), "Smartcall holds the failed sale's money until the refund");
    let x = s.app.x_report(&s.manager).await.unwrap();
    assert_eq!(x.refunds.len(), 1);
    assert_eq!((x.refunds[0].cost, x.refunds[0].refunded), (Money4::zar(103_950), false));
    // After the 11h30 run: refunded, still clean, the wallet has it back.
    s.clock.advance_ms(2 * HOUR);
    let r = s.app.reconcile(&s.manager, day, day).await.unwrap();
    assert!(r.clean, "{r:#?}");
    assert_eq!(r.mismatches.iter().map(|m| m.kind).collect::<Vec<_>>(), vec![crate::MismatchKind::Refunded]);
    assert_eq!((r.networks[0].till_count, r.networks[0].provider_count), (1, 1));
    assert_eq!(smartcall(&s).wallet_e4(TRAINING_SMARTLOAD_ID), Some(airtill_sandbox::smartcall::TRAINING_WALLET_CENTS * 100 - 141_750));

    // A failure late in the evening is refunded the next morning: each day balances.
    s.clock.advance_ms(sast(2026, 12, 1, 23, 45) - s.app.now_ms());
    let late = sell_final(&s, &request(airtime.id, "0821234569", Some("11"))).await;
    assert!(late.state_text.contains("refunds it at 05h30"), "{}", late.state_text);
    s.clock.advance_ms(sast(2026, 12, 2, 9, 0) - s.app.now_ms());
    let day1 = s.app.reconcile(&s.manager, day, day).await.unwrap();
    assert!(day1.clean, "{day1:#?}");
    let day2 = s.app.reconcile(&s.manager, "2026-12-02", "2026-12-02").await.unwrap();
    assert!(day2.clean, "{day2:#?}");
    assert_eq!(day2.mismatches.iter().map(|m| (m.kind, m.sale_id)).collect::<Vec<_>>(), vec![(crate::MismatchKind::Refunded, Some(late.id))]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quiet_day_between_busy_days_reconciles_clean_with_every_provider() {
    let s = shop_at(sast(2026, 12, 1, 9, 0)).await;
    s.app.set_listener(&s.manager, true, Some("127.0.0.1"), Some(0), None).await.unwrap();
    s.app.set_route(&s.manager, "MTN/pinned/voucher", &["aat".into()]).unwrap();
    let c = s.app.catalog(&s.cashier, false).await.unwrap();
    let vod = product(&c, "Vodacom", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    let mtn_r5 = product(&c, "MTN", crate::ProductKind::Voucher, |p| p.fixed.map(|m| m.minor) == Some(500));
    let busy_day = |n: u32| {
        let s = &s;
        async move {
            sell_final(s, &request(vod.id, &format!("08212345{n:02}"), Some("15"))).await;
            let aat = sell_final(s, &request(mtn_r5.id, &format!("08312345{n:02}"), None)).await;
            assert_eq!((aat.provider.as_str(), aat.state), ("aat", SaleState::Succeeded));
            let uk = s
                .app
                .sell_uk_credit(&s.cashier, &UkCreditRequest { request_id: uuid::Uuid::new_v4().to_string(), recipient: "07700 900000".into(), amount: "5".into(), override_pin: None })
                .await
                .unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
            // Settled and its notification kept: the books are checked against what MX sent.
            let kept = |id: i64| s.app.notifications(&s.manager, false).unwrap().iter().any(|n| n.sale_id == Some(id) && n.state == "confirmed");
            while s.app.sale(&s.cashier, uk.id).unwrap().state != SaleState::Succeeded || !kept(uk.id) {
                assert!(std::time::Instant::now() < deadline, "MX's notification did not come");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    };
    busy_day(1).await;
    s.clock.advance_ms(2 * DAY);
    busy_day(3).await;
    for (date, sold) in [("2026-12-01", 1), ("2026-12-02", 0), ("2026-12-03", 1)] {
        for provider in ["smartcall", "aat", "mx"] {
            let r = s.app.reconcile_with(&s.manager, provider, date, date).await.unwrap();
            assert!(r.clean, "{provider} {date}: {r:#?}");
            let till: i64 = r.networks.iter().map(|n| n.till_count).sum();
            let theirs: i64 = r.networks.iter().map(|n| n.provider_count).sum();
            assert_eq!((till, theirs), (sold, sold), "{provider} {date}: {r:#?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_does_not_wait_for_a_provider_that_is_slow_to_say_its_wallet() {
    let s = shop_at(sast(2026, 12, 1, 9, 0)).await;
    let c = s.app.catalog(&s.cashier, false).await.unwrap();
    let airtime = product(&c, "Vodacom", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    sell_final(&s, &request(airtime.id, "0821234567", Some("15"))).await;
    let after_sale = Money4::zar(airtill_sandbox::smartcall::TRAINING_WALLET_CENTS * 100 - 141_750);
    smartcall(&s).inject("GET", "/smartload/balance", airtill_sandbox::Fault::Delay(std::time::Duration::from_secs(8)));
    // The X never asks: its figures and the wallet as Smartcall gave it with the last sale.
    let started = std::time::Instant::now();
    let x = s.app.x_report(&s.manager).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "the X waited {:?}", started.elapsed());
    assert_eq!(x.sold[0].count, 1);
    let w = x.wallets.iter().find(|w| w.provider == "smartcall").unwrap();
    assert_eq!((w.closing, w.closing_source.as_str()), (Some(after_sale), "the provider's answer to the last sale"));
    // Asked now, every provider at once: the slow one is named at the deadline, the
    // other answers.
    let started = std::time::Instant::now();
    let wallets = s.app.report_wallets(&s.manager).await.unwrap();
    let took = started.elapsed();
    assert!(took >= crate::office::WALLET_DEADLINE && took < crate::office::WALLET_DEADLINE * 2, "asked for {took:?}");
    let w = wallets.iter().find(|w| w.provider == "smartcall").unwrap();
    assert!(w.closing_source.contains("did not answer in time"), "{w:?}");
    assert_eq!(w.closing, Some(after_sale));
    let aat = wallets.iter().find(|w| w.provider == "aat").unwrap();
    assert_eq!(aat.closing_source, "asked the provider now", "the other provider answered at the same time");
    // A reading by the header stands in the next X, with its time.
    let header = s.app.wallets(&s.cashier).await.unwrap();
    assert_eq!(header[0].balance, Some(after_sale));
    let x = s.app.x_report(&s.manager).await.unwrap();
    let w = x.wallets.iter().find(|w| w.provider == "smartcall").unwrap();
    assert!(w.closing_source.starts_with("asked the provider at 2026/12/01 09:"), "the shop's time, whatever the machine's zone: {w:?}");
    // The Z asks too, under the same deadline, and keeps what it got.
    smartcall(&s).inject("GET", "/smartload/balance", airtill_sandbox::Fault::Delay(std::time::Duration::from_secs(8)));
    let started = std::time::Instant::now();
    let z = s.app.z_report(&s.manager).await.unwrap();
    assert!(started.elapsed() < crate::office::WALLET_DEADLINE * 2, "the Z waited {:?}", started.elapsed());
    assert!(z.wallets.iter().find(|w| w.provider == "smartcall").unwrap().closing_source.contains("did not answer in time"));
}

/// Cash counted as South African notes and coins, largest first.
fn count_of(cents: i64) -> Vec<crate::DenominationCount> {
    let mut left = cents;
    crate::office::ZAR_DENOMINATIONS
        .iter()
        .map(|&d| {
            let pieces = left / d;
            left -= pieces * d;
            crate::DenominationCount { denomination: d, pieces }
        })
        .collect()
}

/// A month of shop days (`AIRTILL_BOOKS_DAYS`, 30 unless set) against the practice
/// providers on one clock: each day a float, sales with odd discounts (Vodacom 5.5%,
/// Telkom 7.125%, vouchers with the SMS's lower discount), a pinless sale the network
/// refuses and its refund, a cancelled recharge every second day, a voucher from stock,
/// AAT vouchers, a UK credit through MX, a voucher paid from a customer's mobile balance
/// in rupees; the drawer counted, a Z, and each provider reconciled for the day. Every
/// day balances to the provider's last decimal, every line explained; the month's
/// totals are printed side by side.
#[tokio::test(flavor = "multi_thread")]
async fn a_month_of_books_balances_every_day_to_the_providers_last_decimal() {
    let days: i64 = std::env::var("AIRTILL_BOOKS_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(30);
    let s = shop_at(sast(2026, 11, 1, 6, 0)).await;
    let (app, m, cashier) = (&s.app, &s.manager, &s.cashier);
    app.set_listener(m, true, Some("127.0.0.1"), Some(0), None).await.unwrap();
    app.set_route(m, "MTN/pinned/voucher", &["aat".into()]).unwrap();
    app.set_mobile_rate(m, Some("18.235")).unwrap();
    let c = app.catalog(cashier, false).await.unwrap();
    let vod_air = product(&c, "Vodacom", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    let tel_air = product(&c, "Telkom Mobile", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    let cellc_air = product(&c, "Cell C", crate::ProductKind::Airtime, |p| p.fixed.is_none());
    let vod_r12 = product(&c, "Vodacom", crate::ProductKind::Voucher, |p| p.fixed.map(|x| x.minor) == Some(1_200));
    let mtn_r5 = product(&c, "MTN", crate::ProductKind::Voucher, |p| p.fixed.map(|x| x.minor) == Some(500));
    let mtn_r12 = product(&c, "MTN", crate::ProductKind::Voucher, |p| p.fixed.map(|x| x.minor) == Some(1_200));
    // Stock for the month, bought on the first day.
    let order =
        app.buy_stock(m, &crate::StockOrderRequest { request_id: uuid::Uuid::new_v4().to_string(), provider: crate::ProviderId::Smartcall, product_id: vod_r12.id, quantity: days }).await.unwrap();
    assert_eq!((order.state.as_str(), order.received), ("received", days), "{order:?}");
    let ideamart = app._ideamart_sandbox.as_ref().unwrap();

    // Σ over the days: the Z's rand and pound sales; Smartcall's side of each day's
    // reconciliation, the till's and Smartcall's (value; cost where both know it).
    let (mut z_rand, mut z_rand_cost, mut z_pounds) = (0i64, 0i64, 0i64);
    let (mut till_value, mut till_cost, mut provider_value, mut provider_cost) = (0i64, 0i64, 0i64, 0i64);
    let (mut aat_count, mut mx_count, mut rupees) = (0i64, 0i64, 0i64);
    let (mut drawer, mut refunds_seen) = (0i64, 0usize);
    // Each day has its own shift, opened with a float below.
    if app.my_shift(cashier).unwrap().is_some() {
        app.close_shift(cashier, &[]).unwrap();
    }
    for day in 0..days {
        let date = sast_date(app.now_ms()).to_string();
        let at = |h: u32| {
            let d = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap();
            Johannesburg.from_local_datetime(&d.and_hms_opt(h, 0, 0).unwrap()).unwrap().timestamp_millis()
        };
        s.clock.advance_ms(at(7) - app.now_ms());
        app.open_shift(cashier, "500").unwrap();
        let to = |i: i64| format!("082{:03}{i:04}", day % 1000);
        let mut hour = 8;
        let mut next_hour = || {
            s.clock.advance_ms(at(hour) - app.now_ms());
            hour += 1;
        };
        next_hour();
        // The manager opens the day (yesterday's Z closed it): stock sells again.
        app.login(DEMO_MANAGER.1).unwrap();
        assert_eq!(sell_final(&s, &request(vod_air.id, &to(1), Some("15"))).await.state, SaleState::Succeeded);
        assert_eq!(sell_final(&s, &request(tel_air.id, &to(2), Some("20"))).await.state, SaleState::Succeeded);
        assert_eq!(sell_final(&s, &request(vod_r12.id, &to(3), None)).await.state, SaleState::Succeeded);
        next_hour();
        let refused = sell_final(&s, &request(vod_air.id, &to(4), Some("11"))).await;
        assert!(refused.state == SaleState::Failed && refused.state_text.contains("Smartcall took"), "{refused:?}");
        if day % 2 == 0 {
            smartcall(&s).set_queue_delay_ms(30 * MINUTE);
            let pending = app.sell(cashier, &request(cellc_air.id, &to(5), Some("25"))).await.unwrap();
            assert_eq!(pending.state, SaleState::Pending);
            assert_eq!(app.cancel_sale(cashier, pending.id, DEMO_MANAGER.1).await.unwrap().state, SaleState::Cancelled);
            smartcall(&s).set_queue_delay_ms(airtill_sandbox::smartcall::ASYNC_SETTLES_AFTER_MS);
        }
        next_hour();
        let stocked = app.sell_from_stock(cashier, &request(vod_r12.id, &to(6), None)).await.unwrap();
        assert_eq!((stocked.state, stocked.provider.as_str()), (SaleState::Succeeded, "stock"));
        let aat = sell_final(&s, &request(mtn_r5.id, &format!("083{:03}{:04}", day % 1000, 7), None)).await;
        assert_eq!((aat.state, aat.provider.as_str()), (SaleState::Succeeded, "aat"));
        next_hour();
        let uk =
            app.sell_uk_credit(cashier, &UkCreditRequest { request_id: uuid::Uuid::new_v4().to_string(), recipient: "07700 900000".into(), amount: "5".into(), override_pin: None }).await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while app.sale(cashier, uk.id).unwrap().state != SaleState::Succeeded {
            assert!(std::time::Instant::now() < deadline, "day {date}: MX's notification did not come");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        next_hour();
        let payer = format!("9477{:07}", 100_000 + day);
        let quote = app.mobile_quote(cashier, "12").unwrap();
        let payment = app.take_mobile_payment(cashier, &crate::MobilePaymentRequest { request_id: uuid::Uuid::new_v4().to_string(), subscriber: payer.clone(), amount: "12".into() }).await.unwrap();
        assert_eq!((payment.state.as_str(), payment.amount), ("succeeded", quote.charge));
        let paid = app.sell_paid_by_mobile(cashier, &request(mtn_r12.id, &format!("083{:03}{:04}", day % 1000, 8), None), payment.id).await.unwrap();
        assert_eq!(paid.state, SaleState::Succeeded);

        // 20h00: the drawer counted as it should hold, and the Z.
        s.clock.advance_ms(at(20) - app.now_ms());
        let shift = app.my_shift(cashier).unwrap().unwrap();
        let closed = app.close_shift(cashier, &count_of(shift.expected.minor)).unwrap();
        assert_eq!((closed.status.as_str(), closed.variance), ("balanced", Some(Money::zar(0))), "day {date}");
        drawer += closed.counted.unwrap().minor - closed.float.minor;
        let z = app.z_report(m).await.unwrap();
        let sc_wallet = z.wallets.iter().find(|w| w.provider == "smartcall").unwrap();
        assert_eq!(sc_wallet.closing.map(|w| w.e4), smartcall(&s).wallet_e4(TRAINING_SMARTLOAD_ID), "day {date}: the Z's wallet is Smartcall's, to the last decimal");
        for l in &z.sold {
            match l.value.currency {
                Currency::ZAR => {
                    z_rand += l.value.minor;
                    z_rand_cost += l.cost.e4;
                }
                Currency::GBP => z_pounds += l.value.minor,
                Currency::LKR => panic!("nothing is sold in rupees"),
            }
        }
        refunds_seen += z.refunds.len();

        // Late in the evening, after the day's refund runs: each provider reconciled.
        s.clock.advance_ms(at(23) + 59 * MINUTE - app.now_ms());
        let sc = app.reconcile(m, &date, &date).await.unwrap();
        assert!(sc.clean, "day {date}, Smartcall: {sc:#?}");
        assert!(sc.mismatches.iter().all(|x| x.kind.is_expected()), "day {date}: every line explained: {:#?}", sc.mismatches);
        assert!(sc.mismatches.iter().any(|x| x.kind == crate::MismatchKind::Refunded && x.sale_id == Some(refused.id)), "day {date}: the refused sale's refund is in the books");
        for n in &sc.networks {
            assert_eq!((n.till_count, n.till_value), (n.provider_count, n.provider_value), "day {date}, {}", n.network);
            till_value += n.till_value.e4;
            provider_value += n.provider_value.e4;
            if let (Some(t), Some(p)) = (n.till_cost, n.provider_cost) {
                assert_eq!(t, p, "day {date}, {}: cost to the last decimal", n.network);
                till_cost += t.e4;
                provider_cost += p.e4;
            }
        }
        let aat_r = app.reconcile_with(m, "aat", &date, &date).await.unwrap();
        assert!(aat_r.clean, "day {date}, AAT: {aat_r:#?}");
        aat_count += aat_r.networks[0].provider_count;
        let mx_r = app.reconcile_with(m, "mx", &date, &date).await.unwrap();
        assert!(mx_r.clean, "day {date}, MX: {mx_r:#?}");
        mx_count += mx_r.networks[0].provider_count;
        // Ideamart has no reconciliation: its ledger of the day is the payments taken.
        let taken: i64 = ideamart.ledger().iter().filter(|e| e.status == "S1000" && e.subscriber == payer).map(|e| e.amount).sum();
        assert_eq!(taken, payment.amount.minor, "day {date}: Ideamart took exactly the rupees shown");
        rupees += taken;
        // Overnight.
        s.clock.advance_ms(7 * HOUR);
    }
    println!("A month of books: {days} shop days");
    println!("{:<38}{:>16}{:>16}", "", "value", "cost");
    println!("{:<38}{:>16}{:>16}", "till, Z reports (rand, every provider)", Money::zar(z_rand).to_string(), Money4::zar(z_rand_cost).to_string());
    println!("{:<38}{:>16}", "till, Z reports (pounds, MX)", Money::new(z_pounds, Currency::GBP).to_string());
    println!("{:<38}{:>16}{:>16}", "till, as Smartcall counts it", Money4::zar(till_value).to_string(), Money4::zar(till_cost).to_string());
    println!("{:<38}{:>16}{:>16}", "Smartcall, its cashups", Money4::zar(provider_value).to_string(), Money4::zar(provider_cost).to_string());
    println!("{:<38}{:>16}", "AAT, successful sales it counted", aat_count);
    println!("{:<38}{:>16}", "MX, credits it confirmed", mx_count);
    println!("{:<38}{:>16}", "Ideamart, rupees it took", Money::new(rupees, Currency::LKR).to_string());
    println!("{:<38}{:>16}", "drawer, counted less floats", Money::zar(drawer).to_string());
    println!("{:<38}{:>16}", "refused sales, refunded by Smartcall", refunds_seen);
    assert_eq!((till_value, till_cost), (provider_value, provider_cost));
    assert_eq!(z_pounds, days * 500);
    assert_eq!(aat_count, 2 * days, "AAT: the R5 and the R12 paid by mobile, every day");
    assert_eq!(mx_count, days);
    // The drawer holds the cash sales: R15 + R20 + R12 + R12 (stock) + R5 (AAT) a day.
    assert_eq!(drawer, days * (1_500 + 2_000 + 1_200 + 1_200 + 500));
    assert_eq!(refunds_seen as i64, days, "each day's refused sale is in its Z as a refund");
}
