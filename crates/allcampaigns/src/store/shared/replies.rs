//! The reply outbox, written once for both backends, in the tenant's scope; each change and
//! its audit entry (its target the reply's id) in one transaction, and a new reply with its
//! `send_reply` job.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit::audit_args;
use super::jobs::{cancel_live_job_in, replace_live_job};
use crate::domain::{TenantId, UserId};
use crate::jobs::{JobKind, NewJob};
use crate::leads::Author;
use crate::leads::replies::{
    Reply, ReplyChange, ReplyState, ReplyStore, ReplyTarget, SentMessage, Signature, TargetMessage,
};
use crate::store::db::{Args, Scope, SqlBacked, Tx};
use crate::store::replies_sql as q;
use crate::store::{NewAuditEntry, Result, sql};

#[async_trait]
impl<S: SqlBacked> ReplyStore for S {
    #[tracing::instrument(name = "store.reply_target", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn reply_target(&self, tenant: TenantId, thread_id: &str) -> Result<Option<ReplyTarget>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(thread_id);
        let row: Option<TargetRow> = tx.fetch_optional(q::REPLY_TARGET, args).await?;
        Ok(row.map(TargetRow::into_target))
    }

    #[tracing::instrument(name = "store.insert_reply", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn insert_reply(
        &self,
        tenant: TenantId,
        reply: &Reply,
        job: &NewJob,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(reply.id)
            .bind(&reply.thread_id)
            .bind(&reply.lead_email)
            .bind(reply.author.as_ref().map(|a| a.user_id))
            .bind(&reply.eaccount)
            .bind(&reply.reply_to_uuid)
            .bind(reply.reply_to_at)
            .bind(&reply.subject)
            .bind(&reply.body)
            .bind(&reply.html)
            .bind(reply.send_at)
            .bind(reply.state.as_str())
            .bind(reply.created_at);
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(q::INSERT_REPLY, args).await?;
        replace_live_job(&mut tx, tenant, job).await?;
        audit(&mut tx, tenant, entry).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.reply", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn reply(&self, tenant: TenantId, id: Uuid) -> Result<Option<Reply>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(id);
        let row: Option<ReplyRow> = tx.fetch_optional(q::REPLY, args).await?;
        Ok(row.and_then(ReplyRow::into_reply))
    }

    #[tracing::instrument(name = "store.thread_replies", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn thread_replies(&self, tenant: TenantId, thread_id: &str) -> Result<Vec<Reply>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let limit = crate::leads::replies::MAX_LIST;
        let args = Args::new().bind(tenant).bind(thread_id).bind(limit);
        let rows: Vec<ReplyRow> = tx.fetch_all(q::THREAD_REPLIES, args).await?;
        Ok(rows.into_iter().filter_map(ReplyRow::into_reply).collect())
    }

    #[tracing::instrument(name = "store.lead_replies", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_replies(
        &self,
        tenant: TenantId,
        lead_email: &str,
        after: Option<&crate::leads::PageCursor>,
        limit: u32,
    ) -> Result<Vec<Reply>> {
        let args = Args::new().bind(tenant).bind(lead_email);
        let (statement, args) = match after {
            None => (q::LEAD_REPLIES, args),
            Some(cursor) => (q::LEAD_REPLIES_AFTER, args.bind(cursor.at).bind(cursor.id)),
        };
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<ReplyRow> = tx.fetch_all(statement, args.bind(i64::from(limit))).await?;
        Ok(rows.into_iter().filter_map(ReplyRow::into_reply).collect())
    }

    #[tracing::instrument(name = "store.outbox", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn outbox(
        &self,
        tenant: TenantId,
        state: Option<ReplyState>,
        limit: i64,
    ) -> Result<Vec<Reply>> {
        let (statement, args) = match state {
            None => (q::OUTBOX, Args::new().bind(tenant).bind(limit)),
            Some(state) => {
                let args = Args::new().bind(tenant).bind(state.as_str()).bind(limit);
                (q::OUTBOX_IN_STATE, args)
            }
        };
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<ReplyRow> = tx.fetch_all(statement, args).await?;
        Ok(rows.into_iter().filter_map(ReplyRow::into_reply).collect())
    }

    #[tracing::instrument(name = "store.change_reply", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn change_reply(
        &self,
        tenant: TenantId,
        id: Uuid,
        change: &ReplyChange,
        entry: Option<&NewAuditEntry>,
    ) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        if !set_state(&mut tx, tenant, id, change).await? {
            return Ok(false);
        }
        if let Some(entry) = entry {
            audit(&mut tx, tenant, entry).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(name = "store.cancel_reply", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn cancel_reply(
        &self,
        tenant: TenantId,
        id: Uuid,
        at: DateTime<Utc>,
        entry: &NewAuditEntry,
    ) -> Result<bool> {
        let change = ReplyChange::new(ReplyState::Scheduled, ReplyState::Cancelled, at);
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        if !set_state(&mut tx, tenant, id, &change).await? {
            return Ok(false);
        }
        let key = id.to_string();
        cancel_live_job_in(&mut tx, tenant, JobKind::SendReply, &key).await?;
        audit(&mut tx, tenant, entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(name = "store.mailbox_signature", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn mailbox_signature(
        &self,
        tenant: TenantId,
        mailbox: &str,
    ) -> Result<Option<Signature>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(mailbox);
        tx.fetch_optional(q::SIGNATURE, args).await
    }

    #[tracing::instrument(name = "store.save_mailbox_signature", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn save_mailbox_signature(
        &self,
        tenant: TenantId,
        signature: &Signature,
        by: Option<UserId>,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(&signature.mailbox)
            .bind(&signature.body)
            .bind(&signature.html)
            .bind(by)
            .bind(signature.updated_at);
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(q::SAVE_SIGNATURE, args).await?;
        audit(&mut tx, tenant, entry).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.unclaimed_sent_messages", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn unclaimed_sent_messages(
        &self,
        tenant: TenantId,
        thread_id: &str,
        eaccount: &str,
    ) -> Result<Vec<SentMessage>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(thread_id).bind(eaccount);
        tx.fetch_all(q::UNCLAIMED_SENT, args).await
    }
}

/// The compare-and-set; whether the reply was in `change.from`.
async fn set_state(tx: &mut Tx, tenant: TenantId, id: Uuid, change: &ReplyChange) -> Result<bool> {
    let args = Args::new()
        .bind(tenant)
        .bind(id)
        .bind(change.from.as_str())
        .bind(change.to.as_str())
        .bind(&change.error)
        .bind(&change.instantly_email_id)
        .bind(change.confirmed_by_sync)
        .bind(change.at);
    Ok(tx.execute(q::CHANGE_REPLY, args).await? == 1)
}

async fn audit(tx: &mut Tx, tenant: TenantId, entry: &NewAuditEntry) -> Result<()> {
    tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    thread_id: String,
    lead_email: Option<String>,
    subject: String,
    message_id: Option<String>,
    message_mailbox: Option<String>,
    message_from: Option<String>,
    message_at: Option<DateTime<Utc>>,
}

impl TargetRow {
    fn into_target(self) -> ReplyTarget {
        let message = match (self.message_id, self.message_mailbox, self.message_at) {
            (Some(id), Some(mailbox), Some(at)) => Some(TargetMessage {
                id,
                mailbox,
                from_address: self.message_from,
                at,
            }),
            _ => None,
        };
        ReplyTarget {
            thread_id: self.thread_id,
            lead_email: self.lead_email,
            subject: self.subject,
            message,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ReplyRow {
    reply_id: Uuid,
    thread_id: String,
    lead_email: String,
    author_id: Option<UserId>,
    author_name: Option<String>,
    author_email: Option<String>,
    author_role: Option<String>,
    eaccount: String,
    reply_to_uuid: String,
    reply_to_at: DateTime<Utc>,
    subject: String,
    body: String,
    html: String,
    send_at: DateTime<Utc>,
    state: String,
    error: Option<String>,
    instantly_email_id: Option<String>,
    confirmed_by_sync: bool,
    attempted_at: Option<DateTime<Utc>>,
    sent_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ReplyRow {
    /// `None` for a state this version does not know (the table's check admits none).
    fn into_reply(self) -> Option<Reply> {
        let author = self.author_id.map(|user_id| Author {
            user_id,
            display_name: self.author_name.unwrap_or_default(),
            email: self.author_email.unwrap_or_default(),
            role: self.author_role.and_then(|role| role.parse().ok()),
        });
        Some(Reply {
            id: self.reply_id,
            thread_id: self.thread_id,
            lead_email: self.lead_email,
            author,
            eaccount: self.eaccount,
            reply_to_uuid: self.reply_to_uuid,
            reply_to_at: self.reply_to_at,
            subject: self.subject,
            body: self.body,
            html: self.html,
            send_at: self.send_at,
            state: ReplyState::from_name(&self.state)?,
            error: self.error,
            instantly_email_id: self.instantly_email_id,
            confirmed_by_sync: self.confirmed_by_sync,
            attempted_at: self.attempted_at,
            sent_at: self.sent_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}
