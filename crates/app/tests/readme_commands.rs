//! Every `airtill …` line in README.md, run as written (in README's order) against a
//! practice till in a fresh data folder. A usage error (clap's exit code 2: an
//! argument the command does not take, one missing) fails the test; a command may
//! still fail for what it finds (no receipt printer at 192.168.1.50, no /media/usb),
//! which is printed. The lines that must work on a practice till are named below.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The command lines in README's code blocks: continuation lines joined, comments cut.
fn readme_lines() -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let line = line.trim();
        if pending.is_empty() && !line.starts_with("airtill ") && line != "airtill" {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => pending.push_str(head),
            None => {
                pending.push_str(line);
                out.push(std::mem::take(&mut pending));
            }
        }
    }
    out
}

/// Splits a line as a shell would (quotes, a `#` comment after a space).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    let mut prev_space = true;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                started = true;
            }
            None if c == '#' && prev_space => break,
            None if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            None => {
                word.push(c);
                started = true;
            }
        }
        prev_space = quote.is_none() && c.is_whitespace();
    }
    if started {
        out.push(word);
    }
    out
}

#[test]
fn every_command_line_in_the_readme_runs_as_written() {
    let lines = readme_lines();
    assert!(lines.len() > 40, "README's command lines were not found ({} lines)", lines.len());
    let dir = tempfile::tempdir().unwrap();
    let (mut ok, mut refused) = (Vec::new(), Vec::new());
    for line in &lines {
        let w = words(line);
        // Placeholders (`<clientRef>`) stand for a value the reader fills in.
        let args: Vec<String> = w[1..].iter().map(|a| if a.starts_with('<') && a.ends_with('>') { "not-a-reference".to_string() } else { a.clone() }).collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_airtill"))
            .args(&args)
            .current_dir(dir.path())
            .env("AIRTILL_DATA_DIR", dir.path())
            .env_remove("AIRTILL_PIN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("`{line}` did not end in 60 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_ne!(out.status.code(), Some(2), "`{line}` is not a command line airtill takes:\n{stderr}");
        assert!(!stderr.contains("Usage:"), "`{line}`:\n{stderr}");
        if out.status.success() {
            ok.push(line.clone());
        } else {
            refused.push((line.clone(), stderr.trim().lines().last().unwrap_or("").to_string()));
        }
    }
    println!("{} of {} README command lines succeeded on a practice till; these said why not:", ok.len(), lines.len());
    for (l, why) in &refused {
        println!("  {l}\n      {why}");
    }
    // What a practice till must do as README shows it.
    let must = [
        "airtill setup --practice",
        "airtill status",
        "airtill shift open 200 --pin 1234",
        "airtill sell --pin 1234 --product 165 --to \"083 123 4567\"",
        "airtill people add --name Zanele --role cashier --new-pin 4821 --pin 2580",
        "airtill people pin --new-pin 5829 --pin 7391",
        "airtill shift close --shift 2 --count 200x2 --count 100x1 --pin 2580",
        "airtill report x --pin 2580",
        "airtill report z --pin 2580 --format pdf --out z.pdf",
        "airtill doctor --pin 2580",
        "airtill stock --pin 1234 sell --product 176 --to \"083 123 4567\"",
    ];
    for m in must {
        assert!(ok.iter().any(|l| l.starts_with(m)), "`{m}` did not succeed: {:?}", refused.iter().find(|(l, _)| l.starts_with(m)));
    }
}

#[test]
fn words_are_split_as_a_shell_would() {
    assert_eq!(words(r#"airtill sell --to "083 123 4567"   # a comment"#), vec!["airtill", "sell", "--to", "083 123 4567"]);
    assert_eq!(words("airtill decide 42 not-sold --reason 'MX support: credit#1'"), vec!["airtill", "decide", "42", "not-sold", "--reason", "MX support: credit#1"]);
}
