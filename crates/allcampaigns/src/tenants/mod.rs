//! Tenants: create (install admins, or the command line), update (owners and admins), delete
//! (owners, with the tenant's exact name typed as confirmation). Pages, the JSON API and the
//! command line all call these, as `(&Services, who acts, the input)`.

pub mod instantly;
pub mod invitations;
pub mod jobs;
pub mod members;

use serde_json::json;

use crate::audit::{self, AuditAction};
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{Role, TenantInput, UserId};
use crate::error::{AppError, AppResult};
use crate::install_admins;
use crate::services::Services;
use crate::store::Tenant;
use crate::text::Problem;

/// Who creates a tenant, which decides who owns it.
pub enum Creator<'a> {
    /// A signed-in install admin, who becomes the owner.
    Person(&'a CurrentUser),
    /// The operator at the command line, naming the owner (or none yet).
    CommandLine { owner: Option<UserId> },
}

/// Creates a tenant and writes `tenant.created`. Refused input is `Invalid` naming the field.
pub async fn create(
    services: &Services<'_>,
    creator: Creator<'_>,
    input: &TenantInput,
) -> AppResult<Tenant> {
    let (owner, actor) = match creator {
        Creator::Person(current) => {
            current.require_unlimited()?;
            install_admins::require(services, current.user.id).await?;
            (Some(current.user.id), Some(current.user.id))
        }
        Creator::CommandLine { owner } => (owner, None),
    };
    let profile = input.validate().map_err(invalid)?;
    let tenant = services.store.create_tenant(owner, &profile).await?;
    let details = match actor {
        Some(_) => json!({"name": tenant.name}),
        None => json!({"name": tenant.name, "via": "command_line"}),
    };
    audit::record_by(
        services.store,
        tenant.id,
        actor,
        AuditAction::TenantCreated,
        None,
        details,
    )
    .await;
    Ok(tenant)
}

/// Replaces the name and client/brand metadata (owners and admins); writes `tenant.updated`.
pub async fn update(
    services: &Services<'_>,
    access: &TenantAccess,
    input: &TenantInput,
) -> AppResult<Tenant> {
    access.require_admin()?;
    let profile = input.validate().map_err(invalid)?;
    let tenant = services
        .store
        .update_tenant(access.tenant, &profile)
        .await?;
    let details = json!({"name": tenant.name});
    let actor = access.current.user.id;
    audit::record(
        services.store,
        tenant.id,
        actor,
        AuditAction::TenantUpdated,
        None,
        details,
    )
    .await;
    Ok(tenant)
}

/// Deletes the tenant; `Invalid { field: "confirm_name" }` when the name does not match.
pub async fn delete(
    services: &Services<'_>,
    access: &TenantAccess,
    confirm_name: &str,
) -> AppResult<()> {
    if access.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let tenant = current(services, access).await?;
    if confirm_name != tenant.name {
        return Err(AppError::Invalid {
            field: "confirm_name",
            problem: Problem::ConfirmName { name: tenant.name },
        });
    }
    services.store.delete_tenant(access.tenant).await?;
    let details = json!({"tenant_id": access.tenant});
    audit::record_user(
        services.store,
        access.current.user.id,
        AuditAction::TenantDeleted,
        details,
    )
    .await;
    Ok(())
}

/// The tenant the caller reached; it can only be missing if it was deleted meanwhile.
pub async fn current(services: &Services<'_>, access: &TenantAccess) -> AppResult<Tenant> {
    services
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)
}

fn invalid((field, problem): (&'static str, Problem)) -> AppError {
    AppError::Invalid { field, problem }
}
