//! Fault injection: infrastructure failures in front of the API, set per run or through
//! `POST /__sim/faults`.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
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
    /// A list page starts with the last item of the previous page again.
    Duplicate,
}

/// Probabilities (0 to 1) per fault class, plus fixed latency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    pub error_500: f64,
    pub error_502: f64,
    pub error_503: f64,
    pub error_429: f64,
    pub timeout: f64,
    pub reset: f64,
    pub truncate: f64,
    pub duplicate: f64,
    /// Added to every API request.
    pub latency_ms: u64,
    /// How long a `timeout` fault hangs (default 30 s).
    pub timeout_ms: Option<u64>,
    /// `Retry-After` seconds sent with injected 429s (none when absent).
    pub retry_after_secs: Option<u64>,
    /// Faults for the next requests, in order, before any random ones: makes tests exact.
    pub next: Vec<Fault>,
}

pub const MAX_RECORDED: usize = 10_000;

#[derive(Debug, Default)]
pub struct Faults {
    pub config: FaultConfig,
    queue: VecDeque<Fault>,
    /// Faults injected so far, in order (the first [`MAX_RECORDED`]).
    pub injected: Vec<Fault>,
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

    /// The fault for this request, if any.
    pub fn draw(&mut self) -> Option<Fault> {
        let fault = self.queue.pop_front().or_else(|| self.random());
        if self.injected.len() < MAX_RECORDED {
            self.injected.extend(fault);
        }
        fault
    }

    fn random(&self) -> Option<Fault> {
        let c = &self.config;
        let classes = [
            (c.error_500, Fault::Error500),
            (c.error_502, Fault::Error502),
            (c.error_503, Fault::Error503),
            (c.error_429, Fault::Error429),
            (c.timeout, Fault::Timeout),
            (c.reset, Fault::Reset),
            (c.truncate, Fault::Truncate),
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

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.config.latency_ms)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.config.timeout_ms.unwrap_or(30_000))
    }
}
