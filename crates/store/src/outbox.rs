//! The outbox: what the till has recorded, in the order it was recorded, for the
//! chain's books. Triggers fill it in the same transaction as each record
//! (migration 15); this module reads it out in batches and chains each row to the one
//! before by SHA-256, so the chain's database can tell a gap or an altered row.

use crate::{write_tx, Result, Store};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

/// The hash before the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One recorded change, as it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub seq: i64,
    /// What the record is: `sale`, `sale_event`, `shift`, `z_report`, `audit`, …
    pub kind: String,
    /// The record's own key in its table (a sale's id; `sale_id.seq` for a sale's move).
    pub key: String,
    /// When the till wrote it (the machine's clock).
    pub at_ms: i64,
    /// The record as JSON, as SQLite wrote it.
    pub body: String,
    /// SHA-256 (hex) of the previous row's hash and this row.
    pub hash: String,
}

/// The chain hash of a row given the hash of the row before it: SHA-256 over
/// `prev|seq|kind|key|at_ms|body` (the chain's database computes the same).
pub fn chain_hash(prev: &str, seq: i64, kind: &str, key: &str, at_ms: i64, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    for part in [seq.to_string().as_str(), kind, key, at_ms.to_string().as_str(), body] {
        h.update(b"|");
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

impl Store {
    /// The highest sequence number written (0 when nothing is).
    pub fn outbox_head(&self) -> Result<i64> {
        Ok(self.conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM outbox")?.query_row([], |r| r.get(0))?)
    }

    /// The rows after `after`, at most `limit`, in order, each with its chain hash
    /// (made and kept now for the rows that had none: a row's hash never changes, and
    /// the hashes kept are always the outbox's first rows).
    pub fn outbox_batch(&mut self, after: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        let upto = after.saturating_add(limit.max(1));
        let hashed: i64 = self.conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM outbox_hashes")?.query_row([], |r| r.get(0))?;
        let fresh = if hashed < upto {
            // A hash is made again the same from the same rows: its write need not wait
            // for the disk (a crash loses at most hashes, never a record).
            let quick = self.conn.is_autocommit();
            if quick {
                self.conn.pragma_update(None, "synchronous", "OFF")?;
            }
            let made = self.hash_from(hashed, upto);
            if quick {
                self.conn.pragma_update(None, "synchronous", "FULL")?;
            }
            made?
        } else {
            Vec::new()
        };
        if after >= hashed {
            // The usual case: the batch is the rows just hashed.
            return Ok(fresh.into_iter().filter(|r| r.seq > after).collect());
        }
        let mut read =
            self.conn.prepare_cached("SELECT o.seq, o.kind, o.key, o.at_ms, o.body, h.hash FROM outbox o JOIN outbox_hashes h ON h.seq = o.seq WHERE o.seq > ?1 AND o.seq <= ?2 ORDER BY o.seq")?;
        let rows = read
            .query_map(params![after, upto], |r| Ok(OutboxRow { seq: r.get(0)?, kind: r.get(1)?, key: r.get(2)?, at_ms: r.get(3)?, body: r.get(4)?, hash: r.get(5)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Makes and keeps the hashes of the rows after `hashed` up to `upto`, in one
    /// transaction; answers those rows.
    fn hash_from(&mut self, hashed: i64, upto: i64) -> Result<Vec<OutboxRow>> {
        let tx = write_tx(&mut self.conn)?;
        // Looked at again inside the write lock: another process may have hashed them.
        let hashed_now: i64 = tx.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM outbox_hashes")?.query_row([], |r| r.get(0))?;
        let from = hashed.max(hashed_now);
        let mut prev: String = if from == 0 { GENESIS_HASH.to_string() } else { tx.prepare_cached("SELECT hash FROM outbox_hashes WHERE seq = ?1")?.query_row([from], |r| r.get(0))? };
        let mut rows = {
            let mut read = tx.prepare_cached("SELECT seq, kind, key, at_ms, body FROM outbox WHERE seq > ?1 AND seq <= ?2 ORDER BY seq")?;
            let rows = read
                .query_map(params![from, upto], |r| Ok(OutboxRow { seq: r.get(0)?, kind: r.get(1)?, key: r.get(2)?, at_ms: r.get(3)?, body: r.get(4)?, hash: String::new() }))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        {
            let mut write = tx.prepare_cached("INSERT INTO outbox_hashes (seq, hash) VALUES (?1, ?2)")?;
            for r in &mut rows {
                r.hash = chain_hash(&prev, r.seq, &r.kind, &r.key, r.at_ms, &r.body);
                write.execute(params![r.seq, r.hash])?;
                prev.clone_from(&r.hash);
            }
        }
        tx.commit()?;
        if from > hashed {
            // Hashed meanwhile by another: the rows before `from` come from the table.
            let mut read =
                self.conn.prepare_cached("SELECT o.seq, o.kind, o.key, o.at_ms, o.body, h.hash FROM outbox o JOIN outbox_hashes h ON h.seq = o.seq WHERE o.seq > ?1 AND o.seq <= ?2 ORDER BY o.seq")?;
            let mut before = read
                .query_map(params![hashed, from], |r| Ok(OutboxRow { seq: r.get(0)?, kind: r.get(1)?, key: r.get(2)?, at_ms: r.get(3)?, body: r.get(4)?, hash: r.get(5)? }))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            before.extend(rows);
            return Ok(before);
        }
        Ok(rows)
    }

    /// The chain hash of row `seq`, once it has one (`GENESIS_HASH` for 0).
    pub fn outbox_hash_at(&self, seq: i64) -> Result<Option<String>> {
        if seq == 0 {
            return Ok(Some(GENESIS_HASH.to_string()));
        }
        Ok(self.conn.prepare_cached("SELECT hash FROM outbox_hashes WHERE seq = ?1")?.query_row([seq], |r| r.get(0)).optional()?)
    }

    /// Every row's kind and key up to `upto`, in order (tests compare books with it).
    pub fn outbox_kinds(&self, upto: i64) -> Result<Vec<(i64, String, String)>> {
        let mut q = self.conn.prepare("SELECT seq, kind, key FROM outbox WHERE seq <= ?1 ORDER BY seq")?;
        let rows = q.query_map([upto], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    #[test]
    fn every_record_lands_in_the_outbox_with_its_transaction_and_no_pin() {
        let mut s = Store::open_in_memory().unwrap();
        let before = s.outbox_head().unwrap();
        let id = s.add_user("Ayanda", Role::Cashier, "secret-hash").unwrap();
        assert_eq!(s.outbox_head().unwrap(), before + 1);
        let rows = s.outbox_batch(before, 10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].kind, "user");
        assert_eq!(rows[0].key, id.to_string());
        assert!(rows[0].body.contains("\"name\":\"Ayanda\""), "{}", rows[0].body);
        assert!(!rows[0].body.contains("secret-hash"), "a PIN hash never leaves: {}", rows[0].body);
        // A transaction that does not commit leaves no row (and no gap).
        let failed: Result<()> = s.atomically(|s| {
            s.add_user("Gone", Role::Cashier, "h")?;
            Err(crate::StoreError::NotSaved("undone".into()))
        });
        assert!(failed.is_err());
        assert_eq!(s.outbox_head().unwrap(), before + 1);
        s.add_user("Bongani", Role::Cashier, "h").unwrap();
        assert_eq!(s.outbox_head().unwrap(), before + 2);
    }

    #[test]
    fn rows_are_chained_once_and_cannot_be_changed_or_removed() {
        let mut s = Store::open_in_memory().unwrap();
        for n in ["A", "B", "C"] {
            s.add_user(n, Role::Cashier, "h").unwrap();
        }
        let head = s.outbox_head().unwrap();
        let first = s.outbox_batch(0, 2).unwrap();
        let all = s.outbox_batch(0, 100).unwrap();
        assert_eq!(all.len() as i64, head);
        assert_eq!(&all[..2], &first[..], "hashes are made once");
        let mut prev = GENESIS_HASH.to_string();
        for r in &all {
            assert_eq!(r.hash, chain_hash(&prev, r.seq, &r.kind, &r.key, r.at_ms, &r.body));
            prev = r.hash.clone();
        }
        assert!(s.conn.execute("UPDATE outbox SET body = '{}' WHERE seq = 1", []).is_err());
        assert!(s.conn.execute("UPDATE outbox_hashes SET hash = 'x' WHERE seq = 1", []).is_err());
        assert!(s.conn.execute("DELETE FROM outbox WHERE seq = ?1", [head]).is_err());
        assert!(s.conn.execute("DELETE FROM outbox_hashes WHERE seq = ?1", [head]).is_err());
        // A batch from the middle reads the hashes kept.
        assert_eq!(s.outbox_batch(1, 1).unwrap(), vec![all[1].clone()]);
    }
}
