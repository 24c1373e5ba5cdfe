-- Search reads one document per thread, numbered in the inbox's own order, so the newest
-- matches of a word come first out of the full-text index and a page stops reading after
-- them (issue 12: a word in a million messages answers as fast as a rare one).
--
-- A thread's document holds the subject, the lead's address and the body of each of its
-- messages, and its lead's address, name and company; a search finds the threads that hold
-- every word somewhere in them. Its `tenant` column holds one token naming the client
-- (`t` and the id in hex), which every search names too, so one client's matches never cost
-- a walk through another's.
--
-- `threads.search_key` is the document's rowid: the second of `last_message_at` times 2^31,
-- plus a number unique within that second. FTS5 returns rowids in order, so `ORDER BY rowid
-- DESC` is newest first; the exact order within one second is the list's own. Sync assigns
-- the key and rewrites the document when it refreshes a thread (`store/shared/sync.rs`); the
-- triggers below follow changes of a lead and the removal of a thread.
--
-- The message and lead indexes this replaces found a message or a lead and then its threads:
-- no order, so a common word read all of its matches (seconds on agency-L).
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_fts;
DROP TRIGGER leads_fts_insert;
DROP TRIGGER leads_fts_delete;
DROP TRIGGER leads_fts_update;
DROP TABLE leads_fts;

CREATE VIRTUAL TABLE thread_search USING fts5 (
    tenant, words,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

ALTER TABLE threads ADD COLUMN search_key INTEGER;
CREATE UNIQUE INDEX threads_by_search_key ON threads (search_key);

-- What a thread's document says, written once for sync, the triggers and this migration.
CREATE VIEW thread_search_docs AS
SELECT t.tenant_id, t.thread_id, t.lead_email, t.search_key,
       't' || hex(t.tenant_id) AS tenant,
       coalesce((SELECT group_concat(m.subject || ' ' || coalesce(m.lead_email, '') || ' '
                     || m.body_text, ' ')
                 FROM messages m
                 WHERE m.tenant_id = t.tenant_id AND m.thread_id = t.thread_id), '')
       || ' ' ||
       coalesce((SELECT group_concat(l.email || ' ' || coalesce(l.first_name, '') || ' '
                     || coalesce(l.last_name, '') || ' ' || coalesce(l.company_name, ''), ' ')
                 FROM leads l
                 WHERE l.tenant_id = t.tenant_id AND l.email = t.lead_email
                   AND l.deleted_at IS NULL), '') AS words
FROM threads t;

UPDATE threads SET search_key = k.key
FROM (SELECT rowid AS id,
             coalesce(unixepoch(last_message_at), 0) * 2147483648
                 + ROW_NUMBER() OVER (PARTITION BY coalesce(unixepoch(last_message_at), 0)
                                      ORDER BY rowid) - 1 AS key
      FROM threads) k
WHERE threads.rowid = k.id;

INSERT INTO thread_search (rowid, tenant, words)
SELECT search_key, tenant, words FROM thread_search_docs;

CREATE TRIGGER threads_search_delete AFTER DELETE ON threads WHEN old.search_key IS NOT NULL
BEGIN
    DELETE FROM thread_search WHERE rowid = old.search_key;
END;

-- A lead's fields are part of the documents of its threads (the keys stay).
CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN
    DELETE FROM thread_search WHERE rowid IN (SELECT search_key FROM threads
        WHERE tenant_id = new.tenant_id AND lead_email = new.email AND search_key IS NOT NULL);
    INSERT INTO thread_search (rowid, tenant, words)
    SELECT search_key, tenant, words FROM thread_search_docs
    WHERE tenant_id = new.tenant_id AND lead_email = new.email AND search_key IS NOT NULL;
END;
CREATE TRIGGER leads_search_update
AFTER UPDATE OF email, first_name, last_name, company_name, deleted_at ON leads BEGIN
    DELETE FROM thread_search WHERE rowid IN (SELECT search_key FROM threads
        WHERE tenant_id = new.tenant_id AND lead_email IN (old.email, new.email)
          AND search_key IS NOT NULL);
    INSERT INTO thread_search (rowid, tenant, words)
    SELECT search_key, tenant, words FROM thread_search_docs
    WHERE tenant_id = new.tenant_id AND lead_email IN (old.email, new.email)
      AND search_key IS NOT NULL;
END;
CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
    DELETE FROM thread_search WHERE rowid IN (SELECT search_key FROM threads
        WHERE tenant_id = old.tenant_id AND lead_email = old.email AND search_key IS NOT NULL);
    INSERT INTO thread_search (rowid, tenant, words)
    SELECT search_key, tenant, words FROM thread_search_docs
    WHERE tenant_id = old.tenant_id AND lead_email = old.email AND search_key IS NOT NULL;
END;
