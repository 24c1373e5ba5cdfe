//! Instantly to store: every tenant's workspace copied, resumable, incremental and fair.
//!
//! A tenant's sync is a *cycle* over its streams, run by its job in the job queue (one live per
//! tenant). Every page is written together with the stream's checkpoint in one transaction,
//! fenced by the job's lease, so a crash anywhere resumes from the last committed page with no
//! gap and no duplicate. A cycle reads at most `pages_per_slice` pages per stream and then
//! yields, so one huge backfill cannot starve the other tenants of the worker.

mod cycle;
mod emails;
mod leads;
pub mod link;
mod prefetch;
#[cfg(test)]
mod row_keys;
pub mod rows;
pub mod sanitize;
mod small;
pub mod status;
pub mod worker;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use instantly::Client;
use sha2::{Digest, Sha256};

pub use crate::domain::Stream;
pub use cycle::{CycleReport, StreamReport, run_cycle};
pub use worker::{Hooks, SyncWorker};

use crate::domain::TenantId;
use crate::jobs::{Job, JobKind, Lease, NewJob};
use crate::live::Live;
use crate::store::{DynStore, Store, StoreError, StreamState, Write};
use crate::text::{Problem, SyncFault};

/// The unique key of a tenant's sync job: one live sync per tenant.
pub const UNIQUE_KEY: &str = "sync";

/// A tenant's sync job, due at `run_at`. It never goes dead: while cycles fail it backs off
/// (capped) until the link works again or is removed, as it always has.
pub fn sync_job(run_at: DateTime<Utc>) -> NewJob {
    NewJob {
        run_at,
        max_attempts: u32::MAX,
        ..NewJob::now(JobKind::Sync, serde_json::json!({})).unique(UNIQUE_KEY)
    }
}

/// The tenant's live sync job (queued or running), for status.
pub async fn live_job(store: &DynStore, tenant: TenantId) -> crate::store::Result<Option<Job>> {
    store.live_job(tenant, JobKind::Sync, UNIQUE_KEY).await
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Pages per stream per cycle before yielding to other tenants.
    pub pages_per_slice: u64,
    /// How far behind the newest message each incremental read starts (late writes, ties).
    pub overlap: chrono::Duration,
    /// How often every lead is read again to catch changes to existing ones.
    pub reconcile_every: chrono::Duration,
    /// Days of daily analytics read again each cycle (Instantly revises recent days).
    pub analytics_days: i64,
    /// Pause between cycles of a tenant that is up to date.
    pub interval: Duration,
    /// How long a claimed job is held without a write before another worker may take it:
    /// every committed page extends the lease by this much.
    pub lease: Duration,
    /// Retries of one failed call to Instantly before its stream gives up for this cycle.
    pub retry: instantly::RetryPolicy,
    /// How long one call to Instantly may take, its body included, before it is given up and
    /// retried.
    pub timeout: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            pages_per_slice: 50,
            overlap: chrono::Duration::minutes(10),
            reconcile_every: chrono::Duration::hours(6),
            analytics_days: 7,
            interval: Duration::from_secs(60),
            lease: Duration::from_secs(120),
            retry: instantly::RetryPolicy::default(),
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Instantly(#[from] instantly::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the API key now opens a different Instantly workspace than the one connected")]
    WorkspaceChanged,
}

impl SyncError {
    /// Errors that end the whole cycle: the key is refused, the plan lapsed, or another worker
    /// took the job over. Anything else fails one stream and is retried next cycle.
    pub fn ends_cycle(&self) -> bool {
        matches!(
            self,
            SyncError::Instantly(
                instantly::Error::InvalidCredentials { .. } | instantly::Error::PaymentRequired
            ) | SyncError::Store(StoreError::LeaseLost)
                | SyncError::WorkspaceChanged
        )
    }

    pub fn needs_attention(&self) -> bool {
        matches!(
            self,
            SyncError::Instantly(
                instantly::Error::InvalidCredentials { .. } | instantly::Error::PaymentRequired
            ) | SyncError::WorkspaceChanged
        )
    }

    /// What went wrong, as a fault a person can act on (never a key or a cursor).
    pub fn fault(&self) -> SyncFault {
        use instantly::Error as E;
        match self {
            SyncError::Instantly(E::InvalidCredentials { .. }) => SyncFault::KeyRefused,
            SyncError::Instantly(E::PaymentRequired) => SyncFault::PlanLapsed,
            SyncError::Instantly(E::RateLimited { .. }) => SyncFault::SlowDown,
            SyncError::Instantly(E::Transient { .. }) => SyncFault::Flaky,
            SyncError::Instantly(other) => SyncFault::Instantly {
                detail: other.to_string(),
            },
            SyncError::Store(StoreError::LeaseLost) => SyncFault::TakenOver,
            SyncError::WorkspaceChanged => SyncFault::WorkspaceChanged,
            SyncError::Store(_) => SyncFault::Database,
        }
    }

    /// The fault in English, for the command line and the logs.
    pub fn plain(&self) -> String {
        Problem::Sync(self.fault()).to_string()
    }
}

pub type SyncResult<T> = Result<T, SyncError>;

/// The hashed addresses of a tenant that sync must not store anything about.
#[derive(Clone)]
pub struct Suppression {
    tenant: TenantId,
    hashes: Arc<HashSet<Vec<u8>>>,
}

impl Suppression {
    pub fn covers(&self, email: Option<&str>) -> bool {
        !self.hashes.is_empty()
            && email.is_some_and(|e| self.hashes.contains(&suppression_hash(self.tenant, e)))
    }
}

/// The hash under which an address is kept on a tenant's suppression list. Salted with the
/// tenant, so the same person is not linkable across tenants.
pub fn suppression_hash(tenant: TenantId, email: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(tenant.as_uuid().as_bytes());
    hasher.update(email.trim().to_lowercase().as_bytes());
    hasher.finalize().to_vec()
}

/// What one tenant's cycle works with.
pub struct Ctx<'a> {
    pub store: &'a dyn Store,
    pub client: &'a Client,
    pub tenant: TenantId,
    pub lease: Option<&'a Lease>,
    pub options: &'a SyncOptions,
    suppressed: Suppression,
    /// Told about every committed page (the command line's progress bar).
    pub on_commit: Option<&'a (dyn Fn(&StreamState) + Sync)>,
    /// Where new messages are announced to open pages (none on the command line).
    pub live: Option<&'a Live>,
}

impl<'a> Ctx<'a> {
    pub async fn new(
        store: &'a dyn Store,
        client: &'a Client,
        tenant: TenantId,
        lease: Option<&'a Lease>,
        options: &'a SyncOptions,
    ) -> SyncResult<Self> {
        let hashes = store.suppressed_hashes(tenant).await?.into_iter().collect();
        let suppressed = Suppression {
            tenant,
            hashes: Arc::new(hashes),
        };
        Ok(Self {
            store,
            client,
            tenant,
            lease,
            options,
            suppressed,
            on_commit: None,
            live: None,
        })
    }

    /// The tenant's suppression list, to take along into a task that prepares rows.
    pub fn suppression(&self) -> Suppression {
        self.suppressed.clone()
    }

    /// Tells open pages these threads changed: call once their page has committed.
    pub async fn announce_threads(&self, threads: impl IntoIterator<Item = String>) {
        let Some(live) = self.live else {
            return;
        };
        let changed = threads
            .into_iter()
            .map(|thread_id| crate::live::LiveEvent::thread_changed(self.tenant, thread_id));
        live.publish_all(changed.collect()).await;
    }

    /// Writes a page split in parts, each in a transaction of its own, the checkpoint with the
    /// last (see [`crate::store::SyncStore::apply_part`]).
    pub async fn commit_parts(&self, parts: &[Vec<Write>], state: &StreamState) -> SyncResult<u64> {
        let Some((last, first)) = parts.split_last() else {
            return self.commit(&[], state).await;
        };
        let mut changed = 0;
        for part in first {
            changed += self.store.apply_part(self.tenant, self.lease, part).await?;
        }
        Ok(changed + self.commit(last, state).await?)
    }

    /// Writes a page and the stream's checkpoint in one transaction.
    pub async fn commit(&self, writes: &[Write], state: &StreamState) -> SyncResult<u64> {
        let changed = self
            .store
            .apply(self.tenant, self.lease, writes, state)
            .await?;
        if let Some(hook) = self.on_commit {
            hook(state);
        }
        Ok(changed)
    }
}

/// Counters of one stream's work in one cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub pages: u64,
    pub read: u64,
    pub written: u64,
    /// Work is left for the next cycle (the slice ran out).
    pub more: bool,
}
