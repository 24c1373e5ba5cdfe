//! The tenant's Instantly link under `/tenants/{tenant_id}/instantly-link`. The old path
//! `/tenants/{tenant_id}/connection` answers the same, marked deprecated in the OpenAPI
//! document (the word "connection" is kept for lead routing).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;

use super::ApiJson;
use super::types::{ErrorEnvelope, InstantlyLinkBody, InstantlyLinkRequest};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::tenants::instantly::{self, LinkRequest, Linker};

/// The tenant's Instantly link; the key itself is never returned, only its last four.
#[utoipa::path(get, path = "/tenants/{tenant_id}/instantly-link", tag = "instantly-link",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = InstantlyLinkBody), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<InstantlyLinkBody>> {
    let link = state
        .store
        .connection(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(link.into()))
}

/// Checks a key against Instantly and stores it sealed (owners and admins).
#[utoipa::path(put, path = "/tenants/{tenant_id}/instantly-link", tag = "instantly-link",
    request_body = InstantlyLinkRequest,
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = InstantlyLinkBody), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope),
        (status = 502, body = ErrorEnvelope)))]
pub async fn save(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(body): ApiJson<InstantlyLinkRequest>,
) -> AppResult<Json<InstantlyLinkBody>> {
    let request = LinkRequest {
        api_key: SecretString::from(body.api_key),
        base_url: state.config.instantly_url.as_str(),
        allow_shared_workspace: body.allow_shared_workspace,
    };
    let linker = Linker::Member(&access);
    let link = instantly::link(&Services::of(&state), linker, request).await?;
    Ok(Json(link.into()))
}

/// Removes the key; sync stops (owners and admins).
#[utoipa::path(delete, path = "/tenants/{tenant_id}/instantly-link", tag = "instantly-link",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn remove(State(state): State<AppState>, access: TenantAccess) -> AppResult<StatusCode> {
    instantly::unlink(&Services::of(&state), &access).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deprecated: the same as `GET /tenants/{tenant_id}/instantly-link`.
#[deprecated = "use /tenants/{tenant_id}/instantly-link"]
#[utoipa::path(get, path = "/tenants/{tenant_id}/connection", tag = "instantly-link",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = InstantlyLinkBody), (status = 404, body = ErrorEnvelope)))]
pub async fn show_old(
    state: State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<InstantlyLinkBody>> {
    show(state, access).await
}

/// Deprecated: the same as `PUT /tenants/{tenant_id}/instantly-link`.
#[deprecated = "use /tenants/{tenant_id}/instantly-link"]
#[utoipa::path(put, path = "/tenants/{tenant_id}/connection", tag = "instantly-link",
    request_body = InstantlyLinkRequest,
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = InstantlyLinkBody), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope),
        (status = 502, body = ErrorEnvelope)))]
pub async fn save_old(
    state: State<AppState>,
    access: TenantAccess,
    body: ApiJson<InstantlyLinkRequest>,
) -> AppResult<Json<InstantlyLinkBody>> {
    save(state, access, body).await
}

/// Deprecated: the same as `DELETE /tenants/{tenant_id}/instantly-link`.
#[deprecated = "use /tenants/{tenant_id}/instantly-link"]
#[utoipa::path(delete, path = "/tenants/{tenant_id}/connection", tag = "instantly-link",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn remove_old(state: State<AppState>, access: TenantAccess) -> AppResult<StatusCode> {
    remove(state, access).await
}
