//! The audit trail: an append-only table of every sensitive action, each row holding
//! the hash of the row before it and of itself. Editing a row breaks its own hash;
//! deleting one breaks the next row's link (or, for the last, leaves a gap below the
//! highest id SQLite ever gave).
//!
//! The hashes are keyed (HMAC-SHA-256, `k1:`) with a key kept with the till's
//! credentials, not in the ledger: someone who deletes a row and recomputes the chain
//! from the ledger alone makes hashes that do not verify. Rows written by an older
//! version (plain SHA-256) are keyed once, the first time a key is given, after their
//! plain chain verified; after that a plain row anywhere is a rewrite.

use crate::{Result, Store};
use hmac::{Hmac, Mac};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

/// The prefix of a keyed row hash.
const KEYED: &str = "k1:";

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at_ms: i64,
    pub till_id: String,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub action: String,
    pub detail: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Length-prefixed fields: no two different rows hash the same text.
fn row_parts(prev: &str, id: i64, at_ms: i64, till: &str, user: Option<i64>, action: &str, detail: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for part in [prev.to_string(), id.to_string(), at_ms.to_string(), till.to_string(), user.map(|u| u.to_string()).unwrap_or_default(), action.to_string(), detail.to_string()] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// A row's hash: keyed, or (an older version's) plain SHA-256.
fn hash_row(key: Option<&[u8; 32]>, parts: &[u8]) -> String {
    match key {
        Some(key) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
            mac.update(parts);
            format!("{KEYED}{}", hex(&mac.finalize().into_bytes()))
        }
        None => hex(&Sha256::digest(parts)),
    }
}

type RawRow = (i64, i64, String, Option<i64>, String, String, String, String);

/// Where the trail's keying stands when a key is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditKeying {
    /// Every row is keyed already (or there are none).
    Keyed,
    /// `n` rows of an older version were keyed now.
    KeyedNow(usize),
    /// The plain rows do not verify: left as they are, for doctor to show.
    Broken(String),
}

impl Store {
    /// Appends a line to the audit trail.
    pub fn audit(&mut self, action: &str, user_id: Option<i64>, detail: &str, now_ms: i64) -> Result<()> {
        let till = self.till_id().unwrap_or_else(|_| "?".into());
        let tx = crate::write_tx(&mut self.conn)?;
        let prev: String = tx.prepare_cached("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")?.query_row([], |r| r.get(0)).optional()?.unwrap_or_else(|| GENESIS.to_string());
        let next_id: i64 = tx.query_row("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0) + 1", [], |r| r.get(0))?;
        let hash = hash_row(self.audit_key.as_ref(), &row_parts(&prev, next_id, now_ms, &till, user_id, action, detail));
        tx.prepare_cached("INSERT INTO audit (id, at_ms, till_id, user_id, action, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
            .execute(params![next_id, now_ms, till, user_id, action, detail, prev, hash])?;
        tx.commit()?;
        Ok(())
    }

    /// The trail in `[from_ms, to_ms)`, oldest first.
    pub fn audit_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<AuditRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT a.id, a.at_ms, a.till_id, a.user_id, u.name, a.action, a.detail FROM audit a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.at_ms >= ?1 AND a.at_ms < ?2 ORDER BY a.id",
        )?;
        let rows = st.query_map(params![from_ms, to_ms], |r| {
            Ok(AuditRow { id: r.get(0)?, at_ms: r.get(1)?, till_id: r.get(2)?, user_id: r.get(3)?, user_name: r.get(4)?, action: r.get(5)?, detail: r.get(6)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Gives the key of the audit chain. `plain_allowed`: the credential store has no
    /// note that this trail was keyed before, so rows of an older version (plain
    /// SHA-256) are verified and keyed now, in one transaction. Once keyed (the caller
    /// notes it with the credentials), plain rows are never keyed again: a trail
    /// rewritten in plain hashes stays broken.
    pub fn set_audit_key(&mut self, key: &[u8; 32], plain_allowed: bool) -> Result<AuditKeying> {
        self.audit_key = Some(*key);
        let plain: i64 = self.conn.query_row("SELECT COUNT(*) FROM audit WHERE hash NOT LIKE 'k1:%'", [], |r| r.get(0))?;
        if plain == 0 {
            return Ok(AuditKeying::Keyed);
        }
        if !plain_allowed {
            return Ok(AuditKeying::Broken(format!("{plain} audit rows are not keyed: the trail was rewritten")));
        }
        if let Err(e) = self.verify_with(None)? {
            return Ok(AuditKeying::Broken(e));
        }
        let tx = crate::write_tx(&mut self.conn)?;
        let rows: Vec<RawRow> = {
            let mut st = tx.prepare("SELECT id, at_ms, till_id, user_id, action, detail, prev_hash, hash FROM audit ORDER BY id")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // The trail is append-only by its trigger: lifted for this one rewrite (the rows
        // verified a moment ago, their text unchanged), put back in the same transaction.
        tx.execute_batch("DROP TRIGGER audit_no_update;")?;
        let mut prev = GENESIS.to_string();
        for (id, at, till, user, action, detail, _, _) in &rows {
            let hash = hash_row(Some(key), &row_parts(&prev, *id, *at, till, *user, action, detail));
            tx.execute("UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE id = ?1", params![id, prev, hash])?;
            prev = hash;
        }
        tx.execute_batch("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;")?;
        tx.commit()?;
        Ok(AuditKeying::KeyedNow(rows.len()))
    }

    /// Rows with a keyed hash (a ledger made with a till key).
    pub fn audit_keyed_rows(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM audit WHERE hash LIKE 'k1:%'", [], |r| r.get(0))?)
    }

    /// The chain's head: the last row's id and hash (a Z keeps it at its close).
    pub fn audit_head(&self) -> Result<Option<(i64, String)>> {
        Ok(self.conn.prepare_cached("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
    }

    /// The hash the trail holds for row `id` now (doctor compares a Z's head with it).
    pub fn audit_hash_of(&self, id: i64) -> Result<Option<String>> {
        Ok(self.conn.prepare_cached("SELECT hash FROM audit WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?)
    }

    /// Walks the trail. `Ok(n)` when all `n` rows are as written; otherwise the first
    /// row found changed or missing, in words. With a key, every row must be keyed.
    pub fn verify_audit(&self) -> Result<std::result::Result<i64, String>> {
        self.verify_with(self.audit_key.as_ref())
    }

    fn verify_with(&self, key: Option<&[u8; 32]>) -> Result<std::result::Result<i64, String>> {
        let mut st = self.conn.prepare("SELECT id, at_ms, till_id, user_id, action, detail, prev_hash, hash FROM audit ORDER BY id")?;
        let mut rows = st.query([])?;
        let mut prev = GENESIS.to_string();
        let mut expected_id = 1;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let (id, at, till, user, action, detail, prev_hash, hash): RawRow = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
            if id != expected_id || prev_hash != prev {
                return Ok(Err(format!("audit row {} is missing (deleted)", expected_id)));
            }
            let expected = hash_row(key, &row_parts(&prev_hash, id, at, &till, user, &action, &detail));
            if expected != hash {
                return Ok(Err(format!("audit row {id} ({action}) was changed after it was written")));
            }
            prev = hash;
            expected_id += 1;
            n += 1;
        }
        let highest: i64 = self.conn.query_row("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)", [], |r| r.get(0))?;
        if highest >= expected_id {
            return Ok(Err(format!("audit row {expected_id} is missing (deleted)")));
        }
        Ok(Ok(n))
    }
}
