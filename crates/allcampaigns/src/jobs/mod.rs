//! The general job queue: jobs with their own id, a kind, a tenant and a payload, leased by one
//! worker at a time (a new lease token fences the old holder off), retried with backoff and
//! jitter, and dead after their last attempt until an admin retries or cancels them. A recurring
//! job (a tenant's sync) is queued again by its handler instead of finishing. Storage is
//! [`JobStore`], written once for both backends in `store/shared/jobs.rs`; on PostgreSQL every
//! change that makes a job due sends `NOTIFY job_queue` so idle runners on every node wake.

pub mod ping;
pub mod runner;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rand::Rng;
use uuid::Uuid;

use crate::domain::TenantId;
use crate::store::{JobNotices, Result};

/// What a job does; each kind has one handler. Stored by [`JobKind::as_str`], which never
/// changes for a kind once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Copies a tenant's Instantly workspace (unique key: one per tenant).
    Sync,
    /// Does nothing but hold for its payload's `hold_ms`: shows that workers run
    /// (`allcampaigns jobs ping`), and is the trivial job of the tests and the benchmark.
    Ping,
    /// Tells open pages a snoozed thread is due back (unique key: one per thread, so a new
    /// snooze moves it). Enqueued by the snooze itself: `inbox::wake`.
    SnoozeWake,
    /// Sends one reply of the outbox through Instantly, once (unique key: the reply id).
    /// Enqueued with the reply itself: `leads::replies`.
    SendReply,
    /// Sends the stage a person set to Instantly as the lead's interest status (unique key:
    /// the lead's address). Enqueued with the change: `leads::write_back`.
    SendInterest,
    /// Marks a thread read in Instantly (unique key: the thread). Enqueued when a person marks
    /// it read: `leads::write_back`.
    MarkThreadRead,
    /// Reminds a member of a thread the lead did not answer (unique key: the reminder).
    /// Enqueued with the reminder: `notifications::reminders`.
    ThreadReminder,
    /// Mails a mention to a member who chose it (unique key: the notification). Enqueued with
    /// the notification: `notifications::mentions`.
    MentionMail,
}

impl JobKind {
    pub const ALL: [JobKind; 8] = [
        JobKind::Sync,
        JobKind::Ping,
        JobKind::SnoozeWake,
        JobKind::SendReply,
        JobKind::SendInterest,
        JobKind::MarkThreadRead,
        JobKind::ThreadReminder,
        JobKind::MentionMail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Sync => "sync",
            JobKind::Ping => "ping",
            JobKind::SnoozeWake => "snooze_wake",
            JobKind::SendReply => "send_reply",
            JobKind::SendInterest => "send_interest_status",
            JobKind::MarkThreadRead => "mark_thread_read",
            JobKind::ThreadReminder => "thread_reminder",
            JobKind::MentionMail => "mention_mail",
        }
    }

    /// The kind stored as `name`, if this build knows it.
    pub fn from_name(name: &str) -> Option<JobKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// Where a job is in its life. Queued and running jobs are live: a unique key allows one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    /// Failed its last attempt; waits for an admin to retry or cancel it.
    Dead,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn from_name(name: &str) -> Option<JobState> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }
}

/// A job to enqueue for a tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: JobKind,
    pub payload: serde_json::Value,
    /// At most one live job per tenant, kind and key (one sync per tenant; one delivery per
    /// event and destination).
    pub unique_key: Option<String>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: u32,
}

impl NewJob {
    /// A job due now, with the default number of attempts and no unique key.
    pub fn now(kind: JobKind, payload: serde_json::Value) -> Self {
        Self {
            kind,
            payload,
            unique_key: None,
            run_at: Utc::now(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
}

pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

/// A stored job. A claimed job carries the lease token its holder must present to finish it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: Uuid,
    pub tenant: TenantId,
    pub kind: JobKind,
    pub payload: serde_json::Value,
    pub unique_key: Option<String>,
    pub state: JobState,
    pub run_at: DateTime<Utc>,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_until: Option<DateTime<Utc>>,
    pub lease_token: Option<String>,
    /// The last failure with its chain of causes (`{:#}`), never a secret.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Job {
    /// What the holder of this leased job writes under; each write extends the lease by `renew`.
    pub fn lease(&self, renew: Duration) -> Lease {
        Lease {
            tenant: self.tenant,
            job: self.id,
            // A job that was never leased has no token; the empty one matches no lease.
            token: self.lease_token.clone().unwrap_or_default(),
            renew,
        }
    }
}

/// Shown with every write a job's holder makes for the job (sync's pages): the write extends the
/// lease by `renew`, and is refused with `LeaseLost` once another worker took the job over or it
/// was cancelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    pub tenant: TenantId,
    pub job: Uuid,
    pub token: String,
    pub renew: Duration,
}

/// The queue's storage. Another tenant's job answers `NotFound`; a holder whose lease was taken
/// over (or whose job was cancelled) gets `LeaseLost` and must stop without writing.
#[async_trait]
pub trait JobStore {
    /// Refused with `Conflict(AlreadyExists)` while a live job has the same unique key.
    async fn enqueue(&self, tenant: TenantId, job: &NewJob) -> Result<Job>;
    /// Enqueues the job, or, while a live job has its unique key, brings that job's run forward
    /// to the new one's time (never back): "sync now" twice is one sync.
    async fn enqueue_or_advance(&self, tenant: TenantId, job: &NewJob) -> Result<()>;
    /// Leases the oldest due job of `kind` (of one tenant when given): a queued job whose time
    /// has come, or a running one whose lease ran out.
    async fn lease_next_job(
        &self,
        kind: JobKind,
        tenant: Option<TenantId>,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>>;
    async fn complete_job(&self, job: &Job) -> Result<()>;
    /// A recurring job's run went well: queued again for `run_at`, its attempts starting over.
    async fn requeue_job(&self, job: &Job, run_at: DateTime<Utc>) -> Result<()>;
    /// Records the failure: queued again at `retry_at`, or dead when that was the last attempt.
    /// Answers the state the job is now in.
    async fn fail_job(&self, job: &Job, error: &str, retry_at: DateTime<Utc>) -> Result<JobState>;
    /// Cancels a queued, running or dead job; a running holder loses its lease.
    async fn cancel_queued_job(&self, tenant: TenantId, id: Uuid) -> Result<()>;
    /// Queues a dead job again with fresh attempts.
    async fn retry_dead_job(&self, tenant: TenantId, id: Uuid) -> Result<()>;
    async fn dead_jobs(&self, tenant: TenantId) -> Result<Vec<Job>>;
    /// The tenant's jobs in `state`, the latest change first, at most `limit`.
    async fn jobs_in_state(
        &self,
        tenant: TenantId,
        state: JobState,
        limit: i64,
    ) -> Result<Vec<Job>>;
    async fn queued_job(&self, tenant: TenantId, id: Uuid) -> Result<Option<Job>>;
    /// The queued or running job of a kind with this unique key (a tenant's sync).
    async fn live_job(&self, tenant: TenantId, kind: JobKind, key: &str) -> Result<Option<Job>>;
    /// Cancels the live job with this unique key, if there is one; its holder loses its lease.
    async fn cancel_live_job(&self, tenant: TenantId, kind: JobKind, key: &str) -> Result<()>;
    /// Deletes every tenant's done and cancelled jobs last changed before `before`; answers how
    /// many. Dead jobs stay until an admin retries or cancels them.
    async fn prune_finished_jobs(&self, before: DateTime<Utc>) -> Result<u64>;
    /// Notices of jobs made due on any connection (PostgreSQL `LISTEN`), on a connection of
    /// their own; `None` where the backend has no such thing (SQLite, where a runner wakes its
    /// own lanes when it enqueues, and polls).
    async fn listen_for_jobs(&self) -> Result<Option<JobNotices>>;
}

/// The wait before the next attempt after `attempts` tries: doubling from 10 s, at most an hour,
/// and a random part (between half and all of it) so failed jobs do not retry in lockstep.
pub fn backoff(attempts: i64) -> Duration {
    const FIRST: Duration = Duration::from_secs(10);
    const MOST: Duration = Duration::from_secs(3600);
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let full = FIRST.saturating_mul(1 << doublings).min(MOST);
    let half = full / 2;
    half + rand::rng().random_range(Duration::ZERO..=half)
}

/// When to retry a job that failed now after `attempts` tries.
pub fn retry_at(now: DateTime<Utc>, attempts: i64) -> DateTime<Utc> {
    let wait = chrono::TimeDelta::from_std(backoff(attempts)).unwrap_or(chrono::TimeDelta::MAX);
    now.checked_add_signed(wait)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_an_hour() {
        for attempts in 0..40 {
            let full = Duration::from_secs(10 * (1u64 << (attempts.clamp(1, 20) - 1)))
                .min(Duration::from_secs(3600));
            let wait = backoff(attempts);
            assert!(wait >= full / 2 && wait <= full, "{attempts}: {wait:?}");
        }
        let waits: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(5)).collect();
        assert!(waits.len() > 1, "jittered");
    }

    #[test]
    fn kinds_and_states_read_back_by_their_stored_names() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::from_name(kind.as_str()), Some(kind));
        }
        for state in JobState::ALL {
            assert_eq!(JobState::from_name(state.as_str()), Some(state));
        }
        assert_eq!(JobKind::from_name("nope"), None);
    }
}
