//! The real `airtill` command line, SIGKILLed from outside at random moments of the
//! writes that must be whole: a first start, a Z with its audit line, a backup. After
//! each kill the ledger is looked at as the next start finds it:
//! - first start: no shop, or the shop with its people (never a shop nobody can open),
//!   and the next start opens it and logs in;
//! - Z: every Z has its line on the audit trail and the chain of Zs has no gap;
//! - backup: a file under the backup's name is a whole, sound ledger, or there is none.
//!
//! - sales (a live configuration, Smartcall outliving the tills): sellers killed at
//!   random and right after Smartcall recorded, a second process started mid-sale; at
//!   the end both ledgers agree sale for sale.
//!
//! - stock orders and mobile payments (Smartcall and Ideamart outliving the tills):
//!   nothing ordered or taken twice, everything the providers have here once.
//!
//! `make test` runs 35 runs of each of the first three, 45 sales and 35 orders and
//! payments (185 runs, over 100 killed mid-way; the counts are printed);
//! `AIRTILL_OUTSIDE_KILLS=700` runs 3,500, over 2,000 of them killed mid-way.

use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn kills() -> usize {
    std::env::var("AIRTILL_OUTSIDE_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(35)
}

fn airtill(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_airtill"));
    c.arg("--data-dir").arg(dir).args(args).stdout(Stdio::null()).stderr(Stdio::null()).env("AIRTILL_DATA_DIR", dir);
    // Each command names its person (AIRTILL_USER), as a shop's scripts would: a login
    // killed mid-check counts as a wrong PIN for that person alone, and their next
    // right PIN clears it.
    let pin = args.iter().position(|a| *a == "--pin").and_then(|i| args.get(i + 1));
    let user = match pin.copied() {
        Some("2580") => Some("Lindiwe"),
        Some("1234") => Some("Thabo"),
        Some(OWNER_PIN) => Some("Thandi"),
        Some(CASHIER_PIN) => Some("Sipho"),
        _ => None,
    };
    if let Some(u) = user {
        c.env("AIRTILL_USER", u);
    }
    c
}

/// How long the command takes when nothing stops it (the window kills are spread over).
fn duration_of(dir: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let status = airtill(dir, args).status().unwrap();
    assert!(status.success(), "airtill {args:?} failed on its own");
    t.elapsed()
}

/// Runs the command and kills it with SIGKILL after a random part of `window`; true
/// when the kill came before it ended.
fn run_and_kill(dir: &Path, args: &[&str], window: Duration, rng: &mut impl Rng) -> bool {
    let mut child = airtill(dir, args).spawn().unwrap();
    let at = Duration::from_micros(rng.random_range(0..window.as_micros().max(1) as u64));
    let deadline = Instant::now() + at;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    killed
}

/// `(id, text)` rows of a query on the ledger.
fn rows(db: &Path, sql: &str) -> Vec<(i64, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    let mut st = c.prepare(sql).unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// The live shop's owner (manager) and cashier PINs.
const OWNER_PIN: &str = "582931";
const CASHIER_PIN: &str = "4829";

/// `airtill setup --live` against the Smartcall at `smartcall`, the owner's PIN given.
fn live_setup(dir: &Path, smartcall: &str) -> Command {
    let mut c = airtill(
        dir,
        &[
            "setup",
            "--live",
            "--shop-name",
            "Mama Thandi's Spaza",
            "--till",
            "T1",
            "--owner",
            "Thandi",
            "--smartcall-url",
            smartcall,
            "--smartcall-username",
            "training",
            "--smartload-id",
            "27820000001",
        ],
    );
    c.env("AIRTILL_SETUP_PIN", OWNER_PIN).env("AIRTILL_SMARTCALL_SETUP_PASSWORD", "training");
    c
}

/// A live shop set up by the real `airtill setup`, whose providers are the practice
/// ones running in this process (they outlive every till process): the owner, a
/// cashier with an open shift; `Some(url)` adds Ideamart.
fn live_shop(dir: &Path, smartcall: &str, ideamart: Option<&str>) {
    assert!(live_setup(dir, smartcall).status().unwrap().success(), "the live setup failed");
    if let Some(url) = ideamart {
        let path = dir.join("airtill.toml");
        let toml = std::fs::read_to_string(&path).unwrap() + &format!("[ideamart]\nbase_url = \"{url}\"\napplication_id = \"APP_000001\"\n");
        std::fs::write(path, toml).unwrap();
    }
    assert!(live(dir, &["people", "add", "--name", "Sipho", "--new-pin", CASHIER_PIN, "--pin", OWNER_PIN]).status().unwrap().success());
    assert!(live(dir, &["shift", "open", "0", "--pin", CASHIER_PIN]).status().unwrap().success());
}

/// A practice till made by `airtill setup --practice`.
fn practice(dir: &Path) {
    assert!(airtill(dir, &["setup", "--practice"]).status().unwrap().success());
}

/// `airtill` on a live configuration, its passwords given as the environment.
fn live(dir: &Path, args: &[&str]) -> Command {
    let mut c = airtill(dir, args);
    c.env("AIRTILL_SMARTCALL_PASSWORD", "training").env("AIRTILL_IDEAMART_PASSWORD", "training");
    c
}

/// The MTN R5 voucher's id (sold with the SMS), as the practice catalog lists it.
fn mtn_r5() -> String {
    airtill_sandbox::smartcall::catalog::products().into_iter().find(|p| p.network == "MTN" && p.name == "MTN Airtime R5" && p.sms).unwrap().id.to_string()
}

fn query_i64(db: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// First starts (`airtill setup`, practice and live by turns) killed at random: no
/// shop, or the whole shop with its people (two demo people in practice, the owner
/// alone live); after a kill before the commit the setup runs again and the people log in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_starts_killed_at_any_moment_leave_no_shop_or_a_whole_one() {
    let sb = airtill_sandbox::SmartcallSandbox::start().await.unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261202);
    let (practice_window, live_window) = {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let t = Instant::now();
        practice(a.path());
        let p = t.elapsed();
        let t = Instant::now();
        assert!(live_setup(b.path(), &sb.base_url()).status().unwrap().success());
        (p, t.elapsed())
    };
    let (mut killed, mut halfway) = (0, 0);
    for n in 0..kills() {
        let dir = tempfile::tempdir().unwrap();
        let is_live = n % 2 == 1;
        let mut child = if is_live { live_setup(dir.path(), &sb.base_url()) } else { airtill(dir.path(), &["setup", "--practice"]) }.spawn().unwrap();
        let window = if is_live { live_window } else { practice_window };
        let deadline = Instant::now() + Duration::from_micros(rng.random_range(0..window.as_micros().max(1) as u64));
        while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_micros(500));
        }
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        let db = dir.path().join("airtill.db");
        let whole = if is_live { 1 } else { 2 };
        if db.exists() && query_i64(&db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'shop'") == 1 {
            let shops = query_i64(&db, "SELECT COUNT(*) FROM shop");
            let people = query_i64(&db, "SELECT COUNT(*) FROM users");
            assert!((shops, people) == (0, 0) || (shops, people) == (1, whole), "a first start left {shops} shop(s) and {people} people");
            if shops == 0 {
                halfway += 1;
            }
        }
        // No shop: the till says to set it up, and the setup runs again.
        let shop = db.exists() && query_i64(&db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'shop'") == 1 && query_i64(&db, "SELECT COUNT(*) FROM shop") == 1;
        if !shop {
            let out = airtill(dir.path(), &["status"]).stderr(Stdio::piped()).output().unwrap();
            assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not set up"));
            let again = if is_live { live_setup(dir.path(), &sb.base_url()) } else { airtill(dir.path(), &["setup", "--practice"]) }.status().unwrap();
            assert!(again.success(), "the setup could not run again after a kill");
        }
        let pin = if is_live { OWNER_PIN } else { "1234" };
        let ok = live(dir.path(), &["sales", "--pin", pin]).status().unwrap();
        assert!(ok.success(), "the till could not be opened after a kill");
        if is_live {
            assert!(!live(dir.path(), &["sales", "--pin", "2580"]).status().unwrap().success(), "no demo people in a live shop");
        }
    }
    println!("first start: {killed} killed while running ({halfway} with the ledger made but no shop yet)");
    assert!(killed > 0, "no kill landed inside a first start");
}

#[test]
fn a_z_killed_at_any_moment_has_its_audit_line_and_the_chain_no_gap() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261203);
    let dir = tempfile::tempdir().unwrap();
    practice(dir.path());
    let window = duration_of(dir.path(), &["report", "--pin", "2580", "z"]);
    let mut killed = 0;
    for _ in 0..kills() {
        if run_and_kill(dir.path(), &["report", "--pin", "2580", "z"], window, &mut rng) {
            killed += 1;
        }
        let db = dir.path().join("airtill.db");
        let zs = query_i64(&db, "SELECT COUNT(*) FROM z_reports");
        let lines = query_i64(&db, "SELECT COUNT(*) FROM audit WHERE action = 'z_report'");
        assert_eq!(zs, lines, "every Z with its audit line");
        assert_eq!(query_i64(&db, "SELECT COALESCE(MAX(z_no), 0) FROM z_reports"), zs, "Z numbers without a gap");
    }
    let zs = query_i64(&dir.path().join("airtill.db"), "SELECT COUNT(*) FROM z_reports");
    println!("Z: {killed} killed while running; {zs} Zs made, each with its audit line");
    assert!(killed > 0);
    let ok = airtill(dir.path(), &["doctor", "--pin", "2580"]).output().unwrap();
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(!text.contains("Z chain") || text.lines().filter(|l| l.contains("Z chain")).all(|l| !l.contains("FAIL")), "{text}");
}

#[test]
fn a_backup_killed_at_any_moment_leaves_a_whole_backup_or_none() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261204);
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    practice(dir.path());
    let window = duration_of(dir.path(), &["backup", "--out", out.path().join("first.db").to_str().unwrap(), "--pin", "2580"]);
    let (mut killed, mut whole) = (0, 0);
    for i in 0..kills() {
        let target = out.path().join(format!("b-{i}.db"));
        if run_and_kill(dir.path(), &["backup", "--out", target.to_str().unwrap(), "--pin", "2580"], window, &mut rng) {
            killed += 1;
        }
        if target.exists() {
            let c = rusqlite::Connection::open_with_flags(&target, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
            let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(ok, "ok", "{} is not whole", target.display());
            let shops: i64 = c.query_row("SELECT COUNT(*) FROM shop", [], |r| r.get(0)).unwrap();
            assert_eq!(shops, 1, "a backup holds the shop");
            whole += 1;
        }
    }
    println!("backup: {killed} killed while running; {whole} whole backups, no file half written under a backup's name");
    assert!(killed > 0);
}

/// Sales through the real `airtill` binary on a live configuration whose Smartcall (the
/// practice one, in this process) outlives every till process: sellers SIGKILLed at
/// random moments, often right after Smartcall recorded the sale, and now and then a
/// second `airtill` started while a sale is in flight (it must leave the sale to its
/// sender, who shows the PIN). At the end every sale is asked about until final:
/// Smartcall's ledger and the till's agree sale for sale, nothing lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_killed_from_outside_and_a_second_process_mid_sale_lose_nothing_and_double_nothing() {
    use airtill_sandbox::{Fault, SmartcallSandbox};
    let sb = SmartcallSandbox::start().await.unwrap();
    // Half the sales answer 200 ms after Smartcall recorded them: a wide window.
    sb.set_random_faults(50, 20261205, vec![Fault::Delay(Duration::from_millis(200))]);
    let dir = tempfile::tempdir().unwrap();
    live_shop(dir.path(), &sb.base_url(), None);
    let voucher = mtn_r5();
    let live = |args: &[&str]| live(dir.path(), args);
    assert!(live(&["status"]).status().unwrap().success());
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261205);
    let (mut killed, mut after_record, mut second) = (0, 0, 0);
    for n in 0..kills() + 10 {
        let to = format!("0831{n:06}");
        let recorded = sb.ledger_len();
        let mut seller = live(&["sell", "--pin", CASHIER_PIN, "--product", &voucher, "--to", &to]).stdout(Stdio::piped()).spawn().unwrap();
        if n % 4 == 3 {
            // A second process while the sale is out: wait until Smartcall has it.
            let deadline = Instant::now() + Duration::from_secs(10);
            while sb.ledger_len() == recorded && Instant::now() < deadline && seller.try_wait().unwrap().is_none() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            assert!(live(&["sales", "--pin", CASHIER_PIN]).status().unwrap().success());
            let out = seller.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success() && text.contains("PIN: "), "the sender kept its sale: {text}");
            second += 1;
            continue;
        }
        if rng.random_bool(0.5) {
            let deadline = Instant::now() + Duration::from_secs(10);
            while sb.ledger_len() == recorded && Instant::now() < deadline && seller.try_wait().unwrap().is_none() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            after_record += 1;
        } else {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..600))).await;
        }
        if seller.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = seller.kill();
        let _ = seller.wait();
    }
    // Every sale asked about until it is final (each `airtill` start also recovers
    // what its killed predecessors left in flight). A sale killed before its request
    // left stays in doubt until Smartcall's "no such sale" may be believed (2 minutes
    // after it could have left): those are the ones Smartcall never had.
    let db = dir.path().join("airtill.db");
    let deadline = Instant::now() + Duration::from_secs(120);
    let never_sent;
    loop {
        let open = rows(&db, "SELECT receipt_no, client_ref FROM sales WHERE state IN ('created', 'submitting', 'pending', 'in_doubt') ORDER BY id");
        let known: Vec<&(i64, String)> = open.iter().filter(|(_, r)| sb.ledger().iter().any(|e| &e.client_reference == r)).collect();
        if known.is_empty() {
            never_sent = open.len();
            break;
        }
        assert!(Instant::now() < deadline, "still unresolved though Smartcall has them: {known:?}");
        for (r, _) in known {
            let _ = live(&["check", &r.to_string(), "--pin", CASHIER_PIN]).status().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let c = rusqlite::Connection::open(&db).unwrap();
    let local: Vec<(String, String)> = c.prepare("SELECT client_ref, state FROM sales").unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap();
    let remote = sb.ledger();
    for e in &remote {
        let here: Vec<&(String, String)> = local.iter().filter(|(r, _)| *r == e.client_reference).collect();
        assert_eq!(here.len(), 1, "sold at Smartcall, {} times here: {}", here.len(), e.client_reference);
        assert_eq!(here[0].1 == "succeeded", e.is_sold(), "{}: here {}, at Smartcall {}", e.client_reference, here[0].1, e.status);
    }
    for (r, state) in &local {
        if state == "succeeded" {
            assert!(remote.iter().any(|e| &e.client_reference == r && e.is_sold()), "sold here, unknown at Smartcall: {r}");
        }
    }
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    println!(
        "sales: {killed} sellers killed mid-run ({after_record} after Smartcall recorded), {second} second processes mid-sale; {} sales here, {} at Smartcall, {never_sent} killed before their request left (in doubt until the grace ends)",
        local.len(),
        remote.len()
    );
    assert!(killed > 0 && second > 0);
}

/// Voucher stock orders and mobile-balance payments through the real `airtill` binary
/// on a live configuration (Smartcall and Ideamart outlive the tills), each process
/// SIGKILLed at random or right after the provider recorded it. At the end every order
/// and payment is asked about until final: nothing ordered or taken twice, and
/// everything the providers have is in the ledger once, with its vouchers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_orders_and_mobile_payments_killed_from_outside_are_never_made_twice() {
    use airtill_sandbox::{Fault, IdeamartSandbox, SmartcallSandbox};
    let sb = SmartcallSandbox::start().await.unwrap();
    let im = IdeamartSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    live_shop(dir.path(), &sb.base_url(), Some(&im.base_url()));
    let voucher = mtn_r5();
    let live = |args: &[&str]| live(dir.path(), args);
    assert!(live(&["mobile-rate", "--rate", "18.235", "--pin", OWNER_PIN]).status().unwrap().success());
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261206);
    let (mut orders_killed, mut payments_killed) = (0, 0);
    for n in 0..kills() {
        let (mut child, recorded): (std::process::Child, Box<dyn Fn() -> usize>) = if n % 2 == 0 {
            sb.inject("POST", "/smartload/vouchers/orders", Fault::Delay(Duration::from_millis(200)));
            let before = sb.voucher_orders().len();
            let c = live(&["stock", "--pin", OWNER_PIN, "buy", "--provider", "smartcall", "--product", &voucher, "--quantity", "3"]).spawn().unwrap();
            (c, Box::new(move || before))
        } else {
            im.inject_next_debit(Fault::Delay(Duration::from_millis(200)));
            let before = im.ledger().len();
            let c = live(&["mobile-pay", "--from", &format!("9477{:07}", 200_000 + n), "--amount", "12", "--pin", CASHIER_PIN]).spawn().unwrap();
            (c, Box::new(move || before))
        };
        let now_recorded = || if n % 2 == 0 { sb.voucher_orders().len() } else { im.ledger().len() };
        if rng.random_bool(0.5) {
            let deadline = Instant::now() + Duration::from_secs(10);
            while now_recorded() == recorded() && Instant::now() < deadline && child.try_wait().unwrap().is_none() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        } else {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..700))).await;
        }
        if child.try_wait().unwrap().is_none() {
            if n % 2 == 0 {
                orders_killed += 1;
            } else {
                payments_killed += 1;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    // Everything asked about until final; what the provider never had waits out the
    // grace in doubt (it is never made again).
    let db = dir.path().join("airtill.db");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let orders = rows(&db, "SELECT id, client_ref FROM stock_orders WHERE state IN ('sending', 'in_doubt', 'ordered')");
        let payments = rows(&db, "SELECT id, external_trx_id FROM mobile_payments WHERE state IN ('submitting', 'in_doubt')");
        let at_smartcall = sb.voucher_orders();
        let at_ideamart = im.ledger();
        let orders: Vec<i64> = orders.into_iter().filter(|(_, r)| at_smartcall.iter().any(|(_, cr, _)| cr == r)).map(|(id, _)| id).collect();
        let payments: Vec<i64> = payments.into_iter().filter(|(_, x)| at_ideamart.iter().any(|e| &e.external_trx_id == x)).map(|(id, _)| id).collect();
        if orders.is_empty() && payments.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still open though the provider has them: orders {orders:?}, payments {payments:?}");
        for id in orders {
            let _ = live(&["stock", "--pin", OWNER_PIN, "finish", &id.to_string()]).status().unwrap();
        }
        for id in payments {
            let _ = live(&["mobile-check", &id.to_string(), "--pin", CASHIER_PIN]).status().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let c = rusqlite::Connection::open(&db).unwrap();
    // Stock: each order Smartcall took is here once, received with all its vouchers.
    for (order_id, client_ref, vouchers) in sb.voucher_orders() {
        let (n, state, received): (i64, String, i64) =
            c.query_row("SELECT COUNT(*), MAX(state), MAX(received) FROM stock_orders WHERE client_ref = ?1", [&client_ref], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        assert_eq!((n, state.as_str(), received), (1, "received", vouchers.len() as i64), "Smartcall order {order_id}");
    }
    let ordered_at_smartcall = sb.voucher_orders().len() as i64;
    let local_received: i64 = c.query_row("SELECT COUNT(*) FROM stock_orders WHERE state = 'received'", [], |r| r.get(0)).unwrap();
    assert_eq!(local_received, ordered_at_smartcall, "no order received here that Smartcall lacks");
    // Payments: each debit Ideamart took is here once, succeeded; none taken twice.
    let taken: Vec<String> = im.ledger().into_iter().filter(|e| e.status == "S1000").map(|e| e.external_trx_id).collect();
    let mut unique = taken.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), taken.len(), "a customer was charged twice for one payment");
    for x in &taken {
        let state: String = c.query_row("SELECT state FROM mobile_payments WHERE external_trx_id = ?1", [x], |r| r.get(0)).unwrap();
        assert_eq!(state, "succeeded", "{x}");
    }
    let local_paid: i64 = c.query_row("SELECT COUNT(*) FROM mobile_payments WHERE state = 'succeeded'", [], |r| r.get(0)).unwrap();
    assert_eq!(local_paid as usize, taken.len());
    println!(
        "stock and payments: {orders_killed} stock orders and {payments_killed} payments killed mid-run; {ordered_at_smartcall} orders at Smartcall, {} debits at Ideamart, each here once",
        taken.len()
    );
    assert!(orders_killed + payments_killed > 0);
}
