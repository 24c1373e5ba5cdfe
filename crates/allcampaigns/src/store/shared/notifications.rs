//! Notifications, reminders and what a person chose to be mailed about, written once for both
//! backends; a notification with its mail job, a reminder with its job and audit entry, and a
//! reminder that reminds with its notification (or is cancelled with its job), each in one
//! transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::audit::audit_args;
use super::jobs::{cancel_live_job_in, replace_live_job};
use crate::domain::{TenantId, UserId};
use crate::jobs::{JobKind, NewJob};
use crate::notifications::{Notification, NotificationStore, Reminder, ReminderState};
use crate::store::db::{Args, Scope, SqlBacked, Tx};
use crate::store::notifications_sql as q;
use crate::store::{NewAuditEntry, Result, sql};

#[async_trait]
impl<S: SqlBacked> NotificationStore for S {
    #[tracing::instrument(name = "store.insert_notifications", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn insert_notifications(
        &self,
        tenant: TenantId,
        items: &[(Notification, Option<NewJob>)],
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        for (notification, job) in items {
            insert(&mut tx, notification).await?;
            if let Some(job) = job {
                replace_live_job(&mut tx, tenant, job).await?;
            }
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.notifications", level = "debug", skip_all, fields(tenants = tenants.len()))]
    async fn notifications(
        &self,
        tenants: &[TenantId],
        user: UserId,
        unread_only: bool,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let mut tx = self.db().begin(Scope::Tenants(tenants), false).await?;
        let args = Args::new().bind(user).bind(unread_only).bind(limit);
        let (args, list) = args.bind_list(tenants);
        let statement = q::USER_NOTIFICATIONS.replace("{tenants}", &list);
        tx.fetch_all(AssertSqlSafe(statement), args).await
    }

    async fn notification(&self, tenant: TenantId, id: Uuid) -> Result<Option<Notification>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(id);
        tx.fetch_optional(q::NOTIFICATION, args).await
    }

    #[tracing::instrument(name = "store.mark_notifications_read", level = "debug", skip_all)]
    async fn mark_notifications_read(
        &self,
        tenants: &[TenantId],
        user: UserId,
        id: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.db().begin(Scope::Tenants(tenants), true).await?;
        let args = Args::new().bind(user).bind(at);
        let (args, one) = match id {
            Some(id) => {
                let args = args.bind(id);
                let one = format!("AND notification_id = ${}", args.len());
                (args, one)
            }
            None => (args, String::new()),
        };
        let (args, list) = args.bind_list(tenants);
        let statement = q::MARK_READ
            .replace("{tenants}", &list)
            .replace("{one}", &one);
        let marked = tx.execute(AssertSqlSafe(statement), args).await?;
        tx.commit().await?;
        Ok(marked)
    }

    async fn claim_notification_mail(
        &self,
        tenant: TenantId,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new().bind(tenant).bind(id).bind(at);
        let claimed = tx.execute(q::CLAIM_MAIL, args).await? == 1;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn release_notification_mail(&self, tenant: TenantId, id: Uuid) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(q::RELEASE_MAIL, Args::new().bind(tenant).bind(id))
            .await?;
        tx.commit().await
    }

    async fn mention_emails(&self, user: UserId) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let row: Option<(bool,)> = tx
            .fetch_optional(q::MENTION_EMAILS, Args::new().bind(user))
            .await?;
        Ok(row.is_some_and(|(on,)| on))
    }

    async fn set_mention_emails(&self, user: UserId, on: bool, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new().bind(user).bind(on).bind(at);
        tx.execute(q::SET_MENTION_EMAILS, args).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.insert_reminder", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn insert_reminder(
        &self,
        tenant: TenantId,
        reminder: &Reminder,
        job: &NewJob,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(reminder.thread_id.as_str())
            .bind(reminder.id)
            .bind(reminder.user_id)
            .bind(reminder.remind_at)
            .bind(reminder.created_at);
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(q::INSERT_REMINDER, args).await?;
        replace_live_job(&mut tx, tenant, job).await?;
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await
    }

    async fn thread_reminders(&self, tenant: TenantId, thread_id: &str) -> Result<Vec<Reminder>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(thread_id);
        let rows: Vec<ReminderRow> = tx.fetch_all(q::THREAD_REMINDERS, args).await?;
        Ok(rows
            .into_iter()
            .filter_map(ReminderRow::into_reminder)
            .collect())
    }

    async fn reminder(&self, tenant: TenantId, id: Uuid) -> Result<Option<Reminder>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(id);
        let row: Option<ReminderRow> = tx.fetch_optional(q::REMINDER, args).await?;
        Ok(row.and_then(ReminderRow::into_reminder))
    }

    #[tracing::instrument(name = "store.settle_reminder", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn settle_reminder(
        &self,
        tenant: TenantId,
        id: Uuid,
        to: ReminderState,
        at: DateTime<Utc>,
        notification: Option<&Notification>,
        entry: Option<&NewAuditEntry>,
    ) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new().bind(tenant).bind(id).bind(to.as_str()).bind(at);
        if tx.execute(q::SETTLE_REMINDER, args).await? == 0 {
            return Ok(false);
        }
        if to == ReminderState::Cancelled {
            let key = id.to_string();
            cancel_live_job_in(&mut tx, tenant, JobKind::ThreadReminder, &key).await?;
        }
        if let Some(notification) = notification {
            insert(&mut tx, notification).await?;
        }
        if let Some(entry) = entry {
            tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn lead_latest_message_at(
        &self,
        tenant: TenantId,
        thread_id: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(thread_id);
        let row: Option<(Option<DateTime<Utc>>,)> = tx.fetch_optional(q::LEAD_LATEST, args).await?;
        Ok(row.and_then(|(latest,)| latest))
    }
}

async fn insert(tx: &mut Tx, n: &Notification) -> Result<()> {
    let args = Args::new()
        .bind(n.tenant_id)
        .bind(n.notification_id)
        .bind(n.user_id)
        .bind(n.kind.as_str())
        .bind(n.actor_id)
        .bind(n.lead_email.as_deref())
        .bind(n.thread_id.as_deref())
        .bind(n.note_id)
        .bind(n.excerpt.as_str())
        .bind(n.created_at);
    tx.execute(q::INSERT_NOTIFICATION, args).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ReminderRow {
    reminder_id: Uuid,
    thread_id: String,
    user_id: UserId,
    remind_at: DateTime<Utc>,
    lead_seen_at: Option<DateTime<Utc>>,
    state: String,
    created_at: DateTime<Utc>,
    settled_at: Option<DateTime<Utc>>,
}

impl ReminderRow {
    /// `None` for a state this version does not know (the table's check admits none).
    fn into_reminder(self) -> Option<Reminder> {
        Some(Reminder {
            id: self.reminder_id,
            thread_id: self.thread_id,
            user_id: self.user_id,
            remind_at: self.remind_at,
            lead_seen_at: self.lead_seen_at,
            state: ReminderState::from_name(&self.state)?,
            created_at: self.created_at,
            settled_at: self.settled_at,
        })
    }
}
