-- Speed-to-reply summaries (issue 13): the report of a period reads day summaries, not each
-- reply, so its cost follows the days, clients and operators it covers rather than the replies.
--
-- A touched reply's durations are also kept as buckets (`wall_bucket`, `business_bucket`),
-- written by the application with the durations (`leads::speed::bucket`): the duration
-- rounded up to the second below a minute, to the minute below an hour, to five minutes below
-- a day, to the hour below a week and to the day beyond. The hour and the day are bucket
-- edges, so the shares answered within them are exact; a median or 90th percentile is the
-- upper edge of its bucket. The UPDATE below gives existing rows their buckets by that rule.
ALTER TABLE reply_touches ADD COLUMN wall_bucket bigint;
ALTER TABLE reply_touches ADD COLUMN business_bucket bigint;
-- Row-level security binds the owner too: it is lifted while the owner fills the new columns
-- and table for every client, in this migration's transaction.
ALTER TABLE reply_touches NO FORCE ROW LEVEL SECURITY;
UPDATE reply_touches SET
    wall_bucket = CASE
        WHEN wall_seconds <= 60 THEN wall_seconds
        WHEN wall_seconds <= 3600 THEN (wall_seconds + 59) / 60 * 60
        WHEN wall_seconds <= 86400 THEN (wall_seconds + 299) / 300 * 300
        WHEN wall_seconds <= 604800 THEN (wall_seconds + 3599) / 3600 * 3600
        ELSE (wall_seconds + 86399) / 86400 * 86400 END,
    business_bucket = CASE
        WHEN business_seconds <= 60 THEN business_seconds
        WHEN business_seconds <= 3600 THEN (business_seconds + 59) / 60 * 60
        WHEN business_seconds <= 86400 THEN (business_seconds + 299) / 300 * 300
        WHEN business_seconds <= 604800 THEN (business_seconds + 3599) / 3600 * 3600
        ELSE (business_seconds + 86399) / 86400 * 86400 END
WHERE wall_seconds IS NOT NULL;

-- Per client and UTC day of the first reply (`YYYY-MM-DD`, as text on both backends): how many
-- positive first replies came (`replied`, bucket 0, nobody), and per operator who touched
-- first how many were touched after each duration bucket (`wall`, `business`; the nil id when
-- that person's account is gone). Triggers on `reply_touches` keep the counts whatever changed
-- the row: sync's first reply, a touch, a stage or Instantly's status making a lead positive or
-- not, a deletion. Counts that fall to zero stay as zero.
CREATE TABLE speed_days (
    tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    day            text NOT NULL,
    measure        text NOT NULL CHECK (measure IN ('replied', 'wall', 'business')),
    touched_by     uuid NOT NULL,
    bucket_seconds bigint NOT NULL,
    replies        bigint NOT NULL,
    PRIMARY KEY (tenant_id, day, measure, touched_by, bucket_seconds)
);

-- The operator of the counts of replies and of touches by an account since deleted.
CREATE FUNCTION app_nobody() RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;

CREATE FUNCTION app_speed_day(replied_at timestamptz) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT to_char(replied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
$$;

INSERT INTO speed_days (tenant_id, day, measure, touched_by, bucket_seconds, replies)
SELECT tenant_id, day, measure, touched_by, bucket_seconds, count(*) FROM (
    SELECT tenant_id, app_speed_day(replied_at) AS day, 'replied' AS measure,
        app_nobody() AS touched_by, 0::bigint AS bucket_seconds
    FROM reply_touches WHERE positive
    UNION ALL
    SELECT tenant_id, app_speed_day(replied_at), 'wall', coalesce(touched_by, app_nobody()),
        wall_bucket
    FROM reply_touches WHERE positive AND wall_bucket IS NOT NULL
    UNION ALL
    SELECT tenant_id, app_speed_day(replied_at), 'business', coalesce(touched_by, app_nobody()),
        business_bucket
    FROM reply_touches WHERE positive AND business_bucket IS NOT NULL
) counted GROUP BY tenant_id, day, measure, touched_by, bucket_seconds;
ALTER TABLE reply_touches FORCE ROW LEVEL SECURITY;
ALTER TABLE speed_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE speed_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON speed_days
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

-- Adds `delta` to the counts of one `reply_touches` row.
CREATE FUNCTION app_speed_count(r public.reply_touches, delta bigint) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public AS $$
    INSERT INTO public.speed_days AS s
        (tenant_id, day, measure, touched_by, bucket_seconds, replies)
    SELECT r.tenant_id, public.app_speed_day(r.replied_at), m.measure, m.touched_by,
        m.bucket_seconds, delta
    FROM (VALUES ('replied', public.app_nobody(), 0::bigint),
                 ('wall', coalesce(r.touched_by, public.app_nobody()), r.wall_bucket),
                 ('business', coalesce(r.touched_by, public.app_nobody()), r.business_bucket))
        AS m (measure, touched_by, bucket_seconds)
    WHERE m.bucket_seconds IS NOT NULL
    ON CONFLICT (tenant_id, day, measure, touched_by, bucket_seconds)
        DO UPDATE SET replies = s.replies + excluded.replies
$$;

CREATE FUNCTION app_count_reply_touch() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.positive THEN
        PERFORM public.app_speed_count(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.positive THEN
        PERFORM public.app_speed_count(NEW, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reply_touches_count AFTER INSERT OR DELETE ON reply_touches FOR EACH ROW
    EXECUTE FUNCTION app_count_reply_touch();
CREATE TRIGGER reply_touches_recount
    AFTER UPDATE OF replied_at, positive, touched_by, wall_bucket, business_bucket
    ON reply_touches FOR EACH ROW EXECUTE FUNCTION app_count_reply_touch();
