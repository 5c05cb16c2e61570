//! The crash test's child: runs the sale engine against a sandbox and sells until it
//! is killed. The parent (`tests/crash.rs`) kills it with SIGKILL at random points
//! and starts it again; each start recovers first.
//!
//! `airtill-crash-child <db> <base-url> <voucher-product> <airtime-product> sell|resolve|sell-one`
//!
//! `sell-one` sells one voucher and prints `state=<state> pin=<yes|no>` (the two-process
//! test starts a second engine on the ledger while it is in flight).

use airtill_domain::clock::SystemClock;
use airtill_domain::Currency;
use airtill_engine::smartcall::SmartcallProvider;
use airtill_engine::{Engine, EngineConfig, SaleOrder, SaleProvider};
use airtill_providers::smartcall::{Client, Config};
use airtill_store::{Role, SaleDetails, Shop, Store};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        eprintln!("usage: airtill-crash-child <db> <base-url> <voucher-product> <airtime-product> sell|resolve|sell-one");
        std::process::exit(2);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let code = rt.block_on(run(&args[1], &args[2], args[3].parse().expect("product"), args[4].parse().expect("product"), &args[5]));
    std::process::exit(code);
}

async fn run(db: &str, base: &str, voucher: i64, airtime: i64, mode: &str) -> i32 {
    let mut store = Store::open(std::path::Path::new(db)).expect("open the ledger");
    store.hold_lease().expect("the lease");
    if store.shop().expect("shop").is_none() {
        store.set_shop(&Shop { name: "Crash test".into(), till_id: "T1".into(), training: true }).expect("shop");
        store.add_user("crash", Role::Cashier, "x").expect("user");
    }
    let user_id = store.users().expect("users")[0].id;
    let store = Arc::new(Mutex::new(store));
    let client = Client::new(Config {
        base_url: base.to_string(),
        username: "training".into(),
        password: "training".into(),
        smartload_id: "27820000001".into(),
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_millis(400),
    })
    .expect("client");
    let provider: Arc<dyn SaleProvider> = Arc::new(SmartcallProvider::new("smartcall", Arc::new(client)));
    let config = EngineConfig { base_backoff_ms: 20, max_backoff_ms: 200, not_found_grace_ms: 800, cancel_pending_after_ms: None };
    let engine = Arc::new(Engine::new(store.clone(), vec![provider], Arc::new(SystemClock), config));
    engine.recover().expect("recover");

    if mode == "resolve" {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !engine.unresolved().expect("unresolved").is_empty() {
            if Instant::now() > deadline {
                eprintln!("still unresolved: {:?}", engine.unresolved().expect("unresolved").iter().map(|s| (s.id, s.state)).collect::<Vec<_>>());
                return 1;
            }
            engine.resolve_due().await.expect("resolve");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        return 0;
    }

    if mode == "sell-one" {
        let details = SaleDetails {
            request_id: format!("one-{}", std::process::id()),
            client_ref: uuid_like(0),
            user_id,
            provider: "smartcall".into(),
            network_name: "MTN".into(),
            product_id: voucher,
            product_name: "MTN Airtime R5".into(),
            product_kind: "voucher".into(),
            pinned: true,
            recipient: format!("2783{:07}", std::process::id() % 10_000_000),
            amount_minor: 500,
            currency: Currency::ZAR,
            discount_e4: Some(57_500),
        };
        return match engine.sell(SaleOrder { details, fallbacks: vec![], override_by: None, paid_by: None }).await {
            Ok(sale) => {
                println!("state={} pin={}", sale.state.as_str(), if sale.outcome.voucher_pin.is_some() { "yes" } else { "no" });
                0
            }
            Err(e) => {
                println!("error={e}");
                1
            }
        };
    }

    let (_resolver, _stop) = engine.spawn_resolver(Duration::from_millis(50));
    let start = store.lock().unwrap_or_else(|p| p.into_inner()).sale_count().expect("count");
    for n in start.. {
        let pinned = n % 2 == 0;
        // A new number for every sale: the guard rail and rule 16 stay out of the way.
        let recipient = format!("2783{:07}", n % 10_000_000);
        let details = SaleDetails {
            request_id: format!("crash-{n}"),
            client_ref: uuid_like(n),
            user_id,
            provider: "smartcall".into(),
            network_name: "MTN".into(),
            product_id: if pinned { voucher } else { airtime },
            product_name: if pinned { "MTN Airtime R5".into() } else { "MTN Airtime".into() },
            product_kind: if pinned { "voucher".into() } else { "airtime".into() },
            pinned,
            recipient,
            amount_minor: match (pinned, n % 25) {
                (true, _) => 500,
                // Now and then the QA simulator's business failure (R11).
                (false, 1) => 1_100,
                (false, k) => 2_000 + k * 100,
            },
            currency: Currency::ZAR,
            discount_e4: Some(60_000),
        };
        if let Err(e) = engine.sell(SaleOrder { details, fallbacks: vec![], override_by: None, paid_by: None }).await {
            eprintln!("sale {n}: {e}");
        }
    }
    0
}

/// A client reference unique to this run and sale (the parent sees it in both ledgers).
fn uuid_like(n: i64) -> String {
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{pid:08x}-{:04x}-4{:03x}-8{:03x}-{n:012x}", nanos & 0xffff, (nanos >> 16) & 0xfff, pid & 0xfff)
}
