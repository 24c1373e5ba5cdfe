-- Notifications and thread reminders (issue 13). The PostgreSQL migration explains each.
CREATE TABLE notifications (
    tenant_id       BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    notification_id BLOB NOT NULL,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('mention', 'reminder')),
    actor_id        BLOB REFERENCES users (id) ON DELETE SET NULL,
    lead_email      TEXT,
    thread_id       TEXT,
    note_id         BLOB,
    excerpt         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    read_at         TEXT,
    emailed_at      TEXT,
    PRIMARY KEY (tenant_id, notification_id)
) STRICT;
CREATE INDEX notifications_by_user ON notifications (tenant_id, user_id, created_at);

CREATE TABLE thread_reminders (
    tenant_id   BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    reminder_id BLOB NOT NULL,
    thread_id   TEXT NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    remind_at   TEXT NOT NULL,
    lead_seen_at TEXT,
    state       TEXT NOT NULL CHECK (state IN ('waiting', 'reminded', 'answered', 'cancelled')),
    created_at  TEXT NOT NULL,
    settled_at  TEXT,
    PRIMARY KEY (tenant_id, reminder_id)
) STRICT;
CREATE INDEX thread_reminders_by_thread ON thread_reminders (tenant_id, thread_id, created_at);

CREATE TABLE notification_settings (
    user_id        BLOB PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    mention_emails INTEGER NOT NULL CHECK (mention_emails IN (0, 1)),
    updated_at     TEXT NOT NULL
) STRICT;
