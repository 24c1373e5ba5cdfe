-- Replies sent through Instantly (issue 13): the outbox, our own data that no sync writes,
-- tenant first like the rest of lead work.
--
-- Never twice. A reply is a row before it is a request: `scheduled` while its undo window (or
-- its `send_at`) runs, `sending` once a job claimed it (written BEFORE the call to Instantly),
-- then `sent` (Instantly answered with the email, `instantly_email_id`), `not_confirmed` (the
-- answer never came or was a 5xx after the request may have reached Instantly: a person checks
-- before resending, and a later sync that stores the sent message confirms it) or `failed`
-- (Instantly certainly did not take it). `cancelled` is an undo before it left. Nothing moves a
-- row back to `scheduled` once it was `sending` except a 429, which Instantly answers before
-- acting. `lead_email` is the lead's address, lower-cased (the lead timeline reads the outbox by
-- it); `eaccount` is our mailbox the lead wrote to and `reply_to_uuid` the Instantly email
-- answered, with its time (`reply_to_at`, Instantly's clock, which sync confirmation compares
-- with Instantly's clock only). `error` is plain words, never a secret.
CREATE TABLE reply_outbox (
    tenant_id          uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    reply_id           uuid NOT NULL,
    thread_id          text NOT NULL,
    lead_email         text NOT NULL,
    author_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    eaccount           text NOT NULL,
    reply_to_uuid      text NOT NULL,
    reply_to_at        timestamptz NOT NULL,
    subject            text NOT NULL,
    body               text NOT NULL,
    html               text NOT NULL,
    send_at            timestamptz NOT NULL,
    state              text NOT NULL CHECK (state IN ('scheduled', 'cancelled', 'sending',
                           'sent', 'not_confirmed', 'failed')),
    error              text,
    instantly_email_id text,
    confirmed_by_sync  boolean NOT NULL DEFAULT false,
    attempted_at       timestamptz,
    sent_at            timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, reply_id)
);
CREATE INDEX reply_outbox_by_thread ON reply_outbox (tenant_id, thread_id, created_at);
CREATE INDEX reply_outbox_by_lead ON reply_outbox (tenant_id, lead_email, created_at);
CREATE INDEX reply_outbox_by_state ON reply_outbox (tenant_id, state, created_at);
-- One outbox row per Instantly email: sync confirmation never gives one message to two rows.
CREATE UNIQUE INDEX reply_outbox_by_email ON reply_outbox (tenant_id, instantly_email_id)
    WHERE instantly_email_id IS NOT NULL;
ALTER TABLE reply_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE reply_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reply_outbox
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- A signature per mailbox of ours (its address, lower-cased), appended to every reply sent
-- from it when the reply leaves: the markdown as written and its rendering, as notes keep them.
CREATE TABLE mailbox_signatures (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    mailbox    text NOT NULL,
    body       text NOT NULL,
    html       text NOT NULL,
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mailbox)
);
ALTER TABLE mailbox_signatures ENABLE ROW LEVEL SECURITY;
ALTER TABLE mailbox_signatures FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mailbox_signatures
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
