//! Offline voucher stock: pinned vouchers bought ahead (a Smartcall batch order, or AAT
//! vouchers without a number, one by one), kept with their PINs sealed, and sold at
//! the till when the provider cannot be reached.
//!
//! The money rules, as for sales: an order row with its own client reference is on
//! disk before the order leaves; the vouchers an order brought are added in one
//! transaction; a voucher is claimed by exactly one sale, in the same transaction that
//! writes the sale (`BEGIN IMMEDIATE`, `UPDATE ... WHERE sale_id IS NULL`), so two
//! tills on one database never sell the same PIN.

use super::{insert_sale_row, pins, write_tx, Result, SaleDetails, SaleRow, Store, StoreError};
use airtill_domain::StockOrderState;
use rusqlite::{params, OptionalExtension};

/// A voucher found free to sell: `(id, provider, serial, sealed PIN, expiry, provider's reference, order id)`.
type FreeVoucherRow = (i64, String, String, String, Option<i64>, Option<String>, i64);

/// What the manager orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStockOrder {
    /// Made by the screen when the manager confirms: a repeat returns the same order.
    pub request_id: String,
    pub client_ref: String,
    /// `smartcall` or `aat`.
    pub provider: String,
    /// The provider's own product (Smartcall product id, AAT voucher id).
    pub product_id: i64,
    pub network_name: String,
    /// The network as the till matches it across providers (`MTN`, `VODACOM`...).
    pub network_key: String,
    pub product_name: String,
    pub product_kind: String,
    /// The face value of one voucher.
    pub amount_minor: i64,
    pub currency: String,
    pub quantity: i64,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockOrder {
    pub id: i64,
    pub request_id: String,
    pub client_ref: String,
    pub provider: String,
    pub product_id: i64,
    pub network_name: String,
    pub network_key: String,
    pub product_name: String,
    pub product_kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub quantity: i64,
    pub state: StockOrderState,
    /// Smartcall's order id; for AAT the order reference of the first voucher.
    pub provider_ref: Option<String>,
    pub attempted: i64,
    pub received: i64,
    pub message: Option<String>,
    pub user_name: String,
    pub training: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// One voucher as it came from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStockVoucher {
    /// The line of the order it belongs to (1-based): added twice, it is kept once.
    pub line: i64,
    /// The ticket (serial) number.
    pub serial: String,
    pub pin: String,
    pub expiry_ms: Option<i64>,
    pub box_number: Option<String>,
    pub batch_number: Option<String>,
    /// The provider's reference of this voucher, when it has its own (AAT).
    pub provider_ref: Option<String>,
}

/// Vouchers on hand of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    pub network_key: String,
    pub network_name: String,
    pub product_kind: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Free to sell (not sold, not expired).
    pub available: i64,
    /// Sold from stock so far.
    pub sold: i64,
    /// Expired and never sold.
    pub expired: i64,
    /// The first expiry among those free to sell.
    pub next_expiry_ms: Option<i64>,
}

/// What a stock sale takes: a voucher of this network, kind and face value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockWant {
    pub network_key: String,
    pub product_kind: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// The AAD a stock PIN is sealed with: bound to its provider and serial.
fn stock_aad(provider: &str, serial: &str) -> String {
    format!("stock:{provider}:{serial}")
}

const ORDER_COLS: &str = "o.id, o.request_id, o.client_ref, o.provider, o.product_id, o.network_name, o.network_key, o.product_name, \
    o.product_kind, o.amount_minor, o.currency, o.quantity, o.state, o.provider_ref, o.attempted, o.received, o.message, u.name, \
    o.training, o.created_ms, o.updated_ms";

fn order_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StockOrder> {
    Ok(StockOrder {
        id: r.get(0)?,
        request_id: r.get(1)?,
        client_ref: r.get(2)?,
        provider: r.get(3)?,
        product_id: r.get(4)?,
        network_name: r.get(5)?,
        network_key: r.get(6)?,
        product_name: r.get(7)?,
        product_kind: r.get(8)?,
        amount_minor: r.get(9)?,
        currency: r.get(10)?,
        quantity: r.get(11)?,
        state: crate::state_of(r, 12, StockOrderState::parse)?,
        provider_ref: r.get(13)?,
        attempted: r.get(14)?,
        received: r.get(15)?,
        message: r.get(16)?,
        user_name: r.get(17)?,
        training: r.get(18)?,
        created_ms: r.get(19)?,
        updated_ms: r.get(20)?,
    })
}

impl Store {
    /// Gives (or, with `None`, takes away) the day's stock key: stock PINs open only
    /// while a manager has the day open. Given, stock PINs still under the till's key
    /// (bought while the day was closed, or by an older version) are sealed under it,
    /// in one transaction. The count sealed again.
    pub fn set_day_key(&mut self, key: Option<&[u8; 32]>) -> Result<usize> {
        let Some(key) = key else {
            self.day_pins = None;
            return Ok(0);
        };
        let day = pins::PinSealer::for_the_day(key);
        let mut moved = 0;
        if let Some(till) = &self.pins {
            let tx = write_tx(&mut self.conn)?;
            let rows: Vec<(i64, String, String, String)> = {
                let mut st = tx.prepare("SELECT id, provider, serial, pin_sealed FROM stock_vouchers WHERE pin_sealed LIKE 'p1:%'")?;
                let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                r.collect::<rusqlite::Result<_>>()?
            };
            for (id, provider, serial, sealed) in rows {
                let aad = stock_aad(&provider, &serial);
                if let Some(pin) = till.open(&sealed, &aad) {
                    tx.execute("UPDATE stock_vouchers SET pin_sealed = ?2 WHERE id = ?1", params![id, day.seal(&pin, &aad)])?;
                    moved += 1;
                }
            }
            tx.commit()?;
        }
        self.day_pins = Some(day);
        Ok(moved)
    }

    /// Whether the day's stock key is given.
    pub fn day_is_open(&self) -> bool {
        self.day_pins.is_some()
    }

    /// A manager's wrap of the day's stock key, if they have one.
    pub fn stock_key_wrap(&self, user_id: i64) -> Result<Option<String>> {
        Ok(self.conn.prepare_cached("SELECT wrapped FROM stock_key_wraps WHERE user_id = ?1")?.query_row([user_id], |r| r.get(0)).optional()?)
    }

    /// Keeps (or, with `None`, removes) a manager's wrap of the stock key.
    pub fn set_stock_key_wrap(&mut self, user_id: i64, wrapped: Option<&str>) -> Result<()> {
        match wrapped {
            Some(w) => self
                .conn
                .prepare_cached("INSERT INTO stock_key_wraps (user_id, wrapped) VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE SET wrapped = excluded.wrapped")?
                .execute(params![user_id, w])?,
            None => self.conn.prepare_cached("DELETE FROM stock_key_wraps WHERE user_id = ?1")?.execute([user_id])?,
        };
        Ok(())
    }

    /// Stock vouchers sealed under a day's key.
    pub fn day_sealed_stock(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM stock_vouchers WHERE pin_sealed LIKE 's1:%'", [], |r| r.get(0))?)
    }

    /// How many managers hold a wrap of the stock key.
    pub fn stock_key_wraps(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM stock_key_wraps", [], |r| r.get(0))?)
    }

    fn sealer(&self) -> Result<&pins::PinSealer> {
        self.pins.as_ref().ok_or_else(|| StoreError::NotSaved("voucher stock needs the PIN key: the PINs are kept sealed".into()))
    }

    /// Stores an order as `sending` (durably) before it leaves; the same request id
    /// returns the order made for it, with `false`.
    pub fn create_stock_order(&mut self, o: &NewStockOrder, now_ms: i64) -> Result<(StockOrder, bool)> {
        self.sealer()?;
        if o.quantity <= 0 || o.amount_minor <= 0 {
            return Err(StoreError::NotSaved("an order needs a quantity and a value".into()));
        }
        let tx = write_tx(&mut self.conn)?;
        let existing: Option<i64> = tx.query_row("SELECT id FROM stock_orders WHERE request_id = ?1", [&o.request_id], |r| r.get(0)).optional()?;
        if let Some(id) = existing {
            drop(tx);
            return Ok((self.stock_order(id)?, false));
        }
        let training: bool = tx.query_row("SELECT training FROM shop WHERE id = 1", [], |r| r.get(0))?;
        tx.execute(
            "INSERT INTO stock_orders (request_id, client_ref, provider, product_id, network_name, network_key, product_name, product_kind,
                amount_minor, currency, quantity, state, user_id, training, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'sending', ?12, ?13, ?14, ?14)",
            params![
                o.request_id,
                o.client_ref,
                o.provider,
                o.product_id,
                o.network_name,
                o.network_key,
                o.product_name,
                o.product_kind,
                o.amount_minor,
                o.currency,
                o.quantity,
                o.user_id,
                training,
                now_ms
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok((self.stock_order(id)?, true))
    }

    pub fn stock_order(&self, id: i64) -> Result<StockOrder> {
        let sql = format!("SELECT {ORDER_COLS} FROM stock_orders o JOIN users u ON u.id = o.user_id WHERE o.id = ?1");
        self.conn.query_row(&sql, [id], order_row).optional()?.ok_or_else(|| StoreError::NotSaved(format!("there is no stock order {id}")))
    }

    /// The order made for this request id, if any.
    pub fn stock_order_by_request(&self, request_id: &str) -> Result<Option<StockOrder>> {
        let sql = format!("SELECT {ORDER_COLS} FROM stock_orders o JOIN users u ON u.id = o.user_id WHERE o.request_id = ?1");
        Ok(self.conn.query_row(&sql, [request_id], order_row).optional()?)
    }

    /// The latest orders first.
    pub fn stock_orders(&self, limit: i64) -> Result<Vec<StockOrder>> {
        let sql = format!("SELECT {ORDER_COLS} FROM stock_orders o JOIN users u ON u.id = o.user_id ORDER BY o.id DESC LIMIT ?1");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([limit], order_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Orders whose vouchers are not all here yet and may still come: sent and not
    /// answered, in doubt, or accepted with the file still to fetch.
    pub fn open_stock_orders(&self) -> Result<Vec<StockOrder>> {
        let sql = format!("SELECT {ORDER_COLS} FROM stock_orders o JOIN users u ON u.id = o.user_id WHERE o.state IN ('sending', 'in_doubt', 'ordered') ORDER BY o.id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], order_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Moves an order; `provider_ref` and `message` are kept when `None`.
    pub fn set_stock_order_state(&mut self, id: i64, state: StockOrderState, provider_ref: Option<&str>, message: Option<&str>, now_ms: i64) -> Result<StockOrder> {
        let tx = write_tx(&mut self.conn)?;
        let current: Option<String> = tx.query_row("SELECT state FROM stock_orders WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let current = current.ok_or_else(|| StoreError::NotSaved(format!("there is no stock order {id}")))?;
        let current = StockOrderState::parse(&current).ok_or_else(|| StoreError::Corrupt(format!("stock order {id} state {current}")))?;
        if current.is_final() && current != state {
            return Err(StoreError::Conflict(format!("stock order {id} is already {current}")));
        }
        tx.execute(
            "UPDATE stock_orders SET state = ?2, provider_ref = COALESCE(?3, provider_ref), message = COALESCE(?4, message), updated_ms = ?5 WHERE id = ?1",
            params![id, state.as_str(), provider_ref, message, now_ms],
        )?;
        tx.commit()?;
        self.stock_order(id)
    }

    /// Marks line `line` of an AAT order as possibly sent (committed before it leaves).
    pub fn set_stock_attempted(&mut self, id: i64, line: i64, now_ms: i64) -> Result<()> {
        let tx = write_tx(&mut self.conn)?;
        tx.execute("UPDATE stock_orders SET attempted = MAX(attempted, ?2), updated_ms = ?3 WHERE id = ?1", params![id, line, now_ms])?;
        tx.commit()?;
        Ok(())
    }

    /// Adds vouchers an order brought, PINs sealed, all in one transaction; a line or a
    /// serial already here is kept once. Answers how many were new.
    pub fn add_stock_vouchers(&mut self, order_id: i64, vouchers: &[NewStockVoucher], now_ms: i64) -> Result<i64> {
        let sealed: Vec<String> = {
            // Under the day's key while a manager has the day open; else under the
            // till's, sealed again under the day's at the next opening.
            let sealer = match &self.day_pins {
                Some(day) => day,
                None => self.sealer()?,
            };
            let order = self.stock_order(order_id)?;
            vouchers.iter().map(|v| sealer.seal(v.pin.trim(), &stock_aad(&order.provider, v.serial.trim()))).collect()
        };
        let order = self.stock_order(order_id)?;
        let tx = write_tx(&mut self.conn)?;
        let mut added = 0;
        for (v, pin) in vouchers.iter().zip(sealed) {
            if v.pin.trim().is_empty() || v.serial.trim().is_empty() {
                return Err(StoreError::NotSaved(format!("voucher line {} has no PIN or no serial number", v.line)));
            }
            added += tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO stock_vouchers (order_id, line, provider, serial, pin_sealed, network_key, product_kind, amount_minor,
                        currency, expiry_ms, box_number, batch_number, provider_ref, added_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )?
                .execute(params![
                    order_id,
                    v.line,
                    order.provider,
                    v.serial.trim(),
                    pin,
                    order.network_key,
                    order.product_kind,
                    order.amount_minor,
                    order.currency,
                    v.expiry_ms,
                    v.box_number,
                    v.batch_number,
                    v.provider_ref,
                    now_ms
                ])? as i64;
        }
        tx.execute("UPDATE stock_orders SET received = (SELECT COUNT(*) FROM stock_vouchers WHERE order_id = ?1), updated_ms = ?2 WHERE id = ?1", params![order_id, now_ms])?;
        tx.commit()?;
        Ok(added)
    }

    /// The lines of an order already here.
    pub fn stock_lines(&self, order_id: i64) -> Result<Vec<i64>> {
        let mut st = self.conn.prepare("SELECT line FROM stock_vouchers WHERE order_id = ?1 ORDER BY line")?;
        let rows = st.query_map([order_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Vouchers on hand per network, kind and value, at `now_ms` (expired ones apart).
    pub fn stock_levels(&self, now_ms: i64) -> Result<Vec<StockLevel>> {
        let mut st = self.conn.prepare(
            "SELECT v.network_key, MAX(o.network_name), v.product_kind, v.amount_minor, v.currency,
                SUM(v.sale_id IS NULL AND (v.expiry_ms IS NULL OR v.expiry_ms > ?1)),
                SUM(v.sale_id IS NOT NULL),
                SUM(v.sale_id IS NULL AND v.expiry_ms IS NOT NULL AND v.expiry_ms <= ?1),
                MIN(CASE WHEN v.sale_id IS NULL AND (v.expiry_ms IS NULL OR v.expiry_ms > ?1) THEN v.expiry_ms END)
             FROM stock_vouchers v JOIN stock_orders o ON o.id = v.order_id
             GROUP BY v.network_key, v.product_kind, v.amount_minor, v.currency
             ORDER BY v.network_key, v.product_kind, v.amount_minor",
        )?;
        let rows = st.query_map([now_ms], |r| {
            Ok(StockLevel {
                network_key: r.get(0)?,
                network_name: r.get(1)?,
                product_kind: r.get(2)?,
                amount_minor: r.get(3)?,
                currency: r.get(4)?,
                available: r.get(5)?,
                sold: r.get(6)?,
                expired: r.get(7)?,
                next_expiry_ms: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many vouchers of this kind are free to sell now.
    pub fn stock_available(&self, want: &StockWant, now_ms: i64) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM stock_vouchers WHERE sale_id IS NULL AND network_key = ?1 AND product_kind = ?2 AND amount_minor = ?3
                AND currency = ?4 AND (expiry_ms IS NULL OR expiry_ms > ?5)",
            params![want.network_key, want.product_kind, want.amount_minor, want.currency, now_ms],
            |r| r.get(0),
        )?)
    }

    /// Sells one voucher from stock: in one transaction the sale row is written as
    /// sold, with the voucher's PIN (sealed to the sale) and serial, and the voucher is
    /// claimed for it. The voucher that expires first goes first. A request id seen
    /// before returns its sale (`false`); `None` when no voucher of the kind is left.
    /// `details.provider` is `stock`.
    pub fn sell_from_stock(&mut self, details: &SaleDetails, want: &StockWant, now_ms: i64) -> Result<Option<(SaleRow, bool)>> {
        self.sealer()?;
        let tx = write_tx(&mut self.conn)?;
        let existing: Option<i64> = tx.query_row("SELECT id FROM sales WHERE request_id = ?1", [&details.request_id], |r| r.get(0)).optional()?;
        if let Some(id) = existing {
            drop(tx);
            return Ok(Some((self.sale(id)?, false)));
        }
        let found: Option<FreeVoucherRow> = tx
            .query_row(
                "SELECT v.id, v.provider, v.serial, v.pin_sealed, v.expiry_ms, COALESCE(v.provider_ref, o.provider_ref), o.id
                 FROM stock_vouchers v JOIN stock_orders o ON o.id = v.order_id
                 WHERE v.sale_id IS NULL AND v.network_key = ?1 AND v.product_kind = ?2 AND v.amount_minor = ?3 AND v.currency = ?4
                   AND (v.expiry_ms IS NULL OR v.expiry_ms > ?5)
                 ORDER BY v.expiry_ms IS NULL, v.expiry_ms, v.id LIMIT 1",
                params![want.network_key, want.product_kind, want.amount_minor, want.currency, now_ms],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let Some((voucher_id, provider, serial, pin_sealed, expiry_ms, provider_ref, order_id)) = found else {
            return Ok(None);
        };
        let sealer = self.pins.as_ref().expect("checked above");
        let opener = if pin_sealed.starts_with(pins::DAY_SEALED) { self.day_pins.as_ref().ok_or(StoreError::DayClosed)? } else { sealer };
        let pin = opener.open(&pin_sealed, &stock_aad(&provider, &serial)).ok_or_else(|| StoreError::Corrupt(format!("stock voucher {serial} does not open with this till's key")))?;
        let sale_pin = sealer.seal(&pin, &details.client_ref);
        let id = insert_sale_row(&tx, details, now_ms, "succeeded", None)?;
        let label = match provider.as_str() {
            "smartcall" => "Smartcall",
            "aat" => "AAT",
            other => other,
        };
        let origin = format!("{label} order {}", provider_ref.unwrap_or_else(|| order_id.to_string()));
        tx.execute(
            "UPDATE sales SET voucher_pin = ?2, ticket_number = ?3, expiry_ms = ?4, provider_ref = ?5, updated_ms = ?6 WHERE id = ?1",
            params![id, sale_pin, serial, expiry_ms, origin, now_ms],
        )?;
        tx.prepare_cached("INSERT INTO sale_events (sale_id, seq, from_state, to_state, at_ms, detail) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sale_events WHERE sale_id = ?1), 'created', 'succeeded', ?2, ?3)")?
            .execute(params![id, now_ms, format!("sold from stock: {provider} voucher {serial}")])?;
        let claimed = tx.execute("UPDATE stock_vouchers SET sale_id = ?2, claimed_ms = ?3 WHERE id = ?1 AND sale_id IS NULL", params![voucher_id, id, now_ms])?;
        if claimed != 1 {
            // Cannot happen under the write lock; if it did, nothing of this sale stays.
            return Err(StoreError::Conflict("that stock voucher was just sold by another till; try again".into()));
        }
        tx.commit()?;
        Ok(Some((self.sale(id)?, true)))
    }

    /// Vouchers bought into stock from `provider` in `[from_ms, to_ms)` per network
    /// key: `(network name, count, face value)` (reconciliation counts them as sales).
    pub fn stock_bought_between(&self, provider: &str, from_ms: i64, to_ms: i64) -> Result<Vec<(String, String, i64, i64)>> {
        let mut st = self.conn.prepare(
            "SELECT o.network_key, MAX(o.network_name), COUNT(v.id), COALESCE(SUM(v.amount_minor), 0)
             FROM stock_orders o JOIN stock_vouchers v ON v.order_id = o.id
             WHERE o.provider = ?1 AND o.created_ms >= ?2 AND o.created_ms < ?3
             GROUP BY o.network_key ORDER BY 1",
        )?;
        let rows = st.query_map(params![provider, from_ms, to_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, Shop};
    use airtill_domain::SaleState;

    const KEY: [u8; 32] = [9; 32];

    fn ready(s: &mut Store) -> i64 {
        s.set_pin_key(&KEY).unwrap();
        if s.shop().unwrap().is_none() {
            s.set_shop(&Shop { name: "Test Shop".into(), till_id: "T1".into(), training: true }).unwrap();
            s.add_user("Manager", Role::Manager, "hash").unwrap();
        }
        s.users().unwrap()[0].id
    }

    fn order(uid: i64, request: &str, quantity: i64) -> NewStockOrder {
        NewStockOrder {
            request_id: request.into(),
            client_ref: format!("cref-{request}"),
            provider: "smartcall".into(),
            product_id: 42,
            network_name: "MTN".into(),
            network_key: "MTN".into(),
            product_name: "MTN Airtime R12".into(),
            product_kind: "voucher".into(),
            amount_minor: 1200,
            currency: "ZAR".into(),
            quantity,
            user_id: uid,
        }
    }

    fn vouchers(n: i64, expiry_ms: Option<i64>) -> Vec<NewStockVoucher> {
        (1..=n)
            .map(|i| NewStockVoucher {
                line: i,
                serial: format!("S{i:05}"),
                pin: format!("{:016}", 1_000_000_000_000_000 + i),
                expiry_ms,
                box_number: Some("BOX1".into()),
                batch_number: Some("B7".into()),
                provider_ref: None,
            })
            .collect()
    }

    fn want() -> StockWant {
        StockWant { network_key: "MTN".into(), product_kind: "voucher".into(), amount_minor: 1200, currency: "ZAR".into() }
    }

    /// The store tests' MTN R12 sale, sold from stock.
    fn stock_sale(uid: i64, request: &str) -> SaleDetails {
        SaleDetails { provider: "stock".into(), discount_e4: None, ..crate::tests::new_sale(uid, request, &format!("sale-{request}")) }
    }

    #[test]
    fn an_order_is_kept_before_it_leaves_and_its_vouchers_once_sealed() {
        let mut s = Store::open_in_memory().unwrap();
        s.set_shop(&Shop { name: "Test Shop".into(), till_id: "T1".into(), training: true }).unwrap();
        let uid = s.add_user("Manager", Role::Manager, "hash").unwrap();
        assert!(s.create_stock_order(&order(uid, "r1", 3), 1).is_err(), "no key, no stock: PINs are never kept in plain text");
        s.set_pin_key(&KEY).unwrap();
        let (o, new) = s.create_stock_order(&order(uid, "r1", 3), 1).unwrap();
        assert!(new);
        assert_eq!(o.state, StockOrderState::Sending);
        let (again, new) = s.create_stock_order(&order(uid, "r1", 3), 2).unwrap();
        assert!(!new);
        assert_eq!(again.id, o.id);
        assert_eq!(s.open_stock_orders().unwrap().len(), 1);
        assert_eq!(s.add_stock_vouchers(o.id, &vouchers(3, None), 3).unwrap(), 3);
        assert_eq!(s.add_stock_vouchers(o.id, &vouchers(3, None), 4).unwrap(), 0, "the same file twice adds nothing");
        let o = s.set_stock_order_state(o.id, StockOrderState::Received, Some("77"), None, 5).unwrap();
        assert_eq!((o.received, o.state.as_str(), o.provider_ref.as_deref()), (3, "received", Some("77")));
        assert!(s.set_stock_order_state(o.id, StockOrderState::InDoubt, None, None, 6).is_err(), "a received order stays received");
        assert!(s.open_stock_orders().unwrap().is_empty());
        // No PIN is in the database in plain text.
        let stored: Vec<String> = s.conn.prepare("SELECT pin_sealed FROM stock_vouchers").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(stored.len(), 3);
        assert!(stored.iter().all(|p| p.starts_with("p1:") && !p.contains("1000000000000001")));
        assert!(s.conn.execute("DELETE FROM stock_vouchers", []).is_err(), "stock is never deleted");
    }

    #[test]
    fn a_stock_sale_is_one_transaction_first_expiry_first_and_each_pin_once() {
        let mut s = Store::open_in_memory().unwrap();
        let uid = ready(&mut s);
        let (o, _) = s.create_stock_order(&order(uid, "r1", 3), 1).unwrap();
        let mut v = vouchers(3, Some(10_000));
        v[2].expiry_ms = Some(5_000);
        s.add_stock_vouchers(o.id, &v, 2).unwrap();
        assert_eq!(s.stock_available(&want(), 100).unwrap(), 3);

        let (sale, new) = s.sell_from_stock(&stock_sale(uid, "a"), &want(), 100).unwrap().unwrap();
        assert!(new);
        assert_eq!(sale.state, SaleState::Succeeded);
        assert_eq!(sale.details.provider, "stock");
        assert_eq!(sale.outcome.ticket_number.as_deref(), Some("S00003"), "the first to expire goes first");
        assert_eq!(sale.outcome.voucher_pin.as_deref(), Some("1000000000000003"));
        assert_eq!(sale.outcome.expiry_ms, Some(5_000));
        let events = s.sale_events(sale.id).unwrap();
        assert_eq!(events.last().unwrap().detail.as_deref(), Some("sold from stock: smartcall voucher S00003"));
        // A double click: the same sale, no second voucher.
        let (same, new) = s.sell_from_stock(&stock_sale(uid, "a"), &want(), 100).unwrap().unwrap();
        assert!(!new);
        assert_eq!(same.id, sale.id);
        assert_eq!(s.stock_available(&want(), 100).unwrap(), 2);
        // Expired vouchers are never sold.
        assert_eq!(s.stock_available(&want(), 10_000).unwrap(), 0);
        assert!(s.sell_from_stock(&stock_sale(uid, "b"), &want(), 10_000).unwrap().is_none());
        assert!(s.sale_by_request("b").unwrap().is_none(), "no stock, no sale row");
        let levels = s.stock_levels(10_000).unwrap();
        assert_eq!((levels[0].available, levels[0].sold, levels[0].expired), (0, 1, 2));
        // Another kind is not sold for this one.
        let other = StockWant { amount_minor: 2900, ..want() };
        assert!(s.sell_from_stock(&stock_sale(uid, "c"), &other, 100).unwrap().is_none());
        // A sold voucher is never given to a second sale, even by hand.
        assert!(s.conn.execute("UPDATE stock_vouchers SET sale_id = NULL WHERE sale_id IS NOT NULL", []).is_err());
    }

    #[test]
    fn a_sealed_stock_pin_moved_to_another_voucher_does_not_open() {
        let mut s = Store::open_in_memory().unwrap();
        let uid = ready(&mut s);
        let (o, _) = s.create_stock_order(&order(uid, "r1", 2), 1).unwrap();
        s.add_stock_vouchers(o.id, &vouchers(2, None), 2).unwrap();
        s.conn.execute("UPDATE stock_vouchers SET pin_sealed = (SELECT pin_sealed FROM stock_vouchers WHERE line = 2) WHERE line = 1", []).unwrap();
        assert!(matches!(s.sell_from_stock(&stock_sale(uid, "a"), &want(), 100), Err(StoreError::Corrupt(_))));
        assert!(s.sale_by_request("a").unwrap().is_none(), "nothing of the failed sale stays");
        assert_eq!(s.stock_available(&want(), 100).unwrap(), 2);
    }

    /// Two tills on one database (two connections, each its own thread) sell the
    /// same stock at once until it is gone: every voucher is sold once, every sale
    /// has its own voucher, and nothing is left over or lost.
    #[test]
    fn two_tills_on_one_database_never_sell_a_pin_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        let uid = {
            let mut s = Store::open(&path).unwrap();
            let uid = ready(&mut s);
            let (o, _) = s.create_stock_order(&order(uid, "r1", 60), 1).unwrap();
            s.add_stock_vouchers(o.id, &vouchers(60, None), 2).unwrap();
            uid
        };
        let tills: Vec<_> = (0..2)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut s = Store::open(&path).unwrap();
                    s.set_pin_key(&KEY).unwrap();
                    let mut mine = Vec::new();
                    for i in 0.. {
                        match s.sell_from_stock(&stock_sale(uid, &format!("t{t}-{i}")), &want(), 100).unwrap() {
                            Some((sale, true)) => mine.push(sale.outcome.voucher_pin.unwrap()),
                            Some((_, false)) => panic!("a new request made no new sale"),
                            None => break,
                        }
                    }
                    mine
                })
            })
            .collect();
        let sold: Vec<Vec<String>> = tills.into_iter().map(|t| t.join().unwrap()).collect();
        let mut all: Vec<String> = sold.concat();
        assert_eq!(all.len(), 60, "every voucher sold: {} + {}", sold[0].len(), sold[1].len());
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 60, "no PIN sold twice");
        let s = Store::open(&path).unwrap();
        let linked: i64 = s.conn.query_row("SELECT COUNT(DISTINCT sale_id) FROM stock_vouchers WHERE sale_id IS NOT NULL", [], |r| r.get(0)).unwrap();
        assert_eq!(linked, 60);
        assert_eq!(s.sale_count().unwrap(), 60);
        assert_eq!(s.integrity_check().unwrap(), "ok");
    }
}
