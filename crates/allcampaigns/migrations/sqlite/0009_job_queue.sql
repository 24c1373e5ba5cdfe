-- The general job queue (issue 11 point 4): one row per job, with its own id. Times are ISO 8601
-- text with milliseconds and `Z`, which compares in time order. A unique key allows one live
-- (queued or running) job per tenant, kind and key; finished, dead and cancelled jobs do not
-- count, so the same work may be queued again later.
CREATE TABLE job_queue (
    tenant_id    BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    job_id       BLOB NOT NULL,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    unique_key   TEXT,
    state        TEXT NOT NULL
                 CHECK (state IN ('queued', 'running', 'done', 'dead', 'cancelled')),
    run_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
    lease_until  TEXT,
    lease_token  TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, job_id)
) STRICT;
CREATE UNIQUE INDEX job_queue_live_unique_key ON job_queue (tenant_id, kind, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX job_queue_due ON job_queue (kind, state, run_at);
