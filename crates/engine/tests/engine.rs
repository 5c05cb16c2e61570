//! The sale engine against the Smartcall sandbox over HTTP: double submits, faults of
//! every kind with the books balanced to the cent, recovery, the guard rail, routing,
//! store-and-forward cancels and events. Time is a shared `ManualClock`.

use airtill_domain::clock::ManualClock;
use airtill_domain::{Currency, SaleState};
use airtill_engine::smartcall::SmartcallProvider;
use airtill_engine::{Engine, EngineConfig, EngineError, SaleChanged, SaleOrder, SaleProvider, SharedStore};
use airtill_providers::smartcall::{Client, Config, Fetched};
use airtill_sandbox::{Fault, SmartcallSandbox, TRAINING_SMARTLOAD_ID};
use airtill_store::{Outcome, Role, SaleDetails, Shop, Store};
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const START_MS: i64 = 1_795_392_000_000 + 8 * 3600 * 1000;
const MINUTE: i64 = 60_000;

struct Products {
    voucher_r5: i64,
    voucher_r12: i64,
    airtime: i64,
    /// By product id and `smsIndicator`: the twins share their id.
    discounts: HashMap<(i64, bool), i64>,
}

struct Env {
    sb: SmartcallSandbox,
    clock: ManualClock,
    store: SharedStore,
    engine: Arc<Engine>,
    products: Products,
    user: i64,
    manager: i64,
}

fn client(base: String, clock: &ManualClock, timeout_ms: u64) -> Arc<Client> {
    let cfg = Config {
        base_url: base,
        username: "training".into(),
        password: "training".into(),
        smartload_id: TRAINING_SMARTLOAD_ID.into(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_millis(timeout_ms),
    };
    Arc::new(Client::with_clock(cfg, Arc::new(clock.clone())).unwrap())
}

async fn products(c: &Client) -> Products {
    let Fetched::Fresh { value, .. } = c.networks(None).await.unwrap() else { panic!() };
    let all: Vec<_> = value.iter().flat_map(|n| n.product_types.iter().flat_map(|t| t.products.iter())).collect();
    let find = |name: &str, sms: bool| all.iter().find(|p| p.name == name && p.sms_indicator == sms).unwrap().id;
    Products {
        voucher_r5: find("MTN Airtime R5", true),
        voucher_r12: find("MTN Airtime R12", true),
        airtime: find("MTN Airtime", false),
        discounts: all.iter().map(|p| ((p.id, p.sms_indicator), p.discount_percentage.unwrap_or(0))).collect(),
    }
}

fn config() -> EngineConfig {
    EngineConfig { base_backoff_ms: 1_000, max_backoff_ms: 60_000, not_found_grace_ms: 2 * MINUTE, cancel_pending_after_ms: None }
}

fn new_store() -> (SharedStore, i64, i64) {
    let mut s = Store::open_in_memory().unwrap();
    s.set_shop(&Shop { name: "Test".into(), till_id: "T1".into(), training: true }).unwrap();
    let user = s.add_user("Thabo", Role::Cashier, "x").unwrap();
    let manager = s.add_user("Lindiwe", Role::Manager, "x").unwrap();
    (Arc::new(Mutex::new(s)), user, manager)
}

async fn env(timeout_ms: u64) -> Env {
    let clock = ManualClock::new(START_MS);
    let sb = SmartcallSandbox::start_with_clock(Arc::new(clock.clone())).await.unwrap();
    let c = client(sb.base_url(), &clock, timeout_ms);
    let products = products(&c).await;
    let (store, user, manager) = new_store();
    let provider: Arc<dyn SaleProvider> = Arc::new(SmartcallProvider::new("smartcall", c));
    let engine = Arc::new(Engine::new(store.clone(), vec![provider], Arc::new(clock.clone()), config()));
    Env { sb, clock, store, engine, products, user, manager }
}

fn order(e: &Env, n: usize, product: i64, pinned: bool, amount: i64) -> SaleOrder {
    SaleOrder {
        details: SaleDetails {
            request_id: format!("req-{n}"),
            client_ref: uuid::Uuid::new_v4().to_string(),
            user_id: e.user,
            provider: "smartcall".into(),
            network_name: "MTN".into(),
            product_id: product,
            product_name: "MTN".into(),
            product_kind: if pinned { "voucher".into() } else { "airtime".into() },
            pinned,
            recipient: format!("2783{:07}", n),
            amount_minor: amount,
            currency: Currency::ZAR,
            discount_e4: e.products.discounts.get(&(product, airtill_providers::smartcall::books::sends_sms(pinned, false))).copied(),
        },
        fallbacks: vec![],
        override_by: None,
        paid_by: None,
    }
}

/// Runs the resolver, moving the clock, until nothing is unresolved.
async fn resolve_all(e: &Env) {
    for _ in 0..200 {
        if e.engine.unresolved().unwrap().is_empty() {
            return;
        }
        e.clock.advance_ms(MINUTE);
        e.engine.resolve_due().await.unwrap();
    }
    panic!("still unresolved: {:?}", e.engine.unresolved().unwrap().iter().map(|s| (s.id, s.state)).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_request_sent_a_hundred_times_at_once_makes_one_sale() {
    let e = env(5_000).await;
    let o = order(&e, 1, e.products.voucher_r12, true, 1200);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let engine = e.engine.clone();
            let o = o.clone();
            tokio::spawn(async move { engine.sell(o).await })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 1, "one sale for one request");
    assert_eq!(e.store.lock().unwrap().sale_count().unwrap(), 1);
    assert_eq!(e.sb.ledger().len(), 1, "sent once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_sales_with_ten_percent_faults_balance_to_the_cent() {
    let e = env(150).await;
    let start_wallet = e.sb.wallet_e4(TRAINING_SMARTLOAD_ID).unwrap();
    let faults = vec![Fault::Delay(Duration::from_millis(300)), Fault::DropAfterRecord, Fault::Http500, Fault::Malformed, Fault::ExpireToken, Fault::NetworkDown];
    e.sb.set_random_faults(10, 42, faults);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for n in 0..2000 {
        let o = match rng.random_range(0..3) {
            0 => order(&e, n, e.products.voucher_r5, true, 500),
            1 => order(&e, n, e.products.voucher_r12, true, 1200),
            _ => order(&e, n, e.products.airtime, false, 2_000 + rng.random_range(0..80) * 100),
        };
        e.engine.sell(o).await.unwrap();
    }
    let applied = e.sb.faults_applied();
    e.sb.set_random_faults(0, 0, vec![]);
    resolve_all(&e).await;
    // Past the next refund run, so every failed recharge's cost is back.
    e.clock.advance_ms(24 * 60 * MINUTE);

    let local = e.store.lock().unwrap().all_sales().unwrap();
    let remote = e.sb.ledger();
    let sold_local: i64 = local.iter().filter(|s| s.state == SaleState::Succeeded).map(|s| s.details.amount_minor).sum();
    let sold_remote: i64 = remote.iter().filter(|r| r.is_sold()).map(|r| r.amount).sum();
    assert_eq!(sold_local, sold_remote, "the local total of succeeded sales is the sandbox's");
    assert_eq!(local.iter().filter(|s| s.state == SaleState::Succeeded).count(), remote.iter().filter(|r| r.is_sold()).count());
    let cost: i64 = local
        .iter()
        .filter(|s| s.state == SaleState::Succeeded)
        .map(|s| {
            let expected = s.details.expected_cost_e4().unwrap();
            // Where Smartcall said what it charged, it is what the catalog made it.
            assert!(s.outcome.cost_e4.is_none_or(|c| c == expected), "sale {}: {:?} vs {expected}", s.id, s.outcome.cost_e4);
            expected
        })
        .sum();
    assert_eq!(e.sb.wallet_e4(TRAINING_SMARTLOAD_ID).unwrap(), start_wallet - cost, "the wallet matches to its last decimal");
    let by_ref: HashMap<&str, SaleState> = local.iter().map(|s| (s.details.client_ref.as_str(), s.state)).collect();
    for r in &remote {
        assert!(by_ref.contains_key(r.client_reference.as_str()), "sold at the sandbox, unknown here: {}", r.client_reference);
    }
    let total: u64 = applied.values().sum();
    assert!((150..=260).contains(&total), "about 10% of 2000 sales had a fault: {applied:?}");
    for kind in ["delay", "drop_after_record", "http_500", "malformed", "expire_token", "network_down"] {
        assert!(applied.get(kind).copied().unwrap_or(0) > 0, "no {kind} fault in {applied:?}");
    }
    println!("fault test: 2000 sales, faults {applied:?}, {} succeeded, R{}.{:02} sold", by_ref.values().filter(|s| **s == SaleState::Succeeded).count(), sold_local / 100, sold_local % 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_recovery_turns_submitting_into_in_doubt_and_the_resolver_settles_it() {
    let e = env(5_000).await;
    // A sale that was being sent when the till died, and one that never left.
    let o = order(&e, 1, e.products.voucher_r12, true, 1200);
    let (row, _) = e.store.lock().unwrap().create_sale(&o.details, START_MS).unwrap();
    e.store.lock().unwrap().transition(row.id, SaleState::Created, SaleState::Submitting, &Outcome::default(), START_MS).unwrap();
    let never = order(&e, 2, e.products.voucher_r12, true, 1200);
    let (unsent, _) = e.store.lock().unwrap().create_sale(&never.details, START_MS).unwrap();
    assert_eq!(e.engine.recover().unwrap(), vec![row.id]);
    assert_eq!(e.store.lock().unwrap().sale(row.id).unwrap().state, SaleState::InDoubt);
    assert_eq!(e.store.lock().unwrap().sale(unsent.id).unwrap().state, SaleState::Failed, "a sale still created was never sent");
    // The sandbox never got it: "not found" is believed only after the grace period.
    e.engine.resolve(row.id).await.unwrap();
    assert_eq!(e.store.lock().unwrap().sale(row.id).unwrap().state, SaleState::InDoubt);
    e.clock.advance_ms(3 * MINUTE);
    assert_eq!(e.engine.resolve(row.id).await.unwrap().state, SaleState::Failed);
    assert!(e.sb.ledger().is_empty(), "resolved by asking, never by sending again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_the_provider_recorded_before_the_crash_is_found_by_its_reference() {
    let e = env(100).await;
    e.sb.inject_next_sale(Fault::Delay(Duration::from_millis(400)));
    let sale = e.engine.sell(order(&e, 1, e.products.voucher_r12, true, 1200)).await.unwrap();
    assert_eq!(sale.state, SaleState::InDoubt);
    let done = e.engine.resolve(sale.id).await.unwrap();
    assert_eq!(done.state, SaleState::Succeeded);
    assert_eq!(done.outcome.voucher_pin, e.sb.ledger()[0].voucher_pin);
    assert_eq!(e.sb.ledger().len(), 1);
}

// The ledger's lock is held across the wait on purpose: that is the busy ledger the
// sellers arrive at.
#[allow(clippy::await_holding_lock)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sellers_arriving_during_a_commit_share_the_next_one_and_each_write_stands_alone() {
    let e = env(5_000).await;
    // One unresolved sale, so that a repeat of it is refused inside the shared group.
    let pending = e.engine.sell(order(&e, 900, e.products.airtime, false, 1_300)).await.unwrap();
    assert_eq!(pending.state, SaleState::Pending);
    let before = e.engine.sale_commits();
    // The ledger is busy (as during another commit) while eight sellers arrive, one of
    // them a repeat that needs a manager and one twice with the same request id.
    let held = e.store.lock().unwrap();
    let mut orders: Vec<SaleOrder> = (0..6).map(|n| order(&e, n, e.products.voucher_r5, true, 500)).collect();
    orders.push(orders[0].clone());
    let mut repeat = order(&e, 900, e.products.airtime, false, 1_300);
    repeat.details.request_id = "req-repeat".into();
    orders.push(repeat);
    let tasks: Vec<_> = orders
        .into_iter()
        .map(|o| {
            let engine = e.engine.clone();
            tokio::spawn(async move { engine.sell(o).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(held);
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    let refused = answers.iter().filter(|a| matches!(a, Err(EngineError::NeedsOverride { .. }))).count();
    assert_eq!(refused, 1, "the repeat alone is refused: {answers:?}");
    // (The second of one request id gets the sale as it stood, maybe still submitting.)
    let sold: std::collections::HashSet<i64> = answers.iter().filter_map(|a| a.as_ref().ok()).map(|s| s.id).collect();
    assert_eq!(sold.len(), 6, "the same request id twice is one sale");
    for id in &sold {
        assert_eq!(e.store.lock().unwrap().sale(*id).unwrap().state, SaleState::Succeeded);
    }
    assert_eq!(e.store.lock().unwrap().sale_count().unwrap(), 7);
    assert_eq!(e.sb.ledger().len(), 7, "each sent once");
    // Without groups: 2 commits for each of 6 sales. The creations waited together:
    // the first leader's group, then one more for the rest.
    let commits = e.engine.sale_commits() - before;
    assert!(commits <= 2 + 6, "{commits} commits for 6 sales");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_rail_needs_a_manager_for_a_repeat_while_one_is_unresolved() {
    let e = env(5_000).await;
    let first = order(&e, 7, e.products.airtime, false, 1_300); // R13: network pending
    let sale = e.engine.sell(first.clone()).await.unwrap();
    assert_eq!(sale.state, SaleState::Pending);
    let mut again = first.clone();
    again.details.request_id = "req-again".into();
    again.details.client_ref = uuid::Uuid::new_v4().to_string();
    match e.engine.sell(again.clone()).await {
        Err(EngineError::NeedsOverride { sale_id, .. }) => assert_eq!(sale_id, sale.id),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.store.lock().unwrap().sale_count().unwrap(), 1, "nothing written");
    again.override_by = Some(e.manager);
    let repeat = e.engine.sell(again).await.unwrap();
    // The provider's own rule 16 refuses it: nothing sold, and the override is on record.
    assert_eq!(repeat.state, SaleState::Failed);
    let overrides = e.store.lock().unwrap().overrides_of(repeat.id).unwrap();
    assert_eq!(overrides, vec![("repeat_sale".to_string(), "Lindiwe".to_string(), "same number and amount while another is unresolved".to_string())]);
    // Once the first is resolved, the same number and amount sells without a manager.
    e.clock.advance_ms(6 * MINUTE);
    e.engine.resolve(sale.id).await.unwrap();
    let mut third = first;
    third.details.request_id = "req-third".into();
    third.details.client_ref = uuid::Uuid::new_v4().to_string();
    assert!(e.engine.sell(third).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_fails_over_after_a_certain_refusal_and_never_from_in_doubt() {
    let clock = ManualClock::new(START_MS);
    let a = SmartcallSandbox::start_with_clock(Arc::new(clock.clone())).await.unwrap();
    let b = SmartcallSandbox::start_with_clock(Arc::new(clock.clone())).await.unwrap();
    let ca = client(a.base_url(), &clock, 300);
    let products = products(&ca).await;
    let (store, user, manager) = new_store();
    let providers: Vec<Arc<dyn SaleProvider>> = vec![Arc::new(SmartcallProvider::new("smartcall", ca)), Arc::new(SmartcallProvider::new("smartcall_b", client(b.base_url(), &clock, 300)))];
    let engine = Arc::new(Engine::new(store.clone(), providers, Arc::new(clock.clone()), config()));
    let e = Env { sb: a, clock, store, engine, products, user, manager };
    let routed = |n: usize| {
        let mut o = order(&e, n, e.products.airtime, false, 2_500);
        o.fallbacks = vec![("smartcall_b".into(), e.products.airtime)];
        o
    };
    // The network is down at the first provider: the sale goes to the second.
    e.sb.set_network_down("mtn", true);
    let sale = e.engine.sell(routed(1)).await.unwrap();
    assert_eq!((sale.state, sale.details.provider.as_str()), (SaleState::Pending, "smartcall_b"));
    assert_eq!(b.ledger().len(), 1);
    let history = e.store.lock().unwrap().sale_events(sale.id).unwrap();
    assert!(history.iter().any(|h| h.detail.as_deref().is_some_and(|d| d.contains("sent to smartcall_b"))), "{history:?}");
    e.sb.set_network_down("mtn", false);
    // In doubt at the first: no failover, whatever the route says.
    e.sb.inject_next_sale(Fault::Http500);
    let doubt = e.engine.sell(routed(2)).await.unwrap();
    assert_eq!((doubt.state, doubt.details.provider.as_str()), (SaleState::InDoubt, "smartcall"));
    assert_eq!(b.ledger().len(), 1, "the second provider was not asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_pending_too_long_is_cancelled_even_across_a_restart() {
    let e = env(5_000).await;
    e.sb.set_queue_delay_ms(30 * MINUTE);
    e.engine.set_cancel_pending_after(Some(10 * MINUTE));
    let before = e.sb.wallet_e4(TRAINING_SMARTLOAD_ID).unwrap();
    let sale = e.engine.sell(order(&e, 3, e.products.airtime, false, 5_000)).await.unwrap();
    assert_eq!(sale.state, SaleState::Pending);
    e.clock.advance_ms(11 * MINUTE);
    e.engine.resolve_due().await.unwrap();
    let row = e.store.lock().unwrap().sale(sale.id).unwrap();
    assert!(row.cancel_requested_ms.is_some(), "the cancel is stored before it is sent");
    // The till restarts: a new engine on the same ledger sends the stored cancel.
    let provider: Arc<dyn SaleProvider> = Arc::new(SmartcallProvider::new("smartcall", client(e.sb.base_url(), &e.clock, 5_000)));
    let restarted = Engine::new(e.store.clone(), vec![provider], Arc::new(e.clock.clone()), config());
    restarted.recover().unwrap();
    restarted.resolve_due().await.unwrap();
    assert_eq!(e.store.lock().unwrap().sale(sale.id).unwrap().state, SaleState::Cancelled);
    assert_eq!(e.sb.ledger()[0].status, "CANCELLED");
    assert_eq!(e.sb.wallet_e4(TRAINING_SMARTLOAD_ID).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_change_is_announced_after_it_is_committed() {
    let e = env(5_000).await;
    let mut rx = e.engine.subscribe();
    let sale = e.engine.sell(order(&e, 4, e.products.airtime, false, 3_000)).await.unwrap();
    e.clock.advance_ms(MINUTE);
    e.engine.resolve(sale.id).await.unwrap();
    let mut seen = vec![];
    while let Ok(ev) = rx.try_recv() {
        assert_eq!(ev.sale_id, sale.id);
        seen.push(ev);
    }
    let states: Vec<SaleState> = seen.iter().map(|c: &SaleChanged| c.state).collect();
    assert_eq!(states, vec![SaleState::Created, SaleState::Submitting, SaleState::Pending, SaleState::Succeeded]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_checks_of_the_same_sale_at_once_agree() {
    let e = env(100).await;
    e.sb.inject_next_sale(Fault::Delay(Duration::from_millis(400)));
    let sale = e.engine.sell(order(&e, 9, e.products.voucher_r12, true, 1200)).await.unwrap();
    assert_eq!(sale.state, SaleState::InDoubt);
    let (a, b) = tokio::join!(e.engine.resolve(sale.id), e.engine.resolve(sale.id));
    assert_eq!((a.unwrap().state, b.unwrap().state), (SaleState::Succeeded, SaleState::Succeeded));
    let history = e.store.lock().unwrap().sale_events(sale.id).unwrap();
    assert_eq!(history.iter().filter(|h| h.to_state == SaleState::Succeeded).count(), 1, "one move, recorded once");
}

/// A sale paid from a mobile balance claims the payment in the sale row's own
/// transaction: a payment that is not free to use stores no sale and sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_that_is_not_free_stores_no_sale_and_sends_nothing() {
    let e = env(5_000).await;
    let mut o = order(&e, 1, e.products.voucher_r12, true, 1200);
    o.paid_by = Some(999);
    let err = e.engine.sell(o).await.unwrap_err();
    assert!(matches!(err, airtill_engine::EngineError::PaymentNotFree(999)), "{err}");
    assert!(e.store.lock().unwrap().all_sales().unwrap().is_empty(), "no sale row");
    assert!(e.sb.ledger().is_empty(), "nothing sent");
}
