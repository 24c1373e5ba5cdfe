-- Personal access tokens expire and may be narrowed (security review finding 5): read-only,
-- or limited to one tenant. Tokens made before this migration get 90 days from now.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '+90 days');
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1));
-- Not named tenant_id: the token belongs to a person, not to a tenant.
ALTER TABLE api_tokens ADD COLUMN tenant_scope BLOB REFERENCES tenants (tenant_id) ON DELETE CASCADE;
CREATE INDEX api_tokens_by_expiry ON api_tokens (expires_at);
