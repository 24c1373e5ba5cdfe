//! A person's notifications: a teammate mentioned them in a note ([`mentions`]), or a thread
//! they asked to be reminded of had no answer from the lead in time ([`reminders`]). Each is
//! one person's, in one tenant; the person reads their own across every client they reach,
//! newest first, and marks them read. A mention is also mailed to whoever chose it ([`mail`]).

pub mod mail;
pub mod mentions;
pub mod reminders;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::jobs::NewJob;
use crate::services::Services;
use crate::store::{NewAuditEntry, Result};

pub use reminders::{Reminder, ReminderState};

/// A note named the person.
pub const MENTION: &str = "mention";
/// A thread they asked about had no answer from the lead.
pub const REMINDER: &str = "reminder";

/// The most notifications one read answers.
pub const MAX_LIST: i64 = 200;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Notification {
    pub tenant_id: TenantId,
    pub notification_id: Uuid,
    pub user_id: UserId,
    /// [`MENTION`] or [`REMINDER`].
    pub kind: String,
    /// Who caused it (a mention's author); none for a reminder.
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub lead_email: Option<String>,
    pub thread_id: Option<String>,
    pub note_id: Option<Uuid>,
    /// The note's first words, or the thread's subject.
    pub excerpt: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Storage of notifications and reminders, each statement filtered by its tenants.
#[async_trait]
pub trait NotificationStore {
    /// Writes the notifications, each with its mail job when it has one, in one transaction.
    async fn insert_notifications(
        &self,
        tenant: TenantId,
        items: &[(Notification, Option<NewJob>)],
    ) -> Result<()>;
    /// The person's notifications in `tenants`, newest first.
    async fn notifications(
        &self,
        tenants: &[TenantId],
        user: UserId,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>>;
    async fn notification(&self, tenant: TenantId, id: Uuid) -> Result<Option<Notification>>;
    /// Marks the person's notifications read (all of theirs in `tenants` without `id`);
    /// answers how many were unread.
    async fn mark_notifications_read(
        &self,
        tenants: &[TenantId],
        user: UserId,
        id: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<u64>;
    /// Records that the notification's mail is being sent: `false` when it already was.
    async fn claim_notification_mail(
        &self,
        tenant: TenantId,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Undoes a claim whose mail the server refused, so a retry may send it.
    async fn release_notification_mail(&self, tenant: TenantId, id: Uuid) -> Result<()>;
    async fn mention_emails(&self, user: UserId) -> Result<bool>;
    async fn set_mention_emails(&self, user: UserId, on: bool, at: DateTime<Utc>) -> Result<()>;
    /// Writes the reminder, with the time of the lead's latest message in the thread as its
    /// `lead_seen_at`, its job and audit entry.
    async fn insert_reminder(
        &self,
        tenant: TenantId,
        reminder: &Reminder,
        job: &NewJob,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    /// The thread's reminders, newest first.
    async fn thread_reminders(&self, tenant: TenantId, thread_id: &str) -> Result<Vec<Reminder>>;
    async fn reminder(&self, tenant: TenantId, id: Uuid) -> Result<Option<Reminder>>;
    /// Moves a waiting reminder to `to` (writing `notification` with it, when it reminds, and
    /// `entry` when given); `false` when it was no longer waiting.
    async fn settle_reminder(
        &self,
        tenant: TenantId,
        id: Uuid,
        to: ReminderState,
        at: DateTime<Utc>,
        notification: Option<&Notification>,
        entry: Option<&NewAuditEntry>,
    ) -> Result<bool>;
    /// When the lead last wrote in the thread (not automatically), by Instantly's clock.
    async fn lead_latest_message_at(
        &self,
        tenant: TenantId,
        thread_id: &str,
    ) -> Result<Option<DateTime<Utc>>>;
}

/// The clients the person reaches (every role: a client representative is mentioned in shared
/// notes), or only `only`, 404 when they do not reach it.
async fn reached(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
) -> AppResult<Vec<TenantId>> {
    let memberships = current.memberships(services.store).await?;
    let tenants: Vec<TenantId> = memberships
        .iter()
        .map(|(tenant, _)| tenant.id)
        .filter(|id| current.may_reach(*id) && only.is_none_or(|only| only == *id))
        .collect();
    if only.is_some() && tenants.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(tenants)
}

/// The caller's notifications across their clients, newest first.
pub async fn list(
    services: &Services<'_>,
    current: &CurrentUser,
    unread_only: bool,
    limit: i64,
) -> AppResult<Vec<Notification>> {
    let tenants = reached(services, current, None).await?;
    if tenants.is_empty() {
        return Ok(Vec::new());
    }
    let user = current.user.id;
    let store = &services.store;
    Ok(store
        .notifications(&tenants, user, unread_only, limit.clamp(1, MAX_LIST))
        .await?)
}

/// Marks one of the caller's notifications read; another person's, or another client's,
/// answers 404.
pub async fn mark_read(
    services: &Services<'_>,
    current: &CurrentUser,
    tenant: TenantId,
    id: Uuid,
) -> AppResult<()> {
    let tenants = reached(services, current, Some(tenant)).await?;
    let store = &services.store;
    let mine = store
        .notification(tenant, id)
        .await?
        .is_some_and(|n| n.user_id == current.user.id);
    if !mine {
        return Err(AppError::NotFound);
    }
    store
        .mark_notifications_read(&tenants, current.user.id, Some(id), Utc::now())
        .await?;
    Ok(())
}

/// Marks all the caller's notifications read; answers how many were unread.
pub async fn mark_all_read(services: &Services<'_>, current: &CurrentUser) -> AppResult<u64> {
    let tenants = reached(services, current, None).await?;
    if tenants.is_empty() {
        return Ok(0);
    }
    let store = &services.store;
    Ok(store
        .mark_notifications_read(&tenants, current.user.id, None, Utc::now())
        .await?)
}

/// The first words of a text, on one line, for a notification.
pub fn excerpt(text: &str) -> String {
    const MOST: usize = 140;
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= MOST {
        return line;
    }
    let cut: String = line.chars().take(MOST - 1).collect();
    format!("{cut}…")
}
