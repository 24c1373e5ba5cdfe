//! Fault injection: infrastructure failures in front of the API, and answers the API itself
//! may give a client that did nothing wrong (a revoked key, a moved endpoint), set per run or
//! through `POST /__sim/faults`.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// 400 with Instantly's error body, as when a parameter's rules change.
    #[serde(rename = "error_400")]
    Error400,
    /// 401 with Instantly's error body, as when the key is revoked mid-run.
    #[serde(rename = "error_401")]
    Error401,
    /// 404 with Instantly's error body, as when an endpoint moves.
    #[serde(rename = "error_404")]
    Error404,
    /// 500 with Instantly's error body.
    #[serde(rename = "error_500")]
    Error500,
    /// 502 with an HTML body, as a proxy sends it.
    #[serde(rename = "error_502")]
    Error502,
    /// 503 with Instantly's error body.
    #[serde(rename = "error_503")]
    Error503,
    /// 429 with Instantly's body and `Retry-After`.
    #[serde(rename = "error_429")]
    Error429,
    /// No answer until the client gives up (`timeout_ms`), then the connection closes.
    Timeout,
    /// The connection closes without an answer.
    Reset,
    /// The answer stops halfway through its declared length.
    Truncate,
    /// The answer's body trickles at `bytes_per_sec`: a congested or capped link.
    Slow,
    /// A list page starts with the last item of the previous page again.
    Duplicate,
}

/// Probabilities (0 to 1) per fault class, plus fixed latency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    pub error_400: f64,
    pub error_401: f64,
    pub error_404: f64,
    pub error_500: f64,
    pub error_502: f64,
    pub error_503: f64,
    pub error_429: f64,
    pub timeout: f64,
    pub reset: f64,
    pub truncate: f64,
    pub slow: f64,
    pub duplicate: f64,
    /// Added to every API request.
    pub latency_ms: u64,
    /// How long a `timeout` fault hangs (default 30 s).
    pub timeout_ms: Option<u64>,
    /// `Retry-After` seconds sent with injected 429s (none when absent).
    pub retry_after_secs: Option<u64>,
    /// Send that `Retry-After` as an HTTP date (the next whole second at least that far
    /// ahead) instead of as seconds.
    pub retry_after_date: bool,
    /// The bandwidth of a `slow` answer's body (default 16 KiB/s).
    pub bytes_per_sec: Option<u64>,
    /// Only API requests whose path starts with this are touched, latency included (all when
    /// absent), e.g. `/api/v2/emails` to fail one stream of a sync.
    pub path_prefix: Option<String>,
    /// Faults for the next requests, in order, before any random ones: makes tests exact.
    pub next: Vec<Fault>,
    /// A `timeout`, `reset` or 5xx fault strikes after the API handled the request (its
    /// change is made, its answer dropped): "the answer was lost after Instantly accepted it",
    /// which a client that must never send twice cannot tell from one that never arrived.
    /// Other faults are unchanged; off by default.
    pub after_handler: bool,
}

pub const MAX_RECORDED: usize = 10_000;

#[derive(Debug, Default)]
pub struct Faults {
    pub config: FaultConfig,
    queue: VecDeque<Fault>,
    /// Faults injected so far, in order (the first [`MAX_RECORDED`]).
    pub injected: Vec<Fault>,
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plan {
    pub latency: Duration,
    pub fault: Option<Fault>,
    /// How long a `Timeout` hangs.
    pub hang: Duration,
    pub retry_after_secs: Option<u64>,
    pub retry_after_date: bool,
    pub bytes_per_sec: u64,
    /// The fault strikes once the API has handled the request ([`FaultConfig::after_handler`]).
    pub after_handler: bool,
}

impl Faults {
    pub fn set(&mut self, config: FaultConfig) {
        self.queue = config.next.iter().copied().collect();
        self.config = config;
    }

    pub fn clear(&mut self) {
        *self = Faults {
            injected: std::mem::take(&mut self.injected),
            ..Faults::default()
        };
    }

    /// What happens to an API request for `path`: nothing unless the configuration covers it.
    pub fn plan(&mut self, path: &str) -> Plan {
        let covered = self
            .config
            .path_prefix
            .as_deref()
            .is_none_or(|prefix| path.starts_with(prefix));
        if !covered {
            return Plan::default();
        }
        let c = &self.config;
        Plan {
            latency: Duration::from_millis(c.latency_ms),
            hang: Duration::from_millis(c.timeout_ms.unwrap_or(30_000)),
            retry_after_secs: c.retry_after_secs,
            retry_after_date: c.retry_after_date,
            bytes_per_sec: c.bytes_per_sec.unwrap_or(16 * 1024).max(1),
            after_handler: c.after_handler,
            fault: self.draw(),
        }
    }

    /// The fault for this request, if any.
    fn draw(&mut self) -> Option<Fault> {
        let fault = self.queue.pop_front().or_else(|| self.random());
        if self.injected.len() < MAX_RECORDED {
            self.injected.extend(fault);
        }
        fault
    }

    fn random(&self) -> Option<Fault> {
        let c = &self.config;
        let classes = [
            (c.error_400, Fault::Error400),
            (c.error_401, Fault::Error401),
            (c.error_404, Fault::Error404),
            (c.error_500, Fault::Error500),
            (c.error_502, Fault::Error502),
            (c.error_503, Fault::Error503),
            (c.error_429, Fault::Error429),
            (c.timeout, Fault::Timeout),
            (c.reset, Fault::Reset),
            (c.truncate, Fault::Truncate),
            (c.slow, Fault::Slow),
            (c.duplicate, Fault::Duplicate),
        ];
        let mut roll: f64 = rand::random();
        for (rate, fault) in classes {
            if roll < rate {
                return Some(fault);
            }
            roll -= rate;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_prefix_keeps_faults_and_latency_to_the_paths_it_names() {
        let mut faults = Faults::default();
        faults.set(FaultConfig {
            latency_ms: 5,
            path_prefix: Some("/api/v2/emails".into()),
            next: vec![Fault::Error404],
            ..FaultConfig::default()
        });
        let other = faults.plan("/api/v2/leads/list");
        assert_eq!((other.fault, other.latency), (None, Duration::ZERO));
        let emails = faults.plan("/api/v2/emails");
        assert_eq!(emails.fault, Some(Fault::Error404));
        assert_eq!(emails.latency, Duration::from_millis(5));
        assert_eq!(faults.injected, vec![Fault::Error404]);
    }

    #[test]
    fn a_fault_after_the_handler_is_asked_for_and_off_by_default() {
        let mut faults = Faults::default();
        faults.set(FaultConfig {
            next: vec![Fault::Timeout],
            ..FaultConfig::default()
        });
        assert!(!faults.plan("/api/v2/emails/reply").after_handler);
        faults.set(FaultConfig {
            next: vec![Fault::Timeout],
            after_handler: true,
            ..FaultConfig::default()
        });
        let plan = faults.plan("/api/v2/emails/reply");
        assert_eq!(
            (plan.fault, plan.after_handler),
            (Some(Fault::Timeout), true)
        );
        let config: FaultConfig = serde_json::from_str(r#"{"reset": 1.0}"#).unwrap();
        assert!(
            !config.after_handler,
            "older configurations keep their meaning"
        );
    }
}
