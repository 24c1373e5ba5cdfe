-- Instantly's webhooks, received (issue 14). The PostgreSQL migration explains each.
CREATE TABLE inbound_hooks (
    tenant_id            BLOB PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    path_digest          BLOB NOT NULL UNIQUE,
    header_digest        BLOB NOT NULL,
    instantly_webhook_id TEXT,
    created_by           BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at           TEXT NOT NULL
) STRICT;

CREATE TABLE inbound_events (
    tenant_id   BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    event_id    BLOB NOT NULL,
    dedupe_key  TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    email_id    TEXT,
    lead_email  TEXT,
    occurred_at TEXT,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, event_id),
    UNIQUE (tenant_id, dedupe_key)
) STRICT;
CREATE INDEX inbound_events_by_time ON inbound_events (tenant_id, received_at, event_id);
