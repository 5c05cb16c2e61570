//! The audit trail: an append-only table of every sensitive action, each row holding
//! the SHA-256 of the row before it and of itself. Editing a row breaks its own hash;
//! deleting one breaks the next row's link (or, for the last, leaves a gap below the
//! highest id SQLite ever gave).

use crate::{Result, Store};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

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

fn row_hash(prev: &str, id: i64, at_ms: i64, till: &str, user: Option<i64>, action: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields: no two different rows hash the same text.
    for part in [prev.to_string(), id.to_string(), at_ms.to_string(), till.to_string(), user.map(|u| u.to_string()).unwrap_or_default(), action.to_string(), detail.to_string()] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Appends a line to the audit trail.
    pub fn audit(&mut self, action: &str, user_id: Option<i64>, detail: &str, now_ms: i64) -> Result<()> {
        let till = self.till_id().unwrap_or_else(|_| "?".into());
        let tx = crate::write_tx(&mut self.conn)?;
        let prev: String = tx.prepare_cached("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")?.query_row([], |r| r.get(0)).optional()?.unwrap_or_else(|| GENESIS.to_string());
        let next_id: i64 = tx.query_row("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0) + 1", [], |r| r.get(0))?;
        let hash = row_hash(&prev, next_id, now_ms, &till, user_id, action, detail);
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

    /// Walks the trail. `Ok(n)` when all `n` rows are as written; otherwise the first
    /// row found changed or missing, in words.
    pub fn verify_audit(&self) -> Result<std::result::Result<i64, String>> {
        let mut st = self.conn.prepare("SELECT id, at_ms, till_id, user_id, action, detail, prev_hash, hash FROM audit ORDER BY id")?;
        let mut rows = st.query([])?;
        let mut prev = GENESIS.to_string();
        let mut expected_id = 1;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let (id, at, till, user, action, detail, prev_hash, hash): (i64, i64, String, Option<i64>, String, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
            if id != expected_id || prev_hash != prev {
                return Ok(Err(format!("audit row {} is missing (deleted)", expected_id)));
            }
            if row_hash(&prev_hash, id, at, &till, user, &action, &detail) != hash {
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
