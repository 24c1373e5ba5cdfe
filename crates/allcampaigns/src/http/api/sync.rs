use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::services::Services;
use crate::sync::status::{SyncStatus, tenant_status};
use crate::tenants::instantly;
use crate::text::Lang;

/// Where the tenant's sync stands, per stream: stored rows, last success, last error and
/// first-pass progress. Every member may read it.
#[utoipa::path(get, path = "/tenants/{tenant_id}/sync", tag = "sync",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = SyncStatus), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<SyncStatus>> {
    let status = tenant_status(&state.store, access.tenant).await?;
    Ok(Json(status.in_words(Lang::En.texts())))
}

/// Asks for a sync cycle as soon as a worker is free ("sync now", owners and admins). Answers
/// with the status, whose `next_run_at` is now.
#[utoipa::path(post, path = "/tenants/{tenant_id}/sync", tag = "sync",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 202, body = SyncStatus), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn request(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<(StatusCode, Json<SyncStatus>)> {
    instantly::sync_now(&Services::of(&state), &access).await?;
    let status = tenant_status(&state.store, access.tenant).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(status.in_words(Lang::En.texts())),
    ))
}
