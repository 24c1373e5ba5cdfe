//! A sliding-window rate limiter keyed by any string (an email, an IP), in memory.
//!
//! Keys are forgotten by time bucket: each key is filed under the bucket of its last hit, and a
//! bucket older than the window is emptied in one go, so no call scans the whole map.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets per window: a forgotten key lingers at most a window and 2/16 of one.
const BUCKETS_PER_WINDOW: u32 = 16;

pub struct RateLimiter {
    limit: usize,
    window: Duration,
    bucket_width: Duration,
    state: Mutex<State>,
}

/// A refused hit: when to come back, and whether it opens a burst of refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub retry_after: Duration,
    /// The first refusal for the key within a window; later ones in that window are the same
    /// burst, so callers can report a burst once.
    pub first_of_burst: bool,
}

/// The limiter key of a client address: IPv4 addresses one by one, IPv6 by /64 (one machine
/// usually holds a whole /64, so per-address keys would not limit it at all).
pub fn ip_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let prefix = ipnet::Ipv6Net::new(v6, 64).expect("64 is a valid prefix length");
            prefix.trunc().to_string()
        }
    }
}

#[derive(Default)]
struct State {
    keys: HashMap<String, KeyHits>,
    /// Bucket number and the keys whose last hit fell in it, oldest first.
    buckets: VecDeque<(u64, Vec<String>)>,
    origin: Option<Instant>,
}

#[derive(Default)]
struct KeyHits {
    accepted: VecDeque<Instant>,
    burst_started: Option<Instant>,
    /// The bucket the key is filed under (its latest hit).
    bucket: u64,
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

impl State {
    fn bucket_of(&mut self, now: Instant, width: Duration) -> u64 {
        let origin = *self.origin.get_or_insert(now);
        let elapsed = now.saturating_duration_since(origin).as_nanos();
        u64::try_from(elapsed / width.as_nanos()).unwrap_or(u64::MAX)
    }

    /// Empties every bucket whose keys have all gone a whole window without a hit.
    fn evict(&mut self, current: u64, now: Instant, window: Duration) {
        let expired =
            |bucket: u64| bucket.saturating_add(u64::from(BUCKETS_PER_WINDOW) + 2) <= current;
        while let Some((bucket, _)) = self.buckets.front() {
            if !expired(*bucket) {
                break;
            }
            let (bucket, keys) = self.buckets.pop_front().expect("front exists");
            for key in keys {
                match self.keys.get(&key) {
                    Some(hits) if hits.bucket == bucket && hits.is_stale(now, window) => {
                        self.keys.remove(&key);
                    }
                    // Only a clock that went backwards gets here: keep the key filed.
                    Some(hits) if hits.bucket == bucket => {
                        self.touch(&key, current);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Files `key` under `current` (once per bucket) and returns its hits.
    fn touch(&mut self, key: &str, current: u64) -> &mut KeyHits {
        let newest = self
            .buckets
            .back()
            .map_or(current, |(b, _)| (*b).max(current));
        let filed = self.keys.get(key).map(|hits| hits.bucket);
        if filed != Some(newest) {
            match self.buckets.back_mut() {
                Some((bucket, keys)) if *bucket == newest => keys.push(key.to_string()),
                _ => self.buckets.push_back((newest, vec![key.to_string()])),
            }
        }
        let hits = self.keys.entry(key.to_string()).or_default();
        hits.bucket = newest;
        hits
    }
}

impl RateLimiter {
    pub fn new(limit: usize, window: Duration) -> Self {
        let bucket_width = (window / BUCKETS_PER_WINDOW).max(Duration::from_millis(1));
        Self {
            limit,
            window,
            bucket_width,
            state: Mutex::new(State::default()),
        }
    }

    /// Counts a hit for `key` at `now`, or says how long until one is allowed.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Refusal> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = state.bucket_of(now, self.bucket_width);
        state.evict(current, now, self.window);
        let key_hits = state.touch(key, current);
        key_hits.forget_before(now, self.window);
        if key_hits.accepted.len() >= self.limit {
            let oldest = *key_hits.accepted.front().expect("non-empty at the limit");
            return Err(Refusal {
                retry_after: self.window.saturating_sub(now.duration_since(oldest)),
                first_of_burst: key_hits.refuse(now),
            });
        }
        key_hits.accepted.push_back(now);
        Ok(())
    }

    /// How many keys are remembered right now (for tests and metrics).
    pub fn tracked_keys(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .keys
            .len()
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

    // Security review finding 6: one machine's /64 is one client.
    #[test]
    fn ipv6_addresses_in_one_64_share_a_bucket() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let now = Instant::now();
        let same_64 = [
            "2001:db8:1:2::1",
            "2001:db8:1:2:ffff::9",
            "2001:db8:1:2:abcd::",
        ];
        for (i, address) in same_64.iter().enumerate() {
            let outcome = limiter.check(&ip_key(ip(address)), now);
            assert_eq!(outcome.is_ok(), i < 2, "{address}");
        }
        assert!(
            limiter.check(&ip_key(ip("2001:db8:1:3::1")), now).is_ok(),
            "next /64"
        );
        assert_eq!(ip_key(ip("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_eq!(ip_key(ip("192.0.2.7")), "192.0.2.7");
        assert_eq!(
            ip_key(ip("::ffff:192.0.2.7")),
            "192.0.2.7",
            "v4-mapped is v4"
        );
    }

    // Security review finding 6: keys are forgotten by bucket, without a whole-map sweep.
    #[test]
    fn eviction_forgets_quiet_keys_and_keeps_the_map_bounded() {
        let window = Duration::from_secs(160);
        let limiter = RateLimiter::new(1, window);
        let start = Instant::now();
        for i in 0..20_000 {
            limiter.check(&format!("old-{i}"), start).ok();
        }
        assert_eq!(limiter.tracked_keys(), 20_000);
        // A steady trickle of new keys: once a window and two buckets have passed, the old
        // keys are gone and the map holds only about a window's worth of the new ones.
        let step = Duration::from_secs(1);
        for second in 1..=600u32 {
            limiter
                .check(&format!("new-{second}"), start + step * second)
                .ok();
            if second >= 180 {
                assert!(
                    limiter.tracked_keys() <= 181,
                    "{second}: {}",
                    limiter.tracked_keys()
                );
            }
        }
        // A key that keeps hitting is never forgotten while inside its window.
        let limiter = RateLimiter::new(1, window);
        limiter.check("busy", start).unwrap();
        for second in 1..150u32 {
            limiter
                .check(&format!("other-{second}"), start + step * second)
                .ok();
        }
        assert!(
            limiter.check("busy", start + step * 150).is_err(),
            "still limited"
        );
    }
}
