//! The reports over a year of a busy shop (1,000,000 sales by default), next to the
//! same aggregates run by the `sqlite3` command-line tool with hand-written queries on
//! the same file. Goal: each report within 1.5x of sqlite3.
//!
//! `cargo bench --workspace --bench reports` (`-- 200000` for fewer sales). The ledger
//! is made once by the generator (`airtill-gen-ledger`'s code) under
//! `target/bench-ledger-<sales>/` and reused; delete it to make it anew.

use airtill_app::{Airtill, OpenOptions, DEMO_MANAGER};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs `sql` in the sqlite3 tool with `.timer on` and returns the sum of its
/// statements' real times (the tool's own start-up and printing left out).
fn sqlite3_time(db: &std::path::Path, sql: &str) -> Duration {
    use std::io::Write;
    let mut child = Command::new("sqlite3")
        .args(["-cmd", ".timer on"])
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sqlite3 is installed (make installs it)");
    child.stdin.take().expect("stdin").write_all(sql.as_bytes()).expect("sql to sqlite3");
    let out = child.wait_with_output().expect("sqlite3 ran");
    assert!(out.status.success(), "sqlite3: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let secs: f64 = text.lines().filter_map(|l| l.strip_prefix("Run Time: real ")).filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok()).sum();
    Duration::from_secs_f64(secs)
}

/// The figures of a report, hand-written for the sqlite3 tool: `cond` picks the sales.
fn report_sql(cond: &str, offset_ms: i64) -> String {
    let sums = "COUNT(*), SUM(amount_minor), SUM(COALESCE(cost_e4, amount_minor * 100))";
    let mut sql = String::new();
    for key in ["'all'", "network_name", "product_kind", "provider", "tender", &format!("((created_ms + {offset_ms}) / 3600000) % 24")] {
        sql += &format!("SELECT {key}, currency, {sums} FROM sales WHERE state = 'succeeded' AND {cond} GROUP BY 1, 2;\n");
    }
    sql += &format!("SELECT u.name, s.currency, COUNT(*), SUM(s.amount_minor), SUM(COALESCE(s.cost_e4, s.amount_minor * 100)) FROM sales s JOIN users u ON u.id = s.user_id WHERE s.state = 'succeeded' AND {} GROUP BY 1, 2;\n", cond.replace("created_ms", "s.created_ms").replace("id ", "s.id "));
    sql += &format!("SELECT currency, COUNT(*), SUM(amount_minor) FROM sales WHERE state = 'failed' AND {cond} GROUP BY 1;\n");
    sql += &format!("SELECT * FROM sales WHERE {cond} AND state IN ('created', 'submitting', 'pending', 'in_doubt');\n");
    sql += &format!("SELECT * FROM sales WHERE {cond} AND state IN ('cancelled', 'reversed');\n");
    sql
}

fn main() {
    let sales: i64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let target = std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join(format!("bench-ledger-{sales}"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    if !dir.join("airtill.db").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        rt.block_on(airtill_app::office::generate_ledger(&dir, sales, 365, 1)).unwrap();
        println!("generated {sales} sales over 365 days in {:.1} s", t.elapsed().as_secs_f64());
    }
    let db = dir.join("airtill.db");
    rt.block_on(async {
        let app = Airtill::open(OpenOptions { data_dir: dir.clone() }).await.unwrap();
        let m = app.login(DEMO_MANAGER.1).unwrap();
        let offset = airtill_app::time::offset_ms_at(airtill_app::time::now_ms());

        // The Z: everything since the last Z (a day). x_report computes exactly what a
        // Z would, without closing the day, so it can run again and again.
        let (after, upto) = app.z_window_for_bench(&m).unwrap();
        let _ = app.x_report(&m).await.unwrap();
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let r = app.x_report(&m).await.unwrap();
            assert!(!r.sold.is_empty());
            runs.push(t.elapsed());
        }
        let z_app = median(runs);
        let z_sql = report_sql(&format!("id > {after} AND id <= {upto}"), offset);
        let _ = sqlite3_time(&db, &z_sql);
        let z_cli = median((0..RUNS).map(|_| sqlite3_time(&db, &z_sql)).collect());

        // A month: the last 30 local days.
        let to = airtill_app::time::date_at(airtill_app::time::now_ms());
        let from = to - chrono::Days::new(29);
        let (f, t) = (from.to_string(), to.to_string());
        let (from_ms, to_ms) = app.period_bounds_for_bench(&f, &t).unwrap();
        let _ = app.period_report(&m, &f, &t).unwrap();
        let month_app = median(
            (0..RUNS)
                .map(|_| {
                    let t0 = Instant::now();
                    let r = app.period_report(&m, &f, &t).unwrap();
                    assert!(!r.sold.is_empty());
                    t0.elapsed()
                })
                .collect(),
        );
        let month_sql = report_sql(&format!("created_ms >= {from_ms} AND created_ms < {to_ms}"), offset);
        let _ = sqlite3_time(&db, &month_sql);
        let month_cli = median((0..RUNS).map(|_| sqlite3_time(&db, &month_sql)).collect());
        app.shutdown().await;

        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("reports over {sales} sales (median of {RUNS}):");
        println!("  Z (one day, {} sales):  airtill {:>8.1} ms   sqlite3 {:>8.1} ms   ratio {:.2}", upto - after, ms(z_app), ms(z_cli), ms(z_app) / ms(z_cli));
        println!("  month (30 days):         airtill {:>8.1} ms   sqlite3 {:>8.1} ms   ratio {:.2}", ms(month_app), ms(month_cli), ms(month_app) / ms(month_cli));
        println!("  goal: ratio <= 1.5");
    });
}
