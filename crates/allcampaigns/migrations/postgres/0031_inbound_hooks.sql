-- Instantly's webhooks, received (issue 14).
--
-- A client's inbound hook: the address `/hooks/instantly/{secret}` and a header Instantly sends
-- with every event (it signs nothing, so the two secrets are the proof). Only their SHA-256
-- digests are kept; both are shown once, when made. `instantly_webhook_id` is the subscription
-- the product registered in the client's workspace itself, when it did.
CREATE TABLE inbound_hooks (
    tenant_id            uuid PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    path_digest          bytea NOT NULL UNIQUE,
    header_digest        bytea NOT NULL,
    instantly_webhook_id text,
    created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL
);
ALTER TABLE inbound_hooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbound_hooks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbound_hooks
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
CREATE POLICY owner_directory ON inbound_hooks FOR SELECT
    USING ((SELECT app_runs_as_table_owner()));

-- The hook an address's secret names, before any tenant is known: its tenant and header
-- digest, or nothing.
CREATE FUNCTION app_inbound_hook(p_path_digest bytea)
RETURNS TABLE (tenant_id uuid, header_digest bytea)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM public.app_assert_directory_visible('public.inbound_hooks');
    RETURN QUERY SELECT h.tenant_id, h.header_digest FROM public.inbound_hooks h
        WHERE h.path_digest = p_path_digest;
END
$$;
REVOKE EXECUTE ON FUNCTION app_inbound_hook(bytea) FROM PUBLIC;

-- Every event received, as received (`payload`, the body's bytes as text), stored before it is
-- acknowledged. Instantly may deliver an event more than once: `dedupe_key` (its `email_id`,
-- event and time, or the body's digest when it names no email) keeps one. Kept for the inbound
-- log's retention period (promise 16).
CREATE TABLE inbound_events (
    tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    event_id    uuid NOT NULL,
    dedupe_key  text NOT NULL,
    event_type  text NOT NULL,
    email_id    text,
    lead_email  text,
    occurred_at text,
    payload     text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, event_id),
    UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX inbound_events_by_time ON inbound_events (tenant_id, received_at, event_id);
ALTER TABLE inbound_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE inbound_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbound_events
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
