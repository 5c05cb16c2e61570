-- Chain reports: sold sales summed across tills and shops, by shop, till, cashier,
-- network, provider, kind and hour, as each till's own reports sum them (succeeded
-- sales; a sale's cost is its own figure, else its value). Tills read reports through
-- this function only, never another till's sales.

CREATE INDEX sales_till_sale ON sales (till_id, sale_id) INCLUDE (state);

-- p_x: since each till's last Z (the X); otherwise sales made in [p_from, p_to) (ms).
-- Hours as each till's own report counts them: the shop's offset from UTC added.
-- One scan of the sales covered, every dimension hashed at once (grouping sets), then
-- each dimension's lines picked from those groups.
CREATE FUNCTION chain_report(p_x boolean, p_from bigint, p_to bigint, p_training boolean, p_offset_ms bigint)
    RETURNS TABLE (dimension text, key text, currency text, sales bigint, value_minor bigint, cost_e4 bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET work_mem = '32MB'
AS $$
DECLARE
    covered text := CASE WHEN p_x
        THEN 'public.sales s LEFT JOIN (SELECT e.till_id, max((e.body::jsonb ->> ''upto_sale_id'')::bigint) AS upto FROM public.events e
                                      WHERE e.kind = ''z_report'' GROUP BY e.till_id) z ON z.till_id = s.till_id
              WHERE s.training = $1 AND s.sale_id > COALESCE(z.upto, 0)'
        ELSE 'public.sales s WHERE s.training = $1 AND s.created_ms >= $2 AND s.created_ms < $3' END;
BEGIN
    PERFORM public.chain_catch_up();
    RETURN QUERY EXECUTE format($q$
        WITH g AS MATERIALIZED (
            SELECT grouping(s.till_id, s.user_id, s.network_name, s.provider, s.product_kind, s.h) AS g, s.st, s.till_id, s.user_id,
                   s.network_name, s.provider, s.product_kind, s.h, s.currency,
                   count(*) AS n, sum(s.amount_minor) AS v, sum(COALESCE(s.cost_e4, s.amount_minor * 100)) AS c
            FROM (SELECT s.*, ((s.created_ms + $4) / 3600000) %% 24 AS h,
                         CASE WHEN s.state = 'succeeded' THEN 'sold' WHEN s.state = 'failed' THEN 'failed'
                              WHEN s.state IN ('created', 'submitting', 'pending', 'in_doubt') THEN 'unresolved' ELSE 'other' END AS st
                  FROM %s) s
            GROUP BY GROUPING SETS ((s.st, s.till_id, s.currency), (s.st, s.till_id, s.user_id, s.currency), (s.st, s.network_name, s.currency),
                                    (s.st, s.provider, s.currency), (s.st, s.product_kind, s.currency), (s.st, s.h, s.currency), (s.st, s.currency))
        )
        SELECT 'shop'::text, t.shop, g.currency, sum(g.n)::bigint, sum(g.v)::bigint, sum(g.c)::bigint
            FROM g JOIN public.tills t ON t.till_id = g.till_id WHERE g.g = 31 AND g.st = 'sold' GROUP BY 2, 3
        UNION ALL
        SELECT 'till', g.till_id, g.currency, g.n, g.v::bigint, g.c::bigint FROM g WHERE g.g = 31 AND g.st = 'sold'
        UNION ALL
        SELECT g.st, g.till_id, g.currency, g.n, g.v::bigint, 0::bigint FROM g WHERE g.g = 31 AND g.st IN ('failed', 'unresolved')
        UNION ALL
        SELECT 'cashier', COALESCE(p.name, 'person ' || g.user_id) || ' @ ' || g.till_id, g.currency, g.n, g.v::bigint, g.c::bigint
            FROM g LEFT JOIN public.people p ON p.till_id = g.till_id AND p.user_id = g.user_id WHERE g.g = 15 AND g.st = 'sold'
        UNION ALL
        SELECT 'network', g.network_name, g.currency, g.n, g.v::bigint, g.c::bigint FROM g WHERE g.g = 55 AND g.st = 'sold'
        UNION ALL
        SELECT 'provider', g.provider, g.currency, g.n, g.v::bigint, g.c::bigint FROM g WHERE g.g = 59 AND g.st = 'sold'
        UNION ALL
        SELECT 'kind', g.product_kind, g.currency, g.n, g.v::bigint, g.c::bigint FROM g WHERE g.g = 61 AND g.st = 'sold'
        UNION ALL
        SELECT 'hour', lpad(g.h::text, 2, '0'), g.currency, g.n, g.v::bigint, g.c::bigint FROM g WHERE g.g = 62 AND g.st = 'sold'
        UNION ALL
        SELECT 'total', 'all', g.currency, g.n, g.v::bigint, g.c::bigint FROM g WHERE g.g = 63 AND g.st = 'sold'
    $q$, covered) USING p_training, p_from, p_to, p_offset_ms;
END $$;
REVOKE ALL ON FUNCTION chain_report(boolean, bigint, bigint, boolean, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_report(boolean, bigint, bigint, boolean, bigint) TO airtill_till;

-- Each till's link at a glance, for every till's manager: how far behind, when last
-- heard from, what the chain found wrong.
CREATE FUNCTION chain_tills()
    RETURNS TABLE (till_id text, shop text, records bigint, waiting bigint, last_contact_s bigint, app_version text, decisions_applied bigint, problems bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT t.till_id, t.shop, t.head_seq, greatest(t.recorded - t.head_seq, 0), (extract(epoch FROM now() - t.last_contact))::bigint, t.app_version, t.decisions_applied,
           (SELECT count(*) FROM public.problems p WHERE p.till_id = t.till_id AND p.cleared_at IS NULL)
    FROM public.tills t ORDER BY t.shop, t.till_id
$$;
REVOKE ALL ON FUNCTION chain_tills() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_tills() TO airtill_till;

-- A provider account's sales across every till, for reconciliation: each named by its
-- till. Tills see references, amounts and states, never the customers' numbers.
CREATE FUNCTION chain_provider_sales(p_provider text, p_from bigint, p_to bigint, p_training boolean)
    RETURNS TABLE (till_id text, shop text, sale_id bigint, receipt_no bigint, client_ref text, provider_ref text, network text,
                   product_kind text, pinned boolean, amount_minor bigint, currency text, cost_e4 bigint, state text, created_ms bigint,
                   updated_ms bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM public.chain_catch_up();
    RETURN QUERY
    SELECT s.till_id, t.shop, s.sale_id, s.receipt_no, s.client_ref, s.provider_ref, s.network_name, s.product_kind, s.pinned,
           s.amount_minor, s.currency, s.cost_e4, s.state, s.created_ms, s.updated_ms
    FROM public.sales s JOIN public.tills t ON t.till_id = s.till_id
    WHERE s.provider = p_provider AND s.created_ms >= p_from AND s.created_ms < p_to AND s.training = p_training
    ORDER BY s.created_ms;
END $$;
REVOKE ALL ON FUNCTION chain_provider_sales(text, bigint, bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_provider_sales(text, bigint, bigint, boolean) TO airtill_till;

-- Vouchers bought into stock from a provider, by till and network: a provider counts
-- them as sales of its account.
CREATE FUNCTION chain_provider_stock(p_provider text, p_from bigint, p_to bigint)
    RETURNS TABLE (till_id text, network_key text, network_name text, vouchers bigint, value_minor bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    WITH o AS (
        SELECT DISTINCT ON (e.till_id, e.key) e.till_id, e.body::jsonb AS b
        FROM public.events e WHERE e.kind = 'stock_order' ORDER BY e.till_id, e.key, e.seq DESC
    ), v AS (
        SELECT DISTINCT ON (e.till_id, e.key) e.till_id, e.body::jsonb AS b
        FROM public.events e WHERE e.kind = 'stock_voucher' ORDER BY e.till_id, e.key, e.seq DESC
    )
    SELECT o.till_id, o.b ->> 'network_key', max(o.b ->> 'network_name'), count(v.b), COALESCE(sum((v.b ->> 'amount_minor')::bigint), 0)::bigint
    FROM o JOIN v ON v.till_id = o.till_id AND v.b ->> 'order_id' = o.b ->> 'id'
    WHERE o.b ->> 'provider' = p_provider AND (o.b ->> 'created_ms')::bigint >= p_from AND (o.b ->> 'created_ms')::bigint < p_to
    GROUP BY 1, 2
$$;
REVOKE ALL ON FUNCTION chain_provider_stock(text, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_provider_stock(text, bigint, bigint) TO airtill_till;
