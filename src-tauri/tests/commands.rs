//! The commands through Tauri's mock runtime: registration, the session, and errors
//! as `{code, message}`. No display needed.

use airtill_app::{Airtill, OpenOptions};
use airtill_desktop::commands::Shell;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn setup() -> (App<MockRuntime>, WebviewWindow<MockRuntime>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let app = tauri::async_runtime::block_on(Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() })).unwrap();
    let tauri_app = airtill_desktop::configure(mock_builder()).manage(Shell::new(app)).build(mock_context(noop_assets())).unwrap();
    let webview = WebviewWindowBuilder::new(&tauri_app, "main", Default::default()).build().unwrap();
    (tauri_app, webview, dir)
}

fn call(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(w, req).map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn every_command_in_the_bindings_is_registered() {
    let (_app, w, _d) = setup();
    let cfg = ts_rs::Config::new().with_large_int("number");
    for c in airtill_desktop::bindings::commands(&cfg) {
        // Logged out, each registered command answers with our own error or a value,
        // never Tauri's "command not found".
        let r = call(&w, c.name, json!({}));
        if let Err(e) = r {
            let text = e.to_string();
            assert!(!text.contains("not found"), "{}: {text}", c.name);
        }
    }
}

#[test]
fn logged_out_commands_are_refused_with_a_code() {
    let (_app, w, _d) = setup();
    let e = call(&w, "sales_today", json!({})).unwrap_err();
    assert_eq!(e["code"], "not_logged_in");
    assert_eq!(e["message"], "Log in first.");
}

#[test]
fn a_wrong_pin_is_a_clear_error() {
    let (_app, w, _d) = setup();
    let e = call(&w, "login", json!({"person": 2, "pin": "9999"})).unwrap_err();
    assert_eq!(e["code"], "wrong_pin");
    let e = call(&w, "login", json!({"person": 2, "pin": "12x4"})).unwrap_err();
    assert_eq!(e["code"], "bad_input");
}

#[test]
fn a_cashier_sells_a_voucher_through_the_commands() {
    let (_app, w, _d) = setup();
    let user = call(&w, "login", json!({"person": 2, "pin": "1234"})).unwrap();
    assert_eq!(user["role"], "cashier");
    let status = call(&w, "status", json!({})).unwrap();
    assert_eq!(status["training"], true);
    let catalog = call(&w, "catalog", json!({"refresh": false})).unwrap();
    let mtn = catalog["networks"].as_array().unwrap().iter().find(|n| n["name"] == "MTN").unwrap();
    let product = mtn["groups"].as_array().unwrap().iter().flat_map(|g| g["products"].as_array().unwrap()).find(|p| p["name"] == "MTN Airtime R12").unwrap();
    let info = call(&w, "lookup_number", json!({"input": "083 123 4567"})).unwrap();
    assert_eq!(info["network_hint"], "MTN");
    let bad = call(&w, "lookup_number", json!({"input": "083"})).unwrap_err();
    assert_eq!(bad["code"], "bad_number");
    let e = call(&w, "sell", json!({"request": {"request_id": "e2e-0", "product_id": product["id"], "recipient": "0831234567", "amount": null}})).unwrap_err();
    assert_eq!(e["code"], "no_shift", "cash is sold only into an open shift");
    call(&w, "open_shift", json!({"float": "200"})).unwrap();
    let sale = call(&w, "sell", json!({"request": {"request_id": "e2e-1", "product_id": product["id"], "recipient": "0831234567", "amount": null}})).unwrap();
    assert_eq!(sale["state"], "succeeded");
    assert_eq!(sale["amount"]["minor"], 1200);
    assert!(sale["voucher_pin"].as_str().unwrap().len() >= 16);
    let again = call(&w, "sell", json!({"request": {"request_id": "e2e-1", "product_id": product["id"], "recipient": "0831234567", "amount": null}})).unwrap();
    assert_eq!(again["id"], sale["id"], "a resent request is the same sale");
    let today = call(&w, "sales_today", json!({})).unwrap();
    assert_eq!(today.as_array().unwrap().len(), 1);
    let slip = call(&w, "save_slip", json!({"saleId": sale["id"]})).unwrap();
    assert!(std::fs::read(slip["path"].as_str().unwrap()).unwrap().starts_with(b"%PDF"));
    call(&w, "logout", json!({})).unwrap();
    assert_eq!(call(&w, "sales_today", json!({})).unwrap_err()["code"], "not_logged_in");
}

#[test]
fn bindings_are_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    let want = airtill_desktop::bindings::render();
    if std::env::var_os("AIRTILL_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "ui/src/lib/bindings.ts is stale: run `make bindings` and commit it");
}

#[test]
fn a_cashier_is_refused_every_manager_command_and_nothing_is_written() {
    let (_app, w, d) = setup();
    call(&w, "login", json!({"person": 2, "pin": "1234"})).unwrap();
    let manager_only = [
        ("x_report", json!({})),
        ("z_report", json!({})),
        ("z_report_by_no", json!({"zNo": 1})),
        ("z_numbers", json!({})),
        ("period_report", json!({"from": "2026-11-01", "to": "2026-11-30"})),
        ("export_report", json!({"query": {"kind": "x", "z_no": null, "from": null, "to": null}, "format": "pdf", "paper": "a4"})),
        ("reconcile", json!({"from": "2026-11-23", "to": "2026-11-23"})),
        ("doctor", json!({})),
        ("list_users", json!({})),
        ("add_person", json!({"name": "Mallory", "role": "manager", "pin": "757982", "pinAgain": "757982"})),
        ("smartcall_settings", json!({})),
        ("engine_settings", json!({})),
        ("reconcile", json!({"from": "2026-11-23", "to": "2026-11-23", "provider": "aat"})),
        ("listener_status", json!({})),
        ("set_listener", json!({"on": true, "bind": "127.0.0.1", "port": 0, "token": null})),
        ("notifications", json!({"openOnly": true})),
        ("set_system_printer", json!({"queue": "AirtillPDF"})),
        ("print_voucher_sheet", json!({"saleIds": [1]})),
        ("buy_stock", json!({"request": {"request_id": "r-1", "provider": "smartcall", "product_id": 176, "quantity": 5}})),
        ("finish_stock_order", json!({"orderId": 1})),
        ("stock_orders", json!({})),
        ("practice_outage", json!({"offline": true})),
    ];
    for (cmd, args) in manager_only {
        let e = call(&w, cmd, args).unwrap_err();
        assert_eq!(e["code"], "forbidden", "{cmd}: {e}");
    }
    assert!(!d.path().join("reports").exists(), "no report was written");
    // The manager's shift commands work for a cashier's own shift.
    let s = call(&w, "open_shift", json!({"float": "200"})).unwrap();
    assert_eq!(s["float"]["minor"], 20000);
    let closed = call(&w, "close_shift", json!({"counts": [{"denomination": 10000, "pieces": 2}]})).unwrap();
    assert_eq!(closed["status"], "balanced");
    // A manager gets the Z through the same layer.
    call(&w, "logout", json!({})).unwrap();
    call(&w, "login", json!({"person": 1, "pin": "2580"})).unwrap();
    let z = call(&w, "z_report", json!({})).unwrap();
    assert_eq!(z["z_no"], 1);
    assert_eq!(call(&w, "z_numbers", json!({})).unwrap(), json!([1]));
    let bad = call(&w, "close_shift", json!({"counts": [{"denomination": 300, "pieces": 1}]})).unwrap_err();
    assert_eq!(bad["code"], "bad_input");
}

#[test]
fn the_shell_loads_nothing_remote_and_allows_only_its_own_commands() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let conf: Value = serde_json::from_str(&std::fs::read_to_string(root.join("tauri.conf.json")).unwrap()).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP is set");
    let directives: std::collections::HashMap<&str, Vec<&str>> = csp
        .split(';')
        .filter_map(|d| {
            let mut parts = d.split_whitespace();
            Some((parts.next()?, parts.collect()))
        })
        .collect();
    assert_eq!(directives["default-src"], vec!["'self'"]);
    assert_eq!(directives["script-src"], vec!["'self'"], "no inline or eval'd script");
    assert_eq!(directives["object-src"], vec!["'none'"]);
    assert_eq!(directives["frame-ancestors"], vec!["'none'"]);
    for (name, sources) in &directives {
        for s in sources {
            assert!(!s.contains("unsafe-eval"), "{name}: {s}");
            // Only Tauri's own IPC may be reached; no remote origin of any kind.
            let remote = (s.starts_with("http:") || s.starts_with("https:") || s.starts_with("ws") || *s == "*" || s.contains("*.")) && *s != "http://ipc.localhost";
            assert!(!remote, "{name} allows {s}");
        }
    }
    assert!(conf["app"]["security"]["dangerousDisableAssetCspModification"].is_null());
    assert!(conf["app"]["withGlobalTauri"].is_null() || conf["app"]["withGlobalTauri"] == false);
    assert_eq!(conf["build"]["frontendDist"], "../ui/dist", "the UI is the bundled one");
    for w in conf["app"]["windows"].as_array().unwrap() {
        assert!(w["url"].is_null() || !w["url"].as_str().unwrap().starts_with("http"), "a window loads remote content");
    }
    let dir = root.join("capabilities");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "one capability file");
    let cap: Value = serde_json::from_str(&std::fs::read_to_string(files[0].path()).unwrap()).unwrap();
    assert_eq!(cap["windows"], json!(["main"]));
    assert_eq!(cap["permissions"], json!(["core:event:default"]), "the window gets events and Airtill's own commands, nothing of the OS");
    assert!(cap["remote"].is_null(), "no remote origin may call commands");
}

/// A random JSON value that cannot pass for any command's argument: strings always
/// hold a character no amount, PIN, number or name check accepts.
fn junk(rng: &mut rand::rngs::StdRng, depth: u32) -> Value {
    use rand::Rng;
    let pick = rng.random_range(0..if depth > 2 { 5 } else { 7 });
    match pick {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random_range(-1_000_000_000_000i64..1_000_000_000_000)),
        3 => json!(rng.random::<f64>() * 1e9 - 5e8),
        4 => {
            let pool = ["\u{0}", "\u{202e}", "'; DROP TABLE sales; --", "../../etc/passwd", "%00", "\u{1F4A9}", "<script>", "${7*7}", "\n\r\t"];
            let mut s: String = (0..rng.random_range(0..40)).map(|_| char::from(rng.random_range(32u8..127))).collect();
            s.push_str(pool[rng.random_range(0..pool.len())]);
            json!(s)
        }
        5 => Value::Array((0..rng.random_range(0..4)).map(|_| junk(rng, depth + 1)).collect()),
        _ => {
            let keys = [
                "pin",
                "float",
                "counts",
                "request",
                "saleId",
                "zNo",
                "from",
                "to",
                "query",
                "format",
                "paper",
                "name",
                "role",
                "settings",
                "minutes",
                "kindKey",
                "providers",
                "input",
                "refresh",
                "x",
            ];
            let mut m = serde_json::Map::new();
            for _ in 0..rng.random_range(0..4) {
                m.insert(keys[rng.random_range(0..keys.len())].to_string(), junk(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

#[test]
fn ten_thousand_random_payloads_make_no_panic_and_no_write() {
    use rand::SeedableRng;
    let (_app, w, d) = setup();
    call(&w, "login", json!({"person": 2, "pin": "1234"})).unwrap();
    let counts = || {
        let db = rusqlite::Connection::open(d.path().join("airtill.db")).unwrap();
        ["sales", "sale_events", "users", "shifts", "z_reports", "reprints", "overrides", "settings", "routes", "audit"]
            .map(|t| db.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get::<_, i64>(0)).unwrap())
    };
    let before = counts();
    let cfg = ts_rs::Config::new().with_large_int("number");
    // Logging in and out changes who is at the till, by design; everything else is fair game.
    let names: Vec<&str> = airtill_desktop::bindings::commands(&cfg).into_iter().map(|c| c.name).filter(|n| !["login", "logout"].contains(n)).collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261123);
    let n: usize = std::env::var("AIRTILL_PAYLOADS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mut refused = 0;
    let mut answered = std::collections::BTreeSet::new();
    for i in 0..n {
        let cmd = names[i % names.len()];
        let args = match junk(&mut rng, 0) {
            Value::Object(m) => Value::Object(m),
            other => json!({ "x": other }),
        };
        if let Err(e) = call(&w, cmd, args.clone()) {
            // Our own `{code, message}`, or Tauri's refusal of arguments that do not
            // fit the command's types: never a crash.
            assert!(e.get("code").is_some() || e.is_string(), "{cmd} {args}: {e}");
            refused += 1;
        } else {
            answered.insert(cmd);
        }
    }
    assert_eq!(counts(), before, "nothing was written");
    eprintln!("{refused} of {n} refused; answered: {answered:?}");
    // Only the readers that take no arguments may answer junk (they ignore it).
    let readers = [
        "setup_needed",
        "login_people",
        "update_status",
        "status",
        "sales_today",
        "waiting_sales",
        "my_shift",
        "network_health",
        "wallet_balance",
        "wallets",
        "catalog",
        "stock_levels",
        "stock_orders",
        "quick_keys",
        "counter_totals",
        "counter_settings",
    ];
    assert!(answered.iter().all(|c| readers.contains(c)), "junk was accepted by {answered:?}");
    assert!(refused > n * 3 / 4, "{refused} of {n} refused");
}

#[test]
fn a_new_till_answers_only_the_setup_until_it_is_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let tauri_app = airtill_desktop::configure(mock_builder()).manage(Shell::not_set_up(dir.path().to_path_buf())).build(mock_context(noop_assets())).unwrap();
    let w = WebviewWindowBuilder::new(&tauri_app, "main", Default::default()).build().unwrap();
    assert_eq!(call(&w, "setup_needed", json!({})).unwrap(), json!(true));
    assert_eq!(call(&w, "status", json!({})).unwrap_err()["code"], "not_set_up");
    assert_eq!(call(&w, "login", json!({"person": 1, "pin": "2580"})).unwrap_err()["code"], "not_set_up");
    let live = json!({"request": {"kind": "live", "shop_name": "Spaza", "address": "", "vat_number": "", "till_id": "T1", "time_zone": "",
        "owner_name": "Thandi", "manager_pin": "58293", "manager_pin_again": "58293", "smartcall": null}});
    let e = call(&w, "complete_setup", live).unwrap_err();
    assert_eq!(e["code"], "bad_input");
    assert!(e["message"].as_str().unwrap().contains("at least 6"), "{e}");
    assert_eq!(call(&w, "setup_needed", json!({})).unwrap(), json!(true), "nothing saved");
    let practice = json!({"request": {"kind": "practice", "shop_name": "", "address": "", "vat_number": "", "till_id": "", "time_zone": "",
        "owner_name": "", "manager_pin": "", "manager_pin_again": "", "smartcall": null}});
    let done = call(&w, "complete_setup", practice.clone()).unwrap();
    assert_eq!(done["people"], json!(["Lindiwe", "Thabo"]));
    assert_eq!(call(&w, "setup_needed", json!({})).unwrap(), json!(false));
    assert_eq!(call(&w, "complete_setup", practice).unwrap_err()["code"], "bad_input", "once");
    assert_eq!(call(&w, "login", json!({"person": 1, "pin": "2580"})).unwrap()["role"], "manager");
    let people = call(&w, "people", json!({})).unwrap();
    assert_eq!(people.as_array().unwrap().len(), 2);
    let tauri_state = tauri::Manager::state::<Shell>(&tauri_app);
    tauri::async_runtime::block_on(tauri_state.app().unwrap().shutdown());
}
