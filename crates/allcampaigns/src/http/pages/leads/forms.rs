//! The lead panel's forms: stage, value, owner and tags (`…/state`), a note, a call, and a
//! reply from a thread with its undo. Each reads its fields, calls the domain rule the JSON API
//! calls, and answers 303 back to the page it came from (`back`); a refusal renders the error
//! page with the rule's words, as every page form does.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Redirect;

use super::{back_to, from_local_input, lead_path};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::http::pages::inbox::rows::thread_path;
use crate::http::pages::inbox::triage::Fields;
use crate::leads::calls::{self, CallInput};
use crate::leads::notes::{self, NoteInput};
use crate::leads::replies::rules::{self, BUSINESS_HOURS, ReplyInput};
use crate::leads::settings;
use crate::leads::state::{self, LeadChange};
use crate::services::Services;
use crate::text::Problem;

/// `set` names the one thing the form changes: `stage`, `value`, `owner` or `tags`.
pub async fn set_state(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Redirect> {
    let fields = Fields::parse(&body);
    let change = lead_change(&fields)?;
    state::change(&Services::of(&app), &access, &lead_id, change).await?;
    Ok(back(&fields, lead_path(access.tenant, &lead_id)))
}

/// What the state form asks; `none` clears a stage or an owner.
pub fn lead_change(fields: &Fields) -> AppResult<LeadChange> {
    let chosen = |name: &str| fields.get(name).filter(|v| *v != "none").map(str::to_owned);
    let mut change = LeadChange::default();
    match fields.get("set") {
        Some("stage") => change.stage = Some(chosen("stage")),
        Some("value") => change.value = Some(chosen("value")),
        Some("owner") => change.owner = Some(chosen("owner")),
        Some("tags") => change.tags = Some(fields.all("tag").map(str::to_owned).collect()),
        other => return Err(refused("set", other, "stage, value, owner or tags")),
    }
    Ok(change)
}

/// A note; "shared with the client" unchecked keeps it internal. A client representative's
/// note is shared whatever the form says (the rule decides, not the checkbox).
pub async fn add_note(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Redirect> {
    let fields = Fields::parse(&body);
    let shared = match fields.get("shared") {
        Some(_) => Some(true),
        None if access.role.can_work_leads() => Some(false),
        None => None,
    };
    let input = NoteInput {
        body: fields.get("body").unwrap_or_default().to_owned(),
        shared,
    };
    notes::create(&Services::of(&app), &access, &lead_id, input).await?;
    Ok(back(&fields, lead_path(access.tenant, &lead_id)))
}

/// A call: when (in the client's zone), minutes, outcome and notes.
pub async fn log_call(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Redirect> {
    let fields = Fields::parse(&body);
    let services = Services::of(&app);
    let zone = settings::load(&services, &access).await?.time_zone;
    let minutes = fields.get("minutes").unwrap_or("0").trim();
    let minutes: i64 = minutes
        .parse()
        .map_err(|_| refused("minutes", Some(minutes), "a whole number of minutes"))?;
    let call_back_at = fields
        .get("call_back_at")
        .map(|at| from_local_input(at, zone));
    // The box comes ticked: it means something only with a time to call back.
    let snooze_thread = fields
        .get("snooze_thread")
        .filter(|_| call_back_at.is_some())
        .map(str::to_owned);
    let input = CallInput {
        at: from_local_input(fields.get("at").unwrap_or_default(), zone),
        duration_seconds: minutes.saturating_mul(60),
        outcome: fields.get("outcome").unwrap_or_default().to_owned(),
        notes: fields.get("notes").map(str::to_owned),
        call_back_at,
        snooze_thread,
    };
    calls::log(&services, &access, &lead_id, input).await?;
    Ok(back(&fields, lead_path(access.tenant, &lead_id)))
}

/// A reply from the thread, through the same rule as `POST …/threads/{id}/replies`: it waits
/// out the undo window (or until "send later", read in the client's zone).
pub async fn reply(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Redirect> {
    let fields = Fields::parse(&body);
    let services = Services::of(&app);
    let zone = settings::load(&services, &access).await?.time_zone;
    let send_at = match fields.get("business_hours") {
        Some(_) => Some(BUSINESS_HOURS.to_owned()),
        None => fields.get("send_at").map(|at| from_local_input(at, zone)),
    };
    let input = ReplyInput {
        body: fields.get("body").unwrap_or_default().to_owned(),
        send_at,
    };
    let undo = app.config.reply_undo;
    rules::queue(&services, &access, &thread_id, input, undo).await?;
    Ok(back(&fields, thread_path(access.tenant, &thread_id)))
}

pub async fn cancel_reply(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id, reply_id)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Redirect> {
    let fields = Fields::parse(&body);
    rules::cancel(&Services::of(&app), &access, &thread_id, &reply_id).await?;
    Ok(back(&fields, thread_path(access.tenant, &thread_id)))
}

fn back(fields: &Fields, fallback: String) -> Redirect {
    Redirect::to(&back_to(fields.get("back"), fallback))
}

fn refused(field: &'static str, given: Option<&str>, expected: &'static str) -> AppError {
    AppError::Invalid {
        field,
        problem: Problem::NotExpected {
            input: given.unwrap_or_default().chars().take(40).collect(),
            expected,
        },
    }
}
