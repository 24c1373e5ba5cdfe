//! The inbox: `/threads` across every client the caller may see (or one), tab counts, one
//! thread with its messages, and triage of one thread or many. Reading takes any member;
//! triage takes an owner, admin or operator (`inbox::rules`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};

use super::ApiJson;
use super::inbox_types::{
    BulkTriageRequest, BulkTriageResult, SenderRequest, TabCounts, ThreadBody, ThreadItem,
    ThreadList, TriageAction, TriageRequest,
};
use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::{CurrentUser, TenantAccess};
use crate::error::{AppError, AppResult};
use crate::inbox::params::ThreadParams;
use crate::inbox::{Triage, rules, sender_rules};
use crate::services::Services;
use crate::text::Problem;

/// The inbox list, newest first, one page at a time (keyset: pass `next_cursor` back as
/// `cursor`). A parameter that cannot be read answers 400 naming it; a `tenant` the caller
/// may not see answers 404.
#[utoipa::path(get, path = "/threads", tag = "inbox", params(ThreadParams),
    responses((status = 200, body = ThreadList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ThreadParams>, QueryRejection>,
) -> AppResult<Json<ThreadList>> {
    let Query(params) = query.map_err(refused)?;
    let request = params.read(current.user.id)?;
    let page = rules::list(
        &Services::of(&state),
        &current,
        request.tenant,
        &request.filter,
        request.cursor.as_ref(),
        request.limit,
    )
    .await?;
    Ok(Json(page.into()))
}

/// The count of each tab under the same filters as `/threads` (its `view`, `cursor` and
/// `limit` are ignored), each capped at 10,000.
#[utoipa::path(get, path = "/threads/counts", tag = "inbox", params(ThreadParams),
    responses((status = 200, body = TabCounts), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn counts(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<ThreadParams>, QueryRejection>,
) -> AppResult<Json<TabCounts>> {
    let Query(params) = query.map_err(refused)?;
    let request = params.read(current.user.id)?;
    let services = Services::of(&state);
    let counts = rules::counts(&services, &current, request.tenant, &request.filter).await?;
    Ok(Json(counts.into()))
}

/// One thread with its messages, oldest first, and its lead.
#[utoipa::path(get, path = "/tenants/{tenant_id}/threads/{thread_id}", tag = "inbox",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    responses((status = 200, body = ThreadBody), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
) -> AppResult<Json<ThreadBody>> {
    let services = Services::of(&state);
    let detail = rules::thread(&services, &access, &thread_id).await?;
    let senders = sender_rules::thread_senders(&services, access.tenant, &detail).await?;
    Ok(Json(ThreadBody::new(detail, senders)))
}

/// Acts on the sender of a reply in the thread who is not its lead (owners, admins and
/// operators): `attach` records the address as another address of the thread's lead, so its
/// replies show as the lead's in every thread of that lead; `new_lead` makes a lead of our own
/// in this client for it, named from the reply's From header. Either again changes nothing.
/// Answers the thread as it now stands.
#[utoipa::path(post, path = "/tenants/{tenant_id}/threads/{thread_id}/senders", tag = "inbox",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    request_body = SenderRequest,
    responses((status = 200, body = ThreadBody), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn senders(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<SenderRequest>,
) -> AppResult<Json<ThreadBody>> {
    let services = Services::of(&state);
    let action = request.action.into();
    sender_rules::act(&services, &access, &thread_id, action, &request.address).await?;
    let detail = rules::thread(&services, &access, &thread_id).await?;
    let senders = sender_rules::thread_senders(&services, access.tenant, &detail).await?;
    Ok(Json(ThreadBody::new(detail, senders)))
}

/// Marks one thread read or unread, done or not, snoozes or wakes it, or assigns it
/// (owners, admins and operators). Answers the thread as it now stands.
#[utoipa::path(post, path = "/tenants/{tenant_id}/threads/{thread_id}/triage", tag = "inbox",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    request_body = TriageRequest,
    responses((status = 200, body = ThreadItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn triage(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<TriageRequest>,
) -> AppResult<Json<ThreadItem>> {
    let change = change(request.action, request.until, request.owner)?;
    let services = Services::of(&state);
    let ids = [thread_id];
    rules::triage(&services, &access, &ids, change).await?;
    let detail = rules::thread(&services, &access, &ids[0]).await?;
    Ok(Json(detail.summary.into()))
}

/// The same triage change for 1 to 500 threads of one tenant: all, or none when any is not
/// the tenant's (404).
#[utoipa::path(post, path = "/tenants/{tenant_id}/triage", tag = "inbox",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    request_body = BulkTriageRequest,
    responses((status = 200, body = BulkTriageResult), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn bulk_triage(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(request): ApiJson<BulkTriageRequest>,
) -> AppResult<Json<BulkTriageResult>> {
    let change = change(request.action, request.until, request.owner)?;
    let mut ids = request.thread_ids;
    ids.sort();
    ids.dedup();
    rules::triage(&Services::of(&state), &access, &ids, change).await?;
    Ok(Json(BulkTriageResult { changed: ids.len() }))
}

fn change(
    action: TriageAction,
    until: Option<chrono::DateTime<chrono::Utc>>,
    owner: Option<uuid::Uuid>,
) -> AppResult<Triage> {
    Ok(match action {
        TriageAction::Read => Triage::Read,
        TriageAction::Unread => Triage::Unread,
        TriageAction::Done => Triage::Done,
        TriageAction::Undone => Triage::Undone,
        TriageAction::Snooze => Triage::Snooze {
            until: until.ok_or_else(|| AppError::Invalid {
                field: "until",
                problem: Problem::NotExpected {
                    input: "null".into(),
                    expected: "an RFC 3339 instant in the future",
                },
            })?,
        },
        TriageAction::Unsnooze => Triage::Unsnooze,
        TriageAction::Assign => Triage::Assign {
            owner: owner.map(crate::domain::UserId::from_uuid),
        },
    })
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
