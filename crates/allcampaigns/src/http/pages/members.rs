//! Members of a tenant: invite by email with a role, withdraw an invitation, change role,
//! remove. Managing members is for owners and admins; only an owner may make or unmake owners.
//! Accepting an invitation is in `invitation.rs`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::auth::csrf::CsrfToken;
use crate::domain::{Role, TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::{Invitation, Member};
use crate::tenants::{invitations, members};
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
    let result = invitations::invite(&Services::of(&state), &access, &form.email, &form.role)
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
    let result = members::change_role(&Services::of(&state), &access, user, &form.role).await;
    outcome(&state, &access, csrf, result).await
}

pub async fn remove(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, user)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    let result = members::remove(&Services::of(&state), &access, user).await;
    outcome(&state, &access, csrf, result).await
}

/// Withdraws an open invitation (security review finding 3).
pub async fn withdraw(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, invitation)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let invitation = invitation.parse().map_err(|_| AppError::NotFound)?;
    let result = invitations::withdraw(&Services::of(&state), &access, invitation).await;
    outcome(&state, &access, csrf, result).await
}
