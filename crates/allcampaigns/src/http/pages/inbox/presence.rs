//! `POST /inbox/t/{tenant_id}/{thread_id}/presence` with `state` = `viewing`, `writing` or
//! `left`: sent by the inbox script while a thread is open (and as a beacon when the page
//! goes), answered 204.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::triage::invalid;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::inbox::presence;
use crate::live::PresenceState;
use crate::services::Services;

pub async fn announce(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let sent = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let chosen = PresenceState::parse(&sent)
        .ok_or_else(|| invalid("state", &sent, "viewing, writing or left"))?;
    presence::announce(&Services::of(&state), &access, &thread_id, chosen).await?;
    Ok(StatusCode::NO_CONTENT)
}
