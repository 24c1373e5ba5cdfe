-- Speed-to-reply summaries (issue 13). The PostgreSQL migration explains them; here the
-- nobody id is a zero blob and a PostgreSQL function body is written out in each trigger.
ALTER TABLE reply_touches ADD COLUMN wall_bucket INTEGER;
ALTER TABLE reply_touches ADD COLUMN business_bucket INTEGER;
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

CREATE TABLE speed_days (
    tenant_id      BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    day            TEXT NOT NULL,
    measure        TEXT NOT NULL CHECK (measure IN ('replied', 'wall', 'business')),
    touched_by     BLOB NOT NULL,
    bucket_seconds INTEGER NOT NULL,
    replies        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, measure, touched_by, bucket_seconds)
) STRICT, WITHOUT ROWID;

INSERT INTO speed_days (tenant_id, day, measure, touched_by, bucket_seconds, replies)
SELECT tenant_id, day, measure, touched_by, bucket_seconds, count(*) FROM (
    SELECT tenant_id, substr(replied_at, 1, 10) AS day, 'replied' AS measure,
        zeroblob(16) AS touched_by, 0 AS bucket_seconds
    FROM reply_touches WHERE positive
    UNION ALL
    SELECT tenant_id, substr(replied_at, 1, 10), 'wall', coalesce(touched_by, zeroblob(16)),
        wall_bucket
    FROM reply_touches WHERE positive AND wall_bucket IS NOT NULL
    UNION ALL
    SELECT tenant_id, substr(replied_at, 1, 10), 'business', coalesce(touched_by, zeroblob(16)),
        business_bucket
    FROM reply_touches WHERE positive AND business_bucket IS NOT NULL
) GROUP BY tenant_id, day, measure, touched_by, bucket_seconds;

CREATE TRIGGER reply_touches_count AFTER INSERT ON reply_touches WHEN NEW.positive
BEGIN
    INSERT INTO speed_days (tenant_id, day, measure, touched_by, bucket_seconds, replies)
    SELECT NEW.tenant_id, substr(NEW.replied_at, 1, 10), measure, touched_by, bucket_seconds, 1
    FROM (SELECT 'replied' AS measure, zeroblob(16) AS touched_by, 0 AS bucket_seconds
        UNION ALL SELECT 'wall', coalesce(NEW.touched_by, zeroblob(16)), NEW.wall_bucket
            WHERE NEW.wall_bucket IS NOT NULL
        UNION ALL SELECT 'business', coalesce(NEW.touched_by, zeroblob(16)), NEW.business_bucket
            WHERE NEW.business_bucket IS NOT NULL)
    WHERE true
    ON CONFLICT (tenant_id, day, measure, touched_by, bucket_seconds)
        DO UPDATE SET replies = speed_days.replies + 1;
END;

CREATE TRIGGER reply_touches_uncount AFTER DELETE ON reply_touches WHEN OLD.positive
BEGIN
    UPDATE speed_days SET replies = replies - 1
    WHERE tenant_id = OLD.tenant_id AND day = substr(OLD.replied_at, 1, 10) AND (
        (measure = 'replied' AND touched_by = zeroblob(16) AND bucket_seconds = 0)
        OR (touched_by = coalesce(OLD.touched_by, zeroblob(16)) AND (
            (measure = 'wall' AND bucket_seconds = OLD.wall_bucket)
            OR (measure = 'business' AND bucket_seconds = OLD.business_bucket))));
END;

-- An update takes the old row's counts away and adds the new row's, as a delete and an insert
-- would.
CREATE TRIGGER reply_touches_recount_old
AFTER UPDATE OF replied_at, positive, touched_by, wall_bucket, business_bucket ON reply_touches
WHEN OLD.positive
BEGIN
    UPDATE speed_days SET replies = replies - 1
    WHERE tenant_id = OLD.tenant_id AND day = substr(OLD.replied_at, 1, 10) AND (
        (measure = 'replied' AND touched_by = zeroblob(16) AND bucket_seconds = 0)
        OR (touched_by = coalesce(OLD.touched_by, zeroblob(16)) AND (
            (measure = 'wall' AND bucket_seconds = OLD.wall_bucket)
            OR (measure = 'business' AND bucket_seconds = OLD.business_bucket))));
END;

CREATE TRIGGER reply_touches_recount_new
AFTER UPDATE OF replied_at, positive, touched_by, wall_bucket, business_bucket ON reply_touches
WHEN NEW.positive
BEGIN
    INSERT INTO speed_days (tenant_id, day, measure, touched_by, bucket_seconds, replies)
    SELECT NEW.tenant_id, substr(NEW.replied_at, 1, 10), measure, touched_by, bucket_seconds, 1
    FROM (SELECT 'replied' AS measure, zeroblob(16) AS touched_by, 0 AS bucket_seconds
        UNION ALL SELECT 'wall', coalesce(NEW.touched_by, zeroblob(16)), NEW.wall_bucket
            WHERE NEW.wall_bucket IS NOT NULL
        UNION ALL SELECT 'business', coalesce(NEW.touched_by, zeroblob(16)), NEW.business_bucket
            WHERE NEW.business_bucket IS NOT NULL)
    WHERE true
    ON CONFLICT (tenant_id, day, measure, touched_by, bucket_seconds)
        DO UPDATE SET replies = speed_days.replies + 1;
END;
