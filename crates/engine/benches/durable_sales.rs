//! Durable sales per second against the sandbox (no injected latency), next to
//! SQLite's durable commits per second on the same disk in the same run.
//!
//! `cargo bench --workspace --bench durable_sales` (`-- 5000` for more sales).
//! The disk of a shared machine changes speed from second to second, so the two are
//! measured interleaved, in rounds of 64, and the ratio is of the totals. A sale makes
//! two durable commits (the row, already `submitting`, before sending; the outcome
//! after), so the goal is a ratio of at least 0.4. One seller waits for both and for
//! the provider's answer in turn, so its ratio cannot pass about 0.4 even with a free
//! provider; sellers at once (tills, the resolver, a busy counter) share commits
//! (group commit), so the engine is measured with 1, 2, 8, 16 and 32 sellers, and its
//! capacity is the best of those.

use airtill_domain::clock::SystemClock;
use airtill_domain::{Currency, SaleState};
use airtill_engine::smartcall::SmartcallProvider;
use airtill_engine::{Engine, EngineConfig, SaleOrder, SaleProvider};
use airtill_providers::smartcall::{Client, Config, Fetched, RechargeRequest};
use airtill_sandbox::SmartcallSandbox;
use airtill_store::{Outcome, Role, SaleDetails, Shop, Store};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROUND: usize = 64;
/// Sellers at once (tills and their commands sharing one ledger).
const SELLERS: [usize; 5] = [1, 2, 8, 16, 32];

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1024).max(ROUND);
    let rounds = n / ROUND;
    // The same disk as the project's build: a folder under target/.
    let root = std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    std::fs::create_dir_all(&root).unwrap();
    let dir = tempfile::tempdir_in(&root).unwrap();
    let raw = airtill_store::raw_durable_connection(&dir.path().join("commits.db")).unwrap();
    let mut ledger = Store::open(&dir.path().join("ledger.db")).unwrap();
    ledger.set_shop(&Shop { name: "Bench".into(), till_id: "T1".into(), training: true }).unwrap();
    let ledger_user = ledger.add_user("bench", Role::Cashier, "x").unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // Run on a worker, as the app's commands do (not on the blocked main thread).
    let dir_path = dir.path().to_path_buf();
    let _keep = dir;
    // The sandbox on threads of its own, as a real provider is another machine.
    let provider_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let sb = provider_rt.block_on(SmartcallSandbox::start()).unwrap();
    rt.block_on(async move {
        tokio::spawn(async move {
            let dir = &dir_path;
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
            let mut store = Store::open(&dir.join("sales.db")).unwrap();
            store.set_shop(&Shop { name: "Bench".into(), till_id: "T1".into(), training: true }).unwrap();
            let user = store.add_user("bench", Role::Cashier, "x").unwrap();
            let provider: Arc<dyn SaleProvider> = Arc::new(SmartcallProvider::new("smartcall", client.clone()));
            let engine = Arc::new(Engine::new(Arc::new(Mutex::new(store)), vec![provider], Arc::new(SystemClock), EngineConfig::default()));

            let (mut t_commit, mut t_ledger, mut t_call, mut t_comp) = (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
            let mut t_sellers = [Duration::ZERO; SELLERS.len()];
            let mut c_sellers = [0u64; SELLERS.len()];
            let mut i = 0;
            for _ in 0..rounds {
                let t = Instant::now();
                for k in 0..ROUND {
                    raw.execute("INSERT INTO t (v) VALUES (?1)", [(i + k) as i64]).unwrap();
                }
                t_commit += t.elapsed();

                let t = Instant::now();
                for k in 0..ROUND {
                    let (row, _) = ledger.create_sale_submitting(&details(i + k, ledger_user, 1), 1).unwrap();
                    let o = Outcome { provider_ref: Some(k.to_string()), voucher_pin: Some("123456789012".into()), ..Default::default() };
                    ledger.transition(row.id, SaleState::Submitting, SaleState::Succeeded, &o, 2).unwrap();
                }
                t_ledger += t.elapsed();

                let t = Instant::now();
                for k in 0..ROUND {
                    let r = RechargeRequest {
                        smartload_id: "27820000001".into(),
                        client_reference: format!("raw-{}", i + k),
                        sms_recipient_msisdn: "27831234567".into(),
                        device_id: format!("2788{:07}", i + k),
                        product_id: voucher,
                        amount: 500,
                        pinless: false,
                        send_sms: true,
                        sms_provider_identifier: None,
                    };
                    client.recharge(&r).await.unwrap();
                }
                t_call += t.elapsed();

                let t = Instant::now();
                for k in 0..ROUND {
                    let (row, _) = ledger.create_sale_submitting(&details(5_000_000 + i + k, ledger_user, 1), 1).unwrap();
                    let r = RechargeRequest {
                        smartload_id: "27820000001".into(),
                        client_reference: format!("cmp-{}", i + k),
                        sms_recipient_msisdn: "27831234567".into(),
                        device_id: format!("2789{:07}", i + k),
                        product_id: voucher,
                        amount: 500,
                        pinless: false,
                        send_sms: true,
                        sms_provider_identifier: None,
                    };
                    client.recharge(&r).await.unwrap();
                    let o = Outcome { provider_ref: Some(k.to_string()), voucher_pin: Some("123456789012".into()), ..Default::default() };
                    ledger.transition(row.id, SaleState::Submitting, SaleState::Succeeded, &o, 2).unwrap();
                }
                t_comp += t.elapsed();

                for (slot, &sellers) in SELLERS.iter().enumerate() {
                    let (t, c) = (Instant::now(), engine.sale_commits());
                    let per = ROUND / sellers;
                    let tasks: Vec<_> = (0..sellers)
                        .map(|w| {
                            let engine = engine.clone();
                            let base = 10_000_000 * (slot + 1) + i + w * per;
                            tokio::spawn(async move {
                                for k in 0..per {
                                    let sale = engine.sell(SaleOrder { details: details(base + k, user, voucher), fallbacks: vec![], override_by: None, paid_by: None }).await.unwrap();
                                    assert_eq!(sale.state, SaleState::Succeeded, "{:?} {:?}", sale.details.recipient, sale.outcome.error_message);
                                }
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.unwrap();
                    }
                    t_sellers[slot] += t.elapsed();
                    c_sellers[slot] += engine.sale_commits() - c;
                }
                i += ROUND;
            }
            let per_s = |d: Duration| i as f64 / d.as_secs_f64();

            let commits = per_s(t_commit);
            println!("durable_sales: {i} of each, interleaved in rounds of {ROUND}");
            println!("  SQLite alone (WAL, synchronous=FULL):     {commits:.0} durable commits/s");
            println!("  ledger alone (2 commits per sale):        {:.0} sales/s", per_s(t_ledger));
            println!("  sandbox recharges alone (no ledger):      {:.0} calls/s", per_s(t_call));
            println!("  commit, call, commit by hand, one seller: {:.0} sales/s", per_s(t_comp));
            for (slot, sellers) in SELLERS.iter().enumerate() {
                let sales = per_s(t_sellers[slot]);
                let per_sale = c_sellers[slot] as f64 / i as f64;
                println!("  engine, {sellers} seller{}: {:>14.0} sales/s  ratio {:.2}  ({per_sale:.2} commits a sale)", if *sellers == 1 { " " } else { "s" }, sales, sales / commits);
            }
            let (best, slot) = SELLERS.iter().enumerate().map(|(slot, _)| (per_s(t_sellers[slot]), slot)).fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a });
            println!(
                "  engine's capacity: {best:.0} durable sales/s with {} sellers at once, ratio {:.2} (goal >= 0.4: {})",
                SELLERS[slot],
                best / commits,
                if best / commits >= 0.4 { "met" } else { "not met" }
            );
            println!("  one seller alone waits for two commits and the round trip in turn: ratio <= commit / (2 x ledger commit + call)");
            drop(sb);
        })
        .await
        .unwrap()
    });
    drop(provider_rt);
}

fn details(i: usize, user: i64, product: i64) -> SaleDetails {
    SaleDetails {
        request_id: format!("bench-{i}"),
        client_ref: format!("00000000-0000-4000-8000-{i:012}"),
        user_id: user,
        provider: "smartcall".into(),
        network_name: "MTN".into(),
        product_id: product,
        product_name: "MTN Airtime R5".into(),
        product_kind: "voucher".into(),
        pinned: true,
        recipient: format!("278{:08}", i),
        amount_minor: 500,
        currency: Currency::ZAR,
        discount_e4: Some(60_000),
    }
}
