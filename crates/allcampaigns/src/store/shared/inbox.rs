//! The inbox, written once for both backends: lists read each tenant's index range and merge
//! them (a statement over all tenants at once sorted every thread: PERFORMANCE.md); triage
//! writes our own table and its audit entries in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use super::audit::audit_args;
use super::jobs::{cancel_live_job_in, replace_live_job};
use crate::domain::{TenantId, UserId};
use crate::inbox::{
    COUNT_CAP, Cursor, InboxMessage, InboxStore, InboxView, LeadName, TabCount, ThreadDetail,
    ThreadFilter, ThreadPage, ThreadSummary, Triage, wake,
};
use crate::jobs::JobKind;
use crate::store::db::{Args, Db, Scope, SqlBacked, Tx};
use crate::store::inbox_sql;
use crate::store::read_cache::Read;

use super::inbox_pages::{
    Plans, add_tags, fetch, lead_and_threads, merged_page, set_search, tenant_count,
};
use crate::store::{NewAuditEntry, Result, StoreError, sql};

#[async_trait]
impl<S: SqlBacked> InboxStore for S {
    #[tracing::instrument(name = "store.threads", level = "debug", skip_all, fields(tenants = tenants.len()))]
    async fn threads(
        &self,
        tenants: &[TenantId],
        filter: &ThreadFilter,
        after: Option<&Cursor>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<ThreadPage> {
        let limit = limit.clamp(1, crate::inbox::MAX_LIMIT);
        let read = Read::Page {
            filter: filter.clone(),
            after: after.cloned(),
            limit,
        };
        let page = read_page(self.db(), tenants, filter, after, limit, now);
        self.db().reads().through(read, tenants, now, page).await
    }

    #[tracing::instrument(name = "store.tab_counts", level = "debug", skip_all, fields(tenants = tenants.len()))]
    async fn tab_counts(
        &self,
        tenants: &[TenantId],
        filter: &ThreadFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<(InboxView, TabCount)>> {
        let read = Read::TabCounts {
            filter: filter.clone(),
        };
        let counts = read_tab_counts(self.db(), tenants, filter, now);
        self.db().reads().through(read, tenants, now, counts).await
    }

    #[tracing::instrument(name = "store.thread_count", level = "debug", skip_all, fields(tenants = tenants.len()))]
    async fn thread_count(
        &self,
        tenants: &[TenantId],
        filter: &ThreadFilter,
        now: DateTime<Utc>,
    ) -> Result<TabCount> {
        let read = Read::Count {
            filter: filter.clone(),
        };
        let count = read_count(self.db(), tenants, filter, now);
        self.db().reads().through(read, tenants, now, count).await
    }

    #[tracing::instrument(name = "store.thread", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn thread(
        &self,
        tenant: TenantId,
        thread_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ThreadDetail>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let query = inbox_sql::summary(self.db().backend(), tenant, thread_id, now);
        let Some(summary) = fetch::<ThreadSummary>(&mut tx, query).await?.pop() else {
            return Ok(None);
        };
        let mut rows = vec![summary];
        add_tags(&mut tx, &mut rows).await?;
        let summary = rows.remove(0);
        let args = Args::new().bind(tenant).bind(thread_id);
        let messages: Vec<InboxMessage> = tx.fetch_all(inbox_sql::THREAD_MESSAGES, args).await?;
        let (lead, other_threads) = lead_and_threads(&mut tx, tenant, &summary).await?;
        Ok(Some(ThreadDetail {
            summary,
            messages,
            lead,
            other_threads,
        }))
    }

    #[tracing::instrument(name = "store.lead_names", level = "debug", skip_all, fields(leads = leads.len()))]
    async fn lead_names(&self, leads: &[(TenantId, String)]) -> Result<Vec<LeadName>> {
        let mut tenants: Vec<TenantId> = leads.iter().map(|(tenant, _)| *tenant).collect();
        tenants.sort();
        tenants.dedup();
        if tenants.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.db().begin(Scope::Tenants(&tenants), false).await?;
        fetch(&mut tx, inbox_sql::lead_names(leads)).await
    }

    #[tracing::instrument(name = "store.triage", level = "debug", skip_all, fields(tenant = %tenant, threads = thread_ids.len()))]
    async fn triage(
        &self,
        tenant: TenantId,
        thread_ids: &[String],
        change: Triage,
        by: UserId,
        now: DateTime<Utc>,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let statement = inbox_sql::triage(change);
        for thread_id in thread_ids {
            let mut args = Args::new()
                .bind(tenant)
                .bind(thread_id)
                .bind(crate::store::db::Param::SyncTime(now))
                .bind(by);
            if let Some(value) = inbox_sql::triage_value(change) {
                args = args.bind(value);
            }
            if tx.execute(statement, args).await? == 0 {
                return Err(StoreError::NotFound);
            }
            schedule_wake(&mut tx, tenant, thread_id, change).await?;
            let entry = NewAuditEntry {
                target: Some(thread_id.clone()),
                ..entry.clone()
            };
            tx.execute(sql::INSERT_AUDIT, audit_args(tenant, &entry))
                .await?;
        }
        tx.commit().await
    }

    async fn snoozed_until(
        &self,
        tenant: TenantId,
        thread_id: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(thread_id);
        let row: Option<(Option<DateTime<Utc>>,)> =
            tx.fetch_optional(inbox_sql::SNOOZED_UNTIL, args).await?;
        Ok(row.and_then(|(until,)| until))
    }
}

/// One page of the inbox across `tenants`, read.
async fn read_page(
    db: &Db,
    tenants: &[TenantId],
    filter: &ThreadFilter,
    after: Option<&Cursor>,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<ThreadPage> {
    let mut tx = db.begin(Scope::Tenants(tenants), false).await?;
    set_search(&mut tx, filter).await?;
    // One more than a page tells whether another page follows.
    let mut rows = merged_page(&mut tx, tenants, filter, after, limit + 1, now).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    add_tags(&mut tx, &mut rows).await?;
    let next = more
        .then(|| rows.last().map(ThreadSummary::cursor))
        .flatten();
    Ok(ThreadPage { items: rows, next })
}

/// The count of each tab across `tenants`, read.
async fn read_tab_counts(
    db: &Db,
    tenants: &[TenantId],
    filter: &ThreadFilter,
    now: DateTime<Utc>,
) -> Result<Vec<(InboxView, TabCount)>> {
    let mut tx = db.begin(Scope::Tenants(tenants), false).await?;
    set_search(&mut tx, filter).await?;
    let plans = Plans::of(&mut tx, tenants, filter).await?;
    let mut counts = Vec::new();
    for view in InboxView::ALL {
        let mut total = 0i64;
        for &tenant in tenants {
            total += tenant_count(&mut tx, &plans, tenant, filter, view, now).await?;
            if total > COUNT_CAP {
                break;
            }
        }
        counts.push((view, TabCount::capped_at_cap(total)));
    }
    Ok(counts)
}

/// The count of the filter's own view across `tenants`, read.
async fn read_count(
    db: &Db,
    tenants: &[TenantId],
    filter: &ThreadFilter,
    now: DateTime<Utc>,
) -> Result<TabCount> {
    let mut tx = db.begin(Scope::Tenants(tenants), false).await?;
    set_search(&mut tx, filter).await?;
    let backend = db.backend();
    let plan = Plans::of(&mut tx, tenants, filter)
        .await?
        .for_view(filter.view);
    let mut total = 0i64;
    for &tenant in tenants {
        let query = inbox_sql::count(backend, plan.clone(), tenant, filter, filter.view, now);
        total += tx
            .scalar::<i64>(AssertSqlSafe(query.sql), query.args)
            .await?;
        if total > COUNT_CAP {
            break;
        }
    }
    Ok(TabCount::capped_at_cap(total))
}

/// A snooze (re)places the thread's wake-up job; unsnoozing or marking it done cancels it. In
/// the triage's own transaction, so the job and the snooze stand or fall together.
async fn schedule_wake(
    tx: &mut Tx,
    tenant: TenantId,
    thread_id: &str,
    change: Triage,
) -> Result<()> {
    match change {
        Triage::Snooze { until } => {
            replace_live_job(tx, tenant, &wake::job(thread_id, until)).await
        }
        Triage::Unsnooze | Triage::Done => {
            cancel_live_job_in(tx, tenant, JobKind::SnoozeWake, thread_id).await
        }
        _ => Ok(()),
    }
}
