//! Payments from a customer's mobile balance: a row committed before the debit is
//! sent, moved by its answer, and tied to at most one sale (which then shows the
//! tender `ideamart`).

use super::{write_tx, Result, Store, StoreError};
use airtill_domain::PaymentState;
use rusqlite::{params, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MobilePayment {
    pub id: i64,
    pub request_id: String,
    pub external_trx_id: String,
    pub subscriber: String,
    pub amount_minor: i64,
    pub currency: String,
    pub state: PaymentState,
    pub internal_trx_id: Option<String>,
    pub reference_id: Option<String>,
    pub error: Option<String>,
    pub sale_id: Option<i64>,
    pub user_id: i64,
    pub created_ms: i64,
    /// What the payment pays for, in the shop's currency (cents of `covers_currency`).
    pub covers_minor: i64,
    pub covers_currency: String,
    /// The rate it was taken at: ten-thousandths of `currency` per unit of
    /// `covers_currency` (rupees per rand); `None` when both are one currency.
    pub rate_e4: Option<i64>,
}

/// A mobile payment to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMobilePayment<'a> {
    pub request_id: &'a str,
    pub external_trx_id: &'a str,
    pub subscriber: &'a str,
    /// What is debited, in minor units of `currency`.
    pub amount_minor: i64,
    pub currency: &'a str,
    /// What it pays for, in minor units of `covers_currency`.
    pub covers_minor: i64,
    pub covers_currency: &'a str,
    pub rate_e4: Option<i64>,
    pub user_id: i64,
}

const COLS: &str = "id, request_id, external_trx_id, subscriber, amount_minor, currency, state, internal_trx_id, reference_id, error, sale_id, user_id, created_ms, \
    COALESCE(covers_minor, amount_minor), COALESCE(covers_currency, currency), rate_e4";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MobilePayment> {
    Ok(MobilePayment {
        id: r.get(0)?,
        request_id: r.get(1)?,
        external_trx_id: r.get(2)?,
        subscriber: r.get(3)?,
        amount_minor: r.get(4)?,
        currency: r.get(5)?,
        state: crate::state_of(r, 6, PaymentState::parse)?,
        internal_trx_id: r.get(7)?,
        reference_id: r.get(8)?,
        error: r.get(9)?,
        sale_id: r.get(10)?,
        user_id: r.get(11)?,
        created_ms: r.get(12)?,
        covers_minor: r.get(13)?,
        covers_currency: r.get(14)?,
        rate_e4: r.get(15)?,
    })
}

impl Store {
    /// Stores a payment as `submitting` (durably) before the debit goes out; the same
    /// request id returns the payment made for it, with `false`.
    pub fn create_mobile_payment(&mut self, p: &NewMobilePayment<'_>, now_ms: i64) -> Result<(MobilePayment, bool)> {
        let tx = write_tx(&mut self.conn)?;
        let existing: Option<i64> = tx.query_row("SELECT id FROM mobile_payments WHERE request_id = ?1", [p.request_id], |r| r.get(0)).optional()?;
        if let Some(id) = existing {
            drop(tx);
            return Ok((self.mobile_payment(id)?, false));
        }
        tx.execute(
            "INSERT INTO mobile_payments (request_id, external_trx_id, subscriber, amount_minor, currency, state, user_id, created_ms, updated_ms,
                covers_minor, covers_currency, rate_e4)
             VALUES (?1, ?2, ?3, ?4, ?5, 'submitting', ?6, ?7, ?7, ?8, ?9, ?10)",
            params![p.request_id, p.external_trx_id, p.subscriber, p.amount_minor, p.currency, p.user_id, now_ms, p.covers_minor, p.covers_currency, p.rate_e4],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok((self.mobile_payment(id)?, true))
    }

    pub fn mobile_payment_by_request(&self, request_id: &str) -> Result<Option<MobilePayment>> {
        let sql = format!("SELECT {COLS} FROM mobile_payments WHERE request_id = ?1");
        Ok(self.conn.query_row(&sql, [request_id], row).optional()?)
    }

    /// The payment that paid for a sale, if one did.
    pub fn mobile_payment_of_sale(&self, sale_id: i64) -> Result<Option<MobilePayment>> {
        let sql = format!("SELECT {COLS} FROM mobile_payments WHERE sale_id = ?1");
        Ok(self.conn.query_row(&sql, [sale_id], row).optional()?)
    }

    pub fn mobile_payment(&self, id: i64) -> Result<MobilePayment> {
        let sql = format!("SELECT {COLS} FROM mobile_payments WHERE id = ?1");
        self.conn.query_row(&sql, [id], row).optional()?.ok_or_else(|| StoreError::Conflict(format!("no mobile payment {id}")))
    }

    /// Records a payment's answer, only from the state it was read in.
    #[allow(clippy::too_many_arguments)]
    pub fn settle_mobile_payment(&mut self, id: i64, from: PaymentState, to: PaymentState, internal: Option<&str>, reference: Option<&str>, error: Option<&str>, now_ms: i64) -> Result<MobilePayment> {
        let n = self.conn.execute(
            "UPDATE mobile_payments SET state = ?3, internal_trx_id = COALESCE(?4, internal_trx_id), reference_id = COALESCE(?5, reference_id), error = ?6, updated_ms = ?7
             WHERE id = ?1 AND state = ?2",
            params![id, from.as_str(), to.as_str(), internal, reference, error, now_ms],
        )?;
        if n == 0 {
            return Err(StoreError::Conflict(format!("mobile payment {id} is no longer {from}")));
        }
        self.mobile_payment(id)
    }

    /// Payments whose answer is unknown (`submitting` after a crash, `in_doubt`).
    pub fn open_mobile_payments(&self) -> Result<Vec<MobilePayment>> {
        let sql = format!("SELECT {COLS} FROM mobile_payments WHERE state IN ('submitting', 'in_doubt') ORDER BY id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Ties a succeeded, unused payment to a sale and marks the sale's tender.
    pub fn pay_sale_with(&mut self, payment_id: i64, sale_id: i64) -> Result<()> {
        let tx = write_tx(&mut self.conn)?;
        let n = tx.execute("UPDATE mobile_payments SET sale_id = ?2 WHERE id = ?1 AND state = 'succeeded' AND sale_id IS NULL", params![payment_id, sale_id])?;
        if n == 0 {
            return Err(StoreError::Conflict(format!("mobile payment {payment_id} is not a succeeded payment free to use")));
        }
        tx.execute("UPDATE sales SET tender = 'ideamart' WHERE id = ?1", [sale_id])?;
        tx.commit()?;
        Ok(())
    }
}
