//! A reply from someone other than the lead, by form
//! (`POST /inbox/t/{tenant_id}/{thread_id}/senders`, `action=attach|new_lead`, `address`):
//! calls `inbox::sender_rules::act` and answers 303 back to the thread with the list's query
//! kept. A second click is a no-op and lands on the same thread.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::query::ListQuery;
use super::rows::thread_path;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::inbox::sender_rules;
use crate::inbox::senders::SenderAction;
use crate::services::Services;
use crate::text::Problem;

pub async fn act(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let field = |name: &str| {
        url::form_urlencoded::parse(&body)
            .filter(|(n, _)| n == name)
            .last()
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    let name = field("action");
    let action = SenderAction::from_name(&name).ok_or_else(|| AppError::Invalid {
        field: "action",
        problem: Problem::NotExpected {
            input: name.chars().take(40).collect(),
            expected: "attach or new_lead",
        },
    })?;
    let address = field("address");
    let services = Services::of(&state);
    sender_rules::act(&services, &access, &thread_id, action, &address).await?;
    let back = field("back");
    let back = ListQuery::parse((!back.is_empty()).then_some(back.as_str()));
    let to = back.href(&thread_path(access.tenant, &thread_id));
    Ok(Redirect::to(&to).into_response())
}
