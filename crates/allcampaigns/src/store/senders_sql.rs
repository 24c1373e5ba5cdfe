//! SQL of our own records of reply senders (`inbox::senders`), one text for both backends.

/// The From names of a thread's messages: `$2` the thread.
pub const MESSAGE_NAMES: &str = "SELECT instantly_id, from_name FROM messages \
     WHERE tenant_id = $1 AND thread_id = $2 AND from_name IS NOT NULL";

/// The addresses attached to a lead: `$2` its address.
pub const ATTACHED: &str =
    "SELECT address FROM lead_addresses WHERE tenant_id = $1 AND lead_email = $2";

pub const OWN_LEAD: &str = "SELECT email, name, thread_id, created_by, created_at \
     FROM own_leads WHERE tenant_id = $1 AND email = $2";

/// A second attachment of the same address changes nothing.
pub const INSERT_ATTACHED: &str = "INSERT INTO lead_addresses (tenant_id, lead_email, address, \
     thread_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING";

/// A second lead for the same address changes nothing.
pub const INSERT_OWN_LEAD: &str = "INSERT INTO own_leads (tenant_id, email, name, thread_id, \
     created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING";
