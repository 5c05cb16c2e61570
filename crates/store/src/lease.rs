//! A process's lease on the ledger: a file in a folder beside it, held locked by the
//! operating system for as long as the process keeps it open. A process that is killed
//! lets go at once (the kernel drops the lock), so "is the sender of this sale alive?"
//! is a question the file system answers without a heartbeat or a clock.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The folder of lease files for the ledger at `db`.
pub(crate) fn dir_of(db: &Path) -> PathBuf {
    let name = db.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "airtill.db".into());
    db.with_file_name(format!("{name}.owners"))
}

fn file_of(dir: &Path, token: &str) -> Option<PathBuf> {
    // A token is ours to make: digits, letters and one dash; anything else is no file.
    token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-').then(|| dir.join(format!("{token}.lock")))
}

pub(crate) struct Lease {
    token: String,
    path: PathBuf,
    /// Held locked while the lease lives.
    _file: File,
}

impl Lease {
    pub(crate) fn take(dir: &Path) -> std::io::Result<Lease> {
        std::fs::create_dir_all(dir)?;
        sweep(dir);
        // Another process's sweep may take a half-made lease for a dead one's: try again.
        let mut tries = 0;
        loop {
            match Self::take_once(dir) {
                Ok(l) => return Ok(l),
                Err(_) if tries < 5 => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }

    fn take_once(dir: &Path) -> std::io::Result<Lease> {
        let token = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let path = file_of(dir, &token).expect("a token of our own making");
        // Made and locked under another name, then renamed: a file under a lease's name
        // is never seen unlocked while its owner lives.
        let taking = dir.join(format!(".{token}.taking"));
        let file = OpenOptions::new().create(true).truncate(true).write(true).open(&taking)?;
        file.try_lock().map_err(|e| std::io::Error::other(format!("lease {}: {e}", taking.display())))?;
        std::fs::rename(&taking, &path)?;
        Ok(Lease { token, path, _file: file })
    }

    pub(crate) fn token(&self) -> &str {
        &self.token
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes the lease files of processes that are gone (killed ones leave theirs):
/// a file nobody holds locked.
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(token) = name.strip_suffix(".lock") {
            held(dir, token);
        } else if name.ends_with(".taking") {
            // A lease being taken by a process killed before it was named.
            if let Ok(f) = OpenOptions::new().write(true).open(e.path()) {
                if f.try_lock().is_ok() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// True while the lease `token` is held by a live process. A lease file that is gone,
/// or that can be locked, belongs to a process that is no more (its file is removed).
/// When it cannot be told (the folder unreadable), the owner counts as alive: a sale
/// in flight is never taken from a process that may still be sending it.
pub(crate) fn held(dir: &Path, token: &str) -> bool {
    let Some(path) = file_of(dir, token) else { return false };
    let file = match OpenOptions::new().write(true).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return false,
        Err(_) => return true,
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = std::fs::remove_file(&path);
            false
        }
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => true,
    }
}
