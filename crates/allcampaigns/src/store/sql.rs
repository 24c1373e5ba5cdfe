//! SQL text identical on both backends (`$N` placeholders work on SQLite too).

pub const INSERT_USER: &str = "INSERT INTO users (id, email, display_name, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $4) \
     RETURNING id, email, display_name, avatar_url, theme, locale, created_at";
pub const USER_BY_ID: &str = "SELECT id, email, display_name, avatar_url, theme, locale, created_at FROM users WHERE id = $1";
pub const USER_BY_EMAIL: &str = "SELECT id, email, display_name, avatar_url, theme, locale, created_at FROM users WHERE email = $1";
pub const UPDATE_PROFILE: &str = "UPDATE users \
     SET display_name = $2, avatar_url = $3, theme = $4, locale = $5, updated_at = $6 WHERE id = $1 \
     RETURNING id, email, display_name, avatar_url, theme, locale, created_at";
pub const APPLIED_MIGRATIONS: &str = "SELECT version FROM _sqlx_migrations WHERE success";
pub const COUNT_USERS: &str = "SELECT COUNT(*) FROM users";

pub const VOID_SIGN_IN_TOKENS: &str =
    "DELETE FROM sign_in_tokens WHERE email = $1 AND purpose = $2";
pub const INSERT_SIGN_IN_TOKEN: &str = "INSERT INTO sign_in_tokens \
     (token_hash, email, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
pub const CONSUME_SIGN_IN_TOKEN: &str = "DELETE FROM sign_in_tokens WHERE token_hash = $1 \
     RETURNING token_hash, email, purpose, created_at, expires_at";
pub const SIGN_IN_TOKEN: &str = "SELECT token_hash, email, purpose, created_at, expires_at \
     FROM sign_in_tokens WHERE token_hash = $1";

pub const INSERT_SESSION: &str = "INSERT INTO sessions \
     (id_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
pub const SESSION_BY_HASH: &str = "SELECT id_hash, user_id, created_at, last_seen_at, expires_at \
     FROM sessions WHERE id_hash = $1";
pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
pub const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";
pub const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";

pub const INSERT_USER_AUDIT: &str = "INSERT INTO user_audit_log \
     (id, at, user_id, action, details, request_id) VALUES ($1, $2, $3, $4, $5, $6)";
pub const USER_AUDIT_ENTRIES: &str = "SELECT user_id, action, details, request_id \
     FROM user_audit_log WHERE user_id = $1 ORDER BY at, id";

pub const INSERT_TENANT: &str = "INSERT INTO tenants \
     (tenant_id, name, client_name, website, accent_colour, logo_url, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
     RETURNING tenant_id, name, client_name, website, accent_colour, logo_url, created_at, updated_at";
pub const TENANT_BY_ID: &str = "SELECT tenant_id, name, client_name, website, accent_colour, \
     logo_url, created_at, updated_at FROM tenants WHERE tenant_id = $1";
pub const UPDATE_TENANT: &str = "UPDATE tenants SET name = $2, client_name = $3, website = $4, \
     accent_colour = $5, logo_url = $6, updated_at = $7 WHERE tenant_id = $1 \
     RETURNING tenant_id, name, client_name, website, accent_colour, logo_url, created_at, updated_at";
pub const DELETE_TENANT: &str = "DELETE FROM tenants WHERE tenant_id = $1";
pub const TENANTS_OF_USER: &str = "SELECT t.tenant_id, t.name, t.client_name, t.website, \
     t.accent_colour, t.logo_url, t.created_at, t.updated_at, m.role \
     FROM memberships m JOIN tenants t ON t.tenant_id = m.tenant_id \
     WHERE m.user_id = $1 ORDER BY lower(t.name)";

pub const INSERT_MEMBERSHIP: &str =
    "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)";
pub const MEMBER_ROLE: &str = "SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2";
pub const MEMBERS: &str = "SELECT m.user_id, u.email, u.display_name, m.role \
     FROM memberships m JOIN users u ON u.id = m.user_id \
     WHERE m.tenant_id = $1 ORDER BY u.email";
/// The members of several tenants: `{tenants}` is their placeholders.
pub const MEMBERS_OF_TENANTS: &str = "SELECT m.tenant_id, m.user_id, u.email, u.display_name, \
         m.role FROM memberships m JOIN users u ON u.id = m.user_id \
     WHERE m.tenant_id IN ({tenants}) ORDER BY m.tenant_id, u.email";
pub const COUNT_OTHER_OWNERS: &str = "SELECT COUNT(*) FROM memberships \
     WHERE tenant_id = $1 AND role = 'owner' AND user_id <> $2";
pub const SET_MEMBER_ROLE: &str =
    "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2";
pub const DELETE_MEMBERSHIP: &str = "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2";

pub const INSERT_INVITATION: &str = "INSERT INTO invitations \
     (tenant_id, id, email, role, token_hash, invited_by, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const INVITATIONS: &str = "SELECT id, email, role, token_hash, invited_by, created_at, \
     expires_at FROM invitations WHERE tenant_id = $1 ORDER BY created_at";
pub const TAKE_INVITATION: &str = "DELETE FROM invitations WHERE tenant_id = $1 AND token_hash = $2 \
     RETURNING id, email, role, token_hash, invited_by, created_at, expires_at";
pub const INVITATION_BY_TOKEN: &str = "SELECT id, email, role, token_hash, invited_by, \
     created_at, expires_at FROM invitations WHERE tenant_id = $1 AND token_hash = $2";
pub const WITHDRAW_INVITATION: &str = "DELETE FROM invitations WHERE tenant_id = $1 AND id = $2 \
     RETURNING id, email, role, token_hash, invited_by, created_at, expires_at";
/// The open invitations `$2` sent that their new role `$3` (`'none'` once removed) no longer
/// lets them grant (as `Role::may_grant`: owners grant any role, admins any but owner).
pub const VOID_INVITATIONS_OF: &str = "DELETE FROM invitations \
     WHERE tenant_id = $1 AND invited_by = $2 \
     AND NOT ($3 = 'owner' OR ($3 = 'admin' AND role <> 'owner'))";
/// PostgreSQL only: row-locks a tenant's owners for the rest of the transaction.
pub const LOCK_OWNERS: &str =
    "SELECT 1 FROM memberships WHERE tenant_id = $1 AND role = 'owner' FOR UPDATE";
pub const TENANT_DIRECTORY: &str = "SELECT tenant_id FROM tenants ORDER BY tenant_id";
/// PostgreSQL: every tenant id through a definer function, since no scope shows every tenant.
pub const TENANT_DIRECTORY_PG: &str = "SELECT app_tenant_directory()";
pub const MEMBER_ROLE_FOR_UPDATE: &str =
    "SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2 FOR UPDATE";

pub const IS_INSTALL_ADMIN: &str = "SELECT COUNT(*) FROM install_admins WHERE user_id = $1";
pub const INSTALL_ADMINS: &str = "SELECT a.user_id, u.email, u.display_name, a.granted_at \
     FROM install_admins a JOIN users u ON u.id = a.user_id ORDER BY u.email";
pub const GRANT_INSTALL_ADMIN: &str = "INSERT INTO install_admins (user_id, granted_by, granted_at) \
     VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING";
pub const COUNT_INSTALL_ADMINS: &str = "SELECT COUNT(*) FROM install_admins";
/// PostgreSQL only: locks every grant for the rest of the transaction.
pub const LOCK_INSTALL_ADMINS: &str = "SELECT user_id FROM install_admins FOR UPDATE";
pub const REVOKE_INSTALL_ADMIN: &str = "DELETE FROM install_admins WHERE user_id = $1";

pub const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (tenant_id, id, at, actor_id, action, target, details, request_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     RETURNING id, tenant_id, at, actor_id, action, target, details, request_id";
pub const AUDIT_ENTRIES: &str = "SELECT id, tenant_id, at, actor_id, action, target, details, \
     request_id FROM audit_log WHERE tenant_id = $1 \
     AND ($2 IS NULL OR action = $2) AND ($3 IS NULL OR actor_id = $3) \
     AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
     ORDER BY at DESC, id DESC LIMIT $6";

pub const INSERT_REQUEST_LOG: &str = "INSERT INTO request_log \
     (at, ip, user_agent, method, route, status, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub const PRUNE_REQUEST_LOG: &str = "DELETE FROM request_log WHERE at < $1";
pub const COUNT_REQUEST_LOG: &str = "SELECT COUNT(*) FROM request_log";

pub const UPSERT_CONNECTION: &str = "INSERT INTO instantly_connections \
     (tenant_id, api_key, key_id, key_last4, base_url, workspace_id, workspace_name, status, \
      created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
     ON CONFLICT (tenant_id) DO UPDATE SET api_key = excluded.api_key, key_id = excluded.key_id, \
      key_last4 = excluded.key_last4, base_url = excluded.base_url, \
      workspace_id = excluded.workspace_id, workspace_name = excluded.workspace_name, \
      status = excluded.status, status_detail = NULL, updated_at = excluded.updated_at \
     RETURNING tenant_id, api_key, key_last4, base_url, workspace_id, workspace_name, status, \
      status_detail, last_checked_at, created_at, updated_at";
pub const CONNECTION_BY_TENANT: &str = "SELECT tenant_id, api_key, key_last4, base_url, \
     workspace_id, workspace_name, status, status_detail, last_checked_at, created_at, updated_at \
     FROM instantly_connections WHERE tenant_id = $1";
pub const SET_CONNECTION_STATUS: &str = "UPDATE instantly_connections \
     SET status = $2, status_detail = $3, last_checked_at = $4, updated_at = $4 WHERE tenant_id = $1";
pub const DELETE_CONNECTION: &str = "DELETE FROM instantly_connections WHERE tenant_id = $1";
pub const CONNECTION_SECRETS_NOT_UNDER: &str = "SELECT api_key FROM instantly_connections \
     WHERE tenant_id = $1 AND key_id <> $2";
pub const REPLACE_CONNECTION_SECRET: &str = "UPDATE instantly_connections SET api_key = $3, key_id = $4 \
     WHERE tenant_id = $1 AND api_key = $2";
pub const CONNECTION_KEY_USAGE: &str =
    "SELECT key_id, COUNT(*) FROM instantly_connections GROUP BY key_id ORDER BY key_id";
/// PostgreSQL: counted across every tenant by a definer function that sees every row or raises,
/// so a policy can never make a used key look unused (review finding 1).
pub const CONNECTION_KEY_USAGE_PG: &str = "SELECT key_id, secrets FROM app_secret_key_usage()";
pub const WORKSPACE_IN_USE: &str = "SELECT EXISTS (SELECT 1 FROM instantly_connections \
     WHERE workspace_id = $1 AND tenant_id <> $2)";
/// PostgreSQL: a definer function answers yes or no without showing the other tenant's row.
pub const WORKSPACE_IN_USE_PG: &str = "SELECT app_instantly_workspace_in_use($1, $2)";

pub const KEY_CHECKS: &str = "SELECT key_id, check_envelope FROM encryption_keys ORDER BY key_id";
pub const INSERT_KEY_CHECK: &str = "INSERT INTO encryption_keys (key_id, check_envelope, created_at) \
     VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING";
pub const DELETE_KEY_CHECK: &str = "DELETE FROM encryption_keys WHERE key_id = $1";
pub const SEAL_COUNTS: &str = "SELECT key_id, seals FROM encryption_keys ORDER BY key_id";
/// One statement, so processes adding at once each add their own share.
pub const ADD_SEALS: &str =
    "UPDATE encryption_keys SET seals = seals + $2 WHERE key_id = $1 RETURNING seals";

pub const INSERT_API_TOKEN: &str = "INSERT INTO api_tokens \
     (id, user_id, name, token_hash, last4, created_at, expires_at, read_only, tenant_scope) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
/// A read only: a made-up bearer must not start a write (security review finding 15).
pub const API_TOKEN_BY_HASH: &str = "SELECT id, user_id, name, last4, created_at, \
     last_used_at, revoked_at, expires_at, read_only, tenant_scope \
     FROM api_tokens WHERE token_hash = $1";
pub const MARK_API_TOKEN_USED: &str = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";
pub const API_TOKENS: &str = "SELECT id, user_id, name, last4, created_at, last_used_at, \
     revoked_at, expires_at, read_only, tenant_scope \
     FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC";
pub const REVOKE_API_TOKEN: &str = "UPDATE api_tokens SET revoked_at = $3 \
     WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL";
pub const REVOKE_USER_API_TOKENS: &str = "UPDATE api_tokens SET revoked_at = $2 \
     WHERE user_id = $1 AND revoked_at IS NULL";

// --- pruning (security review finding 22) ---

pub const PRUNE_SESSIONS: &str =
    "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
pub const PRUNE_SIGN_IN_TOKENS: &str = "DELETE FROM sign_in_tokens WHERE expires_at <= $1";
pub const PRUNE_INVITATIONS: &str = "DELETE FROM invitations WHERE expires_at <= $1";
pub const PRUNE_API_TOKENS: &str =
    "DELETE FROM api_tokens WHERE expires_at <= $1 OR revoked_at <= $1";

// --- sync ---

pub const STREAM_STATES: &str = "SELECT stream, cursor, watermark, backfilled, done, \
     estimated_total, last_success_at, last_error, last_error_at, reconciled_at, next_run_at \
     FROM sync_streams WHERE tenant_id = $1 ORDER BY stream";

pub const SUPPRESSED_HASHES: &str = "SELECT email_hash FROM suppressions WHERE tenant_id = $1";

pub const ADD_SUPPRESSION: &str = "INSERT INTO suppressions (tenant_id, email_hash, created_at) \
     VALUES ($1, $2, $3) ON CONFLICT (tenant_id, email_hash) DO NOTHING";

/// PostgreSQL only: plan each statement for the table as it is now.
pub const PLAN_EACH_STATEMENT: &str = "SET LOCAL plan_cache_mode = force_custom_plan";

// The general job queue (`src/jobs/`). Times bind as `Param::SyncTime`: text on SQLite.

pub const ENQUEUE_JOB: &str = "INSERT INTO job_queue (tenant_id, job_id, kind, payload, \
     unique_key, state, run_at, max_attempts, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $8)";

/// Enqueues, or brings the live job with the same unique key forward (never back).
pub const ENQUEUE_OR_ADVANCE_JOB: &str = "INSERT INTO job_queue (tenant_id, job_id, kind, \
     payload, unique_key, state, run_at, max_attempts, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $8) \
     ON CONFLICT (tenant_id, kind, unique_key) \
         WHERE unique_key IS NOT NULL AND state IN ('queued', 'running') \
     DO UPDATE SET run_at = excluded.run_at, updated_at = excluded.updated_at \
     WHERE job_queue.state = 'running' OR excluded.run_at < job_queue.run_at";

/// PostgreSQL: tells every node's listener on channel `$1` once the transaction commits (idle
/// job runners; live events).
pub const NOTIFY: &str = "SELECT pg_notify($1, $2)";
/// PostgreSQL: one notice on channel `$1` for each text of `$2`, in one statement.
pub const NOTIFY_EACH: &str = "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload";

pub const QUEUED_JOB: &str = "SELECT tenant_id, job_id, kind, payload, unique_key, state, \
     run_at, attempts, max_attempts, lease_until, lease_token, last_error, created_at, updated_at \
     FROM job_queue WHERE tenant_id = $1 AND job_id = $2";

pub const DEAD_JOBS: &str = "SELECT tenant_id, job_id, kind, payload, unique_key, state, \
     run_at, attempts, max_attempts, lease_until, lease_token, last_error, created_at, updated_at \
     FROM job_queue WHERE tenant_id = $1 AND state = 'dead' ORDER BY updated_at DESC, job_id";

/// A tenant's jobs in one state, the latest change first, at most `$3`.
pub const JOBS_IN_STATE: &str = "SELECT tenant_id, job_id, kind, payload, unique_key, state, \
     run_at, attempts, max_attempts, lease_until, lease_token, last_error, created_at, updated_at \
     FROM job_queue WHERE tenant_id = $1 AND state = $2 ORDER BY updated_at DESC, job_id LIMIT $3";

/// SQLite: one UPDATE … RETURNING under the write lock, so two claimers never both see a job
/// free. The same rule as PostgreSQL's `app_claim_job`: a lease that ran out first, else the
/// oldest due job of the tenant that waited longest, tenants with nothing of the kind running
/// first. Each tenant costs one probe of `job_queue_queued` and one of `job_queue_running`, so a
/// claim does not grow with the backlog.
pub const LEASE_NEXT_JOB: &str = "UPDATE job_queue SET state = 'running', lease_until = $4, \
     lease_token = $5, attempts = attempts + 1, updated_at = $3 \
     WHERE rowid = COALESCE( \
       (SELECT r.rowid FROM job_queue r WHERE r.kind = $1 AND r.state = 'running' \
          AND r.lease_until < $3 AND ($2 IS NULL OR r.tenant_id = $2) \
        ORDER BY r.lease_until LIMIT 1), \
       (SELECT h.rowid FROM tenants t JOIN job_queue h ON h.rowid = ( \
            SELECT q.rowid FROM job_queue q WHERE q.kind = $1 AND q.tenant_id = t.tenant_id \
              AND q.state = 'queued' AND q.run_at <= $3 ORDER BY q.run_at LIMIT 1) \
        WHERE $2 IS NULL OR t.tenant_id = $2 \
        ORDER BY EXISTS (SELECT 1 FROM job_queue b WHERE b.kind = $1 \
            AND b.tenant_id = t.tenant_id AND b.state = 'running' AND b.lease_until >= $3), \
          h.run_at \
        LIMIT 1)) \
     RETURNING tenant_id, job_id";
/// PostgreSQL: the definer function skips rows another claimer holds and answers ids only.
pub const LEASE_NEXT_JOB_PG: &str =
    "SELECT tenant_id, job_id FROM app_claim_job($1, $2, $3, $4, $5)";

/// Finished (done or cancelled) jobs last changed before `$1`, across tenants: SQLite deletes
/// them directly, PostgreSQL through a definer function (row-level security hides other
/// tenants' rows from the app role).
pub const PRUNE_FINISHED_JOBS: &str =
    "DELETE FROM job_queue WHERE state IN ('done', 'cancelled') AND updated_at < $1";
pub const PRUNE_FINISHED_JOBS_PG: &str = "SELECT app_prune_finished_jobs($1)";

pub const COMPLETE_JOB: &str = "UPDATE job_queue SET state = 'done', lease_until = NULL, \
     lease_token = NULL, last_error = NULL, updated_at = $4 \
     WHERE tenant_id = $1 AND job_id = $2 AND state = 'running' AND lease_token = $3";

/// A running job asked for again while it ran (its `run_at` moved past the `$6` it was leased
/// with, by `ENQUEUE_OR_ADVANCE_JOB`) is queued for that time instead of `$4`, if sooner: a
/// "sync now" or an inbound event during a cycle is not lost to the cycle's own requeue.
pub const REQUEUE_JOB: &str = "UPDATE job_queue SET state = 'queued', \
     run_at = CASE WHEN run_at > $6 AND run_at < $4 THEN run_at ELSE $4 END, \
     attempts = 0, last_error = NULL, lease_until = NULL, lease_token = NULL, updated_at = $5 \
     WHERE tenant_id = $1 AND job_id = $2 AND state = 'running' AND lease_token = $3";

/// Extends the lease while its holder still has it (sync, with every page it commits).
pub const RENEW_JOB_LEASE: &str = "UPDATE job_queue SET lease_until = $4 \
     WHERE tenant_id = $1 AND job_id = $2 AND state = 'running' AND lease_token = $3";

/// Dead after the last attempt, else queued again at `$4`.
pub const FAIL_JOB: &str = "UPDATE job_queue SET \
     state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
     run_at = $4, last_error = $5, lease_until = NULL, lease_token = NULL, updated_at = $6 \
     WHERE tenant_id = $1 AND job_id = $2 AND state = 'running' AND lease_token = $3 \
     RETURNING state";

pub const CANCEL_QUEUED_JOB: &str = "UPDATE job_queue SET state = 'cancelled', \
     lease_until = NULL, lease_token = NULL, updated_at = $3 \
     WHERE tenant_id = $1 AND job_id = $2 AND state IN ('queued', 'running', 'dead')";

pub const RETRY_DEAD_JOB: &str = "UPDATE job_queue SET state = 'queued', attempts = 0, \
     run_at = $3, updated_at = $3 WHERE tenant_id = $1 AND job_id = $2 AND state = 'dead' \
     RETURNING kind";

pub const LIVE_JOB: &str = "SELECT tenant_id, job_id, kind, payload, unique_key, state, \
     run_at, attempts, max_attempts, lease_until, lease_token, last_error, created_at, updated_at \
     FROM job_queue WHERE tenant_id = $1 AND kind = $2 AND unique_key = $3 \
     AND state IN ('queued', 'running')";

pub const CANCEL_LIVE_JOB: &str = "UPDATE job_queue SET state = 'cancelled', \
     lease_until = NULL, lease_token = NULL, updated_at = $4 \
     WHERE tenant_id = $1 AND kind = $2 AND unique_key = $3 AND state IN ('queued', 'running')";

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    /// The claim never reads the whole queue: each of its reads probes a partial index by kind
    /// (and tenant), which finished jobs are not in, so its cost does not grow with history.
    #[tokio::test]
    async fn the_sqlite_claim_probes_the_partial_indexes_only() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        crate::store::sqlite::MIGRATOR.run(&mut conn).await.unwrap();
        let explain = format!("EXPLAIN QUERY PLAN {}", super::LEASE_NEXT_JOB);
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(explain))
            .bind("ping")
            .bind(Option::<Vec<u8>>::None)
            .bind("2026-01-01T00:00:00.000Z")
            .bind("2026-01-01T00:05:00.000Z")
            .bind("token")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        let queue_reads: Vec<&str> = plan
            .iter()
            .map(|(_, _, _, step)| step.as_str())
            .filter(|step| {
                [" r ", " q ", " b "]
                    .iter()
                    .any(|alias| step.contains(alias))
            })
            .collect();
        assert_eq!(queue_reads.len(), 3, "{plan:#?}");
        for step in queue_reads {
            assert!(
                step.starts_with("SEARCH")
                    && (step.contains("job_queue_queued (kind=? AND tenant_id=?")
                        || step.contains("job_queue_running (kind=?")),
                "{plan:#?}"
            );
        }
    }
}
