//! Voucher PINs at rest: sealed with ChaCha20-Poly1305 under a key the app keeps
//! outside the database (with the credentials), bound to the sale's client reference
//! so a sealed PIN copied onto another row does not open. A copy of the database file
//! alone shows no PIN.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand_core06::{OsRng, RngCore};

/// The prefix of a sealed PIN as stored (format version 1).
pub(crate) const SEALED: &str = "p1:";

/// The prefix of a stock PIN sealed under the day's stock key.
pub(crate) const DAY_SEALED: &str = "s1:";

pub(crate) struct PinSealer {
    cipher: ChaCha20Poly1305,
    prefix: &'static str,
}

impl PinSealer {
    pub(crate) fn new(key: &[u8; 32]) -> PinSealer {
        PinSealer { cipher: ChaCha20Poly1305::new(Key::from_slice(key)), prefix: SEALED }
    }

    /// A sealer under the day's stock key (`s1:`).
    pub(crate) fn for_the_day(key: &[u8; 32]) -> PinSealer {
        PinSealer { cipher: ChaCha20Poly1305::new(Key::from_slice(key)), prefix: DAY_SEALED }
    }

    pub(crate) fn seal(&self, pin: &str, client_ref: &str) -> String {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let ct = self.cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: pin.as_bytes(), aad: client_ref.as_bytes() }).expect("sealing a PIN cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(ct);
        format!("{}{}", self.prefix, base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes))
    }

    /// The PIN, or `None` when the stored text was not sealed under this key for this
    /// client reference.
    pub(crate) fn open(&self, stored: &str, client_ref: &str) -> Option<String> {
        let b64 = stored.strip_prefix(self.prefix)?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: client_ref.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_pin_opens_only_with_its_key_and_reference() {
        let s = PinSealer::new(&[7; 32]);
        let sealed = s.seal("1234567890123456", "ref-a");
        assert!(sealed.starts_with(SEALED));
        assert!(!sealed.contains("1234567890123456"));
        assert_ne!(sealed, s.seal("1234567890123456", "ref-a"), "a fresh nonce each time");
        assert_eq!(s.open(&sealed, "ref-a").as_deref(), Some("1234567890123456"));
        assert_eq!(s.open(&sealed, "ref-b"), None, "moved to another sale");
        assert_eq!(PinSealer::new(&[8; 32]).open(&sealed, "ref-a"), None, "another key");
        let mut tampered = sealed.clone();
        let last = tampered.pop();
        tampered.push(if last == Some('A') { 'B' } else { 'A' });
        assert_eq!(s.open(&tampered, "ref-a"), None);
        assert_eq!(s.open("p1:", "ref-a"), None);
        assert_eq!(s.open("1234", "ref-a"), None);
    }
}
