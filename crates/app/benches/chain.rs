//! The chain's books against PostgreSQL's own speed, on a cluster of the bench's own
//! (scripts/pg-cluster.sh: TLS, loopback):
//! 1. replication: a till's outbox pushed to the chain (read, hashed, sent in batches,
//!    each batch checked whole by the database, confirmed) next to plain batched inserts
//!    of the same rows into a bare table, in the same run. Goal: >= 0.5x.
//! 2. lag: three tills selling 10 sales a second between them; how long after each sale
//!    was recorded the chain had it. Goal: p99 <= 2 s.
//! 3. the chain report over 10 tills x 100,000 sales next to the same figures by
//!    hand-written queries in `psql`. Goal: <= 1.5x.
//!
//! `cargo bench --workspace --bench chain` (`-- 20000` for a smaller ledger in part 1;
//! `-- replication`, `-- lag` or `-- report` for one part).

use airtill_app::{Airtill, ChainLinkInput, OpenOptions, SaleRequest, DEMO_CASHIER, DEMO_MANAGER};
use airtill_central::{admin, reports, Record, Target};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TILL_PASSWORD: &str = "a-bench-till-password";

struct Cluster {
    dir: PathBuf,
    port: String,
    password: String,
    ca: String,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(script()).arg("remove").arg(&self.dir).output();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster.sh")
}

fn cluster() -> Cluster {
    let dir = std::env::temp_dir().join(format!("airtill-pg-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new("bash").arg(script()).arg("start").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let env = std::fs::read_to_string(dir.join("env")).unwrap();
    let get = |k: &str| env.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).unwrap().to_string();
    let url = get("AIRTILL_TEST_PG_ADMIN_URL");
    Cluster { port: url.rsplit_once(':').unwrap().1.split('/').next().unwrap().to_string(), password: get("AIRTILL_TEST_PG_PASSWORD"), ca: get("AIRTILL_TEST_PG_CA"), dir }
}

impl Cluster {
    fn admin(&self, db: &str) -> Target {
        Target { url: format!("postgres://postgres@localhost:{}/{db}", self.port), password: self.password.clone(), ca_file: Some(self.ca.clone().into()) }
    }
    fn till(&self, db: &str, till: &str) -> Target {
        Target { url: format!("postgres://{}@localhost:{}/{db}", admin::role_of(db, till), self.port), password: TILL_PASSWORD.into(), ca_file: Some(self.ca.clone().into()) }
    }
    async fn chain(&self, db: &str, tills: &[&str]) -> tokio_postgres::Client {
        let c = airtill_central::connect(&self.admin("postgres")).await.unwrap();
        c.batch_execute(&format!("CREATE DATABASE {db}")).await.unwrap();
        admin::setup(&self.admin(db), "Bench chain").await.unwrap();
        let c = airtill_central::connect(&self.admin(db)).await.unwrap();
        for t in tills {
            admin::add_till(&c, t, "Bench shop", TILL_PASSWORD).await.unwrap();
        }
        c
    }
    /// Seconds psql's `\timing` says the statements of `sql` took (its start-up left out).
    fn psql_time(&self, db: &str, sql: &str) -> Duration {
        let out = Command::new("psql")
            .arg(format!("host=localhost port={} user=postgres dbname={db} sslmode=verify-full sslrootcert={}", self.port, self.ca))
            .args(["-X", "-q", "-o", "/dev/null", "-c", "\\timing on"])
            .args(sql.split(";\n").filter(|s| !s.trim().is_empty()).flat_map(|s| ["-c".to_string(), s.to_string()]))
            .env("PGPASSWORD", &self.password)
            .output()
            .expect("psql is installed (make installs it)");
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        let ms: f64 = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.strip_prefix("Time: ")).filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok()).sum();
        Duration::from_secs_f64(ms / 1000.0)
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// PostgreSQL's own: the rows in batches of the same size into a bare table (a primary
/// key, nothing else), by the same client over the same kind of connection.
async fn plain_inserts(c: &tokio_postgres::Client, table: &str, all: &[Record]) -> Duration {
    c.batch_execute(&format!("CREATE TABLE {table} (till_id text, seq bigint, kind text, key text, at_ms bigint, body text, hash text, PRIMARY KEY (till_id, seq))")).await.unwrap();
    let t = Instant::now();
    for chunk in all.chunks(airtill_app::chain::BATCH as usize) {
        let seqs: Vec<i64> = chunk.iter().map(|r| r.seq).collect();
        let kinds: Vec<&str> = chunk.iter().map(|r| r.kind.as_str()).collect();
        let keys: Vec<&str> = chunk.iter().map(|r| r.key.as_str()).collect();
        let ats: Vec<i64> = chunk.iter().map(|r| r.at_ms).collect();
        let bodies: Vec<&str> = chunk.iter().map(|r| r.body.as_str()).collect();
        let hashes: Vec<&str> = chunk.iter().map(|r| r.hash.as_str()).collect();
        c.execute(
            &format!("INSERT INTO {table} SELECT 'bench', * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])"),
            &[&seqs, &kinds, &keys, &ats, &bodies, &hashes],
        )
        .await
        .unwrap();
    }
    t.elapsed()
}

async fn replication(pg: &Cluster, sales: i64) {
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    airtill_app::office::generate_ledger(dir.path(), sales, 30, 7).await.unwrap();
    let ledger = dir.path().join("airtill.db");
    let mut store = airtill_store::Store::open(&ledger).unwrap();
    let records = store.outbox_head().unwrap();
    println!("1. replication: a ledger of {sales} sales ({records} records in its outbox) made in {:.1} s", t.elapsed().as_secs_f64());
    let admin_c = pg.chain("repl", &["bench-1", "bench-2", "bench-3"]).await;
    let all: Vec<Record> = store.outbox_batch(0, records).unwrap().into_iter().map(|r| Record { seq: r.seq, kind: r.kind, key: r.key, at_ms: r.at_ms, body: r.body, hash: r.hash }).collect();
    drop(store);
    // Three rounds, the order alternating (whoever goes first pays for new WAL files).
    // Airtill: what the till's background task does (`airtill chain push`), batch by
    // batch until confirmed, the next batch read while one is sent, each batch checked
    // whole by the database; the same ledger sent as three tills.
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let plain_first = round % 2 == 1;
        let mut plain = Duration::ZERO;
        if plain_first {
            plain = plain_inserts(&admin_c, &format!("plain_{round}"), &all).await;
        }
        let till = format!("bench-{round}");
        let t = Instant::now();
        let confirmed = airtill_app::chain::push_ledger(&ledger, &pg.till("repl", &till), &till).await.unwrap();
        let ours = t.elapsed();
        assert_eq!(confirmed, records);
        if !plain_first {
            plain = plain_inserts(&admin_c, &format!("plain_{round}"), &all).await;
        }
        let (a, b) = (records as f64 / ours.as_secs_f64(), records as f64 / plain.as_secs_f64());
        println!("   round {round}: Airtill {a:>7.0} records/s ({:.2} s), PostgreSQL's plain batched inserts {b:>7.0} records/s ({:.2} s): {:.2}x", ours.as_secs_f64(), plain.as_secs_f64(), a / b);
        ratios.push(a / b);
    }
    ratios.sort_by(|x, y| x.total_cmp(y));
    println!("   median {:.2}x of PostgreSQL's own rate (goal >= 0.5x)", ratios[1]);
    let t = Instant::now();
    let derived: i64 = admin_c.query_one("SELECT chain_catch_up()", &[]).await.unwrap().get(0);
    println!("   the derived books (each sale's state) made from those {derived} records when first read: {:.2} s", t.elapsed().as_secs_f64());
}

async fn lag(pg: &Cluster) {
    let ids = ["lag-1", "lag-2", "lag-3"];
    let c = pg.chain("lag", &ids).await;
    let mut tills = Vec::new();
    for id in ids {
        let dir = tempfile::tempdir().unwrap();
        let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let m = app.login(DEMO_MANAGER.1).unwrap();
        let link = ChainLinkInput { url: pg.till("lag", id).url, till: id.into(), password: Some(TILL_PASSWORD.into()), ca_file: Some(pg.ca.clone()) };
        app.save_chain_link(&m, &link).await.unwrap();
        let s = app.login(DEMO_CASHIER.1).unwrap();
        app.open_shift(&s, "0").unwrap();
        let cat = app.catalog(&s, false).await.unwrap();
        let product = cat.networks.iter().find(|n| n.name == "MTN").unwrap().groups.iter().flat_map(|g| g.products.iter()).find(|p| p.pinned && p.fixed.is_some()).unwrap().id;
        tills.push((std::sync::Arc::new(app), s, product, dir));
    }
    // 10 sales a second between them, for 30 s.
    let seconds = 30;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        let due = start + Duration::from_millis(100 * n);
        tokio::time::sleep_until(due.into()).await;
        let (app, s, product, _) = &tills[(n % 3) as usize];
        let (app, s, product) = (app.clone(), s.clone(), *product);
        tokio::spawn(async move {
            let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: product, recipient: format!("083 555 {:04}", n % 10_000), amount: None, override_pin: None };
            let _ = app.sell(&s, &req).await;
        });
        n += 1;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rows = c.query("SELECT (extract(epoch FROM received_at) * 1000)::bigint - at_ms FROM events WHERE kind IN ('sale', 'sale_event') AND till_id LIKE 'lag-%'", &[]).await.unwrap();
    let mut lags: Vec<i64> = rows.iter().map(|r| r.get::<_, i64>(0)).collect();
    lags.sort_unstable();
    let p = |q: f64| lags[((lags.len() as f64 - 1.0) * q) as usize];
    println!("2. lag: {n} sales by 3 tills in {seconds} s; {} sale records in the chain", lags.len());
    println!("   from recorded at the till to held by the chain: p50 {} ms, p99 {} ms, max {} ms (goal p99 <= 2000 ms)", p(0.5), p(0.99), lags.last().unwrap());
    for (app, ..) in &tills {
        app.shutdown().await;
    }
}

async fn report(pg: &Cluster) {
    let tills: Vec<String> = (1..=10).map(|i| format!("rep-{i}")).collect();
    let refs: Vec<&str> = tills.iter().map(String::as_str).collect();
    let c = pg.chain("rep", &refs).await;
    // A month of the shop's days (its zone, as every report takes it): from the first
    // moment of 1 December 2025 there, 100,000 sales a till, one every 25.92 s.
    let first_day = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    let (from, to) = (airtill_app::time::day_start(first_day), airtill_app::time::day_start(first_day + chrono::Days::new(31)));
    let offset = airtill_app::time::offset_ms_at(from);
    let t = Instant::now();
    // 100,000 sales a till over 30 days, as the derived books hold them.
    c.batch_execute(&format!(
        "INSERT INTO people (till_id, user_id, seq, name, role, active)
             SELECT t.till_id, u, 1, (ARRAY['Thabo', 'Zanele', 'Sipho'])[u], 'cashier', true FROM tills t, generate_series(1, 3) u;
         INSERT INTO sales (till_id, sale_id, seq, receipt_no, user_id, provider, network_name, product_name, product_kind, pinned, recipient,
                            amount_minor, currency, state, tender, cost_e4, client_ref, provider_ref, training, created_ms, updated_ms)
             SELECT t.till_id, i, i, i, 1 + i % 3, (ARRAY['smartcall', 'aat'])[1 + i % 2], (ARRAY['Vodacom', 'MTN', 'Cell C', 'Telkom Mobile'])[1 + i % 4],
                    'product', (ARRAY['voucher', 'airtime', 'data'])[1 + i % 3], i % 3 = 0, '27830000000', (ARRAY[1200, 2900, 500, 9900])[1 + i % 4], 'ZAR',
                    CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'pending' ELSE 'succeeded' END, 'cash', (ARRAY[1200, 2900, 500, 9900])[1 + i % 4] * 94,
                    t.till_id || '-' || i, i::text, false, {from} + i::bigint * 25920, {from} + i::bigint * 25920
             FROM tills t, generate_series(1, 100000) i;
         ANALYZE;"
    ))
    .await
    .unwrap();
    println!("3. the chain report: 10 tills x 100,000 sales made in {:.1} s", t.elapsed().as_secs_f64());
    let ours = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                let lines = futures_lite(reports::report(&c, reports::Window::Period { from_ms: from, to_ms: to }, false, offset));
                assert!(lines.iter().any(|l| l.dimension == "total" && l.sales > 900_000));
                t.elapsed()
            })
            .collect(),
    );
    let cond = format!("state = 'succeeded' AND NOT training AND created_ms >= {from} AND created_ms < {to}");
    let hand = format!(
        "SELECT t.shop, s.currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales s JOIN tills t USING (till_id) WHERE {cond} GROUP BY 1, 2;
SELECT till_id, currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales WHERE {cond} GROUP BY 1, 2;
SELECT p.name, s.till_id, s.currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales s LEFT JOIN people p USING (till_id, user_id) WHERE {cond} GROUP BY 1, 2, 3;
SELECT network_name, currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales WHERE {cond} GROUP BY 1, 2;
SELECT provider, currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales WHERE {cond} GROUP BY 1, 2;
SELECT product_kind, currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales WHERE {cond} GROUP BY 1, 2;
SELECT ((created_ms + {offset}) / 3600000) % 24, currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales WHERE {cond} GROUP BY 1, 2;
SELECT currency, count(*), sum(amount_minor), sum(coalesce(cost_e4, amount_minor * 100)) FROM sales WHERE {cond} GROUP BY 1;
SELECT state, till_id, currency, count(*), sum(amount_minor) FROM sales WHERE state IN ('failed', 'created', 'submitting', 'pending', 'in_doubt') AND NOT training AND created_ms >= {from} AND created_ms < {to} GROUP BY 1, 2, 3"
    );
    let psql = median((0..5).map(|_| pg.psql_time("rep", &hand)).collect());
    println!("   Airtill's chain report (one query, sent and read back): {:>7.1} ms", ours.as_secs_f64() * 1000.0);
    println!("   the same figures by hand-written queries in psql:      {:>7.1} ms", psql.as_secs_f64() * 1000.0);
    println!("   ratio {:.2}x (goal <= 1.5x)", ours.as_secs_f64() / psql.as_secs_f64());
}

/// Runs a future to its end on the current runtime from synchronous code.
fn futures_lite<T>(f: impl std::future::Future<Output = airtill_central::Result<T>>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f)).unwrap()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let sales: i64 = std::env::args().skip(1).find(|a| !a.starts_with('-')).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let pg = cluster();
    println!("the chain's books: PostgreSQL on 127.0.0.1:{} (TLS), {}", pg.port, String::from_utf8_lossy(&Command::new("nproc").output().unwrap().stdout).trim().to_string() + " cores");
    // `-- 50000 replication` (or lag, report) runs one part alone.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| ["replication", "lag", "report"].contains(&a.as_str())).collect();
    let run = |part: &str| only.is_empty() || only.iter().any(|o| o == part);
    if run("replication") {
        replication(&pg, sales).await;
    }
    if run("lag") {
        lag(&pg).await;
    }
    if run("report") {
        report(&pg).await;
    }
}
