-- Notes and call logs on a lead (issue 13): our own data, which no sync writes. A lead is
-- known by its tenant and its address, lower-cased, as the inbox knows it (migration 0015):
-- there is no foreign key to `leads`, since a lead may be one made here (`own_leads`) or known
-- only from its threads. The PostgreSQL migration explains each table.
CREATE TABLE lead_notes (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    note_id    BLOB NOT NULL,
    lead_email TEXT NOT NULL,
    author_id  BLOB REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT NOT NULL,
    html       TEXT NOT NULL,
    shared     INTEGER NOT NULL CHECK (shared IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, note_id)
) STRICT;
CREATE INDEX lead_notes_by_lead ON lead_notes (tenant_id, lead_email, created_at, note_id);

CREATE TABLE lead_calls (
    tenant_id        BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    call_id          BLOB NOT NULL,
    lead_email       TEXT NOT NULL,
    author_id        BLOB REFERENCES users (id) ON DELETE SET NULL,
    at               TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL CHECK (duration_seconds BETWEEN 0 AND 86400),
    outcome          TEXT NOT NULL CHECK (outcome IN ('connected', 'no_answer', 'voicemail',
                         'wrong_number', 'meeting_booked', 'not_interested', 'call_back')),
    notes            TEXT,
    notes_html       TEXT,
    call_back_at     TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, call_id)
) STRICT;
CREATE INDEX lead_calls_by_lead ON lead_calls (tenant_id, lead_email, at, call_id);
