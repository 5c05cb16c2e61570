//! The day's stock key. Vouchers bought for stock are the shop's cash on the shelf:
//! their PINs are sealed under a key of their own, kept in the ledger only wrapped
//! under each manager's PIN (argon2id with the pepper, then ChaCha20-Poly1305). When
//! a manager logs in (or approves something) the key is unwrapped, and cashiers sell
//! from stock all day, through an outage too, with no manager; for the rest of the
//! day it is also kept with the credentials (a restart, or the command line's next
//! command, finds the day open). The Z closes the day: the key leaves memory and the
//! credentials. A till whose day is closed, copied whole with its keyring, yields no
//! stock PIN without a manager's PIN.

use crate::{auth, Airtill, Result};
use airtill_store::UserRow;
use argon2::{Algorithm, Argon2, Version};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand_core06::{OsRng, RngCore};

fn aad(user_id: i64) -> String {
    format!("airtill stock key for person {user_id}")
}

fn wrap(kek: &[u8; 32], key: &[u8; 32], user_id: i64) -> String {
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let ct = ChaCha20Poly1305::new(Key::from_slice(kek)).encrypt(Nonce::from_slice(&nonce), Payload { msg: key, aad: aad(user_id).as_bytes() }).expect("wrapping a key cannot fail");
    let mut bytes = nonce.to_vec();
    bytes.extend(ct);
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

fn unwrap(kek: &[u8; 32], wrapped: &str, user_id: i64) -> Option<[u8; 32]> {
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(wrapped).ok()?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, ct) = bytes.split_at(12);
    let plain = ChaCha20Poly1305::new(Key::from_slice(kek)).decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: aad(user_id).as_bytes() }).ok()?;
    plain.try_into().ok()
}

/// The day's key among the credentials, while the day is open.
const DAY_KEY_NOTE: &str = "stock-day-key";

impl Airtill {
    /// At start: the day a manager opened (and no Z has closed) is still open.
    pub(crate) fn resume_the_day(&self) -> Result<()> {
        let creds = crate::credentials::Credentials::new(&self.data_dir);
        let key = creds.get(DAY_KEY_NOTE)?.and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok()).and_then(|b| <[u8; 32]>::try_from(b).ok());
        if let Some(k) = key {
            *self.day_key.lock().unwrap_or_else(|p| p.into_inner()) = Some(k);
            self.store().set_day_key(Some(&k))?;
        }
        Ok(())
    }

    /// The key that wraps the stock key for this manager: from their PIN, peppered.
    fn kek(&self, user_id: i64, pin: &str) -> Result<[u8; 32]> {
        let a = Argon2::new_with_secret(&self.pepper, Algorithm::Argon2id, Version::V0x13, auth::pin_params(self.pin_cost())).map_err(|e| crate::AppError::Io(e.to_string()))?;
        let mut out = [0u8; 32];
        a.hash_password_into(pin.as_bytes(), aad(user_id).as_bytes(), &mut out).map_err(|e| crate::AppError::Io(e.to_string()))?;
        Ok(out)
    }

    fn day_key_now(&self) -> Option<[u8; 32]> {
        *self.day_key.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Gives the day's key to the ledger, keeps it in memory, and notes it with the
    /// credentials for the rest of the day (a restart mid-day, or the command line's
    /// next command, finds the day open; the Z removes it).
    fn set_day_key(&self, key: Option<[u8; 32]>) -> Result<()> {
        let creds = crate::credentials::Credentials::new(&self.data_dir);
        match &key {
            Some(k) => creds.set(DAY_KEY_NOTE, &base64::engine::general_purpose::STANDARD.encode(k))?,
            None => creds.remove(DAY_KEY_NOTE)?,
        }
        *self.day_key.lock().unwrap_or_else(|p| p.into_inner()) = key;
        let moved = self.store().set_day_key(key.as_ref())?;
        if moved > 0 {
            tracing::info!(count = moved, "stock PINs sealed under the day's key");
        }
        Ok(())
    }

    /// Whether a manager has the day open (stock PINs can be sold).
    pub fn day_open(&self) -> bool {
        self.day_key_now().is_some()
    }

    /// A manager's right PIN opens the day: their wrap of the stock key is opened (or
    /// made: from the key already open, or, on a till with no stock sealed under any
    /// key yet, a new key). With the day open and their wrap there, nothing is done (no
    /// second hash on an approval at the counter).
    pub(crate) fn open_the_day(&self, manager: &UserRow, pin: &str) -> Result<()> {
        let wrapped = self.store().stock_key_wrap(manager.id)?;
        if self.day_open() && wrapped.is_some() {
            return Ok(());
        }
        let kek = self.kek(manager.id, pin)?;
        let opened = wrapped.as_deref().and_then(|w| unwrap(&kek, w, manager.id));
        let key = match opened.or_else(|| self.day_key_now()) {
            Some(k) => k,
            // A new key only where no stock PIN is sealed under one: a key that cannot
            // be opened now is never replaced (its vouchers would be lost for good).
            None if self.store().stock_key_wraps()? == 0 && self.store().day_sealed_stock()? == 0 => {
                let mut k = [0u8; 32];
                OsRng.fill_bytes(&mut k);
                k
            }
            None => {
                tracing::warn!(manager = %manager.name, "this manager's PIN does not open the stock key: a manager who has it opens the day");
                return Ok(());
            }
        };
        if opened.is_none() {
            self.store().set_stock_key_wrap(manager.id, Some(&wrap(&kek, &key, manager.id)))?;
        }
        let was_open = self.day_open();
        self.set_day_key(Some(key))?;
        if !was_open {
            self.audit("day_opened", Some(manager.id), &format!("stock vouchers opened by {}", manager.name))?;
        }
        Ok(())
    }

    /// A manager's wrap of the stock key under a new PIN, made before the PIN changes
    /// and written in the same transaction (a PIN never changes without its wrap):
    /// from the key opened with the old PIN, or the open day's; `None` when neither is
    /// at hand (the wrap is dropped, and made again when a manager opens the day).
    pub(crate) fn stock_wrap_for_new_pin(&self, manager: &UserRow, old_pin: Option<&str>, new_pin: &str) -> Result<Option<String>> {
        let from_old = match (old_pin, self.store().stock_key_wrap(manager.id)?) {
            (Some(old), Some(w)) => unwrap(&self.kek(manager.id, old)?, &w, manager.id),
            _ => None,
        };
        match from_old.or_else(|| self.day_key_now()) {
            Some(key) => Ok(Some(wrap(&self.kek(manager.id, new_pin)?, &key, manager.id))),
            None => Ok(None),
        }
    }

    /// The Z closes the day: the stock key leaves memory.
    pub(crate) fn close_the_day(&self, by: i64) -> Result<()> {
        if self.day_open() {
            self.set_day_key(None)?;
            self.audit("day_closed", Some(by), "stock vouchers locked until a manager opens the day")?;
        }
        Ok(())
    }
}
