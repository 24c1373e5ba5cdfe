-- Replies from someone other than the lead (issue 12): a colleague or a referral answers in
-- the lead's thread. Such a reply is marked in the thread until a person attaches its address
-- to the lead or makes a lead of its own of it. Both are our own data, in tables no sync ever
-- writes, keyed by tenant first like the triage.
--
-- `lead_addresses`: another address of a lead in this client. A lead is known by its address
-- (`threads.lead_email`, lower-cased), as the lead's other threads are, so an attachment holds
-- in every thread of that lead. `thread_id` is where it was attached (a record, not a key).
CREATE TABLE lead_addresses (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    lead_email text NOT NULL,
    address    text NOT NULL,
    thread_id  text NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, lead_email, address)
);
ALTER TABLE lead_addresses ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_addresses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lead_addresses
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- `own_leads`: a lead made here from such a reply, one per address (lower-cased), named from
-- the reply's From header when it had a name. Apart from the synced `leads`, which sync
-- upserts and marks deleted by Instantly's ids: a lead Instantly later lists with the same
-- address sits beside this row and neither changes the other.
CREATE TABLE own_leads (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    email      text NOT NULL,
    name       text,
    thread_id  text NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, email)
);
ALTER TABLE own_leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE own_leads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON own_leads
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- The display name of a message's From header (Instantly's `from_address_json`), kept by
-- sync from now on; messages synced before stay without one until Instantly changes them.
ALTER TABLE messages ADD COLUMN from_name text;
