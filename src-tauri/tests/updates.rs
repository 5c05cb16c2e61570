//! Signed updates through the real updater plugin (Tauri's mock runtime, no display): a
//! newer package served from loopback with its signature is downloaded, checked and
//! kept to install at close; one whose signature does not match the app's key is
//! refused and nothing waits; the same version is no update.
//!
//! The package is the one `make package` built (`AIRTILL_PACKAGE_DEB`, set by `make
//! test`), or any file when run alone; the keys are made here with the Tauri CLI, never
//! committed.

use airtill_desktop::updates::{self, Updates};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use tauri::test::{mock_builder, mock_context, noop_assets};
use tauri::Manager;

fn tauri_cli() -> PathBuf {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/.bin/tauri");
    assert!(cli.exists(), "{} is missing: `make test` installs the UI's packages", cli.display());
    cli
}

/// A key pair made with `tauri signer generate`: (private key file, public key text).
fn key_pair(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let out = Command::new(tauri_cli()).args(["signer", "generate", "--ci", "-p", "", "-f", "-w"]).arg(&key).env("CI", "true").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    (key, public.trim().to_string())
}

/// The signature `tauri signer sign` makes for `file` with `key`.
fn sign(file: &Path, key: &Path) -> String {
    let out = Command::new(tauri_cli()).args(["signer", "sign", "-p", "", "-f"]).arg(key).arg(file).env_remove("TAURI_SIGNING_PRIVATE_KEY").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(format!("{}.sig", file.display())).unwrap().trim().to_string()
}

/// Serves `routes` (path → body) on loopback until the process ends; its base URL.
fn serve(routes: Vec<(String, Vec<u8>)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            match routes.iter().find(|(p, _)| *p == path) {
                Some((p, body)) => {
                    let kind = if p.ends_with(".json") { "application/json" } else { "application/octet-stream" };
                    let _ = write!(s, "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                    let _ = s.write_all(body);
                }
                None => {
                    let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                }
            }
        }
    });
    base
}

fn latest(version: &str, url: &str, signature: &str) -> Vec<u8> {
    serde_json::json!({
        "version": version,
        "notes": "test",
        "pub_date": "2026-12-02T00:00:00Z",
        "platforms": { "linux-x86_64-deb": { "url": url, "signature": signature }, "linux-x86_64": { "url": url, "signature": signature } }
    })
    .to_string()
    .into_bytes()
}

#[test]
fn a_newer_signed_package_is_kept_for_close_and_a_bad_signature_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let package = match std::env::var_os("AIRTILL_PACKAGE_DEB") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = dir.path().join("Airtill_9.9.9_amd64.deb");
            std::fs::write(&p, b"!<arch>\ndebian-binary   a stand-in package for a run without make package\n").unwrap();
            p
        }
    };
    let copy = dir.path().join("pkg.deb");
    std::fs::copy(&package, &copy).unwrap();
    let bytes = std::fs::read(&copy).unwrap();
    let (good_key, public) = key_pair(dir.path(), "shop.key");
    let (other_key, _) = key_pair(dir.path(), "stranger.key");
    let good = sign(&copy, &good_key);
    let bad = sign(&copy, &other_key);

    let base = serve(vec![("/pkg.deb".into(), bytes.clone())]);
    let pkg_url = format!("{base}/pkg.deb");
    let lists = serve(vec![("/good.json".into(), latest("9.9.9", &pkg_url, &good)), ("/bad.json".into(), latest("9.9.9", &pkg_url, &bad)), ("/same.json".into(), latest("0.1.0", &pkg_url, &good))]);

    // The app as built, its updater keyed to the shop's public key (plain http allowed
    // for this loopback test only).
    let mut ctx = mock_context(noop_assets());
    ctx.config_mut().version = Some("0.1.0".into());
    ctx.config_mut().plugins.0.insert("updater".into(), serde_json::json!({ "pubkey": public, "dangerousInsecureTransportProtocol": true }));
    let app = airtill_desktop::configure(mock_builder()).plugin(tauri_plugin_updater::Builder::new().build()).build(ctx).unwrap();
    let handle = app.handle().clone();

    // Not newer: nothing to do.
    let same = tauri::async_runtime::block_on(updates::check(&handle, &format!("{lists}/same.json"))).unwrap();
    assert_eq!(same, None);

    // A signature by another key: refused, nothing waits for close.
    let refused = tauri::async_runtime::block_on(updates::check(&handle, &format!("{lists}/bad.json"))).unwrap_err();
    assert!(refused.contains("refused") && refused.to_lowercase().contains("signature"), "{refused}");
    assert_eq!(app.state::<Updates>().status().ready, None);

    // The shop's own signature: downloaded, checked, ready to install at close.
    let ready = tauri::async_runtime::block_on(updates::check(&handle, &format!("{lists}/good.json"))).unwrap();
    assert_eq!(ready.as_deref(), Some("9.9.9"));
    assert_eq!(app.state::<Updates>().status().ready.as_deref(), Some("9.9.9"));

    // A supplier that cannot be reached: said, the update already checked still waits.
    let e = tauri::async_runtime::block_on(updates::check(&handle, "http://127.0.0.1:9/latest.json")).unwrap_err();
    assert!(e.contains("could not be read"), "{e}");
    assert_eq!(app.state::<Updates>().status().ready.as_deref(), Some("9.9.9"));
}
