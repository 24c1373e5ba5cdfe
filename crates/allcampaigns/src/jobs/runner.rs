//! The generic runner: lanes that lease due jobs and hand each to the handler of its kind, then
//! complete it or record the failure (backoff with jitter, dead after the last attempt). Tests
//! drive it with `run_once`. A job enqueued through the runner wakes idle lanes at once; other
//! nodes find it by polling.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Job, JobKind, JobState, NewJob, retry_at};
use crate::domain::TenantId;
use crate::store::{DynStore, StoreError};

/// Does the work of one kind. An error is stored with its chain of causes (`{:#}`), so it must
/// carry no secret.
#[async_trait]
pub trait Handler: Send + Sync {
    fn kind(&self) -> JobKind;
    async fn run(&self, job: &Job) -> anyhow::Result<()>;
}

/// What became of one leased job.
#[derive(Debug)]
pub struct Outcome {
    pub job: Job,
    /// The state the job is in now: done, queued again, dead, or unchanged when its lease was
    /// lost (another worker holds it, or it was cancelled).
    pub state: Option<JobState>,
    pub result: anyhow::Result<()>,
}

#[derive(Clone)]
pub struct Runner {
    store: DynStore,
    handlers: Arc<HashMap<JobKind, Arc<dyn Handler>>>,
    lease: Duration,
    poll: Duration,
    wake: Arc<Notify>,
}

impl Runner {
    /// A runner with no handlers; a lease of five minutes and a poll every second.
    pub fn new(store: DynStore) -> Self {
        Self {
            store,
            handlers: Arc::default(),
            lease: Duration::from_secs(300),
            poll: Duration::from_secs(1),
            wake: Arc::default(),
        }
    }

    pub fn with_handler(mut self, handler: Arc<dyn Handler>) -> Self {
        let mut handlers = HashMap::clone(&self.handlers);
        handlers.insert(handler.kind(), handler);
        self.handlers = Arc::new(handlers);
        self
    }

    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How often idle lanes look for work no local enqueue told them about.
    pub fn with_poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// Enqueues a job and wakes idle lanes.
    pub async fn enqueue(&self, tenant: TenantId, job: &NewJob) -> crate::store::Result<Job> {
        let stored = self.store.enqueue(tenant, job).await?;
        self.wake.notify_waiters();
        Ok(stored)
    }

    /// Leases one due job of any handled kind and runs it; `None` when nothing is due.
    pub async fn run_once(&self) -> anyhow::Result<Option<Outcome>> {
        for kind in self.kinds() {
            let now = Utc::now();
            let until = now + chrono::Duration::from_std(self.lease)?;
            if let Some(job) = self.store.lease_next_job(kind, None, now, until).await? {
                return Ok(Some(self.run_job(job).await?));
            }
        }
        Ok(None)
    }

    /// Works until cancelled, `concurrency` jobs at a time. Shutdown drops a job wherever it
    /// waits; it stays leased and another worker takes it when the lease ends.
    pub async fn run(self, concurrency: usize, cancel: CancellationToken) {
        let mut lanes = tokio::task::JoinSet::new();
        for _ in 0..concurrency.max(1) {
            let runner = self.clone();
            let cancel = cancel.clone();
            lanes.spawn(async move { runner.lane(cancel).await });
        }
        while lanes.join_next().await.is_some() {}
    }

    async fn lane(&self, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            // Listen before looking, so an enqueue between the look and the wait is not missed.
            let woken = self.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let step = tokio::select! {
                step = self.run_once() => step,
                () = cancel.cancelled() => break,
            };
            let idle = match step {
                Ok(Some(_)) => false,
                Ok(None) => true,
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "job runner step failed");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = cancel.cancelled() => {}
                    () = woken => {}
                    () = tokio::time::sleep(self.poll) => {}
                }
            }
        }
    }

    /// The handled kinds, in a fixed order.
    fn kinds(&self) -> Vec<JobKind> {
        JobKind::ALL
            .into_iter()
            .filter(|kind| self.handlers.contains_key(kind))
            .collect()
    }

    async fn run_job(&self, job: Job) -> anyhow::Result<Outcome> {
        let result = if job.attempts > job.max_attempts {
            // The holder of the last attempt stopped (a crash, a shutdown) before recording a
            // result: the job goes dead instead of looping past its maximum.
            Err(anyhow::anyhow!(
                "the last attempt ended without a result (its worker stopped)"
            ))
        } else {
            self.handlers[&job.kind].run(&job).await
        };
        let recorded = match &result {
            Ok(()) => self.store.complete_job(&job).await.map(|()| JobState::Done),
            Err(error) => {
                let retry = retry_at(Utc::now(), job.attempts);
                let chain = format!("{error:#}");
                self.store.fail_job(&job, &chain, retry).await
            }
        };
        let state = match recorded {
            Ok(state) => Some(state),
            Err(StoreError::LeaseLost) => None,
            Err(error) => return Err(error.into()),
        };
        Ok(Outcome { job, state, result })
    }
}
