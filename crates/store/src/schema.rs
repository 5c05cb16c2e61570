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
    // 15: the outbox for the chain's books: every record the till writes (sales and each
    // of their moves, shifts, Z reports, overrides, reprints, notifications, payments,
    // stock orders and vouchers, people, audit lines), copied by triggers in the same
    // transaction as the record, never a PIN or a PIN hash. `seq` is gapless (rows are
    // never deleted); `outbox_hashes` chains each row to the one before, made once
    // when the row is first sent (always a prefix of the outbox). Rows written before
    // this version are copied in at once, in order.
    r#"
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
        BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
    CREATE TRIGGER outbox_no_update BEFORE UPDATE ON outbox
        BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
    CREATE TABLE outbox_hashes (
        seq INTEGER PRIMARY KEY,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER outbox_hashes_no_delete BEFORE DELETE ON outbox_hashes
        BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
    CREATE TRIGGER outbox_hashes_no_update BEFORE UPDATE ON outbox_hashes
        BEGIN SELECT RAISE(ABORT, 'the outbox is append-only'); END;
    CREATE TRIGGER outbox_user_insert AFTER INSERT ON users
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('user', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'name', NEW.name, 'role', NEW.role, 'active', NEW.active, 'must_change_pin', NEW.must_change_pin)); END;
    CREATE TRIGGER outbox_user_update AFTER UPDATE ON users WHEN NEW.name IS NOT OLD.name OR NEW.active IS NOT OLD.active OR NEW.must_change_pin IS NOT OLD.must_change_pin
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('user', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'name', NEW.name, 'role', NEW.role, 'active', NEW.active, 'must_change_pin', NEW.must_change_pin)); END;
    CREATE TRIGGER outbox_shift_insert AFTER INSERT ON shifts
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('shift', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'till_id', NEW.till_id, 'user_id', NEW.user_id, 'opened_ms', NEW.opened_ms, 'float_minor', NEW.float_minor, 'currency', NEW.currency, 'closed_ms', NEW.closed_ms, 'closed_by', NEW.closed_by, 'counts', NEW.counts, 'counted_minor', NEW.counted_minor, 'expected_minor', NEW.expected_minor, 'variance_minor', NEW.variance_minor)); END;
    CREATE TRIGGER outbox_shift_update AFTER UPDATE ON shifts
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('shift', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'till_id', NEW.till_id, 'user_id', NEW.user_id, 'opened_ms', NEW.opened_ms, 'float_minor', NEW.float_minor, 'currency', NEW.currency, 'closed_ms', NEW.closed_ms, 'closed_by', NEW.closed_by, 'counts', NEW.counts, 'counted_minor', NEW.counted_minor, 'expected_minor', NEW.expected_minor, 'variance_minor', NEW.variance_minor)); END;
    CREATE TRIGGER outbox_sale_insert AFTER INSERT ON sales
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('sale', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'request_id', NEW.request_id, 'client_ref', NEW.client_ref, 'receipt_no', NEW.receipt_no, 'till_id', NEW.till_id, 'user_id', NEW.user_id, 'provider', NEW.provider, 'network_name', NEW.network_name, 'product_id', NEW.product_id, 'product_name', NEW.product_name, 'product_kind', NEW.product_kind, 'pinned', NEW.pinned, 'recipient', NEW.recipient, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'discount_e4', NEW.discount_e4, 'state', NEW.state, 'provider_ref', NEW.provider_ref, 'ticket_number', NEW.ticket_number, 'expiry_ms', NEW.expiry_ms, 'wallet_after_e4', NEW.wallet_after_e4, 'error_class', NEW.error_class, 'error_message', NEW.error_message, 'training', NEW.training, 'created_ms', NEW.created_ms, 'updated_ms', NEW.updated_ms, 'submitted_ms', NEW.submitted_ms, 'cancel_requested_ms', NEW.cancel_requested_ms, 'tender', NEW.tender, 'cost_e4', NEW.cost_e4, 'pin_erased_ms', NEW.pin_erased_ms, 'has_pin', CASE WHEN NEW.voucher_pin IS NOT NULL THEN json('true') ELSE json('false') END)); END;
    CREATE TRIGGER outbox_sale_update AFTER UPDATE ON sales WHEN NEW.state IS NOT OLD.state OR NEW.provider IS NOT OLD.provider OR NEW.product_id IS NOT OLD.product_id OR NEW.product_name IS NOT OLD.product_name OR NEW.discount_e4 IS NOT OLD.discount_e4 OR NEW.provider_ref IS NOT OLD.provider_ref OR (NEW.voucher_pin IS NULL) IS NOT (OLD.voucher_pin IS NULL) OR NEW.ticket_number IS NOT OLD.ticket_number OR NEW.expiry_ms IS NOT OLD.expiry_ms OR NEW.wallet_after_e4 IS NOT OLD.wallet_after_e4 OR NEW.error_class IS NOT OLD.error_class OR NEW.error_message IS NOT OLD.error_message OR NEW.cancel_requested_ms IS NOT OLD.cancel_requested_ms OR NEW.tender IS NOT OLD.tender OR NEW.cost_e4 IS NOT OLD.cost_e4 OR NEW.pin_erased_ms IS NOT OLD.pin_erased_ms
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('sale', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'request_id', NEW.request_id, 'client_ref', NEW.client_ref, 'receipt_no', NEW.receipt_no, 'till_id', NEW.till_id, 'user_id', NEW.user_id, 'provider', NEW.provider, 'network_name', NEW.network_name, 'product_id', NEW.product_id, 'product_name', NEW.product_name, 'product_kind', NEW.product_kind, 'pinned', NEW.pinned, 'recipient', NEW.recipient, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'discount_e4', NEW.discount_e4, 'state', NEW.state, 'provider_ref', NEW.provider_ref, 'ticket_number', NEW.ticket_number, 'expiry_ms', NEW.expiry_ms, 'wallet_after_e4', NEW.wallet_after_e4, 'error_class', NEW.error_class, 'error_message', NEW.error_message, 'training', NEW.training, 'created_ms', NEW.created_ms, 'updated_ms', NEW.updated_ms, 'submitted_ms', NEW.submitted_ms, 'cancel_requested_ms', NEW.cancel_requested_ms, 'tender', NEW.tender, 'cost_e4', NEW.cost_e4, 'pin_erased_ms', NEW.pin_erased_ms, 'has_pin', CASE WHEN NEW.voucher_pin IS NOT NULL THEN json('true') ELSE json('false') END)); END;
    CREATE TRIGGER outbox_sale_event_insert AFTER INSERT ON sale_events
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('sale_event', NEW.sale_id || '.' || NEW.seq, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('sale_id', NEW.sale_id, 'seq', NEW.seq, 'from_state', NEW.from_state, 'to_state', NEW.to_state, 'at_ms', NEW.at_ms, 'detail', NEW.detail)); END;
    CREATE TRIGGER outbox_override_insert AFTER INSERT ON overrides
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('override', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'sale_id', NEW.sale_id, 'kind', NEW.kind, 'manager_id', NEW.manager_id, 'reason', NEW.reason, 'at_ms', NEW.at_ms)); END;
    CREATE TRIGGER outbox_z_report_insert AFTER INSERT ON z_reports
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('z_report', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'till_id', NEW.till_id, 'z_no', NEW.z_no, 'after_sale_id', NEW.after_sale_id, 'upto_sale_id', NEW.upto_sale_id, 'from_ms', NEW.from_ms, 'produced_ms', NEW.produced_ms, 'produced_by', NEW.produced_by, 'body', NEW.body, 'audit_head', NEW.audit_head)); END;
    CREATE TRIGGER outbox_reprint_insert AFTER INSERT ON reprints
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('reprint', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'sale_id', NEW.sale_id, 'user_id', NEW.user_id, 'approved_by', NEW.approved_by, 'at_ms', NEW.at_ms)); END;
    CREATE TRIGGER outbox_audit_insert AFTER INSERT ON audit
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('audit', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'at_ms', NEW.at_ms, 'till_id', NEW.till_id, 'user_id', NEW.user_id, 'action', NEW.action, 'detail', NEW.detail, 'prev_hash', NEW.prev_hash, 'hash', NEW.hash)); END;
    CREATE TRIGGER outbox_slip_printed_insert AFTER INSERT ON slips_printed
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('slip_printed', NEW.sale_id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('sale_id', NEW.sale_id, 'at_ms', NEW.at_ms, 'user_id', NEW.user_id)); END;
    CREATE TRIGGER outbox_notification_insert AFTER INSERT ON notifications
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('notification', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'received_ms', NEW.received_ms, 'provider', NEW.provider, 'reference', NEW.reference, 'state', NEW.state, 'sale_id', NEW.sale_id, 'effect', NEW.effect, 'detail', NEW.detail)); END;
    CREATE TRIGGER outbox_notification_update AFTER UPDATE ON notifications WHEN NEW.effect IS NOT OLD.effect OR NEW.sale_id IS NOT OLD.sale_id
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('notification', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'received_ms', NEW.received_ms, 'provider', NEW.provider, 'reference', NEW.reference, 'state', NEW.state, 'sale_id', NEW.sale_id, 'effect', NEW.effect, 'detail', NEW.detail)); END;
    CREATE TRIGGER outbox_payment_insert AFTER INSERT ON mobile_payments
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('payment', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'request_id', NEW.request_id, 'external_trx_id', NEW.external_trx_id, 'subscriber', NEW.subscriber, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'state', NEW.state, 'internal_trx_id', NEW.internal_trx_id, 'reference_id', NEW.reference_id, 'error', NEW.error, 'sale_id', NEW.sale_id, 'user_id', NEW.user_id, 'created_ms', NEW.created_ms, 'updated_ms', NEW.updated_ms, 'covers_minor', NEW.covers_minor, 'covers_currency', NEW.covers_currency, 'rate_e4', NEW.rate_e4)); END;
    CREATE TRIGGER outbox_payment_update AFTER UPDATE ON mobile_payments WHEN NEW.state IS NOT OLD.state OR NEW.sale_id IS NOT OLD.sale_id OR NEW.internal_trx_id IS NOT OLD.internal_trx_id OR NEW.reference_id IS NOT OLD.reference_id OR NEW.error IS NOT OLD.error
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('payment', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'request_id', NEW.request_id, 'external_trx_id', NEW.external_trx_id, 'subscriber', NEW.subscriber, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'state', NEW.state, 'internal_trx_id', NEW.internal_trx_id, 'reference_id', NEW.reference_id, 'error', NEW.error, 'sale_id', NEW.sale_id, 'user_id', NEW.user_id, 'created_ms', NEW.created_ms, 'updated_ms', NEW.updated_ms, 'covers_minor', NEW.covers_minor, 'covers_currency', NEW.covers_currency, 'rate_e4', NEW.rate_e4)); END;
    CREATE TRIGGER outbox_stock_order_insert AFTER INSERT ON stock_orders
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('stock_order', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'request_id', NEW.request_id, 'client_ref', NEW.client_ref, 'provider', NEW.provider, 'product_id', NEW.product_id, 'network_name', NEW.network_name, 'network_key', NEW.network_key, 'product_name', NEW.product_name, 'product_kind', NEW.product_kind, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'quantity', NEW.quantity, 'state', NEW.state, 'provider_ref', NEW.provider_ref, 'attempted', NEW.attempted, 'received', NEW.received, 'message', NEW.message, 'user_id', NEW.user_id, 'training', NEW.training, 'created_ms', NEW.created_ms, 'updated_ms', NEW.updated_ms)); END;
    CREATE TRIGGER outbox_stock_order_update AFTER UPDATE ON stock_orders WHEN NEW.state IS NOT OLD.state OR NEW.provider_ref IS NOT OLD.provider_ref OR NEW.attempted IS NOT OLD.attempted OR NEW.received IS NOT OLD.received OR NEW.message IS NOT OLD.message
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('stock_order', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'request_id', NEW.request_id, 'client_ref', NEW.client_ref, 'provider', NEW.provider, 'product_id', NEW.product_id, 'network_name', NEW.network_name, 'network_key', NEW.network_key, 'product_name', NEW.product_name, 'product_kind', NEW.product_kind, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'quantity', NEW.quantity, 'state', NEW.state, 'provider_ref', NEW.provider_ref, 'attempted', NEW.attempted, 'received', NEW.received, 'message', NEW.message, 'user_id', NEW.user_id, 'training', NEW.training, 'created_ms', NEW.created_ms, 'updated_ms', NEW.updated_ms)); END;
    CREATE TRIGGER outbox_stock_voucher_insert AFTER INSERT ON stock_vouchers
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('stock_voucher', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'order_id', NEW.order_id, 'line', NEW.line, 'provider', NEW.provider, 'serial', NEW.serial, 'network_key', NEW.network_key, 'product_kind', NEW.product_kind, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'expiry_ms', NEW.expiry_ms, 'box_number', NEW.box_number, 'batch_number', NEW.batch_number, 'provider_ref', NEW.provider_ref, 'added_ms', NEW.added_ms, 'sale_id', NEW.sale_id, 'claimed_ms', NEW.claimed_ms)); END;
    CREATE TRIGGER outbox_stock_voucher_update AFTER UPDATE ON stock_vouchers WHEN NEW.sale_id IS NOT OLD.sale_id OR NEW.claimed_ms IS NOT OLD.claimed_ms
        BEGIN INSERT INTO outbox (kind, key, at_ms, body) VALUES ('stock_voucher', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', NEW.id, 'order_id', NEW.order_id, 'line', NEW.line, 'provider', NEW.provider, 'serial', NEW.serial, 'network_key', NEW.network_key, 'product_kind', NEW.product_kind, 'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'expiry_ms', NEW.expiry_ms, 'box_number', NEW.box_number, 'batch_number', NEW.batch_number, 'provider_ref', NEW.provider_ref, 'added_ms', NEW.added_ms, 'sale_id', NEW.sale_id, 'claimed_ms', NEW.claimed_ms)); END;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'user', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'name', name, 'role', role, 'active', active, 'must_change_pin', must_change_pin) FROM users ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'shift', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'till_id', till_id, 'user_id', user_id, 'opened_ms', opened_ms, 'float_minor', float_minor, 'currency', currency, 'closed_ms', closed_ms, 'closed_by', closed_by, 'counts', counts, 'counted_minor', counted_minor, 'expected_minor', expected_minor, 'variance_minor', variance_minor) FROM shifts ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'sale', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'request_id', request_id, 'client_ref', client_ref, 'receipt_no', receipt_no, 'till_id', till_id, 'user_id', user_id, 'provider', provider, 'network_name', network_name, 'product_id', product_id, 'product_name', product_name, 'product_kind', product_kind, 'pinned', pinned, 'recipient', recipient, 'amount_minor', amount_minor, 'currency', currency, 'discount_e4', discount_e4, 'state', state, 'provider_ref', provider_ref, 'ticket_number', ticket_number, 'expiry_ms', expiry_ms, 'wallet_after_e4', wallet_after_e4, 'error_class', error_class, 'error_message', error_message, 'training', training, 'created_ms', created_ms, 'updated_ms', updated_ms, 'submitted_ms', submitted_ms, 'cancel_requested_ms', cancel_requested_ms, 'tender', tender, 'cost_e4', cost_e4, 'pin_erased_ms', pin_erased_ms, 'has_pin', CASE WHEN voucher_pin IS NOT NULL THEN json('true') ELSE json('false') END) FROM sales ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'sale_event', sale_id || '.' || seq, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('sale_id', sale_id, 'seq', seq, 'from_state', from_state, 'to_state', to_state, 'at_ms', at_ms, 'detail', detail) FROM sale_events ORDER BY sale_id, seq;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'override', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'sale_id', sale_id, 'kind', kind, 'manager_id', manager_id, 'reason', reason, 'at_ms', at_ms) FROM overrides ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'z_report', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'till_id', till_id, 'z_no', z_no, 'after_sale_id', after_sale_id, 'upto_sale_id', upto_sale_id, 'from_ms', from_ms, 'produced_ms', produced_ms, 'produced_by', produced_by, 'body', body, 'audit_head', audit_head) FROM z_reports ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'reprint', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'sale_id', sale_id, 'user_id', user_id, 'approved_by', approved_by, 'at_ms', at_ms) FROM reprints ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'audit', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'at_ms', at_ms, 'till_id', till_id, 'user_id', user_id, 'action', action, 'detail', detail, 'prev_hash', prev_hash, 'hash', hash) FROM audit ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'slip_printed', sale_id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('sale_id', sale_id, 'at_ms', at_ms, 'user_id', user_id) FROM slips_printed ORDER BY sale_id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'notification', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'received_ms', received_ms, 'provider', provider, 'reference', reference, 'state', state, 'sale_id', sale_id, 'effect', effect, 'detail', detail) FROM notifications ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'payment', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'request_id', request_id, 'external_trx_id', external_trx_id, 'subscriber', subscriber, 'amount_minor', amount_minor, 'currency', currency, 'state', state, 'internal_trx_id', internal_trx_id, 'reference_id', reference_id, 'error', error, 'sale_id', sale_id, 'user_id', user_id, 'created_ms', created_ms, 'updated_ms', updated_ms, 'covers_minor', covers_minor, 'covers_currency', covers_currency, 'rate_e4', rate_e4) FROM mobile_payments ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'stock_order', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'request_id', request_id, 'client_ref', client_ref, 'provider', provider, 'product_id', product_id, 'network_name', network_name, 'network_key', network_key, 'product_name', product_name, 'product_kind', product_kind, 'amount_minor', amount_minor, 'currency', currency, 'quantity', quantity, 'state', state, 'provider_ref', provider_ref, 'attempted', attempted, 'received', received, 'message', message, 'user_id', user_id, 'training', training, 'created_ms', created_ms, 'updated_ms', updated_ms) FROM stock_orders ORDER BY id;
    INSERT INTO outbox (kind, key, at_ms, body) SELECT 'stock_voucher', id, CAST(unixepoch('subsec') * 1000 AS INTEGER), json_object('id', id, 'order_id', order_id, 'line', line, 'provider', provider, 'serial', serial, 'network_key', network_key, 'product_kind', product_kind, 'amount_minor', amount_minor, 'currency', currency, 'expiry_ms', expiry_ms, 'box_number', box_number, 'batch_number', batch_number, 'provider_ref', provider_ref, 'added_ms', added_ms, 'sale_id', sale_id, 'claimed_ms', claimed_ms) FROM stock_vouchers ORDER BY id;

    "#,
    // 16: people the chain's head office made (at every till): their id in the chain.
    r#"
    ALTER TABLE users ADD COLUMN chain_person_id INTEGER;
    CREATE UNIQUE INDEX users_chain_person ON users (chain_person_id) WHERE chain_person_id IS NOT NULL;
    "#,
    // 17: a second PIN of a sale (electricity's free-basic token), sealed like the first.
    r#"
    ALTER TABLE sales ADD COLUMN additional_pin TEXT;
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
