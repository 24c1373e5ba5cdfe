-- Month counts of speed-to-reply (issue 13): the day counts of 0029 summed per UTC month
-- (`YYYY-MM`), so a report over a long period reads its whole months here and only its edge
-- days from `speed_days`. On agency-L, 54,188 day rows are 4,875 month rows. A trigger on
-- `speed_days` keeps them: each change of a day's count is added to its month.
CREATE TABLE speed_months (
    tenant_id      uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    month          text NOT NULL,
    measure        text NOT NULL CHECK (measure IN ('replied', 'wall', 'business')),
    touched_by     uuid NOT NULL,
    bucket_seconds bigint NOT NULL,
    replies        bigint NOT NULL,
    PRIMARY KEY (tenant_id, month, measure, touched_by, bucket_seconds)
);
-- Row-level security binds the owner too: lifted while it reads every client's days.
ALTER TABLE speed_days NO FORCE ROW LEVEL SECURITY;
INSERT INTO speed_months (tenant_id, month, measure, touched_by, bucket_seconds, replies)
SELECT tenant_id, substr(day, 1, 7), measure, touched_by, bucket_seconds, sum(replies)
FROM speed_days GROUP BY tenant_id, substr(day, 1, 7), measure, touched_by, bucket_seconds;
ALTER TABLE speed_days FORCE ROW LEVEL SECURITY;
ALTER TABLE speed_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE speed_months FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON speed_months
    USING (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]))
    WITH CHECK (tenant_id = ANY ((SELECT app_allowed_tenants())::uuid[]));

CREATE FUNCTION app_speed_month() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO public.speed_months AS s
        (tenant_id, month, measure, touched_by, bucket_seconds, replies)
    VALUES (NEW.tenant_id, substr(NEW.day, 1, 7), NEW.measure, NEW.touched_by,
        NEW.bucket_seconds,
        NEW.replies - CASE WHEN TG_OP = 'UPDATE' THEN OLD.replies ELSE 0 END)
    ON CONFLICT (tenant_id, month, measure, touched_by, bucket_seconds)
        DO UPDATE SET replies = s.replies + excluded.replies;
    RETURN NULL;
END $$;
CREATE TRIGGER speed_days_month AFTER INSERT OR UPDATE OF replies ON speed_days
    FOR EACH ROW EXECUTE FUNCTION app_speed_month();
