use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::SqliteStore;
use crate::domain::{Email, UserId};
use crate::store::{
    AccountStore, ApiToken, InstallAdmin, Profile, Pruned, Result, Session, SignInToken,
    StoreError, User, UserAuditEntry, UserAuditRow, sql, user_audit_entry,
};
use crate::text::Problem;

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(&self, email: &Email, display_name: &str) -> Result<User> {
        Ok(sqlx::query_as(sql::INSERT_USER)
            .bind(UserId::new())
            .bind(email.as_str())
            .bind(display_name)
            .bind(Utc::now())
            .fetch_one(&self.pool)
            .await?)
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        Ok(sqlx::query_as(sql::USER_BY_ID)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        Ok(sqlx::query_as(sql::USER_BY_EMAIL)
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<User> {
        sqlx::query_as(sql::UPDATE_PROFILE)
            .bind(id)
            .bind(&profile.display_name)
            .bind(&profile.avatar_url)
            .bind(&profile.theme)
            .bind(&profile.locale)
            .bind(Utc::now())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(sql::COUNT_USERS)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn create_sign_in_token(&self, token: &SignInToken) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(sql::VOID_SIGN_IN_TOKENS)
            .bind(&token.email)
            .bind(&token.purpose)
            .execute(&mut *tx)
            .await?;
        sqlx::query(sql::INSERT_SIGN_IN_TOKEN)
            .bind(&token.token_hash)
            .bind(&token.email)
            .bind(&token.purpose)
            .bind(token.created_at)
            .bind(token.expires_at)
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }

    async fn consume_sign_in_token(
        &self,
        hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<SignInToken>> {
        self.live_sign_in_token(sql::CONSUME_SIGN_IN_TOKEN, hash, now)
            .await
    }

    async fn sign_in_token(&self, hash: &[u8], now: DateTime<Utc>) -> Result<Option<SignInToken>> {
        self.live_sign_in_token(sql::SIGN_IN_TOKEN, hash, now).await
    }

    async fn create_session(&self, session: &Session) -> Result<()> {
        sqlx::query(sql::INSERT_SESSION)
            .bind(&session.id_hash)
            .bind(session.user_id)
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .bind(session.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &[u8]) -> Result<Option<Session>> {
        Ok(sqlx::query_as(sql::SESSION_BY_HASH)
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn touch_session(&self, id_hash: &[u8], now: DateTime<Utc>) -> Result<()> {
        sqlx::query(sql::TOUCH_SESSION)
            .bind(id_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &[u8]) -> Result<()> {
        sqlx::query(sql::DELETE_SESSION)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        let done = sqlx::query(sql::DELETE_USER_SESSIONS)
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn append_user_audit(&self, entry: &UserAuditEntry) -> Result<()> {
        sqlx::query(sql::INSERT_USER_AUDIT)
            .bind(uuid::Uuid::now_v7())
            .bind(Utc::now())
            .bind(entry.user_id)
            .bind(&entry.action)
            .bind(Json(&entry.details))
            .bind(&entry.request_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn user_audit_entries(&self, user: UserId) -> Result<Vec<UserAuditEntry>> {
        let rows: Vec<UserAuditRow> = sqlx::query_as(sql::USER_AUDIT_ENTRIES)
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(user_audit_entry).collect())
    }

    async fn create_api_token(&self, token: &ApiToken, token_hash: &[u8]) -> Result<()> {
        sqlx::query(sql::INSERT_API_TOKEN)
            .bind(token.id)
            .bind(token.user_id)
            .bind(&token.name)
            .bind(token_hash)
            .bind(&token.last4)
            .bind(token.created_at)
            .bind(token.expires_at)
            .bind(token.read_only)
            .bind(token.tenant_scope)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn api_token_by_hash(&self, token_hash: &[u8]) -> Result<Option<ApiToken>> {
        Ok(sqlx::query_as(sql::API_TOKEN_BY_HASH)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn mark_api_token_used(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(sql::MARK_API_TOKEN_USED)
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        Ok(sqlx::query_as(sql::API_TOKENS)
            .bind(user)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn revoke_api_token(
        &self,
        user: UserId,
        id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(sql::REVOKE_API_TOKEN)
            .bind(id)
            .bind(user)
            .bind(now)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn revoke_user_api_tokens(&self, user: UserId, now: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query(sql::REVOKE_USER_API_TOKENS)
            .bind(user)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn prune_expired(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<Pruned> {
        let mut tx = self.begin_write().await?;
        let sessions = sqlx::query(sql::PRUNE_SESSIONS)
            .bind(now)
            .bind(idle_before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sign_in_tokens = sqlx::query(sql::PRUNE_SIGN_IN_TOKENS)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let api_tokens = sqlx::query(sql::PRUNE_API_TOKENS)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let invitations = sqlx::query(sql::PRUNE_INVITATIONS)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(Pruned {
            sessions,
            sign_in_tokens,
            invitations,
            api_tokens,
        })
    }

    async fn is_install_admin(&self, user: UserId) -> Result<bool> {
        let count: i64 = sqlx::query_scalar(sql::IS_INSTALL_ADMIN)
            .bind(user)
            .fetch_one(&self.pool)
            .await?;
        Ok(count > 0)
    }

    async fn install_admins(&self) -> Result<Vec<InstallAdmin>> {
        Ok(sqlx::query_as(sql::INSTALL_ADMINS)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn grant_install_admin(&self, user: UserId, by: Option<UserId>) -> Result<bool> {
        let done = sqlx::query(sql::GRANT_INSTALL_ADMIN)
            .bind(user)
            .bind(by)
            .bind(Utc::now())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn revoke_install_admin(&self, user: UserId) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let admins: i64 = sqlx::query_scalar(sql::COUNT_INSTALL_ADMINS)
            .fetch_one(&mut *tx)
            .await?;
        let is_admin: i64 = sqlx::query_scalar(sql::IS_INSTALL_ADMIN)
            .bind(user)
            .fetch_one(&mut *tx)
            .await?;
        if is_admin == 0 {
            return Err(StoreError::NotFound);
        }
        if admins <= 1 {
            return Err(StoreError::Conflict(Problem::LastInstallAdmin));
        }
        sqlx::query(sql::REVOKE_INSTALL_ADMIN)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }
}

impl SqliteStore {
    /// The token `sql` reads (or takes) by its hash, if it has not expired.
    async fn live_sign_in_token(
        &self,
        sql: &'static str,
        hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<SignInToken>> {
        let token: Option<SignInToken> = sqlx::query_as(sql)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(token.filter(|t| t.expires_at > now))
    }
}
