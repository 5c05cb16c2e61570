//! The installed package, driven through its real window: `make test` builds the
//! `.deb` (`make package`), installs it (`dpkg -i` as root, else `dpkg -x` into a
//! temporary root), and runs this with `AIRTILL_APP_BINARY` at the installed
//! `airtill-desktop` and `AIRTILL_INSTALLED_CLI` at the installed `airtill`. A fresh
//! data folder: the setup screen, a practice till, the cashier logs in, opens the shift
//! and sells an MTN R12 voucher by keyboard; the PIN on screen is the ledger's; the
//! window and the command line say the package's version.
//!
//! Apart from the debug-build scenes (`real_window.rs`) so a packaging break names itself.

use airtill_e2e::{app_binary, focused, keys, testid, Driver, DOWN, ENTER, F3};
use fantoccini::{Client, ClientBuilder, Locator};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the installed package, a display and tauri-driver: run by `make test`"]
async fn the_installed_package_sets_up_and_sells_through_its_window() {
    let binary = app_binary();
    assert!(std::env::var_os("AIRTILL_APP_BINARY").is_some(), "AIRTILL_APP_BINARY must name the installed app (make test sets it)");
    let version = env!("CARGO_PKG_VERSION");
    // The command line installed beside it says the same version.
    let cli = std::env::var("AIRTILL_INSTALLED_CLI").expect("AIRTILL_INSTALLED_CLI names the installed airtill");
    let out = std::process::Command::new(&cli).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("airtill {version}"), "{cli}");

    let driver = Driver::start();
    let c = ClientBuilder::rustls().unwrap().capabilities(Driver::capabilities()).connect(&driver.url()).await.expect("a WebDriver session");
    let result = sell(&c, &driver, version).await;
    let _ = c.close().await;
    drop(driver);
    result.unwrap();
    eprintln!("installed app {} sold through its window", binary.display());
}

async fn sell(c: &Client, driver: &Driver, version: &str) -> Result<(), String> {
    testid(c, "setup-screen").await;
    focused(c, "setup-practice").await;
    keys(c, ENTER).await;
    testid(c, "setup-done").await;
    focused(c, "setup-continue").await;
    keys(c, ENTER).await;
    assert_eq!(testid(c, "app-version").await.text().await.unwrap(), format!("Airtill {version}"));
    assert!(testid(c, "training-banner").await.text().await.unwrap().contains("TRAINING"));
    testid(c, "login-person-Thabo").await.click().await.unwrap();
    testid(c, "pin-input").await.send_keys(&format!("1234{ENTER}")).await.unwrap();
    focused(c, "sell-shift-float").await;
    keys(c, &format!("200{ENTER}")).await;
    focused(c, "number-input").await;
    keys(c, "0831234567").await;
    c.wait().at_most(Duration::from_secs(30)).for_element(Locator::Css("[data-testid='network-MTN'].selected")).await.unwrap();
    // The voucher group by F3, then down the list to the R12.
    for _ in 0..6 {
        if c.find(Locator::Css("[data-testid='group-voucher'].selected")).await.is_ok() {
            break;
        }
        keys(c, F3).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    testid(c, "group-voucher").await;
    for _ in 0..30 {
        if c.find(Locator::Css("[data-name='MTN Airtime R12'].selected")).await.is_ok() {
            break;
        }
        keys(c, DOWN).await;
        tokio::time::sleep(Duration::from_millis(80)).await;
    }
    c.find(Locator::Css("[data-name='MTN Airtime R12'].selected")).await.map_err(|e| format!("R12 not chosen: {e}"))?;
    keys(c, ENTER).await;
    focused(c, "confirm-sell").await;
    keys(c, ENTER).await;
    let pin = testid(c, "result-pin").await.text().await.unwrap().replace(' ', "");
    let db = rusqlite::Connection::open(driver.data_dir.path().join("airtill.db")).unwrap();
    let (state, receipt): (String, i64) = db.query_row("SELECT state, receipt_no FROM sales ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((state.as_str(), receipt), ("succeeded", 1));
    assert!(pin.len() >= 16, "{pin}");
    Ok(())
}
