//! Tenants, members and invitations, written once for both backends. Member changes read and
//! write under one transaction that keeps the roles read true until commit: `BEGIN IMMEDIATE`
//! on SQLite, row locks on PostgreSQL.

use async_trait::async_trait;
use chrono::Utc;
use sqlx::AssertSqlSafe;

use super::audit::audit_args;
use crate::domain::{Role, TenantId, UserId};
use crate::store::db::{Args, Conn, Scope, SqlBacked, Tx};
use crate::store::{
    Backend, Invitation, Member, NewAuditEntry, Result, StoreError, Tenant, TenantMember,
    TenantProfile, TenantStore, TenantWithRole, member_change_rule, postgres, role_after, sql,
};

#[async_trait]
impl<S: SqlBacked> TenantStore for S {
    #[tracing::instrument(name = "store.create_tenant", level = "debug", skip_all)]
    async fn create_tenant(
        &self,
        owner: Option<UserId>,
        profile: &TenantProfile,
    ) -> Result<Tenant> {
        let id = TenantId::new();
        let now = Utc::now();
        let mut tx = self.db().begin(Scope::Tenant(id), true).await?;
        let tenant: Tenant = tx
            .fetch_one(sql::INSERT_TENANT, profile_args(id, profile).bind(now))
            .await?;
        if let Some(owner) = owner {
            let args = Args::new()
                .bind(id)
                .bind(owner)
                .bind(Role::Owner.as_str())
                .bind(now);
            tx.execute(sql::INSERT_MEMBERSHIP, args).await?;
        }
        tx.commit().await?;
        Ok(tenant)
    }

    #[tracing::instrument(name = "store.tenant", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn tenant(&self, tenant: TenantId) -> Result<Option<Tenant>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        tx.fetch_optional(sql::TENANT_BY_ID, Args::new().bind(tenant))
            .await
    }

    #[tracing::instrument(name = "store.update_tenant", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn update_tenant(&self, tenant: TenantId, profile: &TenantProfile) -> Result<Tenant> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = profile_args(tenant, profile).bind(Utc::now());
        let updated = tx.fetch_optional(sql::UPDATE_TENANT, args).await?;
        tx.commit().await?;
        updated.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(name = "store.delete_tenant", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn delete_tenant(&self, tenant: TenantId) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        if tx
            .execute(sql::DELETE_TENANT, Args::new().bind(tenant))
            .await?
            == 0
        {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.tenants_of_user", level = "debug", skip_all)]
    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>> {
        let mut tx = self.db().begin(Scope::User(user), false).await?;
        // PostgreSQL's policies show a person their memberships first, then those tenants.
        if let Conn::Postgres(conn) = tx.conn() {
            return postgres::tenants_of_user(conn, user).await;
        }
        let rows: Vec<TenantWithRole> = tx
            .fetch_all(sql::TENANTS_OF_USER, Args::new().bind(user))
            .await?;
        Ok(rows.into_iter().map(|row| (row.tenant, row.role)).collect())
    }

    #[tracing::instrument(name = "store.tenant_directory", level = "debug", skip_all)]
    async fn tenant_directory(&self) -> Result<Vec<TenantId>> {
        let query = self
            .db()
            .either(sql::TENANT_DIRECTORY, sql::TENANT_DIRECTORY_PG);
        let mut tx = self.db().begin(Scope::Global, false).await?;
        tx.scalars(query, Args::new()).await
    }

    #[tracing::instrument(name = "store.add_member", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn add_member(&self, tenant: TenantId, user: UserId, role: Role) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(user)
            .bind(role.as_str())
            .bind(Utc::now());
        tx.execute(sql::INSERT_MEMBERSHIP, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.member_role", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn member_role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(user);
        let role: Option<(String,)> = tx.fetch_optional(sql::MEMBER_ROLE, args).await?;
        Ok(role.and_then(|(r,)| r.parse().ok()))
    }

    #[tracing::instrument(name = "store.members", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn members(&self, tenant: TenantId) -> Result<Vec<Member>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        tx.fetch_all(sql::MEMBERS, Args::new().bind(tenant)).await
    }

    async fn members_of_tenants(&self, tenants: &[TenantId]) -> Result<Vec<TenantMember>> {
        if tenants.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.db().begin(Scope::Tenants(tenants), false).await?;
        let (args, list) = Args::new().bind_list(tenants);
        let statement = sql::MEMBERS_OF_TENANTS.replace("{tenants}", &list);
        tx.fetch_all(AssertSqlSafe(statement), args).await
    }

    #[tracing::instrument(name = "store.set_member_role", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn set_member_role(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
        by: Role,
    ) -> Result<Role> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let previous = guard_member_change(&mut tx, tenant, user, Some(role), by).await?;
        let args = Args::new().bind(tenant).bind(user).bind(role.as_str());
        tx.execute(sql::SET_MEMBER_ROLE, args).await?;
        void_invitations_of(&mut tx, tenant, user, Some(role)).await?;
        tx.commit().await?;
        Ok(previous)
    }

    #[tracing::instrument(name = "store.remove_member", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn remove_member(&self, tenant: TenantId, user: UserId, by: Role) -> Result<Role> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let previous = guard_member_change(&mut tx, tenant, user, None, by).await?;
        let args = Args::new().bind(tenant).bind(user);
        tx.execute(sql::DELETE_MEMBERSHIP, args).await?;
        void_invitations_of(&mut tx, tenant, user, None).await?;
        tx.commit().await?;
        Ok(previous)
    }

    #[tracing::instrument(name = "store.create_invitation", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn create_invitation(&self, tenant: TenantId, invitation: &Invitation) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(sql::INSERT_INVITATION, invitation_args(tenant, invitation))
            .await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.create_invitation_audited", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn create_invitation_audited(
        &self,
        tenant: TenantId,
        invitation: &Invitation,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(sql::INSERT_INVITATION, invitation_args(tenant, invitation))
            .await?;
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.invitations", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn invitations(&self, tenant: TenantId) -> Result<Vec<Invitation>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        tx.fetch_all(sql::INVITATIONS, Args::new().bind(tenant))
            .await
    }

    #[tracing::instrument(name = "store.take_invitation", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn take_invitation(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new().bind(tenant).bind(token_hash);
        let taken = tx.fetch_optional(sql::TAKE_INVITATION, args).await?;
        tx.commit().await?;
        Ok(taken)
    }

    #[tracing::instrument(name = "store.invitation_by_token", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn invitation_by_token(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(token_hash);
        tx.fetch_optional(sql::INVITATION_BY_TOKEN, args).await
    }

    #[tracing::instrument(name = "store.withdraw_invitation", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn withdraw_invitation(
        &self,
        tenant: TenantId,
        id: uuid::Uuid,
    ) -> Result<Option<Invitation>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new().bind(tenant).bind(id);
        let withdrawn = tx.fetch_optional(sql::WITHDRAW_INVITATION, args).await?;
        tx.commit().await?;
        Ok(withdrawn)
    }
}

/// `$1` the tenant, then the profile's fields in `INSERT_TENANT` / `UPDATE_TENANT` order.
fn profile_args(tenant: TenantId, profile: &TenantProfile) -> Args {
    Args::new()
        .bind(tenant)
        .bind(&profile.name)
        .bind(&profile.client_name)
        .bind(&profile.website)
        .bind(&profile.accent_colour)
        .bind(&profile.logo_url)
}

fn invitation_args(tenant: TenantId, invitation: &Invitation) -> Args {
    Args::new()
        .bind(tenant)
        .bind(invitation.id)
        .bind(invitation.email.as_str())
        .bind(invitation.role.as_str())
        .bind(&invitation.token_hash)
        .bind(invitation.invited_by)
        .bind(invitation.created_at)
        .bind(invitation.expires_at)
}

/// Reads the roles a member change depends on so that they stay true until commit: SQLite's
/// `BEGIN IMMEDIATE` keeps every other writer out; PostgreSQL row-locks the owners and the
/// member, so two concurrent changes can neither both remove "another" owner nor act on a role
/// that changed meanwhile (security review finding 16).
async fn guard_member_change(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    next: Option<Role>,
    by: Role,
) -> Result<Role> {
    let read_role = match tx.backend() {
        Backend::Sqlite => sql::MEMBER_ROLE,
        Backend::Postgres => {
            tx.execute(sql::LOCK_OWNERS, Args::new().bind(tenant))
                .await?;
            sql::MEMBER_ROLE_FOR_UPDATE
        }
    };
    let args = Args::new().bind(tenant).bind(user);
    let current: Option<(String,)> = tx.fetch_optional(read_role, args).await?;
    let args = Args::new().bind(tenant).bind(user);
    let other_owners: i64 = tx.scalar(sql::COUNT_OTHER_OWNERS, args).await?;
    member_change_rule(current.map(|(r,)| r).as_deref(), other_owners, next, by)
}

async fn void_invitations_of(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    next: Option<Role>,
) -> Result<()> {
    let args = Args::new().bind(tenant).bind(user).bind(role_after(next));
    tx.execute(sql::VOID_INVITATIONS_OF, args).await?;
    Ok(())
}
