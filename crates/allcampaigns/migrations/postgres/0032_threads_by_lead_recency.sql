-- A lead's threads, latest first (the lead page, its rules' latest replies, issue 13). With the
-- index of 0023 on the address alone, SQLite without statistics read the client's threads in
-- recency order to find the lead's (6.6 ms on agency-L): an index that holds the order too is
-- the one plan for both statements. It replaces 0023's, which it begins with.
CREATE INDEX threads_by_lead_recency ON threads (tenant_id, lower(lead_email), last_message_at, thread_id);
DROP INDEX threads_by_lower_lead_email;
