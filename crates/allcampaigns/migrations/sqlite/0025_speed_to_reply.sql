-- Speed-to-reply (issue 13): each thread's first reply from its lead and the first touch after
-- it, kept as each happens. The PostgreSQL migration explains the table and its triggers.
CREATE TABLE reply_touches (
    tenant_id        BLOB NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    thread_id        TEXT NOT NULL,
    lead_email       TEXT NOT NULL,
    replied_at       TEXT NOT NULL,
    positive         INTEGER NOT NULL CHECK (positive IN (0, 1)),
    first_touch_at   TEXT,
    touched_by       BLOB REFERENCES users (id) ON DELETE SET NULL,
    touch_kind       TEXT CHECK (touch_kind IN ('reply', 'call', 'stage', 'note')),
    wall_seconds     INTEGER,
    business_seconds INTEGER,
    PRIMARY KEY (tenant_id, thread_id)
) STRICT;
CREATE INDEX reply_touches_by_time ON reply_touches (tenant_id, replied_at);
CREATE INDEX reply_touches_by_lead ON reply_touches (tenant_id, lead_email);

CREATE TRIGGER messages_first_reply AFTER INSERT ON messages
WHEN NEW.direction = 'received' AND NOT NEW.is_auto_reply AND NEW.lead_email IS NOT NULL
BEGIN
    INSERT INTO reply_touches (tenant_id, thread_id, lead_email, replied_at, positive)
    VALUES (NEW.tenant_id, NEW.thread_id, lower(NEW.lead_email), NEW.timestamp_created,
        coalesce(
            (SELECT p.sentiment = 'positive' FROM lead_states s
                JOIN pipeline_stages p ON p.tenant_id = s.tenant_id AND p.stage_id = s.stage_id
                WHERE s.tenant_id = NEW.tenant_id AND s.lead_email = lower(NEW.lead_email)),
            (SELECT l.interest_status BETWEEN 1 AND 4 FROM leads l
                WHERE l.tenant_id = NEW.tenant_id AND lower(l.email) = lower(NEW.lead_email)
                    AND l.deleted_at IS NULL
                ORDER BY l.timestamp_updated DESC LIMIT 1),
            NEW.interest_status BETWEEN 1 AND 4,
            0))
    ON CONFLICT (tenant_id, thread_id) DO UPDATE SET replied_at = excluded.replied_at
        WHERE reply_touches.replied_at > excluded.replied_at
            AND reply_touches.first_touch_at IS NULL;
END;

CREATE TRIGGER leads_interest_positive AFTER UPDATE OF interest_status ON leads
WHEN OLD.interest_status IS NOT NEW.interest_status AND NEW.email IS NOT NULL
BEGIN
    UPDATE reply_touches SET positive = coalesce(NEW.interest_status BETWEEN 1 AND 4, 0)
    WHERE tenant_id = NEW.tenant_id AND lead_email = lower(NEW.email)
        AND NOT EXISTS (SELECT 1 FROM lead_states s WHERE s.tenant_id = NEW.tenant_id
            AND s.lead_email = lower(NEW.email) AND s.stage_id IS NOT NULL);
END;
