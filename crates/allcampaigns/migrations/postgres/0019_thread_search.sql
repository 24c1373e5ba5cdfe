-- Search reads one document per thread (issue 12): the subject, the lead's address and the
-- body of each of its messages, and its lead's address, name and company. A search finds the
-- threads that hold every word somewhere in them, as on SQLite (migration 0019 there).
--
-- One document per thread, not per message and per lead: a page looks a thread up once by its
-- key (many matches) or reads the few matching threads straight from the index, instead of
-- going through a message or a lead to find the thread. The GIN index holds the tenant beside
-- the words (`btree_gin`, a trusted extension the owner may create like `unaccent`), so one
-- client's matches are one index scan: the plan had ANDed the word's hits with a bitmap of
-- every document of the client (57 ms on agency-L for a word in 184 documents).
--
-- The restrictive policy and the owner's definer functions work as for `search_docs`
-- (migration 0013), which this replaces.
SELECT set_config('app.tenant_ids', COALESCE(string_agg(tenant_id::text, ','), ''), true)
FROM tenants;

CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;

DROP TRIGGER messages_index ON messages;
DROP TRIGGER messages_reindex ON messages;
DROP FUNCTION app_index_message();
DROP TABLE search_docs;

CREATE TABLE thread_search (
    tenant_id uuid NOT NULL,
    thread_id text NOT NULL,
    search    tsvector NOT NULL,
    PRIMARY KEY (tenant_id, thread_id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES threads (tenant_id, thread_id) ON DELETE CASCADE
);
ALTER TABLE thread_search ENABLE ROW LEVEL SECURITY;
ALTER TABLE thread_search FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON thread_search
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- Sync calls this after it refreshes a page's threads, and the lead trigger and this
-- migration call it too, so what a thread's document says is written here only. PL/pgSQL keeps
-- the statement's plan for the session (a SQL function planned it at every call: 37 ms a
-- thread). `tenant_isolation` binds the owner too, so it writes only the tenants of the
-- caller's transaction.
CREATE FUNCTION app_index_threads(p_tenant uuid, p_threads text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF coalesce(cardinality(p_threads), 0) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO public.thread_search (tenant_id, thread_id, search)
    SELECT t.tenant_id, t.thread_id,
           to_tsvector('simple', public.app_fold(coalesce(m.words, '') || ' ' || coalesce(l.words, '')))
    FROM public.threads t
    CROSS JOIN LATERAL (
        SELECT string_agg(x.subject || ' ' || coalesce(x.lead_email, '') || ' ' || x.body_text, ' ')
            AS words
        FROM public.messages x
        WHERE x.tenant_id = t.tenant_id AND x.thread_id = t.thread_id) m
    CROSS JOIN LATERAL (
        SELECT string_agg(y.email || ' ' || coalesce(y.first_name, '') || ' '
                   || coalesce(y.last_name, '') || ' ' || coalesce(y.company_name, ''), ' ')
            AS words
        FROM public.leads y
        WHERE y.tenant_id = t.tenant_id AND y.email = t.lead_email AND y.deleted_at IS NULL) l
    WHERE t.tenant_id = p_tenant AND t.thread_id = ANY (p_threads)
    ON CONFLICT (tenant_id, thread_id) DO UPDATE SET search = excluded.search;
END
$$;
REVOKE EXECUTE ON FUNCTION app_index_threads(uuid, text[]) FROM PUBLIC;

-- A lead's fields are part of the documents of its threads. The leads' triggers of migration
-- 0013 (`leads_index`, `leads_reindex`) stay; their function now rewrites those documents.
CREATE OR REPLACE FUNCTION app_index_lead() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    emails text[] := ARRAY[NEW.email];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        emails := emails || OLD.email;
    END IF;
    PERFORM public.app_index_threads(NEW.tenant_id, ARRAY(
        SELECT thread_id FROM public.threads
        WHERE tenant_id = NEW.tenant_id AND lead_email = ANY (emails)));
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION app_index_lead() FROM PUBLIC;

SELECT app_index_threads(tenant_id, array_agg(thread_id)) FROM threads GROUP BY tenant_id;
-- Bound to the app role by `allcampaigns migrate`, so the owner's functions may still rewrite
-- documents that match no search (an upsert must see the row it updates). Created after the
-- documents above, which this migration writes before that binding.
CREATE POLICY search_matches ON thread_search AS RESTRICTIVE FOR SELECT
    USING (search @@ (SELECT app_search_query()));
CREATE INDEX thread_search_words ON thread_search USING gin (tenant_id, search);
