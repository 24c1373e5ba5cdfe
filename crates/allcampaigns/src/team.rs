//! The rules for changing who works in a tenant, shared by the pages and the JSON API.
//! Managing members is for owners and admins; only an owner makes or unmakes owners; a tenant
//! always keeps an owner.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::app::AppState;
use crate::audit;
use crate::auth::{TenantAccess, hash_token, random_token};
use crate::domain::{Email, Role, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::Mail;
use crate::store::{Invitation, StoreError};
use crate::text::{Lang, Problem};

pub const INVITATION_LIFETIME: Duration = Duration::days(7);

pub async fn invite(
    state: &AppState,
    access: &TenantAccess,
    email: &str,
    role: &str,
) -> AppResult<Invitation> {
    access.require_admin()?;
    let email = Email::parse(email).map_err(|_| AppError::Invalid {
        field: "email",
        problem: Problem::NotAnEmail {
            input: email.chars().take(100).collect(),
        },
    })?;
    let role = parse_role(role)?;
    if role == Role::Owner && access.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let token = random_token();
    let mail = invitation_mail(state, access, &email, role, &token).await?;
    let now = Utc::now();
    let invitation = Invitation {
        id: uuid::Uuid::now_v7(),
        email: email.clone(),
        role,
        token_hash: hash_token(&token),
        invited_by: Some(access.current.user.id),
        created_at: now,
        expires_at: now + INVITATION_LIFETIME,
    };
    match state
        .store
        .create_invitation(access.tenant, &invitation)
        .await
    {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Conflict(Problem::AlreadyInvited {
                email: email.to_string(),
            }));
        }
        other => other?,
    }
    if let Err(error) = state.mailer.send(mail).await {
        tracing::error!(error = format!("{error:#}"), "could not send an invitation");
        take_back(state, access, &invitation).await;
        return Err(AppError::Upstream(Problem::InvitationNotSent));
    }
    let actor = access.current.user.id;
    let details = json!({"role": role});
    audit::record(
        &state.store,
        access.tenant,
        actor,
        "member.invited",
        Some(email.to_string()),
        details,
    )
    .await;
    Ok(invitation)
}

/// The invitation mail, in the inviter's language (the invited person has none yet).
async fn invitation_mail(
    state: &AppState,
    access: &TenantAccess,
    email: &Email,
    role: Role,
    token: &str,
) -> AppResult<Mail> {
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut link = state
        .config
        .public_url
        .join("/invitations/accept")
        .map_err(anyhow::Error::from)?;
    link.query_pairs_mut()
        .append_pair("tenant", &access.tenant.to_string())
        .append_pair("token", token);
    let texts = Lang::of(&access.current.user).texts();
    let words = (texts.mail.invitation)(&tenant.name, texts.role(&role), link.as_str());
    Ok(Mail::to(email, words))
}

/// An invitation nobody received would only block the next attempt: it is removed.
async fn take_back(state: &AppState, access: &TenantAccess, invitation: &Invitation) {
    let taken = state
        .store
        .take_invitation(access.tenant, &invitation.token_hash)
        .await;
    if let Err(error) = taken {
        tracing::error!(error = %error, "could not remove an invitation whose mail failed");
    }
}

fn parse_role(role: &str) -> AppResult<Role> {
    role.parse().map_err(|_| AppError::Invalid {
        field: "role",
        problem: Problem::NotARole {
            input: role.chars().take(40).collect(),
        },
    })
}

pub async fn change_role(
    state: &AppState,
    access: &TenantAccess,
    user: UserId,
    role: &str,
) -> AppResult<()> {
    access.require_admin()?;
    let role = parse_role(role)?;
    let current = state
        .store
        .member_role(access.tenant, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if (role == Role::Owner || current == Role::Owner) && access.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    match state.store.set_member_role(access.tenant, user, role).await {
        Err(StoreError::LastOwner) => {
            return Err(AppError::Conflict(Problem::LastOwnerDemoted));
        }
        other => other?,
    }
    let details = json!({"from": current, "to": role});
    let actor = access.current.user.id;
    audit::record(
        &state.store,
        access.tenant,
        actor,
        "member.role_changed",
        Some(user.to_string()),
        details,
    )
    .await;
    Ok(())
}

pub async fn remove(state: &AppState, access: &TenantAccess, user: UserId) -> AppResult<()> {
    access.require_admin()?;
    let current = state
        .store
        .member_role(access.tenant, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if current == Role::Owner && access.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    match state.store.remove_member(access.tenant, user).await {
        Err(StoreError::LastOwner) => {
            return Err(AppError::Conflict(Problem::LastOwnerRemoved));
        }
        other => other?,
    }
    let details = json!({"role": current});
    let actor = access.current.user.id;
    audit::record(
        &state.store,
        access.tenant,
        actor,
        "member.removed",
        Some(user.to_string()),
        details,
    )
    .await;
    Ok(())
}
