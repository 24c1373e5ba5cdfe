//! Work on a lead: `/tenants/{tenant_id}/leads/{lead_id}/notes` and `/calls`. `{lead_id}` is
//! an Instantly lead id or the lead's address (URL-encoded); a lead the client does not know
//! answers 404 as another client's does. Rules: `leads::notes`, `leads::calls`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

use super::ApiJson;
use super::leads_types::{
    CallItem, CallList, CallRequest, NoteChangeRequest, NoteItem, NoteList, NoteRequest,
};
use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::leads::PageParams;
use crate::leads::{calls, notes};
use crate::services::Services;
use crate::text::Problem;

/// The lead's notes the caller may see, newest first, one page at a time (pass
/// `next_cursor` back as `cursor`). A client representative sees only shared notes.
#[utoipa::path(get, path = "/tenants/{tenant_id}/leads/{lead_id}/notes", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address"),
        PageParams),
    responses((status = 200, body = NoteList), (status = 400, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn list_notes(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    query: Result<Query<PageParams>, QueryRejection>,
) -> AppResult<Json<NoteList>> {
    let Query(params) = query.map_err(refused)?;
    let (after, limit) = params.read()?;
    let services = Services::of(&state);
    let page = notes::list(&services, &access, &lead_id, after.as_ref(), limit).await?;
    Ok(Json(NoteList::new(access.tenant, access.role, page)))
}

/// Adds a note (markdown, rendered safely). Every member may: owners, admins and operators
/// internal or shared notes, a client representative shared ones only.
#[utoipa::path(post, path = "/tenants/{tenant_id}/leads/{lead_id}/notes", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address")),
    request_body = NoteRequest,
    responses((status = 201, body = NoteItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn create_note(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<NoteRequest>,
) -> AppResult<(StatusCode, Json<NoteItem>)> {
    let services = Services::of(&state);
    let note = notes::create(&services, &access, &lead_id, request.into()).await?;
    let item = NoteItem::new(access.tenant, access.role, note);
    Ok((StatusCode::CREATED, Json(item)))
}

/// One note of the lead; an internal note is 404 to a client representative.
#[utoipa::path(get, path = "/tenants/{tenant_id}/leads/{lead_id}/notes/{note_id}",
    tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address"),
        ("note_id" = uuid::Uuid, Path, description = "Note id")),
    responses((status = 200, body = NoteItem), (status = 404, body = ErrorEnvelope)))]
pub async fn show_note(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id, note_id)): Path<(String, String, String)>,
) -> AppResult<Json<NoteItem>> {
    let note = notes::find(&Services::of(&state), &access, &lead_id, &note_id).await?;
    Ok(Json(NoteItem::new(access.tenant, access.role, note)))
}

/// Changes a note's body or sharing: its author, or a client owner or admin.
#[utoipa::path(patch, path = "/tenants/{tenant_id}/leads/{lead_id}/notes/{note_id}",
    tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address"),
        ("note_id" = uuid::Uuid, Path, description = "Note id")),
    request_body = NoteChangeRequest,
    responses((status = 200, body = NoteItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn update_note(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id, note_id)): Path<(String, String, String)>,
    ApiJson(request): ApiJson<NoteChangeRequest>,
) -> AppResult<Json<NoteItem>> {
    let services = Services::of(&state);
    let change = request.into();
    let note = notes::update(&services, &access, &lead_id, &note_id, change).await?;
    Ok(Json(NoteItem::new(access.tenant, access.role, note)))
}

/// Deletes a note: its author, or a client owner or admin.
#[utoipa::path(delete, path = "/tenants/{tenant_id}/leads/{lead_id}/notes/{note_id}",
    tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address"),
        ("note_id" = uuid::Uuid, Path, description = "Note id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn delete_note(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id, note_id)): Path<(String, String, String)>,
) -> AppResult<StatusCode> {
    notes::delete(&Services::of(&state), &access, &lead_id, &note_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The lead's logged calls by when they happened, newest first, one page at a time (owners,
/// admins and operators).
#[utoipa::path(get, path = "/tenants/{tenant_id}/leads/{lead_id}/calls", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address"),
        PageParams),
    responses((status = 200, body = CallList), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn list_calls(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    query: Result<Query<PageParams>, QueryRejection>,
) -> AppResult<Json<CallList>> {
    let Query(params) = query.map_err(refused)?;
    let (after, limit) = params.read()?;
    let services = Services::of(&state);
    let page = calls::list(&services, &access, &lead_id, after.as_ref(), limit).await?;
    Ok(Json(CallList::new(access.tenant, access.role, page)))
}

/// Logs a call made outside the product (owners, admins and operators).
#[utoipa::path(post, path = "/tenants/{tenant_id}/leads/{lead_id}/calls", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address")),
    request_body = CallRequest,
    responses((status = 201, body = CallItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn create_call(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<CallRequest>,
) -> AppResult<(StatusCode, Json<CallItem>)> {
    let services = Services::of(&state);
    let call = calls::log(&services, &access, &lead_id, request.into()).await?;
    let item = CallItem::new(access.tenant, access.role, call);
    Ok((StatusCode::CREATED, Json(item)))
}

/// One logged call of the lead (owners, admins and operators).
#[utoipa::path(get, path = "/tenants/{tenant_id}/leads/{lead_id}/calls/{call_id}",
    tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("lead_id" = String, Path, description = "An Instantly lead id, or the lead's address"),
        ("call_id" = uuid::Uuid, Path, description = "Call id")),
    responses((status = 200, body = CallItem), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn show_call(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id, call_id)): Path<(String, String, String)>,
) -> AppResult<Json<CallItem>> {
    let call = calls::find(&Services::of(&state), &access, &lead_id, &call_id).await?;
    Ok(Json(CallItem::new(access.tenant, access.role, call)))
}

pub(super) fn refused(rejection: QueryRejection) -> AppError {
    AppError::BadParameter {
        parameter: "query",
        problem: Problem::NotExpected {
            input: rejection.body_text().chars().take(80).collect(),
            expected: "a query string that names each parameter at most once",
        },
    }
}
