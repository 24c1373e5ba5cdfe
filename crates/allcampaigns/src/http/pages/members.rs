//! Members of a tenant: invite by email with a role, accept, change role, remove. Managing
//! members is for owners and admins; only an owner may make or unmake owners.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::audit;
use crate::auth::csrf::CsrfToken;
use crate::auth::{TenantAccess, hash_token, session};
use crate::domain::{Role, TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::store::{Invitation, Member, StoreError};
use crate::team;
use crate::text::{Problem, Texts};

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    ui: Ui,
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
    ui: Ui,
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
    error: Option<&AppError>,
) -> AppResult<MembersPage> {
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let ui = Ui::of_access(state, access).await?;
    Ok(MembersPage {
        error: error.map(|error| refusal_words(error, ui.t)),
        ui,
        csrf,
        tenant: access.tenant,
        tenant_name: tenant.name,
        you: access.current.user.id,
        your_role: access.role,
        members: state.store.members(access.tenant).await?,
        invitations: state.store.invitations(access.tenant).await?,
    })
}

/// A bad email or role from the form's own controls means the form was tampered with or left
/// empty; one sentence covers both.
fn refusal_words(error: &AppError, texts: &Texts) -> String {
    match error {
        AppError::Invalid {
            field: "email" | "role",
            ..
        } => texts.say(&Problem::InviteNeedsEmailAndRole),
        other => other.words(texts),
    }
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// A refusal a person can act on re-renders the page with its message; others propagate.
async fn outcome(
    state: &AppState,
    access: &TenantAccess,
    csrf: String,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/t/{}/members", access.tenant)).into_response()),
        Err(error @ (AppError::Conflict(_) | AppError::Invalid { .. } | AppError::Upstream(_))) => {
            let page = members_page(state, access, csrf, Some(&error)).await?;
            Ok((error.status(), render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

pub async fn invite(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let result = team::invite(&state, &access, &form.email, &form.role)
        .await
        .map(|_| ());
    outcome(&state, &access, csrf, result).await
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
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    let result = team::change_role(&state, &access, user, &form.role).await;
    outcome(&state, &access, csrf, result).await
}

pub async fn remove(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, user)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    let result = team::remove(&state, &access, user).await;
    outcome(&state, &access, csrf, result).await
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
        ui: Ui::anonymous(),
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
        &state.store,
        tenant,
        user.id,
        "member.joined",
        Some(user.email.to_string()),
        json!({"role": invitation.role}),
    )
    .await;
    Ok(session::sign_in(&state, &user, now, &format!("/t/{tenant}")).await?)
}
