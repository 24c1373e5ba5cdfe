-- The directory functions are SECURITY DEFINER, so they run as the tables' owner, and FORCE ROW
-- LEVEL SECURITY binds the owner too. With a non-superuser owner (the documented setup) they saw
-- no tenant at all: sync claimed nothing and key rotation counted nothing. The owner may now read
-- (never write) the two directory tables in full. The app role is refused at start-up when it
-- is, or is a member of, that owner, so this opens nothing to it.

-- Whether this statement runs as the owner of the schema's tables.
CREATE FUNCTION app_runs_as_table_owner() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
                           WHERE oid = 'public.tenants'::regclass)
$$;

CREATE POLICY owner_directory ON tenants FOR SELECT
    USING ((SELECT app_runs_as_table_owner()));
CREATE POLICY owner_directory ON instantly_connections FOR SELECT
    USING ((SELECT app_runs_as_table_owner()));

-- Fails loudly, instead of answering from an empty view, when row-level security would still
-- hide rows of `tbl` from a directory function (for example after its owner was changed).
CREATE FUNCTION app_assert_directory_visible(tbl regclass) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF row_security_active(tbl) AND NOT public.app_runs_as_table_owner() THEN
        RAISE EXCEPTION 'directory functions must be owned by the owner of %, not by %',
            tbl, current_user;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION app_tenant_directory() RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM public.app_assert_directory_visible('public.tenants');
    RETURN QUERY SELECT tenant_id FROM public.tenants ORDER BY tenant_id;
END
$$;

CREATE OR REPLACE FUNCTION app_instantly_workspace_in_use(p_workspace text, p_tenant uuid)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM public.app_assert_directory_visible('public.instantly_connections');
    RETURN EXISTS (
        SELECT 1 FROM public.instantly_connections
        WHERE workspace_id = p_workspace AND tenant_id <> p_tenant
    );
END
$$;

-- How many stored secrets each master key seals, across every tenant. `keys retire` trusts only
-- this count: it either sees every row or raises.
CREATE FUNCTION app_secret_key_usage() RETURNS TABLE (key_id bigint, secrets bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM public.app_assert_directory_visible('public.instantly_connections');
    RETURN QUERY
        SELECT c.key_id, COUNT(*) FROM public.instantly_connections c
        GROUP BY c.key_id ORDER BY c.key_id;
END
$$;

-- Only the app role may call the definer functions (`migrate` grants it EXECUTE).
REVOKE EXECUTE ON FUNCTION app_tenant_directory() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION app_instantly_workspace_in_use(text, uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION app_secret_key_usage() FROM PUBLIC;
