-- Lead state (issue 13): a client's settings for lead work, its tag list, each lead's stage,
-- deal value, owner and tags, and the history of every change to them. Our own data, keyed like
-- the rest of lead work by tenant and lower-cased address; the PostgreSQL migration explains
-- each table.
CREATE TABLE lead_settings (
    tenant_id        BLOB PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    time_zone        TEXT NOT NULL,
    day_starts       INTEGER NOT NULL CHECK (day_starts BETWEEN 0 AND 1439),
    day_ends         INTEGER NOT NULL CHECK (day_ends BETWEEN 1 AND 1440 AND day_ends > day_starts),
    workdays         INTEGER NOT NULL CHECK (workdays BETWEEN 0 AND 127),
    instantly_writes INTEGER NOT NULL CHECK (instantly_writes IN (0, 1)),
    updated_at       TEXT NOT NULL
) STRICT;

CREATE TABLE lead_tags (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    tag_id     BLOB NOT NULL,
    name       TEXT NOT NULL,
    colour     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, tag_id)
) STRICT;

CREATE TABLE lead_states (
    tenant_id    BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    lead_email   TEXT NOT NULL,
    stage_id     BLOB,
    stage_source TEXT CHECK (stage_source IN ('person', 'rule')),
    stage_reason TEXT,
    value_cents  INTEGER CHECK (value_cents >= 0),
    owner_id     BLOB REFERENCES users (id) ON DELETE SET NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, lead_email),
    FOREIGN KEY (tenant_id, stage_id) REFERENCES pipeline_stages (tenant_id, stage_id)
) STRICT;
CREATE INDEX lead_states_by_stage ON lead_states (tenant_id, stage_id);
CREATE INDEX lead_states_by_owner ON lead_states (tenant_id, owner_id);

CREATE TABLE lead_tag_links (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    lead_email TEXT NOT NULL,
    tag_id     BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, lead_email, tag_id),
    FOREIGN KEY (tenant_id, tag_id) REFERENCES lead_tags (tenant_id, tag_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX lead_tag_links_by_tag ON lead_tag_links (tenant_id, tag_id, lead_email);

CREATE TABLE lead_changes (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    change_id  BLOB NOT NULL,
    lead_email TEXT NOT NULL,
    actor_id   BLOB REFERENCES users (id) ON DELETE SET NULL,
    source     TEXT NOT NULL CHECK (source IN ('person', 'rule', 'instantly')),
    field      TEXT NOT NULL CHECK (field IN ('stage', 'value', 'owner', 'tag_added',
                   'tag_removed', 'instantly_status')),
    from_value TEXT,
    to_value   TEXT,
    reason     TEXT,
    at         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, change_id)
) STRICT;
CREATE INDEX lead_changes_by_lead ON lead_changes (tenant_id, lead_email, at, change_id);

-- Instantly's interest status of a lead, as each sync finds it changed. The time is in the
-- encoding the application writes (`+00:00`, not the sync tables' `Z`) so it sorts with ours.
CREATE TRIGGER leads_interest_change AFTER UPDATE OF interest_status ON leads
WHEN OLD.interest_status IS NOT NEW.interest_status AND NEW.email IS NOT NULL
BEGIN
    INSERT INTO lead_changes (tenant_id, change_id, lead_email, actor_id, source, field,
                              from_value, to_value, reason, at)
    VALUES (NEW.tenant_id, randomblob(16), lower(NEW.email), NULL, 'instantly',
            'instantly_status', CAST(OLD.interest_status AS TEXT),
            CAST(NEW.interest_status AS TEXT), NULL,
            coalesce(replace(NEW.interest_changed_at, 'Z', '+00:00'),
                     strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')));
END;

-- A lead's rows and threads by its address in any case, as lead work keys it (lower-cased),
-- without walking the client's whole range.
CREATE INDEX leads_by_lower_email ON leads (tenant_id, lower(email));
CREATE INDEX threads_by_lower_lead_email ON threads (tenant_id, lower(lead_email));
