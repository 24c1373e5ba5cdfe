-- A lead's latest record by address (the thread's lead panel, Instantly's status of a lead)
-- reads `email = ? ORDER BY timestamp_updated DESC LIMIT 1`. With the leads list's index of
-- 0026 (tenant, updated), SQLite would walk a client's leads in update order to find one
-- address; with the update time in the address indexes both reads are one seek.
DROP INDEX leads_by_email;
CREATE INDEX leads_by_email ON leads (tenant_id, email, timestamp_updated);
DROP INDEX leads_by_lower_email;
CREATE INDEX leads_by_lower_email ON leads (tenant_id, lower(email), timestamp_updated);
