-- AUD-01: audit rows can be neither changed (0001) nor deleted. Deleting a tenant still removes
-- its audit rows: the cascade runs after the tenant row is gone, so the guard lets it through.
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
WHEN EXISTS (SELECT 1 FROM tenants WHERE tenant_id = OLD.tenant_id)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER user_audit_log_is_append_only_delete BEFORE DELETE ON user_audit_log
BEGIN SELECT RAISE(ABORT, 'user_audit_log is append-only'); END;
