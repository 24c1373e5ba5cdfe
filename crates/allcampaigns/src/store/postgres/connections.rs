use async_trait::async_trait;
use chrono::Utc;

use super::PgStore;
use crate::domain::TenantId;
use crate::store::{
    Connection, ConnectionCheck, ConnectionStore, KeyCheck, NewConnection, Result, StoreError,
    StoredSecret, connection_secret, sql,
};

#[async_trait]
impl ConnectionStore for PgStore {
    async fn save_connection(
        &self,
        tenant: TenantId,
        connection: &NewConnection,
    ) -> Result<Connection> {
        let mut tx = self.scoped(&[tenant]).await?;
        let saved = sqlx::query_as(sql::UPSERT_CONNECTION)
            .bind(tenant)
            .bind(&connection.api_key_envelope)
            .bind(i64::from(connection.key_id))
            .bind(&connection.key_last4)
            .bind(&connection.base_url)
            .bind(&connection.workspace_id)
            .bind(&connection.workspace_name)
            .bind(connection.status.as_str())
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    async fn connection(&self, tenant: TenantId) -> Result<Option<Connection>> {
        let mut tx = self.scoped(&[tenant]).await?;
        Ok(sqlx::query_as(sql::CONNECTION_BY_TENANT)
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?)
    }

    async fn set_connection_status(&self, tenant: TenantId, check: &ConnectionCheck) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        let done = sqlx::query(sql::SET_CONNECTION_STATUS)
            .bind(tenant)
            .bind(check.status.as_str())
            .bind(&check.detail)
            .bind(check.checked_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn delete_connection(&self, tenant: TenantId) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        let done = sqlx::query(sql::DELETE_CONNECTION)
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn workspace_connected_elsewhere(
        &self,
        tenant: TenantId,
        workspace_id: &str,
    ) -> Result<bool> {
        let query = "SELECT app_instantly_workspace_in_use($1, $2)";
        Ok(sqlx::query_scalar(query)
            .bind(workspace_id)
            .bind(tenant)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn key_checks(&self) -> Result<Vec<KeyCheck>> {
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(sql::KEY_CHECKS)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, envelope)| KeyCheck {
                key_id: id as u32,
                check_envelope: envelope,
            })
            .collect())
    }

    async fn add_key_check(&self, check: &KeyCheck) -> Result<()> {
        sqlx::query(sql::INSERT_KEY_CHECK)
            .bind(i64::from(check.key_id))
            .bind(&check.check_envelope)
            .bind(Utc::now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_key_check(&self, key_id: u32) -> Result<()> {
        sqlx::query(sql::DELETE_KEY_CHECK)
            .bind(i64::from(key_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn secrets_not_under(&self, tenant: TenantId, key_id: u32) -> Result<Vec<StoredSecret>> {
        let mut tx = self.scoped(&[tenant]).await?;
        let envelopes: Vec<Vec<u8>> = sqlx::query_scalar(sql::CONNECTION_SECRETS_NOT_UNDER)
            .bind(tenant)
            .bind(i64::from(key_id))
            .fetch_all(&mut *tx)
            .await?;
        Ok(envelopes
            .into_iter()
            .map(|envelope| connection_secret(tenant, envelope))
            .collect())
    }

    async fn replace_secret(
        &self,
        old: &StoredSecret,
        new_envelope: &[u8],
        new_key_id: u32,
    ) -> Result<bool> {
        let mut tx = self.scoped(&[old.tenant]).await?;
        let done = sqlx::query(sql::REPLACE_CONNECTION_SECRET)
            .bind(old.tenant)
            .bind(&old.envelope)
            .bind(new_envelope)
            .bind(i64::from(new_key_id))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counted across every tenant by a definer function that sees every row or raises, so a
    /// policy can never make a used key look unused (review finding 1).
    async fn secret_key_usage(&self) -> Result<Vec<(u32, i64)>> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT key_id, secrets FROM app_secret_key_usage()")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(id, n)| (id as u32, n)).collect())
    }
}
