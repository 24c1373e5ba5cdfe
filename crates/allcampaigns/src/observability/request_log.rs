//! The operational request log (IP, user agent, route template, status, time), written in
//! batches by a background task so a request never waits on it.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Metrics;
use crate::store::{DynStore, RequestLogEntry};

const CHANNEL_CAPACITY: usize = 10_000;
const BATCH: usize = 500;
const FLUSH_EVERY: Duration = Duration::from_secs(1);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

#[derive(Clone)]
pub struct RequestLogger {
    sender: mpsc::Sender<RequestLogEntry>,
    metrics: Metrics,
}

impl RequestLogger {
    pub fn new(metrics: Metrics) -> (Self, mpsc::Receiver<RequestLogEntry>) {
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        (Self { sender, metrics }, receiver)
    }

    /// Never blocks: when the writer is behind, the line is dropped and counted.
    pub fn record(&self, entry: RequestLogEntry) {
        if self.sender.try_send(entry).is_err() {
            self.metrics.request_log_dropped.inc();
        }
    }
}

/// Drains the channel into the store in batches and prunes lines past retention.
/// Ends when cancelled (after a last flush) or when every sender is gone.
pub async fn run_request_log_writer(
    store: DynStore,
    mut receiver: mpsc::Receiver<RequestLogEntry>,
    retention_days: u32,
    cancel: CancellationToken,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut flush = tokio::time::interval(FLUSH_EVERY);
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            received = receiver.recv() => match received {
                Some(entry) => {
                    batch.push(entry);
                    if batch.len() >= BATCH {
                        write(&store, &mut batch).await;
                    }
                }
                None => break,
            },
            _ = flush.tick() => write(&store, &mut batch).await,
            _ = prune.tick() => {
                let cutoff = Utc::now() - chrono::Duration::days(i64::from(retention_days));
                if let Err(error) = store.prune_request_log(cutoff).await {
                    tracing::warn!(error = %error, "could not prune the request log");
                }
            }
            () = cancel.cancelled() => break,
        }
    }
    while let Ok(entry) = receiver.try_recv() {
        batch.push(entry);
    }
    write(&store, &mut batch).await;
}

async fn write(store: &DynStore, batch: &mut Vec<RequestLogEntry>) {
    if batch.is_empty() {
        return;
    }
    if let Err(error) = store.insert_request_log(batch).await {
        tracing::warn!(error = %error, lines = batch.len(), "could not write the request log");
    }
    batch.clear();
}
