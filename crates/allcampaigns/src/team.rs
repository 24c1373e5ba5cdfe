//! The rules for changing who works in a tenant, shared by the pages and the JSON API.
//! Managing members is for owners and admins; only an owner makes or unmakes owners; a tenant
//! always keeps an owner. Invitations are rate limited, can be withdrawn, and die with their
//! sender's right to grant them (accepting is in [`crate::invitations`]).

use std::time::Instant;

use chrono::{Duration, Utc};
use serde_json::json;

use crate::app::AppState;
use crate::audit;
use crate::auth::{TenantAccess, hash_token, random_token};
use crate::domain::{Email, Role, UserId, is_allowed_in_name};
use crate::error::{AppError, AppResult};
use crate::mail::Mail;
use crate::store::{Invitation, NewAuditEntry, StoreError};
use crate::text::{Lang, Problem};

pub const INVITATION_LIFETIME: Duration = Duration::days(7);

/// Security review finding 21: a client representative sees the names and roles of the
/// agency's staff, not their addresses; other clients' addresses and every address for the
/// agency's own roles stay visible.
pub fn shows_address(viewer: Role, member: &crate::store::Member) -> bool {
    viewer != Role::Client || member.role == Role::Client
}

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
    if !access.role.may_grant(role) {
        return Err(AppError::Forbidden);
    }
    check_invite_limits(state, access, &email)?;
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
    let entry = NewAuditEntry {
        actor: Some(access.current.user.id),
        action: "member.invited".into(),
        target: Some(email.to_string()),
        details: json!({"role": role, "invitation_id": invitation.id}),
        request_id: None,
    };
    let store = &state.store;
    match store
        .create_invitation_audited(access.tenant, &invitation, &entry)
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
    Ok(invitation)
}

/// Security review finding 2: per inviting person, per tenant and per invited address (across
/// tenants), so nobody can use the agency's mail to flood an address.
fn check_invite_limits(state: &AppState, access: &TenantAccess, email: &Email) -> AppResult<()> {
    let limits = &state.invite_limits;
    let now = Instant::now();
    let checks = [
        (&limits.per_actor, access.current.user.id.to_string()),
        (&limits.per_tenant, access.tenant.to_string()),
        (&limits.per_address, email.as_str().to_string()),
    ];
    for (limiter, key) in checks {
        limiter
            .check(&key, now)
            .map_err(|refusal| AppError::TooManyRequests {
                retry_after: refusal.retry_after,
            })?;
    }
    Ok(())
}

/// Withdraws an open invitation (admins; owner invitations only by owners), audited.
pub async fn withdraw(
    state: &AppState,
    access: &TenantAccess,
    invitation: uuid::Uuid,
) -> AppResult<()> {
    access.require_admin()?;
    let open = state.store.invitations(access.tenant).await?;
    let found = open
        .into_iter()
        .find(|open| open.id == invitation)
        .ok_or(AppError::NotFound)?;
    if !access.role.may_grant(found.role) {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .withdraw_invitation(access.tenant, invitation)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        &state.store,
        access.tenant,
        access.current.user.id,
        "invitation.withdrawn",
        Some(found.email.to_string()),
        json!({"role": found.role, "invitation_id": found.id}),
    )
    .await;
    Ok(())
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
    let texts = Lang::from_code(&access.current.user.locale).texts();
    // Names saved before they were checked may still hold line breaks (security review
    // finding 10); none reaches the mail.
    let name: String = tenant
        .name
        .chars()
        .filter(|c| is_allowed_in_name(*c))
        .collect();
    Ok(Mail::invitation(email, texts, &name, role, link.as_str())?)
}

/// An invitation nobody received would only block the next attempt: it is removed, and the
/// audit (which recorded it with the invitation) says so.
async fn take_back(state: &AppState, access: &TenantAccess, invitation: &Invitation) {
    let taken = state
        .store
        .take_invitation(access.tenant, &invitation.token_hash)
        .await;
    if let Err(error) = taken {
        tracing::error!(error = %error, "could not remove an invitation whose mail failed");
        return;
    }
    audit::record(
        &state.store,
        access.tenant,
        access.current.user.id,
        "invitation.not_sent",
        Some(invitation.email.to_string()),
        json!({"role": invitation.role, "invitation_id": invitation.id}),
    )
    .await;
}

fn parse_role(role: &str) -> AppResult<Role> {
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
    state: &AppState,
    access: &TenantAccess,
    user: UserId,
    role: &str,
) -> AppResult<()> {
    access.require_admin()?;
    let role = parse_role(role)?;
    let store = &state.store;
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
        "member.role_changed",
        Some(user.to_string()),
        details,
    )
    .await;
    Ok(())
}

pub async fn remove(state: &AppState, access: &TenantAccess, user: UserId) -> AppResult<()> {
    access.require_admin()?;
    let store = &state.store;
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
        "member.removed",
        Some(user.to_string()),
        details,
    )
    .await;
    Ok(())
}
