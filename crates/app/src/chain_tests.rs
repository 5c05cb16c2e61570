//! Tills linked to the chain's books in a real PostgreSQL (a cluster of each test's
//! own, with TLS, started by scripts/pg-cluster.sh and stopped at the end): stopped and
//! started under the tills' feet. Without PostgreSQL's server the tests say so and pass,
//! unless AIRTILL_REQUIRE_PG=1 (as in `make test`).

use super::*;
use airtill_central::{admin, Target};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TILL_PASSWORD: &str = "a-till-password-for-tests";

/// A PostgreSQL cluster of the test's own.
pub(crate) struct Cluster {
    dir: PathBuf,
    pub port: String,
    password: String,
    pub ca: String,
    pub other_ca: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster.sh")
}

impl Cluster {
    pub(crate) fn start() -> Option<Cluster> {
        let installed = std::fs::read_dir("/usr/lib/postgresql").map(|mut d| d.next().is_some()).unwrap_or(false);
        if !installed {
            assert!(std::env::var_os("AIRTILL_REQUIRE_PG").is_none(), "AIRTILL_REQUIRE_PG is set but PostgreSQL's server is not installed");
            eprintln!("PostgreSQL's server is not installed: skipped");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("airtill-pg-{}", uuid::Uuid::new_v4().simple()));
        let out = std::process::Command::new("bash").arg(script()).arg("start").arg(&dir).output().unwrap();
        assert!(out.status.success(), "the test cluster did not start: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let env = std::fs::read_to_string(dir.join("env")).unwrap();
        let get = |k: &str| env.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).unwrap().to_string();
        let url = get("AIRTILL_TEST_PG_ADMIN_URL");
        let port = url.rsplit_once(':').unwrap().1.split('/').next().unwrap().to_string();
        Some(Cluster { port, password: get("AIRTILL_TEST_PG_PASSWORD"), ca: get("AIRTILL_TEST_PG_CA"), other_ca: get("AIRTILL_TEST_PG_OTHER_CA"), dir })
    }

    fn run(&self, what: &str) {
        let out = std::process::Command::new("bash").arg(script()).arg(what).arg(&self.dir).output().unwrap();
        assert!(out.status.success(), "pg-cluster.sh {what}: {}", String::from_utf8_lossy(&out.stderr));
    }

    pub(crate) fn stop(&self) {
        self.run("stop");
    }

    pub(crate) fn start_again(&self) {
        self.run("restart-stopped");
    }

    pub(crate) fn admin(&self, db: &str) -> Target {
        Target { url: format!("postgres://postgres@localhost:{}/{db}", self.port), password: self.password.clone(), ca_file: Some(self.ca.clone().into()) }
    }

    /// A new database set up as a chain, with these tills.
    pub(crate) async fn chain(&self, db: &str, name: &str, tills: &[&str]) {
        let c = airtill_central::connect(&self.admin("postgres")).await.unwrap();
        c.batch_execute(&format!("CREATE DATABASE {db} ENCODING 'UTF8'")).await.unwrap();
        admin::setup(&self.admin(db), name).await.unwrap();
        let c = airtill_central::connect(&self.admin(db)).await.unwrap();
        for t in tills {
            admin::add_till(&c, t, "Rosebank", TILL_PASSWORD).await.unwrap();
        }
    }

    pub(crate) fn link(&self, db: &str, till: &str) -> ChainLinkInput {
        ChainLinkInput { url: format!("postgres://{}@localhost:{}/{db}", admin::role_of(db, till), self.port), till: till.into(), password: Some(TILL_PASSWORD.into()), ca_file: Some(self.ca.clone()) }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash").arg(script()).arg("remove").arg(&self.dir).output();
    }
}

async fn till() -> (Airtill, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
    (app, dir)
}

async fn sell_some(app: &Airtill, n: usize) {
    let s = app.login_to_sell(DEMO_CASHIER.1);
    let c = app.catalog(&s, false).await.unwrap();
    let mtn = c.networks.iter().find(|n| n.name == "MTN").unwrap();
    let product = mtn.groups.iter().flat_map(|g| g.products.iter()).find(|p| p.pinned && p.fixed.is_some()).unwrap().id;
    for i in 0..n {
        let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: product, recipient: format!("083 555 {:04}", 1000 + i), amount: None, override_pin: None };
        app.sell(&s, &req).await.unwrap();
    }
}

async fn until_up_to_date(app: &Airtill, within: Duration) -> ChainStatusView {
    let start = Instant::now();
    loop {
        let st = app.chain_status_now().unwrap();
        if st.state == ChainLinkState::UpToDate && st.waiting == 0 {
            return st;
        }
        assert!(start.elapsed() < within, "not up to date in {within:?}: {st:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The chain's events of a till equal the till's outbox, record for record, and its
/// derived sales equal the till's sales.
async fn books_agree(cluster: &Cluster, db: &str, till_id: &str, app: &Airtill) -> usize {
    let c = airtill_central::connect(&cluster.admin(db)).await.unwrap();
    let rows = c.query("SELECT seq, kind, key, body, hash FROM events WHERE till_id = $1 ORDER BY seq", &[&till_id]).await.unwrap();
    let there: Vec<(i64, String, String, String, String)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect();
    let here: Vec<(i64, String, String, String, String)> = app.store().outbox_batch(0, 1_000_000).unwrap().into_iter().map(|r| (r.seq, r.kind, r.key, r.body, r.hash)).collect();
    assert_eq!(there, here, "the chain's records of {till_id} are the till's");
    c.batch_execute("SELECT chain_catch_up()").await.unwrap();
    let sales = c.query("SELECT sale_id, state, amount_minor FROM sales WHERE till_id = $1 ORDER BY sale_id", &[&till_id]).await.unwrap();
    let there: Vec<(i64, String, i64)> = sales.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    let here: Vec<(i64, String, i64)> = app.store().sales_between(0, i64::MAX).unwrap().into_iter().map(|s| (s.id, s.state.as_str().to_string(), s.details.amount_minor)).collect();
    let mut here = here;
    here.sort();
    assert_eq!(there, here, "the chain's sales of {till_id} are the till's");
    assert!(!here.is_empty());
    here.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tills_send_their_books_through_an_outage_and_a_restart_record_for_record() {
    let Some(cluster) = Cluster::start() else { return };
    cluster.chain("chain", "Test chain", &["till-a", "till-b"]).await;
    let (a, dir_a) = till().await;
    let (b, _dir_b) = till().await;
    sell_some(&a, 3).await;
    for (app, id) in [(&a, "till-a"), (&b, "till-b")] {
        let m = app.login(DEMO_MANAGER.1).unwrap();
        let tested = app.save_chain_link(&m, &cluster.link("chain", id)).await.unwrap();
        assert_eq!((tested.chain_name.as_str(), tested.records_there), ("Test chain", 0));
    }
    sell_some(&b, 2).await;
    until_up_to_date(&a, Duration::from_secs(20)).await;
    until_up_to_date(&b, Duration::from_secs(20)).await;
    books_agree(&cluster, "chain", "till-a", &a).await;

    // The chain goes away: the tills sell on, their records wait.
    cluster.stop();
    sell_some(&a, 4).await;
    sell_some(&b, 4).await;
    let start = Instant::now();
    while a.chain_status_now().unwrap().state != ChainLinkState::Offline {
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", a.chain_status_now());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let st = a.chain_status_now().unwrap();
    assert!(st.waiting > 0 && st.message.is_some(), "{st:?}");
    // Till A is closed while offline and opened again; then the chain comes back.
    a.shutdown().await;
    drop(a);
    let a = Airtill::open(OpenOptions { data_dir: dir_a.path().to_path_buf() }).await.unwrap();
    sell_some(&a, 1).await;
    cluster.start_again();
    until_up_to_date(&a, Duration::from_secs(60)).await;
    until_up_to_date(&b, Duration::from_secs(60)).await;
    assert_eq!(books_agree(&cluster, "chain", "till-a", &a).await, 8);
    assert_eq!(books_agree(&cluster, "chain", "till-b", &b).await, 6);
    // A push by hand at the same time as the background task's: nothing twice.
    let m = a.login(DEMO_MANAGER.1).unwrap();
    sell_some(&a, 2).await;
    let (x, y) = tokio::join!(a.push_to_chain(&m), a.push_to_chain(&m));
    assert_eq!(x.unwrap().waiting, 0);
    assert_eq!(y.unwrap().waiting, 0);
    until_up_to_date(&a, Duration::from_secs(20)).await;
    assert_eq!(books_agree(&cluster, "chain", "till-a", &a).await, 10);
    // Every till's chain verifies as stored at the head office.
    let c = airtill_central::connect(&cluster.admin("chain")).await.unwrap();
    for t in admin::status(&c).await.unwrap() {
        assert_eq!((t.first_broken, t.problems.len()), (None, 0), "{t:?}");
    }
    // The database's owner rewrites a record of till A and every hash after it (the
    // head too): the chain verifies as stored, but till A, holding its own copy of that
    // hash, refuses it at its next contact.
    let rows = c.query("SELECT seq, kind, key, at_ms, body FROM events WHERE till_id = 'till-a' ORDER BY seq", &[]).await.unwrap();
    let mut prev = airtill_store::GENESIS_HASH.to_string();
    for r in &rows {
        let (seq, kind, key, at_ms, mut body): (i64, String, String, i64, String) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if seq == 2 {
            body = body.replace('"', "'");
        }
        let h = airtill_store::chain_hash(&prev, seq, &kind, &key, at_ms, &body);
        c.execute("UPDATE events SET body = $3, hash = $4 WHERE till_id = 'till-a' AND seq = $1 AND kind = $2", &[&seq, &kind, &body, &h]).await.unwrap();
        prev = h;
    }
    c.execute("UPDATE tills SET head_hash = $1 WHERE till_id = 'till-a'", &[&prev]).await.unwrap();
    let t = admin::status(&c).await.unwrap().into_iter().find(|t| t.till_id == "till-a").unwrap();
    assert_eq!(t.first_broken, None, "rehashed, it verifies as stored");
    let e = a.test_chain_link(&m, &cluster.link("chain", "till-a")).await.unwrap_err();
    assert!(e.to_string().contains("that are not this till's"), "{e}");
    assert!(a.push_to_chain(&m).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_link_is_refused_at_the_test_in_plain_words_and_nothing_is_saved() {
    let Some(cluster) = Cluster::start() else { return };
    cluster.chain("chain", "Test chain", &["till-a", "till-b"]).await;
    cluster.chain("other", "Another chain", &["till-a"]).await;
    let (a, dir) = till().await;
    sell_some(&a, 1).await;
    let m = a.login(DEMO_MANAGER.1).unwrap();
    let good = cluster.link("chain", "till-a");
    let bad = [
        (ChainLinkInput { password: Some("not-the-password".into()), ..good.clone() }, "refused the till's role or password"),
        (ChainLinkInput { ca_file: Some(cluster.other_ca.clone()), ..good.clone() }, "certificate"),
        (ChainLinkInput { url: good.url.replace(&cluster.port, "1"), ..good.clone() }, "cannot be reached"),
        (ChainLinkInput { url: good.url.replace("/chain", "/nowhere"), ..good.clone() }, ""),
        (ChainLinkInput { url: "http://example.com".into(), ..good.clone() }, "postgres://"),
        (ChainLinkInput { url: good.url.replace("postgres://", "postgres://x:pw@").replacen("x:pw@airtill", "x:pw@", 1), ..good.clone() }, ""),
        (ChainLinkInput { till: "Till A".into(), ..good.clone() }, "is not a till id"),
        (ChainLinkInput { till: "till-b".into(), ..good.clone() }, "belongs to till till-a"),
        (ChainLinkInput { ca_file: Some("/no/such/file.pem".into()), ..good.clone() }, "no certificate file"),
    ];
    for (input, words) in bad {
        let e = a.test_chain_link(&m, &input).await.unwrap_err();
        assert!(e.to_string().contains(words), "{input:?}: {e}");
        assert!(!e.to_string().contains("Error {") && !e.to_string().contains("kind:"), "no debug output: {e}");
        assert!(a.save_chain_link(&m, &input).await.is_err());
    }
    let cashier = a.login(DEMO_CASHIER.1).unwrap();
    assert!(matches!(a.test_chain_link(&cashier, &good).await, Err(AppError::Forbidden(_))));
    assert!(crate::config::read_file(dir.path()).unwrap().central.is_none(), "nothing saved");
    assert_eq!(a.chain_status_now().unwrap().state, ChainLinkState::NotLinked);

    // Linked to its chain, the till refuses a database of another chain.
    a.save_chain_link(&m, &good).await.unwrap();
    until_up_to_date(&a, Duration::from_secs(20)).await;
    let e = a.test_chain_link(&m, &cluster.link("other", "till-a")).await.unwrap_err();
    assert!(e.to_string().contains("of the chain \"Another chain\""), "{e}");
    // A second installation under the same till id is refused, and sends nothing.
    let (second, _d2) = till().await;
    let m2 = second.login(DEMO_MANAGER.1).unwrap();
    let e = second.test_chain_link(&m2, &good).await.unwrap_err();
    assert!(e.to_string().contains("used by another till"), "{e}");
    // Selling never waited for any of it.
    sell_some(&a, 1).await;
    until_up_to_date(&a, Duration::from_secs(20)).await;
    books_agree(&cluster, "chain", "till-a", &a).await;
}

async fn until(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < within, "{what}: not in {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_added_at_the_head_office_logs_in_at_every_till_also_one_that_was_offline() {
    let Some(cluster) = Cluster::start() else { return };
    cluster.chain("chain", "Test chain", &["till-a", "till-b"]).await;
    let (a, dir_a) = till().await;
    let (b, dir_b) = till().await;
    for (app, id) in [(&a, "till-a"), (&b, "till-b")] {
        let m = app.login(DEMO_MANAGER.1).unwrap();
        app.save_chain_link(&m, &cluster.link("chain", id)).await.unwrap();
        until_up_to_date(app, Duration::from_secs(20)).await;
    }
    // Till B is closed (offline) while the head office decides.
    b.shutdown().await;
    drop(b);
    let mut office = airtill_central::connect(&cluster.admin("chain")).await.unwrap();
    let pepper = admin::pepper(&office).await.unwrap();
    assert!(crate::chain_pin_hash(&pepper, true, "1234").is_err(), "a manager's PIN is checked at the head office as at a till");
    let hash = crate::chain_pin_hash(&pepper, true, "748291").unwrap();
    assert!(!hash.contains("748291"));
    admin::decide(&mut office, &admin::Decision::AddPerson { name: "Nomsa".into(), role: "manager".into(), pin_hash: hash, must_change_pin: false }).await.unwrap();
    admin::decide(&mut office, &admin::Decision::PinKeepDays(3)).await.unwrap();
    let routes = [("MTN/pinned/voucher".to_string(), vec!["smartcall".to_string()])].into_iter().collect();
    admin::decide(&mut office, &admin::Decision::Routes(routes)).await.unwrap();
    let last = admin::decide(&mut office, &admin::Decision::WalletWarning(Some(50_000))).await.unwrap();
    // Bad decisions are refused at the head office and numbered never.
    assert!(admin::decide(&mut office, &admin::Decision::PinKeepDays(40)).await.is_err());
    assert!(admin::decide(&mut office, &admin::Decision::AddPerson { name: "nomsa".into(), role: "manager".into(), pin_hash: "x".into(), must_change_pin: false }).await.is_err());

    let nomsa_logs_in = |app: &Airtill| app.person_named("Nomsa").ok().map(|id| app.login_as(id, "748291"));
    until("Nomsa reaches till A", Duration::from_secs(20), || a.person_named("Nomsa").is_ok()).await;
    let s = nomsa_logs_in(&a).unwrap().unwrap();
    assert_eq!(s.role, airtill_store::Role::Manager);
    assert!(!s.must_change_pin);
    assert_eq!(a.pin_keep_days().unwrap(), 3);
    assert_eq!(a.store().routes().unwrap(), vec![("MTN/pinned/voucher".to_string(), vec!["smartcall".to_string()])]);
    assert!(nomsa_logs_in(&a).unwrap().is_ok(), "the hash made again with the till's pepper still opens");
    assert!(a.login_as(a.person_named("Nomsa").unwrap(), "748290").is_err());
    // Doctor knows how she came.
    let checks = a.doctor(&s).await.unwrap();
    let roles = checks.iter().find(|c| c.name == "people's roles").unwrap();
    assert_eq!(roles.status, crate::CheckStatus::Ok, "{roles:?}");

    // Till B opens again and catches up.
    let b = Airtill::open(OpenOptions { data_dir: dir_b.path().to_path_buf() }).await.unwrap();
    until("Nomsa reaches till B", Duration::from_secs(20), || b.person_named("Nomsa").is_ok()).await;
    assert!(nomsa_logs_in(&b).unwrap().is_ok());
    until("till B applied every decision", Duration::from_secs(20), || b.pin_keep_days().unwrap() == 3).await;
    let applied: Vec<i64> = {
        let c = airtill_central::connect(&cluster.admin("chain")).await.unwrap();
        let mut v = Vec::new();
        for _ in 0..100 {
            v = c.query("SELECT decisions_applied FROM tills ORDER BY till_id", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
            if v.iter().all(|x| *x == last) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        v
    };
    assert_eq!(applied, vec![last, last], "each till says what it applied");

    // Disabled at the head office: she can no longer log in anywhere.
    let person = admin::person_named(&office, "Nomsa").await.unwrap().person_id;
    admin::decide(&mut office, &admin::Decision::Disable { person_id: person }).await.unwrap();
    until("Nomsa disabled at till A", Duration::from_secs(20), || a.person_named("Nomsa").is_err()).await;
    until("Nomsa disabled at till B", Duration::from_secs(20), || b.person_named("Nomsa").is_err()).await;
    // What a till applied stays when the chain is away.
    admin::decide(&mut office, &admin::Decision::Enable { person_id: person }).await.unwrap();
    until("Nomsa enabled at till A", Duration::from_secs(20), || a.person_named("Nomsa").is_ok()).await;
    a.shutdown().await;
    drop(a);
    cluster.stop();
    let a = Airtill::open(OpenOptions { data_dir: dir_a.path().to_path_buf() }).await.unwrap();
    assert!(nomsa_logs_in(&a).unwrap().is_ok(), "offline, the till works with the last decisions it had");
}

/// Sums lines by key (as the chain adds the tills' figures).
fn summed(lines: impl IntoIterator<Item = crate::ReportLine>) -> Vec<(String, i64, i64, i64)> {
    let mut m: std::collections::BTreeMap<String, (i64, i64, i64)> = Default::default();
    for l in lines {
        let e = m.entry(l.key).or_default();
        e.0 += l.count;
        e.1 += l.value.minor;
        e.2 += l.cost.e4;
    }
    m.into_iter().map(|(k, (a, b, c))| (k, a, b, c)).collect()
}

fn keyed(lines: &[crate::ReportLine]) -> Vec<(String, i64, i64, i64)> {
    summed(lines.iter().cloned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chain_report_is_the_sum_of_the_tills_own_reports_to_the_cent() {
    let Some(cluster) = Cluster::start() else { return };
    cluster.chain("chain", "Test chain", &["till-a", "till-b", "till-c"]).await;
    let mut tills = Vec::new();
    for (id, n) in [("till-a", 3), ("till-b", 2), ("till-c", 4)] {
        let (app, dir) = till().await;
        let m = app.login(DEMO_MANAGER.1).unwrap();
        app.save_chain_link(&m, &cluster.link("chain", id)).await.unwrap();
        sell_some(&app, n).await;
        tills.push((app, dir, m));
    }
    // Pinless airtime at any amount too (its own network line and kind).
    {
        let (app, _, _) = &tills[1];
        let s = app.login_to_sell(DEMO_CASHIER.1);
        let c = app.catalog(&s, false).await.unwrap();
        let any = c.networks.iter().find(|n| n.name == "MTN").unwrap().groups.iter().flat_map(|g| &g.products).find(|p| p.fixed.is_none()).unwrap().id;
        let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: any, recipient: "083 555 9999".into(), amount: Some("17".into()), override_pin: None };
        app.sell(&s, &req).await.unwrap();
    }
    for (app, _, _) in &tills {
        until_up_to_date(app, Duration::from_secs(20)).await;
    }
    let (a, _, m) = &tills[0];
    let chain = a.chain_report(m, &ChainReportQuery { x: true, from: None, to: None }).await.unwrap();
    let mut own = Vec::new();
    for (app, _, m) in &tills {
        own.push(app.x_report(m).await.unwrap());
    }
    let sum = |f: fn(&crate::Report) -> &Vec<crate::ReportLine>| summed(own.iter().flat_map(|r| f(r).clone()));
    assert_eq!(keyed(&chain.sold), sum(|r| &r.sold).into_iter().map(|(_, a, b, c)| ("all".to_string(), a, b, c)).collect::<Vec<_>>());
    assert_eq!(keyed(&chain.by_network), sum(|r| &r.by_network));
    assert_eq!(keyed(&chain.by_kind), sum(|r| &r.by_kind));
    assert_eq!(keyed(&chain.by_provider), sum(|r| &r.by_provider));
    assert_eq!(keyed(&chain.by_hour), sum(|r| &r.by_hour));
    let per_till: Vec<(String, i64)> = ["till-a", "till-b", "till-c"].iter().zip(&own).map(|(t, r)| (t.to_string(), r.sold.iter().map(|l| l.count).sum())).collect();
    assert_eq!(chain.by_till.iter().map(|l| (l.key.clone(), l.count)).collect::<Vec<_>>(), per_till);
    assert_eq!(chain.by_cashier.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(), vec!["Thabo @ till-a", "Thabo @ till-b", "Thabo @ till-c"]);
    assert_eq!(chain.by_shop.len(), 1);
    assert_eq!(chain.tills.len(), 3);
    assert!(chain.tills.iter().all(|t| t.silent_seconds.is_some_and(|s| s < 60) && t.problems == 0));
    assert_eq!(chain.tills.iter().filter(|t| t.this_till).count(), 1);

    // A Z at till B: once it has reached the chain, the chain's X covers B's sales after it.
    let (b, _, mb) = &tills[1];
    b.z_report(mb).await.unwrap();
    until_up_to_date(b, Duration::from_secs(20)).await;
    let after = a.chain_report(m, &ChainReportQuery { x: true, from: None, to: None }).await.unwrap();
    assert_eq!(after.by_till.iter().map(|l| (l.key.as_str(), l.count)).collect::<Vec<_>>(), vec![("till-a", 3), ("till-c", 4)]);
    assert!(after.unresolved.iter().all(|l| l.key != "till-b"));
    // The day's report still has every sale.
    let today = crate::time::local_date(a.now_ms());
    let day = a.chain_report(m, &ChainReportQuery { x: false, from: Some(today.clone()), to: Some(today) }).await.unwrap();
    assert_eq!(keyed(&day.sold), keyed(&chain.sold));
    // Bad input changes nothing and says what to do.
    assert!(matches!(a.chain_report(m, &ChainReportQuery { x: false, from: None, to: None }).await, Err(AppError::BadInput(_))));
    assert!(matches!(a.chain_report(m, &ChainReportQuery { x: false, from: Some("2026-13-01".into()), to: None }).await, Err(AppError::BadInput(_))));
    let cashier = a.login(DEMO_CASHIER.1).unwrap();
    assert!(matches!(a.chain_report(&cashier, &ChainReportQuery { x: true, from: None, to: None }).await, Err(AppError::Forbidden(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chains_reconciliation_of_a_shared_account_names_each_sales_till() {
    use crate::reconcile::tests::{plant, sell_elsewhere};
    use crate::test_live::{CASHIER_PIN, MANAGER_PIN};
    let Some(cluster) = Cluster::start() else { return };
    cluster.chain("chain", "Test chain", &["till-a", "till-b"]).await;
    // One Smartcall account (a sandbox of its own), two live tills selling on it.
    let sandbox = airtill_sandbox::SmartcallSandbox::start().await.unwrap();
    let mut tills = Vec::new();
    for id in ["till-a", "till-b"] {
        let dir = tempfile::tempdir().unwrap();
        crate::test_live::shop(dir.path(), &sandbox.base_url(), "").await;
        let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let m = app.login(MANAGER_PIN).unwrap();
        app.save_chain_link(&m, &cluster.link("chain", id)).await.unwrap();
        tills.push((app, dir, m));
    }
    let mut r12 = 0;
    for (i, (app, _, _)) in tills.iter().enumerate() {
        let s = app.login_to_sell(CASHIER_PIN);
        let c = app.catalog(&s, false).await.unwrap();
        let mtn = c.networks.iter().find(|n| n.name == "MTN").unwrap();
        r12 = mtn.groups.iter().flat_map(|g| g.products.iter()).find(|p| p.pinned && p.fixed.map(|m| m.minor) == Some(1_200)).unwrap().id;
        for n in 0..2 + i {
            let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: r12, recipient: format!("083 444 {:04}", 10 * i + n), amount: None, override_pin: None };
            assert_eq!(app.sell(&s, &req).await.unwrap().state, airtill_domain::SaleState::Succeeded);
        }
    }
    for (app, _, _) in &tills {
        until_up_to_date(app, Duration::from_secs(20)).await;
    }
    let day = crate::time::local_date(tills[0].0.now_ms());
    let (a, _, ma) = &tills[0];
    // Alone, each till sees Smartcall count more than it has, and cannot say whose.
    let alone = a.reconcile(ma, &day, &day).await.unwrap();
    assert!(!alone.clean);
    assert!(alone.mismatches.iter().any(|m| m.kind == crate::MismatchKind::MissingAtTill), "{:#?}", alone.mismatches);
    // The chain explains every sale by its till.
    let chain = a.chain_reconcile(ma, &day, &day).await.unwrap();
    assert!(chain.clean, "{:#?}", chain);
    assert_eq!(chain.sales_checked, 5);
    let mtn = chain.networks.iter().find(|n| n.network == "MTN").unwrap();
    assert_eq!((mtn.till_count, mtn.provider_count), (5, 5));

    // Planted: a sale on the account no till made, and at till B a sale Smartcall never had.
    let other = airtill_providers::smartcall::Client::new(crate::config::training_smartcall(&sandbox.base_url())).unwrap();
    sell_elsewhere(&other, "another-app-1", r12, 1_200, "27835550001").await;
    let (b, _, _) = &tills[1];
    let cashier_b = b.login(CASHIER_PIN).unwrap();
    let planted = plant(b, cashier_b.user_id, "never-sent-b", "Vodacom", 2_900, airtill_domain::SaleState::Succeeded);
    let receipt = b.store().sale(planted).unwrap().receipt_no;
    until_up_to_date(b, Duration::from_secs(20)).await;
    let r = a.chain_reconcile(ma, &day, &day).await.unwrap();
    assert!(!r.clean);
    let named = r.mismatches.iter().find(|m| m.kind == crate::MismatchKind::MissingAtProvider).expect("the planted sale");
    assert_eq!(named.till.as_deref(), Some("till-b"));
    assert!(named.explanation.starts_with(&format!("Till till-b (Rosebank), receipt {receipt:06}:")), "{}", named.explanation);
    let unexplained = r.mismatches.iter().find(|m| m.kind == crate::MismatchKind::MissingAtTill).expect("the other app's sale");
    assert_eq!(unexplained.till, None);
    assert!(unexplained.explanation.contains("No till of the chain made them"), "{}", unexplained.explanation);
    assert_eq!(r.mismatches.len(), 2, "{:#?}", r.mismatches);
}
