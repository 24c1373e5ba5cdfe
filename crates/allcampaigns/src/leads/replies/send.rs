//! The `send_reply` job: sends one reply through Instantly, at most once.
//!
//! The handler claims the reply with a compare-and-set `scheduled → sending`, written before
//! the call, so a second run (a retry, another worker, a crash and its lease running out)
//! finds it `sending` and makes it `not_confirmed` instead of calling again. The call goes out
//! once (`Client::reply` is never retried by the client unless Instantly refused it before
//! acting: 429 or a refused connection), through the sync worker's client, so it takes its
//! turn in the workspace's rate budget with sync. What Instantly's answer proves is written
//! next ([`outcome`]). A refused key (401/403) or a lapsed plan (402) also marks the link as
//! needing attention, as sync does, so the tenant's other replies fail without a call.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use instantly::{Client, EmailBody, ReplyRequest};
use serde_json::json;
use uuid::Uuid;

pub use super::outcome::{
    KEY_REFUSED, KEY_UNREADABLE, NO_LINK, NOT_CONFIRMED, Outcome, PLAN_LAPSED, SLOWED_DOWN,
};
use super::outcome::{link_refusal, outcome};
use super::signatures::appended;
use super::{Reply, ReplyChange, ReplyState, Signature};
use crate::audit::{self, AuditAction};
use crate::domain::TenantId;
use crate::jobs::runner::{Handler, Next};
use crate::jobs::{DEFAULT_MAX_ATTEMPTS, Job, JobKind, NewJob, retry_at};
use crate::leads::speed::{self, TouchKind};
use crate::leads::write_back::link_client;
use crate::store::{DynStore, Result as StoreResult, Store};
use crate::sync::{SyncError, SyncWorker};

/// The least a reply refused with 429 waits before its job tries again.
const SLOW_DOWN: Duration = Duration::seconds(30);

/// The job that sends `reply` at `at`.
pub fn job(reply: Uuid, at: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: JobKind::SendReply,
        payload: json!({ "reply_id": reply }),
        unique_key: Some(reply.to_string()),
        run_at: at,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
    }
}

fn reply_of(job: &Job) -> Option<Uuid> {
    job.payload["reply_id"].as_str()?.parse().ok()
}

/// The job's handler. Holds the sync worker, whose clients share each workspace's budget.
pub struct ReplySender {
    store: DynStore,
    sync: SyncWorker,
}

impl ReplySender {
    /// `sync` must be the runner's own sync worker (a clone shares its budgets).
    pub fn new(store: DynStore, sync: SyncWorker) -> Self {
        Self { store, sync }
    }

    async fn send(&self, job: &Job, reply: &Reply) -> anyhow::Result<Next> {
        let tenant = job.tenant;
        let Some(client) = self.client(reply, tenant).await? else {
            return Ok(Next::Done);
        };
        let store = &self.store;
        let mailbox = reply.eaccount.to_lowercase();
        let signature = store.mailbox_signature(tenant, &mailbox).await?;
        let claim = ReplyChange::new(ReplyState::Scheduled, ReplyState::Sending, Utc::now());
        if !store.change_reply(tenant, reply.id, &claim, None).await? {
            // Undone, or taken by another run, since it was read.
            return Ok(Next::Done);
        }
        let answer = client.reply(&request(reply, signature.as_ref())).await;
        let refusal = answer.as_ref().err().and_then(link_refusal);
        let next = self.write_outcome(job, reply, outcome(answer)).await?;
        if let Some(error) = refusal {
            let error = SyncError::Instantly(error);
            self.sync.needs_attention(tenant, &error).await;
        }
        Ok(next)
    }

    /// A client for the tenant's link; `None`, and the reply failed with words, when there is
    /// no link, it is refused (by sync or an earlier reply), or its key cannot be opened.
    async fn client(&self, reply: &Reply, tenant: TenantId) -> StoreResult<Option<Client>> {
        let why = match link_client(&*self.store, &self.sync, tenant).await? {
            Ok(client) => return Ok(Some(client)),
            Err(why) => why,
        };
        let change = ReplyChange::new(ReplyState::Scheduled, ReplyState::Failed, Utc::now());
        let action = AuditAction::ReplyFailed;
        self.record(reply, tenant, change.because(why), action)
            .await?;
        Ok(None)
    }

    async fn write_outcome(&self, job: &Job, reply: &Reply, got: Outcome) -> anyhow::Result<Next> {
        let now = Utc::now();
        let change = |to| ReplyChange::new(ReplyState::Sending, to, now);
        let (change, action) = match got {
            Outcome::Sent { email_id } => {
                let mut sent = change(ReplyState::Sent);
                sent.instantly_email_id = Some(email_id);
                if self
                    .record(reply, job.tenant, sent, AuditAction::ReplySent)
                    .await?
                {
                    first_touch(&*self.store, job.tenant, reply, now).await;
                }
                return Ok(Next::Done);
            }
            Outcome::NotConfirmed { why } => (
                change(ReplyState::NotConfirmed).because(why),
                AuditAction::ReplyNotConfirmed,
            ),
            Outcome::Failed { why } => (
                change(ReplyState::Failed).because(why),
                AuditAction::ReplyFailed,
            ),
            Outcome::RetryLater if job.attempts >= job.max_attempts => (
                change(ReplyState::Failed).because(SLOWED_DOWN),
                AuditAction::ReplyFailed,
            ),
            Outcome::RetryLater => {
                // Refused before Instantly acted: it waits again, within the shared budget.
                let back = change(ReplyState::Scheduled);
                let store = &self.store;
                store
                    .change_reply(job.tenant, reply.id, &back, None)
                    .await?;
                let at = retry_at(now, job.attempts).max(now + SLOW_DOWN);
                let error = Some("Instantly asked to slow down; the reply waits".to_owned());
                return Ok(Next::Again { at, error });
            }
        };
        self.record(reply, job.tenant, change, action).await?;
        Ok(Next::Done)
    }

    /// A reply found `sending` by a job: its claim happened, its outcome is unknown.
    async fn after_crash(&self, job: &Job, reply: &Reply) -> StoreResult<()> {
        let why =
            format!("{NOT_CONFIRMED} (its sender stopped before Instantly's answer was recorded)");
        let change = ReplyChange::new(ReplyState::Sending, ReplyState::NotConfirmed, Utc::now());
        let action = AuditAction::ReplyNotConfirmed;
        self.record(reply, job.tenant, change.because(why), action)
            .await?;
        Ok(())
    }

    /// Writes `change` (if the reply is still in `change.from`) with its audit entry.
    async fn record(
        &self,
        reply: &Reply,
        tenant: TenantId,
        change: ReplyChange,
        action: AuditAction,
    ) -> StoreResult<bool> {
        let details = json!({
            "thread_id": reply.thread_id,
            "lead_email": reply.lead_email,
            "state": change.to.as_str(),
            "instantly_email_id": change.instantly_email_id,
        });
        let entry = audit::entry(None, action, Some(reply.id.to_string()), details);
        let store = &self.store;
        store
            .change_reply(tenant, reply.id, &change, Some(&entry))
            .await
    }
}

/// A reply that left is its author's touch of the lead (speed-to-reply). Best effort: the
/// reply is out whatever becomes of the summary, and a failure is logged.
pub(super) async fn first_touch(
    store: &dyn Store,
    tenant: TenantId,
    reply: &Reply,
    at: DateTime<Utc>,
) {
    let Some(author) = reply.author.as_ref() else {
        return;
    };
    let kind = TouchKind::Reply;
    let lead = &reply.lead_email;
    if let Err(e) = speed::touch_by(store, tenant, lead, author.user_id, kind, at).await {
        tracing::warn!(error = %e, "could not record a reply as the lead's first touch");
    }
}

/// The request for a reply: the text as written and its rendering, each with the mailbox's
/// signature below.
fn request(reply: &Reply, signature: Option<&Signature>) -> ReplyRequest {
    let (text, html) = appended(&reply.body, &reply.html, signature);
    ReplyRequest {
        eaccount: reply.eaccount.clone(),
        reply_to_uuid: reply.reply_to_uuid.clone(),
        subject: reply.subject.clone(),
        body: EmailBody {
            text: Some(text),
            html: Some(html),
        },
        cc_address_email_list: None,
        bcc_address_email_list: None,
    }
}

#[async_trait]
impl Handler for ReplySender {
    fn kind(&self) -> JobKind {
        JobKind::SendReply
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let Some(id) = reply_of(job) else {
            tracing::warn!(job = %job.id, "a send_reply job without a reply id");
            return Ok(Next::Done);
        };
        let Some(reply) = self.store.reply(job.tenant, id).await? else {
            return Ok(Next::Done);
        };
        match reply.state {
            ReplyState::Scheduled => self.send(job, &reply).await,
            ReplyState::Sending => {
                self.after_crash(job, &reply).await?;
                Ok(Next::Done)
            }
            // Undone, or already out: nothing to do, ever.
            _ => Ok(Next::Done),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_unique_per_reply_and_due_at_its_time() {
        let id = Uuid::now_v7();
        let at = "2026-12-01T09:00:00Z".parse().unwrap();
        let job = job(id, at);
        assert_eq!(job.unique_key, Some(id.to_string()));
        assert_eq!(job.run_at, at);
        assert_eq!(job.kind.as_str(), "send_reply");
        let stored = Job {
            id: Uuid::now_v7(),
            tenant: TenantId::from_uuid(Uuid::now_v7()),
            kind: job.kind,
            payload: job.payload,
            unique_key: job.unique_key,
            state: crate::jobs::JobState::Queued,
            run_at: at,
            attempts: 0,
            max_attempts: 8,
            lease_until: None,
            lease_token: None,
            last_error: None,
            created_at: at,
            updated_at: at,
        };
        assert_eq!(reply_of(&stored), Some(id));
    }
}
