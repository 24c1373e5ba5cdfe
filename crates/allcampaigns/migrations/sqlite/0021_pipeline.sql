-- The pipeline of each client (issue 13): stages are archived, never deleted; the defaults
-- are seeded lazily, made safe under concurrency by the unique status index. The PostgreSQL
-- migration explains the table.
CREATE TABLE pipeline_stages (
    tenant_id        BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    stage_id         BLOB NOT NULL,
    name             TEXT NOT NULL,
    position         INTEGER NOT NULL,
    colour           TEXT NOT NULL CHECK (length(colour) = 7 AND colour GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    sentiment        TEXT NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    instantly_status INTEGER,
    archived_at      TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, stage_id)
) STRICT;
CREATE UNIQUE INDEX pipeline_stages_by_status ON pipeline_stages (tenant_id, instantly_status)
    WHERE instantly_status IS NOT NULL;
