//! The `ping` job: nothing but an optional hold (`hold_ms` in its payload), so an operator can
//! see that workers run (`allcampaigns jobs ping`) and the tests and the benchmark have a
//! trivial job. A hold longer than the lease lets another worker take the job over mid-hold.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::runner::{Handler, Next};
use super::{Job, JobKind, NewJob};

/// The longest hold a ping asks for; more is cut to this.
pub const MAX_HOLD: Duration = Duration::from_secs(60);

pub struct PingHandler;

#[async_trait]
impl Handler for PingHandler {
    fn kind(&self) -> JobKind {
        JobKind::Ping
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let hold = hold_of(&job.payload);
        if !hold.is_zero() {
            tokio::time::sleep(hold).await;
        }
        Ok(Next::Done)
    }
}

/// A ping due now that holds for `hold` (at most [`MAX_HOLD`]).
pub fn ping(hold: Duration) -> NewJob {
    let hold_ms = u64::try_from(hold.min(MAX_HOLD).as_millis()).unwrap_or(0);
    NewJob::now(JobKind::Ping, json!({ "hold_ms": hold_ms }))
}

/// The payload's hold: none when missing or not a whole number of milliseconds.
pub fn hold_of(payload: &Value) -> Duration {
    let millis = payload["hold_ms"].as_u64().unwrap_or(0);
    Duration::from_millis(millis).min(MAX_HOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_reads_back_and_odd_payloads_hold_nothing() {
        let job = ping(Duration::from_millis(250));
        assert_eq!(job.kind, JobKind::Ping);
        assert_eq!(hold_of(&job.payload), Duration::from_millis(250));
        assert_eq!(hold_of(&ping(Duration::from_secs(3600)).payload), MAX_HOLD);
        for odd in [
            json!({}),
            json!(null),
            json!({"hold_ms": -5}),
            json!({"hold_ms": "9"}),
        ] {
            assert_eq!(hold_of(&odd), Duration::ZERO, "{odd}");
        }
        assert_eq!(hold_of(&json!({"hold_ms": u64::MAX})), MAX_HOLD);
    }
}
