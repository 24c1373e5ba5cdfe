//! Tenants: create, view, edit client/brand metadata, delete with a typed confirmation.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::render;
use crate::app::AppState;
use crate::audit;
use crate::auth::csrf::CsrfToken;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::store::{Member, Tenant, TenantProfile};

#[derive(Template)]
#[template(path = "tenant_form.html")]
struct TenantFormPage {
    csrf: String,
    action: String,
    heading: &'static str,
    form: TenantForm,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "tenant.html")]
struct TenantPage {
    csrf: String,
    tenant: Tenant,
    role: Role,
    members: Vec<Member>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TenantForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    client_name: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    accent_colour: String,
    #[serde(default)]
    logo_url: String,
}

impl TenantForm {
    fn from_tenant(tenant: &Tenant) -> Self {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        Self {
            name: tenant.name.clone(),
            client_name: text(&tenant.client_name),
            website: text(&tenant.website),
            accent_colour: text(&tenant.accent_colour),
            logo_url: text(&tenant.logo_url),
        }
    }

    /// The profile, or the first problem in words a person can act on.
    fn validate(&self) -> Result<TenantProfile, String> {
        let optional = |value: &str| Some(value.trim().to_string()).filter(|v| !v.is_empty());
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err("Give the tenant a name of 1 to 120 characters.".into());
        }
        for (label, url) in [("Website", &self.website), ("Logo URL", &self.logo_url)] {
            if let Some(url) = optional(url) {
                let parsed = url::Url::parse(&url).map_err(|_| {
                    format!("{label} must be a full address like https://example.com.")
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(format!("{label} must start with https:// or http://."));
                }
            }
        }
        if let Some(colour) = optional(&self.accent_colour) {
            let hex = colour.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err("Accent colour must look like #3554d1.".into());
            }
        }
        Ok(TenantProfile {
            name: name.to_string(),
            client_name: optional(&self.client_name),
            website: optional(&self.website),
            accent_colour: optional(&self.accent_colour),
            logo_url: optional(&self.logo_url),
        })
    }
}

pub async fn new_form(_current: CurrentUser, CsrfToken(csrf): CsrfToken) -> AppResult<Response> {
    let page = TenantFormPage {
        csrf,
        action: "/tenants".into(),
        heading: "New client",
        form: TenantForm::default(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<TenantForm>,
) -> AppResult<Response> {
    let profile = match form.validate() {
        Ok(profile) => profile,
        Err(error) => {
            let page = TenantFormPage {
                csrf,
                action: "/tenants".into(),
                heading: "New client",
                form,
                error: Some(error),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let tenant = state.store.create_tenant(current.user.id, &profile).await?;
    audit::record(
        &state,
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
        csrf,
        action: format!("/t/{}/settings", tenant.id),
        heading: "Client settings",
        form: TenantForm::from_tenant(&tenant),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<TenantForm>,
) -> AppResult<Response> {
    access.require_admin()?;
    let action = format!("/t/{}/settings", access.tenant);
    let profile = match form.validate() {
        Ok(profile) => profile,
        Err(error) => {
            let page = TenantFormPage {
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
        &state,
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
    if access.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    if form.confirm_name.trim() != tenant.name {
        let members = state.store.members(access.tenant).await?;
        let error = Some(format!(
            "Type the name \u{201c}{}\u{201d} exactly to delete this client.",
            tenant.name
        ));
        let page = TenantPage {
            csrf,
            tenant,
            role: access.role,
            members,
            error,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    state.store.delete_tenant(access.tenant).await?;
    let entry = crate::store::UserAuditEntry {
        user_id: Some(access.current.user.id),
        action: "tenant.deleted".into(),
        details: json!({"tenant_id": access.tenant}),
        request_id: None,
    };
    if let Err(error) = state.store.append_user_audit(&entry).await {
        tracing::error!(error = %error, "could not write the audit log");
    }
    Ok(Redirect::to("/").into_response())
}
