//! Accepting an invitation (security review findings 3, 4 and 17). The invitation is taken
//! once; it counts only while the person who sent it may still grant its role; it creates an
//! account only for an address that has none; and the audit says whether a membership was
//! made.

use chrono::Utc;
use serde_json::json;

use crate::app::AppState;
use crate::audit;
use crate::auth::hash_token;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::store::{Invitation, StoreError, User};

/// What accepting did.
#[derive(Debug)]
pub struct Accepted {
    pub user: User,
    /// The account was made by this acceptance (the invitation proved the address).
    pub new_account: bool,
}

/// An open, unexpired invitation, left in place (what the accept page shows).
pub async fn peek(state: &AppState, tenant: TenantId, token: &str) -> AppResult<Invitation> {
    let invitation = state
        .store
        .invitation_by_token(tenant, &hash_token(token))
        .await?
        .filter(|invitation| invitation.expires_at > Utc::now())
        .ok_or(AppError::LinkUsed)?;
    Ok(invitation)
}

/// Takes the invitation and binds the membership; `LinkUsed` for a used, withdrawn or expired
/// one, or one whose sender can no longer grant its role.
pub async fn accept(state: &AppState, tenant: TenantId, token: &str) -> AppResult<Accepted> {
    let invitation = state
        .store
        .take_invitation(tenant, &hash_token(token))
        .await?
        .filter(|invitation| invitation.expires_at > Utc::now())
        .ok_or(AppError::LinkUsed)?;
    if !sender_may_still_grant(state, tenant, &invitation).await? {
        audit::record_system(
            &state.store,
            tenant,
            "invitation.refused_sender_lost_role",
            json!({"role": invitation.role, "invitation_id": invitation.id}),
        )
        .await;
        return Err(AppError::LinkUsed);
    }
    let (user, new_account) = match state.store.user_by_email(&invitation.email).await? {
        Some(user) => (user, false),
        None => (state.store.create_user(&invitation.email, "").await?, true),
    };
    let action = match state
        .store
        .add_member(tenant, user.id, invitation.role)
        .await
    {
        Ok(()) => "member.joined",
        Err(StoreError::Conflict(_)) => "invitation.accepted_existing_member",
        Err(other) => return Err(other.into()),
    };
    audit::record(
        &state.store,
        tenant,
        user.id,
        action,
        Some(user.email.to_string()),
        json!({"role": invitation.role}),
    )
    .await;
    Ok(Accepted { user, new_account })
}

/// Security review finding 3: the sender must still be a member whose role may grant this one.
async fn sender_may_still_grant(
    state: &AppState,
    tenant: TenantId,
    invitation: &Invitation,
) -> AppResult<bool> {
    let Some(sender) = invitation.invited_by else {
        return Ok(false);
    };
    let role = state.store.member_role(tenant, sender).await?;
    Ok(role.is_some_and(|role| role.may_grant(invitation.role)))
}
