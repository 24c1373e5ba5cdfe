//! Tenants: create, view, edit client/brand metadata, delete with a typed confirmation.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::switcher::Switcher;
use super::{render, theme_of};
use crate::app::AppState;
use crate::audit;
use crate::auth::csrf::CsrfToken;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{Role, TenantInput};
use crate::error::{AppError, AppResult};
use crate::store::{Member, Tenant, TenantProfile};

pub fn profile_of(tenant: &Tenant) -> TenantProfile {
    TenantProfile {
        name: tenant.name.clone(),
        client_name: tenant.client_name.clone(),
        website: tenant.website.clone(),
        accent_colour: tenant.accent_colour.clone(),
        logo_url: tenant.logo_url.clone(),
    }
}

#[derive(Template)]
#[template(path = "tenant_form.html")]
struct TenantFormPage {
    /// The person's chosen theme, if not "system" (see [`super::theme_of`]).
    theme: Option<&'static str>,
    switcher: Switcher,
    csrf: String,
    action: String,
    heading: &'static str,
    form: TenantInput,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "tenant.html")]
struct TenantPage {
    /// The person's chosen theme, if not "system" (see [`super::theme_of`]).
    theme: Option<&'static str>,
    switcher: Switcher,
    csrf: String,
    tenant: Tenant,
    role: Role,
    members: Vec<Member>,
    error: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let page = TenantFormPage {
        theme: theme_of(&current.user),
        switcher: Switcher::load(&state, current.user.id, None).await?,
        csrf,
        action: "/tenants".into(),
        heading: "New client",
        form: TenantInput::default(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<TenantInput>,
) -> AppResult<Response> {
    let profile = match form.validate() {
        Ok(profile) => profile,
        Err((_, error)) => {
            let page = TenantFormPage {
                theme: theme_of(&current.user),
                switcher: Switcher::load(&state, current.user.id, None).await?,
                csrf,
                action: "/tenants".into(),
                heading: "New client",
                form,
                error: Some(error),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let tenant = state
        .store
        .create_tenant(Some(current.user.id), &profile)
        .await?;
    audit::record(
        &state.store,
        tenant.id,
        current.user.id,
        "tenant.created",
        None,
        json!({"name": tenant.name}),
    )
    .await;
    Ok(Redirect::to(&format!("/t/{}", tenant.id)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = state.store.members(access.tenant).await?;
    Ok(render(&TenantPage {
        theme: theme_of(&access.current.user),
        switcher: Switcher::of_access(&state, &access).await?,
        csrf,
        tenant,
        role: access.role,
        members,
        error: None,
    })?
    .into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    access.require_admin()?;
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = TenantFormPage {
        theme: theme_of(&access.current.user),
        switcher: Switcher::of_access(&state, &access).await?,
        csrf,
        action: format!("/t/{}/settings", tenant.id),
        heading: "Client settings",
        form: TenantInput::of(&profile_of(&tenant)),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<TenantInput>,
) -> AppResult<Response> {
    access.require_admin()?;
    let action = format!("/t/{}/settings", access.tenant);
    let profile = match form.validate() {
        Ok(profile) => profile,
        Err((_, error)) => {
            let page = TenantFormPage {
                theme: theme_of(&access.current.user),
                switcher: Switcher::of_access(&state, &access).await?,
                csrf,
                action,
                heading: "Client settings",
                form,
                error: Some(error),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let tenant = state.store.update_tenant(access.tenant, &profile).await?;
    audit::record(
        &state.store,
        tenant.id,
        access.current.user.id,
        "tenant.updated",
        None,
        json!({"name": tenant.name}),
    )
    .await;
    Ok(Redirect::to(&format!("/t/{}", tenant.id)).into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_name: String,
}

/// Deleting needs the tenant's name typed exactly, and the owner role.
pub async fn delete(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    match crate::tenancy::delete(&state.store, &access, form.confirm_name.trim()).await {
        Err(AppError::Invalid { .. }) => {
            let tenant = state
                .store
                .tenant(access.tenant)
                .await?
                .ok_or(AppError::NotFound)?;
            let members = state.store.members(access.tenant).await?;
            let error = Some(format!(
                "Type the name \u{201c}{}\u{201d} exactly to delete this client.",
                tenant.name
            ));
            let page = TenantPage {
                theme: theme_of(&access.current.user),
                switcher: Switcher::of_access(&state, &access).await?,
                csrf,
                tenant,
                role: access.role,
                members,
                error,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        other => other?,
    }
    Ok(Redirect::to("/").into_response())
}
