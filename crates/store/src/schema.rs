//! The schema and its migrations, applied in order inside one transaction each.

use crate::{Result, StoreError};
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: the shop, users, sales and their append-only history, cached catalogs.
    r#"
    CREATE TABLE shop (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        till_id TEXT NOT NULL,
        training INTEGER NOT NULL
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('manager', 'cashier')),
        pin_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE sales (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        client_ref TEXT NOT NULL UNIQUE,
        receipt_no INTEGER NOT NULL,
        till_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        provider TEXT NOT NULL,
        network_name TEXT NOT NULL,
        product_id INTEGER NOT NULL,
        product_name TEXT NOT NULL,
        product_kind TEXT NOT NULL,
        pinned INTEGER NOT NULL,
        recipient TEXT NOT NULL,
        amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
        currency TEXT NOT NULL,
        discount_hundredths INTEGER,
        state TEXT NOT NULL CHECK (state IN ('created','submitting','succeeded','failed','pending','in_doubt','cancelled','reversed')),
        provider_ref TEXT,
        voucher_pin TEXT,
        ticket_number TEXT,
        expiry_ms INTEGER,
        wallet_after_minor INTEGER,
        error_class TEXT,
        error_message TEXT,
        training INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        UNIQUE (till_id, receipt_no)
    );
    CREATE INDEX sales_created ON sales (created_ms);
    CREATE INDEX sales_state ON sales (state) WHERE state IN ('submitting', 'pending', 'in_doubt');
    CREATE INDEX sales_provider_ref ON sales (provider, provider_ref);
    CREATE TABLE sale_events (
        id INTEGER PRIMARY KEY,
        sale_id INTEGER NOT NULL REFERENCES sales(id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        detail TEXT
    );
    CREATE INDEX sale_events_sale ON sale_events (sale_id);
    CREATE TRIGGER sale_events_no_update BEFORE UPDATE ON sale_events
        BEGIN SELECT RAISE(ABORT, 'sale history is append-only'); END;
    CREATE TRIGGER sale_events_no_delete BEFORE DELETE ON sale_events
        BEGIN SELECT RAISE(ABORT, 'sale history is append-only'); END;
    CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales
        BEGIN SELECT RAISE(ABORT, 'sales are never deleted'); END;
    CREATE TABLE catalog_cache (
        provider TEXT PRIMARY KEY,
        etag TEXT,
        body TEXT NOT NULL,
        fetched_ms INTEGER NOT NULL
    );
    "#,
    // 2: the sale engine: the resolver's schedule, store-and-forward cancels, manager
    // overrides, routes and settings.
    r#"
    ALTER TABLE sales ADD COLUMN submitted_ms INTEGER;
    ALTER TABLE sales ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sales ADD COLUMN next_check_ms INTEGER;
    ALTER TABLE sales ADD COLUMN cancel_requested_ms INTEGER;
    CREATE INDEX sales_guard ON sales (recipient, amount_minor) WHERE state IN ('created', 'submitting', 'pending', 'in_doubt');
    -- Fewer pages written per sale: unresolved sales are found through sales_guard
    -- (the same partial condition); provider references get their index with
    -- reconciliation.
    DROP INDEX sales_state;
    DROP INDEX sales_provider_ref;
    -- The history clustered by sale: a sale's lines share a page, one page written
    -- per move instead of a table page and an index page.
    CREATE TABLE sale_events_new (
        sale_id INTEGER NOT NULL REFERENCES sales(id),
        seq INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        detail TEXT,
        PRIMARY KEY (sale_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO sale_events_new (sale_id, seq, from_state, to_state, at_ms, detail)
        SELECT sale_id, id, from_state, to_state, at_ms, detail FROM sale_events;
    DROP TABLE sale_events;
    ALTER TABLE sale_events_new RENAME TO sale_events;
    CREATE TRIGGER sale_events_no_update BEFORE UPDATE ON sale_events
        BEGIN SELECT RAISE(ABORT, 'sale history is append-only'); END;
    CREATE TRIGGER sale_events_no_delete BEFORE DELETE ON sale_events
        BEGIN SELECT RAISE(ABORT, 'sale history is append-only'); END;
    CREATE TABLE overrides (
        id INTEGER PRIMARY KEY,
        sale_id INTEGER REFERENCES sales(id),
        kind TEXT NOT NULL,
        manager_id INTEGER NOT NULL REFERENCES users(id),
        reason TEXT,
        at_ms INTEGER NOT NULL
    );
    CREATE TRIGGER overrides_no_update BEFORE UPDATE ON overrides
        BEGIN SELECT RAISE(ABORT, 'overrides are append-only'); END;
    CREATE TRIGGER overrides_no_delete BEFORE DELETE ON overrides
        BEGIN SELECT RAISE(ABORT, 'overrides are append-only'); END;
    CREATE TABLE routes (
        kind_key TEXT PRIMARY KEY,
        providers TEXT NOT NULL
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
    // 3: the manager's office: tenders, shifts with cash counts, numbered immutable Z
    // reports, the reprint log and the till's login lockout. No index is added to
    // `sales` (a sale's commits stay as small as they were): reports read sales by
    // id range (Z) or through `sales_created` (periods).
    r#"
    ALTER TABLE sales ADD COLUMN tender TEXT NOT NULL DEFAULT 'cash';
    CREATE TABLE shifts (
        id INTEGER PRIMARY KEY,
        till_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id),
        opened_ms INTEGER NOT NULL,
        float_minor INTEGER NOT NULL CHECK (float_minor >= 0),
        currency TEXT NOT NULL,
        closed_ms INTEGER,
        closed_by INTEGER REFERENCES users(id),
        counts TEXT,
        counted_minor INTEGER,
        expected_minor INTEGER,
        variance_minor INTEGER
    );
    CREATE UNIQUE INDEX shifts_one_open ON shifts (till_id, user_id) WHERE closed_ms IS NULL;
    CREATE TRIGGER shifts_closed_stay_closed BEFORE UPDATE ON shifts WHEN OLD.closed_ms IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a closed shift cannot change'); END;
    CREATE TRIGGER shifts_no_delete BEFORE DELETE ON shifts
        BEGIN SELECT RAISE(ABORT, 'shifts are never deleted'); END;
    CREATE TABLE z_reports (
        id INTEGER PRIMARY KEY,
        till_id TEXT NOT NULL,
        z_no INTEGER NOT NULL,
        after_sale_id INTEGER NOT NULL,
        upto_sale_id INTEGER NOT NULL,
        from_ms INTEGER NOT NULL,
        produced_ms INTEGER NOT NULL,
        produced_by INTEGER NOT NULL REFERENCES users(id),
        body TEXT NOT NULL,
        UNIQUE (till_id, z_no)
    );
    CREATE TRIGGER z_reports_no_update BEFORE UPDATE ON z_reports
        BEGIN SELECT RAISE(ABORT, 'a Z report is final'); END;
    CREATE TRIGGER z_reports_no_delete BEFORE DELETE ON z_reports
        BEGIN SELECT RAISE(ABORT, 'a Z report is final'); END;
    CREATE TABLE reprints (
        id INTEGER PRIMARY KEY,
        sale_id INTEGER NOT NULL REFERENCES sales(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        approved_by INTEGER REFERENCES users(id),
        at_ms INTEGER NOT NULL
    );
    CREATE INDEX reprints_at ON reprints (at_ms);
    CREATE TRIGGER reprints_no_update BEFORE UPDATE ON reprints
        BEGIN SELECT RAISE(ABORT, 'the reprint log is append-only'); END;
    CREATE TRIGGER reprints_no_delete BEFORE DELETE ON reprints
        BEGIN SELECT RAISE(ABORT, 'the reprint log is append-only'); END;
    "#,
    // 4: the audit trail: every sensitive action, each row chained to the one before
    // by a SHA-256 hash, so that an edited or deleted row is found (`doctor`).
    // AUTOINCREMENT keeps the highest id ever given, so a deleted last row shows too.
    r#"
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        till_id TEXT NOT NULL,
        user_id INTEGER,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    "#,
    // 5: the first print of each slip; every later print of it is a copy (a reprint).
    r#"
    CREATE TABLE slips_printed (
        sale_id INTEGER PRIMARY KEY REFERENCES sales(id),
        at_ms INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id)
    );
    "#,
    // 6: notifications and call-backs from providers, as received, with what they did.
    r#"
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        received_ms INTEGER NOT NULL,
        provider TEXT NOT NULL,
        reference TEXT NOT NULL,
        state TEXT NOT NULL,
        sale_id INTEGER REFERENCES sales(id),
        effect TEXT NOT NULL CHECK (effect IN ('applied', 'duplicate', 'ignored_final', 'unknown', 'deferred', 'conflict')),
        detail TEXT NOT NULL
    );
    CREATE INDEX notifications_ref ON notifications (provider, reference);
    CREATE INDEX notifications_effect ON notifications (effect) WHERE effect IN ('unknown', 'deferred', 'conflict');
    "#,
    // 7: payments from the customer's mobile balance (Ideamart direct debit), stored
    // before the debit is sent, like a sale.
    r#"
    CREATE TABLE mobile_payments (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        external_trx_id TEXT NOT NULL UNIQUE,
        subscriber TEXT NOT NULL,
        amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
        currency TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('submitting', 'succeeded', 'failed', 'in_doubt')),
        internal_trx_id TEXT,
        reference_id TEXT,
        error TEXT,
        sale_id INTEGER UNIQUE REFERENCES sales(id),
        -- The sale request that holds the payment while it is being sold.
        reserved_for TEXT,
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE INDEX mobile_payments_open ON mobile_payments (state) WHERE state IN ('submitting', 'in_doubt');
    CREATE TRIGGER mobile_payments_no_delete BEFORE DELETE ON mobile_payments
        BEGIN SELECT RAISE(ABORT, 'payments are kept'); END;
    "#,
    // 8: offline voucher stock: orders stored before they are sent, and the vouchers
    // they brought, each PIN sealed; a voucher is sold once (`sale_id` set once).
    r#"
    CREATE TABLE stock_orders (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE,
        client_ref TEXT NOT NULL UNIQUE,
        provider TEXT NOT NULL,
        product_id INTEGER NOT NULL,
        network_name TEXT NOT NULL,
        network_key TEXT NOT NULL,
        product_name TEXT NOT NULL,
        product_kind TEXT NOT NULL,
        amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
        currency TEXT NOT NULL,
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        state TEXT NOT NULL CHECK (state IN ('sending', 'in_doubt', 'ordered', 'received', 'failed')),
        provider_ref TEXT,
        -- AAT sells one voucher per call: the highest line that may have been sent.
        attempted INTEGER NOT NULL DEFAULT 0,
        received INTEGER NOT NULL DEFAULT 0,
        message TEXT,
        user_id INTEGER NOT NULL REFERENCES users(id),
        training INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE TRIGGER stock_orders_no_delete BEFORE DELETE ON stock_orders
        BEGIN SELECT RAISE(ABORT, 'stock orders are kept'); END;
    CREATE TABLE stock_vouchers (
        id INTEGER PRIMARY KEY,
        order_id INTEGER NOT NULL REFERENCES stock_orders(id),
        line INTEGER NOT NULL,
        provider TEXT NOT NULL,
        serial TEXT NOT NULL,
        pin_sealed TEXT NOT NULL,
        network_key TEXT NOT NULL,
        product_kind TEXT NOT NULL,
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        expiry_ms INTEGER,
        box_number TEXT,
        batch_number TEXT,
        provider_ref TEXT,
        added_ms INTEGER NOT NULL,
        sale_id INTEGER UNIQUE REFERENCES sales(id),
        claimed_ms INTEGER,
        UNIQUE (provider, serial),
        UNIQUE (order_id, line)
    );
    CREATE INDEX stock_free ON stock_vouchers (network_key, product_kind, amount_minor) WHERE sale_id IS NULL;
    CREATE TRIGGER stock_vouchers_no_delete BEFORE DELETE ON stock_vouchers
        BEGIN SELECT RAISE(ABORT, 'stock vouchers are kept'); END;
    CREATE TRIGGER stock_vouchers_sold_once BEFORE UPDATE OF sale_id ON stock_vouchers WHEN OLD.sale_id IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a stock voucher is sold once'); END;
    "#,
    // 9: provider amounts at the provider's precision: discounts in ten-thousandths of
    // a percent (Smartcall's 5.5000), wallets and costs in ten-thousandths of a rand
    // (R14.175 is 141 750). Each sale keeps its cost: what the catalog's discount
    // makes it, replaced by the provider's own figure when it gives one.
    r#"
    ALTER TABLE sales RENAME COLUMN discount_hundredths TO discount_e4;
    UPDATE sales SET discount_e4 = discount_e4 * 100 WHERE discount_e4 IS NOT NULL;
    ALTER TABLE sales RENAME COLUMN wallet_after_minor TO wallet_after_e4;
    UPDATE sales SET wallet_after_e4 = wallet_after_e4 * 100 WHERE wallet_after_e4 IS NOT NULL;
    ALTER TABLE sales ADD COLUMN cost_e4 INTEGER;
    UPDATE sales SET cost_e4 = amount_minor * 100 - (amount_minor * discount_e4 + 5000) / 10000 WHERE discount_e4 IS NOT NULL;
    "#,
    // 10: a mobile-balance payment is taken in the provider's currency (Ideamart:
    // rupees) for a sale in the shop's (rand): what it pays for, and at what rate.
    r#"
    ALTER TABLE mobile_payments ADD COLUMN covers_minor INTEGER;
    ALTER TABLE mobile_payments ADD COLUMN covers_currency TEXT;
    ALTER TABLE mobile_payments ADD COLUMN rate_e4 INTEGER;
    UPDATE mobile_payments SET covers_minor = amount_minor, covers_currency = currency;
    "#,
    // 11: a sale being sent belongs to the process sending it (its lease's token): a
    // process starting up leaves alone the sales of a process that is still alive.
    r#"
    ALTER TABLE sales ADD COLUMN owner TEXT;
    "#,
    // 12: people are disabled, renamed and given new PINs (never deleted: the ledger
    // names them); a PIN everyone knows (the demo shop's, in a live ledger made by an
    // older version) must be changed at the next login.
    r#"
    ALTER TABLE users ADD COLUMN must_change_pin INTEGER NOT NULL DEFAULT 0;
    "#,
    // 13: the books cannot be quietly rewritten through Airtill's own file: what a sale
    // sold never changes, its state moves only the way the engine moves it, a person's
    // role never changes and nobody is deleted.
    r#"
    CREATE TRIGGER sales_what_was_sold_is_fixed BEFORE UPDATE ON sales
        WHEN NEW.id IS NOT OLD.id OR NEW.request_id IS NOT OLD.request_id OR NEW.client_ref IS NOT OLD.client_ref
          OR NEW.receipt_no IS NOT OLD.receipt_no OR NEW.till_id IS NOT OLD.till_id OR NEW.user_id IS NOT OLD.user_id
          OR NEW.network_name IS NOT OLD.network_name OR NEW.product_kind IS NOT OLD.product_kind OR NEW.pinned IS NOT OLD.pinned
          OR NEW.recipient IS NOT OLD.recipient OR NEW.amount_minor IS NOT OLD.amount_minor OR NEW.currency IS NOT OLD.currency
          OR NEW.training IS NOT OLD.training OR NEW.created_ms IS NOT OLD.created_ms
        BEGIN SELECT RAISE(ABORT, 'what a sale sold never changes'); END;
    CREATE TRIGGER sales_state_moves_forward BEFORE UPDATE OF state ON sales
        WHEN NEW.state IS NOT OLD.state AND (OLD.state, NEW.state) NOT IN (VALUES
            ('created', 'submitting'), ('created', 'failed'), ('created', 'succeeded'),
            ('submitting', 'succeeded'), ('submitting', 'failed'), ('submitting', 'pending'), ('submitting', 'in_doubt'),
            ('pending', 'succeeded'), ('pending', 'failed'), ('pending', 'cancelled'), ('pending', 'in_doubt'),
            ('in_doubt', 'succeeded'), ('in_doubt', 'failed'), ('in_doubt', 'pending'), ('in_doubt', 'cancelled'),
            ('succeeded', 'reversed'))
        BEGIN SELECT RAISE(ABORT, 'a sale''s state moves only forward'); END;
    CREATE TRIGGER users_role_is_fixed BEFORE UPDATE OF role ON users WHEN NEW.role IS NOT OLD.role
        BEGIN SELECT RAISE(ABORT, 'a person''s role never changes'); END;
    CREATE TRIGGER users_no_delete BEFORE DELETE ON users
        BEGIN SELECT RAISE(ABORT, 'people are never deleted'); END;
    "#,
    // 14: wrong PINs counted per person (and per place a PIN is typed), each attempt
    // written before the PIN is checked; each Z keeps the audit chain's head at its
    // close; a sold voucher's PIN is erased after the reprint window (when); the
    // day's stock key, wrapped under each manager's PIN.
    r#"
    CREATE TABLE pin_guards (
        guard TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until_ms INTEGER NOT NULL DEFAULT 0,
        last_attempt_ms INTEGER NOT NULL DEFAULT 0
    );
    ALTER TABLE z_reports ADD COLUMN audit_head TEXT;
    ALTER TABLE sales ADD COLUMN pin_erased_ms INTEGER;
    CREATE TABLE stock_key_wraps (
        user_id INTEGER PRIMARY KEY REFERENCES users(id),
        wrapped TEXT NOT NULL
    );
    "#,
];

pub fn known_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies the migrations up to `version` (tests build older ledgers with it).
pub fn migrate_to(conn: &mut Connection, version: usize) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::NewerSchema { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().take(version).skip(found as usize) {
        // Each step takes the write lock first and looks at the version again inside it:
        // two processes opening a new ledger at once never run a step twice.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
