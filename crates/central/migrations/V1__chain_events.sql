-- The chain's books: each till's records as it sent them, in its own order, each
-- chained to the one before. Tills insert only their own rows (row-level security)
-- and change none; the head office reads everything.

CREATE TABLE chain (
    id integer PRIMARY KEY CHECK (id = 1),
    chain_id uuid NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tills (
    till_id text PRIMARY KEY CHECK (till_id ~ '^[a-z0-9][a-z0-9-]{0,30}$'),
    shop text NOT NULL,
    role_name name NOT NULL UNIQUE,
    -- The till's own installation (a random id in its ledger), set at its first
    -- contact: another installation under the same till id is refused.
    install_id text,
    head_seq bigint NOT NULL DEFAULT 0,
    head_hash text NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    last_contact timestamptz,
    app_version text,
    added_at timestamptz NOT NULL DEFAULT now()
);

-- No foreign key on till_id: each batch's statement trigger checks that its tills
-- exist (one look, not one a row).
CREATE TABLE events (
    till_id text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    kind text NOT NULL,
    key text NOT NULL,
    at_ms bigint NOT NULL,
    body text NOT NULL,
    hash text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (till_id, seq)
);
-- The few kinds read across tills (Z reports for the X, stock for reconciliation).
CREATE INDEX events_rare ON events (kind, till_id, seq) WHERE kind IN ('z_report', 'stock_order', 'stock_voucher');

-- What went wrong with a till's records, for the head office and the till's manager.
CREATE TABLE problems (
    id bigserial PRIMARY KEY,
    till_id text NOT NULL REFERENCES tills (till_id),
    at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL CHECK (kind IN ('gap', 'broken', 'conflict', 'other_install')),
    seq bigint,
    detail text NOT NULL,
    cleared_at timestamptz
);

-- Every till role is a member of this one (roles are the server's: a chain on the
-- same server may have made it, even at the same moment). A till's role may connect
-- to its own chain's database only (setup and add-till see to it).
DO $$ BEGIN
    CREATE ROLE airtill_till NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END $$;

-- The till a session belongs to (its login role's), or none.
CREATE FUNCTION chain_till() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT till_id FROM public.tills WHERE role_name = session_user $$;

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
-- `(SELECT chain_till())`: asked once a statement, not once a row.
CREATE POLICY till_adds_its_own ON events FOR INSERT TO airtill_till WITH CHECK (till_id = (SELECT chain_till()));
CREATE POLICY till_reads_its_own ON events FOR SELECT TO airtill_till USING (till_id = (SELECT chain_till()));
ALTER TABLE tills ENABLE ROW LEVEL SECURITY;
CREATE POLICY till_reads_itself ON tills FOR SELECT TO airtill_till USING (till_id = (SELECT chain_till()));
ALTER TABLE problems ENABLE ROW LEVEL SECURITY;
CREATE POLICY till_reads_its_problems ON problems FOR SELECT TO airtill_till USING (till_id = (SELECT chain_till()));

REVOKE ALL ON chain, tills, events, problems FROM PUBLIC;
GRANT SELECT ON chain TO airtill_till;
GRANT SELECT ON tills, problems TO airtill_till;
GRANT SELECT, INSERT ON events TO airtill_till;

-- Each batch a till sends is checked whole: its rows follow the till's last one
-- without a gap and each hash chains to the one before; else nothing of it is kept.
-- Set-based: each row's hash is checked against the hash before it in the batch (or
-- the till's last), all rows at once.
CREATE FUNCTION events_arrived() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    bad record;
BEGIN
    -- One batch of a till at a time: a second waits here, then sees the first's head.
    PERFORM 1 FROM public.tills t WHERE t.till_id IN (SELECT DISTINCT r.till_id FROM new_rows r) ORDER BY t.till_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM new_rows r WHERE NOT EXISTS (SELECT 1 FROM public.tills t WHERE t.till_id = r.till_id)) THEN
        RAISE EXCEPTION 'airtill chain: gap: records of a till the chain does not have' USING ERRCODE = 'AT001';
    END IF;
    SELECT n.till_id, n.seq, n.gap INTO bad FROM (
        SELECT r.till_id, r.seq, r.hash,
               encode(sha256(convert_to(COALESCE(lag(r.hash) OVER w, t.head_hash) || '|' || r.seq::text || '|' || r.kind || '|' || r.key || '|'
                                        || r.at_ms::text || '|' || r.body, 'UTF8')), 'hex') AS want,
               r.seq - t.head_seq - row_number() OVER w AS gap
        FROM new_rows r JOIN public.tills t ON t.till_id = r.till_id
        WINDOW w AS (PARTITION BY r.till_id ORDER BY r.seq)
    ) n
    WHERE n.gap <> 0 OR n.want <> n.hash
    ORDER BY n.till_id, n.seq LIMIT 1;
    IF FOUND THEN
        IF bad.gap <> 0 THEN
            RAISE EXCEPTION 'airtill chain: gap: record % of till % does not follow the last one the chain holds', bad.seq, bad.till_id
                USING ERRCODE = 'AT001';
        END IF;
        RAISE EXCEPTION 'airtill chain: broken: record % of till % does not chain to the one before', bad.seq, bad.till_id
            USING ERRCODE = 'AT002';
    END IF;
    UPDATE public.tills t SET head_seq = m.seq, head_hash = m.hash, last_contact = now()
    FROM (SELECT DISTINCT ON (r.till_id) r.till_id, r.seq, r.hash FROM new_rows r ORDER BY r.till_id, r.seq DESC) m
    WHERE t.till_id = m.till_id;
    RETURN NULL;
END $$;

-- Rows inserted straight into the table (by a till's role, or the owner by hand) are
-- checked by this trigger; a till's pushes go through chain_push, which checks them
-- itself before it inserts (inside it the current user is the owner, not the session's).
CREATE TRIGGER events_arrived AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (current_user = session_user) EXECUTE FUNCTION events_arrived();

-- A till's push: its records after the last one the chain holds, checked whole (no
-- gap, every hash chaining), inserted once (ON CONFLICT DO NOTHING on till and
-- number), and the chain's new head answered, in one statement.
CREATE FUNCTION chain_push(p_seq bigint[], p_kind text[], p_key text[], p_at bigint[], p_body text[], p_hash text[])
    RETURNS TABLE (head_seq bigint, head_hash text)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    me text := public.chain_till();
    s bigint;
    h text;
    bad record;
    top bigint;
    top_hash text;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'airtill chain: this database role belongs to no till' USING ERRCODE = 'AT003';
    END IF;
    -- One push of a till at a time: a second waits here, then sees the first's head.
    SELECT t.head_seq, t.head_hash INTO s, h FROM public.tills t WHERE t.till_id = me FOR UPDATE;
    SELECT n.seq, n.gap INTO bad FROM (
        SELECT u.seq, u.hash,
               encode(sha256(convert_to(COALESCE(lag(u.hash) OVER w, h) || '|' || u.seq::text || '|' || u.kind || '|' || u.key || '|'
                                        || u.at_ms::text || '|' || u.body, 'UTF8')), 'hex') AS want,
               u.seq - s - row_number() OVER w AS gap
        FROM unnest(p_seq, p_kind, p_key, p_at, p_body, p_hash) AS u(seq, kind, key, at_ms, body, hash)
        WHERE u.seq > s
        WINDOW w AS (ORDER BY u.seq)
    ) n
    WHERE n.gap <> 0 OR n.want <> n.hash
    ORDER BY n.seq LIMIT 1;
    IF FOUND THEN
        IF bad.gap <> 0 THEN
            RAISE EXCEPTION 'airtill chain: gap: record % of till % does not follow the last one the chain holds', bad.seq, me USING ERRCODE = 'AT001';
        END IF;
        RAISE EXCEPTION 'airtill chain: broken: record % of till % does not chain to the one before', bad.seq, me USING ERRCODE = 'AT002';
    END IF;
    INSERT INTO public.events (till_id, seq, kind, key, at_ms, body, hash)
        SELECT me, u.seq, u.kind, u.key, u.at_ms, u.body, u.hash
        FROM unnest(p_seq, p_kind, p_key, p_at, p_body, p_hash) AS u(seq, kind, key, at_ms, body, hash)
        WHERE u.seq > s
        ON CONFLICT (till_id, seq) DO NOTHING;
    SELECT u.seq, u.hash INTO top, top_hash FROM unnest(p_seq, p_hash) AS u(seq, hash) WHERE u.seq > s ORDER BY u.seq DESC LIMIT 1;
    IF top IS NOT NULL THEN
        UPDATE public.tills t SET head_seq = top, head_hash = top_hash, last_contact = now() WHERE t.till_id = me;
        s := top;
        h := top_hash;
    END IF;
    RETURN QUERY SELECT s, h;
END $$;
REVOKE ALL ON FUNCTION chain_push(bigint[], text[], text[], bigint[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_push(bigint[], text[], text[], bigint[], text[], text[]) TO airtill_till;

-- A till says hello: its installation and version; answers the chain, and the last
-- record of this till the chain holds. With p_claim, the first installation to say
-- hello becomes the till's (a test of the connection claims nothing).
CREATE FUNCTION chain_hello(p_install text, p_version text, p_claim boolean)
    RETURNS TABLE (chain_id uuid, chain_name text, till_id text, head_seq bigint, head_hash text, install_ok boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    me text := public.chain_till();
    known text;
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'airtill chain: this database role belongs to no till' USING ERRCODE = 'AT003';
    END IF;
    SELECT t.install_id INTO known FROM public.tills t WHERE t.till_id = me FOR UPDATE;
    IF known IS NULL AND p_claim THEN
        UPDATE public.tills t SET install_id = p_install WHERE t.till_id = me;
        known := p_install;
    END IF;
    IF known = p_install THEN
        UPDATE public.tills t SET last_contact = now(), app_version = p_version WHERE t.till_id = me;
    ELSIF known IS NOT NULL AND p_claim THEN
        INSERT INTO public.problems (till_id, kind, detail)
            SELECT me, 'other_install', 'another installation tried to send as this till'
            WHERE NOT EXISTS (SELECT 1 FROM public.problems p WHERE p.till_id = me AND p.kind = 'other_install' AND p.cleared_at IS NULL);
    END IF;
    RETURN QUERY SELECT c.chain_id, c.name, t.till_id, t.head_seq, t.head_hash, known IS NULL OR known = p_install
        FROM public.chain c, public.tills t WHERE t.till_id = me;
END $$;

-- A till reports what it found wrong (a refused batch, a head it does not hold).
CREATE FUNCTION chain_problem(p_kind text, p_seq bigint, p_detail text) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    INSERT INTO public.problems (till_id, kind, seq, detail)
    SELECT public.chain_till(), p_kind, p_seq, left(p_detail, 500)
    WHERE public.chain_till() IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM public.problems p WHERE p.till_id = public.chain_till() AND p.kind = p_kind
                      AND p.seq IS NOT DISTINCT FROM p_seq AND p.cleared_at IS NULL);
$$;

REVOKE ALL ON FUNCTION chain_hello(text, text, boolean), chain_problem(text, bigint, text), chain_till() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_hello(text, text, boolean), chain_problem(text, bigint, text), chain_till() TO airtill_till;

-- The head office's check of a till's whole chain as stored (a row changed in the
-- database after it arrived shows here): the first record that does not chain, or
-- NULL when all do.
CREATE FUNCTION chain_first_broken(p_till text) RETURNS bigint
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public
AS $$
DECLARE
    r record;
    s bigint := 0;
    h text := '0000000000000000000000000000000000000000000000000000000000000000';
BEGIN
    FOR r IN SELECT seq, kind, key, at_ms, body, hash FROM public.events WHERE till_id = p_till ORDER BY seq LOOP
        IF r.seq <> s + 1 OR r.hash <> encode(sha256(convert_to(h || '|' || r.seq::text || '|' || r.kind || '|' || r.key || '|' || r.at_ms::text || '|' || r.body, 'UTF8')), 'hex') THEN
            RETURN r.seq;
        END IF;
        s := r.seq;
        h := r.hash;
    END LOOP;
    -- The till's head is where the stored chain ends, with the same hash (the till
    -- checks its own copy of that hash at each contact).
    IF NOT EXISTS (SELECT 1 FROM public.tills t WHERE t.till_id = p_till AND t.head_seq = s AND t.head_hash = h) THEN
        RETURN s + 1;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION chain_first_broken(text) FROM PUBLIC;
