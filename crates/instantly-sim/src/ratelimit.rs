//! Instantly's per-workspace limits: 100 requests/s and 6,000/min across all endpoints, and
//! 20/min on `GET /api/v2/emails`. Each limit is a GCRA bucket that allows its full count as a
//! burst.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitConfig {
    pub enabled: bool,
    pub per_second: u32,
    pub per_minute: u32,
    pub email_list_per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            per_second: 100,
            per_minute: 6_000,
            email_list_per_minute: 20,
        }
    }
}

/// Generic cell rate algorithm: `tat` is the theoretical arrival time of the next request.
#[derive(Debug, Clone)]
struct Gcra {
    interval: Duration,
    burst: Duration,
    tat: Option<Instant>,
}

impl Gcra {
    fn new(count: u32, per: Duration) -> Option<Self> {
        (count > 0).then(|| {
            let interval = per / count;
            Gcra {
                interval,
                burst: interval * (count - 1),
                tat: None,
            }
        })
    }

    /// How long until a request would conform (zero if it conforms now).
    fn wait(&self, now: Instant) -> Duration {
        let tat = self.tat.unwrap_or(now).max(now);
        (tat.saturating_duration_since(now)).saturating_sub(self.burst)
    }

    fn take(&mut self, now: Instant) {
        self.tat = Some(self.tat.unwrap_or(now).max(now) + self.interval);
    }
}

/// The buckets of one workspace.
#[derive(Debug, Clone)]
pub struct Buckets {
    general: Vec<Gcra>,
    email_list: Option<Gcra>,
}

impl Buckets {
    pub fn new(config: &RateLimitConfig) -> Self {
        let general = [
            Gcra::new(config.per_second, Duration::from_secs(1)),
            Gcra::new(config.per_minute, Duration::from_secs(60)),
        ];
        Buckets {
            general: general.into_iter().flatten().collect(),
            email_list: Gcra::new(config.email_list_per_minute, Duration::from_secs(60)),
        }
    }

    /// Admits the request, or says how long to wait.
    pub fn admit(&mut self, email_list: bool) -> Result<(), Duration> {
        let now = Instant::now();
        let extra = if email_list {
            self.email_list.as_mut()
        } else {
            None
        };
        let mut buckets: Vec<&mut Gcra> = self.general.iter_mut().chain(extra).collect();
        let wait = buckets
            .iter()
            .map(|b| b.wait(now))
            .max()
            .unwrap_or_default();
        if !wait.is_zero() {
            return Err(wait);
        }
        buckets.iter_mut().for_each(|b| b.take(now));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_burst_is_admitted_and_the_next_request_waits() {
        let config = RateLimitConfig {
            per_second: 5,
            per_minute: 0,
            ..RateLimitConfig::default()
        };
        let mut buckets = Buckets::new(&config);
        for _ in 0..5 {
            assert!(buckets.admit(false).is_ok());
        }
        let wait = buckets.admit(false).unwrap_err();
        assert!(wait > Duration::from_millis(150) && wait <= Duration::from_millis(200));
    }

    #[test]
    fn the_email_list_bucket_only_counts_email_list_requests() {
        let config = RateLimitConfig {
            email_list_per_minute: 1,
            ..RateLimitConfig::default()
        };
        let mut buckets = Buckets::new(&config);
        assert!(buckets.admit(true).is_ok());
        assert!(buckets.admit(false).is_ok());
        assert!(buckets.admit(true).is_err());
    }
}
