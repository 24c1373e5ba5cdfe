//! A sliding-window rate limiter keyed by any string (an email, an IP), in memory.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: usize,
    window: Duration,
    hits: Mutex<HashMap<String, KeyHits>>,
}

/// A refused hit: when to come back, and whether it opens a burst of refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub retry_after: Duration,
    /// The first refusal for the key within a window; later ones in that window are the same
    /// burst, so callers can report a burst once.
    pub first_of_burst: bool,
}

#[derive(Default)]
struct KeyHits {
    accepted: VecDeque<Instant>,
    burst_started: Option<Instant>,
}

impl KeyHits {
    fn forget_before(&mut self, now: Instant, window: Duration) {
        while self
            .accepted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.accepted.pop_front();
        }
        if self
            .burst_started
            .is_some_and(|t| now.duration_since(t) >= window)
        {
            self.burst_started = None;
        }
    }

    fn is_stale(&self, now: Instant, window: Duration) -> bool {
        let recent = |t: &Instant| now.duration_since(*t) < window;
        !self.accepted.back().is_some_and(recent)
            && !self.burst_started.as_ref().is_some_and(recent)
    }

    /// Marks a refusal at `now`; true when it starts a new burst.
    fn refuse(&mut self, now: Instant) -> bool {
        let first = self.burst_started.is_none();
        if first {
            self.burst_started = Some(now);
        }
        first
    }
}

impl RateLimiter {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key` at `now`, or says how long until one is allowed.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Refusal> {
        let mut hits = self
            .hits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, key_hits| !key_hits.is_stale(now, self.window));
        }
        let key_hits = hits.entry(key.to_string()).or_default();
        key_hits.forget_before(now, self.window);
        if key_hits.accepted.len() >= self.limit {
            let oldest = *key_hits.accepted.front().expect("non-empty at the limit");
            return Err(Refusal {
                retry_after: self.window - now.duration_since(oldest),
                first_of_burst: key_hits.refuse(now),
            });
        }
        key_hits.accepted.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_window_and_is_told_when_to_return() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limiter.check("a", start).is_ok());
        assert!(limiter.check("a", start + Duration::from_secs(10)).is_ok());
        assert_eq!(
            limiter
                .check("a", start + Duration::from_secs(20))
                .map_err(|refusal| refusal.retry_after),
            Err(Duration::from_secs(40))
        );
        assert!(limiter.check("b", start).is_ok(), "keys are independent");
        assert!(limiter.check("a", start + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_burst_of_refusals_is_reported_once_per_window() {
        let limiter = RateLimiter::new(1, Duration::from_secs(60));
        let start = Instant::now();
        let first_of_burst = |at: u64| {
            limiter
                .check("a", start + Duration::from_secs(at))
                .map(|()| "accepted")
                .map_err(|refusal| refusal.first_of_burst)
        };
        assert_eq!(first_of_burst(0), Ok("accepted"));
        assert_eq!(first_of_burst(1), Err(true));
        assert_eq!(first_of_burst(2), Err(false));
        assert_eq!(first_of_burst(59), Err(false));
        assert_eq!(first_of_burst(60), Ok("accepted"));
        assert_eq!(first_of_burst(61), Err(true), "a window later, a new burst");
    }
}
