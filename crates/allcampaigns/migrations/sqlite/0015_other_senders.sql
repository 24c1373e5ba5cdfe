-- Replies from someone other than the lead (issue 12): another address attached to a lead
-- (`lead_addresses`, the lead known by its lower-cased address) and leads made here from
-- such a reply (`own_leads`), our own data that no sync writes; and the From header's display
-- name of each message, kept by sync. The PostgreSQL migration explains each table.
CREATE TABLE lead_addresses (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    lead_email TEXT NOT NULL,
    address    TEXT NOT NULL,
    thread_id  TEXT NOT NULL,
    created_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, lead_email, address)
) STRICT;

CREATE TABLE own_leads (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    name       TEXT,
    thread_id  TEXT NOT NULL,
    created_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, email)
) STRICT;

ALTER TABLE messages ADD COLUMN from_name TEXT;
