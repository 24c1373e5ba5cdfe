-- Speed-to-reply (issue 13): for each thread, the lead's first reply and the first thing a
-- person of the agency did about the lead after it (a reply sent, a call logged, a stage set, a
-- note), kept as each happens so the report reads summaries rather than the history.
--
-- A row is made by a trigger as sync stores a thread's first received message that is not an
-- automatic reply (an older one synced later moves `replied_at` back while nobody touched it).
-- `positive` says whether the lead counts as a positive reply: the sentiment of the stage a
-- person or rule set, else Instantly's interested family (statuses 1 to 4); it is kept true by
-- the stage changes (in the application) and by Instantly's (the trigger below). The first
-- touch is written by the application with its wall and business-hours durations, which need
-- the client's time zone and hours. `replied_at` is in the sync tables' encoding.
CREATE TABLE reply_touches (
    tenant_id        uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    thread_id        text NOT NULL,
    lead_email       text NOT NULL,
    replied_at       timestamptz NOT NULL,
    positive         boolean NOT NULL,
    first_touch_at   timestamptz,
    touched_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    touch_kind       text CHECK (touch_kind IN ('reply', 'call', 'stage', 'note')),
    wall_seconds     bigint,
    business_seconds bigint,
    PRIMARY KEY (tenant_id, thread_id)
);
CREATE INDEX reply_touches_by_time ON reply_touches (tenant_id, replied_at);
CREATE INDEX reply_touches_by_lead ON reply_touches (tenant_id, lead_email);
ALTER TABLE reply_touches ENABLE ROW LEVEL SECURITY;
ALTER TABLE reply_touches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reply_touches
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

CREATE FUNCTION app_record_first_reply() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO public.reply_touches (tenant_id, thread_id, lead_email, replied_at, positive)
    VALUES (NEW.tenant_id, NEW.thread_id, lower(NEW.lead_email), NEW.timestamp_created,
        coalesce(
            (SELECT p.sentiment = 'positive' FROM public.lead_states s
                JOIN public.pipeline_stages p
                    ON p.tenant_id = s.tenant_id AND p.stage_id = s.stage_id
                WHERE s.tenant_id = NEW.tenant_id AND s.lead_email = lower(NEW.lead_email)),
            (SELECT l.interest_status BETWEEN 1 AND 4 FROM public.leads l
                WHERE l.tenant_id = NEW.tenant_id AND lower(l.email) = lower(NEW.lead_email)
                    AND l.deleted_at IS NULL
                ORDER BY l.timestamp_updated DESC LIMIT 1),
            NEW.interest_status BETWEEN 1 AND 4,
            false))
    ON CONFLICT (tenant_id, thread_id) DO UPDATE SET replied_at = excluded.replied_at
        WHERE reply_touches.replied_at > excluded.replied_at
            AND reply_touches.first_touch_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_first_reply AFTER INSERT ON messages FOR EACH ROW
    WHEN (NEW.direction = 'received' AND NOT NEW.is_auto_reply AND NEW.lead_email IS NOT NULL)
    EXECUTE FUNCTION app_record_first_reply();

-- Instantly's status of a lead decides whether its replies are positive while no person or
-- rule of ours set its stage.
CREATE FUNCTION app_follow_instantly_interest() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE public.reply_touches SET positive = coalesce(NEW.interest_status BETWEEN 1 AND 4, false)
    WHERE tenant_id = NEW.tenant_id AND lead_email = lower(NEW.email)
        AND NOT EXISTS (SELECT 1 FROM public.lead_states s WHERE s.tenant_id = NEW.tenant_id
            AND s.lead_email = lower(NEW.email) AND s.stage_id IS NOT NULL);
    RETURN NULL;
END $$;
CREATE TRIGGER leads_interest_positive AFTER UPDATE OF interest_status ON leads FOR EACH ROW
    WHEN (OLD.interest_status IS DISTINCT FROM NEW.interest_status AND NEW.email IS NOT NULL)
    EXECUTE FUNCTION app_follow_instantly_interest();
