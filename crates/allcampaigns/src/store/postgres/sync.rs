use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Postgres, Transaction};

use super::PgStore;
use crate::domain::TenantId;
use crate::store::sync_sql::{self, Dialect, Param, Statement, iso};
use crate::store::sync_tables::ALL_TABLES;
use crate::store::{
    Job, JobInfo, Result, StoreError, StreamState, SyncStore, Table, TenantStore, Write,
    stream_state_write,
};

const DIALECT: Dialect = Dialect::Postgres;

async fn run(
    tx: &mut Transaction<'static, Postgres>,
    tenant: TenantId,
    statement: Statement,
) -> Result<u64> {
    let mut query = sqlx::query(AssertSqlSafe(statement.sql)).bind(tenant);
    for param in statement.params {
        query = match param {
            Param::Json(value) => query.bind(Json(value)),
            Param::Text(text) => query.bind(text),
        };
    }
    Ok(query.execute(&mut **tx).await?.rows_affected())
}

#[async_trait]
impl SyncStore for PgStore {
    async fn stream_states(&self, tenant: TenantId) -> Result<Vec<StreamState>> {
        Ok(sqlx::query_as(crate::store::sql::STREAM_STATES)
            .bind(tenant)
            .fetch_all(&mut *self.scoped(&[tenant]).await?)
            .await?)
    }

    async fn save_stream_state(&self, tenant: TenantId, state: &StreamState) -> Result<()> {
        self.apply(tenant, None, &[], state).await.map(|_| ())
    }

    async fn apply(
        &self,
        tenant: TenantId,
        lease: Option<&Job>,
        writes: &[Write],
        state: &StreamState,
    ) -> Result<u64> {
        let now = Utc::now();
        let mut tx = self.scoped(&[tenant]).await?;
        // Sync fills tables from empty: a plan cached while a table was tiny (a sequential
        // scan) would be kept as it grows. Plan each statement for the table as it is now.
        sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
            .execute(&mut *tx)
            .await?;
        if let Some(job) = lease {
            // First statement is a write: the transaction holds the write lock from here on.
            let renewed = sqlx::query(AssertSqlSafe(sync_sql::renew_lease(DIALECT)))
                .bind(tenant)
                .bind(&job.kind)
                .bind(&job.token)
                .bind(iso(now + job.lease))
                .execute(&mut *tx)
                .await?;
            if renewed.rows_affected() == 0 {
                return Err(StoreError::LeaseLost);
            }
        }
        let mut changed = 0;
        for write in writes {
            changed += run(&mut tx, tenant, sync_sql::statement(DIALECT, write, now)).await?;
        }
        let state = stream_state_write(state, now);
        run(&mut tx, tenant, sync_sql::statement(DIALECT, &state, now)).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn stored_counts(&self, tenant: TenantId) -> Result<Vec<(Table, i64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(sync_sql::counts()))
            .bind(tenant)
            .fetch_all(&mut *self.scoped(&[tenant]).await?)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(index, n)| Some((*ALL_TABLES.get(index as usize)?, n)))
            .collect())
    }

    async fn fingerprints(&self, tenant: TenantId, table: Table) -> Result<Vec<(String, i64)>> {
        let sql = sync_sql::fingerprints(table);
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(tenant)
            .fetch_all(&mut *self.scoped(&[tenant]).await?)
            .await?)
    }

    async fn suppressed_hashes(&self, tenant: TenantId) -> Result<Vec<Vec<u8>>> {
        Ok(sqlx::query_scalar(crate::store::sql::SUPPRESSED_HASHES)
            .bind(tenant)
            .fetch_all(&mut *self.scoped(&[tenant]).await?)
            .await?)
    }

    async fn add_suppression(&self, tenant: TenantId, email_hash: &[u8]) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        sqlx::query(crate::store::sql::ADD_SUPPRESSION)
            .bind(tenant)
            .bind(email_hash)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn schedule_job(
        &self,
        tenant: TenantId,
        kind: &str,
        run_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        sqlx::query(crate::store::sql::SCHEDULE_JOB)
            .bind(tenant)
            .bind(kind)
            .bind(run_at)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_job(
        &self,
        kind: &str,
        tenant: Option<TenantId>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>> {
        let token = uuid::Uuid::new_v4().to_string();
        // The queue spans tenants: the claim may see every tenant's job row (ids and times only).
        let tenants = match tenant {
            Some(tenant) => vec![tenant],
            None => self.tenant_directory().await?,
        };
        let mut tx = self.scoped(&tenants).await?;
        let claimed: Option<(TenantId, i64)> = sqlx::query_as(PG_CLAIM)
            .bind(kind)
            .bind(tenant)
            .bind(now)
            .bind(lease_until)
            .bind(&token)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(claimed.map(|(tenant, attempts)| Job {
            tenant,
            kind: kind.to_owned(),
            token,
            attempts,
            lease: (lease_until - now).to_std().unwrap_or_default(),
        }))
    }

    async fn finish_job(
        &self,
        job: &Job,
        next_run_at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.scoped(&[job.tenant]).await?;
        let done = sqlx::query(crate::store::sql::FINISH_JOB)
            .bind(job.tenant)
            .bind(&job.kind)
            .bind(&job.token)
            .bind(next_run_at)
            .bind(error)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn job(&self, tenant: TenantId, kind: &str) -> Result<Option<JobInfo>> {
        Ok(sqlx::query_as(crate::store::sql::JOB_INFO)
            .bind(tenant)
            .bind(kind)
            .fetch_optional(&mut *self.scoped(&[tenant]).await?)
            .await?)
    }

    async fn cancel_job(&self, tenant: TenantId, kind: &str) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        sqlx::query(crate::store::sql::CANCEL_JOB)
            .bind(tenant)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

const PG_CLAIM: &str = "UPDATE jobs SET locked_by = $5, locked_until = $4, \
     attempts = attempts + 1 \
     WHERE (tenant_id, kind) = (SELECT tenant_id, kind FROM jobs \
         WHERE kind = $1 AND ($2::uuid IS NULL OR tenant_id = $2) AND run_at <= $3 \
           AND (locked_until IS NULL OR locked_until < $3) \
         ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
     RETURNING tenant_id, attempts";
