-- Install admins: the people who may create tenants and grant this permission to others.
-- Not tenant data (no tenant_id, no row-level security). The first owner (the setup link) is
-- one; on an install that predates this table, the owners of the earliest-created tenant become
-- install admins, so nobody who ran the install is locked out while people who only made their
-- own tenants later are not promoted.
CREATE TABLE install_admins (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    granted_at timestamptz NOT NULL
);

-- The owner role migrating is itself bound by FORCE ROW LEVEL SECURITY and has no tenant
-- context, so the backfill lifts FORCE for its own reads and puts it straight back (all inside
-- this migration's transaction).
ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;

INSERT INTO install_admins (user_id, granted_by, granted_at)
SELECT m.user_id, NULL, m.created_at
FROM memberships m
WHERE m.role = 'owner'
  AND m.tenant_id = (SELECT tenant_id FROM tenants ORDER BY created_at, tenant_id LIMIT 1);

ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
