//! When to try again, and how long to wait.

use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Capped exponential backoff with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included. `1` disables retries.
    pub max_attempts: u32,
    /// Upper bound of the first retry's delay.
    pub base_delay: Duration,
    /// No computed delay exceeds this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the call fails with
    /// [`crate::Error::RateLimited`] so the caller can reschedule the work.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The largest delay allowed before retry number `retry` (0 = first retry):
    /// `min(max_delay, base_delay * 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// A random delay in `[0, ceiling(retry)]` ("full jitter"), so that clients which failed
    /// together do not retry together.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jittered_delays_stay_within_the_capped_exponential_ceiling() {
        let policy = RetryPolicy::default();
        for retry in 0..12 {
            let ceiling = policy.ceiling(retry);
            let expected = (policy.base_delay * 2u32.pow(retry)).min(policy.max_delay);
            assert_eq!(ceiling, expected);
            let delays: Vec<Duration> = (0..10_000).map(|_| policy.delay(retry)).collect();
            assert!(delays.iter().all(|d| *d <= ceiling));
            assert!(
                delays.iter().any(|d| *d != delays[0]),
                "delays are jittered"
            );
        }
    }

    #[test]
    fn huge_retry_numbers_do_not_overflow() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.ceiling(u32::MAX), policy.max_delay);
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));

        let later = chrono::Utc::now() + chrono::Duration::seconds(30);
        headers.insert(RETRY_AFTER, later.to_rfc2822().parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));

        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
