use async_trait::async_trait;
use chrono::Utc;

use super::SqliteStore;
use crate::domain::{Role, TenantId, UserId};
use crate::store::{
    Invitation, Member, NewAuditEntry, Result, StoreError, Tenant, TenantProfile, TenantStore,
    TenantWithRole, member_change_rule, role_after, sql,
};

#[async_trait]
impl TenantStore for SqliteStore {
    async fn create_tenant(
        &self,
        owner: Option<UserId>,
        profile: &TenantProfile,
    ) -> Result<Tenant> {
        let id = TenantId::new();
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let tenant: Tenant = sqlx::query_as(sql::INSERT_TENANT)
            .bind(id)
            .bind(&profile.name)
            .bind(&profile.client_name)
            .bind(&profile.website)
            .bind(&profile.accent_colour)
            .bind(&profile.logo_url)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(owner) = owner {
            sqlx::query(sql::INSERT_MEMBERSHIP)
                .bind(id)
                .bind(owner)
                .bind(Role::Owner.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(tenant)
    }

    async fn tenant(&self, tenant: TenantId) -> Result<Option<Tenant>> {
        Ok(sqlx::query_as(sql::TENANT_BY_ID)
            .bind(tenant)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn update_tenant(&self, tenant: TenantId, profile: &TenantProfile) -> Result<Tenant> {
        sqlx::query_as(sql::UPDATE_TENANT)
            .bind(tenant)
            .bind(&profile.name)
            .bind(&profile.client_name)
            .bind(&profile.website)
            .bind(&profile.accent_colour)
            .bind(&profile.logo_url)
            .bind(Utc::now())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn delete_tenant(&self, tenant: TenantId) -> Result<()> {
        let done = sqlx::query(sql::DELETE_TENANT)
            .bind(tenant)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>> {
        let rows: Vec<TenantWithRole> = sqlx::query_as(sql::TENANTS_OF_USER)
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|row| (row.tenant, row.role)).collect())
    }

    async fn tenant_directory(&self) -> Result<Vec<TenantId>> {
        Ok(
            sqlx::query_scalar("SELECT tenant_id FROM tenants ORDER BY tenant_id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn add_member(&self, tenant: TenantId, user: UserId, role: Role) -> Result<()> {
        sqlx::query(sql::INSERT_MEMBERSHIP)
            .bind(tenant)
            .bind(user)
            .bind(role.as_str())
            .bind(Utc::now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn member_role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>> {
        let role: Option<String> = sqlx::query_scalar(sql::MEMBER_ROLE)
            .bind(tenant)
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        Ok(role.and_then(|r| r.parse().ok()))
    }

    async fn members(&self, tenant: TenantId) -> Result<Vec<Member>> {
        Ok(sqlx::query_as(sql::MEMBERS)
            .bind(tenant)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn set_member_role(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
        by: Role,
    ) -> Result<Role> {
        let mut tx = self.begin_write().await?;
        let previous = guard_member_change(&mut tx, tenant, user, Some(role), by).await?;
        sqlx::query(sql::SET_MEMBER_ROLE)
            .bind(tenant)
            .bind(user)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        void_invitations_of(&mut tx, tenant, user, Some(role)).await?;
        tx.commit().await?;
        Ok(previous)
    }

    async fn remove_member(&self, tenant: TenantId, user: UserId, by: Role) -> Result<Role> {
        let mut tx = self.begin_write().await?;
        let previous = guard_member_change(&mut tx, tenant, user, None, by).await?;
        sqlx::query(sql::DELETE_MEMBERSHIP)
            .bind(tenant)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        void_invitations_of(&mut tx, tenant, user, None).await?;
        tx.commit().await?;
        Ok(previous)
    }

    async fn create_invitation(&self, tenant: TenantId, invitation: &Invitation) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_invitation(&mut tx, tenant, invitation).await?;
        Ok(tx.commit().await?)
    }

    async fn create_invitation_audited(
        &self,
        tenant: TenantId,
        invitation: &Invitation,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_invitation(&mut tx, tenant, invitation).await?;
        insert_audit(&mut tx, tenant, entry).await?;
        Ok(tx.commit().await?)
    }

    async fn invitations(&self, tenant: TenantId) -> Result<Vec<Invitation>> {
        Ok(sqlx::query_as(sql::INVITATIONS)
            .bind(tenant)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn take_invitation(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>> {
        Ok(sqlx::query_as(sql::TAKE_INVITATION)
            .bind(tenant)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn invitation_by_token(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>> {
        Ok(sqlx::query_as(sql::INVITATION_BY_TOKEN)
            .bind(tenant)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn withdraw_invitation(
        &self,
        tenant: TenantId,
        id: uuid::Uuid,
    ) -> Result<Option<Invitation>> {
        Ok(sqlx::query_as(sql::WITHDRAW_INVITATION)
            .bind(tenant)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// Under `BEGIN IMMEDIATE` nobody else writes until commit, so the roles read here stay true.
async fn guard_member_change(
    tx: &mut sqlx::SqliteConnection,
    tenant: TenantId,
    user: UserId,
    next: Option<Role>,
    by: Role,
) -> Result<Role> {
    let current: Option<String> = sqlx::query_scalar(sql::MEMBER_ROLE)
        .bind(tenant)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
    let other_owners: i64 = sqlx::query_scalar(sql::COUNT_OTHER_OWNERS)
        .bind(tenant)
        .bind(user)
        .fetch_one(&mut *tx)
        .await?;
    member_change_rule(current.as_deref(), other_owners, next, by)
}

async fn void_invitations_of(
    tx: &mut sqlx::SqliteConnection,
    tenant: TenantId,
    user: UserId,
    next: Option<Role>,
) -> Result<()> {
    sqlx::query(sql::VOID_INVITATIONS_OF)
        .bind(tenant)
        .bind(user)
        .bind(role_after(next))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn insert_invitation(
    tx: &mut sqlx::SqliteConnection,
    tenant: TenantId,
    invitation: &Invitation,
) -> Result<()> {
    sqlx::query(sql::INSERT_INVITATION)
        .bind(tenant)
        .bind(invitation.id)
        .bind(invitation.email.as_str())
        .bind(invitation.role.as_str())
        .bind(&invitation.token_hash)
        .bind(invitation.invited_by)
        .bind(invitation.created_at)
        .bind(invitation.expires_at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn insert_audit(
    tx: &mut sqlx::SqliteConnection,
    tenant: TenantId,
    entry: &NewAuditEntry,
) -> Result<()> {
    sqlx::query(sql::INSERT_AUDIT)
        .bind(tenant)
        .bind(uuid::Uuid::now_v7())
        .bind(Utc::now())
        .bind(entry.actor)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(sqlx::types::Json(&entry.details))
        .bind(&entry.request_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
