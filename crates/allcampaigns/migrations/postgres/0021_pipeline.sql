-- The pipeline of each client (issue 13): the stages a lead moves through, our own data that
-- no sync writes, tenant first like the rest of lead work.
--
-- A stage is never deleted, only archived (`archived_at`): a lead's history names stages, and
-- a stage gone would leave it naming nothing. `position` orders the stages (ties by id; it is
-- not unique so a reorder renumbers without passing through a conflict). `instantly_status`
-- is the Instantly interest status the stage stands for (1 interested ... -4 no show), unique
-- per tenant where set: the defaults are seeded lazily on the first read by inserting them
-- with ON CONFLICT DO NOTHING, which this index makes safe when two first reads race.
CREATE TABLE pipeline_stages (
    tenant_id        uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    stage_id         uuid NOT NULL,
    name             text NOT NULL,
    position         bigint NOT NULL,
    colour           text NOT NULL CHECK (colour ~ '^#[0-9a-f]{6}$'),
    sentiment        text NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    instantly_status bigint,
    archived_at      timestamptz,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, stage_id)
);
CREATE UNIQUE INDEX pipeline_stages_by_status ON pipeline_stages (tenant_id, instantly_status)
    WHERE instantly_status IS NOT NULL;
ALTER TABLE pipeline_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE pipeline_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pipeline_stages
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
