use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;

use super::ApiJson;
use super::types::{ConnectRequestBody, ConnectionBody, ErrorEnvelope};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::connections::{self, ConnectRequest};
use crate::error::{AppError, AppResult};

/// The tenant's Instantly connection; the key itself is never returned, only its last four.
#[utoipa::path(get, path = "/tenants/{tenant_id}/connection", tag = "connection",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = ConnectionBody), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<ConnectionBody>> {
    let connection = state
        .store
        .connection(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(connection.into()))
}

/// Checks a key against Instantly and stores it sealed (owners and admins).
#[utoipa::path(put, path = "/tenants/{tenant_id}/connection", tag = "connection", request_body = ConnectRequestBody,
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = ConnectionBody), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope),
        (status = 502, body = ErrorEnvelope)))]
pub async fn save(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(body): ApiJson<ConnectRequestBody>,
) -> AppResult<Json<ConnectionBody>> {
    access.require_admin()?;
    state
        .key_checks
        .check(&access.tenant.to_string(), std::time::Instant::now())?;
    let request = ConnectRequest {
        tenant: access.tenant,
        actor: Some(access.current.user.id),
        api_key: SecretString::from(body.api_key),
        base_url: state.config.instantly_url.as_str(),
        allow_shared_workspace: body.allow_shared_workspace,
    };
    let connection = connections::connect(&state.store, &state.keyring, request).await?;
    Ok(Json(connection.into()))
}

/// Removes the key; sync stops (owners and admins).
#[utoipa::path(delete, path = "/tenants/{tenant_id}/connection", tag = "connection",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn remove(State(state): State<AppState>, access: TenantAccess) -> AppResult<StatusCode> {
    access.require_admin()?;
    connections::disconnect(&state.store, access.tenant, access.current.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
