//! Storage for the Instantly copy, written once for both backends. The page statements come
//! from `sync_sql` in each backend's dialect; each page is fenced by its job's lease in
//! `job_queue`.

use async_trait::async_trait;
use chrono::Utc;
use sqlx::AssertSqlSafe;

use super::search_index::index_threads;
use crate::domain::TenantId;
use crate::jobs::Lease;
use crate::store::db::{Args, Db, Param, Scope, SqlBacked, Tx};
use crate::store::sync_sql::{self, Dialect, Statement};
use crate::store::sync_tables::ALL_TABLES;
use crate::store::{
    Backend, Result, StoreError, StreamState, SyncStore, Table, Write, sql, stream_state_write,
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
        lease: Option<&Lease>,
        writes: &[Write],
        state: &StreamState,
    ) -> Result<u64> {
        apply_in_one(self.db(), tenant, lease, writes, Some(state)).await
    }

    #[tracing::instrument(name = "store.apply_part", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn apply_part(
        &self,
        tenant: TenantId,
        lease: Option<&Lease>,
        writes: &[Write],
    ) -> Result<u64> {
        apply_in_one(self.db(), tenant, lease, writes, None).await
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
}

/// A page's writes (and the stream's state, when given) in one transaction, fenced by the lease.
async fn apply_in_one(
    db: &Db,
    tenant: TenantId,
    lease: Option<&Lease>,
    writes: &[Write],
    state: Option<&StreamState>,
) -> Result<u64> {
    let now = Utc::now();
    let dialect = dialect(db.backend());
    let mut tx = db.begin_background(Scope::Tenant(tenant)).await?;
    if dialect == Dialect::Postgres {
        // Sync fills tables from empty: a plan cached while a table was tiny (a sequential
        // scan) would be kept as it grows. Plan each statement for the table as it is now.
        tx.execute(sql::PLAN_EACH_STATEMENT, Args::new()).await?;
    }
    if let Some(lease) = lease {
        let until = chrono::Duration::from_std(lease.renew)
            .ok()
            .and_then(|renew| now.checked_add_signed(renew))
            .unwrap_or(now);
        let args = Args::new()
            .bind(tenant)
            .bind(lease.job)
            .bind(&lease.token)
            .bind(Param::SyncTime(until));
        if lease.tenant != tenant || tx.execute(sql::RENEW_JOB_LEASE, args).await? == 0 {
            return Err(StoreError::LeaseLost);
        }
    }
    let mut changed = 0;
    for write in writes {
        changed += run(&mut tx, tenant, sync_sql::statement(dialect, write, now)).await?;
        if let Write::RefreshThreads { thread_ids } = write {
            index_threads(&mut tx, tenant, thread_ids).await?;
        }
    }
    if let Some(state) = state {
        let state = stream_state_write(state, now);
        run(&mut tx, tenant, sync_sql::statement(dialect, &state, now)).await?;
    }
    tx.commit().await?;
    Ok(changed)
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
