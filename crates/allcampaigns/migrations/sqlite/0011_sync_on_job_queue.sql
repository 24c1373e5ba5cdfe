-- Sync runs on the general job queue (issue 11 point 4): each tenant's row of the old `jobs`
-- table becomes its live sync job in `job_queue` (unique key 'sync', never dead, as sync's
-- `sync_job` enqueues it), and the old table goes. A job an old worker held is queued again at
-- once: that worker's writes are refused from now on, since its table is gone. Job ids are 16
-- random bytes, which read back as a UUID like any other.
INSERT INTO job_queue (tenant_id, job_id, kind, payload, unique_key, state, run_at, attempts,
                       max_attempts, last_error, created_at, updated_at)
SELECT tenant_id, randomblob(16), 'sync', '{}', 'sync', 'queued', run_at, attempts,
       4294967295, last_error, created_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM jobs
WHERE kind = 'sync'
ON CONFLICT DO NOTHING;

DROP TABLE jobs;
