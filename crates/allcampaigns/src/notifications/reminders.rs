//! "Remind me if no reply": a member asks to be reminded of a thread at a time; a job at that
//! time makes them a notification unless the lead wrote in the thread after the reminder was
//! set (after its latest message then, by Instantly's clock), in which case the reminder
//! cancelled itself (`answered`). The check is made when the
//! time comes, so a reply synced at any point before it cancels the reminder, and the list of a
//! thread's reminders shows a waiting one as answered as soon as the reply is stored.

use async_trait::async_trait;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{Notification, REMINDER, excerpt};
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::domain::{Role, UserId};
use crate::error::{AppError, AppResult};
use crate::inbox::rules;
use crate::jobs::runner::{Handler, Next};
use crate::jobs::{DEFAULT_MAX_ATTEMPTS, Job, JobKind, NewJob};
use crate::leads::input::{self, invalid};
use crate::services::Services;
use crate::store::DynStore;

/// The furthest ahead a reminder may be set.
const MAX_DAYS_AHEAD: i64 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderState {
    Waiting,
    /// The time came and the lead had not written: the member was notified.
    Reminded,
    /// The lead wrote after the reminder was set: it cancelled itself.
    Answered,
    Cancelled,
}

impl ReminderState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Reminded => "reminded",
            Self::Answered => "answered",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Waiting,
            Self::Reminded,
            Self::Answered,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub id: Uuid,
    pub thread_id: String,
    pub user_id: UserId,
    pub remind_at: DateTime<Utc>,
    /// The lead's latest message in the thread when it was set (Instantly's clock): a later one
    /// is an answer.
    pub lead_seen_at: Option<DateTime<Utc>>,
    pub state: ReminderState,
    pub created_at: DateTime<Utc>,
    pub settled_at: Option<DateTime<Utc>>,
}

impl Reminder {
    /// Whether the lead's latest message (`latest`) came after the one seen when it was set.
    fn answered_by(&self, latest: Option<DateTime<Utc>>) -> bool {
        latest.is_some_and(|latest| self.lead_seen_at.is_none_or(|seen| latest > seen))
    }
}

/// The job that reminds at the reminder's time (unique key: the reminder).
pub fn job(reminder: &Reminder) -> NewJob {
    NewJob {
        kind: JobKind::ThreadReminder,
        payload: json!({ "reminder_id": reminder.id }),
        unique_key: Some(reminder.id.to_string()),
        run_at: reminder.remind_at,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
    }
}

/// Reminders are the agency's: a client representative neither sets nor reads them.
fn require_staff(access: &TenantAccess) -> AppResult<()> {
    if access.role == Role::Client {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Sets a reminder for the caller on a thread of the tenant, at `at` (RFC 3339).
pub async fn set(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
    at: &str,
) -> AppResult<Reminder> {
    require_staff(access)?;
    rules::thread(services, access, thread_id).await?;
    let now = Utc::now().trunc_subsecs(6);
    let remind_at = input::instant("at", at)?;
    if remind_at <= now || remind_at > now + Duration::days(MAX_DAYS_AHEAD) {
        let expected = "a time in the future, at most a year ahead";
        return Err(invalid("at", at.chars().take(40).collect(), expected));
    }
    let reminder = Reminder {
        id: Uuid::now_v7(),
        thread_id: thread_id.to_owned(),
        user_id: access.current.user.id,
        remind_at,
        lead_seen_at: None,
        state: ReminderState::Waiting,
        created_at: now,
        settled_at: None,
    };
    let details = json!({"thread_id": thread_id, "remind_at": remind_at});
    let entry = audit::entry(
        Some(reminder.user_id),
        AuditAction::ReminderSet,
        Some(reminder.id.to_string()),
        details,
    );
    let store = &services.store;
    store
        .insert_reminder(access.tenant, &reminder, &job(&reminder), &entry)
        .await?;
    Ok(reminder)
}

/// The thread's reminders, newest first; a waiting one the lead already answered shows so.
pub async fn list(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
) -> AppResult<Vec<Reminder>> {
    require_staff(access)?;
    rules::thread(services, access, thread_id).await?;
    let store = &services.store;
    let mut reminders = store.thread_reminders(access.tenant, thread_id).await?;
    let latest = store
        .lead_latest_message_at(access.tenant, thread_id)
        .await?;
    for reminder in &mut reminders {
        if reminder.state == ReminderState::Waiting && reminder.answered_by(latest) {
            reminder.state = ReminderState::Answered;
        }
    }
    Ok(reminders)
}

/// Cancels a waiting reminder: its owner's, or any for an owner or admin.
pub async fn cancel(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
    id: Uuid,
) -> AppResult<Reminder> {
    require_staff(access)?;
    let store = &services.store;
    let reminder = store
        .reminder(access.tenant, id)
        .await?
        .filter(|r| r.thread_id == thread_id)
        .ok_or(AppError::NotFound)?;
    if reminder.user_id != access.current.user.id {
        access.require_admin()?;
    }
    let now = Utc::now().trunc_subsecs(6);
    let details = json!({"thread_id": thread_id});
    let actor = Some(access.current.user.id);
    let entry = audit::entry(
        actor,
        AuditAction::ReminderCancelled,
        Some(id.to_string()),
        details,
    );
    let to = ReminderState::Cancelled;
    if !store
        .settle_reminder(access.tenant, id, to, now, None, Some(&entry))
        .await?
    {
        return Err(AppError::Conflict(crate::text::Problem::ReminderSettled));
    }
    Ok(Reminder {
        state: to,
        settled_at: Some(now),
        ..reminder
    })
}

/// The job's handler.
pub struct Reminders {
    store: DynStore,
}

impl Reminders {
    pub fn new(store: DynStore) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Handler for Reminders {
    fn kind(&self) -> JobKind {
        JobKind::ThreadReminder
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let id = job.payload["reminder_id"]
            .as_str()
            .and_then(|id| id.parse().ok());
        let Some(id) = id else {
            tracing::warn!(job = %job.id, "a thread_reminder job without a reminder");
            return Ok(Next::Done);
        };
        let store = &self.store;
        let tenant = job.tenant;
        let Some(reminder) = store.reminder(tenant, id).await? else {
            return Ok(Next::Done);
        };
        if reminder.state != ReminderState::Waiting {
            return Ok(Next::Done);
        }
        let now = Utc::now().trunc_subsecs(6);
        let latest = store
            .lead_latest_message_at(tenant, &reminder.thread_id)
            .await?;
        if reminder.answered_by(latest) {
            let to = ReminderState::Answered;
            store
                .settle_reminder(tenant, id, to, now, None, None)
                .await?;
            return Ok(Next::Done);
        }
        let thread = store.thread(tenant, &reminder.thread_id, now).await?;
        let summary = thread.map(|t| t.summary);
        let notification = Notification {
            tenant_id: tenant,
            notification_id: Uuid::now_v7(),
            user_id: reminder.user_id,
            kind: REMINDER.to_owned(),
            actor_id: None,
            actor_name: None,
            lead_email: summary
                .as_ref()
                .and_then(|s| s.lead_email.as_deref())
                .map(str::to_lowercase),
            thread_id: Some(reminder.thread_id.clone()),
            note_id: None,
            excerpt: excerpt(summary.as_ref().map_or("", |s| s.subject.as_str())),
            created_at: now,
            read_at: None,
        };
        let to = ReminderState::Reminded;
        store
            .settle_reminder(tenant, id, to, now, Some(&notification), None)
            .await?;
        Ok(Next::Done)
    }
}
