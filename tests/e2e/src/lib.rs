//! A harness for real-window tests: starts tauri-driver (which starts the real app
//! through WebKitWebDriver) with a private data folder, and stops it with SIGTERM so no
//! WebKitWebDriver is orphaned.

use fantoccini::{elements::Element, Client, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Driver {
    child: Child,
    pub port: u16,
    pub data_dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The app binary the test drives: `$AIRTILL_APP_BINARY` or `target/debug/airtill-desktop`.
pub fn app_binary() -> PathBuf {
    std::env::var_os("AIRTILL_APP_BINARY").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target/debug/airtill-desktop"))
}

fn tauri_driver() -> PathBuf {
    std::env::var_os("AIRTILL_TAURI_DRIVER").map(PathBuf::from).unwrap_or_else(|| workspace_root().join(".tools/bin/tauri-driver"))
}

impl Driver {
    pub fn start() -> Driver {
        // Two TLS providers are built in (aws-lc-rs and the updater's ring): pick one.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let binary = app_binary();
        assert!(binary.exists(), "{} is missing: build the app first (make test does)", binary.display());
        let driver = tauri_driver();
        assert!(driver.exists(), "{} is missing: make test installs it", driver.display());
        assert!(std::env::var_os("DISPLAY").is_some(), "no DISPLAY: run under xvfb-run (make test does)");
        let data_dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let native_port = free_port();
        let child = Command::new(driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string(), "--native-driver", "/usr/bin/WebKitWebDriver"])
            .env("AIRTILL_DATA_DIR", data_dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port, data_dir }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn capabilities() -> serde_json::Map<String, serde_json::Value> {
        let caps = serde_json::json!({
            "browserName": "wry",
            "tauri:options": { "application": app_binary().display().to_string() }
        });
        caps.as_object().unwrap().clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM lets tauri-driver stop WebKitWebDriver and the app; SIGKILL would orphan them.
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// WebDriver's keys, as a person presses them.
pub const ENTER: &str = "\u{E007}";
pub const TAB: &str = "\u{E004}";
pub const DOWN: &str = "\u{E015}";
pub const UP: &str = "\u{E013}";
pub const F2: &str = "\u{E032}";
pub const F3: &str = "\u{E033}";
pub const F4: &str = "\u{E034}";
pub const F5: &str = "\u{E035}";
pub const F6: &str = "\u{E036}";
pub const F8: &str = "\u{E038}";
/// Alt held down until NULL lets the modifiers go: `ALT + "1" + NULL` is Alt+1.
pub const ALT: &str = "\u{E00A}";
pub const NULL: &str = "\u{E000}";
pub const F9: &str = "\u{E039}";
pub const ESC: &str = "\u{E00C}";

/// The element matching `css`, once it is there (30 s at most).
pub async fn wait(c: &Client, css: &str) -> Element {
    c.wait().at_most(Duration::from_secs(30)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

/// The element with this `data-testid`, once it is there.
pub async fn testid(c: &Client, id: &str) -> Element {
    wait(c, &format!("[data-testid='{id}']")).await
}

/// Keys for the element that has the focus, as a person types them (no clicks).
pub async fn keys(c: &Client, text: &str) {
    c.active_element().await.unwrap().send_keys(text).await.unwrap();
}

/// Waits until the element with this test id has the keyboard's focus.
pub async fn focused(c: &Client, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let active = c.execute("return document.activeElement ? document.activeElement.getAttribute('data-testid') : null;", vec![]).await.unwrap();
        if active.as_str() == Some(id) {
            return;
        }
        assert!(Instant::now() < deadline, "{id} never got the focus (it is on {active})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
