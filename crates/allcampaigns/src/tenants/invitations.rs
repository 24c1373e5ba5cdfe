//! Invitations (`/t/{id}/members`, `/api/v1/tenants/{id}/invitations`, `/invitations/accept`):
//! sending, withdrawing and accepting. Sending is for owners and admins, rate limited (security
//! review finding 2). Accepting (findings 3, 4 and 17) takes the invitation once; it counts only
//! while the person who sent it may still grant its role; it creates an account only for an
//! address that has none; and the audit says whether a membership was made.

use std::time::Instant;

use chrono::{Duration, Utc};
use serde_json::json;

use super::members::parse_role;
use crate::audit::{self, AuditAction};
use crate::auth::{TenantAccess, hash_token, random_token};
use crate::domain::{Email, Role, TenantId, is_allowed_in_name};
use crate::error::{AppError, AppResult};
use crate::mail::Mail;
use crate::services::Services;
use crate::store::{Invitation, StoreError, User};
use crate::text::{Lang, Problem};

pub const INVITATION_LIFETIME: Duration = Duration::days(7);

pub async fn invite(
    services: &Services<'_>,
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
    check_invite_limits(services, access, &email)?;
    let token = random_token();
    let mail = invitation_mail(services, access, &email, role, &token).await?;
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
    let entry = audit::entry(
        Some(access.current.user.id),
        AuditAction::MemberInvited,
        Some(email.to_string()),
        json!({"role": role, "invitation_id": invitation.id}),
    );
    let store = services.store;
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
    if let Err(error) = services.mailer.send(mail).await {
        tracing::error!(error = format!("{error:#}"), "could not send an invitation");
        take_back(services, access, &invitation).await;
        return Err(AppError::Upstream(Problem::InvitationNotSent));
    }
    Ok(invitation)
}

/// Security review finding 2: per inviting person, per tenant and per invited address (across
/// tenants), so nobody can use the agency's mail to flood an address.
fn check_invite_limits(
    services: &Services<'_>,
    access: &TenantAccess,
    email: &Email,
) -> AppResult<()> {
    let limits = services.invite_limits;
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
    services: &Services<'_>,
    access: &TenantAccess,
    invitation: uuid::Uuid,
) -> AppResult<()> {
    access.require_admin()?;
    let open = services.store.invitations(access.tenant).await?;
    let found = open
        .into_iter()
        .find(|open| open.id == invitation)
        .ok_or(AppError::NotFound)?;
    if !access.role.may_grant(found.role) {
        return Err(AppError::Forbidden);
    }
    services
        .store
        .withdraw_invitation(access.tenant, invitation)
        .await?
        .ok_or(AppError::NotFound)?;
    audit::record(
        services.store,
        access.tenant,
        access.current.user.id,
        AuditAction::InvitationWithdrawn,
        Some(found.email.to_string()),
        json!({"role": found.role, "invitation_id": found.id}),
    )
    .await;
    Ok(())
}

/// The invitation mail, in the inviter's language (the invited person has none yet).
async fn invitation_mail(
    services: &Services<'_>,
    access: &TenantAccess,
    email: &Email,
    role: Role,
    token: &str,
) -> AppResult<Mail> {
    let tenant = services
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut link = services
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
async fn take_back(services: &Services<'_>, access: &TenantAccess, invitation: &Invitation) {
    let taken = services
        .store
        .take_invitation(access.tenant, &invitation.token_hash)
        .await;
    if let Err(error) = taken {
        tracing::error!(error = %error, "could not remove an invitation whose mail failed");
        return;
    }
    audit::record(
        services.store,
        access.tenant,
        access.current.user.id,
        AuditAction::InvitationNotSent,
        Some(invitation.email.to_string()),
        json!({"role": invitation.role, "invitation_id": invitation.id}),
    )
    .await;
}

/// What accepting did.
#[derive(Debug)]
pub struct Accepted {
    pub user: User,
    /// The account was made by this acceptance (the invitation proved the address).
    pub new_account: bool,
}

/// An open, unexpired invitation, left in place (what the accept page shows).
pub async fn peek(services: &Services<'_>, tenant: TenantId, token: &str) -> AppResult<Invitation> {
    let invitation = services
        .store
        .invitation_by_token(tenant, &hash_token(token))
        .await?
        .filter(|invitation| invitation.expires_at > Utc::now())
        .ok_or(AppError::LinkUsed)?;
    Ok(invitation)
}

/// Takes the invitation and binds the membership; `LinkUsed` for a used, withdrawn or expired
/// one, or one whose sender can no longer grant its role.
pub async fn accept(services: &Services<'_>, tenant: TenantId, token: &str) -> AppResult<Accepted> {
    let invitation = services
        .store
        .take_invitation(tenant, &hash_token(token))
        .await?
        .filter(|invitation| invitation.expires_at > Utc::now())
        .ok_or(AppError::LinkUsed)?;
    if !sender_may_still_grant(services, tenant, &invitation).await? {
        let action = AuditAction::InvitationRefusedSenderLostRole;
        let details = json!({"role": invitation.role, "invitation_id": invitation.id});
        audit::record_by(services.store, tenant, None, action, None, details).await;
        return Err(AppError::LinkUsed);
    }
    let (user, new_account) = match services.store.user_by_email(&invitation.email).await? {
        Some(user) => (user, false),
        None => (
            services.store.create_user(&invitation.email, "").await?,
            true,
        ),
    };
    let action = match services
        .store
        .add_member(tenant, user.id, invitation.role)
        .await
    {
        Ok(()) => AuditAction::MemberJoined,
        Err(StoreError::Conflict(_)) => AuditAction::InvitationAcceptedExistingMember,
        Err(other) => return Err(other.into()),
    };
    audit::record(
        services.store,
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
    services: &Services<'_>,
    tenant: TenantId,
    invitation: &Invitation,
) -> AppResult<bool> {
    let Some(sender) = invitation.invited_by else {
        return Ok(false);
    };
    let role = services.store.member_role(tenant, sender).await?;
    Ok(role.is_some_and(|role| role.may_grant(invitation.role)))
}
