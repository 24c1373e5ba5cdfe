//! First run: the link `serve` prints on an empty install names the first owner.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::audit::AuditAction;
use crate::auth::csrf::CsrfToken;
use crate::auth::{links, session};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::text::Problem;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    ui: Ui,
    csrf: String,
    token: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
}

pub async fn form(
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SetupForm>,
) -> AppResult<Response> {
    let mut response = render(&SetupPage {
        ui: Ui::anonymous(),
        csrf,
        token: query.token,
        email: String::new(),
        error: None,
    })?
    .into_response();
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

pub async fn create_owner(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<SetupForm>,
) -> AppResult<Response> {
    let Ok(email) = Email::parse(&form.email) else {
        let ui = Ui::anonymous();
        let error = Some(ui.t.say(&Problem::SetupEmailNeeded));
        let page = SetupPage {
            ui,
            csrf,
            token: form.token,
            email: form.email,
            error,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let now = Utc::now();
    if state.store.count_users().await? > 0
        || !links::redeem_setup(&state.store, &form.token, now).await?
    {
        return Err(AppError::LinkUsed);
    }
    let user = state.store.create_user(&email, "").await?;
    // The first owner may create tenants and let others do so (security review finding 2).
    state.store.grant_install_admin(user.id, None).await?;
    let details = serde_json::json!({"user_id": user.id, "by": null, "via": "setup"});
    crate::audit::record_user(
        &state.store,
        user.id,
        AuditAction::InstallAdminGranted,
        details,
    )
    .await;
    Ok(session::sign_in(&state, &user, now, "/tenants/new").await?)
}
