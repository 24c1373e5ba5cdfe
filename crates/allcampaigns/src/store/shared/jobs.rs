//! Storage for the general job queue, written once for both backends. Claims differ: SQLite
//! leases with one `UPDATE … RETURNING`, PostgreSQL through the `app_claim_job` definer function
//! (`FOR UPDATE SKIP LOCKED`), which answers ids only; the job is then read in its tenant's
//! scope. On PostgreSQL whatever makes a job due also sends `pg_notify` in its transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use crate::domain::TenantId;
use crate::jobs::{Job, JobKind, JobState, JobStore, NewJob};
use crate::store::db::{Args, Db, Engine, Param, Scope, SqlBacked, Tx};
use crate::store::postgres::{JOB_CHANNEL, JobNotices};
use crate::store::{Backend, Result, StoreError, sql};

#[async_trait]
impl<S: SqlBacked> JobStore for S {
    async fn enqueue(&self, tenant: TenantId, job: &NewJob) -> Result<Job> {
        let id = Uuid::now_v7();
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(sql::ENQUEUE_JOB, insert_args(tenant, id, job))
            .await?;
        notify(&mut tx, job.kind.as_str()).await?;
        let stored = read(&mut tx, tenant, id).await?;
        tx.commit().await?;
        stored.ok_or(StoreError::NotFound)
    }

    async fn enqueue_or_advance(&self, tenant: TenantId, job: &NewJob) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = insert_args(tenant, Uuid::now_v7(), job);
        tx.execute(sql::ENQUEUE_OR_ADVANCE_JOB, args).await?;
        notify(&mut tx, job.kind.as_str()).await?;
        tx.commit().await
    }

    async fn lease_next_job(
        &self,
        kind: JobKind,
        tenant: Option<TenantId>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>> {
        let (scope, claim) = match (tenant, self.db().backend()) {
            (Some(tenant), Backend::Sqlite) => (Scope::Tenant(tenant), sql::LEASE_NEXT_JOB),
            (None, Backend::Sqlite) => (Scope::Global, sql::LEASE_NEXT_JOB),
            // The definer function sees every tenant's job ids; the caller's scope stays empty.
            (_, Backend::Postgres) => (Scope::Global, sql::LEASE_NEXT_JOB_PG),
        };
        let mut tx = self.db().begin(scope, true).await?;
        let args = Args::new()
            .bind(kind.as_str())
            .bind(tenant)
            .bind(Param::SyncTime(now))
            .bind(Param::SyncTime(lease_until))
            .bind(Uuid::new_v4().to_string());
        let claimed: Option<(TenantId, Uuid)> = tx.fetch_optional(claim, args).await?;
        let Some((tenant, id)) = claimed else {
            return Ok(None);
        };
        tx.narrow_to(tenant).await?;
        let job = read(&mut tx, tenant, id).await?;
        tx.commit().await?;
        Ok(job)
    }

    async fn complete_job(&self, job: &Job) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(job.tenant), true).await?;
        let args = Args::new()
            .bind(job.tenant)
            .bind(job.id)
            .bind(&job.lease_token)
            .bind(Param::SyncTime(Utc::now()));
        if tx.execute(sql::COMPLETE_JOB, args).await? != 1 {
            return Err(StoreError::LeaseLost);
        }
        tx.commit().await
    }

    async fn requeue_job(&self, job: &Job, run_at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(job.tenant), true).await?;
        let args = Args::new()
            .bind(job.tenant)
            .bind(job.id)
            .bind(&job.lease_token)
            .bind(Param::SyncTime(run_at))
            .bind(Param::SyncTime(Utc::now()))
            .bind(Param::SyncTime(job.run_at));
        if tx.execute(sql::REQUEUE_JOB, args).await? != 1 {
            return Err(StoreError::LeaseLost);
        }
        // Asked for again while it ran, it may be due now whatever `run_at` says: idle lanes
        // look (a requeue is once a cycle, so the notice costs nothing).
        notify(&mut tx, job.kind.as_str()).await?;
        tx.commit().await
    }

    async fn fail_job(&self, job: &Job, error: &str, retry_at: DateTime<Utc>) -> Result<JobState> {
        let mut tx = self.db().begin(Scope::Tenant(job.tenant), true).await?;
        let args = Args::new()
            .bind(job.tenant)
            .bind(job.id)
            .bind(&job.lease_token)
            .bind(Param::SyncTime(retry_at))
            .bind(error)
            .bind(Param::SyncTime(Utc::now()));
        let state: Option<String> = tx.scalars(sql::FAIL_JOB, args).await?.into_iter().next();
        let state = state.ok_or(StoreError::LeaseLost)?;
        tx.commit().await?;
        state_named(&state)
    }

    async fn cancel_queued_job(&self, tenant: TenantId, id: Uuid) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(id)
            .bind(Param::SyncTime(Utc::now()));
        change_one(self.db(), tenant, sql::CANCEL_QUEUED_JOB, args).await
    }

    async fn retry_dead_job(&self, tenant: TenantId, id: Uuid) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(id)
            .bind(Param::SyncTime(Utc::now()));
        let kind: Vec<String> = tx.scalars(sql::RETRY_DEAD_JOB, args).await?;
        let kind = kind.first().ok_or(StoreError::NotFound)?;
        notify(&mut tx, kind).await?;
        tx.commit().await
    }

    async fn dead_jobs(&self, tenant: TenantId) -> Result<Vec<Job>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<JobRow> = tx
            .fetch_all(sql::DEAD_JOBS, Args::new().bind(tenant))
            .await?;
        rows.into_iter().map(JobRow::into_job).collect()
    }

    async fn jobs_in_state(
        &self,
        tenant: TenantId,
        state: JobState,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(state.as_str()).bind(limit);
        let rows: Vec<JobRow> = tx.fetch_all(sql::JOBS_IN_STATE, args).await?;
        rows.into_iter().map(JobRow::into_job).collect()
    }

    async fn queued_job(&self, tenant: TenantId, id: Uuid) -> Result<Option<Job>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        read(&mut tx, tenant, id).await
    }

    async fn live_job(&self, tenant: TenantId, kind: JobKind, key: &str) -> Result<Option<Job>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(kind.as_str()).bind(key);
        let row: Option<JobRow> = tx.fetch_optional(sql::LIVE_JOB, args).await?;
        row.map(JobRow::into_job).transpose()
    }

    async fn cancel_live_job(&self, tenant: TenantId, kind: JobKind, key: &str) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        cancel_live_job_in(&mut tx, tenant, kind, key).await?;
        tx.commit().await
    }

    async fn prune_finished_jobs(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let before = Args::new().bind(Param::SyncTime(before));
        let pruned = match tx.backend() {
            Backend::Sqlite => tx.execute(sql::PRUNE_FINISHED_JOBS, before).await?,
            Backend::Postgres => {
                let pruned: i64 = tx.scalar(sql::PRUNE_FINISHED_JOBS_PG, before).await?;
                u64::try_from(pruned).unwrap_or_default()
            }
        };
        tx.commit().await?;
        Ok(pruned)
    }

    async fn listen_for_jobs(&self) -> Result<Option<JobNotices>> {
        match self.db().engine() {
            Engine::Postgres(pool) => JobNotices::listen(pool, JOB_CHANNEL).await.map(Some),
            Engine::Sqlite(..) => Ok(None),
        }
    }
}

/// `$1` … `$8` of both inserts.
pub(super) fn insert_args(tenant: TenantId, id: Uuid, job: &NewJob) -> Args {
    Args::new()
        .bind(tenant)
        .bind(id)
        .bind(job.kind.as_str())
        .bind(&job.payload)
        .bind(&job.unique_key)
        .bind(Param::SyncTime(job.run_at))
        .bind(i64::from(job.max_attempts))
        .bind(Param::SyncTime(Utc::now()))
}

/// Tells idle runners on every node, once the transaction commits (PostgreSQL `NOTIFY`). SQLite
/// has no such channel: a runner wakes its own lanes when it enqueues, and polls.
pub(super) async fn notify(tx: &mut Tx, kind: &str) -> Result<()> {
    if tx.backend() == Backend::Postgres {
        let args = Args::new().bind(JOB_CHANNEL).bind(kind);
        tx.execute(sql::NOTIFY, args).await?;
    }
    Ok(())
}

/// Runs a statement that must change exactly one of the tenant's jobs, else `NotFound`.
async fn change_one(db: &Db, tenant: TenantId, statement: &'static str, args: Args) -> Result<()> {
    let mut tx = db.begin(Scope::Tenant(tenant), true).await?;
    if tx.execute(statement, args).await? != 1 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await
}

async fn read(tx: &mut Tx, tenant: TenantId, id: Uuid) -> Result<Option<Job>> {
    let row: Option<JobRow> = tx
        .fetch_optional(sql::QUEUED_JOB, Args::new().bind(tenant).bind(id))
        .await?;
    row.map(JobRow::into_job).transpose()
}

#[derive(sqlx::FromRow)]
struct JobRow {
    tenant_id: TenantId,
    job_id: Uuid,
    kind: String,
    payload: Json<serde_json::Value>,
    unique_key: Option<String>,
    state: String,
    run_at: DateTime<Utc>,
    attempts: i64,
    max_attempts: i64,
    lease_until: Option<DateTime<Utc>>,
    lease_token: Option<String>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl JobRow {
    fn into_job(self) -> Result<Job> {
        let kind = JobKind::from_name(&self.kind).ok_or_else(|| unknown("job kind", &self.kind))?;
        Ok(Job {
            id: self.job_id,
            tenant: self.tenant_id,
            kind,
            payload: self.payload.0,
            unique_key: self.unique_key,
            state: state_named(&self.state)?,
            run_at: self.run_at,
            attempts: self.attempts,
            max_attempts: self.max_attempts,
            lease_until: self.lease_until,
            lease_token: self.lease_token,
            last_error: self.last_error,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn state_named(name: &str) -> Result<JobState> {
    JobState::from_name(name).ok_or_else(|| unknown("job state", name))
}

/// A value this build does not know (written by a newer version, say).
fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("unknown {what} `{value}`").into(),
    ))
}

/// In the caller's transaction: cancels the live job with `job`'s unique key, if any, and
/// enqueues `job` in its place, so its time may move either way (a snooze moved later or
/// earlier). Its holder, if one runs it now, loses its lease.
pub(super) async fn replace_live_job(tx: &mut Tx, tenant: TenantId, job: &NewJob) -> Result<()> {
    if let Some(key) = &job.unique_key {
        cancel_live_job_in(tx, tenant, job.kind, key).await?;
    }
    tx.execute(sql::ENQUEUE_JOB, insert_args(tenant, Uuid::now_v7(), job))
        .await?;
    notify(tx, job.kind.as_str()).await
}

/// In the caller's transaction: cancels the live job of `kind` with unique key `key`, if any.
pub(super) async fn cancel_live_job_in(
    tx: &mut Tx,
    tenant: TenantId,
    kind: JobKind,
    key: &str,
) -> Result<()> {
    let args = Args::new()
        .bind(tenant)
        .bind(kind.as_str())
        .bind(key)
        .bind(Param::SyncTime(Utc::now()));
    tx.execute(sql::CANCEL_LIVE_JOB, args).await?;
    Ok(())
}
