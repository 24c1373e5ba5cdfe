//! Call logs with no dialer: a person records a call they made elsewhere (when, how long, how
//! it went, notes, and for a call back when to call again). Owners, admins and operators log
//! and read calls; a client representative gets 403 on both. Each logged call writes one audit
//! entry in its transaction, naming the lead, the call and its outcome, never its notes.

use chrono::{SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::input::{self, invalid};
use super::speed::{self, TouchKind};
use super::{Author, Call, CallOutcome, Page, PageCursor, lead_key, page};
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::inbox::{Triage, rules};
use crate::services::Services;

/// The longest call, in seconds: a day.
pub const MAX_DURATION_SECONDS: i64 = 86_400;

/// A call to log, as it arrives.
#[derive(Debug, Clone)]
pub struct CallInput {
    /// RFC 3339 with its offset.
    pub at: String,
    pub duration_seconds: i64,
    /// One of [`CallOutcome`]'s names.
    pub outcome: String,
    pub notes: Option<String>,
    /// Only for a call back.
    pub call_back_at: Option<String>,
    /// With `call_back_at`: a thread to snooze until then, so it comes back to the inbox when
    /// it is time to call.
    pub snooze_thread: Option<String>,
}

/// A page of the lead's calls, by when they happened, newest first.
pub async fn list(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    after: Option<&PageCursor>,
    limit: u32,
) -> AppResult<Page<Call>> {
    require_caller(access)?;
    let lead = lead_key::resolve(services, access.tenant, lead_id).await?;
    let rows = services
        .store
        .lead_calls(access.tenant, &lead, after, limit + 1)
        .await?;
    Ok(page(rows, limit, Call::cursor))
}

/// One call of the lead; 404 for any other.
pub async fn find(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    call_id: &str,
) -> AppResult<Call> {
    require_caller(access)?;
    let lead = lead_key::resolve(services, access.tenant, lead_id).await?;
    let id: Uuid = call_id.parse().map_err(|_| AppError::NotFound)?;
    let found = services.store.lead_call(access.tenant, &lead, id).await?;
    found.ok_or(AppError::NotFound)
}

pub async fn log(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    input: CallInput,
) -> AppResult<Call> {
    require_caller(access)?;
    let lead_email = lead_key::resolve(services, access.tenant, lead_id).await?;
    let now = Utc::now().trunc_subsecs(6);
    let snooze_thread = input.snooze_thread.clone();
    let mut call = read(input, now)?;
    if let Some(thread) = snooze_thread {
        // Snoozed first: a call that cannot snooze its thread is not logged half-done.
        let Some(until) = call.call_back_at else {
            let given = thread.chars().take(40).collect();
            return Err(invalid(
                "snooze_thread",
                given,
                "absent unless call_back_at is given",
            ));
        };
        rules::triage(services, access, &[thread], Triage::Snooze { until }).await?;
    }
    call.lead_email = lead_email;
    call.author = Some(Author::acting(access));
    let details = json!({"lead_email": call.lead_email, "outcome": call.outcome.as_str()});
    let entry = audit::entry(
        Some(access.current.user.id),
        AuditAction::CallLogged,
        Some(call.id.to_string()),
        details,
    );
    services
        .store
        .insert_lead_call(access.tenant, &call, &entry)
        .await?;
    speed::touch(services, access, &call.lead_email, TouchKind::Call, call.at).await?;
    Ok(call)
}

/// Calls are the agency's work: a client representative neither sees nor logs them.
fn require_caller(access: &TenantAccess) -> AppResult<()> {
    if access.role.can_work_leads() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The call as asked, checked field by field; its lead and author are the caller's to set.
fn read(input: CallInput, now: chrono::DateTime<Utc>) -> AppResult<Call> {
    let at = input::call_time(&input.at, now)?;
    if !(0..=MAX_DURATION_SECONDS).contains(&input.duration_seconds) {
        let given = input.duration_seconds.to_string();
        return Err(invalid(
            "duration_seconds",
            given,
            "a number of seconds from 0 to 86400",
        ));
    }
    let outcome = CallOutcome::from_name(&input.outcome).ok_or_else(|| {
        invalid(
            "outcome",
            input.outcome.chars().take(40).collect(),
            "connected, no_answer, voicemail, wrong_number, meeting_booked, not_interested or \
             call_back",
        )
    })?;
    let call_back_at = match (outcome, input.call_back_at.as_deref()) {
        (_, None) => None,
        (CallOutcome::CallBack, Some(when)) => Some(input::call_back_time(when, at, now)?),
        (_, Some(when)) => {
            let given = when.chars().take(40).collect();
            return Err(invalid(
                "call_back_at",
                given,
                "absent unless the outcome is call_back",
            ));
        }
    };
    let notes = input::optional_text("notes", input.notes.as_deref())?;
    let (notes, notes_html) = notes.unzip();
    Ok(Call {
        id: Uuid::now_v7(),
        lead_email: String::new(),
        author: None,
        at,
        duration_seconds: input.duration_seconds,
        outcome,
        notes,
        notes_html,
        call_back_at,
        created_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CallInput {
        CallInput {
            at: "2026-11-30T10:00:00+01:00".into(),
            duration_seconds: 90,
            outcome: "call_back".into(),
            notes: Some("Call **Tuesday**".into()),
            call_back_at: Some("2026-12-01T09:00:00+01:00".into()),
            snooze_thread: None,
        }
    }

    fn refused_field(input: CallInput) -> &'static str {
        let now = "2026-11-30T12:00:00Z".parse().unwrap();
        match read(input, now) {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_call_is_read_with_its_notes_rendered() {
        let now = "2026-11-30T12:00:00Z".parse().unwrap();
        let call = read(input(), now).unwrap();
        assert_eq!(call.outcome, CallOutcome::CallBack);
        assert_eq!(call.at.to_rfc3339(), "2026-11-30T09:00:00+00:00");
        assert_eq!(
            call.notes_html.as_deref(),
            Some("<p>Call <strong>Tuesday</strong></p>\n")
        );
        assert!(call.call_back_at.is_some());
    }

    #[test]
    fn each_bad_field_is_named() {
        let with = |change: fn(&mut CallInput)| {
            let mut input = input();
            change(&mut input);
            refused_field(input)
        };
        assert_eq!(with(|i| i.duration_seconds = -1), "duration_seconds");
        assert_eq!(with(|i| i.duration_seconds = 86_401), "duration_seconds");
        assert_eq!(with(|i| i.outcome = "answered".into()), "outcome");
        assert_eq!(with(|i| i.at = "2026-11-30 10:00".into()), "at");
        assert_eq!(with(|i| i.notes = Some("x".repeat(10_001))), "notes");
        assert_eq!(with(|i| i.outcome = "voicemail".into()), "call_back_at");
        assert_eq!(
            with(|i| i.call_back_at = Some("tomorrow".into())),
            "call_back_at"
        );
    }
}
