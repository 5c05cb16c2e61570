//! Durable sales per second against the sandbox (no injected latency), next to
//! SQLite's durable commits per second on the same disk in the same run.
//!
//! `cargo bench --workspace --bench durable_sales` (add `-- 5000` for more sales).
//! A sale makes two durable commits of its own (the row before sending, the outcome
//! after) plus one for the move to `submitting`, so the goal is a ratio of at least 0.4.

use airtill_domain::clock::SystemClock;
use airtill_domain::Currency;
use airtill_engine::smartcall::SmartcallProvider;
use airtill_engine::{Engine, EngineConfig, SaleOrder, SaleProvider};
use airtill_providers::smartcall::{Client, Config, Fetched};
use airtill_sandbox::SmartcallSandbox;
use airtill_store::{Role, SaleDetails, Shop, Store};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    // The same disk as the project's build: a folder under target/.
    let root = std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    std::fs::create_dir_all(&root).unwrap();
    let dir = tempfile::tempdir_in(&root).unwrap();

    // 1. SQLite alone: one small row per durable transaction, WAL + synchronous=FULL.
    let conn = rusqlite_conn(&dir.path().join("commits.db"));
    let t = Instant::now();
    for i in 0..n {
        conn.execute("INSERT INTO t (v) VALUES (?1)", [i as i64]).unwrap();
    }
    let commits_per_s = n as f64 / t.elapsed().as_secs_f64();

    // 2. The engine selling vouchers to the sandbox on loopback.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let sales_per_s = rt.block_on(async {
        let sb = SmartcallSandbox::start().await.unwrap();
        let client = Arc::new(
            Client::new(Config {
                base_url: sb.base_url(),
                username: "training".into(),
                password: "training".into(),
                smartload_id: "27820000001".into(),
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(10),
            })
            .unwrap(),
        );
        let Fetched::Fresh { value, .. } = client.networks(None).await.unwrap() else { panic!() };
        let voucher = value.iter().flat_map(|n| n.product_types.iter().flat_map(|t| t.products.iter())).find(|p| p.name == "MTN Airtime R5" && p.sms_indicator).unwrap().id;
        let mut store = Store::open(&dir.path().join("sales.db")).unwrap();
        store.set_shop(&Shop { name: "Bench".into(), till_id: "T1".into(), training: true }).unwrap();
        let user = store.add_user("bench", Role::Cashier, "x").unwrap();
        let store = Arc::new(Mutex::new(store));
        let provider: Arc<dyn SaleProvider> = Arc::new(SmartcallProvider::new("smartcall", client));
        let engine = Engine::new(store, vec![provider], Arc::new(SystemClock), EngineConfig::default());
        let t = Instant::now();
        for i in 0..n {
            let details = SaleDetails {
                request_id: format!("bench-{i}"),
                client_ref: format!("00000000-0000-4000-8000-{i:012}"),
                user_id: user,
                provider: "smartcall".into(),
                network_name: "MTN".into(),
                product_id: voucher,
                product_name: "MTN Airtime R5".into(),
                product_kind: "voucher".into(),
                pinned: true,
                recipient: format!("2783{:07}", i),
                amount_minor: 500,
                currency: Currency::ZAR,
                discount_hundredths: Some(600),
            };
            let sale = engine.sell(SaleOrder { details, fallbacks: vec![], override_by: None }).await.unwrap();
            assert_eq!(sale.state, airtill_domain::SaleState::Succeeded);
        }
        n as f64 / t.elapsed().as_secs_f64()
    });
    println!("durable_sales: {n} sales, {sales_per_s:.0} sales/s; SQLite alone: {commits_per_s:.0} durable commits/s; ratio {:.2} (goal >= 0.4)", sales_per_s / commits_per_s);
}

fn rusqlite_conn(path: &std::path::Path) -> airtill_store::RawConnection {
    airtill_store::raw_durable_connection(path).unwrap()
}
