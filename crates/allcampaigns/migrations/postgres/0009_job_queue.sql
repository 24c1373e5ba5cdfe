-- The general job queue (issue 11 point 4): one row per job, with its own id. A unique key
-- allows one live (queued or running) job per tenant, kind and key; finished, dead and cancelled
-- jobs do not count, so the same work may be queued again later.
CREATE TABLE job_queue (
    tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    job_id       uuid NOT NULL,
    kind         text NOT NULL,
    payload      jsonb NOT NULL,
    unique_key   text,
    state        text NOT NULL
                 CHECK (state IN ('queued', 'running', 'done', 'dead', 'cancelled')),
    run_at       timestamptz NOT NULL,
    attempts     bigint NOT NULL DEFAULT 0,
    max_attempts bigint NOT NULL CHECK (max_attempts > 0),
    lease_until  timestamptz,
    lease_token  text,
    last_error   text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, job_id)
);
CREATE UNIQUE INDEX job_queue_live_unique_key ON job_queue (tenant_id, kind, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX job_queue_due ON job_queue (kind, state, run_at);

ALTER TABLE job_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_queue FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_queue
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- The claim function runs as the owner, which FORCE ROW LEVEL SECURITY binds too. The owner may
-- read and lease every tenant's job rows (as 0005 lets it read the directory); the app role is
-- refused at start-up when it is, or is a member of, that owner, so this opens nothing to it.
CREATE POLICY owner_claims ON job_queue FOR SELECT
    USING ((SELECT app_runs_as_table_owner()));
CREATE POLICY owner_leases ON job_queue FOR UPDATE
    USING ((SELECT app_runs_as_table_owner()))
    WITH CHECK ((SELECT app_runs_as_table_owner()));

-- Leases the oldest due job of a kind (optionally of one tenant): a queued job whose time has
-- come, or a running one whose lease ran out (its holder is fenced off by the new token).
-- Fairness: a tenant with no job of the kind running goes before one that has, so one tenant's
-- backlog does not hold the others back. Rows
-- another claimer holds are skipped. Answers ids and the attempt count only, never the payload:
-- the caller reads the job in its tenant's scope.
CREATE FUNCTION app_claim_job(p_kind text, p_tenant uuid, p_now timestamptz,
                              p_lease_until timestamptz, p_token text)
RETURNS TABLE (tenant_id uuid, job_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM public.app_assert_directory_visible('public.job_queue');
    RETURN QUERY
        UPDATE public.job_queue q
        SET state = 'running', lease_until = p_lease_until, lease_token = p_token,
            attempts = q.attempts + 1, updated_at = p_now
        WHERE (q.tenant_id, q.job_id) = (
            SELECT c.tenant_id, c.job_id FROM public.job_queue c
            WHERE c.kind = p_kind AND (p_tenant IS NULL OR c.tenant_id = p_tenant)
              AND ((c.state = 'queued' AND c.run_at <= p_now)
                   OR (c.state = 'running' AND c.lease_until < p_now))
            ORDER BY EXISTS (SELECT 1 FROM public.job_queue r
                             WHERE r.tenant_id = c.tenant_id AND r.kind = c.kind
                               AND r.state = 'running' AND r.lease_until >= p_now),
                     c.run_at
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING q.tenant_id, q.job_id;
END
$$;
REVOKE EXECUTE ON FUNCTION app_claim_job(text, uuid, timestamptz, timestamptz, text) FROM PUBLIC;
