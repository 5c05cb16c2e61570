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
        let token = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let path = file_of(dir, &token).expect("a token of our own making");
        let file = OpenOptions::new().create(true).truncate(true).write(true).open(&path)?;
        file.try_lock().map_err(|e| std::io::Error::other(format!("lease {}: {e}", path.display())))?;
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
