//! The `airtill` command line as a person uses it: `--pin` anywhere on the line, no PIN
//! and no terminal said plainly, `--out` never replacing a file without `--force`, and
//! amounts typed with anything but digits and one separator refused in words.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn airtill(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_airtill")).args(args).env("AIRTILL_DATA_DIR", dir).env_remove("AIRTILL_PIN").current_dir(dir).stdin(Stdio::null()).output().unwrap()
}

fn said(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn the_command_line_takes_pins_anywhere_and_never_overwrites_a_slip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let before = airtill(d, &["status"]);
    assert_eq!(before.status.code(), Some(1));
    assert!(said(&before).contains("not set up"), "{}", said(&before));
    assert!(airtill(d, &["setup", "--practice"]).status.success());
    assert!(airtill(d, &["setup", "--practice"]).status.code() == Some(1), "once");

    // --pin before or after the subcommand; with none and no terminal, said plainly.
    assert!(airtill(d, &["report", "--pin", "2580", "x"]).status.success());
    assert!(airtill(d, &["report", "x", "--pin", "2580"]).status.success());
    let none = airtill(d, &["report", "x"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(said(&none).contains("Give your PIN"), "{}", said(&none));

    // A cash sale needs the shift; amounts are digits and one separator only.
    let product = airtill_sandbox::smartcall::catalog::products().into_iter().find(|p| p.network == "MTN" && p.name == "MTN Airtime R12" && p.sms).unwrap().id.to_string();
    let no_shift = airtill(d, &["sell", "--product", &product, "--to", "0831234567", "--pin", "1234"]);
    assert!(said(&no_shift).contains("Open your shift"), "{}", said(&no_shift));
    for bad in ["7%", "R200", "+200", "2 00"] {
        let o = airtill(d, &["shift", "open", bad, "--pin", "1234"]);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        assert!(said(&o).contains("is not an amount"), "{bad}: {}", said(&o));
    }
    let long = "9".repeat(100_000);
    let o = airtill(d, &["shift", "open", &long, "--pin", "1234"]);
    assert!(said(&o).contains("100000 characters") && said(&o).len() < 400, "a long input is refused by its length, never echoed");
    assert!(airtill(d, &["shift", "open", "200,50", "--pin", "1234"]).status.success(), "a comma is a decimal separator");
    let sold = airtill(d, &["sell", "--product", &product, "--to", "0831234567", "--pin", "1234"]);
    assert!(sold.status.success(), "{}", said(&sold));

    // --out never replaces a file without --force.
    assert!(airtill(d, &["slip", "1", "--out", "slip.pdf", "--pin", "1234"]).status.success());
    std::fs::write(d.join("slip.pdf"), b"kept").unwrap();
    let again = airtill(d, &["slip", "1", "--out", "slip.pdf", "--pin", "1234"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(said(&again).contains("--force"), "{}", said(&again));
    assert_eq!(std::fs::read(d.join("slip.pdf")).unwrap(), b"kept", "nothing written");
    assert!(airtill(d, &["slip", "1", "--out", "slip.pdf", "--force", "--pin", "1234"]).status.success());
    assert!(std::fs::read(d.join("slip.pdf")).unwrap().starts_with(b"%PDF"));
    std::fs::write(d.join("x.csv"), b"kept").unwrap();
    let report = airtill(d, &["report", "x", "--format", "csv", "--out", "x.csv", "--pin", "2580"]);
    assert!(said(&report).contains("--force"), "{}", said(&report));
}

/// `--user` counts wrong PINs for that person alone: a cashier locked after five does
/// not lock the manager, who unlocks her.
#[test]
fn wrong_pins_lock_the_person_named_alone_and_a_manager_unlocks_them() {
    let dir = tempfile::tempdir().unwrap();
    assert!(airtill(dir.path(), &["setup", "--practice"]).status.success());
    for _ in 0..4 {
        let o = airtill(dir.path(), &["sales", "--user", "Thabo", "--pin", "9999"]);
        assert!(!o.status.success() && said(&o).contains("PIN"), "{}", said(&o));
    }
    let o = airtill(dir.path(), &["sales", "--user", "thabo", "--pin", "9999"]);
    assert!(said(&o).contains("locked"), "{}", said(&o));
    let o = airtill(dir.path(), &["sales", "--user", "Thabo", "--pin", "1234"]);
    assert!(!o.status.success() && said(&o).contains("locked"), "her right PIN waits too: {}", said(&o));
    let o = airtill(dir.path(), &["people", "list", "--user", "Lindiwe", "--pin", "2580"]);
    assert!(o.status.success() && said(&o).contains("locked until"), "{}", said(&o));
    let o = airtill(dir.path(), &["people", "unlock", "Thabo", "--user", "Lindiwe", "--pin", "2580"]);
    assert!(o.status.success(), "{}", said(&o));
    assert!(airtill(dir.path(), &["sales", "--user", "Thabo", "--pin", "1234"]).status.success());
    let o = airtill(dir.path(), &["sales", "--user", "Nobody", "--pin", "1234"]);
    assert!(said(&o).contains("Nobody called \"Nobody\""), "{}", said(&o));
}
