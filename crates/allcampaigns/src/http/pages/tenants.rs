//! Tenants: create (install admins only), view, edit client/brand metadata, delete with a
//! typed confirmation.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::csrf::CsrfToken;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{Role, TenantInput};
use crate::error::{AppError, AppResult};
use crate::install_admins;
use crate::services::Services;
use crate::store::{Member, Tenant, TenantProfile};
use crate::tenants::{self, Creator, members};
use crate::text::Texts;

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
    ui: Ui,
    csrf: String,
    action: String,
    heading: &'static str,
    form: TenantInput,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "tenant.html")]
struct TenantPage {
    ui: Ui,
    csrf: String,
    tenant: Tenant,
    role: Role,
    members: Vec<ShownMember>,
    error: Option<String>,
}

/// A member as the viewer may see them (security review finding 21).
struct ShownMember {
    /// The address, or for a client viewing agency staff their display name (or a stand-in).
    name: String,
    role: Role,
}

fn shown_members(members: Vec<Member>, viewer: Role, texts: &Texts) -> Vec<ShownMember> {
    members
        .into_iter()
        .map(|member| {
            let name = if members::shows_address(viewer, &member) {
                member.email.to_string()
            } else if member.display_name.is_empty() {
                texts.tenant.agency_member.to_string()
            } else {
                member.display_name
            };
            ShownMember {
                name,
                role: member.role,
            }
        })
        .collect()
}

pub async fn new_form(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    install_admins::require(&Services::of(&state), current.user.id).await?;
    let ui = Ui::of_user(&state, &current).await?;
    let page = TenantFormPage {
        heading: ui.t.tenant_form.new_heading,
        ui,
        csrf,
        action: "/tenants".into(),
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
    let creator = Creator::Person(&current);
    let tenant = match tenants::create(&Services::of(&state), creator, &form).await {
        Ok(tenant) => tenant,
        Err(AppError::Invalid { problem, .. }) => {
            let ui = Ui::of_user(&state, &current).await?;
            let page = TenantFormPage {
                heading: ui.t.tenant_form.new_heading,
                error: Some(ui.t.say(&problem)),
                ui,
                csrf,
                action: "/tenants".into(),
                form,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(other) => return Err(other),
    };
    Ok(Redirect::to(&format!("/t/{}", tenant.id)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let tenant = tenants::current(&Services::of(&state), &access).await?;
    let members = state.store.members(access.tenant).await?;
    let ui = Ui::of_access(&state, &access).await?;
    Ok(render(&TenantPage {
        members: shown_members(members, access.role, ui.t),
        ui,
        csrf,
        tenant,
        role: access.role,
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
    let tenant = tenants::current(&Services::of(&state), &access).await?;
    let ui = Ui::of_access(&state, &access).await?;
    let page = TenantFormPage {
        heading: ui.t.tenant_form.settings_heading,
        ui,
        csrf,
        action: format!("/t/{}/settings", tenant.id),
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
    let action = format!("/t/{}/settings", access.tenant);
    let tenant = match tenants::update(&Services::of(&state), &access, &form).await {
        Ok(tenant) => tenant,
        Err(AppError::Invalid { problem, .. }) => {
            let ui = Ui::of_access(&state, &access).await?;
            let page = TenantFormPage {
                heading: ui.t.tenant_form.settings_heading,
                error: Some(ui.t.say(&problem)),
                ui,
                csrf,
                action,
                form,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(other) => return Err(other),
    };
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
    match tenants::delete(&Services::of(&state), &access, form.confirm_name.trim()).await {
        Err(AppError::Invalid { problem, .. }) => {
            let tenant = tenants::current(&Services::of(&state), &access).await?;
            let members = state.store.members(access.tenant).await?;
            let ui = Ui::of_access(&state, &access).await?;
            let page = TenantPage {
                error: Some(ui.t.say(&problem)),
                members: shown_members(members, access.role, ui.t),
                ui,
                csrf,
                tenant,
                role: access.role,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        other => other?,
    }
    Ok(Redirect::to("/").into_response())
}
