//! Install admins: who may create tenants (security review finding 2). The first owner (the
//! setup link) is one, the command line can make one, and install admins grant and revoke the
//! right for others. Each change is in the user audit log of both people.

use serde_json::json;

use crate::audit::{self, AuditAction};
use crate::domain::{Email, UserId};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::{DynStore, User};
use crate::text::Problem;

/// `Forbidden` unless `user` is an install admin.
pub async fn require(services: &Services<'_>, user: UserId) -> AppResult<()> {
    if services.store.is_install_admin(user).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Grants the right to the account with address `email`.
pub async fn grant(services: &Services<'_>, actor: &User, email: &str) -> AppResult<User> {
    require(services, actor.id).await?;
    let store = services.store;
    let email = Email::parse(email).map_err(|_| AppError::Invalid {
        field: "email",
        problem: Problem::NotAnEmail {
            input: email.chars().take(100).collect(),
        },
    })?;
    let user = store
        .user_by_email(&email)
        .await?
        .ok_or_else(|| AppError::Invalid {
            field: "email",
            problem: Problem::NoAccountFor {
                email: email.to_string(),
            },
        })?;
    if store.grant_install_admin(user.id, Some(actor.id)).await? {
        record(store, actor.id, user.id, AuditAction::InstallAdminGranted).await;
    }
    Ok(user)
}

/// Revokes the right; never from the last install admin.
pub async fn revoke(services: &Services<'_>, actor: &User, user: UserId) -> AppResult<()> {
    require(services, actor.id).await?;
    let store = services.store;
    store.revoke_install_admin(user).await?;
    record(store, actor.id, user, AuditAction::InstallAdminRevoked).await;
    Ok(())
}

async fn record(store: &DynStore, actor: UserId, user: UserId, action: AuditAction) {
    let details = json!({"user_id": user, "by": actor});
    audit::record_user(store, actor, action, details.clone()).await;
    if actor != user {
        audit::record_user(store, user, action, details).await;
    }
}
