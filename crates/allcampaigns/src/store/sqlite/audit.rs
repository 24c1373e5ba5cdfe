use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::SqliteStore;
use crate::domain::TenantId;
use crate::store::{
    AuditEntry, AuditFilter, AuditStore, NewAuditEntry, RequestLogEntry, Result, sql,
};

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, tenant: TenantId, entry: &NewAuditEntry) -> Result<AuditEntry> {
        Ok(sqlx::query_as(sql::INSERT_AUDIT)
            .bind(tenant)
            .bind(uuid::Uuid::now_v7())
            .bind(Utc::now())
            .bind(entry.actor)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(Json(&entry.details))
            .bind(&entry.request_id)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn audit_entries(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(sql::AUDIT_ENTRIES)
            .bind(tenant)
            .bind(&filter.action)
            .bind(filter.actor)
            .bind(filter.since)
            .bind(filter.until)
            .bind(filter.limit.clamp(1, 1000))
            .fetch_all(&self.pool)
            .await?)
    }

    async fn insert_request_log(&self, entries: &[RequestLogEntry]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for entry in entries {
            sqlx::query(sql::INSERT_REQUEST_LOG)
                .bind(entry.at)
                .bind(&entry.ip)
                .bind(&entry.user_agent)
                .bind(&entry.method)
                .bind(&entry.route)
                .bind(i32::from(entry.status))
                .bind(i64::from(entry.duration_ms))
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx.commit().await?)
    }

    async fn prune_request_log(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(sqlx::query(sql::PRUNE_REQUEST_LOG)
            .bind(before)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    async fn count_request_log(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(sql::COUNT_REQUEST_LOG)
            .fetch_one(&self.pool)
            .await?)
    }
}
