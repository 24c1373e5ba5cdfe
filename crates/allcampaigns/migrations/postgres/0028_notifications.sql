-- Notifications and thread reminders (issue 13).
--
-- A notification is one person's, in one tenant: `mention` (a note named them: `note_id`, with
-- the note's first words as `excerpt`) or `reminder` (a thread they asked to be reminded of had
-- no answer from the lead by then: `thread_id`). `read_at` is set when they read it. A mention
-- is also mailed to a person who chose it (`notification_settings`): `emailed_at` is written
-- BEFORE the mail is handed to the server, so the mail job never sends it twice.
CREATE TABLE notifications (
    tenant_id       uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    notification_id uuid NOT NULL,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('mention', 'reminder')),
    actor_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    lead_email      text,
    thread_id       text,
    note_id         uuid,
    excerpt         text NOT NULL,
    created_at      timestamptz NOT NULL,
    read_at         timestamptz,
    emailed_at      timestamptz,
    PRIMARY KEY (tenant_id, notification_id)
);
CREATE INDEX notifications_by_user ON notifications (tenant_id, user_id, created_at);
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- "Remind me if no reply": `waiting` until `remind_at`, then `reminded` (a notification was
-- made) or `answered` (the lead wrote after the reminder was set, so it cancelled itself);
-- `cancelled` by its owner before. `lead_seen_at` is the time of the lead's latest message in
-- the thread when the reminder was set (Instantly's clock, as the message has it): a message
-- after it is an answer, whatever our own clock says.
CREATE TABLE thread_reminders (
    tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    reminder_id uuid NOT NULL,
    thread_id   text NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    remind_at   timestamptz NOT NULL,
    lead_seen_at timestamptz,
    state       text NOT NULL CHECK (state IN ('waiting', 'reminded', 'answered', 'cancelled')),
    created_at  timestamptz NOT NULL,
    settled_at  timestamptz,
    PRIMARY KEY (tenant_id, reminder_id)
);
CREATE INDEX thread_reminders_by_thread ON thread_reminders (tenant_id, thread_id, created_at);
ALTER TABLE thread_reminders ENABLE ROW LEVEL SECURITY;
ALTER TABLE thread_reminders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON thread_reminders
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- What a person chose to be mailed about; no row: nothing.
CREATE TABLE notification_settings (
    user_id        uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    mention_emails boolean NOT NULL,
    updated_at     timestamptz NOT NULL
);
