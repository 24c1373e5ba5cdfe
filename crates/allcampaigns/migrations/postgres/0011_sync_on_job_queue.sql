-- Sync runs on the general job queue (issue 11 point 4): each tenant's row of the old `jobs`
-- table becomes its live sync job in `job_queue` (unique key 'sync', never dead, as sync's
-- `sync_job` enqueues it), and the old table goes. A job an old worker held is queued again at
-- once: that worker's writes are refused from now on, since its table is gone.
--
-- Row-level security binds the owner that runs this too: it may move every tenant's job for the
-- length of this transaction only.
SELECT set_config('app.tenant_ids', COALESCE(string_agg(tenant_id::text, ','), ''), true)
FROM tenants;

INSERT INTO job_queue (tenant_id, job_id, kind, payload, unique_key, state, run_at, attempts,
                       max_attempts, last_error, created_at, updated_at)
SELECT tenant_id, gen_random_uuid(), 'sync', '{}'::jsonb, 'sync', 'queued', run_at, attempts,
       4294967295, last_error, created_at, now()
FROM jobs
WHERE kind = 'sync'
ON CONFLICT DO NOTHING;

DROP TABLE jobs;
