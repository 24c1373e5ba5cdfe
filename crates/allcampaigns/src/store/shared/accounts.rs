//! People, sessions, sign-in links, personal tokens and install admins: global data, written
//! once for both backends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{Email, UserId};
use crate::store::db::{Args, Conn, Scope, SqlBacked};
use crate::store::{
    AccountStore, ApiToken, ConflictKind, InstallAdmin, Profile, Pruned, Result, Session,
    SignInToken, StoreError, TenantStore, User, UserAuditEntry, UserAuditRow, sql,
    user_audit_entry,
};

#[async_trait]
impl<S: SqlBacked> AccountStore for S {
    #[tracing::instrument(name = "store.create_user", level = "debug", skip_all)]
    async fn create_user(&self, email: &Email, display_name: &str) -> Result<User> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new()
            .bind(UserId::new())
            .bind(email.as_str())
            .bind(display_name)
            .bind(Utc::now());
        let user = tx.fetch_one(sql::INSERT_USER, args).await?;
        tx.commit().await?;
        Ok(user)
    }

    #[tracing::instrument(name = "store.user", level = "debug", skip_all)]
    async fn user(&self, id: UserId) -> Result<Option<User>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.fetch_optional(sql::USER_BY_ID, Args::new().bind(id))
            .await
    }

    #[tracing::instrument(name = "store.user_by_email", level = "debug", skip_all)]
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.fetch_optional(sql::USER_BY_EMAIL, Args::new().bind(email.as_str()))
            .await
    }

    #[tracing::instrument(name = "store.update_profile", level = "debug", skip_all)]
    async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<User> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new()
            .bind(id)
            .bind(&profile.display_name)
            .bind(&profile.avatar_url)
            .bind(&profile.theme)
            .bind(&profile.locale)
            .bind(Utc::now());
        let user = tx.fetch_optional(sql::UPDATE_PROFILE, args).await?;
        tx.commit().await?;
        user.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.count_users", level = "debug", skip_all)]
    async fn count_users(&self) -> Result<i64> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.scalar(sql::COUNT_USERS, Args::new()).await
    }

    #[tracing::instrument(name = "store.create_sign_in_token", level = "debug", skip_all)]
    async fn create_sign_in_token(&self, token: &SignInToken) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let void = Args::new().bind(&token.email).bind(&token.purpose);
        tx.execute(sql::VOID_SIGN_IN_TOKENS, void).await?;
        let insert = Args::new()
            .bind(&token.token_hash)
            .bind(&token.email)
            .bind(&token.purpose)
            .bind(token.created_at)
            .bind(token.expires_at);
        tx.execute(sql::INSERT_SIGN_IN_TOKEN, insert).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.consume_sign_in_token", level = "debug", skip_all)]
    async fn consume_sign_in_token(
        &self,
        hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<SignInToken>> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let token: Option<SignInToken> = tx
            .fetch_optional(sql::CONSUME_SIGN_IN_TOKEN, Args::new().bind(hash))
            .await?;
        tx.commit().await?;
        Ok(token.filter(|t| t.expires_at > now))
    }

    #[tracing::instrument(name = "store.sign_in_token", level = "debug", skip_all)]
    async fn sign_in_token(&self, hash: &[u8], now: DateTime<Utc>) -> Result<Option<SignInToken>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let token: Option<SignInToken> = tx
            .fetch_optional(sql::SIGN_IN_TOKEN, Args::new().bind(hash))
            .await?;
        Ok(token.filter(|t| t.expires_at > now))
    }

    #[tracing::instrument(name = "store.create_session", level = "debug", skip_all)]
    async fn create_session(&self, session: &Session) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new()
            .bind(&session.id_hash)
            .bind(session.user_id)
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .bind(session.expires_at);
        tx.execute(sql::INSERT_SESSION, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.session", level = "debug", skip_all)]
    async fn session(&self, id_hash: &[u8]) -> Result<Option<Session>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.fetch_optional(sql::SESSION_BY_HASH, Args::new().bind(id_hash))
            .await
    }

    #[tracing::instrument(name = "store.touch_session", level = "debug", skip_all)]
    async fn touch_session(&self, id_hash: &[u8], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new().bind(id_hash).bind(now);
        tx.execute(sql::TOUCH_SESSION, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.delete_session", level = "debug", skip_all)]
    async fn delete_session(&self, id_hash: &[u8]) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        tx.execute(sql::DELETE_SESSION, Args::new().bind(id_hash))
            .await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.delete_user_sessions", level = "debug", skip_all)]
    async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let deleted = tx
            .execute(sql::DELETE_USER_SESSIONS, Args::new().bind(user))
            .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    #[tracing::instrument(name = "store.append_user_audit", level = "debug", skip_all)]
    async fn append_user_audit(&self, entry: &UserAuditEntry) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new()
            .bind(uuid::Uuid::now_v7())
            .bind(Utc::now())
            .bind(entry.user_id)
            .bind(&entry.action)
            .bind(&entry.details)
            .bind(&entry.request_id);
        tx.execute(sql::INSERT_USER_AUDIT, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.user_audit_entries", level = "debug", skip_all)]
    async fn user_audit_entries(&self, user: UserId) -> Result<Vec<UserAuditEntry>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let rows: Vec<UserAuditRow> = tx
            .fetch_all(sql::USER_AUDIT_ENTRIES, Args::new().bind(user))
            .await?;
        Ok(rows.into_iter().map(user_audit_entry).collect())
    }

    #[tracing::instrument(name = "store.create_api_token", level = "debug", skip_all)]
    async fn create_api_token(&self, token: &ApiToken, token_hash: &[u8]) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new()
            .bind(token.id)
            .bind(token.user_id)
            .bind(&token.name)
            .bind(token_hash)
            .bind(&token.last4)
            .bind(token.created_at)
            .bind(token.expires_at)
            .bind(token.read_only)
            .bind(token.tenant_scope);
        tx.execute(sql::INSERT_API_TOKEN, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.api_token_by_hash", level = "debug", skip_all)]
    async fn api_token_by_hash(&self, token_hash: &[u8]) -> Result<Option<ApiToken>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.fetch_optional(sql::API_TOKEN_BY_HASH, Args::new().bind(token_hash))
            .await
    }

    #[tracing::instrument(name = "store.mark_api_token_used", level = "debug", skip_all)]
    async fn mark_api_token_used(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new().bind(id).bind(now);
        tx.execute(sql::MARK_API_TOKEN_USED, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.api_tokens", level = "debug", skip_all)]
    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.fetch_all(sql::API_TOKENS, Args::new().bind(user)).await
    }

    #[tracing::instrument(name = "store.revoke_api_token", level = "debug", skip_all)]
    async fn revoke_api_token(
        &self,
        user: UserId,
        id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new().bind(id).bind(user).bind(now);
        if tx.execute(sql::REVOKE_API_TOKEN, args).await? == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.revoke_user_api_tokens", level = "debug", skip_all)]
    async fn revoke_user_api_tokens(&self, user: UserId, now: DateTime<Utc>) -> Result<u64> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new().bind(user).bind(now);
        let revoked = tx.execute(sql::REVOKE_USER_API_TOKENS, args).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    #[tracing::instrument(name = "store.prune_expired", level = "debug", skip_all)]
    async fn prune_expired(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<Pruned> {
        // Invitations are tenant rows: row-level security lets this transaction see them only
        // with every tenant allowed.
        let tenants = self.tenant_directory().await?;
        let mut scoped = self.db().begin(Scope::Tenants(&tenants), true).await?;
        let invitations = scoped
            .execute(sql::PRUNE_INVITATIONS, Args::new().bind(now))
            .await?;
        scoped.commit().await?;

        let mut tx = self.db().begin(Scope::Global, true).await?;
        let sessions = Args::new().bind(now).bind(idle_before);
        let sessions = tx.execute(sql::PRUNE_SESSIONS, sessions).await?;
        let sign_in_tokens = tx
            .execute(sql::PRUNE_SIGN_IN_TOKENS, Args::new().bind(now))
            .await?;
        let api_tokens = tx
            .execute(sql::PRUNE_API_TOKENS, Args::new().bind(now))
            .await?;
        tx.commit().await?;
        Ok(Pruned {
            sessions,
            sign_in_tokens,
            invitations,
            api_tokens,
        })
    }

    #[tracing::instrument(name = "store.is_install_admin", level = "debug", skip_all)]
    async fn is_install_admin(&self, user: UserId) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let count: i64 = tx
            .scalar(sql::IS_INSTALL_ADMIN, Args::new().bind(user))
            .await?;
        Ok(count > 0)
    }

    #[tracing::instrument(name = "store.install_admins", level = "debug", skip_all)]
    async fn install_admins(&self) -> Result<Vec<InstallAdmin>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.fetch_all(sql::INSTALL_ADMINS, Args::new()).await
    }

    #[tracing::instrument(name = "store.grant_install_admin", level = "debug", skip_all)]
    async fn grant_install_admin(&self, user: UserId, by: Option<UserId>) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new().bind(user).bind(by).bind(Utc::now());
        let granted = tx.execute(sql::GRANT_INSTALL_ADMIN, args).await?;
        tx.commit().await?;
        Ok(granted > 0)
    }

    #[tracing::instrument(name = "store.revoke_install_admin", level = "debug", skip_all)]
    async fn revoke_install_admin(&self, user: UserId) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        // Two revocations must not each leave "another" admin: SQLite's BEGIN IMMEDIATE already
        // serialises writers; PostgreSQL locks every grant.
        if let Conn::Postgres(conn) = tx.conn() {
            sqlx::query(sql::LOCK_INSTALL_ADMINS).execute(conn).await?;
        }
        let admins: i64 = tx.scalar(sql::COUNT_INSTALL_ADMINS, Args::new()).await?;
        let is_admin: i64 = tx
            .scalar(sql::IS_INSTALL_ADMIN, Args::new().bind(user))
            .await?;
        if is_admin == 0 {
            return Err(StoreError::NotFound);
        }
        if admins <= 1 {
            return Err(StoreError::Conflict(ConflictKind::LastInstallAdmin));
        }
        tx.execute(sql::REVOKE_INSTALL_ADMIN, Args::new().bind(user))
            .await?;
        tx.commit().await
    }
}
