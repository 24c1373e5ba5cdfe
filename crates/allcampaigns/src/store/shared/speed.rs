//! Speed-to-reply summaries, written once for both backends. Their times are kept in the sync
//! tables' encoding, since sync's trigger writes `replied_at`.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::AssertSqlSafe;

use crate::domain::{TenantId, UserId};
use crate::leads::speed::{Measure, ReplyTouch, SpeedCount, SpeedStore, Touch, bucket};
use crate::store::Result;
use crate::store::db::{Args, Param, Scope, SqlBacked};
use crate::store::lead_state_sql as q;

#[async_trait]
impl<S: SqlBacked> SpeedStore for S {
    #[tracing::instrument(name = "store.untouched_replies", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn untouched_replies(
        &self,
        tenant: TenantId,
        lead_email: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(lead_email)
            .bind(Param::SyncTime(at));
        let rows: Vec<(String, DateTime<Utc>)> = tx.fetch_all(q::UNTOUCHED_REPLIES, args).await?;
        Ok(rows)
    }

    #[tracing::instrument(name = "store.record_touch", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn record_touch(&self, tenant: TenantId, thread_id: &str, touch: &Touch) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(thread_id)
            .bind(Param::SyncTime(touch.at))
            .bind(touch.by)
            .bind(touch.kind.as_str())
            .bind(touch.wall_seconds)
            .bind(touch.business_seconds)
            .bind(bucket(touch.wall_seconds))
            .bind(bucket(touch.business_seconds));
        tx.execute(q::RECORD_TOUCH, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.speed_counts", level = "debug", skip_all, fields(tenants = tenants.len()))]
    async fn speed_counts(
        &self,
        tenants: &[TenantId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SpeedCount>> {
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let month = |d: NaiveDate| d.format("%Y-%m").to_string();
        let split = SplitPeriod::of(from, to);
        let mut tx = self.db().begin(Scope::Tenants(tenants), false).await?;
        let args = Args::new()
            .bind(day(from))
            .bind(day(to))
            .bind(month(split.months_from))
            .bind(month(split.months_to))
            .bind(day(split.months_from))
            .bind(day(split.months_to));
        let (args, list) = args.bind_list(tenants);
        let statement = q::SPEED_COUNTS.replace("{tenants}", &list);
        let rows: Vec<CountRow> = tx.fetch_all(AssertSqlSafe(statement), args).await?;
        Ok(rows.into_iter().filter_map(CountRow::into_count).collect())
    }

    #[tracing::instrument(name = "store.awaiting_first_touch", level = "debug", skip_all, fields(tenants = tenants.len()))]
    async fn awaiting_first_touch(
        &self,
        tenants: &[TenantId],
        limit: u32,
    ) -> Result<Vec<ReplyTouch>> {
        let mut tx = self.db().begin(Scope::Tenants(tenants), false).await?;
        let mut out = Vec::new();
        for &tenant in tenants {
            let args = Args::new().bind(tenant).bind(i64::from(limit));
            let rows: Vec<TouchRow> = tx.fetch_all(q::AWAITING_FIRST_TOUCH, args).await?;
            out.extend(rows.into_iter().map(TouchRow::into_touch));
        }
        out.sort_by(|a, b| (a.replied_at, &a.thread_id).cmp(&(b.replied_at, &b.thread_id)));
        out.truncate(limit as usize);
        Ok(out)
    }

    #[tracing::instrument(name = "store.thread_touch", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn thread_touch(&self, tenant: TenantId, thread_id: &str) -> Result<Option<ReplyTouch>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(thread_id);
        let row: Option<TouchRow> = tx.fetch_optional(q::THREAD_TOUCH, args).await?;
        Ok(row.map(TouchRow::into_touch))
    }
}

/// The whole months of the days `from..to`, as `months_from..months_to` (first days of
/// months); the days before and after them are read day by day. A period holding no whole
/// month has the empty range `to..to`, so every day of it is read from the day counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SplitPeriod {
    months_from: NaiveDate,
    months_to: NaiveDate,
}

impl SplitPeriod {
    fn of(from: NaiveDate, to: NaiveDate) -> Self {
        let first_of = |d: NaiveDate| d.with_day(1).expect("every month has a first day");
        let months_from = if from.day() == 1 {
            from
        } else {
            first_of(first_of(from) + chrono::Months::new(1))
        };
        let months_to = first_of(to);
        if months_from < months_to {
            Self {
                months_from,
                months_to,
            }
        } else {
            Self {
                months_from: to,
                months_to: to,
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct CountRow {
    tenant_id: TenantId,
    measure: String,
    touched_by: UserId,
    bucket_seconds: i64,
    replies: i64,
}

impl CountRow {
    /// A count of a measure this version does not know is left out.
    fn into_count(self) -> Option<SpeedCount> {
        Some(SpeedCount {
            tenant: self.tenant_id,
            measure: Measure::parse(&self.measure)?,
            touched_by: Some(self.touched_by).filter(|by| !by.as_uuid().is_nil()),
            bucket_seconds: self.bucket_seconds,
            replies: u64::try_from(self.replies).unwrap_or(0),
        })
    }
}

#[derive(sqlx::FromRow)]
struct TouchRow {
    tenant_id: TenantId,
    thread_id: String,
    lead_email: String,
    replied_at: DateTime<Utc>,
    positive: bool,
    first_touch_at: Option<DateTime<Utc>>,
    touched_by: Option<UserId>,
    touch_kind: Option<String>,
    wall_seconds: Option<i64>,
    business_seconds: Option<i64>,
}

impl TouchRow {
    fn into_touch(self) -> ReplyTouch {
        ReplyTouch {
            tenant: self.tenant_id,
            thread_id: self.thread_id,
            lead_email: self.lead_email,
            replied_at: self.replied_at,
            positive: self.positive,
            first_touch_at: self.first_touch_at,
            touched_by: self.touched_by,
            touch_kind: self.touch_kind,
            wall_seconds: self.wall_seconds,
            business_seconds: self.business_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_period_reads_its_whole_months_and_its_edge_days() {
        let split = |from, to| {
            let s = SplitPeriod::of(d(from), d(to));
            (s.months_from.to_string(), s.months_to.to_string())
        };
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        // A year ending with 31 October: November to September whole, the edges by day.
        assert_eq!(
            split("2025-10-31", "2026-11-01"),
            pair("2025-11-01", "2026-11-01")
        );
        assert_eq!(
            split("2026-03-01", "2026-04-30"),
            pair("2026-03-01", "2026-04-01")
        );
        assert_eq!(
            split("2026-05-01", "2026-06-01"),
            pair("2026-05-01", "2026-06-01")
        );
        assert_eq!(
            split("2025-12-15", "2026-02-10"),
            pair("2026-01-01", "2026-02-01")
        );
        // No whole month: every day from the day counts.
        assert_eq!(
            split("2026-05-05", "2026-05-06"),
            pair("2026-05-06", "2026-05-06")
        );
        assert_eq!(
            split("2026-01-15", "2026-02-14"),
            pair("2026-02-14", "2026-02-14")
        );
        assert_eq!(
            split("2026-01-01", "2026-01-31"),
            pair("2026-01-31", "2026-01-31")
        );
    }
}
