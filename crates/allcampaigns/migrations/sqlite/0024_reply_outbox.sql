-- Replies sent through Instantly (issue 13): the outbox, our own data that no sync writes.
-- The PostgreSQL migration explains the states and each column.
CREATE TABLE reply_outbox (
    tenant_id          BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    reply_id           BLOB NOT NULL,
    thread_id          TEXT NOT NULL,
    lead_email         TEXT NOT NULL,
    author_id          BLOB REFERENCES users (id) ON DELETE SET NULL,
    eaccount           TEXT NOT NULL,
    reply_to_uuid      TEXT NOT NULL,
    reply_to_at        TEXT NOT NULL,
    subject            TEXT NOT NULL,
    body               TEXT NOT NULL,
    html               TEXT NOT NULL,
    send_at            TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('scheduled', 'cancelled', 'sending',
                           'sent', 'not_confirmed', 'failed')),
    error              TEXT,
    instantly_email_id TEXT,
    confirmed_by_sync  INTEGER NOT NULL DEFAULT 0 CHECK (confirmed_by_sync IN (0, 1)),
    attempted_at       TEXT,
    sent_at            TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, reply_id)
) STRICT;
CREATE INDEX reply_outbox_by_thread ON reply_outbox (tenant_id, thread_id, created_at);
CREATE INDEX reply_outbox_by_lead ON reply_outbox (tenant_id, lead_email, created_at);
CREATE INDEX reply_outbox_by_state ON reply_outbox (tenant_id, state, created_at);
CREATE UNIQUE INDEX reply_outbox_by_email ON reply_outbox (tenant_id, instantly_email_id)
    WHERE instantly_email_id IS NOT NULL;

-- A signature per mailbox of ours (its address, lower-cased), appended when a reply leaves.
CREATE TABLE mailbox_signatures (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    mailbox    TEXT NOT NULL,
    body       TEXT NOT NULL,
    html       TEXT NOT NULL,
    updated_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, mailbox)
) STRICT;
