use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::PgStore;
use crate::domain::TenantId;
use crate::store::{
    AuditEntry, AuditFilter, AuditStore, NewAuditEntry, RequestLogEntry, Result, sql,
};

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(&self, tenant: TenantId, entry: &NewAuditEntry) -> Result<AuditEntry> {
        let mut tx = self.scoped(&[tenant]).await?;
        let entry = sqlx::query_as(sql::INSERT_AUDIT)
            .bind(tenant)
            .bind(uuid::Uuid::now_v7())
            .bind(Utc::now())
            .bind(entry.actor)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(Json(&entry.details))
            .bind(&entry.request_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(entry)
    }

    async fn audit_entries(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>> {
        let mut tx = self.scoped(&[tenant]).await?;
        Ok(sqlx::query_as(sql::AUDIT_ENTRIES)
            .bind(tenant)
            .bind(&filter.action)
            .bind(filter.actor)
            .bind(filter.since)
            .bind(filter.until)
            .bind(filter.limit.clamp(1, 1000))
            .fetch_all(&mut *tx)
            .await?)
    }

    async fn insert_request_log(&self, entries: &[RequestLogEntry]) -> Result<()> {
        let columns = RequestLogColumns::from(entries);
        sqlx::query(
            "INSERT INTO request_log (at, ip, user_agent, method, route, status, duration_ms) \
             SELECT * FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], \
                                  $6::int4[], $7::int4[])",
        )
        .bind(columns.at)
        .bind(columns.ip)
        .bind(columns.user_agent)
        .bind(columns.method)
        .bind(columns.route)
        .bind(columns.status)
        .bind(columns.duration_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
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

/// Request-log entries as columns, for one `UNNEST` insert per batch.
#[derive(Default)]
struct RequestLogColumns {
    at: Vec<DateTime<Utc>>,
    ip: Vec<Option<String>>,
    user_agent: Vec<Option<String>>,
    method: Vec<String>,
    route: Vec<String>,
    status: Vec<i32>,
    duration_ms: Vec<i32>,
}

impl From<&[RequestLogEntry]> for RequestLogColumns {
    fn from(entries: &[RequestLogEntry]) -> Self {
        let mut columns = Self::default();
        for entry in entries {
            columns.at.push(entry.at);
            columns.ip.push(entry.ip.clone());
            columns.user_agent.push(entry.user_agent.clone());
            columns.method.push(entry.method.clone());
            columns.route.push(entry.route.clone());
            columns.status.push(i32::from(entry.status));
            columns
                .duration_ms
                .push(i32::try_from(entry.duration_ms).unwrap_or(i32::MAX));
        }
        columns
    }
}
