//! SQL of notifications and reminders (`notifications`), one text for both backends.

/// Notifications with their actor's name; `{where}` narrows `notifications n`.
macro_rules! notifications {
    ($where:literal) => {
        concat!(
            "SELECT n.tenant_id, n.notification_id, n.user_id, n.kind, n.actor_id, ",
            "u.display_name AS actor_name, n.lead_email, n.thread_id, n.note_id, n.excerpt, ",
            "n.created_at, n.read_at ",
            "FROM notifications n LEFT JOIN users u ON u.id = n.actor_id ",
            $where
        )
    };
}

pub const INSERT_NOTIFICATION: &str = "INSERT INTO notifications (tenant_id, notification_id, \
     user_id, kind, actor_id, lead_email, thread_id, note_id, excerpt, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub const NOTIFICATION: &str = notifications!("WHERE n.tenant_id = $1 AND n.notification_id = $2");
/// A person's notifications in `{tenants}` (`notifications_by_user`), newest first.
pub const USER_NOTIFICATIONS: &str = notifications!(
    "WHERE n.tenant_id IN ({tenants}) AND n.user_id = $1 AND ($2 = false OR n.read_at IS NULL) \
     ORDER BY n.created_at DESC, n.notification_id DESC LIMIT $3"
);
/// `{one}` is empty, or narrows to one notification.
pub const MARK_READ: &str = "UPDATE notifications SET read_at = $2 \
     WHERE tenant_id IN ({tenants}) AND user_id = $1 AND read_at IS NULL {one}";
pub const CLAIM_MAIL: &str = "UPDATE notifications SET emailed_at = $3 \
     WHERE tenant_id = $1 AND notification_id = $2 AND emailed_at IS NULL";
pub const RELEASE_MAIL: &str = "UPDATE notifications SET emailed_at = NULL \
     WHERE tenant_id = $1 AND notification_id = $2";

pub const MENTION_EMAILS: &str =
    "SELECT mention_emails FROM notification_settings WHERE user_id = $1";
pub const SET_MENTION_EMAILS: &str = "INSERT INTO notification_settings \
     (user_id, mention_emails, updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (user_id) DO UPDATE SET mention_emails = excluded.mention_emails, \
     updated_at = excluded.updated_at";

/// The time of the lead's latest message in the thread, not an automatic one
/// (`messages_by_thread`).
macro_rules! lead_latest {
    () => {
        "SELECT MAX(m.timestamp_created) AS latest FROM messages m \
         WHERE m.tenant_id = $1 AND m.thread_id = $2 AND m.direction = 'received' \
         AND NOT m.is_auto_reply"
    };
}

/// With the lead's latest message in the thread as `lead_seen_at`.
pub const INSERT_REMINDER: &str = concat!(
    "INSERT INTO thread_reminders (tenant_id, reminder_id, thread_id, user_id, remind_at, ",
    "lead_seen_at, state, created_at) SELECT $1, $3, $2, $4, $5, (",
    lead_latest!(),
    "), 'waiting', $6"
);
macro_rules! reminders {
    ($where:literal) => {
        concat!(
            "SELECT reminder_id, thread_id, user_id, remind_at, lead_seen_at, state, ",
            "created_at, settled_at FROM thread_reminders WHERE tenant_id = $1 ",
            $where
        )
    };
}
pub const REMINDER: &str = reminders!("AND reminder_id = $2");
/// A thread's reminders, newest first (`thread_reminders_by_thread`).
pub const THREAD_REMINDERS: &str =
    reminders!("AND thread_id = $2 ORDER BY created_at DESC, reminder_id DESC LIMIT 100");
pub const SETTLE_REMINDER: &str = "UPDATE thread_reminders SET state = $3, settled_at = $4 \
     WHERE tenant_id = $1 AND reminder_id = $2 AND state = 'waiting'";
pub const LEAD_LATEST: &str = lead_latest!();
