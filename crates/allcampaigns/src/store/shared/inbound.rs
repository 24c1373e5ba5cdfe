//! Inbound hooks and their events, written once for both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit::audit_args;
use crate::domain::{TenantId, UserId};
use crate::inbound::{InboundEvent, InboundHook, InboundStore, NewHook};
use crate::store::db::{Args, Scope, SqlBacked};
use crate::store::inbound_sql as q;
use crate::store::{NewAuditEntry, Result, StoreError, sql};

#[async_trait]
impl<S: SqlBacked> InboundStore for S {
    #[tracing::instrument(name = "store.inbound_hook_by_digest", level = "debug", skip_all)]
    async fn inbound_hook_by_digest(
        &self,
        path_digest: &[u8],
    ) -> Result<Option<(TenantId, Vec<u8>)>> {
        let query = self.db().either(q::HOOK_BY_DIGEST, q::HOOK_BY_DIGEST_PG);
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.fetch_optional(query, Args::new().bind(path_digest))
            .await
    }

    #[tracing::instrument(name = "store.inbound_hook", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn inbound_hook(&self, tenant: TenantId) -> Result<Option<InboundHook>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let row: Option<HookRow> = tx.fetch_optional(q::HOOK, Args::new().bind(tenant)).await?;
        Ok(row.map(HookRow::into_hook))
    }

    #[tracing::instrument(name = "store.put_inbound_hook", level = "debug", skip_all, fields(tenant = %new.hook.tenant))]
    async fn put_inbound_hook(&self, new: &NewHook, entry: &NewAuditEntry) -> Result<()> {
        let hook = &new.hook;
        let mut tx = self.db().begin(Scope::Tenant(hook.tenant), true).await?;
        tx.execute(q::DELETE_HOOK, Args::new().bind(hook.tenant))
            .await?;
        let args = Args::new()
            .bind(hook.tenant)
            .bind(&new.path_digest)
            .bind(&new.header_digest)
            .bind(&hook.instantly_webhook_id)
            .bind(hook.created_by)
            .bind(hook.created_at);
        tx.execute(q::INSERT_HOOK, args).await?;
        tx.execute(sql::INSERT_AUDIT, audit_args(hook.tenant, entry))
            .await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.delete_inbound_hook", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn delete_inbound_hook(&self, tenant: TenantId, entry: &NewAuditEntry) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        if tx.execute(q::DELETE_HOOK, Args::new().bind(tenant)).await? == 0 {
            return Err(StoreError::NotFound);
        }
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.record_inbound_event", level = "debug", skip_all, fields(tenant = %event.tenant))]
    async fn record_inbound_event(&self, event: &InboundEvent) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Tenant(event.tenant), true).await?;
        let args = Args::new()
            .bind(event.tenant)
            .bind(event.id)
            .bind(&event.dedupe_key)
            .bind(&event.event_type)
            .bind(&event.email_id)
            .bind(&event.lead_email)
            .bind(&event.occurred_at)
            .bind(&event.payload)
            .bind(event.received_at);
        let stored = tx.execute(q::INSERT_EVENT, args).await?;
        tx.commit().await?;
        Ok(stored > 0)
    }

    #[tracing::instrument(name = "store.prune_inbound_events", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn prune_inbound_events(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        batch: u32,
    ) -> Result<u64> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new().bind(tenant).bind(before).bind(i64::from(batch));
        let deleted = tx.execute(q::PRUNE_EVENTS, args).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    #[tracing::instrument(name = "store.inbound_events", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn inbound_events(
        &self,
        tenant: TenantId,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<InboundEvent>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(before.map(|(at, _)| at))
            .bind(before.map(|(_, id)| id))
            .bind(i64::from(limit));
        let rows: Vec<EventRow> = tx.fetch_all(q::EVENTS, args).await?;
        Ok(rows.into_iter().map(EventRow::into_event).collect())
    }
}

#[derive(sqlx::FromRow)]
struct HookRow {
    tenant_id: TenantId,
    instantly_webhook_id: Option<String>,
    created_by: Option<UserId>,
    created_at: DateTime<Utc>,
}

impl HookRow {
    fn into_hook(self) -> InboundHook {
        InboundHook {
            tenant: self.tenant_id,
            instantly_webhook_id: self.instantly_webhook_id,
            created_by: self.created_by,
            created_at: self.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    tenant_id: TenantId,
    event_id: Uuid,
    dedupe_key: String,
    event_type: String,
    email_id: Option<String>,
    lead_email: Option<String>,
    occurred_at: Option<String>,
    payload: String,
    received_at: DateTime<Utc>,
}

impl EventRow {
    fn into_event(self) -> InboundEvent {
        InboundEvent {
            tenant: self.tenant_id,
            id: self.event_id,
            dedupe_key: self.dedupe_key,
            event_type: self.event_type,
            email_id: self.email_id,
            lead_email: self.lead_email,
            occurred_at: self.occurred_at,
            payload: self.payload,
            received_at: self.received_at,
        }
    }
}
