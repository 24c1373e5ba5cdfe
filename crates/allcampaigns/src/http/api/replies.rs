//! Replies sent through Instantly: `/tenants/{tenant_id}/threads/{thread_id}/replies` (queue,
//! list, undo), the tenant's `/outbox`, and each mailbox's signature. Owners, admins and
//! operators only; a client representative gets 403. Rules: `leads::replies::rules` and
//! `leads::replies::signatures`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

use super::ApiJson;
use super::replies_types::{
    OutboxQuery, ReplyItem, ReplyList, ReplyRequest, SignatureItem, SignatureRequest,
};
use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::leads::replies::{rules, signatures};
use crate::services::Services;
use crate::text::Problem;

/// Queues a reply to the thread's latest message from the lead, from the mailbox that message
/// reached. It waits out the undo window (or until `send_at`) as `scheduled`, then is sent
/// through Instantly once; it is never sent twice, and never resent automatically.
#[utoipa::path(post, path = "/tenants/{tenant_id}/threads/{thread_id}/replies", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    request_body = ReplyRequest,
    responses((status = 201, body = ReplyItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<ReplyRequest>,
) -> AppResult<(StatusCode, Json<ReplyItem>)> {
    let services = Services::of(&state);
    let undo = state.config.reply_undo;
    let reply = rules::queue(&services, &access, &thread_id, request.into(), undo).await?;
    let item = ReplyItem::new(access.tenant, access.role, reply);
    Ok((StatusCode::CREATED, Json(item)))
}

/// The thread's replies, newest first, whatever their state (a pending one shows at once).
#[utoipa::path(get, path = "/tenants/{tenant_id}/threads/{thread_id}/replies", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    responses((status = 200, body = ReplyList), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
) -> AppResult<Json<ReplyList>> {
    let replies = rules::list(&Services::of(&state), &access, &thread_id).await?;
    Ok(Json(ReplyList::new(access.tenant, access.role, replies)))
}

/// Undoes a reply that has not left (`scheduled`); 409 once it has, or was undone.
#[utoipa::path(post,
    path = "/tenants/{tenant_id}/threads/{thread_id}/replies/{reply_id}/cancel", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id"),
        ("reply_id" = uuid::Uuid, Path, description = "Reply id")),
    responses((status = 200, body = ReplyItem), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn cancel(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id, reply_id)): Path<(String, String, String)>,
) -> AppResult<Json<ReplyItem>> {
    let services = Services::of(&state);
    let reply = rules::cancel(&services, &access, &thread_id, &reply_id).await?;
    Ok(Json(ReplyItem::new(access.tenant, access.role, reply)))
}

/// The tenant's outbox, at most 200 entries: `not_confirmed` first (they need a person to
/// check before resending), then newest first.
#[utoipa::path(get, path = "/tenants/{tenant_id}/outbox", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), OutboxQuery),
    responses((status = 200, body = ReplyList), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn outbox(
    State(state): State<AppState>,
    access: TenantAccess,
    query: Result<Query<OutboxQuery>, QueryRejection>,
) -> AppResult<Json<ReplyList>> {
    let Query(query) = query.map_err(refused)?;
    let services = Services::of(&state);
    let replies = rules::outbox(&services, &access, query.state.as_deref()).await?;
    Ok(Json(ReplyList::new(access.tenant, access.role, replies)))
}

/// The signature appended to each reply sent from the mailbox (empty when it has none).
#[utoipa::path(get, path = "/tenants/{tenant_id}/mailboxes/{email}/signature", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("email" = String, Path, description = "The mailbox's address")),
    responses((status = 200, body = SignatureItem), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn show_signature(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, email)): Path<(String, String)>,
) -> AppResult<Json<SignatureItem>> {
    let signature = signatures::show(&Services::of(&state), &access, &email).await?;
    Ok(Json(SignatureItem::new(access.tenant, signature)))
}

/// Saves the mailbox's signature (light markdown, at most 2,000 characters; empty clears it).
/// It applies to every reply that leaves the mailbox from now on, waiting ones included.
#[utoipa::path(put, path = "/tenants/{tenant_id}/mailboxes/{email}/signature", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("email" = String, Path, description = "The mailbox's address")),
    request_body = SignatureRequest,
    responses((status = 200, body = SignatureItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn save_signature(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, email)): Path<(String, String)>,
    ApiJson(request): ApiJson<SignatureRequest>,
) -> AppResult<Json<SignatureItem>> {
    let services = Services::of(&state);
    let signature = signatures::save(&services, &access, &email, &request.body).await?;
    Ok(Json(SignatureItem::new(access.tenant, signature)))
}

fn refused(rejection: QueryRejection) -> AppError {
    AppError::BadParameter {
        parameter: "query",
        problem: Problem::NotExpected {
            input: rejection.body_text().chars().take(80).collect(),
            expected: "a query string that names each parameter at most once",
        },
    }
}
