//! A person's notifications (`/notifications`, across every client they reach), what they chose
//! to be mailed about (`/me/notification-settings`), and a thread's "remind me if no reply"
//! (`/tenants/{tenant_id}/threads/{thread_id}/reminders`). Rules: `notifications`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::leads::refused;
use super::types::ErrorEnvelope;
use super::{ApiJson, JsonObject};
use crate::app::AppState;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::leads::{bad_parameter, read_limit};
use crate::notifications::{self, Notification, Reminder, reminders};
use crate::services::Services;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// `true`: unread ones only.
    #[param(value_type = Option<bool>)]
    pub unread: Option<String>,
    /// 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationItem {
    pub notification_id: uuid::Uuid,
    pub tenant_id: uuid::Uuid,
    /// `mention` or `reminder`.
    pub kind: String,
    /// Who mentioned the person; none for a reminder.
    pub actor_name: Option<String>,
    pub lead_email: Option<String>,
    pub thread_id: Option<String>,
    pub note_id: Option<uuid::Uuid>,
    /// The note's first words, or the thread's subject.
    pub excerpt: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<Notification> for NotificationItem {
    fn from(n: Notification) -> Self {
        Self {
            notification_id: n.notification_id,
            tenant_id: n.tenant_id.as_uuid(),
            kind: n.kind,
            actor_name: n.actor_name,
            lead_email: n.lead_email,
            thread_id: n.thread_id,
            note_id: n.note_id,
            excerpt: n.excerpt,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationItem>,
}

#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many were unread.
    pub marked: u64,
}

/// What the person chose to be mailed about.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Mail me when a teammate mentions me in a note.
    pub mention_emails: bool,
}

/// The caller's notifications across every client they reach, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationParams),
    responses((status = 200, body = NotificationList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<NotificationParams>, QueryRejection>,
) -> AppResult<Json<NotificationList>> {
    let Query(params) = query.map_err(refused)?;
    let unread = match params.unread.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(bad_parameter("unread", other, "true or false")),
    };
    let limit = read_limit(params.limit.as_deref())?;
    let services = Services::of(&state);
    let items = notifications::list(&services, &current, unread, i64::from(limit)).await?;
    Ok(Json(NotificationList {
        items: items.into_iter().map(NotificationItem::from).collect(),
    }))
}

/// Marks one of the caller's notifications read; another person's answers 404.
#[utoipa::path(post, path = "/tenants/{tenant_id}/notifications/{notification_id}/read",
    tag = "notifications",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("notification_id" = uuid::Uuid, Path, description = "Notification id")),
    responses((status = 204), (status = 404, body = ErrorEnvelope)))]
pub async fn mark_read(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let id: uuid::Uuid = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let services = Services::of(&state);
    notifications::mark_read(&services, &access.current, access.tenant, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 200, body = MarkedRead), (status = 401, body = ErrorEnvelope)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<MarkedRead>> {
    let marked = notifications::mark_all_read(&Services::of(&state), &current).await?;
    Ok(Json(MarkedRead { marked }))
}

#[utoipa::path(get, path = "/me/notification-settings", tag = "notifications",
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorEnvelope)))]
pub async fn settings(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<NotificationSettings>> {
    let mention_emails = state.store.mention_emails(current.user.id).await?;
    Ok(Json(NotificationSettings { mention_emails }))
}

#[utoipa::path(put, path = "/me/notification-settings", tag = "notifications",
    request_body = NotificationSettings,
    responses((status = 200, body = NotificationSettings), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope)))]
pub async fn set_settings(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<NotificationSettings>>,
) -> AppResult<Json<NotificationSettings>> {
    let store = &state.store;
    store
        .set_mention_emails(current.user.id, request.mention_emails, Utc::now())
        .await?;
    Ok(Json(request))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderRequest {
    /// When to remind (RFC 3339 with its offset), in the future, at most a year ahead.
    #[schema(example = "2026-12-09T09:00:00+01:00")]
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReminderItem {
    pub reminder_id: uuid::Uuid,
    pub tenant_id: uuid::Uuid,
    pub thread_id: String,
    pub user_id: uuid::Uuid,
    pub remind_at: DateTime<Utc>,
    /// `waiting`, `reminded`, `answered` (the lead wrote: it cancelled itself) or `cancelled`.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

impl ReminderItem {
    fn new(tenant: TenantId, r: Reminder) -> Self {
        Self {
            reminder_id: r.id,
            tenant_id: tenant.as_uuid(),
            thread_id: r.thread_id,
            user_id: r.user_id.as_uuid(),
            remind_at: r.remind_at,
            state: r.state.as_str().to_owned(),
            created_at: r.created_at,
            settled_at: r.settled_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReminderList {
    pub items: Vec<ReminderItem>,
}

/// Reminds the caller of the thread at `at` unless the lead writes first (the agency's roles).
#[utoipa::path(post, path = "/tenants/{tenant_id}/threads/{thread_id}/reminders",
    tag = "notifications",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    request_body = ReminderRequest,
    responses((status = 201, body = ReminderItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn remind(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<ReminderRequest>,
) -> AppResult<(StatusCode, Json<ReminderItem>)> {
    let services = Services::of(&state);
    let reminder = reminders::set(&services, &access, &thread_id, &request.at).await?;
    let item = ReminderItem::new(access.tenant, reminder);
    Ok((StatusCode::CREATED, Json(item)))
}

/// The thread's reminders, newest first.
#[utoipa::path(get, path = "/tenants/{tenant_id}/threads/{thread_id}/reminders",
    tag = "notifications",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    responses((status = 200, body = ReminderList), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn thread_reminders(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
) -> AppResult<Json<ReminderList>> {
    let services = Services::of(&state);
    let items = reminders::list(&services, &access, &thread_id).await?;
    let tenant = access.tenant;
    Ok(Json(ReminderList {
        items: items
            .into_iter()
            .map(|r| ReminderItem::new(tenant, r))
            .collect(),
    }))
}

/// Cancels a waiting reminder (its owner's; an owner or admin any); 409 once it settled.
#[utoipa::path(post,
    path = "/tenants/{tenant_id}/threads/{thread_id}/reminders/{reminder_id}/cancel",
    tag = "notifications",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id"),
        ("reminder_id" = uuid::Uuid, Path, description = "Reminder id")),
    responses((status = 200, body = ReminderItem), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn cancel_reminder(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id, id)): Path<(String, String, String)>,
) -> AppResult<Json<ReminderItem>> {
    let id: uuid::Uuid = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let services = Services::of(&state);
    let reminder = reminders::cancel(&services, &access, &thread_id, id).await?;
    Ok(Json(ReminderItem::new(access.tenant, reminder)))
}
