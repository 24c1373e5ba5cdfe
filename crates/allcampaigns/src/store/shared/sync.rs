//! Storage for the Instantly copy and the job queue, written once for both backends. The page
//! statements come from `sync_sql` in each backend's dialect; job times bind as
//! [`Param::SyncTime`], which SQLite compares as text.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::domain::TenantId;
use crate::store::db::{Args, Param, Scope, SqlBacked, Tx};
use crate::store::sync_sql::{self, Dialect, Statement};
use crate::store::sync_tables::ALL_TABLES;
use crate::store::{
    Backend, Job, JobInfo, Result, StoreError, StreamState, SyncStore, Table, TenantStore, Write,
    sql, stream_state_write,
};

#[async_trait]
impl<S: SqlBacked> SyncStore for S {
    #[tracing::instrument(name = "store.stream_states", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn stream_states(&self, tenant: TenantId) -> Result<Vec<StreamState>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        tx.fetch_all(sql::STREAM_STATES, Args::new().bind(tenant))
            .await
    }

    #[tracing::instrument(name = "store.save_stream_state", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn save_stream_state(&self, tenant: TenantId, state: &StreamState) -> Result<()> {
        self.apply(tenant, None, &[], state).await.map(|_| ())
    }

    #[tracing::instrument(name = "store.apply", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn apply(
        &self,
        tenant: TenantId,
        lease: Option<&Job>,
        writes: &[Write],
        state: &StreamState,
    ) -> Result<u64> {
        let now = Utc::now();
        let dialect = dialect(self.db().backend());
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        if dialect == Dialect::Postgres {
            // Sync fills tables from empty: a plan cached while a table was tiny (a sequential
            // scan) would be kept as it grows. Plan each statement for the table as it is now.
            tx.execute(sql::PLAN_EACH_STATEMENT, Args::new()).await?;
        }
        if let Some(job) = lease {
            let args = Args::new()
                .bind(tenant)
                .bind(&job.kind)
                .bind(&job.token)
                .bind(Param::SyncTime(now + job.lease));
            let renewed = tx
                .execute(AssertSqlSafe(sync_sql::renew_lease(dialect)), args)
                .await?;
            if renewed == 0 {
                return Err(StoreError::LeaseLost);
            }
        }
        let mut changed = 0;
        for write in writes {
            changed += run(&mut tx, tenant, sync_sql::statement(dialect, write, now)).await?;
        }
        let state = stream_state_write(state, now);
        run(&mut tx, tenant, sync_sql::statement(dialect, &state, now)).await?;
        tx.commit().await?;
        Ok(changed)
    }

    #[tracing::instrument(name = "store.stored_counts", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn stored_counts(&self, tenant: TenantId) -> Result<Vec<(Table, i64)>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<(i64, i64)> = tx
            .fetch_all(AssertSqlSafe(sync_sql::counts()), Args::new().bind(tenant))
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(index, n)| Some((*ALL_TABLES.get(index as usize)?, n)))
            .collect())
    }

    #[tracing::instrument(name = "store.fingerprints", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn fingerprints(&self, tenant: TenantId, table: Table) -> Result<Vec<(String, i64)>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let query = AssertSqlSafe(sync_sql::fingerprints(table));
        tx.fetch_all(query, Args::new().bind(tenant)).await
    }

    #[tracing::instrument(name = "store.suppressed_hashes", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn suppressed_hashes(&self, tenant: TenantId) -> Result<Vec<Vec<u8>>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        tx.scalars(sql::SUPPRESSED_HASHES, Args::new().bind(tenant))
            .await
    }

    #[tracing::instrument(name = "store.add_suppression", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn add_suppression(&self, tenant: TenantId, email_hash: &[u8]) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new().bind(tenant).bind(email_hash).bind(Utc::now());
        tx.execute(sql::ADD_SUPPRESSION, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.schedule_job", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn schedule_job(
        &self,
        tenant: TenantId,
        kind: &str,
        run_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(kind)
            .bind(Param::SyncTime(run_at))
            .bind(Param::SyncTime(Utc::now()));
        tx.execute(sql::SCHEDULE_JOB, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.claim_job", level = "debug", skip_all)]
    async fn claim_job(
        &self,
        kind: &str,
        tenant: Option<TenantId>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>> {
        let token = uuid::Uuid::new_v4().to_string();
        // The queue spans tenants. SQLite claims with one UPDATE … RETURNING under its write
        // lock, so two claimers never both see the job free; PostgreSQL skips rows another
        // claimer holds, and its claim may see every tenant's job row (ids and times only).
        let everyone;
        let (scope, claim) = match (tenant, self.db().backend()) {
            (Some(tenant), Backend::Sqlite) => (Scope::Tenant(tenant), sql::CLAIM_JOB),
            (None, Backend::Sqlite) => (Scope::Global, sql::CLAIM_JOB),
            (Some(tenant), Backend::Postgres) => (Scope::Tenant(tenant), sql::CLAIM_JOB_PG),
            (None, Backend::Postgres) => {
                everyone = self.tenant_directory().await?;
                (Scope::Tenants(&everyone), sql::CLAIM_JOB_PG)
            }
        };
        let mut tx = self.db().begin(scope, true).await?;
        let args = Args::new()
            .bind(kind)
            .bind(tenant)
            .bind(Param::SyncTime(now))
            .bind(Param::SyncTime(lease_until))
            .bind(&token);
        let claimed: Option<(TenantId, i64)> = tx.fetch_optional(claim, args).await?;
        tx.commit().await?;
        Ok(claimed.map(|(tenant, attempts)| Job {
            tenant,
            kind: kind.to_owned(),
            token,
            attempts,
            lease: (lease_until - now).to_std().unwrap_or_default(),
        }))
    }

    #[tracing::instrument(name = "store.finish_job", level = "debug", skip_all)]
    async fn finish_job(
        &self,
        job: &Job,
        next_run_at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Tenant(job.tenant), true).await?;
        let args = Args::new()
            .bind(job.tenant)
            .bind(&job.kind)
            .bind(&job.token)
            .bind(Param::SyncTime(next_run_at))
            .bind(error);
        let finished = tx.execute(sql::FINISH_JOB, args).await?;
        tx.commit().await?;
        Ok(finished == 1)
    }

    #[tracing::instrument(name = "store.job", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn job(&self, tenant: TenantId, kind: &str) -> Result<Option<JobInfo>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(kind);
        tx.fetch_optional(sql::JOB_INFO, args).await
    }

    #[tracing::instrument(name = "store.cancel_job", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn cancel_job(&self, tenant: TenantId, kind: &str) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new().bind(tenant).bind(kind);
        tx.execute(sql::CANCEL_JOB, args).await?;
        tx.commit().await
    }
}

fn dialect(backend: Backend) -> Dialect {
    match backend {
        Backend::Sqlite => Dialect::Sqlite,
        Backend::Postgres => Dialect::Postgres,
    }
}

/// One page statement: `$1` is always the tenant.
async fn run(tx: &mut Tx, tenant: TenantId, statement: Statement) -> Result<u64> {
    let args = statement
        .params
        .into_iter()
        .fold(Args::new().bind(tenant), Args::bind);
    tx.execute(AssertSqlSafe(statement.sql), args).await
}
