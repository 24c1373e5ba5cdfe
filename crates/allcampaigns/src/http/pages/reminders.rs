//! "Remind me if no reply" beside an inbox thread: the thread's reminders with their state, a
//! Cancel for the waiting ones the viewer may cancel, and the form that sets one (a time in
//! the client's zone, or a quick choice). Staff only, as `notifications::reminders` rules;
//! the forms post, go through that rule and come back (303) without JavaScript.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Redirect;
use chrono::{DateTime, Days, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::inbox::rows::thread_path;
use super::inbox::triage::Fields;
use super::leads::{back_to, from_local_input, local_input, local_time, person_name};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::leads::settings;
use crate::notifications::{Reminder, ReminderState, reminders};
use crate::services::Services;
use crate::store::Member;
use crate::text::NotifyTexts;

pub struct ReminderView {
    pub line: String,
    pub state: &'static str,
    pub waiting: bool,
    /// Where its Cancel posts, when the viewer may cancel it.
    pub cancel_action: Option<String>,
}

pub struct RemindersPanel {
    pub action: String,
    /// The thread's page, which the forms come back to.
    pub back: String,
    pub zone: String,
    /// The form's first value: tomorrow at this time, in the client's zone.
    pub suggested: String,
    pub items: Vec<ReminderView>,
}

/// The thread's reminders panel, or `None` for a client representative, who sees none of it.
pub async fn load(
    app: &AppState,
    access: &TenantAccess,
    thread_id: &str,
    members: &[Member],
    back: String,
    n: &NotifyTexts,
) -> AppResult<Option<RemindersPanel>> {
    if !access.role.can_work_leads() {
        return Ok(None);
    }
    let services = Services::of(app);
    let zone = settings::load(&services, access).await?.time_zone;
    let action = format!("{}/reminders", thread_path(access.tenant, thread_id));
    let items = reminders::list(&services, access, thread_id)
        .await?
        .iter()
        .map(|reminder| view(reminder, access, members, zone, &action, n))
        .collect();
    Ok(Some(RemindersPanel {
        suggested: local_input(Utc::now() + Duration::days(1), zone),
        zone: zone.name().to_owned(),
        action,
        back,
        items,
    }))
}

fn view(
    reminder: &Reminder,
    access: &TenantAccess,
    members: &[Member],
    zone: Tz,
    action: &str,
    n: &NotifyTexts,
) -> ReminderView {
    let who = members
        .iter()
        .find(|m| m.user_id == reminder.user_id)
        .map_or_else(|| n.teammate.to_owned(), person_name);
    let waiting = reminder.state == ReminderState::Waiting;
    let mine = reminder.user_id == access.current.user.id;
    let may_cancel = waiting && (mine || access.role.can_administer());
    ReminderView {
        line: (n.reminder_for)(&who, &local_time(reminder.remind_at, zone)),
        state: (n.state)(reminder.state.as_str()),
        waiting,
        cancel_action: may_cancel.then(|| format!("{action}/{}/cancel", reminder.id)),
    }
}

/// Sets a reminder for the caller: at the form's time (read in the client's zone), or at a
/// quick choice (`tomorrow`, `3days`, `week`).
pub async fn set(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Redirect> {
    let fields = Fields::parse(&body);
    let services = Services::of(&app);
    let zone = settings::load(&services, &access).await?.time_zone;
    let at = match fields.get("quick") {
        Some(choice) => quick_time(choice, Utc::now(), zone)
            .map(|at| at.to_rfc3339())
            .unwrap_or_else(|| choice.to_owned()),
        None => from_local_input(fields.get("at").unwrap_or_default(), zone),
    };
    reminders::set(&services, &access, &thread_id, &at).await?;
    Ok(back(&fields, &access, &thread_id))
}

pub async fn cancel(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id, reminder_id)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Redirect> {
    let fields = Fields::parse(&body);
    let id: Uuid = reminder_id.parse().map_err(|_| AppError::NotFound)?;
    reminders::cancel(&Services::of(&app), &access, &thread_id, id).await?;
    Ok(back(&fields, &access, &thread_id))
}

/// A quick choice's moment: tomorrow at 9:00 on the client's clock, or 3 or 7 days on.
fn quick_time(choice: &str, now: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
    match choice {
        "tomorrow" => {
            let day = now
                .with_timezone(&zone)
                .date_naive()
                .checked_add_days(Days::new(1))?;
            let nine = day.and_time(NaiveTime::from_hms_opt(9, 0, 0)?);
            zone.from_local_datetime(&nine)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
        }
        "3days" => Some(now + Duration::days(3)),
        "week" => Some(now + Duration::days(7)),
        _ => None,
    }
}

fn back(fields: &Fields, access: &TenantAccess, thread_id: &str) -> Redirect {
    let fallback = thread_path(access.tenant, thread_id);
    Redirect::to(&back_to(fields.get("back"), fallback))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tomorrow_is_nine_on_the_clients_clock() {
        let zone: Tz = "Europe/Sofia".parse().unwrap();
        let now = "2026-01-15T23:30:00Z".parse().unwrap();
        let at = quick_time("tomorrow", now, zone).unwrap();
        // 01:30 on the 16th in Sofia: tomorrow is the 17th, 9:00 there is 07:00 UTC.
        assert_eq!(at.to_rfc3339(), "2026-01-17T07:00:00+00:00");
        assert_eq!(quick_time("soon", now, zone), None);
    }
}
