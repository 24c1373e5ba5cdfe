-- Install admins: the people who may create tenants and grant this permission to others.
-- Not tenant data. The first owner (the setup link) is one; on an install that predates this
-- table, the owners of the earliest-created tenant become install admins, so nobody who ran the
-- install is locked out while people who only made their own tenants later are not promoted.
CREATE TABLE install_admins (
    user_id    BLOB PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    granted_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    granted_at TEXT NOT NULL
) STRICT;

INSERT INTO install_admins (user_id, granted_by, granted_at)
SELECT m.user_id, NULL, m.created_at
FROM memberships m
WHERE m.role = 'owner'
  AND m.tenant_id = (SELECT tenant_id FROM tenants ORDER BY created_at, tenant_id LIMIT 1);
