//! Logs: to the terminal and to a file rotated daily (the last 14 kept) in the OS's log
//! folder, or `<data>/logs` when `AIRTILL_DATA_DIR` is set. Every line is scrubbed
//! before it is written: passwords, tokens, voucher PINs and identity numbers never
//! reach a log, whoever wrote the line.

use regex::Regex;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// What is masked, and with what.
fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: &str| Regex::new(s).expect("a valid pattern");
        vec![
            // `Authorization: Bearer …`, `Basic …`
            (r(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), "$1 [redacted]"),
            // JSON and key=value secrets: password, token, pin, accessToken, idNumber …
            (r(r#"(?i)("?(?:password|passwd|secret|token|access_?token|refresh_?token|voucher_?pin|pin|id_?number|idNumber|passport(?:_?number)?)"?\s*[:=]\s*)("[^"]*"|[^\s,;}&]+)"#), "$1[redacted]"),
            // A run of 12 or more digits (voucher PINs, 13-digit SA identity numbers),
            // spaces or dashes between groups allowed. Cell numbers (11) stay readable.
            (r(r"\b\d(?:[ -]?\d){11,}\b"), "[redacted]"),
        ]
    })
}

/// The line with every secret masked.
pub fn redact(line: &str) -> String {
    let mut out = line.to_string();
    for (re, with) in patterns() {
        out = re.replace_all(&out, *with).into_owned();
    }
    out
}

/// A writer that scrubs each buffer before passing it on.
pub struct Scrubbed<W: Write>(W);

impl<W: Write> Write for Scrubbed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Makes [`Scrubbed`] writers around another maker's.
pub struct ScrubbedMaker<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for ScrubbedMaker<M> {
    type Writer = Scrubbed<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Scrubbed(self.0.make_writer())
    }
}

/// Where the log files go.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("AIRTILL_DATA_DIR") {
        return Some(PathBuf::from(d).join("logs"));
    }
    let p = directories::ProjectDirs::from("za.co", "Airtill", "airtill")?;
    Some(p.state_dir().unwrap_or_else(|| p.data_local_dir()).join("logs"))
}

/// Installs the logger (once per process): the terminal at `RUST_LOG` (else
/// `terminal_default`: `info` for the window, `warn` for the command line) and the
/// daily file in `dir` at `info`. Keep the guard for as long as the process runs: lines
/// still buffered are written when it drops.
pub fn init(dir: Option<&Path>, terminal_default: &str) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::Layer;
    let terminal_filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| terminal_default.into());
    let terminal = tracing_subscriber::fmt::layer().with_writer(ScrubbedMaker(std::io::stderr)).with_filter(terminal_filter);
    let mut guard = None;
    let file = dir.and_then(|d| {
        let built = std::fs::create_dir_all(d).map_err(|e| e.to_string()).and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("airtill")
                .filename_suffix("log")
                .max_log_files(14)
                .build(d)
                .map_err(|e| e.to_string())
        });
        match built {
            Ok(appender) => {
                let (w, g) = tracing_appender::non_blocking(appender);
                guard = Some(g);
                Some(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(ScrubbedMaker(w)).with_filter(tracing_subscriber::EnvFilter::new("info")))
            }
            Err(e) => {
                eprintln!("airtill: logs will not be kept in {}: {e}", d.display());
                None
            }
        }
    });
    let _ = tracing_subscriber::registry().with(terminal).with(file).try_init();
    guard
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_and_the_rest_kept() {
        let cases = [
            ("voucher issued: pin=1234567890123456 ref 130078272", "1234567890123456"),
            ("PIN 1234 5678 9012 3456 shown", "1234 5678 9012 3456"),
            (r#"{"voucherPin":"9876543210987","amount":12}"#, "9876543210987"),
            ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def", "eyJhbGciOiJIUzI1NiJ9"),
            ("Authorization: Basic dHJhaW5pbmc6dHJhaW5pbmc=", "dHJhaW5pbmc6dHJhaW5pbmc="),
            (r#"{"username":"shop1","password":"S3cret!pw"}"#, "S3cret!pw"),
            ("password=hunter22 mode=live", "hunter22"),
            ("RICA idNumber: 8001015009087 accepted", "8001015009087"),
            (r#"{"accessToken":"4f0c0ad2-31bd","expiresAt":1}"#, "4f0c0ad2-31bd"),
        ];
        for (line, secret) in cases {
            let out = redact(line);
            assert!(!out.contains(secret), "{line} -> {out}");
            assert!(out.contains("[redacted]"), "{out}");
        }
        // What support needs stays: cell numbers, Smartload references, amounts.
        let kept = "sale 7 to 27831234567 ref 130078272 amount R12.00";
        assert_eq!(redact(kept), kept);
    }
}
