-- Inbox pages that read one index range each (issue 12 benchmark, agency-L):
-- * a tab (primary, others) walked newest first without stepping over the other tab's threads
--   (83 % of threads are not primary: the first page read ~6 rows to keep one);
-- * a stage within a tab, the filter operators combine most;
-- * a person's other threads, newest first, without a sort (the thread view walked every thread
--   of the client by recency to find them);
-- * done and snoozed threads found from our own triage rows, never by walking every thread
--   (an empty Done tab cost a walk of all of a client's threads on each page).
-- `threads_by_last_message` is a prefix of `threads_by_recency`, so it only cost sync writes.
CREATE INDEX threads_by_tab ON threads (tenant_id, category, last_message_at, thread_id COLLATE "C");
CREATE INDEX threads_by_tab_stage
    ON threads (tenant_id, category, interest_status, last_message_at, thread_id COLLATE "C");
DROP INDEX threads_by_lead_email;
CREATE INDEX threads_by_lead_email ON threads (tenant_id, lead_email, last_message_at, thread_id COLLATE "C");
DROP INDEX threads_by_last_message;
CREATE INDEX thread_triage_done ON thread_triage (tenant_id, thread_id) WHERE done_at IS NOT NULL;
CREATE INDEX thread_triage_snoozed
    ON thread_triage (tenant_id, thread_id) WHERE snoozed_until IS NOT NULL;
