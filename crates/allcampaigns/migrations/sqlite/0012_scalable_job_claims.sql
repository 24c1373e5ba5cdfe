-- Claims that cost the same whatever the backlog (issue 11 point 4). 0009's claim sorted every
-- due row by fairness before `LIMIT 1`, so draining a backlog cost its square, and its one index
-- (kind, state, run_at) kept finished jobs in every search. Now the claim picks the tenant
-- first: each tenant's oldest due job is one probe of a partial index holding queued jobs only,
-- and whether a tenant has a job running is one probe of another holding running jobs only.
-- Finished jobs are in neither, and are pruned after `job_retention_days` (auth/prune.rs).
DROP INDEX job_queue_due;
CREATE INDEX job_queue_queued ON job_queue (kind, tenant_id, run_at) WHERE state = 'queued';
CREATE INDEX job_queue_running ON job_queue (kind, tenant_id, lease_until)
    WHERE state = 'running';
CREATE INDEX job_queue_finished ON job_queue (updated_at) WHERE state IN ('done', 'cancelled');
