//! Provider passwords at rest: never in the config file, the database or the logs.
//! They live in `credentials.enc` in the data folder, each sealed with
//! ChaCha20-Poly1305 under a key kept in `credentials.key`; both files are readable
//! by the app's user only (mode 0600 on Unix).

use crate::{AppError, Result};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand_core06::{OsRng, RngCore};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct Credentials {
    dir: PathBuf,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// Writes a file only its owner can read, replacing it atomically.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut f = o.open(&tmp).map_err(|e| io("write", &tmp, e))?;
        f.write_all(bytes).map_err(|e| io("write", &tmp, e))?;
        f.sync_all().map_err(|e| io("write", &tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| io("write", path, e))
}

impl Credentials {
    pub fn new(data_dir: &Path) -> Credentials {
        Credentials { dir: data_dir.to_path_buf() }
    }

    fn key(&self, create: bool) -> Result<Option<ChaCha20Poly1305>> {
        let path = self.dir.join("credentials.key");
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == 32 => Ok(Some(ChaCha20Poly1305::new(Key::from_slice(&bytes)))),
            Ok(_) => Err(AppError::Configuration(format!("{} is damaged: set the provider passwords again in Settings", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut key = [0u8; 32];
                OsRng.fill_bytes(&mut key);
                write_private(&path, &key)?;
                Ok(Some(ChaCha20Poly1305::new(Key::from_slice(&key))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read", &path, e)),
        }
    }

    fn sealed(&self) -> Result<BTreeMap<String, String>> {
        let path = self.dir.join("credentials.enc");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|_| AppError::Configuration(format!("{} is damaged: set the provider passwords again in Settings", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(io("read", &path, e)),
        }
    }

    /// The secret stored under `name`, if any.
    pub fn get(&self, name: &str) -> Result<Option<String>> {
        let Some(sealed) = self.sealed()?.remove(name) else { return Ok(None) };
        let Some(cipher) = self.key(false)? else {
            return Err(AppError::Configuration("the credentials key is missing: set the provider passwords again in Settings".into()));
        };
        let bytes = base64::engine::general_purpose::STANDARD.decode(sealed).map_err(|_| AppError::Configuration("a stored credential is damaged".into()))?;
        if bytes.len() < 12 {
            return Err(AppError::Configuration("a stored credential is damaged".into()));
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| AppError::Configuration("a stored credential could not be opened: set it again in Settings".into()))?;
        String::from_utf8(plain).map(Some).map_err(|_| AppError::Configuration("a stored credential is damaged".into()))
    }

    /// The 32-byte key stored under `name`, made (from the OS's random source) and
    /// stored the first time it is asked for.
    pub fn data_key(&self, name: &str) -> Result<[u8; 32]> {
        if let Some(text) = self.get(name)? {
            let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| AppError::Configuration(format!("the stored {name} is damaged")))?;
            return bytes.try_into().map_err(|_| AppError::Configuration(format!("the stored {name} is damaged")));
        }
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        self.set(name, &base64::engine::general_purpose::STANDARD.encode(key))?;
        Ok(key)
    }

    /// Stores (or replaces) the secret under `name`.
    pub fn set(&self, name: &str, secret: &str) -> Result<()> {
        let cipher = self.key(true)?.expect("created");
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let ct = cipher.encrypt(Nonce::from_slice(&nonce), secret.as_bytes()).map_err(|_| AppError::Io("the credential could not be sealed".into()))?;
        let mut all = self.sealed()?;
        all.insert(name.to_string(), base64::engine::general_purpose::STANDARD.encode([nonce.as_slice(), &ct].concat()));
        let text = serde_json::to_string_pretty(&all).map_err(|e| AppError::Io(e.to_string()))?;
        write_private(&self.dir.join("credentials.enc"), text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_sealed_at_rest_and_opens_again() {
        let d = tempfile::tempdir().unwrap();
        let c = Credentials::new(d.path());
        assert_eq!(c.get("smartcall").unwrap(), None);
        c.set("smartcall", "s3cret-Pa55").unwrap();
        assert_eq!(c.get("smartcall").unwrap().as_deref(), Some("s3cret-Pa55"));
        let on_disk = std::fs::read(d.path().join("credentials.enc")).unwrap();
        assert!(!String::from_utf8_lossy(&on_disk).contains("s3cret"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for f in ["credentials.enc", "credentials.key"] {
                let mode = std::fs::metadata(d.path().join(f)).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{f}");
            }
        }
        // Another key cannot open it.
        std::fs::write(d.path().join("credentials.key"), [7u8; 32]).unwrap();
        assert!(c.get("smartcall").is_err());
    }
}
