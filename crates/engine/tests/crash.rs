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
