//! The crash test: the engine runs in a child process against the sandbox and is
//! killed with SIGKILL at random points — before the call, during it, right after the
//! sandbox recorded the sale, before the outcome commit — then started again. At the
//! end, after recovery and resolution, the two ledgers must agree.
//!
//! `make test` runs 200 kills; `AIRTILL_CRASH_KILLS=5000 cargo test --workspace
//! --release --test crash` runs the long version.

use airtill_domain::SaleState;
use airtill_providers::smartcall::{Client, Config, Fetched};
use airtill_sandbox::{Fault, SmartcallSandbox, TRAINING_SMARTLOAD_ID};
use airtill_store::Store;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn product_ids(base: &str) -> (i64, i64) {
    let c = Client::new(Config {
        base_url: base.into(),
        username: "training".into(),
        password: "training".into(),
        smartload_id: "27820000001".into(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
    })
    .unwrap();
    let Fetched::Fresh { value, .. } = c.networks(None).await.unwrap() else { panic!() };
    let mtn = value.iter().find(|n| n.description == "MTN").unwrap();
    let all: Vec<_> = mtn.product_types.iter().flat_map(|t| t.products.iter()).collect();
    let voucher = all.iter().find(|p| p.name == "MTN Airtime R5" && p.sms_indicator).unwrap().id;
    let airtime = all.iter().find(|p| p.name == "MTN Airtime" && !p.sms_indicator).unwrap().id;
    c.invalidate().await.unwrap();
    (voucher, airtime)
}

fn child(db: &std::path::Path, base: &str, products: (i64, i64), mode: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_airtill-crash-child"))
        .args([db.to_str().unwrap(), base, &products.0.to_string(), &products.1.to_string(), mode])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_sale_is_lost_or_doubled_across_hundreds_of_kills() {
    let kills: usize = std::env::var("AIRTILL_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seed: u64 = std::env::var("AIRTILL_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20261123);
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let products = product_ids(&base).await;
    // Half the sales answer 150 ms after they are recorded: a wide window for a kill
    // between the provider's record and the outcome commit.
    sb.set_random_faults(50, seed, vec![Fault::Delay(Duration::from_millis(150))]);
    // Enough in the wallet for every sale of a long run (the training wallet would run
    // dry after a few thousand sales, and refused sales are never recorded).
    sb.set_wallet(TRAINING_SMARTLOAD_ID, 1_000_000_000_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut points: HashMap<&str, usize> = HashMap::new();
    for _ in 0..kills {
        let mut c = child(&db, &base, products, "sell");
        let recorded = sb.ledger_len();
        let point = match rng.random_range(0..4) {
            // Soon after start: recovery, login, the first commit.
            0 => {
                tokio::time::sleep(Duration::from_millis(rng.random_range(0..40))).await;
                "early"
            }
            // Anywhere in the selling loop.
            1 => {
                tokio::time::sleep(Duration::from_millis(rng.random_range(40..250))).await;
                "random"
            }
            // Right after the sandbox recorded a sale: before the outcome commit.
            _ => {
                let deadline = Instant::now() + Duration::from_secs(5);
                while sb.ledger_len() == recorded && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_micros(500)).await;
                }
                let recorded_one = sb.ledger_len() > recorded;
                tokio::time::sleep(Duration::from_millis(rng.random_range(0..3))).await;
                if recorded_one {
                    "after_record"
                } else {
                    "after_5s_without_a_record"
                }
            }
        };
        c.kill().expect("SIGKILL");
        c.wait().unwrap();
        *points.entry(point).or_default() += 1;
    }
    sb.set_random_faults(0, 0, vec![]);
    // A last start with no kill: recover, then resolve everything.
    let status = child(&db, &base, products, "resolve").wait().unwrap();
    assert!(status.success(), "the last run could not resolve every sale");

    let store = Store::open(&db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let local = store.all_sales().unwrap();
    let remote = sb.ledger();
    let by_ref: HashMap<&str, _> = local.iter().map(|s| (s.details.client_ref.as_str(), s)).collect();
    assert_eq!(by_ref.len(), local.len(), "client references are unique");
    for e in &remote {
        let s = by_ref.get(e.client_reference.as_str()).unwrap_or_else(|| panic!("the sandbox sold {} which the till does not know", e.client_reference));
        assert_eq!(s.details.amount_minor, e.amount, "{}", e.client_reference);
        let expected = match e.status {
            "SUCESSFUL" => SaleState::Succeeded,
            "FAILED" => SaleState::Failed,
            "CANCELLED" => SaleState::Cancelled,
            other => panic!("{} still {other} at the sandbox", e.client_reference),
        };
        assert_eq!(s.state, expected, "sale {} ({})", s.id, e.client_reference);
        if s.details.pinned {
            assert_eq!(s.outcome.voucher_pin.as_deref(), e.voucher_pin.as_deref(), "the PIN on record is the PIN sold");
        }
    }
    let remote_refs: std::collections::HashSet<&str> = remote.iter().map(|e| e.client_reference.as_str()).collect();
    for s in &local {
        assert!(!s.state.is_unresolved(), "sale {} left {:?}", s.id, s.state);
        if s.state == SaleState::Succeeded {
            assert!(remote_refs.contains(s.details.client_ref.as_str()), "sale {} succeeded locally but the sandbox never sold it", s.id);
        }
    }
    let recovered = local.iter().filter(|s| store.sale_events(s.id).unwrap().iter().any(|e| e.detail.as_deref().is_some_and(|d| d.starts_with("found submitting")))).count();
    println!("crash test: {kills} kills ({points:?}), {} local sales, {} at the sandbox, {recovered} recovered from submitting", local.len(), remote.len());
    assert!(points.values().sum::<usize>() >= kills);
}

/// A second process on the ledger (a till starting, `airtill sales`, a backup) while
/// the first is sending a sale: its start-up leaves the sale to its sender, who lands
/// the answer and shows the PIN. Then the sender is killed mid-sale: the next start
/// takes the sale over (in doubt) and finds it by its reference.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_in_flight_belongs_to_the_process_sending_it() {
    use airtill_engine::smartcall::SmartcallProvider;
    use airtill_engine::{Engine, EngineConfig, SaleProvider};
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let products = product_ids(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    let submitting = |db: &std::path::Path| -> Option<i64> {
        let s = Store::open(db).ok()?;
        s.unresolved_sales().ok()?.into_iter().find(|x| x.state == SaleState::Submitting).map(|x| x.id)
    };
    let second_engine = || {
        let mut store = Store::open(&db).unwrap();
        store.hold_lease().unwrap();
        let client = Client::new(Config {
            base_url: base.clone(),
            username: "training".into(),
            password: "training".into(),
            smartload_id: TRAINING_SMARTLOAD_ID.into(),
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
        })
        .unwrap();
        let provider: Arc<dyn SaleProvider> = Arc::new(SmartcallProvider::new("smartcall", Arc::new(client)));
        Engine::new(Arc::new(Mutex::new(store)), vec![provider], Arc::new(airtill_domain::SystemClock), EngineConfig::default())
    };

    // 1. The answer takes 300 ms (the sender waits 400 ms); another process starts meanwhile.
    sb.inject_next_sale(Fault::Delay(Duration::from_millis(300)));
    let sender = Command::new(env!("CARGO_BIN_EXE_airtill-crash-child"))
        .args([db.to_str().unwrap(), &base, &products.0.to_string(), &products.1.to_string(), "sell-one"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut sender = Some(sender);
    let id = loop {
        if let Some(id) = submitting(&db) {
            break id;
        }
        if Instant::now() > deadline || sender.as_mut().unwrap().try_wait().unwrap().is_some() {
            let out = sender.take().unwrap().wait_with_output().unwrap();
            panic!("the sender never showed its sale in flight: {} {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let other = second_engine();
    assert!(other.recover().unwrap().is_empty(), "the sender is alive: its sale is its own");
    assert_eq!(other.resolve_due().await.unwrap(), 0);
    let out = sender.take().unwrap().wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "state=succeeded pin=yes", "the sender shows the PIN");
    let sale = Store::open(&db).unwrap().sale(id).unwrap();
    assert_eq!(sale.state, SaleState::Succeeded);
    let steps: Vec<String> = Store::open(&db).unwrap().sale_events(id).unwrap().into_iter().map(|e| e.to_state.as_str().to_string()).collect();
    assert!(!steps.iter().any(|s| s == "in_doubt"), "never taken from its sender: {steps:?}");
    drop(other);

    // 2. The sender is killed while its sale is out: the next start takes it over.
    sb.inject_next_sale(Fault::Delay(Duration::from_millis(350)));
    let mut sender = child(&db, &base, products, "sell-one");
    let deadline = Instant::now() + Duration::from_secs(10);
    let id = loop {
        if let Some(id) = submitting(&db) {
            break id;
        }
        assert!(Instant::now() < deadline, "the sender never started its sale");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    // Killed once Smartcall has recorded it (its answer is still on the way).
    let recorded = Instant::now() + Duration::from_secs(10);
    while sb.ledger_len() < 2 {
        assert!(Instant::now() < recorded, "Smartcall never got the sale");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    sender.kill().unwrap();
    sender.wait().unwrap();
    let next = second_engine();
    assert_eq!(next.recover().unwrap(), vec![id], "its sender is gone: in doubt");
    let resolved = next.resolve(id).await.unwrap();
    assert_eq!(resolved.state, SaleState::Succeeded, "found by its reference: Smartcall had sold it");
    assert!(resolved.outcome.voucher_pin.is_some());
    assert_eq!(sb.ledger().iter().filter(|e| e.client_reference == resolved.details.client_ref).count(), 1, "sold once");
}
