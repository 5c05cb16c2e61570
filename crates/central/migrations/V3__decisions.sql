-- Down: what the head office decides for every till (people, routes, the wallet
-- warning, the reprint window), as numbered decisions. Each till applies those after
-- the last it applied, in order, in one transaction, and works on with them offline.
-- The tills' own records never come down.

-- The chain's PIN pepper: PIN hashes made at the head office are peppered with it, so
-- a hash read from the database or a till's ledger checks no guess without it.
ALTER TABLE chain ADD COLUMN pepper bytea;

CREATE TABLE chain_people (
    person_id bigserial PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('manager', 'cashier')),
    active boolean NOT NULL DEFAULT true,
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX chain_people_name ON chain_people (lower(name)) WHERE active;

CREATE TABLE decisions (
    version bigint PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('person', 'routes', 'wallet_warning', 'pin_keep_days')),
    body jsonb NOT NULL,
    made_at timestamptz NOT NULL DEFAULT now(),
    made_by text NOT NULL DEFAULT session_user
);

-- Versions are handed out one at a time under a lock, so a till that has read up to N
-- never misses a decision committed later with a lower number.
CREATE FUNCTION chain_decide(p_kind text, p_body jsonb) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, public
AS $$
DECLARE
    v bigint;
BEGIN
    LOCK TABLE public.decisions IN EXCLUSIVE MODE;
    SELECT COALESCE(max(version), 0) + 1 INTO v FROM public.decisions;
    INSERT INTO public.decisions (version, kind, body) VALUES (v, p_kind, p_body);
    RETURN v;
END $$;
REVOKE ALL ON FUNCTION chain_decide(text, jsonb) FROM PUBLIC;

CREATE FUNCTION chain_pepper() RETURNS bytea
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$ SELECT pepper FROM public.chain WHERE public.chain_till() IS NOT NULL $$;
REVOKE ALL ON FUNCTION chain_pepper() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_pepper() TO airtill_till;

REVOKE ALL ON decisions, chain_people FROM PUBLIC;
GRANT SELECT ON decisions TO airtill_till;

-- Which decision each till has applied, and how many records it has written (it says
-- so every few seconds while it is connected: its last contact, and how far behind
-- the chain's copy of its books is).
ALTER TABLE tills ADD COLUMN decisions_applied bigint NOT NULL DEFAULT 0;
ALTER TABLE tills ADD COLUMN recorded bigint NOT NULL DEFAULT 0;
CREATE FUNCTION chain_applied(p_version bigint, p_recorded bigint) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$ UPDATE public.tills SET decisions_applied = greatest(decisions_applied, p_version), recorded = greatest(recorded, p_recorded), last_contact = now()
      WHERE till_id = public.chain_till() $$;
REVOKE ALL ON FUNCTION chain_applied(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_applied(bigint, bigint) TO airtill_till;
