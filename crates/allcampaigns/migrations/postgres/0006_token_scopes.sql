-- Personal access tokens expire and may be narrowed (security review finding 5): read-only,
-- or limited to one tenant. Tokens made before this migration get 90 days from now.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE api_tokens ADD COLUMN read_only boolean NOT NULL DEFAULT false;
-- Not named tenant_id: the token belongs to a person, not to a tenant, so it has no
-- row-level policy; the reference only removes tokens of a deleted tenant.
ALTER TABLE api_tokens ADD COLUMN tenant_scope uuid REFERENCES tenants (tenant_id) ON DELETE CASCADE;
CREATE INDEX api_tokens_by_expiry ON api_tokens (expires_at);
