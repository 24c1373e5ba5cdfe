//! A tenant's Instantly link: paste a key, see the workspace and the key's last four
//! characters, replace or remove it, follow each sync stream and ask for a sync now. Every
//! member sees the status; owners and admins change it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::Deserialize;

use super::render;
use super::sync_status::SyncView;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::auth::csrf::CsrfToken;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::{Connection, ConnectionStatus};
use crate::tenants::instantly::{self, LinkRequest, Linker};
use crate::text::Texts;

#[derive(Template)]
#[template(path = "connection.html")]
struct ConnectionPage {
    ui: Ui,
    csrf: String,
    tenant: TenantId,
    tenant_name: String,
    can_change: bool,
    connection: Option<Connection>,
    /// Sync has stopped until someone pastes a new key.
    needs_attention: bool,
    /// The connection's last problem, in words.
    detail: Option<String>,
    /// Present when connected.
    sync: Option<SyncView>,
    notice: Option<&'static str>,
    error: Option<String>,
    /// The key was refused only because another client has its workspace: offer to go on.
    offer_shared: bool,
}

async fn page(state: &AppState, access: &TenantAccess, csrf: String) -> AppResult<ConnectionPage> {
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let connection = state.store.connection(access.tenant).await?;
    let ui = Ui::of_access(state, access).await?;
    let sync = match &connection {
        Some(_) => {
            let status = crate::sync::status::tenant_status(&state.store, access.tenant).await?;
            Some(SyncView::new(&status, chrono::Utc::now(), ui.t))
        }
        None => None,
    };
    let detail = connection
        .as_ref()
        .and_then(|c| c.status_detail.as_deref())
        .map(|stored| ui.t.stored_fault(stored));
    Ok(ConnectionPage {
        ui,
        detail,
        csrf,
        tenant: access.tenant,
        tenant_name: tenant.name,
        can_change: access.role.can_administer(),
        needs_attention: connection
            .as_ref()
            .is_some_and(|c| c.status == ConnectionStatus::NeedsAttention),
        connection,
        sync,
        notice: None,
        error: None,
        offer_shared: false,
    })
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The notices a redirect back to the page may ask for, by name (never free text).
fn notice_text(name: Option<&str>, texts: &'static Texts) -> Option<&'static str> {
    match name? {
        "sync_requested" => Some(texts.connection.sync_requested),
        _ => None,
    }
}

pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    let page = page(&state, &access, csrf).await?;
    let page = ConnectionPage {
        notice: notice_text(query.notice.as_deref(), page.ui.t),
        ..page
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    api_key: String,
    #[serde(default)]
    allow_shared_workspace: Option<String>,
}

pub async fn save(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<KeyForm>,
) -> AppResult<Response> {
    let request = LinkRequest {
        api_key: SecretString::from(form.api_key),
        base_url: state.config.instantly_url.as_str(),
        allow_shared_workspace: form.allow_shared_workspace.is_some(),
    };
    let linker = Linker::Member(&access);
    match instantly::link(&Services::of(&state), linker, request).await {
        Ok(_) => Ok(Redirect::to(&format!("/t/{}/connection", access.tenant)).into_response()),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Upstream(_))) => {
            let page = page(&state, &access, csrf).await?;
            let page = ConnectionPage {
                error: Some(error.words(page.ui.t)),
                offer_shared: matches!(error, AppError::Conflict(_)),
                ..page
            };
            Ok((error.status(), render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

pub async fn remove(State(state): State<AppState>, access: TenantAccess) -> AppResult<Response> {
    // A second press (or a second tab) finds nothing left to remove: back to the page, which
    // shows the client is not connected.
    match instantly::unlink(&Services::of(&state), &access).await {
        Ok(()) | Err(AppError::NotFound) => {}
        Err(other) => return Err(other),
    }
    Ok(Redirect::to(&format!("/t/{}/connection", access.tenant)).into_response())
}

/// "Sync now" (owners and admins): schedules a cycle for now and comes back with a notice.
pub async fn sync_now(State(state): State<AppState>, access: TenantAccess) -> AppResult<Response> {
    instantly::sync_now(&Services::of(&state), &access).await?;
    let back = format!("/t/{}/connection?notice=sync_requested", access.tenant);
    Ok(Redirect::to(&back).into_response())
}
