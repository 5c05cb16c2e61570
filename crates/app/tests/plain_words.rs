//! Every text a cashier or a manager can see is in plain words: no SQL, no Rust debug
//! output, no report keys, no "(s)". This scans the window's texts (the Svelte
//! markup's text and the strings of its scripts) and the messages of the use-case
//! layer, the engine and the printer (error texts, `format!` strings, the command
//! line's output), and fails on the words a person should never be shown.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// Words that are never a person's: SQL and SQLite's settings, Rust's debug output
/// and process status, the lazy plural.
const NEVER: [&str; 12] = ["(s)", "PRAGMA", "synchronous=", "WAL journal", "ExitStatus", "unix_wait_status", "Launcher \"", "{:?}", ":?}", "{:#?}", "SELECT ", "rusqlite"];

fn banned(text: &str) -> Option<&'static str> {
    NEVER.iter().copied().find(|w| text.contains(w))
}

/// The string literals of a line of Rust (plain `"..."` ones; enough for messages).
fn literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '/' && line[i..].starts_with("//") {
            break;
        }
        if c == '\'' {
            // A char literal such as '"' is not the start of a string.
            if line[i..].len() >= 3 && (line[i + 1..].starts_with("\"'") || line[i + 1..].starts_with("\\\"'")) {
                chars.next();
                chars.next();
            }
            continue;
        }
        if c == '"' {
            let mut s = String::new();
            let mut escaped = false;
            for (_, d) in chars.by_ref() {
                if escaped {
                    s.push(d);
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == '"' {
                    break;
                } else {
                    s.push(d);
                }
            }
            out.push(s);
        }
    }
    out
}

/// Lines that never reach a person: logs, developers' panics and checks.
fn developers_only(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("//")
        || t.starts_with("#[cfg")
        || ["tracing::", "debug!(", "info!(", "warn!(", "error!(", "trace!(", ".expect(", "panic!(", "assert", "unreachable!(", "debug_assert", "#[ts(", "#[serde(", "#[arg(", "#[command("]
            .iter()
            .any(|w| line.contains(w))
}

#[test]
fn the_messages_people_see_are_in_plain_words() {
    let mut sources = Vec::new();
    for dir in ["crates/app/src", "crates/engine/src", "crates/print/src", "src-tauri/src"] {
        files(&root().join(dir), "rs", &mut sources);
    }
    let mut found = Vec::new();
    for path in sources {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with("_tests.rs") || name == "tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // A file's unit tests start at its `#[cfg(test)]` module.
        let text = text.split("\n#[cfg(test)]").next().unwrap();
        for (n, line) in text.lines().enumerate() {
            if developers_only(line) {
                continue;
            }
            for lit in literals(line) {
                if let Some(w) = banned(&lit) {
                    found.push(format!("{}:{}: {w:?} in {lit:?}", path.strip_prefix(root()).unwrap_or(&path).display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "texts a person can see that are not in plain words:\n{}", found.join("\n"));
}

/// The text of a Svelte file a person sees: the markup outside tags (interpolations
/// kept as `{...}`), and the string literals of its script.
fn markup_text(svelte: &str) -> (String, Vec<String>) {
    let mut script = String::new();
    let mut rest = svelte.to_string();
    while let Some(a) = rest.find("<script") {
        let b = rest[a..].find("</script>").map(|b| a + b + 9).unwrap_or(rest.len());
        script.push_str(&rest[a..b]);
        rest.replace_range(a..b, "");
    }
    while let Some(a) = rest.find("<style") {
        let b = rest[a..].find("</style>").map(|b| a + b + 8).unwrap_or(rest.len());
        rest.replace_range(a..b, "");
    }
    // Outside tags only: a tag's attributes may hold `=>` and braces.
    let mut text = String::new();
    let bytes: Vec<char> = rest.chars().collect();
    let (mut i, mut in_tag, mut depth, mut quote) = (0, false, 0i32, None::<char>);
    while i < bytes.len() {
        let c = bytes[i];
        if in_tag {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'' | '`') => quote = Some(c),
                (None, '{') => depth += 1,
                (None, '}') => depth -= 1,
                (None, '>') if depth == 0 => {
                    in_tag = false;
                    text.push(' ');
                }
                _ => {}
            }
        } else if c == '<' && bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!') {
            in_tag = true;
        } else {
            text.push(c);
        }
        i += 1;
    }
    let strings = script.lines().filter(|l| !["//", "/*", "*"].iter().any(|c| l.trim_start().starts_with(c))).flat_map(literals).collect();
    (text, strings)
}

#[test]
fn the_windows_texts_are_in_plain_words() {
    let mut paths = Vec::new();
    files(&root().join("ui/src"), "svelte", &mut paths);
    let mut ts = Vec::new();
    files(&root().join("ui/src"), "ts", &mut ts);
    let mut found = Vec::new();
    // A value the Rust side sends as a key (a provider's id, a role, a state, a kind)
    // is shown through a function that words it, never bare in the text.
    let raw_key = regex::Regex::new(r"\{\s*[A-Za-z_][A-Za-z_0-9.?!]*\.(provider|providers|role|state|kind|kind_key|tender|mode|code)\s*\}").unwrap();
    for path in &paths {
        let (text, strings) = markup_text(&std::fs::read_to_string(path).unwrap());
        let file = path.strip_prefix(root()).unwrap().display().to_string();
        for w in NEVER {
            if text.contains(w) {
                found.push(format!("{file}: {w:?} in the markup"));
            }
        }
        for m in raw_key.find_iter(&text) {
            found.push(format!("{file}: {} shows a key as it is: word it (words.ts)", m.as_str()));
        }
        for s in strings {
            if let Some(w) = banned(&s) {
                found.push(format!("{file}: {w:?} in {s:?}"));
            }
        }
    }
    for path in ts.iter().filter(|p| !p.ends_with("bindings.ts")) {
        let text = std::fs::read_to_string(path).unwrap();
        for line in text.lines().filter(|l| !["//", "/*", "*"].iter().any(|c| l.trim_start().starts_with(c))) {
            for s in literals(line) {
                if let Some(w) = banned(&s) {
                    found.push(format!("{}: {w:?} in {s:?}", path.strip_prefix(root()).unwrap().display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "window texts that are not in plain words:\n{}", found.join("\n"));
}

#[test]
fn the_scan_finds_what_it_forbids() {
    // The scanners themselves: a bad text in each place is found.
    let (text, strings) = markup_text("<script>let a = \"3 sale(s)\";</script>\n<p class={x ? \"a\" : \"b\"} onclick={() => go()}>{w.provider} PRAGMA</p>");
    assert!(text.contains("{w.provider}") && text.contains("PRAGMA") && !text.contains("onclick"), "{text}");
    assert_eq!(strings, vec!["3 sale(s)".to_string()]);
    assert_eq!(literals(r#"format!("{a:?} and \"b\"", x) // "c""#), vec!["{a:?} and \"b\"".to_string()]);
    assert_eq!(banned("state {:?}"), Some("{:?}"));
    assert!(developers_only("    tracing::warn!(\"x {e:?}\")"));
}
