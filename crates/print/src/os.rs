//! Printing a PDF through the operating system: CUPS's `lp` on Linux and macOS (any
//! printer the system knows, by queue name, or its default). On Windows there is no
//! `lp`: the slip or sheet is opened in the system's PDF viewer and printed from there
//! (the app's "Open slip to print"); a printer can also be driven from a script with
//! SumatraPDF's `-print-to-default`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum OsPrintError {
    #[error("This computer has no print system Airtill can use (no `lp`): open the PDF and print it from the viewer.")]
    NoPrintSystem,
    #[error("'{0}' is not a printer name (letters, digits, dashes, underscores and dots).")]
    BadQueue(String),
    #[error("The print system refused the job: {0}")]
    Refused(String),
    #[error("The print system did not answer within {0} seconds. Check that the printer is on, then print again.")]
    TimedOut(u64),
}

/// A CUPS queue name as `lpadmin` allows it.
pub fn check_queue(name: &str) -> Result<&str, OsPrintError> {
    let n = name.trim();
    if n.is_empty() || n.len() > 127 || !n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(OsPrintError::BadQueue(n.to_string()));
    }
    Ok(n)
}

/// Sends `pdf` to `queue` (or the default printer) with `lp`; returns CUPS's request
/// id (`AirtillPDF-12`). Waits at most `timeout` for `lp` to hand the job over.
pub fn lp(pdf: &Path, queue: Option<&str>, title: &str, timeout: Duration) -> Result<String, OsPrintError> {
    let mut cmd = Command::new("lp");
    if let Some(q) = queue {
        cmd.arg("-d").arg(check_queue(q)?);
    }
    let title: String = title.chars().filter(|c| !c.is_control()).take(60).collect();
    cmd.arg("-t").arg(title).arg("--").arg(pdf).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(OsPrintError::NoPrintSystem),
        Err(e) => return Err(OsPrintError::Refused(e.to_string())),
    };
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(OsPrintError::TimedOut(timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(OsPrintError::Refused(e.to_string())),
        }
    }
    let out = child.wait_with_output().map_err(|e| OsPrintError::Refused(e.to_string()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().trim_start_matches("lp: ").to_string();
        return Err(OsPrintError::Refused(if why.is_empty() { format!("lp ended with {}", out.status) } else { why }));
    }
    // "request id is AirtillPDF-12 (1 file(s))"
    Ok(text.split_whitespace().skip_while(|w| *w != "is").nth(1).unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_are_checked_before_anything_runs() {
        assert!(check_queue("AirtillPDF").is_ok());
        assert!(check_queue("Office_Laser.2").is_ok());
        for bad in ["", "a b", "x;rm -rf", "../q", "q/x"] {
            assert!(check_queue(bad).is_err(), "{bad}");
        }
    }
}
