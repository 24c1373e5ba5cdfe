//! A person's choices written back to Instantly: the interest status of a stage a person set
//! (`POST /api/v2/leads/update-interest-status`, with Instantly's automatic labelling turned
//! off for the lead, so it does not overwrite the choice), and a thread marked read here
//! (`POST /api/v2/emails/threads/{id}/mark-as-read`).
//!
//! Each is a job enqueued with the change, one live job per lead or thread, so a quick change
//! of mind sends only the last. It runs through the sync worker's client, taking its turn in
//! the workspace's rate budget with sync. Both calls set a value, so sending one again after
//! an answer that never came is harmless: unlike a reply, they are retried with backoff, and a
//! job that used its attempts waits on the jobs page for an admin. What is sent is read when
//! the job runs, so it is always the lead's stage of that moment; nothing is sent while the
//! client's Instantly writes are off.

use async_trait::async_trait;
use instantly::{Client, InterestStatusUpdate};
use serde_json::json;

use super::replies::outcome::link_refusal;
use super::replies::send::{KEY_REFUSED, KEY_UNREADABLE, NO_LINK, PLAN_LAPSED};
use super::state::Source;
use crate::domain::TenantId;
use crate::jobs::runner::{Handler, Next};
use crate::jobs::{Job, JobKind, NewJob};
use crate::store::{ConnectionStatus, DynStore, Result as StoreResult, Store};
use crate::sync::{SyncError, SyncWorker};

/// The job that sends the lead's stage to Instantly as its interest status.
pub fn interest_job(lead_email: &str) -> NewJob {
    let lead = lead_email.to_lowercase();
    NewJob::now(JobKind::SendInterest, json!({ "lead_email": lead })).unique(lead)
}

/// The job that marks the thread read in Instantly.
pub fn read_job(thread_id: &str) -> NewJob {
    NewJob::now(JobKind::MarkThreadRead, json!({ "thread_id": thread_id })).unique(thread_id)
}

/// Whether the tenant writes to Instantly (on unless switched off in its lead settings).
pub async fn writes_on(store: &dyn Store, tenant: TenantId) -> StoreResult<bool> {
    let settings = store.lead_settings(tenant).await?;
    Ok(settings.is_none_or(|s| s.instantly_writes))
}

/// A client for the tenant's Instantly link, or the words saying why there is none: no link,
/// a link sync or an earlier call found refused, or a key that cannot be opened.
pub(crate) async fn link_client(
    store: &dyn Store,
    sync: &SyncWorker,
    tenant: TenantId,
) -> StoreResult<Result<Client, &'static str>> {
    Ok(match store.connection(tenant).await? {
        None => Err(NO_LINK),
        Some(link) if link.status == ConnectionStatus::NeedsAttention => {
            match link.status_detail.as_deref() {
                Some("sync:plan_lapsed") => Err(PLAN_LAPSED),
                _ => Err(KEY_REFUSED),
            }
        }
        Some(link) => sync.client(&link).map_err(|error| {
            let error = format!("{error:#}");
            tracing::warn!(error, "a tenant's Instantly link is unusable");
            KEY_UNREADABLE
        }),
    })
}

/// What both handlers share: the store, and the sync worker whose clients hold the budgets.
#[derive(Clone)]
pub struct Writer {
    store: DynStore,
    sync: SyncWorker,
}

impl Writer {
    /// `sync` must be the runner's own sync worker (a clone shares its budgets).
    pub fn new(store: DynStore, sync: SyncWorker) -> Self {
        Self { store, sync }
    }

    /// Sends with the tenant's client, unless its writes are off; a failure is the job's, and
    /// a refused key or lapsed plan marks the link as sync does.
    async fn send<F, Fut, T>(&self, tenant: TenantId, call: F) -> anyhow::Result<Next>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<T, instantly::Error>>,
    {
        if !writes_on(&*self.store, tenant).await? {
            return Ok(Next::Done);
        }
        let client = match link_client(&*self.store, &self.sync, tenant).await? {
            Ok(client) => client,
            Err(why) => anyhow::bail!(why),
        };
        let error = match call(client).await {
            Ok(_) => return Ok(Next::Done),
            Err(error) => error,
        };
        if let Some(refusal) = link_refusal(&error) {
            self.sync
                .needs_attention(tenant, &SyncError::Instantly(refusal))
                .await;
        }
        match error {
            // The lead or thread is not Instantly's (any more): asking again cannot help.
            instantly::Error::NotFound | instantly::Error::BadRequest { .. } => {
                tracing::warn!(error = %error, "Instantly refused a write-back; not retried");
                Ok(Next::Done)
            }
            error => Err(anyhow::Error::new(error).context("Instantly did not take the change")),
        }
    }
}

/// Sends a person's stage as the lead's interest status.
pub struct InterestSender(pub Writer);

impl InterestSender {
    /// The status of the stage a person set, if it stands for one.
    async fn status_of(&self, tenant: TenantId, lead_email: &str) -> StoreResult<Option<i64>> {
        let store = &self.0.store;
        let stored = store.lead_state(tenant, lead_email).await?;
        let Some((stage, Source::Person, _)) = stored.stage else {
            return Ok(None);
        };
        let stages = store.pipeline_stages(tenant).await?;
        Ok(stages
            .into_iter()
            .find(|s| s.id == stage)
            .and_then(|s| s.instantly_status))
    }
}

#[async_trait]
impl Handler for InterestSender {
    fn kind(&self) -> JobKind {
        JobKind::SendInterest
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let Some(lead_email) = job.payload["lead_email"].as_str() else {
            tracing::warn!(job = %job.id, "a send_interest_status job without a lead");
            return Ok(Next::Done);
        };
        let Some(status) = self.status_of(job.tenant, lead_email).await? else {
            return Ok(Next::Done);
        };
        let update = interest_update(lead_email, status);
        let call = |client: Client| async move { client.update_interest_status(&update).await };
        self.0.send(job.tenant, call).await
    }
}

/// The status for the lead across its campaigns, with Instantly's automatic labelling off for
/// it so the person's choice stays.
fn interest_update(lead_email: &str, status: i64) -> InterestStatusUpdate {
    InterestStatusUpdate {
        lead_email: lead_email.to_owned(),
        interest_value: Some(status),
        disable_auto_interest: Some(true),
        ..InterestStatusUpdate::default()
    }
}

/// Marks a thread read in Instantly.
pub struct ReadMarker(pub Writer);

#[async_trait]
impl Handler for ReadMarker {
    fn kind(&self) -> JobKind {
        JobKind::MarkThreadRead
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let Some(thread_id) = job.payload["thread_id"].as_str() else {
            tracing::warn!(job = %job.id, "a mark_thread_read job without a thread");
            return Ok(Next::Done);
        };
        let thread_id = thread_id.to_owned();
        let call = |client: Client| async move { client.mark_thread_read(&thread_id).await };
        self.0.send(job.tenant, call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_live_job_per_lead_and_per_thread() {
        let job = interest_job("Ana@Example.COM");
        assert_eq!(job.kind.as_str(), "send_interest_status");
        assert_eq!(job.unique_key.as_deref(), Some("ana@example.com"));
        assert_eq!(job.payload["lead_email"], "ana@example.com");
        let job = read_job("thread-1");
        assert_eq!(job.kind.as_str(), "mark_thread_read");
        assert_eq!(job.unique_key.as_deref(), Some("thread-1"));
    }

    #[test]
    fn the_status_is_sent_with_instantlys_own_labelling_off() {
        let body = serde_json::to_value(interest_update("ana@example.com", 2)).unwrap();
        let want = json!({
            "lead_email": "ana@example.com",
            "interest_value": 2,
            "disable_auto_interest": true,
        });
        assert_eq!(body, want);
    }
}
