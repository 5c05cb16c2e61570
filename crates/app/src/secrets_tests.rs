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

fn doctor_says(checks: &[crate::Check], name: &str) -> (crate::CheckStatus, String) {
    let c = checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name} check: {checks:?}"));
    (c.status, c.detail.clone())
}

/// Issue 18's attack on the books: an audit line deleted and the chain recomputed from
/// the ledger alone (as plain SHA-256 was) no longer verifies; a chain recomputed even
/// with the right key before a Z no longer meets the head that Z printed.
#[tokio::test(flavor = "multi_thread")]
async fn an_audit_trail_recomputed_without_the_key_or_under_a_z_is_caught() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let opts = crate::OpenOptions { data_dir: dir.path().to_path_buf() };
    let app = Airtill::open(opts.clone()).await.unwrap();
    let m = app.login(crate::DEMO_MANAGER.1).unwrap();
    let z = app.z_report(&m).await.unwrap();
    let head = z.audit_head.clone().expect("a Z keeps the chain head");
    assert!(head.contains(":k1:"), "{head}");
    assert_eq!(app.z_report_by_no(&m, 1).unwrap().audit_head.as_deref(), Some(head.as_str()));
    let lines = crate::report_export::report_lines(&z, airtill_print::Paper::A4);
    assert!(lines.iter().any(|(_, _, t)| t.starts_with("Audit trail at close: line")), "{lines:?}");
    let _ = app.login(crate::DEMO_CASHIER.1).unwrap();
    let ok = app.doctor(&m).await.unwrap();
    assert_eq!(doctor_says(&ok, "audit trail").0, crate::CheckStatus::Ok, "{ok:?}");
    assert_eq!(doctor_says(&ok, "Z and the audit trail").0, crate::CheckStatus::Ok);
    app.shutdown().await;
    drop(app);

    // The attacker: delete the cashier's login line, rechain every row as plain
    // SHA-256 (what anyone with the file could do before).
    let db = rusqlite::Connection::open(dir.path().join("airtill.db")).unwrap();
    let victim: i64 = db.query_row("SELECT MAX(id) FROM audit WHERE action = 'login'", [], |r| r.get(0)).unwrap();
    db.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;").unwrap();
    db.execute("DELETE FROM audit WHERE id = ?1", [victim]).unwrap();
    let rows: Vec<(i64, i64, String, Option<i64>, String, String)> = {
        let mut st = db.prepare("SELECT id, at_ms, till_id, user_id, action, detail FROM audit ORDER BY id").unwrap();
        let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap();
        r.map(|x| x.unwrap()).collect()
    };
    let mut prev = "0".repeat(64);
    for (i, (id, at, till, user, action, detail)) in rows.iter().enumerate() {
        let new_id = i as i64 + 1;
        let mut h = Sha256::new();
        for part in [prev.clone(), new_id.to_string(), at.to_string(), till.clone(), user.map(|u| u.to_string()).unwrap_or_default(), action.clone(), detail.clone()] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        db.execute("UPDATE audit SET id = ?2, prev_hash = ?3, hash = ?4 WHERE id = ?1", rusqlite::params![id, new_id, prev, hash]).unwrap();
        prev = hash;
    }
    db.execute("UPDATE sqlite_sequence SET seq = (SELECT MAX(id) FROM audit) WHERE name = 'audit'", []).unwrap();
    drop(db);

    let app = Airtill::open(opts).await.unwrap();
    let m = app.login(crate::DEMO_MANAGER.1).unwrap();
    let caught = app.doctor(&m).await.unwrap();
    let (status, detail) = doctor_says(&caught, "audit trail");
    assert_eq!(status, crate::CheckStatus::Failed, "{detail}");
    let (status, detail) = doctor_says(&caught, "Z and the audit trail");
    assert_eq!(status, crate::CheckStatus::Failed, "{detail}");
    assert!(detail.contains("Z 1"), "{detail}");
    app.shutdown().await;
}

/// A person's role changed in the file (its trigger dropped first) is caught against
/// the line that added them.
#[tokio::test(flavor = "multi_thread")]
async fn a_role_changed_outside_airtill_is_caught_by_doctor() {
    let sb = airtill_sandbox::SmartcallSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    crate::test_live::shop(dir.path(), &sb.base_url(), "").await;
    let opts = crate::OpenOptions { data_dir: dir.path().to_path_buf() };
    let app = Airtill::open(opts.clone()).await.unwrap();
    let m = app.login(crate::test_live::MANAGER_PIN).unwrap();
    let before = app.doctor(&m).await.unwrap();
    assert_eq!(doctor_says(&before, "people's roles").0, crate::CheckStatus::Ok, "{before:?}");
    app.shutdown().await;
    drop(app);
    let db = rusqlite::Connection::open(dir.path().join("airtill.db")).unwrap();
    assert!(db.execute("UPDATE users SET role = 'manager' WHERE name = 'Sipho'", []).is_err(), "the trigger refuses");
    db.execute_batch("DROP TRIGGER users_role_is_fixed; UPDATE users SET role = 'manager' WHERE name = 'Sipho';").unwrap();
    drop(db);
    let app = Airtill::open(opts).await.unwrap();
    let m = app.login(crate::test_live::MANAGER_PIN).unwrap();
    let (status, detail) = doctor_says(&app.doctor(&m).await.unwrap(), "people's roles");
    assert_eq!(status, crate::CheckStatus::Failed);
    assert!(detail.contains("Sipho") && detail.contains("added as a cashier"), "{detail}");
    app.shutdown().await;
}
