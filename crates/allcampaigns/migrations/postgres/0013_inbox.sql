-- The inbox (issue 12): a classification of each thread for the tabs, kept by sync on the
-- `threads` row; our own triage state in a table no sync ever writes; and search that keeps its
-- GIN index under row-level security.
--
-- `category`: 'primary' when the thread holds a received message that is a real reply (not an
-- auto-reply or out-of-office, which Instantly flags, and not a bounce from a mailer daemon or
-- postmaster); 'others' for the rest, including threads with only our sends.
-- `received_count` / `last_received_at`: the received messages, which reopen done and snoozed
-- threads and make them unread again.
--
-- Row-level security binds the owner that runs this too: it may see every tenant's rows for
-- the length of this transaction only.
SELECT set_config('app.tenant_ids', COALESCE(string_agg(tenant_id::text, ','), ''), true)
FROM tenants;

ALTER TABLE threads ADD COLUMN category text NOT NULL DEFAULT 'others'
    CHECK (category IN ('primary', 'others'));
ALTER TABLE threads ADD COLUMN received_count bigint NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN last_received_at timestamptz;

UPDATE threads t SET received_count = r.n, last_received_at = r.last,
    category = CASE WHEN r.replies > 0 THEN 'primary' ELSE 'others' END
FROM (SELECT tenant_id, thread_id, COUNT(*) AS n, MAX(timestamp_created) AS last,
             COUNT(*) FILTER (WHERE NOT is_auto_reply
                 AND lower(coalesce(from_address, '')) NOT LIKE 'mailer-daemon@%'
                 AND lower(coalesce(from_address, '')) NOT LIKE 'postmaster@%') AS replies
      FROM messages WHERE direction = 'received'
      GROUP BY tenant_id, thread_id) r
WHERE t.tenant_id = r.tenant_id AND t.thread_id = r.thread_id;

-- Newest first with a unique tie-break in byte order (the order the app merges tenants in),
-- so a keyset page is one index range.
CREATE INDEX threads_by_recency ON threads (tenant_id, last_message_at, thread_id COLLATE "C");
-- The lead's other threads, and search by the lead's fields.
CREATE INDEX threads_by_lead_email ON threads (tenant_id, lead_email);

-- Read, done and snooze remember how many received messages the person had seen
-- (`*_through`): a reply that arrives later reopens the thread and makes it unread, even when
-- Instantly stored it before the click but sync brought it after (times would miss that).
-- `read_through` NULL and `marked_unread` false: Instantly's own read state counts.
CREATE TABLE thread_triage (
    tenant_id       uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    thread_id       text NOT NULL,
    read_through    bigint,
    marked_unread   boolean NOT NULL DEFAULT false,
    done_at         timestamptz,
    done_through    bigint,
    snoozed_until   timestamptz,
    snoozed_through bigint,
    owner_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL,
    updated_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (tenant_id, thread_id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES threads (tenant_id, thread_id) ON DELETE CASCADE
);
CREATE INDEX thread_triage_by_owner ON thread_triage (tenant_id, owner_id);
ALTER TABLE thread_triage ENABLE ROW LEVEL SECURITY;
ALTER TABLE thread_triage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON thread_triage
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- Search. Under row-level security `@@` (not LEAKPROOF, and only a superuser may mark it so)
-- must wait until the policy has filtered each row, so the GIN index on `messages.search` was
-- never used: every search scanned every message (PERFORMANCE.md). A policy's own condition
-- is evaluated first and may use any index. So the documents live in `search_docs`, whose
-- second, restrictive policy lets the app role read only the rows that match the search of its
-- transaction (`app.search`, a tsquery set with `set_config(…, true)` like the tenants): the
-- GIN index serves that condition, and `tenant_isolation` still holds beside it.
--
-- Case and accents: `unaccent` (a trusted extension since PostgreSQL 13, which the owner may
-- create) and `lower`, wrapped in an immutable function for the documents; `@ . - _ + / :`
-- become spaces so an address is searched by its parts, as SQLite's FTS5 tokenizer does.
-- Cyrillic is lower-cased by the database's ctype (UTF-8 locales; `C.UTF-8` in our images).
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

CREATE FUNCTION app_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, public
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary,
                   translate(coalesce(value, ''), '@.-_+/:', '       '))) $$;

CREATE FUNCTION app_search_query() RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(current_setting('app.search', true), '')::tsquery $$;

CREATE TABLE search_docs (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('message', 'lead')),
    source_id  text NOT NULL,
    thread_id  text,
    lead_email text,
    search     tsvector NOT NULL,
    PRIMARY KEY (tenant_id, kind, source_id)
);
CREATE INDEX search_docs_search ON search_docs USING gin (search);
CREATE INDEX search_docs_by_thread ON search_docs (tenant_id, thread_id) WHERE kind = 'message';
CREATE INDEX search_docs_by_lead ON search_docs (tenant_id, lead_email) WHERE kind = 'lead';
ALTER TABLE search_docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_docs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON search_docs
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));
-- Bound to the app role by `allcampaigns migrate` (it names that role), so the owner's
-- triggers below may still update the documents they keep.
CREATE POLICY search_matches ON search_docs AS RESTRICTIVE FOR SELECT
    USING (search @@ (SELECT app_search_query()));

-- Documents are kept by the owner's triggers (the restrictive policy hides non-matching rows
-- from the app role, so it could not update them); `tenant_isolation` binds the owner too.
CREATE FUNCTION app_index_message() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    INSERT INTO public.search_docs (tenant_id, kind, source_id, thread_id, search)
    VALUES (NEW.tenant_id, 'message', NEW.instantly_id, NEW.thread_id,
            to_tsvector('simple', public.app_fold(NEW.subject) || ' ' ||
                public.app_fold(NEW.lead_email) || ' ' || public.app_fold(NEW.body_text)))
    ON CONFLICT (tenant_id, kind, source_id) DO UPDATE
        SET thread_id = excluded.thread_id, search = excluded.search;
    RETURN NULL;
END
$$;

CREATE FUNCTION app_index_lead() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL THEN
        DELETE FROM public.search_docs
        WHERE tenant_id = NEW.tenant_id AND kind = 'lead' AND source_id = NEW.instantly_id;
        RETURN NULL;
    END IF;
    INSERT INTO public.search_docs (tenant_id, kind, source_id, lead_email, search)
    VALUES (NEW.tenant_id, 'lead', NEW.instantly_id, NEW.email,
            to_tsvector('simple', public.app_fold(NEW.email) || ' ' ||
                public.app_fold(NEW.first_name) || ' ' || public.app_fold(NEW.last_name) ||
                ' ' || public.app_fold(NEW.company_name)))
    ON CONFLICT (tenant_id, kind, source_id) DO UPDATE
        SET lead_email = excluded.lead_email, search = excluded.search;
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_index AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION app_index_message();
-- Sync rewrites a message whose fingerprint changed (most often its read flag): only a change
-- of the indexed text is indexed again.
CREATE TRIGGER messages_reindex AFTER UPDATE ON messages FOR EACH ROW
    WHEN ((OLD.subject, OLD.body_text, OLD.lead_email, OLD.thread_id)
          IS DISTINCT FROM (NEW.subject, NEW.body_text, NEW.lead_email, NEW.thread_id))
    EXECUTE FUNCTION app_index_message();
CREATE TRIGGER leads_index AFTER INSERT ON leads
    FOR EACH ROW EXECUTE FUNCTION app_index_lead();
CREATE TRIGGER leads_reindex AFTER UPDATE ON leads FOR EACH ROW
    WHEN ((OLD.email, OLD.first_name, OLD.last_name, OLD.company_name, OLD.deleted_at)
          IS DISTINCT FROM (NEW.email, NEW.first_name, NEW.last_name, NEW.company_name,
                            NEW.deleted_at))
    EXECUTE FUNCTION app_index_lead();
REVOKE EXECUTE ON FUNCTION app_index_message() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION app_index_lead() FROM PUBLIC;

INSERT INTO search_docs (tenant_id, kind, source_id, thread_id, search)
SELECT tenant_id, 'message', instantly_id, thread_id,
       to_tsvector('simple', app_fold(subject) || ' ' || app_fold(lead_email) || ' ' ||
           app_fold(body_text))
FROM messages;
INSERT INTO search_docs (tenant_id, kind, source_id, lead_email, search)
SELECT tenant_id, 'lead', instantly_id, email,
       to_tsvector('simple', app_fold(email) || ' ' || app_fold(first_name) || ' ' ||
           app_fold(last_name) || ' ' || app_fold(company_name))
FROM leads WHERE deleted_at IS NULL;

-- The documents above replace these: one tsvector per message, not two.
DROP INDEX messages_search;
ALTER TABLE messages DROP COLUMN search;
DROP INDEX leads_search;
ALTER TABLE leads DROP COLUMN search;
