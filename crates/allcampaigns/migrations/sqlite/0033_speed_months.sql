-- Month counts of speed-to-reply (issue 13). The PostgreSQL migration explains them.
CREATE TABLE speed_months (
    tenant_id      BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    month          TEXT NOT NULL,
    measure        TEXT NOT NULL CHECK (measure IN ('replied', 'wall', 'business')),
    touched_by     BLOB NOT NULL,
    bucket_seconds INTEGER NOT NULL,
    replies        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, month, measure, touched_by, bucket_seconds)
) STRICT, WITHOUT ROWID;

INSERT INTO speed_months (tenant_id, month, measure, touched_by, bucket_seconds, replies)
SELECT tenant_id, substr(day, 1, 7), measure, touched_by, bucket_seconds, sum(replies)
FROM speed_days GROUP BY tenant_id, substr(day, 1, 7), measure, touched_by, bucket_seconds;

CREATE TRIGGER speed_days_month_insert AFTER INSERT ON speed_days
BEGIN
    INSERT INTO speed_months (tenant_id, month, measure, touched_by, bucket_seconds, replies)
    VALUES (NEW.tenant_id, substr(NEW.day, 1, 7), NEW.measure, NEW.touched_by,
        NEW.bucket_seconds, NEW.replies)
    ON CONFLICT (tenant_id, month, measure, touched_by, bucket_seconds)
        DO UPDATE SET replies = speed_months.replies + excluded.replies;
END;

-- Also fired by the upserts that add to a day's count.
CREATE TRIGGER speed_days_month_update AFTER UPDATE OF replies ON speed_days
BEGIN
    UPDATE speed_months SET replies = replies + NEW.replies - OLD.replies
    WHERE tenant_id = NEW.tenant_id AND month = substr(NEW.day, 1, 7)
        AND measure = NEW.measure AND touched_by = NEW.touched_by
        AND bucket_seconds = NEW.bucket_seconds;
END;
