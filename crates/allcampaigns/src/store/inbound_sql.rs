//! SQL of inbound hooks and events (`inbound_hooks`, `inbound_events`), one text for both
//! backends but the lookup by secret, which PostgreSQL's row-level security makes a function.

/// Read before any tenant is known: on SQLite straight from the table.
pub const HOOK_BY_DIGEST: &str =
    "SELECT tenant_id, header_digest FROM inbound_hooks WHERE path_digest = $1";
/// On PostgreSQL, through the owner's directory function (migration 0031).
pub const HOOK_BY_DIGEST_PG: &str = "SELECT tenant_id, header_digest FROM app_inbound_hook($1)";
pub const HOOK: &str = "SELECT tenant_id, instantly_webhook_id, created_by, created_at \
     FROM inbound_hooks WHERE tenant_id = $1";
pub const DELETE_HOOK: &str = "DELETE FROM inbound_hooks WHERE tenant_id = $1";
pub const INSERT_HOOK: &str = "INSERT INTO inbound_hooks (tenant_id, path_digest, \
     header_digest, instantly_webhook_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
pub const INSERT_EVENT: &str = "INSERT INTO inbound_events (tenant_id, event_id, dedupe_key, \
     event_type, email_id, lead_email, occurred_at, payload, received_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (tenant_id, dedupe_key) DO NOTHING";
/// A page of events, newest first; `$2`/`$3` the last row of the page before (or NULL).
pub const EVENTS: &str = "SELECT tenant_id, event_id, dedupe_key, event_type, email_id, \
     lead_email, occurred_at, payload, received_at FROM inbound_events \
     WHERE tenant_id = $1 AND ($2 IS NULL OR received_at < $2 \
         OR (received_at = $2 AND event_id < $3)) \
     ORDER BY received_at DESC, event_id DESC LIMIT $4";
/// Up to `$3` of the tenant's events received before `$2`, the oldest first.
pub const PRUNE_EVENTS: &str = "DELETE FROM inbound_events WHERE tenant_id = $1 AND event_id IN \
     (SELECT event_id FROM inbound_events WHERE tenant_id = $1 AND received_at < $2 \
     ORDER BY received_at, event_id LIMIT $3)";
