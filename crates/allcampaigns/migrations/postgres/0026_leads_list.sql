-- The leads list (issue 13) reads each client's lead records the most recently updated first.
CREATE INDEX leads_by_update ON leads (tenant_id, timestamp_updated, instantly_id);
