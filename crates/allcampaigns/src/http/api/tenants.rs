use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiJson;
use super::types::{AuditList, ErrorEnvelope, Me, TenantBody, TenantList};
use crate::app::AppState;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{Role, TenantInput};
use crate::error::AppResult;
use crate::http::pages::audit::AuditQuery;
use crate::services::Services;
use crate::tenants::{self, Creator};

/// The signed-in person.
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = ErrorEnvelope)))]
pub async fn me(current: CurrentUser) -> Json<Me> {
    Json(Me::from(&current.user))
}

/// The tenants the caller belongs to, with their role in each.
#[utoipa::path(get, path = "/tenants", tag = "tenants",
    responses((status = 200, body = TenantList), (status = 401, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<TenantList>> {
    let tenants = state.store.tenants_of_user(current.user.id).await?;
    Ok(Json(TenantList {
        tenants: tenants
            .into_iter()
            .filter(|(t, _)| current.may_reach(t.id))
            .map(|(t, r)| TenantBody::new(t, r))
            .collect(),
    }))
}

/// Creates a tenant; the caller becomes its owner (install admins only).
#[utoipa::path(post, path = "/tenants", tag = "tenants", request_body = TenantInput,
    responses((status = 201, body = TenantBody), (status = 403, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(input): ApiJson<TenantInput>,
) -> AppResult<(StatusCode, Json<TenantBody>)> {
    let creator = Creator::Person(&current);
    let tenant = tenants::create(&Services::of(&state), creator, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(TenantBody::new(tenant, Role::Owner)),
    ))
}

#[utoipa::path(get, path = "/tenants/{tenant_id}", tag = "tenants",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = TenantBody), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<TenantBody>> {
    let tenant = tenants::current(&Services::of(&state), &access).await?;
    Ok(Json(TenantBody::new(tenant, access.role)))
}

/// Replaces the name and client/brand metadata (owners and admins).
#[utoipa::path(patch, path = "/tenants/{tenant_id}", tag = "tenants", request_body = TenantInput,
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = TenantBody), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(input): ApiJson<TenantInput>,
) -> AppResult<Json<TenantBody>> {
    let tenant = tenants::update(&Services::of(&state), &access, &input).await?;
    Ok(Json(TenantBody::new(tenant, access.role)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// The tenant's exact name, as a guard against deleting the wrong one.
    confirm_name: String,
}

/// Deletes a tenant and everything in it (owners only).
#[utoipa::path(delete, path = "/tenants/{tenant_id}", tag = "tenants",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), DeleteQuery),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn delete(
    State(state): State<AppState>,
    access: TenantAccess,
    Query(query): Query<DeleteQuery>,
) -> AppResult<StatusCode> {
    tenants::delete(&Services::of(&state), &access, &query.confirm_name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tenant's audit trail, newest first (owners and admins).
#[utoipa::path(get, path = "/tenants/{tenant_id}/audit", tag = "audit",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), AuditQuery),
    responses((status = 200, body = AuditList), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn audit(
    State(state): State<AppState>,
    access: TenantAccess,
    Query(query): Query<AuditQuery>,
) -> AppResult<Json<AuditList>> {
    access.require_admin()?;
    let entries = state
        .store
        .audit_entries(access.tenant, &query.filter()?)
        .await?;
    Ok(Json(AuditList {
        entries: entries.into_iter().map(Into::into).collect(),
    }))
}
