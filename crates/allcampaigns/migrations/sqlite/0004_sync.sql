-- The local copy of each tenant's Instantly workspace, its sync checkpoints and the job queue.
-- Instantly objects are keyed by (tenant_id, instantly_id). `fingerprint` is a hash of the
-- source record, so an unchanged record is never rewritten. Timestamps from Instantly are kept
-- as ISO 8601 text with milliseconds and `Z`, which sorts in time order.

CREATE TABLE jobs (
    tenant_id    BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    run_at       TEXT NOT NULL,
    locked_by    TEXT,
    locked_until TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind)
) STRICT;
CREATE INDEX jobs_due ON jobs (run_at);

CREATE TABLE sync_streams (
    tenant_id       BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    stream          TEXT NOT NULL,
    cursor          TEXT,
    watermark       TEXT,
    backfilled      INTEGER NOT NULL DEFAULT 0,
    done            INTEGER NOT NULL DEFAULT 0,
    estimated_total INTEGER,
    last_success_at TEXT,
    last_error      TEXT,
    last_error_at   TEXT,
    reconciled_at   TEXT,
    next_run_at     TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, stream)
) STRICT;

CREATE TABLE suppressions (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    email_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, email_hash)
) STRICT;

CREATE TABLE campaigns (
    tenant_id         BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      TEXT NOT NULL,
    name              TEXT NOT NULL,
    status            INTEGER NOT NULL,
    daily_limit       REAL,
    schedule          TEXT NOT NULL,
    mailboxes         TEXT NOT NULL,
    timestamp_created TEXT NOT NULL,
    timestamp_updated TEXT NOT NULL,
    fingerprint       INTEGER NOT NULL,
    deleted_at        TEXT,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;

CREATE TABLE campaign_steps (
    tenant_id   BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id TEXT NOT NULL,
    step        INTEGER NOT NULL,
    variant     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    delay       REAL NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    disabled    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, step, variant),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, instantly_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE campaign_totals (
    tenant_id          BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id        TEXT NOT NULL,
    leads              INTEGER NOT NULL,
    contacted          INTEGER NOT NULL,
    sent               INTEGER NOT NULL,
    opened_unique      INTEGER NOT NULL,
    replied_unique     INTEGER NOT NULL,
    clicked_unique     INTEGER NOT NULL,
    bounced            INTEGER NOT NULL,
    unsubscribed       INTEGER NOT NULL,
    completed          INTEGER NOT NULL,
    opportunities      INTEGER NOT NULL,
    opportunity_value  REAL NOT NULL,
    fingerprint        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id)
) STRICT;

CREATE TABLE campaign_daily (
    tenant_id      BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id    TEXT NOT NULL,
    day            TEXT NOT NULL,
    sent           INTEGER NOT NULL,
    contacted      INTEGER NOT NULL,
    opened         INTEGER NOT NULL,
    opened_unique  INTEGER NOT NULL,
    replied        INTEGER NOT NULL,
    replied_unique INTEGER NOT NULL,
    clicked        INTEGER NOT NULL,
    clicked_unique INTEGER NOT NULL,
    opportunities  INTEGER NOT NULL,
    fingerprint    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, day)
) STRICT;

CREATE TABLE campaign_step_totals (
    tenant_id      BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id    TEXT NOT NULL,
    step           TEXT NOT NULL,
    variant        TEXT NOT NULL,
    sent           INTEGER NOT NULL,
    opened_unique  INTEGER NOT NULL,
    replied_unique INTEGER NOT NULL,
    clicked_unique INTEGER NOT NULL,
    opportunities  INTEGER NOT NULL,
    fingerprint    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, step, variant)
) STRICT;

-- Pre-summed across campaigns, so the dashboard reads one row per day.
CREATE TABLE tenant_daily (
    tenant_id      BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    day            TEXT NOT NULL,
    sent           INTEGER NOT NULL,
    contacted      INTEGER NOT NULL,
    opened_unique  INTEGER NOT NULL,
    replied_unique INTEGER NOT NULL,
    clicked_unique INTEGER NOT NULL,
    opportunities  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day)
) STRICT;

CREATE TABLE mailboxes (
    tenant_id         BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      TEXT NOT NULL,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    status            INTEGER,
    warmup_status     INTEGER NOT NULL,
    warmup_score      REAL,
    daily_limit       REAL,
    provider_code     INTEGER NOT NULL,
    timestamp_created TEXT NOT NULL,
    fingerprint       INTEGER NOT NULL,
    deleted_at        TEXT,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;

CREATE TABLE mailbox_daily (
    tenant_id      BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    mailbox        TEXT NOT NULL,
    day            TEXT NOT NULL,
    sent           INTEGER NOT NULL,
    bounced        INTEGER NOT NULL,
    contacted      INTEGER NOT NULL,
    opened_unique  INTEGER NOT NULL,
    replied_unique INTEGER NOT NULL,
    clicked_unique INTEGER NOT NULL,
    fingerprint    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, mailbox, day)
) STRICT;

CREATE TABLE warmup_daily (
    tenant_id    BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    mailbox      TEXT NOT NULL,
    day          TEXT NOT NULL,
    sent         INTEGER NOT NULL,
    received     INTEGER NOT NULL,
    landed_inbox INTEGER NOT NULL,
    landed_spam  INTEGER NOT NULL,
    fingerprint  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, mailbox, day)
) STRICT;

CREATE TABLE lead_lists (
    tenant_id         BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      TEXT NOT NULL,
    name              TEXT NOT NULL,
    timestamp_created TEXT NOT NULL,
    fingerprint       INTEGER NOT NULL,
    deleted_at        TEXT,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;

CREATE TABLE lead_labels (
    tenant_id       BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id    TEXT NOT NULL,
    label           TEXT NOT NULL,
    interest_status INTEGER NOT NULL,
    interest_label  TEXT NOT NULL,
    description     TEXT,
    fingerprint     INTEGER NOT NULL,
    deleted_at      TEXT,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;

CREATE TABLE custom_tags (
    tenant_id    BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id TEXT NOT NULL,
    label        TEXT NOT NULL,
    description  TEXT,
    fingerprint  INTEGER NOT NULL,
    deleted_at   TEXT,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;

CREATE TABLE custom_tag_mappings (
    tenant_id     BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id  TEXT NOT NULL,
    tag_id        TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    resource_type INTEGER NOT NULL,
    fingerprint   INTEGER NOT NULL,
    deleted_at    TEXT,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;

CREATE TABLE leads (
    tenant_id         BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      TEXT NOT NULL,
    email             TEXT,
    first_name        TEXT,
    last_name         TEXT,
    company_name      TEXT,
    company_domain    TEXT NOT NULL,
    job_title         TEXT,
    phone             TEXT,
    website           TEXT,
    personalization   TEXT,
    custom_variables  TEXT NOT NULL,
    status            INTEGER NOT NULL,
    interest_status   INTEGER,
    campaign_id       TEXT,
    list_id           TEXT,
    open_count        INTEGER NOT NULL,
    reply_count       INTEGER NOT NULL,
    click_count       INTEGER NOT NULL,
    timestamp_created TEXT NOT NULL,
    timestamp_updated TEXT NOT NULL,
    last_contact_at   TEXT,
    last_open_at      TEXT,
    last_reply_at     TEXT,
    last_click_at     TEXT,
    interest_changed_at TEXT,
    fingerprint       INTEGER NOT NULL,
    deleted_at        TEXT,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;
CREATE INDEX leads_by_email ON leads (tenant_id, email);

CREATE TABLE messages (
    tenant_id         BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      TEXT NOT NULL,
    thread_id         TEXT NOT NULL,
    lead_id           TEXT,
    lead_email        TEXT,
    campaign_id       TEXT,
    mailbox           TEXT NOT NULL,
    direction         TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    ue_type           INTEGER,
    from_address      TEXT,
    to_addresses      TEXT NOT NULL,
    cc_addresses      TEXT,
    subject           TEXT NOT NULL,
    body_text         TEXT NOT NULL,
    body_html         TEXT,
    blocked_remote    INTEGER NOT NULL,
    step              TEXT,
    is_unread         INTEGER NOT NULL,
    is_auto_reply     INTEGER NOT NULL,
    interest_status   INTEGER,
    timestamp_created TEXT NOT NULL,
    message_id        TEXT NOT NULL,
    fingerprint       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, instantly_id)
) STRICT;
CREATE INDEX messages_by_thread ON messages (tenant_id, thread_id, timestamp_created);

-- One row per conversation, kept current as its messages arrive: the inbox reads only this.
CREATE TABLE threads (
    tenant_id       BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    thread_id       TEXT NOT NULL,
    lead_id         TEXT,
    lead_email      TEXT,
    campaign_id     TEXT,
    mailbox         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    message_count   INTEGER NOT NULL,
    unread_count    INTEGER NOT NULL,
    last_message_id TEXT NOT NULL,
    last_message_at TEXT NOT NULL,
    last_direction  TEXT NOT NULL,
    last_preview    TEXT NOT NULL,
    interest_status INTEGER,
    PRIMARY KEY (tenant_id, thread_id)
) STRICT;
CREATE INDEX threads_by_last_message ON threads (tenant_id, last_message_at);

-- Full-text search over subject, body and the lead's address, kept by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    subject, body_text, lead_email,
    content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, body_text, lead_email)
    VALUES (new.rowid, new.subject, new.body_text, new.lead_email);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, body_text, lead_email)
    VALUES ('delete', old.rowid, old.subject, old.body_text, old.lead_email);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, body_text, lead_email ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, body_text, lead_email)
    VALUES ('delete', old.rowid, old.subject, old.body_text, old.lead_email);
    INSERT INTO messages_fts (rowid, subject, body_text, lead_email)
    VALUES (new.rowid, new.subject, new.body_text, new.lead_email);
END;

CREATE VIRTUAL TABLE leads_fts USING fts5 (
    email, first_name, last_name, company_name,
    content = 'leads', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, email, first_name, last_name, company_name)
    VALUES (new.rowid, new.email, new.first_name, new.last_name, new.company_name);
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, email, first_name, last_name, company_name)
    VALUES ('delete', old.rowid, old.email, old.first_name, old.last_name, old.company_name);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF email, first_name, last_name, company_name ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, email, first_name, last_name, company_name)
    VALUES ('delete', old.rowid, old.email, old.first_name, old.last_name, old.company_name);
    INSERT INTO leads_fts (rowid, email, first_name, last_name, company_name)
    VALUES (new.rowid, new.email, new.first_name, new.last_name, new.company_name);
END;
