//! The office's figures against hand-computed fixtures.

use super::*;
use crate::report_export::{report_csv, report_lines, report_pdf};
use crate::{time, OpenOptions, DEMO_CASHIER, DEMO_MANAGER};
use airtill_domain::{Money4, SaleState};
use airtill_print::{Paper, Roll};
use airtill_store::{Outcome, SaleDetails};

async fn app() -> (Airtill, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    (app, dir)
}

/// Writes a sale straight into the ledger in the given final or open state.
fn sale(app: &Airtill, user: i64, network: &str, kind: &str, amount: i64, discount: i64, state: SaleState) -> i64 {
    let n = app.store().sale_count().unwrap() + 1;
    let d = SaleDetails {
        request_id: format!("fixture-{n}"),
        client_ref: uuid::Uuid::new_v4().to_string(),
        user_id: user,
        provider: "smartcall".into(),
        network_name: network.into(),
        product_id: 1,
        product_name: format!("{network} {kind}"),
        product_kind: kind.into(),
        pinned: kind == "voucher",
        recipient: format!("2783{n:07}"),
        amount_minor: amount,
        currency: Currency::ZAR,
        discount_e4: Some(discount),
    };
    let mut store = app.store();
    let now = time::now_ms();
    let (row, _) = store.create_sale_submitting(&d, now).unwrap();
    let o = Outcome { provider_ref: Some(format!("{}", 130_000_000 + n)), wallet_after_e4: Some(1_000_000 - n * 1_000), ..Default::default() };
    match state {
        SaleState::Succeeded | SaleState::Failed | SaleState::Pending | SaleState::InDoubt => {
            store.transition(row.id, SaleState::Submitting, state, &o, now).unwrap();
        }
        SaleState::Cancelled => {
            store.transition(row.id, SaleState::Submitting, SaleState::Pending, &o, now).unwrap();
            store.transition(row.id, SaleState::Pending, SaleState::Cancelled, &o, now).unwrap();
        }
        other => panic!("no fixture for {other:?}"),
    }
    row.id
}

/// A report line: value in cents, cost in ten-thousandths (exact).
fn line(key: &str, count: i64, value: i64, cost_e4: i64) -> ReportLine {
    ReportLine { key: key.into(), count, value: Money::zar(value), cost: Money4::zar(cost_e4), profit: Money4::zar(value * 100 - cost_e4) }
}

#[tokio::test(flavor = "multi_thread")]
async fn x_and_z_reports_add_up_to_hand_computed_figures_and_a_second_z_covers_only_what_came_after() {
    let (app, _d) = app().await;
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    let (m, c) = (manager.user_id, cashier.user_id);
    // R12.00 at 6%: cost R11.28. R29.00 at 5.5%: R29 less R1.595 is R27.405, exactly
    // (it was R27.41 in cents, a rounding at every sale).
    // R5.00 at 6% pending; R49.99 refused; R10.00 cancelled.
    sale(&app, c, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    sale(&app, c, "Vodacom", "airtime", 2_900, 55_000, SaleState::Succeeded);
    let pending = sale(&app, c, "MTN", "voucher", 500, 60_000, SaleState::Pending);
    sale(&app, c, "Cell C", "data", 4_999, 72_500, SaleState::Failed);
    sale(&app, m, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    sale(&app, c, "Telkom", "airtime", 1_000, 50_000, SaleState::Cancelled);

    let x = app.x_report(&manager).await.unwrap();
    assert_eq!(x.sold, vec![line("all", 3, 5_300, 499_650)]);
    assert_eq!(x.sold[0].profit.to_string(), "R3.035");
    assert_eq!(x.by_network, vec![line("MTN", 2, 2_400, 225_600), line("Vodacom", 1, 2_900, 274_050)]);
    assert_eq!(x.by_kind, vec![line("airtime", 1, 2_900, 274_050), line("voucher", 2, 2_400, 225_600)]);
    assert_eq!(x.by_cashier, vec![line("Lindiwe", 1, 1_200, 112_800), line("Thabo", 2, 4_100, 386_850)]);
    assert_eq!(x.by_provider, vec![line("smartcall", 3, 5_300, 499_650)]);
    assert_eq!(x.by_tender, vec![line("cash", 3, 5_300, 499_650)]);
    assert_eq!(x.by_hour.iter().map(|l| l.count).sum::<i64>(), 3);
    assert_eq!(x.failed, vec![ReportLine { key: "failed".into(), count: 1, value: Money::zar(4_999), cost: Money4::zar(0), profit: Money4::zar(0) }]);
    assert_eq!(x.money_note, crate::office::MONEY_NOTE);
    assert_eq!(x.unresolved.iter().map(|s| s.sale_id).collect::<Vec<_>>(), vec![pending]);
    assert_eq!(x.cancelled.len(), 1);
    assert_eq!(x.cancelled[0].amount, Money::zar(1_000));
    // The X never waits for a provider: the wallet as the last sale's answer left it.
    assert_eq!(x.wallets.len(), 1, "{:?}", x.wallets);
    assert_eq!((x.wallets[0].closing, x.wallets[0].closing_source.as_str()), (Some(Money4::zar(994_000)), "the provider's answer to the last sale"));
    // Asked now: both providers' wallets (Smartcall and, in training, AAT), at once.
    let wallets = app.report_wallets(&manager).await.unwrap();
    assert_eq!(wallets.len(), 2);
    assert!(wallets.iter().all(|w| w.closing_source == "asked the provider now"), "{wallets:?}");
    // An X changes nothing.
    assert!(app.z_numbers(&manager).unwrap().is_empty());

    let z1 = app.z_report(&manager).await.unwrap();
    assert_eq!(z1.z_no, Some(1));
    assert_eq!(z1.sold, x.sold);
    assert_eq!(app.z_report_by_no(&manager, 1).unwrap(), z1, "a Z reads back as produced");

    // After Z 1: the pending sale settles, and one more sale.
    {
        let mut store = app.store();
        store.transition(pending, SaleState::Pending, SaleState::Succeeded, &Outcome::default(), time::now_ms()).unwrap();
    }
    sale(&app, c, "Vodacom", "airtime", 2_900, 55_000, SaleState::Succeeded);
    let z2 = app.z_report(&manager).await.unwrap();
    assert_eq!(z2.z_no, Some(2));
    // 500 (cost R4.70) settled since Z 1, and 2900 (cost R27.405).
    assert_eq!(z2.sold, vec![line("all", 2, 3_400, 321_050)]);
    assert_eq!(z2.settled_since_last_z.iter().map(|s| (s.sale_id, s.state.as_str())).collect::<Vec<_>>(), vec![(pending, "succeeded")]);
    assert!(z2.unresolved.is_empty());
    assert!(z2.failed.is_empty() && z2.cancelled.is_empty());
    // The wallet opens where Z 1 closed.
    assert_eq!(z2.wallets[0].opening, z1.wallets[0].closing);
    // Z 1 is untouched and final.
    assert_eq!(app.z_report_by_no(&manager, 1).unwrap(), z1);
    assert_eq!(app.z_numbers(&manager).unwrap(), vec![1, 2]);
    let third = app.z_report(&manager).await.unwrap();
    assert!(third.sold.is_empty(), "a Z with nothing new sold is empty");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_period_report_covers_its_days_and_checks_its_dates() {
    let (app, _d) = app().await;
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let c = app.login_to_sell(DEMO_CASHIER.1).user_id;
    sale(&app, c, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    let today = time::local_date(time::now_ms());
    let r = app.period_report(&manager, &today, &today).unwrap();
    assert_eq!(r.sold, vec![line("all", 1, 1_200, 112_800)]);
    let yesterday = time::local_date(time::now_ms() - 86_400_000);
    assert!(app.period_report(&manager, &yesterday, &yesterday).unwrap().sold.is_empty());
    assert!(matches!(app.period_report(&manager, &today, &yesterday), Err(AppError::BadInput(_))));
    assert!(matches!(app.period_report(&manager, "23/11/2026", &today), Err(AppError::BadInput(m)) if m.contains("2026/11/23")));
}

#[tokio::test(flavor = "multi_thread")]
async fn shifts_record_the_variance_over_short_or_balanced_never_forced() {
    let (app, _d) = app().await;
    let cashier = app.login(DEMO_CASHIER.1).unwrap();
    let count = |pairs: &[(i64, i64)]| pairs.iter().map(|&(denomination, pieces)| DenominationCount { denomination, pieces }).collect::<Vec<_>>();

    // Balanced: float R500, a R12 sale; 2 x R200 + R100 + R10 + R2 = R512.
    let s = app.open_shift(&cashier, "500.00").unwrap();
    assert_eq!(s.float, Money::zar(50_000));
    assert!(matches!(app.open_shift(&cashier, "100"), Err(AppError::BadInput(_))), "one open shift");
    sale(&app, cashier.user_id, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    sale(&app, cashier.user_id, "MTN", "voucher", 900, 60_000, SaleState::Failed);
    assert_eq!(app.my_shift(&cashier).unwrap().unwrap().expected, Money::zar(51_200));
    let closed = app.close_shift(&cashier, &count(&[(20_000, 2), (10_000, 1), (1_000, 1), (200, 1)])).unwrap();
    assert_eq!((closed.expected, closed.counted, closed.variance, closed.status.as_str()), (Money::zar(51_200), Some(Money::zar(51_200)), Some(Money::zar(0)), "balanced"));
    assert_eq!(closed.counts.len(), 4);

    // Over by R1: float R100, R29 sold, R130 counted.
    app.open_shift(&cashier, "100").unwrap();
    sale(&app, cashier.user_id, "Vodacom", "airtime", 2_900, 55_000, SaleState::Succeeded);
    let over = app.close_shift(&cashier, &count(&[(10_000, 1), (2_000, 1), (1_000, 1)])).unwrap();
    assert_eq!((over.variance, over.status.as_str()), (Some(Money::zar(100)), "over"));

    // Short by R2.50: float R50, nothing sold, R47.50 counted.
    app.open_shift(&cashier, "50").unwrap();
    let short = app.close_shift(&cashier, &count(&[(2_000, 2), (500, 1), (200, 1), (50, 1)])).unwrap();
    assert_eq!((short.variance, short.status.as_str()), (Some(Money::zar(-250)), "short"));

    // Bad counts change nothing.
    app.open_shift(&cashier, "0").unwrap();
    for bad in [count(&[(300, 1)]), count(&[(500, 1), (500, 2)]), count(&[(500, -1)])] {
        assert!(matches!(app.close_shift(&cashier, &bad), Err(AppError::BadInput(_))));
    }
    assert!(app.my_shift(&cashier).unwrap().is_some(), "still open");
    assert!(matches!(app.open_shift(&cashier, "-5"), Err(AppError::BadInput(_))));
    assert!(matches!(app.open_shift(&cashier, "abc"), Err(AppError::BadInput(_))));

    // The Z lists every shift with its variance.
    let manager = app.login(DEMO_MANAGER.1).unwrap();
    let z = app.z_report(&manager).await.unwrap();
    let statuses: Vec<&str> = z.shifts.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(statuses, vec!["balanced", "over", "short", "open"]);
    assert!(z.cash_outside_shifts.is_empty());

    // A manager sees every open shift and closes a cashier's with her own count.
    assert!(matches!(app.open_shifts(&cashier), Err(AppError::Forbidden(_))));
    let open = app.open_shifts(&manager).unwrap();
    assert_eq!(open.iter().map(|s| s.cashier.as_str()).collect::<Vec<_>>(), vec![DEMO_CASHIER.0]);
    assert!(matches!(app.close_shift_of(&cashier, open[0].id, &[]), Err(AppError::Forbidden(_))));
    let closed = app.close_shift_of(&manager, open[0].id, &[]).unwrap();
    assert_eq!((closed.status.as_str(), closed.counted_by.as_deref()), ("balanced", Some(DEMO_MANAGER.0)));
    assert!(app.close_shift_of(&manager, open[0].id, &[]).unwrap_err().to_string().contains("already closed"));
    assert!(app.open_shifts(&manager).unwrap().is_empty());

    // Cash sold with no shift open (as older versions allowed) is listed on its own,
    // never dropped; a cash sale now is refused until the shift is open.
    std::thread::sleep(std::time::Duration::from_millis(5));
    sale(&app, cashier.user_id, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    let x = app.x_report(&manager).await.unwrap();
    assert_eq!(x.cash_outside_shifts.iter().map(|l| (l.count, l.value)).collect::<Vec<_>>(), vec![(1, Money::zar(1_200))]);
    let text = crate::report_export::report_lines(&x, airtill_print::Paper::A4).into_iter().map(|(_, _, l)| l).collect::<Vec<_>>().join("\n");
    assert!(text.contains("Cash sold outside any shift (1 sales"), "{text}");
    let req = crate::SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: 1, recipient: "0831234567".into(), amount: None, override_pin: None };
    assert!(matches!(app.sell(&cashier, &req).await, Err(AppError::NoShift)));
    assert!(app.store().sale_by_request(&req.request_id).unwrap().is_none(), "nothing stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cashier_is_refused_every_manager_command() {
    let (app, d) = app().await;
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    let forbidden = |r: std::result::Result<(), AppError>| assert!(matches!(r, Err(AppError::Forbidden(_))), "{r:?}");
    forbidden(app.x_report(&cashier).await.map(|_| ()));
    forbidden(app.z_report(&cashier).await.map(|_| ()));
    forbidden(app.period_report(&cashier, "2026-11-01", "2026-11-30").map(|_| ()));
    forbidden(app.z_report_by_no(&cashier, 1).map(|_| ()));
    forbidden(app.z_numbers(&cashier).map(|_| ()));
    forbidden(app.backup(&cashier, &d.path().join("b.db")));
    assert!(!d.path().join("b.db").exists());
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    assert!(app.z_numbers(&manager).unwrap().is_empty(), "the refused Z wrote nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_parses_back_to_the_same_figures_and_the_pdf_says_them() {
    let (app, d) = app().await;
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let c = app.login_to_sell(DEMO_CASHIER.1).user_id;
    sale(&app, c, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    sale(&app, c, "Vodacom", "airtime", 2_900, 55_000, SaleState::Succeeded);
    sale(&app, c, "MTN", "voucher", 500, 60_000, SaleState::InDoubt);
    let z = app.z_report(&manager).await.unwrap();

    let text = report_csv(&z);
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let mut by_network = Vec::new();
    let mut sold = Vec::new();
    let mut unresolved = 0;
    for rec in rd.records() {
        let rec = rec.unwrap();
        let money = |i: usize| Money::parse(&rec[i], Currency::ZAR).unwrap();
        let exact = |i: usize| Money4::parse(&rec[i], Currency::ZAR).unwrap();
        match &rec[0] {
            "network" => by_network.push(ReportLine { key: rec[1].to_string(), count: rec[2].parse().unwrap(), value: money(3), cost: exact(4), profit: exact(5) }),
            "sold" => sold.push(ReportLine { key: rec[1].to_string(), count: rec[2].parse().unwrap(), value: money(3), cost: exact(4), profit: exact(5) }),
            "unresolved" => unresolved += 1,
            _ => {}
        }
    }
    assert_eq!(by_network, z.by_network);
    assert_eq!(sold, z.sold);
    assert_eq!(unresolved, 1);

    // The PDF's text, read back by pdftotext, holds the figures.
    for (a4, name) in [(true, "z.pdf"), (false, "z80.pdf")] {
        let pdf = report_pdf(&z, a4);
        assert!(pdf.starts_with(b"%PDF-"));
        let path = d.path().join(name);
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext").args(["-layout", path.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils) is installed by make");
        let text = String::from_utf8_lossy(&out.stdout);
        for want in ["Z REPORT 1", "R41.00", "R38.685", "R2.315", "Vodacom", "PENDING AND IN DOUBT", "in doubt", "Vouchers", "Smartcall", "Cash", "TRAINING"] {
            assert!(text.to_uppercase().contains(&want.to_uppercase()), "{name}: missing {want} in\n{text}");
        }
        // The A4 Z has the screen's charts on its first page, under the heading; the
        // roll has no room for them.
        let first_page = text.split('\u{c}').next().unwrap_or_default();
        assert_eq!(first_page.contains("Sales by hour") && first_page.contains("By cashier"), a4, "{name}:\n{text}");
    }
    // The charts are the report's own figures: every hour of the shop's day, the
    // networks and cashiers with their values in cents.
    let charts = crate::report_export::report_charts(&z);
    assert_eq!(charts.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), ["Sales by hour", "By network", "By cashier"]);
    let hours = &charts[0];
    assert!(hours.labels.first().is_some_and(|l| l.as_str() <= "07:00") && hours.labels.last().is_some_and(|l| l.as_str() >= "19:00"), "{:?}", hours.labels);
    assert_eq!(hours.values.iter().sum::<i64>(), 4_100, "the hours hold the day's sales, R41.00");
    assert_eq!(charts[1].labels, z.by_network.iter().map(|l| l.key.clone()).collect::<Vec<_>>());
    assert_eq!(charts[1].values, z.by_network.iter().map(|l| l.value.minor).collect::<Vec<_>>());
    assert_eq!(charts[2].values.iter().sum::<i64>(), 4_100);
    // Lines fit their paper.
    for paper in [Paper::A4, Paper::Roll(Roll::Mm80)] {
        for (style, _, l) in report_lines(&z, paper) {
            assert!(l.chars().count() <= paper.chars_per_line(style).max(8), "{paper:?}: {l}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_then_restore_gives_the_same_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let opts = OpenOptions { data_dir: dir.path().to_path_buf() };
    let out = dir.path().join("backup.db");
    let before = {
        let app = Airtill::open(opts.clone()).await.unwrap();
        let manager = app.login_to_sell(DEMO_MANAGER.1);
        let c = app.login_to_sell(DEMO_CASHIER.1).user_id;
        sale(&app, c, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
        sale(&app, c, "Vodacom", "airtime", 2_900, 55_000, SaleState::Pending);
        app.backup(&manager, &out).unwrap();
        assert!(matches!(app.backup(&manager, &out), Err(AppError::BadInput(_))), "never over an existing file");
        // A sale after the backup is not in it.
        sale(&app, c, "MTN", "voucher", 500, 60_000, SaleState::Succeeded);
        let ledger: Vec<_> = app.store().all_sales().unwrap().into_iter().map(|s| (s.id, s.details.client_ref, s.state, s.details.amount_minor)).collect();
        app.shutdown().await;
        ledger
    };
    let target = dir.path().join("airtill.db");
    let kept = airtill_store::Store::restore(&out, &target, 1).unwrap();
    assert!(kept.exists(), "the replaced ledger is kept aside");
    let restored: Vec<_> = airtill_store::Store::open(&target).unwrap().all_sales().unwrap().into_iter().map(|s| (s.id, s.details.client_ref, s.state, s.details.amount_minor)).collect();
    assert_eq!(restored, before[..2].to_vec());
    // Not a backup: refused, nothing replaced.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    assert!(airtill_store::Store::restore(&junk, &target, 2).is_err());
    assert_eq!(airtill_store::Store::open(&target).unwrap().all_sales().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_passes_a_sound_till_and_names_a_broken_z_chain() {
    let (app, _d) = app().await;
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    assert!(matches!(app.doctor(&cashier).await, Err(AppError::Forbidden(_))));
    sale(&app, cashier.user_id, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    app.z_report(&manager).await.unwrap();
    let checks = app.doctor(&manager).await.unwrap();
    let status = |name: &str| checks.iter().find(|c| c.name == name).unwrap().status;
    use crate::doctor::CheckStatus;
    for name in ["database integrity", "durability", "Z reports", "unresolved sales", "provider reachable", "provider credentials"] {
        assert_eq!(status(name), CheckStatus::Ok, "{name}: {checks:?}");
    }
    assert_eq!(status("receipt printer"), CheckStatus::Warning);
    // A Z written past the chain (as by hand in the file) is named.
    let z = airtill_store::ZRow { till_id: String::new(), z_no: 2, after_sale_id: 1, upto_sale_id: 1, from_ms: 0, produced_ms: 0, produced_by: manager.user_id, body: "{}".into() };
    app.store().save_z(&z).unwrap();
    let z3 = airtill_store::ZRow { z_no: 3, after_sale_id: 1, ..z };
    app.store().save_z(&z3).unwrap();
    let checks = app.doctor(&manager).await.unwrap();
    assert_eq!(checks.iter().find(|c| c.name == "Z reports").unwrap().status, CheckStatus::Ok, "a chain of empty Zs is sound");
    // A Z slipped into the file by hand, skipping a number, is named.
    let raw = rusqlite::Connection::open(app.ledger_path()).unwrap();
    raw.execute("INSERT INTO z_reports (till_id, z_no, after_sale_id, upto_sale_id, from_ms, produced_ms, produced_by, body) VALUES ('T1', 5, 1, 1, 0, 0, 1, '{}')", []).unwrap();
    let checks = app.doctor(&manager).await.unwrap();
    let z = checks.iter().find(|c| c.name == "Z reports").unwrap();
    assert_eq!(z.status, CheckStatus::Failed);
    assert!(z.detail.contains("Z 5"), "{}", z.detail);
}

#[tokio::test(flavor = "multi_thread")]
async fn sensitive_actions_are_on_the_audit_trail_and_doctor_finds_a_changed_line() {
    let (app, d) = app().await;
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    assert!(matches!(app.login("9999"), Err(AppError::WrongPin)));
    let s = sale(&app, cashier.user_id, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
    app.log_reprint(&cashier, s, Some(manager.user_id)).unwrap();
    app.add_user(&manager, "Zanele", "cashier", "4821").unwrap();
    app.z_report(&manager).await.unwrap();
    app.backup(&manager, &d.path().join("b.db")).unwrap();
    let actions: Vec<String> = app.store().audit_between(0, i64::MAX).unwrap().into_iter().map(|a| a.action).collect();
    for want in ["login", "login_failed", "reprint", "user_added", "z_report", "backup"] {
        assert!(actions.iter().any(|a| a == want), "{want} not in {actions:?}");
    }
    use crate::doctor::CheckStatus;
    let audit = |checks: Vec<crate::doctor::Check>| checks.into_iter().find(|c| c.name == "audit trail").unwrap();
    assert_eq!(audit(app.doctor(&manager).await.unwrap()).status, CheckStatus::Ok);
    // Someone edits a line with the sqlite3 tool.
    let raw = rusqlite::Connection::open(app.ledger_path()).unwrap();
    raw.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'nothing happened' WHERE action = 'reprint';").unwrap();
    let c = audit(app.doctor(&manager).await.unwrap());
    assert_eq!(c.status, CheckStatus::Failed);
    assert!(c.detail.contains("reprint") && c.detail.contains("changed"), "{}", c.detail);
    // A sale removed by hand leaves a gap in the receipt numbers.
    sale(&app, cashier.user_id, "MTN", "voucher", 500, 60_000, SaleState::Succeeded);
    let receipts = |checks: Vec<crate::doctor::Check>| checks.into_iter().find(|c| c.name == "receipt numbers").unwrap();
    assert_eq!(receipts(app.doctor(&manager).await.unwrap()).status, CheckStatus::Ok);
    raw.execute_batch("PRAGMA foreign_keys = OFF; DROP TRIGGER sales_no_delete; DELETE FROM sales WHERE receipt_no = 1;").unwrap();
    let c = receipts(app.doctor(&manager).await.unwrap());
    assert_eq!(c.status, CheckStatus::Failed);
    assert!(c.detail.contains("000001"), "{}", c.detail);
}

/// A Z stored by Airtill before amounts were kept to four decimals (its costs and
/// wallets in cents) reads back with the same figures, forever: a shop's old Zs are
/// its books.
#[test]
fn a_z_stored_before_four_decimals_reads_back_with_the_same_figures() {
    let text = include_str!("../tests/fixtures/z-report-before-four-decimals.json");
    let z: Report = serde_json::from_str(text).expect("an old Z is readable");
    assert_eq!((z.kind, z.z_no), (ReportKind::Z, Some(7)));
    assert_eq!(z.sold[0].value, Money::zar(4_100));
    assert_eq!((z.sold[0].cost, z.sold[0].profit), (Money4::zar(386_900), Money4::zar(23_100)));
    assert_eq!(z.by_network[1].cost.to_string(), "R27.41", "kept as it was printed then");
    assert_eq!(z.wallets[0].closing, Some(Money4::zar(999_613_100)));
    assert_eq!(z.unresolved[0].sale_id, 3, "the next Z carries its unresolved sales");
    assert!(z.refunds.is_empty() && z.money_note.is_empty());
    // And prints.
    assert!(report_pdf(&z, true).starts_with(b"%PDF-"));
}

/// A Z of record version 1, written by this version and committed: read by every later
/// Airtill with the same figures. `AIRTILL_WRITE_FIXTURES=1` writes it again (only for a
/// new record version: an existing fixture is never rewritten).
#[tokio::test(flavor = "multi_thread")]
async fn a_z_of_record_version_1_reads_back_with_the_same_figures_forever() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/z-record-v1.json");
    if std::env::var_os("AIRTILL_WRITE_FIXTURES").is_some() && !path.exists() {
        let (app, _d) = app().await;
        let manager = app.login_to_sell(DEMO_MANAGER.1);
        let c = app.login_to_sell(DEMO_CASHIER.1).user_id;
        sale(&app, c, "MTN", "voucher", 1_200, 60_000, SaleState::Succeeded);
        sale(&app, c, "Vodacom", "airtime", 2_900, 55_000, SaleState::Succeeded);
        sale(&app, c, "MTN", "voucher", 500, 60_000, SaleState::Pending);
        app.z_report(&manager).await.unwrap();
        std::fs::write(&path, app.store().z_report(1).unwrap().unwrap().body).unwrap();
    }
    let body = std::fs::read_to_string(&path).expect("the committed fixture");
    assert!(body.starts_with(r#"{"record":"z","report":"#) || body.contains(r#""version":1"#), "a versioned record");
    let z = ZRow { till_id: "T".into(), z_no: 1, after_sale_id: 0, upto_sale_id: 3, from_ms: 0, produced_ms: 0, produced_by: 1, body };
    let r = crate::office::z_from_record(&z).unwrap();
    assert_eq!((r.kind, r.z_no), (ReportKind::Z, Some(1)));
    assert_eq!(r.sold, vec![line("all", 2, 4_100, 386_850)]);
    assert_eq!(r.by_network, vec![line("MTN", 1, 1_200, 112_800), line("Vodacom", 1, 2_900, 274_050)]);
    assert_eq!(r.unresolved.len(), 1);
    assert_eq!(r.money_note, crate::office::MONEY_NOTE);
    // A record from a newer Airtill is refused in plain words, not misread.
    let newer = ZRow { body: r#"{"record":"z","version":99,"report":{}}"#.into(), ..z };
    assert!(matches!(crate::office::z_from_record(&newer), Err(AppError::Io(m)) if m.contains("newer Airtill")));
}
