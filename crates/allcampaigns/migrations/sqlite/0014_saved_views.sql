-- Saved views (issue 12): a name and an inbox filter (the tab, the search and every filter of
-- `GET /api/v1/threads`, kept as those parameters' text in `filter`), private or shared.
--
-- A view shared with a client's team is that tenant's data (`saved_views`, tenant_id first).
-- A private view belongs to its person and may span every client they see, so it is keyed by
-- user (`personal_views`) and holds a filter only; its threads are read afterwards for the
-- tenants the person reaches then. The PostgreSQL migration explains the row-level security.
CREATE TABLE saved_views (
    tenant_id  BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    view_id    BLOB NOT NULL,
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,
    created_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, view_id),
    UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE personal_views (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    view_id    BLOB NOT NULL,
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, view_id),
    UNIQUE (user_id, name)
) STRICT;
