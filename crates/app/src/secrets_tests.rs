//! After a day of training sales, nothing in the data folder or the logs shows a
//! voucher PIN, a provider password or an access token.

use super::*;
use crate::views::SmartcallSettingsInput;

fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_pin_password_or_token_is_at_rest_after_a_day_of_sales() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let guard = logging::init(Some(&logs), "warn");
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    let cashier = app.login_to_sell(DEMO_CASHIER.1);
    let manager = app.login_to_sell(DEMO_MANAGER.1);
    let catalog = app.catalog(&cashier, false).await.unwrap();
    let vouchers: Vec<i64> = catalog.networks.iter().flat_map(|n| n.groups.iter().flat_map(|g| g.products.iter())).filter(|p| p.pinned && p.fixed.is_some()).map(|p| p.id).take(6).collect();
    let mut sold = 0;
    for i in 0..30 {
        let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: vouchers[i % vouchers.len()], recipient: format!("083 555 {:04}", i), amount: None, override_pin: None };
        if app.sell(&cashier, &req).await.unwrap().voucher_pin.is_some() {
            sold += 1;
        }
    }
    assert!(sold >= 25, "{sold} vouchers sold");
    // A manager saves a live account with a password, and tests it (refused: the
    // sandbox knows only the training account).
    let password = "Pw-unique-7731-secret";
    let base = app._sandbox.as_ref().unwrap().base_url();
    // (Saved as the account's settings of this practice till: a practice till never
    // becomes a live shop, but it keeps an account's settings and sealed password.)
    let input = SmartcallSettingsInput { mode: "training".into(), base_url: base, username: "shop1".into(), password: Some(password.into()), smartload_id: "082 000 0001".into(), timeout_seconds: 30 };
    let _ = app.test_smartcall_settings(&manager, &input).await;
    app.save_smartcall_settings(&manager, &input).unwrap();
    app.z_report(&manager).await.unwrap();
    let pins: Vec<String> = app._sandbox.as_ref().unwrap().ledger().iter().filter_map(|e| e.voucher_pin.clone()).collect();
    let tokens = app._sandbox.as_ref().unwrap().issued_tokens();
    assert!(pins.len() >= 25 && !tokens.is_empty());
    app.shutdown().await;
    drop(app);
    drop(guard);

    let mut files = Vec::new();
    files_under(dir.path(), &mut files);
    let log_bytes: usize = files.iter().filter(|f| f.starts_with(&logs)).filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len() as usize).sum();
    assert!(log_bytes > 0, "the day left a log to search");
    for f in files.iter().filter(|f| !f.ends_with("credentials.key")) {
        // SQLite removes its -wal and -shm files when the last connection closes,
        // which a background task may do just now: a file gone holds nothing.
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("{}: {e}", f.display()),
        };
        for pin in &pins {
            assert!(!contains(&bytes, pin), "a voucher PIN is in {}", f.display());
        }
        assert!(!contains(&bytes, password), "the password is in {}", f.display());
        for t in &tokens {
            assert!(!contains(&bytes, t), "an access token is in {}", f.display());
        }
    }
}

/// One key source for the life of a till: keys kept in the keyring are never replaced
/// by a new file key when the keyring does not answer, and a ledger holding sealed
/// PINs never starts with a new key (its PINs would print as blanks).
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_key_is_said_and_never_replaced_by_a_second_one() {
    let dir = tempfile::tempdir().unwrap();
    let opts = crate::OpenOptions { data_dir: dir.path().to_path_buf() };
    {
        let app = Airtill::open(opts.clone()).await.unwrap();
        let s = app.login_to_sell(crate::DEMO_CASHIER.1);
        let req = crate::SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: mtn_r12(&app, &s).await, recipient: "0831234567".into(), amount: None, override_pin: None };
        assert_eq!(app.sell(&s, &req).await.unwrap().state, airtill_domain::SaleState::Succeeded);
        app.shutdown().await;
    }
    // The key's files gone (a copied ledger, a lost keyring): the start refuses.
    let kept: Vec<(std::path::PathBuf, Vec<u8>)> = ["credentials.key", "credentials.enc"].iter().map(|f| dir.path().join(f)).map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect();
    for (p, _) in &kept {
        std::fs::remove_file(p).unwrap();
    }
    let e = Airtill::open(opts.clone()).await.err().expect("refused");
    assert!(e.to_string().contains("no second key"), "{e}");
    assert!(!dir.path().join("credentials.key").exists(), "no new key was made");
    // Put back, it opens and the PIN reads again.
    for (p, bytes) in &kept {
        std::fs::write(p, bytes).unwrap();
    }
    let app = Airtill::open(opts.clone()).await.unwrap();
    let s = app.login(crate::DEMO_CASHIER.1).unwrap();
    assert!(app.sales_today(&s).unwrap()[0].voucher_pin.is_some());
    app.shutdown().await;
    drop(app);
    // Keys that were in the keyring, and a session whose keyring does not answer.
    std::fs::write(dir.path().join("credentials.vault"), "os").unwrap();
    let e = Airtill::open(opts).await.err().expect("refused");
    assert!(e.to_string().contains("keyring") && e.to_string().contains("no second key"), "{e}");
}

async fn mtn_r12(app: &Airtill, s: &crate::Session) -> i64 {
    let c = app.catalog(s, false).await.unwrap();
    c.networks.iter().filter(|n| n.name == "MTN").flat_map(|n| n.groups.iter()).flat_map(|g| g.products.iter()).find(|p| p.name == "MTN Airtime R12").unwrap().id
}
