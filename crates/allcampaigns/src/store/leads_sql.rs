//! SQL of lead work (`leads`): notes and calls, one text for both backends.

/// The address of a live Instantly lead: `$2` its id.
pub const LEAD_ADDRESS: &str = "SELECT email FROM leads \
     WHERE tenant_id = $1 AND instantly_id = $2 AND deleted_at IS NULL";

/// Whether a lead is known by its address, lower-cased (`$2`) or as given (`$3`): made here,
/// synced from Instantly, the lead of a thread, or one with notes or calls already. Each probe
/// reads its table's index by key.
pub const IS_KNOWN_LEAD: &str = "SELECT \
     EXISTS (SELECT 1 FROM own_leads WHERE tenant_id = $1 AND email = $2) \
     OR EXISTS (SELECT 1 FROM leads WHERE tenant_id = $1 AND email IN ($2, $3) \
         AND deleted_at IS NULL) \
     OR EXISTS (SELECT 1 FROM threads WHERE tenant_id = $1 AND lead_email IN ($2, $3)) \
     OR EXISTS (SELECT 1 FROM lead_notes WHERE tenant_id = $1 AND lead_email = $2) \
     OR EXISTS (SELECT 1 FROM lead_calls WHERE tenant_id = $1 AND lead_email = $2)";

/// The same whatever the case Instantly stored the address in (`$2` lower-cased): read only
/// when the probes by key found nothing, since it walks the tenant's range of each index.
pub const IS_KNOWN_LEAD_ANY_CASE: &str = "SELECT \
     EXISTS (SELECT 1 FROM leads WHERE tenant_id = $1 AND lower(email) = $2 \
         AND deleted_at IS NULL) \
     OR EXISTS (SELECT 1 FROM threads WHERE tenant_id = $1 AND lower(lead_email) = $2)";

/// Notes with their authors as their accounts and memberships now stand; `$where` narrows
/// `lead_notes n`.
macro_rules! notes {
    ($where:literal) => {
        concat!(
            "SELECT n.note_id, n.lead_email, n.author_id, ",
            "u.display_name AS author_name, u.email AS author_email, m.role AS author_role, ",
            "n.body, n.html, n.shared, n.created_at, n.updated_at ",
            "FROM lead_notes n LEFT JOIN users u ON u.id = n.author_id ",
            "LEFT JOIN memberships m ON m.tenant_id = n.tenant_id AND m.user_id = n.author_id ",
            "WHERE n.tenant_id = $1 AND n.lead_email = $2 ",
            $where
        )
    };
}

/// A lead's notes, newest first (`lead_notes_by_lead`): internal ones too when `$3`.
pub const NOTES: &str =
    notes!("AND (n.shared OR $3) ORDER BY n.created_at DESC, n.note_id DESC LIMIT $4");
/// The same after the cursor `($4, $5)`.
pub const NOTES_AFTER: &str = notes!(
    "AND (n.shared OR $3) AND (n.created_at, n.note_id) < ($4, $5) \
     ORDER BY n.created_at DESC, n.note_id DESC LIMIT $6"
);
pub const NOTE: &str = notes!("AND n.note_id = $3");

pub const INSERT_NOTE: &str = "INSERT INTO lead_notes (tenant_id, note_id, lead_email, \
     author_id, body, html, shared, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
pub const UPDATE_NOTE: &str = "UPDATE lead_notes SET body = $4, html = $5, shared = $6, \
     updated_at = $7 WHERE tenant_id = $1 AND lead_email = $2 AND note_id = $3";
pub const DELETE_NOTE: &str =
    "DELETE FROM lead_notes WHERE tenant_id = $1 AND lead_email = $2 AND note_id = $3";

/// Calls with their authors, as notes have them; `$where` narrows `lead_calls c`.
macro_rules! calls {
    ($where:literal) => {
        concat!(
            "SELECT c.call_id, c.lead_email, c.author_id, ",
            "u.display_name AS author_name, u.email AS author_email, m.role AS author_role, ",
            "c.at, c.duration_seconds, c.outcome, c.notes, c.notes_html, c.call_back_at, ",
            "c.created_at FROM lead_calls c LEFT JOIN users u ON u.id = c.author_id ",
            "LEFT JOIN memberships m ON m.tenant_id = c.tenant_id AND m.user_id = c.author_id ",
            "WHERE c.tenant_id = $1 AND c.lead_email = $2 ",
            $where
        )
    };
}

/// A lead's calls by when they happened, newest first (`lead_calls_by_lead`).
pub const CALLS: &str = calls!("ORDER BY c.at DESC, c.call_id DESC LIMIT $3");
/// The same after the cursor `($3, $4)`.
pub const CALLS_AFTER: &str = calls!(
    "AND (c.at, c.call_id) < ($3, $4) \
     ORDER BY c.at DESC, c.call_id DESC LIMIT $5"
);

pub const CALL: &str = calls!("AND c.call_id = $3");

pub const INSERT_CALL: &str = "INSERT INTO lead_calls (tenant_id, call_id, lead_email, \
     author_id, at, duration_seconds, outcome, notes, notes_html, call_back_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
