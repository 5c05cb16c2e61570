//! Wrong PINs, counted per guard (a person's login, the approvals typed in a person's
//! session, the command line's logins that name nobody). Each attempt is written
//! before the PIN is checked, in one write transaction, so attempts made in parallel
//! are each counted and the ones past the limit are refused without being checked.

use crate::{write_tx, Result, Store};
use rusqlite::{params, OptionalExtension};

/// What a guard says to an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Go on and check the PIN: this is attempt `n` since the last right one.
    Allowed { n: i64 },
    /// Locked until this moment: the PIN is not checked.
    Locked { until_ms: i64 },
}

/// A guard's state, for the people screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardRow {
    pub guard: String,
    pub failures: i64,
    pub locked_until_ms: i64,
}

impl Store {
    /// Counts an attempt on `guard` before its PIN is checked. `lock_for(n)` is how
    /// long attempt `n` locks the guard (0: not at all); the lock is taken now, so a
    /// parallel attempt waits it out even while this one is being checked. Failures
    /// older than `forget_after_ms` are forgotten.
    pub fn pin_attempt(&mut self, guard: &str, now_ms: i64, forget_after_ms: i64, lock_for: impl Fn(i64) -> i64) -> Result<Attempt> {
        let tx = write_tx(&mut self.conn)?;
        let row: Option<(i64, i64, i64)> =
            tx.prepare_cached("SELECT failures, locked_until_ms, last_attempt_ms FROM pin_guards WHERE guard = ?1")?.query_row([guard], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
        let (failures, locked_until, last) = row.unwrap_or((0, 0, 0));
        if now_ms < locked_until {
            return Ok(Attempt::Locked { until_ms: locked_until });
        }
        let failures = if now_ms - last > forget_after_ms { 0 } else { failures };
        let n = failures + 1;
        let lock = lock_for(n);
        let until = if lock > 0 { now_ms + lock } else { 0 };
        tx.prepare_cached(
            "INSERT INTO pin_guards (guard, failures, locked_until_ms, last_attempt_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (guard) DO UPDATE SET failures = excluded.failures, locked_until_ms = excluded.locked_until_ms, last_attempt_ms = excluded.last_attempt_ms",
        )?
        .execute(params![guard, n, until, now_ms])?;
        tx.commit()?;
        Ok(Attempt::Allowed { n })
    }

    /// The PIN was right: the guard's count starts again.
    pub fn pin_attempt_right(&mut self, guard: &str) -> Result<()> {
        self.conn.prepare_cached("DELETE FROM pin_guards WHERE guard = ?1")?.execute([guard])?;
        Ok(())
    }

    /// The PIN was right on a guard whose count a right PIN does not clear: this attempt
    /// is taken back (and the lock it took lifted), the earlier wrong ones stay.
    pub fn pin_attempt_taken_back(&mut self, guard: &str) -> Result<()> {
        self.conn.prepare_cached("UPDATE pin_guards SET failures = MAX(failures - 1, 0), locked_until_ms = 0 WHERE guard = ?1")?.execute([guard])?;
        Ok(())
    }

    /// The guards with wrong PINs counted.
    pub fn pin_guards(&self) -> Result<Vec<GuardRow>> {
        let mut st = self.conn.prepare_cached("SELECT guard, failures, locked_until_ms FROM pin_guards WHERE failures > 0 ORDER BY guard")?;
        let rows = st.query_map([], |r| Ok(GuardRow { guard: r.get(0)?, failures: r.get(1)?, locked_until_ms: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
