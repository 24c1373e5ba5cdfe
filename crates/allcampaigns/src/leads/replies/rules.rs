//! Who may reply, undo and read the outbox, and what a reply must be.
//!
//! Owners, admins and operators reply from a thread, undo a reply while it waits, and read the
//! outbox. A client representative gets 403 on all of it, reading included: the outbox is the
//! agency's work, as call logs are (what was sent shows in the thread once synced). Another
//! tenant's thread or reply is 404. A reply answers the thread's latest received message, from
//! the mailbox that message reached; a thread with none is refused (422, `thread_id`). Each
//! change writes one audit entry in its transaction, naming the thread and the lead, never the
//! body.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{MAX_DAYS_AHEAD, MAX_LIST, Reply, ReplyState, ReplyTarget, send};
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::inbox::is_plausible_id;
use crate::leads::Author;
use crate::leads::input::{self, invalid};
use crate::leads::{business_hours, settings};
use crate::services::Services;
use crate::text::Problem;

/// A `send_at` a little behind the server's clock is a clock's difference, not the past.
const CLOCK_SLACK: Duration = Duration::minutes(1);

/// The `send_at` that sends at the client's next business hours (now, if they are open).
pub const BUSINESS_HOURS: &str = "business_hours";

/// A reply as it arrives.
#[derive(Debug, Clone)]
pub struct ReplyInput {
    pub body: String,
    /// RFC 3339 with its offset, or [`BUSINESS_HOURS`]; absent: as soon as the undo window
    /// has passed.
    pub send_at: Option<String>,
}

/// Queues a reply: `scheduled` until `max(send_at, now + undo)`, when its job sends it.
pub async fn queue(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
    input: ReplyInput,
    undo: StdDuration,
) -> AppResult<Reply> {
    require_replier(access)?;
    let target = thread(services, access, thread_id).await?;
    let settings = settings::load(services, access).await?;
    if !settings.instantly_writes {
        return Err(AppError::Conflict(Problem::InstantlyWritesOff));
    }
    let now = Utc::now().trunc_subsecs(6);
    let (body, html) = input::text("body", &input.body)?;
    let undo = Duration::from_std(undo).unwrap_or(Duration::zero());
    let earliest = now + undo;
    let send_at = match input.send_at.as_deref().map(str::trim) {
        None => earliest,
        Some(BUSINESS_HOURS) => business_hours::next_open(&settings, earliest),
        Some(when) => send_time(when, now)?.max(earliest),
    };
    let reply = draft(access, target, body, html, send_at, now)?;
    let details = json!({
        "thread_id": reply.thread_id,
        "lead_email": reply.lead_email,
        "send_at": reply.send_at,
    });
    let entry = entry(access, AuditAction::ReplyQueued, &reply, details);
    let job = send::job(reply.id, send_at);
    services
        .store
        .insert_reply(access.tenant, &reply, &job, &entry)
        .await?;
    Ok(reply)
}

/// The thread's replies, newest first.
pub async fn list(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
) -> AppResult<Vec<Reply>> {
    require_replier(access)?;
    let target = thread(services, access, thread_id).await?;
    let store = services.store;
    Ok(store
        .thread_replies(access.tenant, &target.thread_id)
        .await?)
}

/// The tenant's outbox, in one state or all: `not_confirmed` first, then newest first.
pub async fn outbox(
    services: &Services<'_>,
    access: &TenantAccess,
    state: Option<&str>,
) -> AppResult<Vec<Reply>> {
    require_replier(access)?;
    let state = match state {
        None => None,
        Some(name) => Some(
            ReplyState::from_name(name).ok_or_else(|| AppError::BadParameter {
                parameter: "state",
                problem: Problem::NotExpected {
                    input: name.chars().take(40).collect(),
                    expected: "scheduled, cancelled, sending, sent, not_confirmed or failed",
                },
            })?,
        ),
    };
    Ok(services
        .store
        .outbox(access.tenant, state, MAX_LIST)
        .await?)
}

/// Undoes a reply that has not left; 409 once it has (or was undone).
pub async fn cancel(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
    reply_id: &str,
) -> AppResult<Reply> {
    require_replier(access)?;
    let reply = find(services, access, thread_id, reply_id).await?;
    let not_scheduled = |state: ReplyState| {
        AppError::Conflict(Problem::ReplyNotScheduled {
            state: state.as_str(),
        })
    };
    if reply.state != ReplyState::Scheduled {
        return Err(not_scheduled(reply.state));
    }
    let now = Utc::now().trunc_subsecs(6);
    let details = json!({"thread_id": reply.thread_id, "lead_email": reply.lead_email});
    let entry = entry(access, AuditAction::ReplyCancelled, &reply, details);
    let store = services.store;
    let cancelled = store
        .cancel_reply(access.tenant, reply.id, now, &entry)
        .await?;
    let now_stored = find(services, access, thread_id, reply_id).await?;
    if !cancelled {
        // Its job claimed it meanwhile.
        return Err(not_scheduled(now_stored.state));
    }
    Ok(now_stored)
}

/// A reply of this thread; 404 for any other.
async fn find(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
    reply_id: &str,
) -> AppResult<Reply> {
    let id: Uuid = reply_id.parse().map_err(|_| AppError::NotFound)?;
    services
        .store
        .reply(access.tenant, id)
        .await?
        .filter(|reply| reply.thread_id == thread_id)
        .ok_or(AppError::NotFound)
}

/// The tenant's thread; 404 when it has none by this id.
async fn thread(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
) -> AppResult<ReplyTarget> {
    if !is_plausible_id(thread_id) {
        return Err(AppError::NotFound);
    }
    let store = services.store;
    let found = store.reply_target(access.tenant, thread_id).await?;
    found.ok_or(AppError::NotFound)
}

/// The outbox entry of a reply to the thread's latest received message, from the mailbox
/// that message reached.
fn draft(
    access: &TenantAccess,
    target: ReplyTarget,
    body: String,
    html: String,
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<Reply> {
    let Some(message) = target.message else {
        return Err(invalid(
            "thread_id",
            target.thread_id.chars().take(40).collect(),
            "a thread with a message from the lead to answer",
        ));
    };
    let lead_email = target
        .lead_email
        .or(message.from_address)
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    Ok(Reply {
        id: Uuid::now_v7(),
        thread_id: target.thread_id,
        lead_email,
        author: Some(Author::acting(access)),
        eaccount: message.mailbox,
        reply_to_uuid: message.id,
        reply_to_at: message.at,
        subject: reply_subject(&target.subject),
        body,
        html,
        send_at,
        state: ReplyState::Scheduled,
        error: None,
        instantly_email_id: None,
        confirmed_by_sync: false,
        attempted_at: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
    })
}

/// "Re: " and the thread's subject, once.
pub fn reply_subject(subject: &str) -> String {
    let subject = subject.trim();
    let already = subject
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("re:"));
    if already {
        subject.to_owned()
    } else {
        format!("Re: {subject}")
    }
}

/// When to send: in the future (give or take a clock's difference) and within 90 days.
fn send_time(value: &str, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    let at = input::instant("send_at", value)?;
    if at < now - CLOCK_SLACK || at > now + Duration::days(MAX_DAYS_AHEAD) {
        return Err(invalid(
            "send_at",
            value.chars().take(40).collect(),
            "a time in the future, at most 90 days ahead, or business_hours",
        ));
    }
    Ok(at)
}

/// Replying is the agency's work: a client representative neither replies nor reads the
/// outbox.
pub(super) fn require_replier(access: &TenantAccess) -> AppResult<()> {
    if access.role.can_work_leads() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn entry(
    access: &TenantAccess,
    action: AuditAction,
    reply: &Reply,
    details: serde_json::Value,
) -> crate::store::NewAuditEntry {
    let actor = Some(access.current.user.id);
    audit::entry(actor, action, Some(reply.id.to_string()), details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_says_re_once() {
        assert_eq!(reply_subject("Quick question"), "Re: Quick question");
        assert_eq!(reply_subject("RE: Quick question"), "RE: Quick question");
        assert_eq!(reply_subject(" re:x "), "re:x");
        assert_eq!(reply_subject("Ré"), "Re: Ré");
    }

    #[test]
    fn a_send_time_is_in_the_future_and_within_ninety_days() {
        let now: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
        let at = send_time("2026-12-02T09:00:00+01:00", now).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-02T08:00:00+00:00");
        for refused in [
            "2026-12-01T11:00:00Z",
            "2027-03-02T12:00:01Z",
            "tomorrow",
            "2026-12-02",
        ] {
            match send_time(refused, now) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, "send_at"),
                other => panic!("{refused}: {other:?}"),
            }
        }
    }
}
