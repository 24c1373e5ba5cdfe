//! `/admins`: install admins grant and revoke the right to create clients (security review
//! finding 2). Everyone else gets 403.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::domain::UserId;
use crate::error::{AppError, AppResult};
use crate::install_admins;
use crate::services::Services;
use crate::store::InstallAdmin;

#[derive(Template)]
#[template(path = "admins.html")]
struct AdminsPage {
    ui: Ui,
    csrf: String,
    you: UserId,
    admins: Vec<InstallAdmin>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    csrf: String,
    error: Option<&AppError>,
) -> AppResult<AdminsPage> {
    let ui = Ui::of_user(state, current).await?;
    Ok(AdminsPage {
        error: error.map(|error| error.words(ui.t)),
        ui,
        csrf,
        you: current.user.id,
        admins: state.store.install_admins().await?,
    })
}

pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    install_admins::require(&Services::of(&state), current.user.id).await?;
    Ok(render(&page(&state, &current, csrf, None).await?)?.into_response())
}

/// A refusal a person can act on re-renders the page with its message; others propagate.
async fn outcome(
    state: &AppState,
    current: &CurrentUser,
    csrf: String,
    result: AppResult<()>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to("/admins").into_response()),
        Err(error @ (AppError::Conflict(_) | AppError::Invalid { .. })) => {
            let page = page(state, current, csrf, Some(&error)).await?;
            Ok((error.status(), render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    email: String,
}

pub async fn grant(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<GrantForm>,
) -> AppResult<Response> {
    let result = install_admins::grant(&Services::of(&state), &current.user, &form.email)
        .await
        .map(|_| ());
    outcome(&state, &current, csrf, result).await
}

pub async fn revoke(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(user): Path<String>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    let result = install_admins::revoke(&Services::of(&state), &current.user, user).await;
    outcome(&state, &current, csrf, result).await
}
