//! `airtill-gen-ledger --data-dir DIR [--sales 1000000] [--days 365] [--seed 1]`:
//! a data folder holding a year of a busy shop, for the reports benchmark. The shop,
//! its people (the demo manager and cashier and two more cashiers), the sales with
//! their history, and a Z report at the close of every day but the last.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long, default_value_t = 1_000_000)]
    sales: i64,
    #[arg(long, default_value_t = 365)]
    days: i64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = Args::parse();
    let started = std::time::Instant::now();
    let g = airtill_app::office::generate_ledger(&a.data_dir, a.sales, a.days, a.seed).await?;
    println!("{} sales over {} days, a Z at each day's close, in {:.1} s: {}", g.sales, g.days, started.elapsed().as_secs_f64(), a.data_dir.join("airtill.db").display());
    Ok(())
}
