//! A client's inbound hook for Instantly's webhooks (`/tenants/{tenant_id}/inbound-hook`) and
//! the events it received (`/tenants/{tenant_id}/inbound-events`). Rules: `inbound::rules`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::Serialize;
use utoipa::ToSchema;

use super::leads::refused;
use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::inbound::registration::Registration;
use crate::inbound::{InboundEvent, InboundHook, rules};
use crate::leads::{PageCursor, PageParams};
use crate::services::Services;

#[derive(Serialize, ToSchema)]
pub struct HookView {
    pub created_at: DateTime<Utc>,
    pub created_by: Option<uuid::Uuid>,
    /// The subscription the product registered in the client's Instantly workspace, if it did.
    pub instantly_webhook_id: Option<String>,
}

impl From<InboundHook> for HookView {
    fn from(hook: InboundHook) -> Self {
        Self {
            created_at: hook.created_at,
            created_by: hook.created_by.map(|u| u.as_uuid()),
            instantly_webhook_id: hook.instantly_webhook_id,
        }
    }
}

/// A hook just made, with its secrets: shown this once.
#[derive(Serialize, ToSchema)]
pub struct MadeHookView {
    #[serde(flatten)]
    pub hook: HookView,
    /// Where Instantly posts the client's events.
    pub url: String,
    /// The header Instantly must send with every event, and its value.
    pub header_name: String,
    pub header_value: String,
    /// Whether the product registered the address and header in the client's Instantly
    /// workspace itself (`registered`, with the subscription's id), or why not: `not_https`
    /// (give Instantly the address and header by hand), `no_link`, `failed` (with Instantly's
    /// words).
    pub registration: Registration,
}

#[derive(Serialize, ToSchema)]
pub struct InboundEventItem {
    pub event_id: uuid::Uuid,
    pub event_type: String,
    pub email_id: Option<String>,
    pub lead_email: Option<String>,
    /// Instantly's `timestamp`, as it wrote it.
    pub occurred_at: Option<String>,
    pub received_at: DateTime<Utc>,
    /// The body as received.
    pub payload: String,
}

impl From<InboundEvent> for InboundEventItem {
    fn from(e: InboundEvent) -> Self {
        Self {
            event_id: e.id,
            event_type: e.event_type,
            email_id: e.email_id,
            lead_email: e.lead_email,
            occurred_at: e.occurred_at,
            received_at: e.received_at,
            payload: e.payload,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InboundEventPage {
    pub items: Vec<InboundEventItem>,
    /// The next (older) page's cursor, when there is one.
    pub next_cursor: Option<String>,
}

/// The client's inbound hook, without its secrets (owners and admins); 404 when it has none.
#[utoipa::path(get, path = "/tenants/{tenant_id}/inbound-hook", tag = "inbound",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = HookView), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<HookView>> {
    let hook = rules::show(&Services::of(&state), &access).await?;
    Ok(Json(hook.into()))
}

/// Makes the client's inbound hook, replacing the old one (whose address then answers 404):
/// the address and header to give Instantly, shown this once (owners and admins).
#[utoipa::path(post, path = "/tenants/{tenant_id}/inbound-hook", tag = "inbound",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 201, body = MadeHookView), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn make(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<(StatusCode, Json<MadeHookView>)> {
    let made = rules::make(&Services::of(&state), &access).await?;
    let view = MadeHookView {
        hook: made.hook.into(),
        url: made.url.expose_secret().to_owned(),
        header_name: made.header_name.to_owned(),
        header_value: made.header_value.expose_secret().to_owned(),
        registration: made.registration,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// Removes the client's inbound hook: its address answers 404 from now on (owners and admins).
#[utoipa::path(delete, path = "/tenants/{tenant_id}/inbound-hook", tag = "inbound",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn remove(State(state): State<AppState>, access: TenantAccess) -> AppResult<StatusCode> {
    rules::remove(&Services::of(&state), &access).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The events the client's hook received, newest first, as received (the agency's roles).
#[utoipa::path(get, path = "/tenants/{tenant_id}/inbound-events", tag = "inbound",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), PageParams),
    responses((status = 200, body = InboundEventPage), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn events(
    State(state): State<AppState>,
    access: TenantAccess,
    query: Result<Query<PageParams>, QueryRejection>,
) -> AppResult<Json<InboundEventPage>> {
    let Query(params) = query.map_err(refused)?;
    let (after, limit) = params.read()?;
    let services = Services::of(&state);
    let mut items = rules::events(&services, &access, after, limit + 1).await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = more.then(|| items.last()).flatten().map(|e| {
        PageCursor {
            at: e.received_at,
            id: e.id,
        }
        .encode()
    });
    Ok(Json(InboundEventPage {
        items: items.into_iter().map(InboundEventItem::from).collect(),
        next_cursor,
    }))
}
