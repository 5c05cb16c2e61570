-- Chain reports: sold sales summed across tills and shops, by shop, till, cashier,
-- network, provider, kind and hour, as each till's own reports sum them (succeeded
-- sales; a sale's cost is its own figure, else its value). Tills read reports through
-- this function only, never another till's sales.

CREATE INDEX sales_till_sale ON sales (till_id, sale_id) INCLUDE (state);
CREATE INDEX events_z ON events (till_id, seq) WHERE kind = 'z_report';

-- p_x: since each till's last Z (the X); otherwise sales made in [p_from, p_to) (ms).
CREATE FUNCTION chain_report(p_x boolean, p_from bigint, p_to bigint, p_training boolean, p_zone text)
    RETURNS TABLE (dimension text, key text, currency text, sales bigint, value_minor bigint, cost_e4 bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    WITH last_z AS (
        SELECT e.till_id, max((e.body::jsonb ->> 'upto_sale_id')::bigint) AS upto
        FROM public.events e WHERE e.kind = 'z_report' GROUP BY e.till_id
    ),
    s AS (
        SELECT s.*, t.shop,
               COALESCE(p.name, 'person ' || s.user_id) || ' @ ' || s.till_id AS cashier,
               lpad(extract(hour FROM to_timestamp(s.created_ms / 1000.0) AT TIME ZONE p_zone)::int::text, 2, '0') AS hour
        FROM public.sales s
        JOIN public.tills t ON t.till_id = s.till_id
        LEFT JOIN public.people p ON p.till_id = s.till_id AND p.user_id = s.user_id
        LEFT JOIN last_z z ON z.till_id = s.till_id
        WHERE s.training = p_training
          AND CASE WHEN p_x THEN s.sale_id > COALESCE(z.upto, 0) ELSE s.created_ms >= p_from AND s.created_ms < p_to END
    )
    SELECT CASE WHEN grouping(s.shop) = 0 THEN 'shop'
                WHEN grouping(s.till_id) = 0 THEN 'till'
                WHEN grouping(s.cashier) = 0 THEN 'cashier'
                WHEN grouping(s.network_name) = 0 THEN 'network'
                WHEN grouping(s.provider) = 0 THEN 'provider'
                WHEN grouping(s.product_kind) = 0 THEN 'kind'
                WHEN grouping(s.hour) = 0 THEN 'hour'
                ELSE 'total' END,
           COALESCE(s.shop, s.till_id, s.cashier, s.network_name, s.provider, s.product_kind, s.hour, 'all'),
           s.currency,
           count(*),
           sum(s.amount_minor)::bigint,
           sum(COALESCE(s.cost_e4, s.amount_minor * 100))::bigint
    FROM s
    WHERE s.state = 'succeeded'
    GROUP BY GROUPING SETS ((s.shop, s.currency), (s.till_id, s.currency), (s.cashier, s.currency), (s.network_name, s.currency),
                            (s.provider, s.currency), (s.product_kind, s.currency), (s.hour, s.currency), (s.currency))
    UNION ALL
    SELECT CASE WHEN s.state = 'failed' THEN 'failed' ELSE 'unresolved' END, s.till_id, s.currency, count(*), sum(s.amount_minor)::bigint, 0::bigint
    FROM s WHERE s.state IN ('failed', 'created', 'submitting', 'pending', 'in_doubt')
    GROUP BY 1, 2, 3
$$;
REVOKE ALL ON FUNCTION chain_report(boolean, bigint, bigint, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chain_report(boolean, bigint, bigint, boolean, text) TO airtill_till;

-- Each till's link at a glance, for every till's manager: how far behind, when last
-- heard from, what the chain found wrong.
CREATE FUNCTION chain_tills()
    RETURNS TABLE (till_id text, shop text, records bigint, last_contact_s bigint, app_version text, decisions_applied bigint, problems bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT t.till_id, t.shop, t.head_seq, (extract(epoch FROM now() - t.last_contact))::bigint, t.app_version, t.decisions_applied,
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
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT s.till_id, t.shop, s.sale_id, s.receipt_no, s.client_ref, s.provider_ref, s.network_name, s.product_kind, s.pinned,
           s.amount_minor, s.currency, s.cost_e4, s.state, s.created_ms, s.updated_ms
    FROM public.sales s JOIN public.tills t ON t.till_id = s.till_id
    WHERE s.provider = p_provider AND s.created_ms >= p_from AND s.created_ms < p_to AND s.training = p_training
    ORDER BY s.created_ms
$$;
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
