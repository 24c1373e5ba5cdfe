-- Core schema: people, tenants, access, audit, operational log, Instantly connections.
-- Every tenant table carries tenant_id, leading its primary key; unique and foreign keys include it.

CREATE TABLE users (
    id           BLOB PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    avatar_url   TEXT,
    theme        TEXT NOT NULL DEFAULT 'system' CHECK (theme IN ('light', 'dark', 'system')),
    locale       TEXT NOT NULL DEFAULT 'en',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE sign_in_tokens (
    token_hash BLOB PRIMARY KEY,
    email      TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sign_in_tokens_by_email ON sign_in_tokens (email, purpose);

CREATE TABLE user_audit_log (
    id         BLOB PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    BLOB,
    action     TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '{}',
    request_id TEXT
) STRICT;
CREATE INDEX user_audit_log_by_user ON user_audit_log (user_id, at);

CREATE TABLE request_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    ip          TEXT,
    user_agent  TEXT,
    method      TEXT NOT NULL,
    route       TEXT NOT NULL,
    status      INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX request_log_by_time ON request_log (at);

CREATE TABLE encryption_keys (
    key_id     INTEGER PRIMARY KEY,
    check_envelope BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE tenants (
    tenant_id     BLOB PRIMARY KEY,
    name          TEXT NOT NULL,
    client_name   TEXT,
    website       TEXT,
    accent_colour TEXT,
    logo_url      TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE memberships (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'client')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
) STRICT;
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE invitations (
    tenant_id   BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id          BLOB NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'client')),
    token_hash  BLOB NOT NULL,
    invited_by  BLOB,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    UNIQUE (tenant_id, email)
) STRICT;

CREATE TABLE audit_log (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id         BLOB NOT NULL,
    at         TEXT NOT NULL,
    actor_id   BLOB,
    action     TEXT NOT NULL,
    target     TEXT,
    details    TEXT NOT NULL DEFAULT '{}',
    request_id TEXT,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at);

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER user_audit_log_is_append_only_update BEFORE UPDATE ON user_audit_log
BEGIN SELECT RAISE(ABORT, 'user_audit_log is append-only'); END;

CREATE TABLE instantly_connections (
    tenant_id       BLOB PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    api_key         BLOB NOT NULL,
    key_id          INTEGER NOT NULL,
    key_last4       TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    workspace_id    TEXT,
    workspace_name  TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'connected', 'needs_attention')),
    status_detail   TEXT,
    last_checked_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX instantly_connections_by_key ON instantly_connections (key_id);
