-- Lead state (issue 13): our own data, which no sync writes (but for the history of Instantly's
-- interest status, recorded by a trigger below), tenant first like the rest of lead work and
-- keyed by the lead's lower-cased address.
--
-- `lead_settings`: per client, the currency deal values are in, the client's time zone and
-- business hours (minutes from midnight, `workdays` a bit per ISO weekday, Monday the lowest),
-- used by speed-to-reply and "send later", and whether replies and statuses are sent to
-- Instantly. A client without a row has the defaults (`leads::settings`).
CREATE TABLE lead_settings (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    time_zone        text NOT NULL,
    day_starts       bigint NOT NULL CHECK (day_starts BETWEEN 0 AND 1439),
    day_ends         bigint NOT NULL CHECK (day_ends BETWEEN 1 AND 1440 AND day_ends > day_starts),
    workdays         bigint NOT NULL CHECK (workdays BETWEEN 0 AND 127),
    instantly_writes boolean NOT NULL,
    updated_at       timestamptz NOT NULL
);
ALTER TABLE lead_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_settings
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- A client's own tags, with colours. Deleting one takes it off every lead; the history keeps
-- its name.
CREATE TABLE lead_tags (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    tag_id     uuid NOT NULL,
    name       text NOT NULL,
    colour     text NOT NULL CHECK (colour ~ '^#[0-9a-f]{6}$'),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, tag_id)
);
ALTER TABLE lead_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_tags
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- A lead's stage, value (in cents of the client's currency) and owner. A stage set by a person
-- or a rule of ours is kept here with its source and, for a rule, its reason; a lead without
-- one is at the stage of Instantly's interest status (`leads.interest_status`). That is the
-- conflict rule of docs/ARCHITECTURE.md: a person's choice wins over Instantly's later change.
CREATE TABLE lead_states (
    tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    lead_email   text NOT NULL,
    stage_id     uuid,
    stage_source text CHECK (stage_source IN ('person', 'rule')),
    stage_reason text,
    value_cents  bigint CHECK (value_cents >= 0),
    owner_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, lead_email),
    FOREIGN KEY (tenant_id, stage_id) REFERENCES pipeline_stages (tenant_id, stage_id)
);
CREATE INDEX lead_states_by_stage ON lead_states (tenant_id, stage_id);
CREATE INDEX lead_states_by_owner ON lead_states (tenant_id, owner_id);
ALTER TABLE lead_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_states
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

CREATE TABLE lead_tag_links (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    lead_email text NOT NULL,
    tag_id     uuid NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, lead_email, tag_id),
    FOREIGN KEY (tenant_id, tag_id) REFERENCES lead_tags (tenant_id, tag_id) ON DELETE CASCADE
);
CREATE INDEX lead_tag_links_by_tag ON lead_tag_links (tenant_id, tag_id, lead_email);
ALTER TABLE lead_tag_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_tag_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_tag_links
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- Every change of a lead's stage, value, owner or tags (who, when, from, to), and of Instantly's
-- interest status: the changes on the lead's timeline. Values are kept as written then: a
-- stage or owner by id (a stage is never deleted; an owner is named as they are now), a value
-- with its currency, a tag by name, a status by number.
CREATE TABLE lead_changes (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    change_id  uuid NOT NULL,
    lead_email text NOT NULL,
    actor_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    source     text NOT NULL CHECK (source IN ('person', 'rule', 'instantly')),
    field      text NOT NULL CHECK (field IN ('stage', 'value', 'owner', 'tag_added',
                   'tag_removed', 'instantly_status')),
    from_value text,
    to_value   text,
    reason     text,
    at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, change_id)
);
CREATE INDEX lead_changes_by_lead ON lead_changes (tenant_id, lead_email, at, change_id);
ALTER TABLE lead_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_changes
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- Instantly's interest status of a lead, as each sync finds it changed. Runs as the syncing
-- role in the tenant's scope, so row-level security holds for the row it writes.
CREATE FUNCTION app_record_interest_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO public.lead_changes (tenant_id, change_id, lead_email, actor_id, source, field,
                                     from_value, to_value, reason, at)
    VALUES (NEW.tenant_id, gen_random_uuid(), lower(NEW.email), NULL, 'instantly',
            'instantly_status', OLD.interest_status::text, NEW.interest_status::text, NULL,
            coalesce(NEW.interest_changed_at, now()));
    RETURN NULL;
END $$;
CREATE TRIGGER leads_interest_change AFTER UPDATE OF interest_status ON leads FOR EACH ROW
    WHEN (OLD.interest_status IS DISTINCT FROM NEW.interest_status AND NEW.email IS NOT NULL)
    EXECUTE FUNCTION app_record_interest_change();

-- A lead's rows and threads by its address in any case, as lead work keys it (lower-cased),
-- without walking the client's whole range.
CREATE INDEX leads_by_lower_email ON leads (tenant_id, lower(email));
CREATE INDEX threads_by_lower_lead_email ON threads (tenant_id, lower(lead_email));
