-- Saved views (issue 12): a name and an inbox filter (the tab, the search and every filter of
-- `GET /api/v1/threads`, kept as those parameters' text in `filter`), private or shared.
--
-- Keying. A view shared with a client's team is that tenant's data: `saved_views`, tenant_id
-- first, row-level security like every tenant table, gone with its tenant. `created_by` is who
-- made it (their own to rename or delete; a client admin may too).
--
-- A private view belongs to its person, not to a tenant: it may span every client they see
-- (no `tenant` in its filter) or name one. So it has no tenant_id and lives in
-- `personal_views`, keyed by user first, whose policy admits only the rows of the
-- transaction's person (`app.user_id`, which `Scope::User` sets, as `own_memberships` reads
-- it). A personal row holds a filter and no client data; its threads and count are read
-- afterwards in the scope of the tenants the person reaches at that moment, so a view that
-- names a client they have left shows nothing, and no statement ever widens a tenant scope.
CREATE TABLE saved_views (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    view_id    uuid NOT NULL,
    name       text NOT NULL,
    filter     jsonb NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, view_id),
    UNIQUE (tenant_id, name)
);
ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_views FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON saved_views
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

CREATE TABLE personal_views (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    view_id    uuid NOT NULL,
    name       text NOT NULL,
    filter     jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, view_id),
    UNIQUE (user_id, name)
);
ALTER TABLE personal_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE personal_views FORCE ROW LEVEL SECURITY;
CREATE POLICY own_views ON personal_views
    USING (user_id = (SELECT app_current_user()))
    WITH CHECK (user_id = (SELECT app_current_user()));
