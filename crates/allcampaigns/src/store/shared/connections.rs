//! Instantly connections, key checks and secret rotation, written once for both backends.

use async_trait::async_trait;
use chrono::Utc;

use crate::domain::TenantId;
use crate::store::db::{Args, Scope, SqlBacked};
use crate::store::{
    Connection, ConnectionCheck, ConnectionStore, KeyCheck, NewConnection, Result, StoreError,
    StoredSecret, connection_secret, sql,
};

#[async_trait]
impl<S: SqlBacked> ConnectionStore for S {
    #[tracing::instrument(name = "store.save_connection", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn save_connection(
        &self,
        tenant: TenantId,
        connection: &NewConnection,
    ) -> Result<Connection> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(&connection.api_key_envelope)
            .bind(i64::from(connection.key_id))
            .bind(&connection.key_last4)
            .bind(&connection.base_url)
            .bind(&connection.workspace_id)
            .bind(&connection.workspace_name)
            .bind(connection.status.as_str())
            .bind(Utc::now());
        let saved = tx.fetch_one(sql::UPSERT_CONNECTION, args).await?;
        tx.commit().await?;
        Ok(saved)
    }

    #[tracing::instrument(name = "store.connection", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn connection(&self, tenant: TenantId) -> Result<Option<Connection>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        tx.fetch_optional(sql::CONNECTION_BY_TENANT, Args::new().bind(tenant))
            .await
    }

    #[tracing::instrument(name = "store.set_connection_status", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn set_connection_status(&self, tenant: TenantId, check: &ConnectionCheck) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(check.status.as_str())
            .bind(&check.detail)
            .bind(check.checked_at);
        if tx.execute(sql::SET_CONNECTION_STATUS, args).await? == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.delete_connection", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn delete_connection(&self, tenant: TenantId) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        if tx
            .execute(sql::DELETE_CONNECTION, Args::new().bind(tenant))
            .await?
            == 0
        {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.workspace_connected_elsewhere", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn workspace_connected_elsewhere(
        &self,
        tenant: TenantId,
        workspace_id: &str,
    ) -> Result<bool> {
        let query = self
            .db()
            .either(sql::WORKSPACE_IN_USE, sql::WORKSPACE_IN_USE_PG);
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let args = Args::new().bind(workspace_id).bind(tenant);
        tx.scalar(query, args).await
    }

    #[tracing::instrument(name = "store.key_checks", level = "debug", skip_all)]
    async fn key_checks(&self) -> Result<Vec<KeyCheck>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let rows: Vec<(i64, Vec<u8>)> = tx.fetch_all(sql::KEY_CHECKS, Args::new()).await?;
        Ok(rows
            .into_iter()
            .map(|(id, envelope)| KeyCheck {
                key_id: id as u32,
                check_envelope: envelope,
            })
            .collect())
    }

    #[tracing::instrument(name = "store.add_key_check", level = "debug", skip_all)]
    async fn add_key_check(&self, check: &KeyCheck) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new()
            .bind(i64::from(check.key_id))
            .bind(&check.check_envelope)
            .bind(Utc::now());
        tx.execute(sql::INSERT_KEY_CHECK, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.delete_key_check", level = "debug", skip_all)]
    async fn delete_key_check(&self, key_id: u32) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new().bind(i64::from(key_id));
        tx.execute(sql::DELETE_KEY_CHECK, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.secrets_not_under", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn secrets_not_under(&self, tenant: TenantId, key_id: u32) -> Result<Vec<StoredSecret>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(i64::from(key_id));
        let envelopes: Vec<Vec<u8>> = tx.scalars(sql::CONNECTION_SECRETS_NOT_UNDER, args).await?;
        Ok(envelopes
            .into_iter()
            .map(|envelope| connection_secret(tenant, envelope))
            .collect())
    }

    #[tracing::instrument(name = "store.replace_secret", level = "debug", skip_all)]
    async fn replace_secret(
        &self,
        old: &StoredSecret,
        new_envelope: &[u8],
        new_key_id: u32,
    ) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Tenant(old.tenant), true).await?;
        let args = Args::new()
            .bind(old.tenant)
            .bind(&old.envelope)
            .bind(new_envelope)
            .bind(i64::from(new_key_id));
        let replaced = tx.execute(sql::REPLACE_CONNECTION_SECRET, args).await?;
        tx.commit().await?;
        Ok(replaced == 1)
    }

    #[tracing::instrument(name = "store.secret_key_usage", level = "debug", skip_all)]
    async fn secret_key_usage(&self) -> Result<Vec<(u32, i64)>> {
        let query = self
            .db()
            .either(sql::CONNECTION_KEY_USAGE, sql::CONNECTION_KEY_USAGE_PG);
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let rows: Vec<(i64, i64)> = tx.fetch_all(query, Args::new()).await?;
        Ok(rows.into_iter().map(|(id, n)| (id as u32, n)).collect())
    }
}
