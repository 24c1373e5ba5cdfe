//! SQL of lead state (`leads::{settings, tags, state, timeline}`), one text for both backends.

pub const SETTINGS: &str = "SELECT currency, time_zone, day_starts, day_ends, workdays, \
     instantly_writes, updated_at FROM lead_settings WHERE tenant_id = $1";

pub const PUT_SETTINGS: &str = "INSERT INTO lead_settings (tenant_id, currency, time_zone, \
     day_starts, day_ends, workdays, instantly_writes, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id) DO UPDATE SET \
     currency = excluded.currency, time_zone = excluded.time_zone, \
     day_starts = excluded.day_starts, day_ends = excluded.day_ends, \
     workdays = excluded.workdays, instantly_writes = excluded.instantly_writes, \
     updated_at = excluded.updated_at";

pub const TAGS: &str =
    "SELECT tag_id, name, colour, created_at FROM lead_tags WHERE tenant_id = $1";
pub const INSERT_TAG: &str = "INSERT INTO lead_tags (tenant_id, tag_id, name, colour, \
     created_at) VALUES ($1, $2, $3, $4, $5)";
pub const UPDATE_TAG: &str =
    "UPDATE lead_tags SET name = $3, colour = $4 WHERE tenant_id = $1 AND tag_id = $2";
/// Its links first: the foreign key cascades too, but SQLite enforces it only when asked.
pub const UNLINK_TAG: &str = "DELETE FROM lead_tag_links WHERE tenant_id = $1 AND tag_id = $2";
pub const DELETE_TAG: &str = "DELETE FROM lead_tags WHERE tenant_id = $1 AND tag_id = $2";

pub const STATE: &str = "SELECT stage_id, stage_source, stage_reason, value_cents, owner_id \
     FROM lead_states WHERE tenant_id = $1 AND lead_email = $2";
pub const TAG_LINKS: &str = "SELECT tag_id FROM lead_tag_links \
     WHERE tenant_id = $1 AND lead_email = $2 ORDER BY created_at, tag_id";
/// Instantly's interest status of the lead, from its latest record (`leads_by_lower_email`).
pub const INSTANTLY_STATUS: &str = "SELECT interest_status FROM leads \
     WHERE tenant_id = $1 AND lower(email) = $2 AND deleted_at IS NULL \
     ORDER BY timestamp_updated DESC LIMIT 1";

pub const PUT_STATE: &str = "INSERT INTO lead_states (tenant_id, lead_email, stage_id, \
     stage_source, stage_reason, value_cents, owner_id, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, lead_email) DO UPDATE SET \
     stage_id = excluded.stage_id, stage_source = excluded.stage_source, \
     stage_reason = excluded.stage_reason, value_cents = excluded.value_cents, \
     owner_id = excluded.owner_id, updated_at = excluded.updated_at";
pub const UNLINK_TAGS: &str = "DELETE FROM lead_tag_links WHERE tenant_id = $1 AND lead_email = $2";
pub const LINK_TAG: &str = "INSERT INTO lead_tag_links (tenant_id, lead_email, tag_id, \
     created_at) VALUES ($1, $2, $3, $4)";
pub const INSERT_CHANGE: &str = "INSERT INTO lead_changes (tenant_id, change_id, lead_email, \
     actor_id, source, field, from_value, to_value, reason, at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// A lead's changes with who made them, newest first (`lead_changes_by_lead`); every field
/// when `$3`, else stage, value and Instantly's status.
macro_rules! changes {
    ($where:literal) => {
        concat!(
            "SELECT c.change_id, c.lead_email, c.actor_id AS author_id, ",
            "u.display_name AS author_name, u.email AS author_email, m.role AS author_role, ",
            "c.source, c.field, c.from_value, c.to_value, c.reason, c.at ",
            "FROM lead_changes c LEFT JOIN users u ON u.id = c.actor_id ",
            "LEFT JOIN memberships m ON m.tenant_id = c.tenant_id AND m.user_id = c.actor_id ",
            "WHERE c.tenant_id = $1 AND c.lead_email = $2 ",
            "AND ($3 OR c.field IN ('stage', 'value', 'instantly_status')) ",
            $where
        )
    };
}

pub const CHANGES: &str = changes!("ORDER BY c.at DESC, c.change_id DESC LIMIT $4");
pub const CHANGES_AFTER: &str =
    changes!("AND (c.at, c.change_id) < ($4, $5) ORDER BY c.at DESC, c.change_id DESC LIMIT $6");

/// The messages of a lead's threads (`threads_by_lead_recency`, `messages_by_thread`).
macro_rules! messages {
    ($where:literal) => {
        concat!(
            "SELECT m.instantly_id, m.thread_id, m.direction, m.from_address, m.subject, ",
            "substr(m.body_text, 1, 280) AS preview, m.timestamp_created ",
            "FROM messages m WHERE m.tenant_id = $1 AND m.thread_id IN ",
            "(SELECT t.thread_id FROM threads t WHERE t.tenant_id = $1 ",
            "AND lower(t.lead_email) = $2) ",
            $where
        )
    };
}

pub const MESSAGES: &str =
    messages!("ORDER BY m.timestamp_created DESC, m.instantly_id DESC LIMIT $3");
pub const MESSAGES_BEFORE: &str = messages!(
    "AND (m.timestamp_created < $3 OR (m.timestamp_created = $3 AND m.instantly_id < $4)) \
     ORDER BY m.timestamp_created DESC, m.instantly_id DESC LIMIT $5"
);

/// The lead's replies nobody touched yet, up to `$3` (`reply_touches_by_lead`).
pub const UNTOUCHED_REPLIES: &str = "SELECT thread_id, replied_at FROM reply_touches \
     WHERE tenant_id = $1 AND lead_email = $2 AND first_touch_at IS NULL AND replied_at <= $3";
pub const RECORD_TOUCH: &str = "UPDATE reply_touches SET first_touch_at = $3, touched_by = $4, \
     touch_kind = $5, wall_seconds = $6, business_seconds = $7, wall_bucket = $8, \
     business_bucket = $9 WHERE tenant_id = $1 AND thread_id = $2 AND first_touch_at IS NULL";
pub const SET_REPLIES_POSITIVE: &str =
    "UPDATE reply_touches SET positive = $3 WHERE tenant_id = $1 AND lead_email = $2";

macro_rules! touches {
    ($where:literal) => {
        concat!(
            "SELECT tenant_id, thread_id, lead_email, replied_at, positive, first_touch_at, ",
            "touched_by, touch_kind, wall_seconds, business_seconds FROM reply_touches ",
            $where
        )
    };
}

/// The tenants' speed-to-reply counts of the days `$1..$2` (`YYYY-MM-DD`), summed: the whole
/// months `$3..$4` (`YYYY-MM`) from the month counts, the days before them (`$1..$5`) and after
/// them (`$6..$2`) from the day counts. `{tenants}` is the placeholders of the tenants' list.
pub const SPEED_COUNTS: &str = "SELECT tenant_id, measure, touched_by, bucket_seconds, \
     CAST(sum(replies) AS BIGINT) AS replies FROM ( \
     SELECT tenant_id, measure, touched_by, bucket_seconds, replies FROM speed_months \
     WHERE tenant_id IN ({tenants}) AND month >= $3 AND month < $4 \
     UNION ALL SELECT tenant_id, measure, touched_by, bucket_seconds, replies FROM speed_days \
     WHERE tenant_id IN ({tenants}) AND ((day >= $1 AND day < $5) OR (day >= $6 AND day < $2)) \
     ) counts GROUP BY tenant_id, measure, touched_by, bucket_seconds HAVING sum(replies) > 0";
pub const AWAITING_FIRST_TOUCH: &str = touches!(
    "WHERE tenant_id = $1 AND positive AND first_touch_at IS NULL ORDER BY replied_at LIMIT $2"
);
pub const THREAD_TOUCH: &str = touches!("WHERE tenant_id = $1 AND thread_id = $2");

/// The lead's Instantly records (one per campaign or list), with their campaign's name.
pub const LEAD_RECORDS: &str = "SELECT l.instantly_id, l.campaign_id, c.name AS campaign_name, \
     l.first_name, l.last_name, l.company_name, l.job_title, l.phone, l.website, \
     l.personalization, l.custom_variables, l.status, l.interest_status, l.replied_step, \
     l.replied_variant, l.open_count, l.reply_count, l.click_count, l.last_contact_at, \
     l.last_reply_at FROM leads l LEFT JOIN campaigns c \
     ON c.tenant_id = l.tenant_id AND c.instantly_id = l.campaign_id \
     WHERE l.tenant_id = $1 AND lower(l.email) = $2 AND l.deleted_at IS NULL \
     ORDER BY l.timestamp_created, l.instantly_id LIMIT 50";

/// The lead's threads, the latest first (`threads_by_lead_recency`).
pub const LEAD_THREADS: &str = "SELECT thread_id, subject, mailbox, message_count, \
     unread_count, last_message_at, last_direction FROM threads \
     WHERE tenant_id = $1 AND lower(lead_email) = $2 \
     ORDER BY last_message_at DESC, thread_id LIMIT 100";

/// The latest replies from the lead across its latest hundred threads (those the page lists),
/// newest first, for the rules that suggest labels. The threads' order and bound make
/// `threads_by_lead_recency` the plan without statistics too.
pub const LATEST_REPLIES: &str = "SELECT m.thread_id, m.instantly_id AS message_id, \
     substr(m.body_text, 1, 4000) AS body, m.is_auto_reply AS auto_reply, \
     m.timestamp_created AS at FROM messages m WHERE m.tenant_id = $1 AND m.thread_id IN \
     (SELECT t.thread_id FROM threads t WHERE t.tenant_id = $1 AND lower(t.lead_email) = $2 \
     ORDER BY t.last_message_at DESC LIMIT 100) \
     AND m.direction = 'received' ORDER BY m.timestamp_created DESC, m.instantly_id DESC LIMIT 20";
