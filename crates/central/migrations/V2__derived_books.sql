-- What the chain's reports read: each sale as its till last recorded it, and each
-- till's people by name. Derived from the events, moved forward only (a record never
-- replaces a later one).

CREATE TABLE sales (
    till_id text NOT NULL,
    sale_id bigint NOT NULL,
    seq bigint NOT NULL,
    receipt_no bigint NOT NULL,
    user_id bigint NOT NULL,
    provider text NOT NULL,
    network_name text NOT NULL,
    product_name text NOT NULL,
    product_kind text NOT NULL,
    pinned boolean NOT NULL,
    recipient text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL,
    state text NOT NULL,
    tender text NOT NULL,
    cost_e4 bigint,
    client_ref text NOT NULL,
    provider_ref text,
    training boolean NOT NULL,
    created_ms bigint NOT NULL,
    updated_ms bigint NOT NULL,
    PRIMARY KEY (till_id, sale_id)
);
CREATE INDEX sales_created ON sales (created_ms);
CREATE INDEX sales_provider_ref ON sales (provider, provider_ref);

CREATE TABLE people (
    till_id text NOT NULL,
    user_id bigint NOT NULL,
    seq bigint NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    active boolean NOT NULL,
    PRIMARY KEY (till_id, user_id)
);

CREATE FUNCTION derive_books(p_till text, p_from bigint, p_to bigint) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    INSERT INTO public.sales AS s (till_id, sale_id, seq, receipt_no, user_id, provider, network_name, product_name, product_kind,
                                  pinned, recipient, amount_minor, currency, state, tender, cost_e4, client_ref, provider_ref, training,
                                  created_ms, updated_ms)
    SELECT DISTINCT ON (e.till_id, e.key) e.till_id, x.id, e.seq, x.receipt_no, x.user_id, x.provider, x.network_name, x.product_name,
           x.product_kind, x.pinned <> 0, x.recipient, x.amount_minor, x.currency, x.state, COALESCE(x.tender, 'cash'), x.cost_e4, x.client_ref,
           x.provider_ref, x.training <> 0, x.created_ms, x.updated_ms
    FROM public.events e, LATERAL json_to_record(e.body::json) AS x(id bigint, receipt_no bigint, user_id bigint, provider text, network_name text, product_name text, product_kind text, pinned int, recipient text, amount_minor bigint, currency text, state text, tender text, cost_e4 bigint, client_ref text, provider_ref text, training int, created_ms bigint, updated_ms bigint)
    WHERE e.till_id = p_till AND e.seq BETWEEN p_from AND p_to AND e.kind = 'sale'
    ORDER BY e.till_id, e.key, e.seq DESC
    ON CONFLICT (till_id, sale_id) DO UPDATE SET
        seq = excluded.seq, provider = excluded.provider, product_name = excluded.product_name, state = excluded.state,
        tender = excluded.tender, cost_e4 = excluded.cost_e4, provider_ref = excluded.provider_ref, updated_ms = excluded.updated_ms
    WHERE s.seq < excluded.seq;

    INSERT INTO public.people AS p (till_id, user_id, seq, name, role, active)
    SELECT DISTINCT ON (e.till_id, e.key) e.till_id, x.id, e.seq, x.name, x.role, x.active <> 0
    FROM public.events e, LATERAL json_to_record(e.body::json) AS x(id bigint, name text, role text, active int)
    WHERE e.till_id = p_till AND e.seq BETWEEN p_from AND p_to AND e.kind = 'user'
    ORDER BY e.till_id, e.key, e.seq DESC
    ON CONFLICT (till_id, user_id) DO UPDATE SET seq = excluded.seq, name = excluded.name, active = excluded.active
    WHERE p.seq < excluded.seq;
$$;

-- How far each till's events are derived. The books are derived when they are read
-- (each report first catches up), so a till's push never waits for them.
CREATE TABLE derived (
    till_id text PRIMARY KEY,
    seq bigint NOT NULL
);

-- Derives every till's events not derived yet, in order (one at a time: the others
-- wait, then find nothing left). Nothing on a standby, which has the primary's.
CREATE FUNCTION chain_catch_up() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    t record;
    n bigint := 0;
BEGIN
    IF pg_is_in_recovery() THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(20261202);
    FOR t IN SELECT tl.till_id, COALESCE(d.seq, 0) AS done, tl.head_seq FROM public.tills tl LEFT JOIN public.derived d ON d.till_id = tl.till_id
             WHERE tl.head_seq > COALESCE(d.seq, 0) LOOP
        PERFORM public.derive_books(t.till_id, t.done + 1, t.head_seq);
        INSERT INTO public.derived (till_id, seq) VALUES (t.till_id, t.head_seq)
            ON CONFLICT (till_id) DO UPDATE SET seq = excluded.seq WHERE derived.seq < excluded.seq;
        n := n + t.head_seq - t.done;
    END LOOP;
    RETURN n;
END $$;

-- The events a chain held before this version.
SELECT chain_catch_up();

REVOKE ALL ON sales, people, derived FROM PUBLIC;
REVOKE ALL ON FUNCTION derive_books(text, bigint, bigint), chain_catch_up() FROM PUBLIC;
