//! The log of API requests as the simulator saw them: when each arrived, what it asked for,
//! which fault it met and what it was answered, so tests can check retries and their timing.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::faults::{Fault, MAX_RECORDED};

/// One API request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Served {
    /// When it arrived, before any injected latency.
    pub at: DateTime<Utc>,
    pub method: String,
    /// Path and query, e.g. `/api/v2/emails?limit=100`.
    pub target: String,
    pub fault: Option<Fault>,
    /// The status answered, once the whole answer went out: none while in progress, and none
    /// when the connection closed first (a reset, a truncated or abandoned body).
    pub status: Option<u16>,
    /// The `Retry-After` header answered, as sent.
    pub retry_after: Option<String>,
}

/// The first [`MAX_RECORDED`] requests.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Vec<Served>,
}

impl RequestLog {
    /// Records an arriving request; its index, to record the answer with.
    pub fn arrived(&mut self, served: Served) -> Option<usize> {
        if self.entries.len() >= MAX_RECORDED {
            return None;
        }
        self.entries.push(served);
        Some(self.entries.len() - 1)
    }

    pub fn answered(&mut self, index: Option<usize>, status: u16, retry_after: Option<String>) {
        if let Some(entry) = index.and_then(|i| self.entries.get_mut(i)) {
            entry.status = Some(status);
            entry.retry_after = retry_after;
        }
    }

    pub fn entries(&self) -> &[Served] {
        &self.entries
    }
}
