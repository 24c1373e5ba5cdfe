-- Core schema: people, tenants, access, audit, operational log, Instantly connections.
-- Every tenant table carries tenant_id, leading its primary key; unique and foreign keys include
-- it. Tenant tables have row-level security, enabled and forced, with USING and WITH CHECK.
-- The app role (granted by `allcampaigns migrate`) owns nothing and cannot bypass it.

-- The tenants this transaction may see: `set_config('app.tenant_ids', '<uuid>,<uuid>', true)`.
-- Missing or empty sees nothing; a malformed value is an error.
CREATE FUNCTION app_allowed_tenants() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT string_to_array(NULLIF(current_setting('app.tenant_ids', true), ''), ',')::uuid[] $$;

-- The signed-in user of this transaction, for finding their own memberships.
CREATE FUNCTION app_current_user() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE TABLE users (
    id           uuid PRIMARY KEY,
    email        text NOT NULL UNIQUE,
    display_name text NOT NULL DEFAULT '',
    avatar_url   text,
    theme        text NOT NULL DEFAULT 'system' CHECK (theme IN ('light', 'dark', 'system')),
    locale       text NOT NULL DEFAULT 'en',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE sign_in_tokens (
    token_hash bytea PRIMARY KEY,
    email      text NOT NULL,
    purpose    text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sign_in_tokens_by_email ON sign_in_tokens (email, purpose);

CREATE TABLE user_audit_log (
    id         uuid PRIMARY KEY,
    at         timestamptz NOT NULL,
    user_id    uuid,
    action     text NOT NULL,
    details    jsonb NOT NULL DEFAULT '{}',
    request_id text
);
CREATE INDEX user_audit_log_by_user ON user_audit_log (user_id, at);

CREATE TABLE request_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    ip          text,
    user_agent  text,
    method      text NOT NULL,
    route       text NOT NULL,
    status      integer NOT NULL,
    duration_ms integer NOT NULL
);
CREATE INDEX request_log_by_time ON request_log (at);

CREATE TABLE encryption_keys (
    key_id         bigint PRIMARY KEY,
    check_envelope bytea NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE TABLE tenants (
    tenant_id     uuid PRIMARY KEY,
    name          text NOT NULL,
    client_name   text,
    website       text,
    accent_colour text,
    logo_url      text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE memberships (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'client')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

CREATE TABLE invitations (
    tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id          uuid NOT NULL,
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'client')),
    token_hash  bytea NOT NULL,
    invited_by  uuid,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    UNIQUE (tenant_id, email)
);

CREATE TABLE audit_log (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    id         uuid NOT NULL,
    at         timestamptz NOT NULL,
    actor_id   uuid,
    action     text NOT NULL,
    target     text,
    details    jsonb NOT NULL DEFAULT '{}',
    request_id text,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at);

CREATE TABLE instantly_connections (
    tenant_id       uuid PRIMARY KEY REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    api_key         bytea NOT NULL,
    key_id          bigint NOT NULL,
    key_last4       text NOT NULL,
    base_url        text NOT NULL,
    workspace_id    text,
    workspace_name  text,
    status          text NOT NULL CHECK (status IN ('pending', 'connected', 'needs_attention')),
    status_detail   text,
    last_checked_at timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX instantly_connections_by_key ON instantly_connections (key_id);

-- Row-level security: the second guard behind the tenant filter every query carries.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
-- A signed-in user may read their own memberships, to learn which tenants to open.
CREATE POLICY own_memberships ON memberships FOR SELECT
    USING (user_id = (SELECT app_current_user()));

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

ALTER TABLE instantly_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE instantly_connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON instantly_connections
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- Background work (key rotation, sync scheduling) must visit every tenant in turn. This lists
-- ids only, never tenant data; it is the one SECURITY DEFINER function, with a pinned path.
CREATE FUNCTION app_tenant_directory() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT tenant_id FROM public.tenants ORDER BY tenant_id $$;
