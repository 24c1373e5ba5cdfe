-- The leads list's "replied" filter (issue 13): replied leads are a few in each client's
-- thousands, so walking the list's index (0026) in update order read many records to find a
-- page of them; this index holds only them, in the same order, and the list's statement
-- carries both its conditions.
CREATE INDEX leads_replied_by_update ON leads (tenant_id, timestamp_updated, instantly_id)
    WHERE reply_count > 0 AND deleted_at IS NULL;
