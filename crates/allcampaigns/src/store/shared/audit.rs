//! The per-tenant audit trail and the operational request log, written once for both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::TenantId;
use crate::store::db::{Args, Conn, Scope, SqlBacked};
use crate::store::{
    AuditEntry, AuditFilter, AuditStore, NewAuditEntry, RequestLogEntry, Result, postgres, sql,
};

#[async_trait]
impl<S: SqlBacked> AuditStore for S {
    #[tracing::instrument(name = "store.append_audit", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn append_audit(&self, tenant: TenantId, entry: &NewAuditEntry) -> Result<AuditEntry> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let entry = tx
            .fetch_one(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await?;
        Ok(entry)
    }

    #[tracing::instrument(name = "store.audit_entries", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn audit_entries(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(&filter.action)
            .bind(filter.actor)
            .bind(filter.since)
            .bind(filter.until)
            .bind(filter.limit.clamp(1, 1000));
        tx.fetch_all(sql::AUDIT_ENTRIES, args).await
    }

    #[tracing::instrument(name = "store.insert_request_log", level = "debug", skip_all)]
    async fn insert_request_log(&self, entries: &[RequestLogEntry]) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        if let Conn::Postgres(conn) = tx.conn() {
            postgres::insert_request_log(conn, entries).await?;
        } else {
            for entry in entries {
                let args = Args::new()
                    .bind(entry.at)
                    .bind(&entry.ip)
                    .bind(&entry.user_agent)
                    .bind(&entry.method)
                    .bind(&entry.route)
                    .bind(i64::from(entry.status))
                    .bind(i64::from(entry.duration_ms));
                tx.execute(sql::INSERT_REQUEST_LOG, args).await?;
            }
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.prune_request_log", level = "debug", skip_all)]
    async fn prune_request_log(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let pruned = tx
            .execute(sql::PRUNE_REQUEST_LOG, Args::new().bind(before))
            .await?;
        tx.commit().await?;
        Ok(pruned)
    }

    #[tracing::instrument(name = "store.count_request_log", level = "debug", skip_all)]
    async fn count_request_log(&self) -> Result<i64> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.scalar(sql::COUNT_REQUEST_LOG, Args::new()).await
    }
}

/// The parameters of `sql::INSERT_AUDIT`, so an action can write its entry in its own
/// transaction.
pub(crate) fn audit_args(tenant: TenantId, entry: &NewAuditEntry) -> Args {
    Args::new()
        .bind(tenant)
        .bind(uuid::Uuid::now_v7())
        .bind(Utc::now())
        .bind(entry.actor)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(&entry.details)
        .bind(&entry.request_id)
}
