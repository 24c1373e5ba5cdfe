-- The local copy of each tenant's Instantly workspace, its sync checkpoints and the job queue.
-- Instantly objects are keyed by (tenant_id, instantly_id). `fingerprint` is a hash of the
-- source record, so an unchanged record is never rewritten. Timestamps from Instantly are kept
-- as timestamptz; days as date.

CREATE TABLE jobs (
    tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    kind         text NOT NULL,
    run_at       timestamptz NOT NULL,
    locked_by    text,
    locked_until timestamptz,
    attempts     bigint NOT NULL DEFAULT 0,
    last_error   text,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);
CREATE INDEX jobs_due ON jobs (run_at);

CREATE TABLE sync_streams (
    tenant_id       uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    stream          text NOT NULL,
    cursor          text,
    watermark       timestamptz,
    backfilled      boolean NOT NULL DEFAULT false,
    done            bigint NOT NULL DEFAULT 0,
    estimated_total bigint,
    last_success_at timestamptz,
    last_error      text,
    last_error_at   timestamptz,
    reconciled_at   timestamptz,
    next_run_at     timestamptz,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, stream)
);

CREATE TABLE suppressions (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    email_hash bytea NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, email_hash)
);

CREATE TABLE campaigns (
    tenant_id         uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      text NOT NULL,
    name              text NOT NULL,
    status            bigint NOT NULL,
    daily_limit       double precision,
    schedule          text NOT NULL,
    mailboxes         text NOT NULL,
    timestamp_created timestamptz NOT NULL,
    timestamp_updated timestamptz NOT NULL,
    fingerprint       bigint NOT NULL,
    deleted_at        timestamptz,
    PRIMARY KEY (tenant_id, instantly_id)
);

CREATE TABLE campaign_steps (
    tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id text NOT NULL,
    step        bigint NOT NULL,
    variant     bigint NOT NULL,
    kind        text NOT NULL,
    delay       double precision NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    disabled    boolean NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, step, variant),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, instantly_id) ON DELETE CASCADE
);

CREATE TABLE campaign_totals (
    tenant_id          uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id        text NOT NULL,
    leads              bigint NOT NULL,
    contacted          bigint NOT NULL,
    sent               bigint NOT NULL,
    opened_unique      bigint NOT NULL,
    replied_unique     bigint NOT NULL,
    clicked_unique     bigint NOT NULL,
    bounced            bigint NOT NULL,
    unsubscribed       bigint NOT NULL,
    completed          bigint NOT NULL,
    opportunities      bigint NOT NULL,
    opportunity_value  double precision NOT NULL,
    fingerprint        bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id)
);

CREATE TABLE campaign_daily (
    tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id    text NOT NULL,
    day            date NOT NULL,
    sent           bigint NOT NULL,
    contacted      bigint NOT NULL,
    opened         bigint NOT NULL,
    opened_unique  bigint NOT NULL,
    replied        bigint NOT NULL,
    replied_unique bigint NOT NULL,
    clicked        bigint NOT NULL,
    clicked_unique bigint NOT NULL,
    opportunities  bigint NOT NULL,
    fingerprint    bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, day)
);

CREATE TABLE campaign_step_totals (
    tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    campaign_id    text NOT NULL,
    step           text NOT NULL,
    variant        text NOT NULL,
    sent           bigint NOT NULL,
    opened_unique  bigint NOT NULL,
    replied_unique bigint NOT NULL,
    clicked_unique bigint NOT NULL,
    opportunities  bigint NOT NULL,
    fingerprint    bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, step, variant)
);

-- Pre-summed across campaigns, so the dashboard reads one row per day.
CREATE TABLE tenant_daily (
    tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    day            date NOT NULL,
    sent           bigint NOT NULL,
    contacted      bigint NOT NULL,
    opened_unique  bigint NOT NULL,
    replied_unique bigint NOT NULL,
    clicked_unique bigint NOT NULL,
    opportunities  bigint NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

CREATE TABLE mailboxes (
    tenant_id         uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      text NOT NULL,
    first_name        text NOT NULL,
    last_name         text NOT NULL,
    status            bigint,
    warmup_status     bigint NOT NULL,
    warmup_score      double precision,
    daily_limit       double precision,
    provider_code     bigint NOT NULL,
    timestamp_created timestamptz NOT NULL,
    fingerprint       bigint NOT NULL,
    deleted_at        timestamptz,
    PRIMARY KEY (tenant_id, instantly_id)
);

CREATE TABLE mailbox_daily (
    tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    mailbox        text NOT NULL,
    day            date NOT NULL,
    sent           bigint NOT NULL,
    bounced        bigint NOT NULL,
    contacted      bigint NOT NULL,
    opened_unique  bigint NOT NULL,
    replied_unique bigint NOT NULL,
    clicked_unique bigint NOT NULL,
    fingerprint    bigint NOT NULL,
    PRIMARY KEY (tenant_id, mailbox, day)
);

CREATE TABLE warmup_daily (
    tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    mailbox      text NOT NULL,
    day          date NOT NULL,
    sent         bigint NOT NULL,
    received     bigint NOT NULL,
    landed_inbox bigint NOT NULL,
    landed_spam  bigint NOT NULL,
    fingerprint  bigint NOT NULL,
    PRIMARY KEY (tenant_id, mailbox, day)
);

CREATE TABLE lead_lists (
    tenant_id         uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      text NOT NULL,
    name              text NOT NULL,
    timestamp_created timestamptz NOT NULL,
    fingerprint       bigint NOT NULL,
    deleted_at        timestamptz,
    PRIMARY KEY (tenant_id, instantly_id)
);

CREATE TABLE lead_labels (
    tenant_id       uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id    text NOT NULL,
    label           text NOT NULL,
    interest_status bigint NOT NULL,
    interest_label  text NOT NULL,
    description     text,
    fingerprint     bigint NOT NULL,
    deleted_at      timestamptz,
    PRIMARY KEY (tenant_id, instantly_id)
);

CREATE TABLE custom_tags (
    tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id text NOT NULL,
    label        text NOT NULL,
    description  text,
    fingerprint  bigint NOT NULL,
    deleted_at   timestamptz,
    PRIMARY KEY (tenant_id, instantly_id)
);

CREATE TABLE custom_tag_mappings (
    tenant_id     uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id  text NOT NULL,
    tag_id        text NOT NULL,
    resource_id   text NOT NULL,
    resource_type bigint NOT NULL,
    fingerprint   bigint NOT NULL,
    deleted_at    timestamptz,
    PRIMARY KEY (tenant_id, instantly_id)
);

CREATE TABLE leads (
    tenant_id         uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      text NOT NULL,
    email             text,
    first_name        text,
    last_name         text,
    company_name      text,
    company_domain    text NOT NULL,
    job_title         text,
    phone             text,
    website           text,
    personalization   text,
    custom_variables  text NOT NULL,
    status            bigint NOT NULL,
    interest_status   bigint,
    campaign_id       text,
    list_id           text,
    open_count        bigint NOT NULL,
    reply_count       bigint NOT NULL,
    click_count       bigint NOT NULL,
    timestamp_created timestamptz NOT NULL,
    timestamp_updated timestamptz NOT NULL,
    last_contact_at   timestamptz,
    last_open_at      timestamptz,
    last_reply_at     timestamptz,
    last_click_at     timestamptz,
    interest_changed_at timestamptz,
    fingerprint       bigint NOT NULL,
    deleted_at        timestamptz,
    PRIMARY KEY (tenant_id, instantly_id)
);
CREATE INDEX leads_by_email ON leads (tenant_id, email);

CREATE TABLE messages (
    tenant_id         uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    instantly_id      text NOT NULL,
    thread_id         text NOT NULL,
    lead_id           text,
    lead_email        text,
    campaign_id       text,
    mailbox           text NOT NULL,
    direction         text NOT NULL CHECK (direction IN ('sent', 'received')),
    ue_type           bigint,
    from_address      text,
    to_addresses      text NOT NULL,
    cc_addresses      text,
    subject           text NOT NULL,
    body_text         text NOT NULL,
    body_html         text,
    blocked_remote    boolean NOT NULL,
    step              text,
    is_unread         boolean NOT NULL,
    is_auto_reply     boolean NOT NULL,
    interest_status   bigint,
    timestamp_created timestamptz NOT NULL,
    message_id        text NOT NULL,
    fingerprint       bigint NOT NULL,
    PRIMARY KEY (tenant_id, instantly_id)
);
CREATE INDEX messages_by_thread ON messages (tenant_id, thread_id, timestamp_created);

-- One row per conversation, kept current as its messages arrive: the inbox reads only this.
CREATE TABLE threads (
    tenant_id       uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    thread_id       text NOT NULL,
    lead_id         text,
    lead_email      text,
    campaign_id     text,
    mailbox         text NOT NULL,
    subject         text NOT NULL,
    message_count   bigint NOT NULL,
    unread_count    bigint NOT NULL,
    last_message_id text NOT NULL,
    last_message_at timestamptz NOT NULL,
    last_direction  text NOT NULL,
    last_preview    text NOT NULL,
    interest_status bigint,
    PRIMARY KEY (tenant_id, thread_id)
);
CREATE INDEX threads_by_last_message ON threads (tenant_id, last_message_at);

-- Full-text search over subject, body and the lead's address; over the lead's name, address
-- and company. The 'simple' configuration: mail arrives in every language.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(subject, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(lead_email, '')), 'A') ||
    setweight(to_tsvector('simple', body_text), 'B')
) STORED;
CREATE INDEX messages_search ON messages USING gin (search);

ALTER TABLE leads ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(email, '') || ' ' || coalesce(first_name, '') || ' ' ||
        coalesce(last_name, '') || ' ' || coalesce(company_name, ''))
) STORED;
CREATE INDEX leads_search ON leads USING gin (search);

-- Row-level security on every table above, as on the core tables.
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE sync_streams ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_streams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_streams
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE suppressions ENABLE ROW LEVEL SECURITY;
ALTER TABLE suppressions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON suppressions
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaigns
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE campaign_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_steps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_steps
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE campaign_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_totals
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE campaign_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_daily
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE campaign_step_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_step_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_step_totals
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE tenant_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_daily
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE mailboxes ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailboxes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mailboxes
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE mailbox_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailbox_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mailbox_daily
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE warmup_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE warmup_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON warmup_daily
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE lead_lists ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_lists FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_lists
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE lead_labels ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_labels FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_labels
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE custom_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON custom_tags
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE custom_tag_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_tag_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON custom_tag_mappings
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE leads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON leads
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messages
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
ALTER TABLE threads ENABLE ROW LEVEL SECURITY;
ALTER TABLE threads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON threads
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
