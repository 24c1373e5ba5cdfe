-- Whether an Instantly workspace is already connected to another tenant, so connecting it twice
-- is never silent. Answers yes or no only, never which tenant; SECURITY DEFINER because the
-- caller's row-level security rightly hides other tenants' connections.
CREATE FUNCTION app_instantly_workspace_in_use(p_workspace text, p_tenant uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.instantly_connections
        WHERE workspace_id = p_workspace AND tenant_id <> p_tenant
    )
$$;
CREATE INDEX instantly_connections_by_workspace ON instantly_connections (workspace_id);
