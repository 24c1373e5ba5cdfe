//! Expired sessions, sign-in links, invitations and tokens are deleted every hour (security
//! review finding 22): they are never used again and are read on every request. Finished jobs
//! go too once they are older than `job_retention_days`, and the inbound log's events once
//! older than `inbound_log_retention_days` (promise 16).

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::session::IDLE_TIMEOUT;
use crate::store::{DynStore, Pruned, StoreError};

const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
/// The first pass waits a little, so a start-up is not slowed by it.
const FIRST_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// One pass: everything expired at `now`, and sessions idle for longer than the idle timeout.
pub async fn prune_expired(store: &DynStore, now: DateTime<Utc>) -> Result<Pruned, StoreError> {
    store.prune_expired(now, now - IDLE_TIMEOUT).await
}

/// How long what the pruner deletes by age is kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub jobs: chrono::Duration,
    pub inbound_log: chrono::Duration,
}

impl Retention {
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            jobs: chrono::Duration::days(config.job_retention_days.into()),
            inbound_log: chrono::Duration::days(config.inbound_log_retention_days.into()),
        }
    }
}

/// Prunes a minute after start and then every hour, until cancelled; finished jobs and inbound
/// events once they are older than their retention.
pub async fn run_pruner(store: DynStore, retention: Retention, cancel: CancellationToken) {
    let first = tokio::time::Instant::now() + FIRST_AFTER;
    let mut every = tokio::time::interval_at(first, PRUNE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => { match prune_expired(&store, Utc::now()).await {
                Ok(pruned) if pruned != Pruned::default() => tracing::info!(
                    sessions = pruned.sessions,
                    sign_in_tokens = pruned.sign_in_tokens,
                    invitations = pruned.invitations,
                    api_tokens = pruned.api_tokens,
                    "pruned expired rows"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(error = %error, "could not prune expired rows"),
            }
            prune_jobs(&store, Utc::now() - retention.jobs).await;
            prune_inbound(&store, Utc::now() - retention.inbound_log).await;
            },
            () = cancel.cancelled() => break,
        }
    }
}

async fn prune_jobs(store: &DynStore, before: DateTime<Utc>) {
    match store.prune_finished_jobs(before).await {
        Ok(0) => {}
        Ok(jobs) => tracing::info!(jobs, "pruned finished jobs"),
        Err(error) => tracing::warn!(error = %error, "could not prune finished jobs"),
    }
}

async fn prune_inbound(store: &DynStore, before: DateTime<Utc>) {
    match crate::inbound::prune(store, before).await {
        Ok(0) => {}
        Ok(events) => tracing::info!(events, "pruned the inbound log"),
        Err(error) => tracing::warn!(error = %error, "could not prune the inbound log"),
    }
}
