//! A lead's state and timeline: `/tenants/{tenant_id}/leads/{lead_id}` (stage, value, owner,
//! tags), `leads/bulk` and a lead's `timeline`; the client's `lead-tags` and `lead-settings`. Rules:
//! `leads::{state, tags, settings, timeline}`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

use super::lead_state_types::{
    LeadBulkRequest, LeadBulkResult, LeadChangeRequest, LeadItem, LeadPageItem, LeadSettingsItem,
    LeadSettingsRequest, TagItem, TagList, TagRequest, TimelineList,
};
use super::leads::refused;
use super::types::ErrorEnvelope;
use super::{ApiJson, JsonObject};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::leads::timeline::{self, TimelineCursor};
use crate::leads::{PageParams, bulk, settings, state, tags};
use crate::services::Services;

/// The lead page: stage (and where it came from), value, owner and tags; its Instantly
/// records (fields, custom variables, campaign with step and variant, engagement) and its
/// threads. A client representative gets no owner and no tags.
#[utoipa::path(get, path = "/tenants/{tenant_id}/leads/{lead_id}", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address")),
    responses((status = 200, body = LeadPageItem), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
) -> AppResult<Json<LeadPageItem>> {
    let page = state::page(&Services::of(&state), &access, &lead_id).await?;
    Ok(Json(LeadPageItem::new(access.tenant, access.role, page)))
}

/// Sets the lead's stage, value, owner or tags (owners, admins and operators); each change
/// lands on the lead's timeline.
#[utoipa::path(patch, path = "/tenants/{tenant_id}/leads/{lead_id}", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address")),
    request_body = LeadChangeRequest,
    responses((status = 200, body = LeadItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn change(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<LeadChangeRequest>>,
) -> AppResult<Json<LeadItem>> {
    let services = Services::of(&state);
    let lead = state::change(&services, &access, &lead_id, request.into()).await?;
    Ok(Json(LeadItem::new(access.tenant, access.role, lead)))
}

/// One change to many leads of the client (owners, admins and operators): each lead changed as
/// by its own `PATCH`, with its own timeline entries. A refused field refuses the whole
/// request before anything changes; leads the client does not have are listed apart.
#[utoipa::path(post, path = "/tenants/{tenant_id}/leads/bulk", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    request_body = LeadBulkRequest,
    responses((status = 200, body = LeadBulkResult), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn change_many(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<LeadBulkRequest>>,
) -> AppResult<Json<LeadBulkResult>> {
    let services = Services::of(&state);
    let change = request.change.into();
    let done = bulk::change_all(&services, &access, &request.leads, change).await?;
    Ok(Json(LeadBulkResult {
        changed: done.changed,
        not_found: done.not_found,
    }))
}

/// The lead's messages, notes, calls and changes, newest first, a page at a time. A client
/// representative sees messages, shared notes and changes of stage, value and status.
#[utoipa::path(get, path = "/tenants/{tenant_id}/leads/{lead_id}/timeline", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address"),
        PageParams),
    responses((status = 200, body = TimelineList), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn timeline(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    query: Result<Query<PageParams>, QueryRejection>,
) -> AppResult<Json<TimelineList>> {
    let Query(params) = query.map_err(refused)?;
    let (after, limit) = params.read_with(TimelineCursor::decode)?;
    let services = Services::of(&state);
    let page = timeline::page(&services, &access, &lead_id, after.as_ref(), limit).await?;
    Ok(Json(TimelineList::new(access.tenant, access.role, page)))
}

/// The client's tags by name (not for client representatives).
#[utoipa::path(get, path = "/tenants/{tenant_id}/lead-tags", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = TagList), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn list_tags(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<TagList>> {
    let tags = tags::list(&Services::of(&state), &access).await?;
    Ok(Json(TagList {
        items: tags.into_iter().map(TagItem::from).collect(),
    }))
}

/// Adds a tag (owners and admins).
#[utoipa::path(post, path = "/tenants/{tenant_id}/lead-tags", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    request_body = TagRequest,
    responses((status = 201, body = TagItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn add_tag(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<TagRequest>>,
) -> AppResult<(StatusCode, Json<TagItem>)> {
    let tag = tags::add(&Services::of(&state), &access, request.into()).await?;
    Ok((StatusCode::CREATED, Json(tag.into())))
}

/// Renames or recolours a tag (owners and admins).
#[utoipa::path(patch, path = "/tenants/{tenant_id}/lead-tags/{tag_id}", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("tag_id" = uuid::Uuid, Path, description = "Tag id")),
    request_body = TagRequest,
    responses((status = 200, body = TagItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn change_tag(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, tag_id)): Path<(String, String)>,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<TagRequest>>,
) -> AppResult<Json<TagItem>> {
    let tag = tags::change(&Services::of(&state), &access, &tag_id, request.into()).await?;
    Ok(Json(tag.into()))
}

/// Deletes a tag and takes it off every lead (owners and admins); the leads' history keeps
/// its name.
#[utoipa::path(delete, path = "/tenants/{tenant_id}/lead-tags/{tag_id}", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("tag_id" = uuid::Uuid, Path, description = "Tag id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn delete_tag(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, tag_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    tags::delete(&Services::of(&state), &access, &tag_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The client's currency, time zone, business hours and whether replies and statuses go to
/// Instantly.
#[utoipa::path(get, path = "/tenants/{tenant_id}/lead-settings", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = LeadSettingsItem), (status = 404, body = ErrorEnvelope)))]
pub async fn show_settings(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<LeadSettingsItem>> {
    let settings = settings::load(&Services::of(&state), &access).await?;
    Ok(Json(LeadSettingsItem::new(access.tenant, settings)))
}

/// Changes the client's lead settings (owners and admins).
#[utoipa::path(patch, path = "/tenants/{tenant_id}/lead-settings", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    request_body = LeadSettingsRequest,
    responses((status = 200, body = LeadSettingsItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn change_settings(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<LeadSettingsRequest>>,
) -> AppResult<Json<LeadSettingsItem>> {
    let settings = settings::change(&Services::of(&state), &access, request.into()).await?;
    Ok(Json(LeadSettingsItem::new(access.tenant, settings)))
}
