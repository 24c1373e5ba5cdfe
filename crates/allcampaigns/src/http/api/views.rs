//! Saved views: `/views` lists the caller's private views and those shared with the clients
//! they see, each with its count, and saves new ones; `/views/{view_id}` renames, refilters or
//! deletes one. One path serves both kinds (a view id is unique): the server finds the view
//! among the caller's own and their clients' shared ones, so another person's private view and
//! another client's shared view answer 404 alike. Rules: `inbox::view_rules`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ApiJson;
use super::types::ErrorEnvelope;
use super::views_types::{ViewChange, ViewItem, ViewList, ViewRequest};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::inbox::view_rules::{self, ViewInput};
use crate::services::Services;

/// The views the caller sees, each with the count of its threads (capped at 10,000).
#[utoipa::path(get, path = "/views", tag = "inbox",
    responses((status = 200, body = ViewList), (status = 401, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<ViewList>> {
    let views = view_rules::list(&Services::of(&state), &current).await?;
    Ok(Json(ViewList {
        items: views.into_iter().map(Into::into).collect(),
    }))
}

/// Saves a view: private, or shared with one client's team (owners, admins and operators of
/// that client). A filter parameter that cannot be read answers 400 naming it; a name taken
/// 409.
#[utoipa::path(post, path = "/views", tag = "inbox", request_body = ViewRequest,
    responses((status = 201, body = ViewItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(request): ApiJson<ViewRequest>,
) -> AppResult<(StatusCode, Json<ViewItem>)> {
    let input = ViewInput {
        name: request.name,
        filter: request.filter,
        shared_with: request.shared_with.map(TenantId::from_uuid),
    };
    let view = view_rules::create(&Services::of(&state), &current, input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Renames a view or replaces its filter: a private view by its person; a shared one by its
/// maker or a client admin.
#[utoipa::path(patch, path = "/views/{view_id}", tag = "inbox", request_body = ViewChange,
    params(("view_id" = uuid::Uuid, Path, description = "View id")),
    responses((status = 200, body = ViewItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(view_id): Path<String>,
    ApiJson(change): ApiJson<ViewChange>,
) -> AppResult<Json<ViewItem>> {
    let id = view_id.parse().map_err(|_| AppError::NotFound)?;
    let services = Services::of(&state);
    let view = view_rules::update(&services, &current, id, change.name, change.filter).await?;
    Ok(Json(view.into()))
}

/// Deletes a view: a private view by its person; a shared one by its maker or a client admin.
#[utoipa::path(delete, path = "/views/{view_id}", tag = "inbox",
    params(("view_id" = uuid::Uuid, Path, description = "View id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(view_id): Path<String>,
) -> AppResult<StatusCode> {
    let id = view_id.parse().map_err(|_| AppError::NotFound)?;
    view_rules::delete(&Services::of(&state), &current, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
