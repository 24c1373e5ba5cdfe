//! The generic runner: lanes that lease due jobs and hand each to the handler of its kind, then
//! record what became of it (done, queued again, or failed with backoff and jitter until dead).
//! Tests drive it with `run_once`. Idle lanes wake when this runner enqueues, when another node
//! makes a job due (PostgreSQL `LISTEN`), and otherwise at every poll.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Job, JobKind, JobState, NewJob, retry_at};
use crate::domain::TenantId;
use crate::store::{self, DynStore, JobNotices, StoreError};

/// How long a runner whose listener failed waits before it listens again (it polls meanwhile).
const RELISTEN: Duration = Duration::from_secs(30);

/// Does the work of one kind. An error is stored with its chain of causes (`{:#}`), so it must
/// carry no secret.
#[async_trait]
pub trait Handler: Send + Sync {
    fn kind(&self) -> JobKind;
    async fn run(&self, job: &Job) -> anyhow::Result<Next>;
}

/// What a handler's run that did not fail asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// The job is finished.
    Done,
    /// A recurring job runs again at `at`. With an `error` (the run partly failed) the error is
    /// stored and its attempts keep counting; without one they start over.
    Again {
        at: DateTime<Utc>,
        error: Option<String>,
    },
}

/// What became of one leased job.
#[derive(Debug)]
pub struct Outcome {
    pub job: Job,
    /// The state the job is in now: done, queued again, dead, or unchanged when its lease was
    /// lost (another worker holds it, or it was cancelled).
    pub state: Option<JobState>,
    pub result: anyhow::Result<Next>,
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

    /// How often idle lanes look for work nothing told them about.
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
        self.run_once_at(Utc::now()).await
    }

    /// [`Runner::run_once`] as if the time were `now`: tests show a job due later does not run
    /// before its time, and does at it, without waiting.
    pub async fn run_once_at(&self, now: DateTime<Utc>) -> anyhow::Result<Option<Outcome>> {
        for kind in self.kinds() {
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
        let mut tasks = tokio::task::JoinSet::new();
        // Listening starts before the lanes first look, so no notice falls between the two.
        let Some(notices) = self.listen(&cancel).await else {
            return;
        };
        tasks.spawn(self.clone().relay_notices(notices, cancel.clone()));
        for _ in 0..concurrency.max(1) {
            let runner = self.clone();
            let cancel = cancel.clone();
            tasks.spawn(async move { runner.lane(cancel).await });
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn lane(&self, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            // Listen before looking, so a wake-up between the look and the wait is not missed.
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

    /// Wakes idle lanes at every notice of a job made due anywhere. A listener that cannot
    /// connect (PgBouncer in transaction mode passes no notices either) or loses its connection
    /// is said once at warn; the lanes poll meanwhile, and it listens again after `RELISTEN`.
    async fn relay_notices(
        self,
        first: store::Result<Option<JobNotices>>,
        cancel: CancellationToken,
    ) {
        let mut listening = first;
        let mut warned = false;
        loop {
            let error = match listening {
                // This backend has no notices (SQLite).
                Ok(None) => return,
                Ok(Some(mut notices)) => {
                    if std::mem::take(&mut warned) {
                        tracing::info!("listening for new jobs again");
                        // Notices sent while the listener was away were missed.
                        self.wake.notify_waiters();
                    }
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        error = self.relay(&mut notices) => error,
                    }
                }
                Err(error) => error,
            };
            if !std::mem::replace(&mut warned, true) {
                tracing::warn!(
                    error = format!("{:#}", anyhow::Error::new(error)),
                    "cannot listen for new jobs; polling until it can"
                );
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(RELISTEN) => {}
            }
            match self.listen(&cancel).await {
                Some(again) => listening = again,
                None => return,
            }
        }
    }

    /// Opens the store's listener; `None` when cancelled meanwhile.
    async fn listen(
        &self,
        cancel: &CancellationToken,
    ) -> Option<store::Result<Option<JobNotices>>> {
        tokio::select! {
            listening = self.store.listen_for_jobs() => Some(listening),
            () = cancel.cancelled() => None,
        }
    }

    /// Wakes idle lanes at each notice until the listener fails.
    async fn relay(&self, notices: &mut JobNotices) -> StoreError {
        loop {
            match notices.recv().await {
                Ok(_) => self.wake.notify_waiters(),
                Err(error) => return error,
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
        let (id, kind, attempt) = (job.id, job.kind.as_str(), job.attempts);
        tracing::debug!(job = %id, kind, attempt, "job started");
        let result = if job.attempts > job.max_attempts {
            // The holder of the last attempt stopped (a crash, a shutdown) before recording a
            // result: the job goes dead instead of looping past its maximum.
            Err(anyhow::anyhow!(
                "the last attempt ended without a result (its worker stopped)"
            ))
        } else {
            // A panic fails the attempt like an error, so the lane lives on and the job is not
            // left leased until its lease runs out. Its message may hold anything: not kept.
            AssertUnwindSafe(self.handlers[&job.kind].run(&job))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("the job's handler panicked")))
        };
        let state = record(&self.store, &job, &result).await?;
        // One line per finished job, never its payload: operators (and the multi-node test)
        // count these.
        match state {
            Some(JobState::Done) => tracing::info!(job = %id, kind, attempt, "job done"),
            None => tracing::warn!(job = %id, kind, attempt, "job lease lost; its result dropped"),
            Some(_) => {}
        }
        Ok(Outcome { job, state, result })
    }
}

/// Stores what became of a leased job's run: done, queued again when the handler asks, or
/// failed (queued again after a jittered backoff, dead after its last attempt). `None` when the
/// lease was lost (another worker holds the job, or it was cancelled): nothing is written.
pub async fn record(
    store: &DynStore,
    job: &Job,
    result: &anyhow::Result<Next>,
) -> store::Result<Option<JobState>> {
    let recorded = match result {
        Ok(Next::Done) => store.complete_job(job).await.map(|()| JobState::Done),
        Ok(Next::Again { at, error: None }) => {
            store.requeue_job(job, *at).await.map(|()| JobState::Queued)
        }
        Ok(Next::Again {
            at,
            error: Some(error),
        }) => store.fail_job(job, error, *at).await,
        Err(error) => {
            let retry = retry_at(Utc::now(), job.attempts);
            store.fail_job(job, &format!("{error:#}"), retry).await
        }
    };
    match recorded {
        Ok(state) => Ok(Some(state)),
        Err(StoreError::LeaseLost) => Ok(None),
        Err(error) => Err(error),
    }
}
