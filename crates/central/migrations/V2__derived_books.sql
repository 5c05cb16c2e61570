-- What the chain's reports read: each sale as its till last recorded it, and each
-- till's people by name. Derived from the events, moved forward only (a record never
-- replaces a later one), inside the same statement as the events that carry them.

CREATE TABLE sales (
    till_id text NOT NULL REFERENCES tills (till_id),
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
    till_id text NOT NULL REFERENCES tills (till_id),
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
    SELECT DISTINCT ON (e.key) e.till_id, (b->>'id')::bigint, e.seq, (b->>'receipt_no')::bigint, (b->>'user_id')::bigint,
           b->>'provider', b->>'network_name', b->>'product_name', b->>'product_kind', (b->>'pinned')::int <> 0, b->>'recipient',
           (b->>'amount_minor')::bigint, b->>'currency', b->>'state', COALESCE(b->>'tender', 'cash'), (b->>'cost_e4')::bigint,
           b->>'client_ref', b->>'provider_ref', (b->>'training')::int <> 0, (b->>'created_ms')::bigint, (b->>'updated_ms')::bigint
    FROM public.events e, LATERAL (SELECT e.body::jsonb AS b) j
    WHERE e.till_id = p_till AND e.seq BETWEEN p_from AND p_to AND e.kind = 'sale'
    ORDER BY e.key, e.seq DESC
    ON CONFLICT (till_id, sale_id) DO UPDATE SET
        seq = excluded.seq, provider = excluded.provider, product_name = excluded.product_name, state = excluded.state,
        tender = excluded.tender, cost_e4 = excluded.cost_e4, provider_ref = excluded.provider_ref, updated_ms = excluded.updated_ms
    WHERE s.seq < excluded.seq;

    INSERT INTO public.people AS p (till_id, user_id, seq, name, role, active)
    SELECT DISTINCT ON (e.key) e.till_id, (b->>'id')::bigint, e.seq, b->>'name', b->>'role', (b->>'active')::int <> 0
    FROM public.events e, LATERAL (SELECT e.body::jsonb AS b) j
    WHERE e.till_id = p_till AND e.seq BETWEEN p_from AND p_to AND e.kind = 'user'
    ORDER BY e.key, e.seq DESC
    ON CONFLICT (till_id, user_id) DO UPDATE SET seq = excluded.seq, name = excluded.name, active = excluded.active
    WHERE p.seq < excluded.seq;
$$;

CREATE FUNCTION events_derive() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT till_id, min(seq) AS lo, max(seq) AS hi FROM new_rows GROUP BY till_id LOOP
        PERFORM public.derive_books(t.till_id, t.lo, t.hi);
    END LOOP;
    RETURN NULL;
END $$;

-- After the chain check (triggers of one event fire in name order: arrived, derive).
CREATE TRIGGER events_derive AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_derive();

-- The events a chain held before this version.
SELECT derive_books(till_id, 1, head_seq) FROM tills;

REVOKE ALL ON sales, people FROM PUBLIC;
REVOKE ALL ON FUNCTION derive_books(text, bigint, bigint) FROM PUBLIC;
