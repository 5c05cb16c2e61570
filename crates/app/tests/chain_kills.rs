//! Three tills selling at once into one chain's books (a PostgreSQL cluster of this
//! test's own, TLS), with the database stopped and started twice under their feet and
//! every till's commands SIGKILLed from outside at random: sales, stock orders, mobile
//! payments, shifts, Z reports, and pushes to the chain. At the end the chain's books
//! are the union of the tills' ledgers record for record: nothing missing, nothing
//! twice, every till's chain verified, every sale derived as its till has it.
//!
//! The whole chain is set up as a shop would: `airtill head-office setup`, `add-till`,
//! `airtill chain link` at each till.
//!
//! `make test` runs 10 rounds per till (the counts are printed); `AIRTILL_CHAIN_KILLS=100`
//! runs 100. Without PostgreSQL's server it says so and passes, unless AIRTILL_REQUIRE_PG=1.

use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MANAGER: (&str, &str) = ("Lindiwe", "2580");
const CASHIER: (&str, &str) = ("Thabo", "1234");

fn rounds() -> usize {
    std::env::var("AIRTILL_CHAIN_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10)
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster.sh")
}

struct Cluster {
    dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Cluster {
    fn run(&self, what: &str) {
        let out = Command::new("bash").arg(script()).arg(what).arg(&self.dir).output().unwrap();
        assert!(out.status.success(), "pg-cluster.sh {what}: {}", String::from_utf8_lossy(&out.stderr));
    }
    fn get(&self, k: &str) -> String {
        self.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(script()).arg("remove").arg(&self.dir).output();
    }
}

fn cluster() -> Option<Cluster> {
    if !Path::new("/usr/lib/postgresql").exists() {
        assert!(std::env::var_os("AIRTILL_REQUIRE_PG").is_none(), "AIRTILL_REQUIRE_PG is set but PostgreSQL's server is not installed");
        eprintln!("PostgreSQL's server is not installed: skipped");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("airtill-pg-kills-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new("bash").arg(script()).arg("start").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let env = std::fs::read_to_string(dir.join("env")).unwrap().lines().filter_map(|l| l.split_once('=')).map(|(a, b)| (a.to_string(), b.to_string())).collect();
    Some(Cluster { dir, env })
}

fn airtill(dir: &Path, args: &[&str], user: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_airtill"));
    c.args(args).env("AIRTILL_DATA_DIR", dir).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(u) = user {
        c.env("AIRTILL_USER", u);
    }
    c
}

fn ok(mut c: Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{:?}: {}{}", c, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Runs it, and kills it with SIGKILL after a random part of `window` (true: killed).
fn run_and_kill(mut c: Command, window: Duration, rng: &mut impl Rng) -> bool {
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_micros(rng.random_range(0..window.as_micros().max(1) as u64));
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

#[test]
fn three_tills_killed_at_random_through_two_outages_leave_the_chains_books_their_union() {
    let Some(pg) = cluster() else { return };
    let port = pg.get("AIRTILL_TEST_PG_ADMIN_URL").rsplit_once(':').unwrap().1.split('/').next().unwrap().to_string();
    let ca = pg.get("AIRTILL_TEST_PG_CA");
    let admin_pw = pg.get("AIRTILL_TEST_PG_PASSWORD");
    let work = tempfile::tempdir().unwrap();
    // The head office: a database, the chain, three tills.
    let create = Command::new("psql")
        .arg(format!("host=localhost port={port} user=postgres dbname=postgres sslmode=verify-full sslrootcert={ca}"))
        .args(["-qc", "CREATE DATABASE books"])
        .env("PGPASSWORD", &admin_pw)
        .output()
        .unwrap();
    assert!(create.status.success(), "{}", String::from_utf8_lossy(&create.stderr));
    let office = |args: &[&str]| {
        let mut c = airtill(work.path(), &[&["head-office"], args].concat(), None);
        c.env("AIRTILL_HEAD_OFFICE_URL", format!("postgres://postgres@localhost:{port}/books")).env("AIRTILL_HEAD_OFFICE_PASSWORD", &admin_pw).env("AIRTILL_HEAD_OFFICE_CA", &ca);
        ok(c)
    };
    office(&["setup", "--name", "Kill test chain"]);
    let ids = ["till-1", "till-2", "till-3"];
    let mut tills = Vec::new();
    for id in ids {
        let said = office(&["add-till", id, "--shop", "Soweto"]);
        let password = said.lines().last().unwrap().trim().to_string();
        let url = said.lines().find_map(|l| l.trim().strip_prefix("airtill chain link ")).unwrap().split_whitespace().skip_while(|w| *w != "--url").nth(1).unwrap().to_string();
        let dir = work.path().join(id);
        ok(airtill(&dir, &["setup", "--practice"], None));
        ok(airtill(&dir, &["shift", "open", "0", "--pin", CASHIER.1], Some(CASHIER.0)));
        ok(airtill(&dir, &["mobile-rate", "--rate", "18.235", "--pin", MANAGER.1], Some(MANAGER.0)));
        let mut link = airtill(&dir, &["chain", "link", "--till", id, "--url", &url, "--ca", &ca, "--pin", MANAGER.1], Some(MANAGER.0));
        link.env("AIRTILL_CHAIN_PASSWORD", &password);
        ok(link);
        tills.push(dir);
    }

    // Each till's commands, each killed at a random moment of its own duration.
    let work_of = |n: usize| -> Vec<(Vec<String>, (&'static str, &'static str))> {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let mut v = vec![(s(&["sell", "--product", "165", "--to", &format!("083 555 {:04}", n % 10_000)]), CASHIER), (s(&["chain", "push"]), MANAGER)];
        match n % 5 {
            0 => v.push((s(&["stock", "buy", "--product", "176", "--quantity", "2"]), MANAGER)),
            1 => v.push((s(&["mobile-pay", "--from", "0776351232", "--amount", "12"]), CASHIER)),
            2 => v.push((s(&["report", "z"]), MANAGER)),
            3 => v.push((s(&["stock", "sell", "--product", "176"]), CASHIER)),
            _ => v.push((s(&["sell", "--product", "165", "--to", "083 123 4567"]), CASHIER)),
        }
        v
    };
    let killed = Arc::new(AtomicUsize::new(0));
    let ran = Arc::new(AtomicUsize::new(0));
    let n = rounds();
    let workers: Vec<_> = tills
        .iter()
        .enumerate()
        .map(|(t, dir)| {
            let (dir, killed, ran) = (dir.clone(), killed.clone(), ran.clone());
            std::thread::spawn(move || {
                let mut rng = rand::rngs::StdRng::seed_from_u64(0xC4A1 + t as u64);
                for round in 0..n {
                    for (args, (user, pin)) in work_of(round * 3 + t) {
                        let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
                        full.extend(["--pin", pin]);
                        // Most commands end on their own; a third are killed mid-way.
                        let window = if rng.random_bool(0.35) { Duration::from_millis(rng.random_range(50..1_500)) } else { Duration::from_secs(120) };
                        if run_and_kill(airtill(&dir, &full, Some(user)), window, &mut rng) {
                            killed.fetch_add(1, Ordering::Relaxed);
                        }
                        ran.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    // The chain's database goes away twice while they work.
    let outages = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(2_000 + 150 * n as u64));
        pg.run("stop");
        outages.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(1_500 + 100 * n as u64));
        pg.run("restart-stopped");
    }
    for w in workers {
        w.join().unwrap();
    }

    // One of each kind uninterrupted, so that every kind of record is sure to be made
    // whatever the kills above cut short (a command killed before its first write
    // leaves nothing, as it should).
    for dir in &tills {
        ok(airtill(dir, &["stock", "buy", "--product", "176", "--quantity", "1", "--pin", MANAGER.1], Some(MANAGER.0)));
        // These may refuse (a payment or sale still in doubt from a kill): the records
        // they make are checked below either way.
        let _ = airtill(dir, &["mobile-pay", "--from", "0776351232", "--amount", "12", "--pin", CASHIER.1], Some(CASHIER.0)).output();
        let _ = airtill(dir, &["report", "z", "--pin", MANAGER.1], Some(MANAGER.0)).output();
    }
    // Each till sends what waits, uninterrupted now.
    for dir in &tills {
        let said = ok(airtill(dir, &["chain", "push", "--pin", MANAGER.1], Some(MANAGER.0)));
        assert!(said.contains(" 0 waiting"), "{said}");
    }
    // The chain's books, till by till, against each ledger's outbox and sales.
    let psql = |sql: &str| -> String {
        let out = Command::new("psql")
            .arg(format!("host=localhost port={port} user=postgres dbname=books sslmode=verify-full sslrootcert={ca}"))
            .args(["-XAtc", sql])
            .env("PGPASSWORD", &admin_pw)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    psql("SELECT chain_catch_up()");
    let mut total = 0;
    for (id, dir) in ids.iter().zip(&tills) {
        let ledger = rusqlite::Connection::open(dir.join("airtill.db")).unwrap();
        let here: Vec<String> = ledger
            .prepare("SELECT o.seq || '|' || o.kind || '|' || o.key || '|' || h.hash FROM outbox o JOIN outbox_hashes h ON h.seq = o.seq ORDER BY o.seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let there: Vec<String> = psql(&format!("SELECT seq || '|' || kind || '|' || key || '|' || hash FROM events WHERE till_id = '{id}' ORDER BY seq")).lines().map(str::to_string).collect();
        let written: i64 = ledger.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0)).unwrap();
        assert_eq!(here.len() as i64, written, "{id}: every record written was sent");
        assert_eq!(there.len(), here.len(), "{id}: the chain holds {} records, the till wrote {}", there.len(), here.len());
        assert_eq!(there, here, "{id}: record for record");
        let sales_here: Vec<String> = ledger.prepare("SELECT id || '|' || state FROM sales ORDER BY id").unwrap().query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        let sales_there: Vec<String> = psql(&format!("SELECT sale_id || '|' || state FROM sales WHERE till_id = '{id}' ORDER BY sale_id")).lines().map(str::to_string).collect();
        assert_eq!(sales_there, sales_here, "{id}: every sale as the till has it");
        let kinds: Vec<String> = ledger.prepare("SELECT DISTINCT kind FROM outbox ORDER BY 1").unwrap().query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        for want in ["sale", "sale_event", "shift", "z_report", "stock_order", "payment", "audit"] {
            assert!(kinds.iter().any(|k| k == want), "{id}: no {want} record was made: {kinds:?}");
        }
        total += here.len();
    }
    let broken = psql("SELECT count(*) FROM tills WHERE chain_first_broken(till_id) IS NOT NULL");
    assert_eq!(broken.trim(), "0", "every till's chain verifies");
    let problems = psql("SELECT count(*) FROM problems");
    assert_eq!(problems.trim(), "0", "the chain found nothing wrong");
    println!(
        "3 tills: {} commands run, {} killed mid-way, {} outages of the chain's database; {total} records in the chain's books, each once, equal to the tills' ledgers",
        ran.load(Ordering::Relaxed),
        killed.load(Ordering::Relaxed),
        outages.load(Ordering::Relaxed)
    );
}
