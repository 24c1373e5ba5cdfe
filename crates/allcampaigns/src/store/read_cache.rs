//! Inbox reads kept between changes. Operators of one agency open the same first page and the
//! same tab counts again and again (every reload, every live event refetches them); each costs
//! milliseconds of SQL across clients and answers the same until something changes.
//!
//! A kept read is filed under the generation of each of its tenants. A write transaction in a
//! tenant's scope moves that tenant's generation on when it commits (`Tx::commit`), and a read
//! takes the generations before it reads, so it never files an answer older than what it was
//! filed under. Other processes and nodes change data this process does not see commit: a live
//! event heard from another node moves the tenant on too. And a read is filed under the period
//! of the time to live its `now` falls in: an answer also depends on the time (a snooze ends by
//! itself), and no answer outlives its period, which bounds how stale a read can be after
//! another process's write.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::Result;
use crate::domain::TenantId;
use crate::inbox::{Cursor, ThreadFilter};

/// How long a read is kept at most unless configured otherwise (`inbox_cache_ms`).
pub const READ_CACHE_TTL: Duration = Duration::from_secs(1);
/// Thread rows kept in all (a full page is 100): at most about 20 MB (the benchmark server
/// stayed under 90 MiB resident).
const MAX_ROWS: u64 = 20_000;
const EXPECTED_ENTRIES: usize = 1_000;

/// Which read, with everything that decides its answer except the tenants' data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Read {
    Page {
        filter: ThreadFilter,
        after: Option<Cursor>,
        limit: u32,
    },
    TabCounts {
        filter: ThreadFilter,
    },
    Count {
        filter: ThreadFilter,
    },
}

/// A kept answer: the type the read's kind answers with (see [`ReadCache::through`]).
type Kept = Arc<dyn Any + Send + Sync>;

/// A read of some tenants as they stood: taken before reading.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    read: Read,
    epoch: u64,
    /// `now` in whole periods of the time to live.
    period: i64,
    tenants: Vec<(TenantId, u64)>,
}

/// Weighs a kept read by the thread rows it may hold.
#[derive(Clone)]
struct Rows;

impl Weighter<Key, Kept> for Rows {
    fn weight(&self, key: &Key, _: &Kept) -> u64 {
        match key.read {
            Read::Page { limit, .. } => u64::from(limit) + 1,
            Read::TabCounts { .. } | Read::Count { .. } => 1,
        }
    }
}

pub struct ReadCache {
    ttl: Duration,
    /// Moves on when every tenant may have changed (events were missed).
    epoch: AtomicU64,
    generations: Mutex<HashMap<TenantId, u64>>,
    kept: Cache<Key, Kept, Rows>,
}

impl ReadCache {
    /// Keeps reads for `ttl` at most; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            epoch: AtomicU64::new(0),
            generations: Mutex::new(HashMap::new()),
            kept: Cache::with_weighter(EXPECTED_ENTRIES, MAX_ROWS, Rows),
        }
    }

    /// The key of `read` over `tenants` as they stand, at `now`; none when nothing is kept.
    pub fn key(&self, read: Read, tenants: &[TenantId], now: DateTime<Utc>) -> Option<Key> {
        let ttl = i64::try_from(self.ttl.as_millis())
            .ok()
            .filter(|ms| *ms > 0)?;
        let period = now.timestamp_millis().div_euclid(ttl);
        let epoch = self.epoch.load(Ordering::Acquire);
        let generations = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        let tenants = tenants
            .iter()
            .map(|tenant| (*tenant, generations.get(tenant).copied().unwrap_or(0)))
            .collect();
        Some(Key {
            read,
            epoch,
            period,
            tenants,
        })
    }

    /// The kept answer to `read` over `tenants`, or `compute`'s, then kept. A kind of read
    /// always answers with the same type.
    pub async fn through<T: Clone + Send + Sync + 'static>(
        &self,
        read: Read,
        tenants: &[TenantId],
        now: DateTime<Utc>,
        compute: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let Some(key) = self.key(read, tenants, now) else {
            return compute.await;
        };
        if let Some(kept) = self.get(&key)
            && let Some(answer) = kept.downcast_ref::<T>()
        {
            return Ok(answer.clone());
        }
        let answer = compute.await?;
        self.keep(key, Arc::new(answer.clone()));
        Ok(answer)
    }

    fn get(&self, key: &Key) -> Option<Kept> {
        self.kept.get(key)
    }

    fn keep(&self, key: Key, answer: Kept) {
        self.kept.insert(key, answer);
    }

    /// A change to these tenants committed: reads taken before it are not answers any more.
    pub fn changed(&self, tenants: &[TenantId]) {
        if tenants.is_empty() {
            return;
        }
        let mut generations = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        for tenant in tenants {
            *generations.entry(*tenant).or_default() += 1;
        }
    }

    /// Changes may have been missed (a lost listener): no kept read is an answer any more.
    pub fn changed_everywhere(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::inbox::TabCount;

    fn page_read() -> Read {
        Read::Page {
            filter: ThreadFilter::default(),
            after: None,
            limit: 50,
        }
    }

    fn empty() -> Kept {
        Arc::new(TabCount::default())
    }

    fn at(seconds: f64) -> DateTime<Utc> {
        let millis = (seconds * 1000.0) as i64;
        Utc.timestamp_millis_opt(1_800_000_000_000 + millis)
            .unwrap()
    }

    #[test]
    fn a_change_to_one_tenant_ends_the_reads_that_include_it() {
        let cache = ReadCache::new(Duration::from_secs(60));
        let (a, b) = (TenantId::new(), TenantId::new());
        for tenants in [vec![a], vec![b], vec![a, b]] {
            let key = cache.key(page_read(), &tenants, at(0.0)).unwrap();
            cache.keep(key, empty());
        }
        cache.changed(&[a]);
        let kept = |tenants: &[TenantId]| {
            let key = cache.key(page_read(), tenants, at(0.0)).unwrap();
            cache.get(&key)
        };
        assert!(kept(&[a]).is_none());
        assert!(kept(&[a, b]).is_none());
        assert!(kept(&[b]).is_some());
        cache.changed_everywhere();
        assert!(kept(&[b]).is_none());
    }

    /// A read that began before a change files its answer under the generation it began with,
    /// so the next read does not take it.
    #[test]
    fn a_read_that_raced_a_change_is_not_taken_afterwards() {
        let cache = ReadCache::new(Duration::from_secs(60));
        let tenant = TenantId::new();
        let before = cache.key(page_read(), &[tenant], at(0.0)).unwrap();
        cache.changed(&[tenant]);
        cache.keep(before, empty());
        let after = cache.key(page_read(), &[tenant], at(0.0)).unwrap();
        assert!(cache.get(&after).is_none());
    }

    /// An answer serves the period of the time to live it was read in, and no later time (a
    /// snooze may have ended since); with no time to live nothing is kept.
    #[test]
    fn an_answer_serves_only_its_own_period() {
        let cache = ReadCache::new(Duration::from_secs(1));
        let tenant = TenantId::new();
        let key = cache.key(page_read(), &[tenant], at(0.1)).unwrap();
        cache.keep(key, empty());
        let found = |time| cache.get(&cache.key(page_read(), &[tenant], at(time)).unwrap());
        assert!(found(0.9).is_some());
        assert!(found(1.0).is_none());
        assert!(found(-0.1).is_none());
        let off = ReadCache::new(Duration::ZERO);
        assert!(off.key(page_read(), &[tenant], at(0.0)).is_none());
    }

    #[tokio::test]
    async fn a_kept_answer_is_not_read_again() {
        let cache = ReadCache::new(Duration::from_secs(60));
        let tenant = TenantId::new();
        let count = |n| async move {
            Ok(TabCount {
                count: n,
                capped: false,
            })
        };
        let read = || Read::Count {
            filter: ThreadFilter::default(),
        };
        let first = cache.through(read(), &[tenant], at(0.0), count(1)).await;
        let again = cache.through(read(), &[tenant], at(0.0), count(2)).await;
        assert_eq!(first.unwrap().count, 1);
        assert_eq!(again.unwrap().count, 1);
        cache.changed(&[tenant]);
        let changed = cache.through(read(), &[tenant], at(0.0), count(3)).await;
        assert_eq!(changed.unwrap().count, 3);
    }
}
