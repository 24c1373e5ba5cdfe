-- Notes and call logs on a lead (issue 13): our own data, in tables no sync writes, keyed by
-- tenant first like the triage.
--
-- Keying. Lead work belongs to a person within a client: the tenant and the lead's address,
-- lower-cased, as the inbox knows a lead (`threads.lead_email`, `lead_addresses`, migration
-- 0015). There is no foreign key to `leads`: the lead may be one made here from a reply
-- (`own_leads`) or known only from its threads, and a lead Instantly deletes and lists again
-- keeps its notes. `author_id` is who wrote it (theirs to edit or delete; an admin may too),
-- kept as NULL when the person's account goes.

-- `lead_notes`: the markdown as written (`body`) and its sanitized rendering (`html`), made
-- once when written so a lead's timeline renders nothing per request. `shared` notes are
-- shown to the client's representatives; the others are internal. Listed newest first by
-- `lead_notes_by_lead`.
CREATE TABLE lead_notes (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    note_id    uuid NOT NULL,
    lead_email text NOT NULL,
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    body       text NOT NULL,
    html       text NOT NULL,
    shared     boolean NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, note_id)
);
CREATE INDEX lead_notes_by_lead ON lead_notes (tenant_id, lead_email, created_at, note_id);
ALTER TABLE lead_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_notes
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- `lead_calls`: a call made outside the product, logged by hand: when it happened (`at`, as
-- an instant), how long, its outcome, optional notes (markdown and their rendering), and for
-- a call back the time agreed. Listed by when the call happened, newest first.
CREATE TABLE lead_calls (
    tenant_id        uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    call_id          uuid NOT NULL,
    lead_email       text NOT NULL,
    author_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    at               timestamptz NOT NULL,
    duration_seconds bigint NOT NULL CHECK (duration_seconds BETWEEN 0 AND 86400),
    outcome          text NOT NULL CHECK (outcome IN ('connected', 'no_answer', 'voicemail',
                         'wrong_number', 'meeting_booked', 'not_interested', 'call_back')),
    notes            text,
    notes_html       text,
    call_back_at     timestamptz,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, call_id)
);
CREATE INDEX lead_calls_by_lead ON lead_calls (tenant_id, lead_email, at, call_id);
ALTER TABLE lead_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_calls FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_calls
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
