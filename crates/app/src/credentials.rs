//! Secrets at rest (provider passwords, the voucher-PIN key): never in the config
//! file, the database or the logs. They live in the operating system's credential
//! store (Secret Service on Linux, Keychain, Credential Manager) where there is one.
//! Where there is none (a till without a desktop keyring, a test machine) they live in
//! `credentials.enc` in the data folder, each sealed with ChaCha20-Poly1305 under a
//! key kept in `credentials.key`; both files are readable by the app's user only
//! (mode 0600 on Unix). `AIRTILL_CREDENTIAL_STORE=file|os` forces one or the other.

use crate::{AppError, Result};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand_core06::{OsRng, RngCore};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a data folder's secrets are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vault {
    /// The operating system's credential store.
    Os,
    /// `credentials.enc`, sealed under `credentials.key` (both 0600).
    File,
}

/// The service name of Airtill's entries in the OS credential store.
const SERVICE: &str = "Airtill";

pub struct Credentials {
    dir: PathBuf,
    vault: Vault,
}

fn keyring_error(e: keyring::Error) -> AppError {
    AppError::Configuration(format!("the system keyring refused: {e}. Unlock the keyring (or log in to the desktop) and try again"))
}

/// Whether this session has an OS credential store that answers, asked once per process.
pub fn os_store_answers() -> bool {
    static ANSWERS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ANSWERS.get_or_init(|| {
        // A look-up of an entry nobody made: "no entry" means the store is there.
        let probe = keyring::Entry::new(SERVICE, "probe").and_then(|e| e.get_password());
        matches!(probe, Ok(_) | Err(keyring::Error::NoEntry))
    })
}

fn chosen_vault() -> Vault {
    match std::env::var("AIRTILL_CREDENTIAL_STORE").as_deref() {
        Ok("file") => Vault::File,
        Ok("os") => Vault::Os,
        // Unit tests never write into a developer's own keyring unless asked to.
        _ if cfg!(test) => Vault::File,
        _ if os_store_answers() => Vault::Os,
        _ => Vault::File,
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// Writes a file only its owner can read, replacing it atomically. Each writer has a
/// temporary file of its own (two never rename each other's away).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("{}-{n}.tmp", std::process::id()));
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
    /// Runs a read-change-write of the sealed file under its lock (`credentials.lock`):
    /// two processes, or two tasks of one, each see the other's change.
    fn locked<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let path = self.dir.join("credentials.lock");
        let mut o = std::fs::OpenOptions::new();
        o.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let lock = o.open(&path).map_err(|e| io("open", &path, e))?;
        lock.lock().map_err(|e| io("lock", &path, e))?;
        let done = f();
        let _ = lock.unlock();
        done
    }

    /// The OS credential store where this session has one, else the sealed file.
    pub fn new(data_dir: &Path) -> Credentials {
        Credentials::with_vault(data_dir, chosen_vault())
    }

    pub fn with_vault(data_dir: &Path, vault: Vault) -> Credentials {
        Credentials { dir: data_dir.to_path_buf(), vault }
    }

    pub fn vault(&self) -> Vault {
        self.vault
    }

    /// In words, for `doctor` and the settings screen.
    pub fn where_kept(&self) -> String {
        match self.vault {
            Vault::Os => "in the system keyring".into(),
            Vault::File => format!("sealed in {} (this session has no system keyring)", self.dir.join("credentials.enc").display()),
        }
    }

    /// One entry per secret and data folder, so two tills (or a training folder) on
    /// one login never share secrets.
    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        use sha2::Digest;
        let dir = std::fs::canonicalize(&self.dir).unwrap_or_else(|_| self.dir.clone());
        let id = sha2::Sha256::digest(dir.to_string_lossy().as_bytes());
        let id: String = id.iter().take(6).map(|b| format!("{b:02x}")).collect();
        keyring::Entry::new(SERVICE, &format!("{name}@{id}")).map_err(keyring_error)
    }

    /// The secret stored under `name`, if any. A secret found in the sealed file
    /// when the OS store is in use moves into the OS store.
    pub fn get(&self, name: &str) -> Result<Option<String>> {
        if self.vault == Vault::Os {
            match self.entry(name)?.get_password() {
                Ok(secret) => return Ok(Some(secret)),
                Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(keyring_error(e)),
            }
            let Some(secret) = self.file_get(name)? else {
                return Ok(None);
            };
            self.set(name, &secret)?;
            return Ok(Some(secret));
        }
        self.file_get(name)
    }

    /// Stores (or replaces) the secret under `name`.
    pub fn set(&self, name: &str, secret: &str) -> Result<()> {
        match self.vault {
            Vault::Os => {
                self.entry(name)?.set_password(secret).map_err(keyring_error)?;
                self.file_remove(name)
            }
            Vault::File => self.file_set(name, secret),
        }
    }

    /// Forgets the secret under `name` wherever it is kept (an account taken off the
    /// till; tests clean the keyring up).
    pub fn remove(&self, name: &str) -> Result<()> {
        if self.vault == Vault::Os {
            match self.entry(name)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(keyring_error(e)),
            }
        }
        self.file_remove(name)
    }

    fn key(&self, create: bool) -> Result<Option<ChaCha20Poly1305>> {
        let path = self.dir.join("credentials.key");
        match std::fs::read(&path) {
            Ok(bytes) if bytes.len() == 32 => Ok(Some(ChaCha20Poly1305::new(Key::from_slice(&bytes)))),
            Ok(_) => Err(AppError::Configuration(format!("{} is damaged: set the provider passwords again in Settings", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => self.locked(|| {
                // Looked at again under the lock: another writer may have made it.
                if let Ok(bytes) = std::fs::read(&path) {
                    if bytes.len() == 32 {
                        return Ok(Some(ChaCha20Poly1305::new(Key::from_slice(&bytes))));
                    }
                }
                let mut key = [0u8; 32];
                OsRng.fill_bytes(&mut key);
                write_private(&path, &key)?;
                Ok(Some(ChaCha20Poly1305::new(Key::from_slice(&key))))
            }),
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

    fn file_get(&self, name: &str) -> Result<Option<String>> {
        let Some(sealed) = self.sealed()?.remove(name) else {
            return Ok(None);
        };
        let Some(cipher) = self.key(false)? else {
            return Err(AppError::Configuration("the credentials key is missing: set the provider passwords again in Settings".into()));
        };
        let bytes = base64::engine::general_purpose::STANDARD.decode(sealed).map_err(|_| AppError::Configuration("a stored credential is damaged".into()))?;
        if bytes.len() < 12 {
            return Err(AppError::Configuration("a stored credential is damaged".into()));
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = cipher.decrypt(Nonce::from_slice(nonce), ct).map_err(|_| AppError::Configuration("a stored credential could not be opened: set it again in Settings".into()))?;
        String::from_utf8(plain).map(Some).map_err(|_| AppError::Configuration("a stored credential is damaged".into()))
    }

    /// The 32-byte key stored under `name`, made (from the OS's random source) and
    /// stored the first time it is asked for.
    #[cfg(test)]
    pub fn data_key(&self, name: &str) -> Result<[u8; 32]> {
        if let Some(key) = self.existing_data_key(name)? {
            return Ok(key);
        }
        self.new_data_key(name)
    }

    /// Where this data folder's first key was kept (`credentials.vault`): one key
    /// source for the life of the folder.
    fn vault_marker(&self) -> PathBuf {
        self.dir.join("credentials.vault")
    }

    fn vault_name(v: Vault) -> &'static str {
        match v {
            Vault::Os => "os",
            Vault::File => "file",
        }
    }

    /// The key stored under `name`, if there is one. A folder whose keys were kept in
    /// the system keyring, started where the keyring does not answer, is refused: a
    /// second key would leave every PIN sealed under the first unreadable.
    pub fn existing_data_key(&self, name: &str) -> Result<Option<[u8; 32]>> {
        if let Ok(was) = std::fs::read_to_string(self.vault_marker()) {
            if was.trim() == "os" && self.vault == Vault::File {
                return Err(AppError::Configuration(
                    "this till's keys are in the system keyring, which does not answer now. Unlock it (log in to the desktop session) and start Airtill again; no second key is made".into(),
                ));
            }
        }
        match self.get(name)? {
            Some(text) => {
                let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| AppError::Configuration(format!("the stored {name} is damaged")))?;
                let key: [u8; 32] = bytes.try_into().map_err(|_| AppError::Configuration(format!("the stored {name} is damaged")))?;
                if !self.vault_marker().exists() {
                    write_private(&self.vault_marker(), Self::vault_name(self.vault).as_bytes())?;
                }
                Ok(Some(key))
            }
            None => Ok(None),
        }
    }

    /// A new random key under `name`, and the note of where keys are kept.
    pub fn new_data_key(&self, name: &str) -> Result<[u8; 32]> {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        self.set(name, &base64::engine::general_purpose::STANDARD.encode(key))?;
        write_private(&self.vault_marker(), Self::vault_name(self.vault).as_bytes())?;
        Ok(key)
    }

    fn file_remove(&self, name: &str) -> Result<()> {
        if !self.dir.join("credentials.enc").exists() {
            return Ok(());
        }
        self.locked(|| {
            let mut all = self.sealed()?;
            if all.remove(name).is_none() {
                return Ok(());
            }
            let text = serde_json::to_string_pretty(&all).map_err(|e| AppError::Io(e.to_string()))?;
            write_private(&self.dir.join("credentials.enc"), text.as_bytes())
        })
    }

    fn file_set(&self, name: &str, secret: &str) -> Result<()> {
        let cipher = self.key(true)?.expect("created");
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let ct = cipher.encrypt(Nonce::from_slice(&nonce), secret.as_bytes()).map_err(|_| AppError::Io("the credential could not be sealed".into()))?;
        self.locked(|| {
            let mut all = self.sealed()?;
            all.insert(name.to_string(), base64::engine::general_purpose::STANDARD.encode([nonce.as_slice(), &ct].concat()));
            let text = serde_json::to_string_pretty(&all).map_err(|e| AppError::Io(e.to_string()))?;
            write_private(&self.dir.join("credentials.enc"), text.as_bytes())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_set_at_once_by_many_writers_are_all_kept() {
        let d = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..12)
            .map(|i| {
                let dir = d.path().to_path_buf();
                std::thread::spawn(move || Credentials::with_vault(&dir, Vault::File).set(&format!("secret-{i}"), &format!("value {i}")).unwrap())
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let c = Credentials::with_vault(d.path(), Vault::File);
        for i in 0..12 {
            assert_eq!(c.get(&format!("secret-{i}")).unwrap().as_deref(), Some(format!("value {i}").as_str()));
        }
    }

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

    /// Runs against the session's real credential store (Secret Service under
    /// `make test`, which starts gnome-keyring in a private D-Bus session and sets
    /// `AIRTILL_REQUIRE_KEYRING=1`). Elsewhere, without a keyring, it says so and passes.
    #[test]
    fn secrets_live_in_the_os_keyring_when_there_is_one_and_move_there_from_the_file() {
        if !os_store_answers() {
            assert!(std::env::var("AIRTILL_REQUIRE_KEYRING").is_err(), "AIRTILL_REQUIRE_KEYRING is set but no system keyring answers");
            eprintln!("no system keyring in this session: the sealed-file store is tested above");
            return;
        }
        let d = tempfile::tempdir().unwrap();
        // A secret kept in the file from before the keyring was there...
        Credentials::with_vault(d.path(), Vault::File).set("smartcall", "0ld-Pa55word").unwrap();
        let os = Credentials::with_vault(d.path(), Vault::Os);
        // ...moves into the keyring at its first read, and leaves the file.
        assert_eq!(os.get("smartcall").unwrap().as_deref(), Some("0ld-Pa55word"));
        assert!(!std::fs::read_to_string(d.path().join("credentials.enc")).unwrap().contains("smartcall"));
        os.set("smartcall", "n3w-Pa55word").unwrap();
        let key = os.data_key("voucher_pin_key").unwrap();
        // Another handle (the next start) finds both in the keyring, none in the file.
        let again = Credentials::with_vault(d.path(), Vault::Os);
        assert_eq!(again.get("smartcall").unwrap().as_deref(), Some("n3w-Pa55word"));
        assert_eq!(again.data_key("voucher_pin_key").unwrap(), key);
        let file = std::fs::read_to_string(d.path().join("credentials.enc")).unwrap_or_default();
        assert!(!file.contains("smartcall") && !file.contains("voucher_pin_key"), "{file}");
        // Another data folder on the same login sees none of it.
        let other = tempfile::tempdir().unwrap();
        assert_eq!(Credentials::with_vault(other.path(), Vault::Os).get("smartcall").unwrap(), None);
        again.remove("smartcall").unwrap();
        again.remove("voucher_pin_key").unwrap();
        assert_eq!(again.get("smartcall").unwrap(), None);
    }
}
