//! Who works in a tenant: changing roles and removing members (`/t/{id}/members`,
//! `/api/v1/tenants/{id}/members`). Managing members is for owners and admins; only an owner
//! makes or unmakes owners; a tenant always keeps an owner. Invitations are in
//! [`super::invitations`].

use serde_json::json;

use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::domain::{Role, UserId};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::StoreError;
use crate::text::Problem;

/// Security review finding 21: a client representative sees the names and roles of the
/// agency's staff, not their addresses; other clients' addresses and every address for the
/// agency's own roles stay visible.
pub fn shows_address(viewer: Role, member: &crate::store::Member) -> bool {
    viewer != Role::Client || member.role == Role::Client
}

pub(super) fn parse_role(role: &str) -> AppResult<Role> {
    role.parse().map_err(|_| AppError::Invalid {
        field: "role",
        problem: Problem::NotARole {
            input: role.chars().take(40).collect(),
        },
    })
}

/// The role checks run in the store's transaction (security review finding 16), so a role
/// that changes meanwhile cannot slip past "only owners touch owners".
pub async fn change_role(
    services: &Services<'_>,
    access: &TenantAccess,
    user: UserId,
    role: &str,
) -> AppResult<()> {
    access.require_admin()?;
    let role = parse_role(role)?;
    let store = services.store;
    let previous = match store
        .set_member_role(access.tenant, user, role, access.role)
        .await
    {
        Err(StoreError::LastOwner) => {
            return Err(AppError::Conflict(Problem::LastOwnerDemoted));
        }
        other => other?,
    };
    let details = json!({"from": previous, "to": role});
    let actor = access.current.user.id;
    audit::record(
        store,
        access.tenant,
        actor,
        AuditAction::MemberRoleChanged,
        Some(user.to_string()),
        details,
    )
    .await;
    Ok(())
}

pub async fn remove(services: &Services<'_>, access: &TenantAccess, user: UserId) -> AppResult<()> {
    access.require_admin()?;
    let store = services.store;
    let previous = match store.remove_member(access.tenant, user, access.role).await {
        Err(StoreError::LastOwner) => {
            return Err(AppError::Conflict(Problem::LastOwnerRemoved));
        }
        other => other?,
    };
    let details = json!({"role": previous});
    let actor = access.current.user.id;
    audit::record(
        store,
        access.tenant,
        actor,
        AuditAction::MemberRemoved,
        Some(user.to_string()),
        details,
    )
    .await;
    Ok(())
}
