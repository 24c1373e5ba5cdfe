-- AUD-01 on PostgreSQL needs no schema change: `allcampaigns migrate` revokes UPDATE, DELETE and
-- TRUNCATE on the audit tables from the app role (store/postgres/roles.rs). This file keeps the
-- numbering aligned with the SQLite twin, which adds DELETE triggers.
SELECT 1;
