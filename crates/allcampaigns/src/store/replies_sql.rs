//! SQL of the reply outbox (`leads::replies`), one text for both backends.

/// A thread's lead and subject and its latest received message (`messages_by_thread`); no
/// message columns when it has none.
pub const REPLY_TARGET: &str = "SELECT t.thread_id, t.lead_email, t.subject, \
     m.instantly_id AS message_id, m.mailbox AS message_mailbox, \
     m.from_address AS message_from, m.timestamp_created AS message_at \
     FROM threads t LEFT JOIN messages m ON m.tenant_id = t.tenant_id \
         AND m.thread_id = t.thread_id AND m.direction = 'received' \
     WHERE t.tenant_id = $1 AND t.thread_id = $2 \
     ORDER BY m.timestamp_created DESC, m.instantly_id DESC LIMIT 1";

/// Outbox entries with their authors as their accounts and memberships now stand; `$where`
/// narrows `reply_outbox r`.
macro_rules! replies {
    ($where:literal) => {
        concat!(
            "SELECT r.reply_id, r.thread_id, r.lead_email, r.author_id, ",
            "u.display_name AS author_name, u.email AS author_email, m.role AS author_role, ",
            "r.eaccount, r.reply_to_uuid, r.reply_to_at, r.subject, r.body, r.html, r.send_at, ",
            "r.state, r.error, r.instantly_email_id, r.confirmed_by_sync, r.attempted_at, ",
            "r.sent_at, r.created_at, r.updated_at ",
            "FROM reply_outbox r LEFT JOIN users u ON u.id = r.author_id ",
            "LEFT JOIN memberships m ON m.tenant_id = r.tenant_id AND m.user_id = r.author_id ",
            "WHERE r.tenant_id = $1 ",
            $where
        )
    };
}

pub const REPLY: &str = replies!("AND r.reply_id = $2");
/// A thread's replies, newest first (`reply_outbox_by_thread`).
pub const THREAD_REPLIES: &str =
    replies!("AND r.thread_id = $2 ORDER BY r.created_at DESC, r.reply_id DESC LIMIT $3");
/// A lead's replies that are not yet sent (sent ones are on its timeline as their message),
/// newest first (`reply_outbox_by_lead`).
pub const LEAD_REPLIES: &str = replies!(
    "AND r.lead_email = $2 AND r.state <> 'sent' \
     ORDER BY r.created_at DESC, r.reply_id DESC LIMIT $3"
);
/// The same after the cursor `($3, $4)`.
pub const LEAD_REPLIES_AFTER: &str = replies!(
    "AND r.lead_email = $2 AND r.state <> 'sent' AND (r.created_at, r.reply_id) < ($3, $4) \
     ORDER BY r.created_at DESC, r.reply_id DESC LIMIT $5"
);
/// The outbox: unconfirmed replies first, as operators must look at them.
pub const OUTBOX: &str = replies!(
    "ORDER BY CASE WHEN r.state = 'not_confirmed' THEN 0 ELSE 1 END, \
     r.created_at DESC, r.reply_id DESC LIMIT $2"
);
/// The outbox in one state (`reply_outbox_by_state`).
pub const OUTBOX_IN_STATE: &str =
    replies!("AND r.state = $2 ORDER BY r.created_at DESC, r.reply_id DESC LIMIT $3");

pub const INSERT_REPLY: &str = "INSERT INTO reply_outbox (tenant_id, reply_id, thread_id, \
     lead_email, author_id, eaccount, reply_to_uuid, reply_to_at, subject, body, html, send_at, \
     state, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)";

/// Compare-and-set: applied only while the reply is in state `$3`. `$8` is the change's time:
/// the attempt's when it becomes `sending`, the sending's when it becomes `sent`.
pub const CHANGE_REPLY: &str = "UPDATE reply_outbox SET state = $4, error = $5, \
     instantly_email_id = COALESCE($6, instantly_email_id), confirmed_by_sync = $7, \
     attempted_at = CASE WHEN $4 = 'sending' THEN $8 ELSE attempted_at END, \
     sent_at = CASE WHEN $4 = 'sent' THEN $8 ELSE sent_at END, updated_at = $8 \
     WHERE tenant_id = $1 AND reply_id = $2 AND state = $3";

/// Messages sent in a thread from a mailbox that no outbox entry claims, oldest first.
pub const UNCLAIMED_SENT: &str = "SELECT m.instantly_id AS id, m.body_text, \
     m.timestamp_created AS at FROM messages m \
     WHERE m.tenant_id = $1 AND m.thread_id = $2 AND m.direction = 'sent' \
     AND lower(m.mailbox) = lower($3) \
     AND NOT EXISTS (SELECT 1 FROM reply_outbox r WHERE r.tenant_id = m.tenant_id \
         AND r.instantly_email_id = m.instantly_id) \
     ORDER BY m.timestamp_created, m.instantly_id";

/// A mailbox's signature: `$2` its address, lower-cased.
pub const SIGNATURE: &str = "SELECT mailbox, body, html, updated_at FROM mailbox_signatures \
     WHERE tenant_id = $1 AND mailbox = $2";
pub const SAVE_SIGNATURE: &str = "INSERT INTO mailbox_signatures (tenant_id, mailbox, body, \
     html, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (tenant_id, mailbox) DO UPDATE SET body = excluded.body, \
     html = excluded.html, updated_by = excluded.updated_by, updated_at = excluded.updated_at";
