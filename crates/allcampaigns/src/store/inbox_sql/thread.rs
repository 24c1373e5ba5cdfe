//! The thread view's statements: its messages, its lead, the person's other threads, and the
//! names and tags a page shows beside its rows.

use super::Query;
use crate::domain::TenantId;
use crate::store::db::Args;

pub const THREAD_MESSAGES: &str = "SELECT instantly_id AS id, direction, mailbox, from_address, \
         to_addresses, cc_addresses, subject, body_text, body_html, attachments, is_auto_reply, \
         timestamp_created AS at, step \
     FROM messages WHERE tenant_id = $1 AND thread_id = $2 \
     ORDER BY timestamp_created, instantly_id";

const LEAD_COLUMNS: &str = "SELECT instantly_id AS id, email, first_name, last_name, \
         company_name, job_title, phone, website, interest_status, campaign_id, open_count, \
         click_count, reply_count, last_contact_at, replied_step, replied_variant, \
         CAST(custom_variables AS TEXT) AS custom_variables \
     FROM leads WHERE tenant_id = $1 AND deleted_at IS NULL";

/// The thread's lead: by its Instantly id when the messages name one, else the newest by
/// address; `None` when they name neither. Two statements, not one with an `OR`: SQLite (no
/// statistics) read the client's whole `leads_by_email` range for the `OR`.
pub fn thread_lead(tenant: TenantId, lead_id: Option<&str>, email: Option<&str>) -> Option<Query> {
    let (sql, key) = match (lead_id, email) {
        (Some(id), _) => (format!("{LEAD_COLUMNS} AND instantly_id = $2"), id),
        (None, Some(email)) => (
            format!("{LEAD_COLUMNS} AND email = $2 ORDER BY timestamp_updated DESC LIMIT 1"),
            email,
        ),
        (None, None) => return None,
    };
    let args = Args::new().bind(tenant).bind(key);
    Some(Query { sql, args })
}

/// The person's other threads in the tenant (`$2` the address, `$3` this thread, `$4` the
/// limit), newest first, by `threads_by_lead_email`.
pub const LEAD_THREADS: &str = "SELECT thread_id, subject, campaign_id, mailbox, last_message_at \
     FROM threads WHERE tenant_id = $1 AND lead_email = $2 AND thread_id <> $3 \
     ORDER BY last_message_at DESC, thread_id DESC LIMIT $4";

/// The names of the live leads with these `(tenant, address)` pairs (two placeholders a
/// pair), by `leads_by_email`; duplicates oldest first. The pairs drive the join (`CROSS
/// JOIN` keeps SQLite's order): as `(tenant_id, email) IN (VALUES …)`, SQLite chose to scan
/// every lead once a page named 50 (3.5 s on agency-L).
pub fn lead_names(leads: &[(TenantId, String)]) -> Query {
    let mut args = Args::new();
    let mut pairs = Vec::with_capacity(leads.len());
    for (i, (tenant, email)) in leads.iter().enumerate() {
        args = args.bind(*tenant).bind(email.as_str());
        pairs.push(format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
    }
    let sql = format!(
        "SELECT l.tenant_id, l.email, l.first_name, l.last_name, l.company_name \
         FROM (VALUES {pairs}) w CROSS JOIN leads l \
         WHERE l.tenant_id = w.column1 AND l.email = w.column2 AND l.deleted_at IS NULL \
         ORDER BY l.tenant_id, l.email, l.timestamp_updated",
        pairs = pairs.join(", ")
    );
    Query { sql, args }
}

/// The live tags of `tenants`' campaigns and mailboxes, by resource: one placeholder a
/// tenant.
pub fn tags(tenants: &[TenantId]) -> Query {
    let (args, list) = Args::new().bind_list(tenants);
    let sql = format!(
        "SELECT m.tenant_id, m.resource_id, c.label FROM custom_tag_mappings m \
         JOIN custom_tags c ON c.tenant_id = m.tenant_id AND c.instantly_id = m.tag_id \
         WHERE m.tenant_id IN ({list}) AND m.deleted_at IS NULL AND c.deleted_at IS NULL \
         ORDER BY c.label"
    );
    Query { sql, args }
}
