//! Members of a tenant: invite by email with a role, accept, change role, remove. Managing
//! members is for owners and admins; only an owner may make or unmake owners.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use super::render;
use crate::app::AppState;
use crate::audit;
use crate::auth::cookies::{self, CookieJar};
use crate::auth::csrf::CsrfToken;
use crate::auth::{TenantAccess, hash_token, random_token, session};
use crate::domain::{Email, Role, TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::mail::Mail;
use crate::store::{Invitation, Member, StoreError};

const INVITATION_LIFETIME: Duration = Duration::days(7);

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    csrf: String,
    tenant: TenantId,
    tenant_name: String,
    you: UserId,
    your_role: Role,
    members: Vec<Member>,
    invitations: Vec<Invitation>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    csrf: String,
    tenant: String,
    token: String,
}

pub async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    access.require_admin()?;
    Ok(render(&members_page(&state, &access, csrf, None).await?)?.into_response())
}

async fn members_page(
    state: &AppState,
    access: &TenantAccess,
    csrf: String,
    error: Option<String>,
) -> AppResult<MembersPage> {
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MembersPage {
        csrf,
        tenant: access.tenant,
        tenant_name: tenant.name,
        you: access.current.user.id,
        your_role: access.role,
        members: state.store.members(access.tenant).await?,
        invitations: state.store.invitations(access.tenant).await?,
        error,
    })
}

async fn refuse(
    state: &AppState,
    access: &TenantAccess,
    csrf: String,
    status: StatusCode,
    error: String,
) -> AppResult<Response> {
    let page = members_page(state, access, csrf, Some(error)).await?;
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    access.require_admin()?;
    let (Ok(email), Ok(role)) = (Email::parse(&form.email), form.role.parse::<Role>()) else {
        let error = "Enter an email address and choose a role.".to_string();
        return refuse(
            &state,
            &access,
            csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
            error,
        )
        .await;
    };
    if role == Role::Owner && access.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let token = random_token();
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
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let error = format!("{email} already has an open invitation.");
            return refuse(&state, &access, csrf, StatusCode::CONFLICT, error).await;
        }
        Err(other) => return Err(other.into()),
    }
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
        .append_pair("token", &token);
    state
        .mailer
        .send(invitation_mail(&email, &tenant.name, role, link.as_str()))
        .await?;
    audit::record(
        &state,
        access.tenant,
        access.current.user.id,
        "member.invited",
        Some(email.to_string()),
        json!({"role": role}),
    )
    .await;
    Ok(Redirect::to(&format!("/t/{}/members", access.tenant)).into_response())
}

fn invitation_mail(email: &Email, tenant: &str, role: Role, link: &str) -> Mail {
    Mail {
        to: email.to_string(),
        subject: format!("You are invited to {tenant} on All Campaigns"),
        text: format!(
            "You are invited to join {tenant} on All Campaigns as {role}.\n\nAccept here:\n{link}\n\nThe invitation expires in 7 days."
        ),
        html: format!(
            "<p>You are invited to join <strong>{}</strong> on All Campaigns as {role}.</p><p><a href=\"{link}\">Accept the invitation</a></p><p>The invitation expires in 7 days.</p>",
            escape(tenant)
        ),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, user)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    access.require_admin()?;
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    let role: Role = form
        .role
        .parse()
        .map_err(|message: String| AppError::Invalid {
            field: "role",
            message,
        })?;
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
            let error =
                "A client needs at least one owner: make someone else owner first.".to_string();
            return refuse(&state, &access, csrf, StatusCode::CONFLICT, error).await;
        }
        other => other?,
    }
    audit::record(
        &state,
        access.tenant,
        access.current.user.id,
        "member.role_changed",
        Some(user.to_string()),
        json!({"from": current, "to": role}),
    )
    .await;
    Ok(Redirect::to(&format!("/t/{}/members", access.tenant)).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, user)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    access.require_admin()?;
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
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
            let error = "The last owner cannot be removed.".to_string();
            return refuse(&state, &access, csrf, StatusCode::CONFLICT, error).await;
        }
        other => other?,
    }
    audit::record(
        &state,
        access.tenant,
        access.current.user.id,
        "member.removed",
        Some(user.to_string()),
        json!({"role": current}),
    )
    .await;
    Ok(Redirect::to(&format!("/t/{}/members", access.tenant)).into_response())
}

#[derive(Deserialize)]
pub struct AcceptQuery {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    token: String,
}

/// Like a sign-in link, opening an invitation only shows a page; its POST accepts.
pub async fn accept_page(
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<AcceptQuery>,
) -> AppResult<Response> {
    let mut response = render(&InvitationPage {
        csrf,
        tenant: query.tenant,
        token: query.token,
    })?
    .into_response();
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// Accepting proves the invited address, so it signs that person in (creating their account).
pub async fn accept(
    State(state): State<AppState>,
    Form(form): Form<AcceptQuery>,
) -> AppResult<Response> {
    let tenant: TenantId = form.tenant.parse().map_err(|_| AppError::LinkUsed)?;
    let invitation = state
        .store
        .take_invitation(tenant, &hash_token(&form.token))
        .await?
        .ok_or(AppError::LinkUsed)?;
    let now = Utc::now();
    if invitation.expires_at <= now {
        return Err(AppError::LinkUsed);
    }
    let user = match state.store.user_by_email(&invitation.email).await? {
        Some(user) => user,
        None => state.store.create_user(&invitation.email, "").await?,
    };
    match state
        .store
        .add_member(tenant, user.id, invitation.role)
        .await
    {
        Ok(()) | Err(StoreError::Conflict(_)) => {}
        Err(other) => return Err(other.into()),
    }
    audit::record(
        &state,
        tenant,
        user.id,
        "member.joined",
        Some(user.email.to_string()),
        json!({"role": invitation.role}),
    )
    .await;
    let session_id = session::start(&state, &user, now).await?;
    let jar = CookieJar::new(state.config.is_https());
    let mut response = Redirect::to(&format!("/t/{tenant}")).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        jar.set(
            cookies::SESSION,
            &session_id,
            session::ABSOLUTE_TIMEOUT.num_seconds(),
        ),
    );
    Ok(response)
}
