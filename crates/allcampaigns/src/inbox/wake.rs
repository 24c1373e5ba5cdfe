//! The snooze wake-up: a snooze enqueues, in its own transaction, one `snooze_wake` job per
//! thread (its unique key is the thread id) due at the snooze's end; snoozing again replaces it
//! and unsnoozing or marking the thread done cancels it (`store/shared/inbox.rs`). The lists
//! already read a snooze that ended as not snoozed, so the job changes no row: it tells open
//! pages (a live `thread` event) that the thread is back. A job whose snooze was replaced since
//! it was enqueued does nothing, and so does one whose thread a reply already reopened (sync
//! announced that).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::jobs::runner::{Handler, Next};
use crate::jobs::{DEFAULT_MAX_ATTEMPTS, Job, JobKind, NewJob};
use crate::live::{Live, LiveEvent};
use crate::store::DynStore;

/// The wake-up of `thread_id`, due at `until`.
pub fn job(thread_id: &str, until: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: JobKind::SnoozeWake,
        payload: json!({ "thread_id": thread_id, "until": until }),
        unique_key: Some(thread_id.to_owned()),
        run_at: until,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
    }
}

/// The thread and the snooze end a wake-up job carries; `None` for a payload it never wrote.
pub fn read_payload(payload: &Value) -> Option<(String, DateTime<Utc>)> {
    let thread_id = payload["thread_id"].as_str()?.to_owned();
    let until = DateTime::parse_from_rfc3339(payload["until"].as_str()?).ok()?;
    Some((thread_id, until.to_utc()))
}

pub struct SnoozeWakeHandler {
    store: DynStore,
    live: Live,
}

impl SnoozeWakeHandler {
    pub fn new(store: DynStore, live: Live) -> Self {
        Self { store, live }
    }
}

#[async_trait]
impl Handler for SnoozeWakeHandler {
    fn kind(&self) -> JobKind {
        JobKind::SnoozeWake
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let Some((thread_id, until)) = read_payload(&job.payload) else {
            // Retrying cannot mend a payload; nothing is lost but one live event.
            tracing::warn!(job = %job.id, "a snooze wake-up job without a thread and a time");
            return Ok(Next::Done);
        };
        let stored = self.store.snoozed_until(job.tenant, &thread_id).await?;
        if stored.is_some_and(|stored| same_instant(stored, until)) {
            let event = LiveEvent::thread_changed(job.tenant, thread_id);
            self.live.publish(event).await;
        }
        Ok(Next::Done)
    }
}

/// Times compared at the millisecond SQLite keeps them at.
fn same_instant(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    a.timestamp_millis() == b.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wake_up_carries_its_thread_and_time_and_is_unique_per_thread() {
        let until = "2026-12-01T09:00:00.123Z".parse().unwrap();
        let job = job("t-1", until);
        assert_eq!(job.run_at, until);
        assert_eq!(job.unique_key.as_deref(), Some("t-1"));
        assert_eq!(read_payload(&job.payload), Some(("t-1".into(), until)));
        for odd in [
            json!({}),
            json!({"thread_id": "t"}),
            json!({"thread_id": 1, "until": "x"}),
        ] {
            assert_eq!(read_payload(&odd), None, "{odd}");
        }
    }
}
