use async_trait::async_trait;
use chrono::Utc;

use super::PgStore;
use crate::domain::{Role, TenantId, UserId};
use crate::store::{
    Invitation, Member, NewAuditEntry, Result, StoreError, Tenant, TenantProfile, TenantStore,
    member_change_rule, role_after, sql,
};

#[async_trait]
impl TenantStore for PgStore {
    async fn create_tenant(
        &self,
        owner: Option<UserId>,
        profile: &TenantProfile,
    ) -> Result<Tenant> {
        let id = TenantId::new();
        let now = Utc::now();
        let mut tx = self.scoped(&[id]).await?;
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
        let mut tx = self.scoped(&[tenant]).await?;
        Ok(sqlx::query_as(sql::TENANT_BY_ID)
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?)
    }

    async fn update_tenant(&self, tenant: TenantId, profile: &TenantProfile) -> Result<Tenant> {
        let mut tx = self.scoped(&[tenant]).await?;
        let updated = sqlx::query_as(sql::UPDATE_TENANT)
            .bind(tenant)
            .bind(&profile.name)
            .bind(&profile.client_name)
            .bind(&profile.website)
            .bind(&profile.accent_colour)
            .bind(&profile.logo_url)
            .bind(Utc::now())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn delete_tenant(&self, tenant: TenantId) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        let done = sqlx::query(sql::DELETE_TENANT)
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

    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>> {
        let mut tx = self.as_user(user).await?;
        let memberships: Vec<(TenantId, String)> =
            sqlx::query_as("SELECT tenant_id, role FROM memberships WHERE user_id = $1")
                .bind(user)
                .fetch_all(&mut *tx)
                .await?;
        let ids: Vec<TenantId> = memberships.iter().map(|(id, _)| *id).collect();
        let allowed = ids
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query("SELECT set_config('app.tenant_ids', $1, true)")
            .bind(allowed)
            .execute(&mut *tx)
            .await?;
        let tenants: Vec<Tenant> = sqlx::query_as(
            "SELECT tenant_id, name, client_name, website, accent_colour, logo_url, created_at, \
             updated_at FROM tenants WHERE tenant_id = ANY($1) ORDER BY lower(name)",
        )
        .bind(ids.iter().map(TenantId::as_uuid).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await?;
        Ok(tenants
            .into_iter()
            .filter_map(|tenant| {
                let role = memberships
                    .iter()
                    .find(|(id, _)| *id == tenant.id)?
                    .1
                    .parse()
                    .ok()?;
                Some((tenant, role))
            })
            .collect())
    }

    async fn tenant_directory(&self) -> Result<Vec<TenantId>> {
        Ok(sqlx::query_scalar("SELECT app_tenant_directory()")
            .fetch_all(&self.pool)
            .await?)
    }

    async fn add_member(&self, tenant: TenantId, user: UserId, role: Role) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        sqlx::query(sql::INSERT_MEMBERSHIP)
            .bind(tenant)
            .bind(user)
            .bind(role.as_str())
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        Ok(tx.commit().await?)
    }

    async fn member_role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>> {
        let mut tx = self.scoped(&[tenant]).await?;
        let role: Option<String> = sqlx::query_scalar(sql::MEMBER_ROLE)
            .bind(tenant)
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
        Ok(role.and_then(|r| r.parse().ok()))
    }

    async fn members(&self, tenant: TenantId) -> Result<Vec<Member>> {
        let mut tx = self.scoped(&[tenant]).await?;
        Ok(sqlx::query_as(sql::MEMBERS)
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?)
    }

    async fn set_member_role(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
        by: Role,
    ) -> Result<Role> {
        let mut tx = self.scoped(&[tenant]).await?;
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
        let mut tx = self.scoped(&[tenant]).await?;
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
        let mut tx = self.scoped(&[tenant]).await?;
        insert_invitation(&mut tx, tenant, invitation).await?;
        Ok(tx.commit().await?)
    }

    async fn create_invitation_audited(
        &self,
        tenant: TenantId,
        invitation: &Invitation,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.scoped(&[tenant]).await?;
        insert_invitation(&mut tx, tenant, invitation).await?;
        insert_audit(&mut tx, tenant, entry).await?;
        Ok(tx.commit().await?)
    }

    async fn invitations(&self, tenant: TenantId) -> Result<Vec<Invitation>> {
        let mut tx = self.scoped(&[tenant]).await?;
        Ok(sqlx::query_as(sql::INVITATIONS)
            .bind(tenant)
            .fetch_all(&mut *tx)
            .await?)
    }

    async fn take_invitation(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>> {
        let mut tx = self.scoped(&[tenant]).await?;
        let taken = sqlx::query_as(sql::TAKE_INVITATION)
            .bind(tenant)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(taken)
    }

    async fn invitation_by_token(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>> {
        let mut tx = self.scoped(&[tenant]).await?;
        Ok(sqlx::query_as(sql::INVITATION_BY_TOKEN)
            .bind(tenant)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?)
    }

    async fn withdraw_invitation(
        &self,
        tenant: TenantId,
        id: uuid::Uuid,
    ) -> Result<Option<Invitation>> {
        let mut tx = self.scoped(&[tenant]).await?;
        let withdrawn = sqlx::query_as(sql::WITHDRAW_INVITATION)
            .bind(tenant)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(withdrawn)
    }
}

/// Row-locks the owners and the member, so two concurrent changes can neither both remove
/// "another" owner nor act on a role that changed meanwhile (security review finding 16).
async fn guard_member_change(
    tx: &mut sqlx::PgConnection,
    tenant: TenantId,
    user: UserId,
    next: Option<Role>,
    by: Role,
) -> Result<Role> {
    sqlx::query("SELECT 1 FROM memberships WHERE tenant_id = $1 AND role = 'owner' FOR UPDATE")
        .bind(tenant)
        .execute(&mut *tx)
        .await?;
    let current: Option<String> = sqlx::query_scalar(sql::MEMBER_ROLE_FOR_UPDATE)
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
    tx: &mut sqlx::PgConnection,
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
    tx: &mut sqlx::PgConnection,
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
    tx: &mut sqlx::PgConnection,
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
