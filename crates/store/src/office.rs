//! The manager's office in the ledger: shifts with cash counts, the reprint log,
//! numbered immutable Z reports, and the figures reports are made of, summed by SQLite
//! (`GROUP BY` over an id range or the `sales_created` index), never by reading every
//! sale into memory.

use crate::{currency_from, sale_from_row, write_tx, Result, SaleRow, Store, StoreError, SALE_COLUMNS};
use airtill_domain::Currency;
use rusqlite::{params, OptionalExtension};

/// A manager override as the books list it: `(kind, sale id, manager, reason, at)`.
pub type OverrideRow = (String, Option<i64>, String, String, i64);

/// Which sales a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Window {
    /// Sales with `after < id <= upto` (a Z report and an X report: since the last Z),
    /// plus sales of earlier windows that were unresolved then (`carried`).
    Ids { after: i64, upto: i64, carried: Vec<i64> },
    /// Sales created in `[from_ms, to_ms)` (a period report).
    Created { from_ms: i64, to_ms: i64 },
}

impl Window {
    /// The SQL condition on `s` and its three parameters.
    fn condition(&self) -> (&'static str, i64, i64, String) {
        match self {
            Window::Ids { after, upto, carried } => {
                let ids = serde_json::to_string(carried).unwrap_or_else(|_| "[]".into());
                ("((s.id > ?1 AND s.id <= ?2) OR s.id IN (SELECT value FROM json_each(?3)))", *after, *upto, ids)
            }
            Window::Created { from_ms, to_ms } => ("(s.created_ms >= ?1 AND s.created_ms < ?2 AND ?3 IS NOT NULL)", *from_ms, *to_ms, String::new()),
        }
    }
}

/// What a report line is summed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Network,
    Kind,
    Provider,
    Cashier,
    Tender,
    /// The local hour of day (0–23), with the till's offset from UTC in ms.
    Hour {
        offset_ms: i64,
    },
    /// Everything in one line (key "all").
    All,
}

/// Count, value, cost and profit of the sold sales of one key and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub key: String,
    pub currency: Currency,
    pub count: i64,
    pub value_minor: i64,
    /// What the provider charged, exactly, in ten-thousandths: each sale's cost (the
    /// value less the dealer discount, or the provider's own figure), added up.
    pub cost_e4: i64,
    pub profit_e4: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftRow {
    pub id: i64,
    pub till_id: String,
    pub user_id: i64,
    pub user_name: String,
    pub opened_ms: i64,
    pub float_minor: i64,
    pub currency: Currency,
    pub closed_ms: Option<i64>,
    pub closed_by: Option<i64>,
    /// The count by denomination, as JSON `{"20000": 3, "50": 4}` (minor units → pieces).
    pub counts: Option<String>,
    pub counted_minor: Option<i64>,
    pub expected_minor: Option<i64>,
    /// Counted less expected: over when positive, short when negative.
    pub variance_minor: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReprintRow {
    pub sale_id: i64,
    pub receipt_no: i64,
    pub user_name: String,
    pub approved_by: Option<String>,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZRow {
    pub till_id: String,
    pub z_no: i64,
    pub after_sale_id: i64,
    pub upto_sale_id: i64,
    pub from_ms: i64,
    pub produced_ms: i64,
    pub produced_by: i64,
    /// The report as produced (JSON), so that it prints the same forever.
    pub body: String,
}

const SHIFT_COLUMNS: &str = "h.id, h.till_id, h.user_id, u.name, h.opened_ms, h.float_minor, h.currency, h.closed_ms, h.closed_by, h.counts, \
    h.counted_minor, h.expected_minor, h.variance_minor";

fn shift_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ShiftRow, String)> {
    Ok((
        ShiftRow {
            id: r.get(0)?,
            till_id: r.get(1)?,
            user_id: r.get(2)?,
            user_name: r.get(3)?,
            opened_ms: r.get(4)?,
            float_minor: r.get(5)?,
            currency: Currency::ZAR,
            closed_ms: r.get(7)?,
            closed_by: r.get(8)?,
            counts: r.get(9)?,
            counted_minor: r.get(10)?,
            expected_minor: r.get(11)?,
            variance_minor: r.get(12)?,
        },
        r.get(6)?,
    ))
}

fn finish_shift((mut s, currency): (ShiftRow, String)) -> Result<ShiftRow> {
    s.currency = currency_from(&currency)?;
    Ok(s)
}

fn z_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ZRow> {
    Ok(ZRow { till_id: r.get(0)?, z_no: r.get(1)?, after_sale_id: r.get(2)?, upto_sale_id: r.get(3)?, from_ms: r.get(4)?, produced_ms: r.get(5)?, produced_by: r.get(6)?, body: r.get(7)? })
}

const Z_COLUMNS: &str = "till_id, z_no, after_sale_id, upto_sale_id, from_ms, produced_ms, produced_by, body";

impl Store {
    pub(crate) fn till_id(&self) -> Result<String> {
        self.conn.prepare_cached("SELECT till_id FROM shop WHERE id = 1")?.query_row([], |r| r.get(0)).optional()?.ok_or_else(|| StoreError::Corrupt("the shop is not set up".into()))
    }

    /// Sold sales (state `succeeded`) in the window, summed by `by`, ordered by key.
    pub fn totals(&self, window: &Window, by: By) -> Result<Vec<Totals>> {
        let key = match by {
            By::Network => "s.network_name".to_string(),
            By::Kind => "s.product_kind".to_string(),
            By::Provider => "s.provider".to_string(),
            By::Cashier => "u.name".to_string(),
            By::Tender => "s.tender".to_string(),
            By::Hour { offset_ms } => {
                format!("printf('%02d', ((s.created_ms + ({offset_ms})) / 3600000) % 24)")
            }
            By::All => "'all'".to_string(),
        };
        let (cond, a, b, c) = window.condition();
        let sql = format!(
            "SELECT {key} AS k, s.currency, COUNT(*), SUM(s.amount_minor),
                    SUM(COALESCE(s.cost_e4, s.amount_minor * 100))
             FROM sales s JOIN users u ON u.id = s.user_id
             WHERE s.state = 'succeeded' AND {cond}
             GROUP BY k, s.currency ORDER BY k, s.currency"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![a, b, c], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?)))?;
        rows.map(|row| {
            let (key, currency, count, value, cost) = row?;
            Ok(Totals { key, currency: currency_from(&currency)?, count, value_minor: value, cost_e4: cost, profit_e4: value * 100 - cost })
        })
        .collect()
    }

    /// Sales of the window in the given states, oldest first.
    pub fn sales_in(&self, window: &Window, states: &[&str]) -> Result<Vec<SaleRow>> {
        let (cond, a, b, c) = window.condition();
        let states = serde_json::to_string(states).unwrap_or_else(|_| "[]".into());
        let sql = format!(
            "SELECT {SALE_COLUMNS} FROM sales s JOIN users u ON u.id = s.user_id
             WHERE {cond} AND s.state IN (SELECT value FROM json_each(?4)) ORDER BY s.id"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![a, b, c, states], sale_from_row)?;
        rows.map(|r| self.finish(r?)).collect()
    }

    /// `(count, value)` of failed sales in the window per currency.
    pub fn failed_in(&self, window: &Window) -> Result<Vec<(Currency, i64, i64)>> {
        let (cond, a, b, c) = window.condition();
        let sql = format!("SELECT s.currency, COUNT(*), SUM(s.amount_minor) FROM sales s WHERE s.state = 'failed' AND {cond} GROUP BY s.currency ORDER BY s.currency");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![a, b, c], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
        rows.map(|row| {
            let (cur, n, v) = row?;
            Ok((currency_from(&cur)?, n, v))
        })
        .collect()
    }

    /// The newest sale id (0 when there is none).
    pub fn last_sale_id(&self) -> Result<i64> {
        Ok(self.conn.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM sales")?.query_row([], |r| r.get(0))?)
    }

    /// The provider wallet balance after the last sale with one, at or before `upto_id`
    /// (a sale's answer carries the wallet after it).
    pub fn wallet_after(&self, provider: &str, upto_id: i64) -> Result<Option<(i64, i64)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT wallet_after_e4, updated_ms FROM sales WHERE provider = ?1 AND id <= ?2 AND wallet_after_e4 IS NOT NULL ORDER BY id DESC LIMIT 1")?
            .query_row(params![provider, upto_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The newest sale created before `ms` (0 when there is none).
    pub fn last_sale_id_before(&self, ms: i64) -> Result<i64> {
        Ok(self.conn.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM sales WHERE created_ms < ?1")?.query_row([ms], |r| r.get(0))?)
    }

    /// Receipt numbers missing at this till: `(count of sales, first, last)` and the
    /// numbers between first and last that no sale has (at most 10 named).
    pub fn receipt_gaps(&self) -> Result<(i64, Vec<i64>)> {
        let till = self.till_id()?;
        let (count, first, last): (i64, Option<i64>, Option<i64>) =
            self.conn.query_row("SELECT COUNT(*), MIN(receipt_no), MAX(receipt_no) FROM sales WHERE till_id = ?1", [&till], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let (Some(first), Some(last)) = (first, last) else {
            return Ok((0, Vec::new()));
        };
        if last - first + 1 == count && first == 1 {
            return Ok((count, Vec::new()));
        }
        let mut st = self.conn.prepare(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?2)
             SELECT x FROM n WHERE x NOT IN (SELECT receipt_no FROM sales WHERE till_id = ?1) LIMIT 10",
        )?;
        let rows = st.query_map(params![till, last], |r| r.get(0))?;
        Ok((count, rows.collect::<rusqlite::Result<_>>()?))
    }

    /// When the first sale was made (a first Z starts there).
    pub fn first_sale_ms(&self) -> Result<Option<i64>> {
        Ok(self.conn.prepare_cached("SELECT MIN(created_ms) FROM sales")?.query_row([], |r| r.get(0))?)
    }

    /// The provider wallet after the last sale with one created before `before_ms`.
    pub fn wallet_before(&self, provider: &str, before_ms: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT wallet_after_e4 FROM sales WHERE provider = ?1 AND created_ms < ?2 AND wallet_after_e4 IS NOT NULL ORDER BY created_ms DESC, id DESC LIMIT 1")?
            .query_row(params![provider, before_ms], |r| r.get(0))
            .optional()?)
    }

    /// Copies the ledger to a new file while it is in use (SQLite's online backup:
    /// a consistent copy of one moment, the WAL included).
    pub fn backup_to(&self, out: &std::path::Path) -> Result<()> {
        // Made whole beside the target and renamed into place only when checked: a
        // backup killed at any moment leaves no file under the backup's name.
        if out.exists() {
            return Err(StoreError::NotSaved(format!("{} exists already", out.display())));
        }
        let copy = crate::copy_beside(&self.conn, out)?;
        std::fs::rename(&copy, out).map_err(|e| {
            let _ = std::fs::remove_file(&copy);
            StoreError::NotSaved(format!("the backup could not be put in place: {e}"))
        })?;
        crate::sync_folder_of(out);
        Ok(())
    }

    /// Cash sold in the window by someone with no open shift at the time (ledgers of
    /// older versions sold cash without one): (count, value in minor units) per
    /// currency, so a report lists it as such instead of dropping it from the drawers.
    pub fn cash_outside_shifts(&self, window: &Window) -> Result<Vec<(Currency, i64, i64)>> {
        let (cond, a, b, c) = window.condition();
        let sql = format!(
            "SELECT s.currency, COUNT(*), COALESCE(SUM(s.amount_minor), 0) FROM sales s
             WHERE {cond} AND s.state = 'succeeded' AND s.tender = 'cash' AND NOT EXISTS (
                SELECT 1 FROM shifts h WHERE h.user_id = s.user_id AND h.till_id = s.till_id
                AND h.opened_ms <= s.created_ms AND (h.closed_ms IS NULL OR h.closed_ms >= s.created_ms))
             GROUP BY s.currency ORDER BY 1"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![a, b, c], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
        rows.map(|r| {
            let (cur, n, v) = r?;
            Ok((currency_from(&cur)?, n, v))
        })
        .collect()
    }

    /// The providers that sold in the window.
    pub fn providers_in(&self, window: &Window) -> Result<Vec<String>> {
        let (cond, a, b, c) = window.condition();
        let sql = format!("SELECT DISTINCT s.provider FROM sales s WHERE {cond} ORDER BY 1");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![a, b, c], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- shifts ----

    /// Opens a shift for a cashier at this till with a float. One open shift per
    /// person per till.
    pub fn open_shift(&mut self, user_id: i64, float_minor: i64, currency: Currency, now_ms: i64) -> Result<ShiftRow> {
        let till = self.till_id()?;
        if let Some(open) = self.open_shift_of(user_id)? {
            return Err(StoreError::Conflict(format!("shift {} is still open", open.id)));
        }
        self.conn.prepare_cached("INSERT INTO shifts (till_id, user_id, opened_ms, float_minor, currency) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
            till,
            user_id,
            now_ms,
            float_minor,
            currency.code()
        ])?;
        let id = self.conn.last_insert_rowid();
        self.shift(id)
    }

    pub fn shift(&self, id: i64) -> Result<ShiftRow> {
        let sql = format!("SELECT {SHIFT_COLUMNS} FROM shifts h JOIN users u ON u.id = h.user_id WHERE h.id = ?1");
        let row = self.conn.prepare_cached(&sql)?.query_row([id], shift_from_row).optional()?;
        finish_shift(row.ok_or_else(|| StoreError::Conflict(format!("there is no shift {id}")))?)
    }

    /// The person's open shift at this till.
    pub fn open_shift_of(&self, user_id: i64) -> Result<Option<ShiftRow>> {
        let till = self.till_id()?;
        let sql = format!("SELECT {SHIFT_COLUMNS} FROM shifts h JOIN users u ON u.id = h.user_id WHERE h.till_id = ?1 AND h.user_id = ?2 AND h.closed_ms IS NULL");
        self.conn.prepare_cached(&sql)?.query_row(params![till, user_id], shift_from_row).optional()?.map(finish_shift).transpose()
    }

    /// Every shift still open at this till, oldest first.
    pub fn open_shifts(&self) -> Result<Vec<ShiftRow>> {
        let till = self.till_id()?;
        let sql = format!("SELECT {SHIFT_COLUMNS} FROM shifts h JOIN users u ON u.id = h.user_id WHERE h.till_id = ?1 AND h.closed_ms IS NULL ORDER BY h.id");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([till], shift_from_row)?;
        rows.map(|r| finish_shift(r?)).collect()
    }

    /// Cash the drawer should hold for a shift now: the float and the value of the
    /// cashier's cash sales sold at this till since the shift opened.
    pub fn expected_cash(&self, shift: &ShiftRow, until_ms: i64) -> Result<i64> {
        let sold: i64 = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount_minor), 0) FROM sales
                 WHERE created_ms >= ?1 AND created_ms <= ?2 AND user_id = ?3 AND till_id = ?4 AND state = 'succeeded' AND tender = 'cash' AND currency = ?5",
            )?
            .query_row(params![shift.opened_ms, until_ms, shift.user_id, shift.till_id, shift.currency.code()], |r| r.get(0))?;
        Ok(shift.float_minor + sold)
    }

    /// A shift's own sales so far, for the cashier's totals: `(sold, sold in cash,
    /// waiting for their provider)` counted, and the cash sales' sum.
    pub fn shift_sales(&self, shift: &ShiftRow, until_ms: i64) -> Result<(i64, i64, i64, i64)> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FILTER (WHERE state = 'succeeded'),
                        COUNT(*) FILTER (WHERE state = 'succeeded' AND tender = 'cash'),
                        COUNT(*) FILTER (WHERE state IN ('pending', 'in_doubt', 'submitting', 'created')),
                        COALESCE(SUM(amount_minor) FILTER (WHERE state = 'succeeded' AND tender = 'cash' AND currency = ?5), 0)
                 FROM sales WHERE created_ms >= ?1 AND created_ms <= ?2 AND user_id = ?3 AND till_id = ?4",
            )?
            .query_row(params![shift.opened_ms, until_ms, shift.user_id, shift.till_id, shift.currency.code()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?)
    }

    /// The products this till sold most since `since_ms` (sold, at a fixed price):
    /// `(network, product, amount)`, most sold first.
    pub fn top_products(&self, since_ms: i64, limit: i64) -> Result<Vec<(String, String, i64)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT network_name, product_name, amount_minor FROM sales
             WHERE created_ms >= ?1 AND state = 'succeeded' AND product_kind IN ('airtime', 'voucher', 'data', 'sms') AND provider <> 'stock'
             GROUP BY network_name, product_name, amount_minor ORDER BY COUNT(*) DESC, MAX(id) DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![since_ms, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Closes a shift with the cash counted (by denomination, as JSON) and records the
    /// variance, over or short: never forced to zero.
    pub fn close_shift(&mut self, shift_id: i64, counts_json: &str, counted_minor: i64, closed_by: i64, now_ms: i64) -> Result<ShiftRow> {
        let shift = self.shift(shift_id)?;
        if shift.closed_ms.is_some() {
            return Err(StoreError::Conflict(format!("shift {shift_id} is already closed")));
        }
        let tx = write_tx(&mut self.conn)?;
        let expected = {
            // Read inside the transaction so that no sale slips between sum and close.
            tx.prepare_cached(
                "SELECT COALESCE(SUM(amount_minor), 0) FROM sales
                 WHERE created_ms >= ?1 AND created_ms <= ?2 AND user_id = ?3 AND till_id = ?4 AND state = 'succeeded' AND tender = 'cash' AND currency = ?5",
            )?
            .query_row(params![shift.opened_ms, now_ms, shift.user_id, shift.till_id, shift.currency.code()], |r| r.get::<_, i64>(0))?
                + shift.float_minor
        };
        tx.prepare_cached("UPDATE shifts SET closed_ms = ?2, closed_by = ?3, counts = ?4, counted_minor = ?5, expected_minor = ?6, variance_minor = ?7 WHERE id = ?1 AND closed_ms IS NULL")?
            .execute(params![shift_id, now_ms, closed_by, counts_json, counted_minor, expected, counted_minor - expected])?;
        tx.commit()?;
        self.shift(shift_id)
    }

    /// Shifts open at any time in `[from_ms, to_ms)`, oldest first.
    pub fn shifts_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<ShiftRow>> {
        let sql = format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts h JOIN users u ON u.id = h.user_id
             WHERE h.opened_ms < ?2 AND (h.closed_ms IS NULL OR h.closed_ms >= ?1) ORDER BY h.id"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![from_ms, to_ms], shift_from_row)?;
        rows.map(|r| finish_shift(r?)).collect()
    }

    // ---- reprints ----

    /// Logs a reprint (append-only), with the manager who approved it if one had to.
    /// Records a print of a sale's slip: true when it is the first, false when the
    /// slip was printed before (this print is a copy).
    pub fn record_print(&mut self, sale_id: i64, user_id: i64, now_ms: i64) -> Result<bool> {
        let n = self.conn.prepare_cached("INSERT OR IGNORE INTO slips_printed (sale_id, at_ms, user_id) VALUES (?1, ?2, ?3)")?.execute(params![sale_id, now_ms, user_id])?;
        Ok(n == 1)
    }

    /// Whether a sale's slip has been printed before.
    pub fn was_printed(&self, sale_id: i64) -> Result<bool> {
        Ok(self.conn.prepare_cached("SELECT COUNT(*) FROM slips_printed WHERE sale_id = ?1")?.query_row([sale_id], |r| r.get::<_, i64>(0))? > 0)
    }

    /// How a sale was paid: `cash`, `card`, `mobile`.
    pub fn sale_tender(&self, sale_id: i64) -> Result<String> {
        Ok(self.conn.prepare_cached("SELECT tender FROM sales WHERE id = ?1")?.query_row([sale_id], |r| r.get(0))?)
    }

    pub fn log_reprint(&mut self, sale_id: i64, user_id: i64, approved_by: Option<i64>, now_ms: i64) -> Result<()> {
        self.conn.prepare_cached("INSERT INTO reprints (sale_id, user_id, approved_by, at_ms) VALUES (?1, ?2, ?3, ?4)")?.execute(params![sale_id, user_id, approved_by, now_ms])?;
        Ok(())
    }

    /// Reprints in `[from_ms, to_ms)`, oldest first.
    pub fn reprints_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<ReprintRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT r.sale_id, s.receipt_no, u.name, m.name, r.at_ms FROM reprints r
             JOIN sales s ON s.id = r.sale_id JOIN users u ON u.id = r.user_id LEFT JOIN users m ON m.id = r.approved_by
             WHERE r.at_ms >= ?1 AND r.at_ms < ?2 ORDER BY r.id",
        )?;
        let rows = st.query_map(params![from_ms, to_ms], |r| Ok(ReprintRow { sale_id: r.get(0)?, receipt_no: r.get(1)?, user_name: r.get(2)?, approved_by: r.get(3)?, at_ms: r.get(4)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Manager overrides in `[from_ms, to_ms)`: `(kind, sale id, manager, reason, at)`.
    pub fn overrides_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<OverrideRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT o.kind, o.sale_id, u.name, COALESCE(o.reason, ''), o.at_ms FROM overrides o JOIN users u ON u.id = o.manager_id
             WHERE o.at_ms >= ?1 AND o.at_ms < ?2 ORDER BY o.id",
        )?;
        let rows = st.query_map(params![from_ms, to_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- Z reports ----

    /// The newest Z report of this till.
    pub fn last_z(&self) -> Result<Option<ZRow>> {
        let till = self.till_id()?;
        let sql = format!("SELECT {Z_COLUMNS} FROM z_reports WHERE till_id = ?1 ORDER BY z_no DESC LIMIT 1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([till], z_from_row).optional()?)
    }

    pub fn z_report(&self, z_no: i64) -> Result<Option<ZRow>> {
        let till = self.till_id()?;
        let sql = format!("SELECT {Z_COLUMNS} FROM z_reports WHERE till_id = ?1 AND z_no = ?2");
        Ok(self.conn.prepare_cached(&sql)?.query_row(params![till, z_no], z_from_row).optional()?)
    }

    pub fn z_reports(&self) -> Result<Vec<ZRow>> {
        let till = self.till_id()?;
        let sql = format!("SELECT {Z_COLUMNS} FROM z_reports WHERE till_id = ?1 ORDER BY z_no");
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([till], z_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Each Z's audit chain head at its close (`None` for a Z of an older version).
    pub fn z_audit_heads(&self) -> Result<Vec<(i64, Option<String>)>> {
        let till = self.till_id()?;
        let mut st = self.conn.prepare_cached("SELECT z_no, audit_head FROM z_reports WHERE till_id = ?1 ORDER BY z_no")?;
        let rows = st.query_map([till], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Saves the next Z report. `after_sale_id` must be where the last one ended, so
    /// that two managers producing a Z at once cannot both number theirs the same or
    /// cover the same sales: the second is refused and makes its own afresh.
    pub fn save_z(&mut self, z: &ZRow) -> Result<ZRow> {
        self.save_z_with_head(z, None)
    }

    /// Saves the next Z report with the audit chain's head as it stands now ("id:hash"),
    /// written after the Z's own audit line in the same transaction. Returns the head.
    pub fn save_z_at_audit_head(&mut self, z: &ZRow) -> Result<Option<String>> {
        let head = self.audit_head()?.map(|(id, hash)| format!("{id}:{hash}"));
        self.save_z_with_head(z, head.clone())?;
        Ok(head)
    }

    fn save_z_with_head(&mut self, z: &ZRow, head: Option<String>) -> Result<ZRow> {
        let till = self.till_id()?;
        let tx = write_tx(&mut self.conn)?;
        let last: Option<(i64, i64)> =
            tx.prepare_cached("SELECT z_no, upto_sale_id FROM z_reports WHERE till_id = ?1 ORDER BY z_no DESC LIMIT 1")?.query_row([&till], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let (last_no, last_upto) = last.unwrap_or((0, 0));
        if z.z_no != last_no + 1 || z.after_sale_id != last_upto {
            return Err(StoreError::Conflict(format!("Z {} was produced meanwhile; produce the Z again", last_no)));
        }
        tx.prepare_cached("INSERT INTO z_reports (till_id, z_no, after_sale_id, upto_sale_id, from_ms, produced_ms, produced_by, body, audit_head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?
            .execute(params![till, z.z_no, z.after_sale_id, z.upto_sale_id, z.from_ms, z.produced_ms, z.produced_by, z.body, head])?;
        tx.commit()?;
        Ok(ZRow { till_id: till, ..z.clone() })
    }
}
