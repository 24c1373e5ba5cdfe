-- Claims that cost the same whatever the backlog (issue 11 point 4). 0009's claim sorted every
-- due row by fairness before `LIMIT 1`, so draining a backlog cost its square, and its one index
-- (kind, state, run_at) kept finished jobs in every search. Now the claim picks the tenant
-- first: each tenant's oldest due job is one probe of a partial index holding queued jobs only,
-- and whether a tenant has a job running is one probe of another holding running jobs only.
-- Finished jobs are in neither, and are pruned after `job_retention_days` (auth/prune.rs).
DROP INDEX job_queue_due;
-- Queue indexes churn (every job enters and leaves them once): deduplication only costs here.
CREATE INDEX job_queue_queued ON job_queue (kind, tenant_id, run_at)
    WITH (deduplicate_items = off) WHERE state = 'queued';
CREATE INDEX job_queue_running ON job_queue (kind, tenant_id, lease_until)
    WITH (deduplicate_items = off) WHERE state = 'running';
-- Pruning finds finished jobs by age without reading the live ones.
CREATE INDEX job_queue_finished ON job_queue (updated_at)
    WHERE state IN ('done', 'cancelled');

-- Leases the next due job of a kind (optionally of one tenant). First a running job whose lease
-- ran out (its holder is fenced off by the new token), oldest lease first; else the oldest queued
-- job whose time has come of the tenant that has waited longest, tenants with no job of the kind
-- running going first, so one tenant's backlog does not hold the others back. Rows another
-- claimer holds are skipped, and that tenant's next job is tried. Answers ids only, never the
-- payload: the caller reads the job in its tenant's scope.
CREATE OR REPLACE FUNCTION app_claim_job(p_kind text, p_tenant uuid, p_now timestamptz,
                                         p_lease_until timestamptz, p_token text)
RETURNS TABLE (tenant_id uuid, job_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant uuid;
    v_job uuid;
BEGIN
    PERFORM public.app_assert_directory_visible('public.job_queue');
    SELECT r.tenant_id, r.job_id INTO v_tenant, v_job FROM public.job_queue r
    WHERE r.kind = p_kind AND r.state = 'running' AND r.lease_until < p_now
      AND (p_tenant IS NULL OR r.tenant_id = p_tenant)
    ORDER BY r.lease_until LIMIT 1
    FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        FOR v_tenant IN
            SELECT t.tenant_id FROM public.tenants t
            CROSS JOIN LATERAL (
                SELECT h.run_at FROM public.job_queue h
                WHERE h.kind = p_kind AND h.tenant_id = t.tenant_id AND h.state = 'queued'
                  AND h.run_at <= p_now
                ORDER BY h.run_at LIMIT 1) head
            WHERE p_tenant IS NULL OR t.tenant_id = p_tenant
            ORDER BY EXISTS (SELECT 1 FROM public.job_queue b
                             WHERE b.kind = p_kind AND b.tenant_id = t.tenant_id
                               AND b.state = 'running' AND b.lease_until >= p_now),
                     head.run_at
        LOOP
            SELECT q.job_id INTO v_job FROM public.job_queue q
            WHERE q.kind = p_kind AND q.tenant_id = v_tenant AND q.state = 'queued'
              AND q.run_at <= p_now
            ORDER BY q.run_at LIMIT 1
            FOR UPDATE SKIP LOCKED;
            EXIT WHEN FOUND;
        END LOOP;
        IF v_job IS NULL THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY
        UPDATE public.job_queue q
        SET state = 'running', lease_until = p_lease_until, lease_token = p_token,
            attempts = q.attempts + 1, updated_at = p_now
        WHERE q.tenant_id = v_tenant AND q.job_id = v_job
        RETURNING q.tenant_id, q.job_id;
END
$$;
REVOKE EXECUTE ON FUNCTION app_claim_job(text, uuid, timestamptz, timestamptz, text) FROM PUBLIC;

-- Deletes every tenant's finished (done or cancelled) jobs last changed before `p_before`, in
-- one pass the hourly pruner makes; dead jobs stay until an admin retries or cancels them.
CREATE POLICY owner_prunes ON job_queue FOR DELETE
    USING ((SELECT app_runs_as_table_owner()));
CREATE FUNCTION app_prune_finished_jobs(p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_pruned bigint;
BEGIN
    PERFORM public.app_assert_directory_visible('public.job_queue');
    DELETE FROM public.job_queue
    WHERE state IN ('done', 'cancelled') AND updated_at < p_before;
    GET DIAGNOSTICS v_pruned = ROW_COUNT;
    RETURN v_pruned;
END
$$;
REVOKE EXECUTE ON FUNCTION app_prune_finished_jobs(timestamptz) FROM PUBLIC;
