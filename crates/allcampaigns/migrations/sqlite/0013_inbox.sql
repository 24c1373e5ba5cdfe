-- The inbox (issue 12): a classification of each thread for the tabs, kept by sync on the
-- `threads` row, and our own triage state in a table no sync ever writes.
--
-- `category`: 'primary' when the thread holds a received message that is a real reply (not an
-- auto-reply or out-of-office, which Instantly flags, and not a bounce from a mailer daemon or
-- postmaster); 'others' for the rest, including threads with only our sends.
-- `received_count` / `last_received_at`: the received messages, which reopen done and snoozed
-- threads and make them unread again.
ALTER TABLE threads ADD COLUMN category TEXT NOT NULL DEFAULT 'others'
    CHECK (category IN ('primary', 'others'));
ALTER TABLE threads ADD COLUMN received_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN last_received_at TEXT;

UPDATE threads SET
    received_count = (SELECT COUNT(*) FROM messages m
        WHERE m.tenant_id = threads.tenant_id AND m.thread_id = threads.thread_id
          AND m.direction = 'received'),
    last_received_at = (SELECT MAX(m.timestamp_created) FROM messages m
        WHERE m.tenant_id = threads.tenant_id AND m.thread_id = threads.thread_id
          AND m.direction = 'received'),
    category = CASE WHEN EXISTS (SELECT 1 FROM messages m
        WHERE m.tenant_id = threads.tenant_id AND m.thread_id = threads.thread_id
          AND m.direction = 'received' AND NOT m.is_auto_reply
          AND lower(coalesce(m.from_address, '')) NOT LIKE 'mailer-daemon@%'
          AND lower(coalesce(m.from_address, '')) NOT LIKE 'postmaster@%')
        THEN 'primary' ELSE 'others' END;

-- Newest first with a unique tie-break, so a keyset page is one index range.
CREATE INDEX threads_by_recency ON threads (tenant_id, last_message_at, thread_id);
-- The lead's other threads, and search by the lead's fields.
CREATE INDEX threads_by_lead_email ON threads (tenant_id, lead_email);

-- Read, done and snooze remember how many received messages the person had seen
-- (`*_through`): a reply that arrives later reopens the thread and makes it unread, even when
-- Instantly stored it before the click but sync brought it after (times would miss that).
-- `read_through` NULL and `marked_unread` 0: Instantly's own read state counts.
CREATE TABLE thread_triage (
    tenant_id       BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    thread_id       TEXT NOT NULL,
    read_through    INTEGER,
    marked_unread   INTEGER NOT NULL DEFAULT 0,
    done_at         TEXT,
    done_through    INTEGER,
    snoozed_until   TEXT,
    snoozed_through INTEGER,
    owner_id        BLOB REFERENCES users (id) ON DELETE SET NULL,
    updated_at      TEXT NOT NULL,
    updated_by      BLOB REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (tenant_id, thread_id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES threads (tenant_id, thread_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX thread_triage_by_owner ON thread_triage (tenant_id, owner_id);
