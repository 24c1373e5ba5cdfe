//! Request budgets per Instantly workspace.
//!
//! Instantly limits each workspace (not each key) to 100 requests/s and 6,000/min, and
//! `GET /api/v2/emails` to 20/min. A [`RateBudget`] paces requests *evenly* at those rates: each
//! caller reserves the next free slot, so tasks sharing a budget queue fairly, and because the
//! client never bursts, network jitter cannot push it over a server-side bucket that allows
//! bursts. Slots follow tokio's clock, so tests can run with paused time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Rates of one workspace's budget. `0` disables that limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetConfig {
    pub per_second: u32,
    pub per_minute: u32,
    /// Extra limit on `GET /api/v2/emails` (the list), on top of the two above.
    pub email_list_per_minute: u32,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            per_second: 100,
            per_minute: 6_000,
            email_list_per_minute: 20,
        }
    }
}

impl BudgetConfig {
    /// No pacing at all (e.g. against a simulator with rate limits off).
    pub fn unlimited() -> Self {
        Self {
            per_second: 0,
            per_minute: 0,
            email_list_per_minute: 0,
        }
    }
}

/// Which limits a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestClass {
    General,
    /// `GET /api/v2/emails`.
    EmailList,
}

/// The shared budget of one workspace. Cheap to clone; clones share the budget.
#[derive(Debug, Clone)]
pub struct RateBudget {
    inner: Arc<Mutex<Slots>>,
}

#[derive(Debug)]
struct Slots {
    general: Vec<Pacer>,
    email_list: Option<Pacer>,
}

#[derive(Debug)]
struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    fn new(count: u32, per: Duration) -> Option<Self> {
        (count > 0).then(|| Pacer {
            interval: per / count,
            next: None,
        })
    }

    fn earliest(&self, now: Instant) -> Instant {
        self.next.map_or(now, |next| next.max(now))
    }
}

impl RateBudget {
    pub fn new(config: BudgetConfig) -> Self {
        let general = [
            Pacer::new(config.per_second, Duration::from_secs(1)),
            Pacer::new(config.per_minute, Duration::from_secs(60)),
        ];
        let slots = Slots {
            general: general.into_iter().flatten().collect(),
            email_list: Pacer::new(config.email_list_per_minute, Duration::from_secs(60)),
        };
        Self {
            inner: Arc::new(Mutex::new(slots)),
        }
    }

    /// Waits for this request's slot. Slots are reserved in call order.
    pub async fn acquire(&self, class: RequestClass) {
        let slot = self.reserve(class);
        tokio::time::sleep_until(slot).await;
    }

    fn reserve(&self, class: RequestClass) -> Instant {
        let now = Instant::now();
        let mut slots = self.inner.lock().expect("budget lock poisoned");
        let Slots {
            general,
            email_list,
        } = &mut *slots;
        let extra = (class == RequestClass::EmailList)
            .then_some(email_list.as_mut())
            .flatten();
        let mut pacers: Vec<&mut Pacer> = general.iter_mut().chain(extra).collect();
        let slot = pacers.iter().map(|p| p.earliest(now)).max().unwrap_or(now);
        for pacer in &mut pacers {
            pacer.next = Some(slot + pacer.interval);
        }
        slot
    }

    /// Holds every request of this workspace back until `until` (after a 429), so tasks
    /// sharing the budget do not keep hitting the limit.
    pub fn pause_until(&self, until: Instant) {
        let mut slots = self.inner.lock().expect("budget lock poisoned");
        let Slots {
            general,
            email_list,
        } = &mut *slots;
        for pacer in general.iter_mut().chain(email_list.as_mut()) {
            pacer.next = Some(pacer.earliest(until));
        }
    }
}

impl Default for RateBudget {
    fn default() -> Self {
        Self::new(BudgetConfig::default())
    }
}

/// A registry of budgets keyed by workspace, to share between every task and client that talks
/// to the same Instantly workspace. Cheap to clone; clones share the registry.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceBudgets {
    config: BudgetConfig,
    budgets: Arc<Mutex<HashMap<String, RateBudget>>>,
}

impl WorkspaceBudgets {
    pub fn new(config: BudgetConfig) -> Self {
        Self {
            config,
            budgets: Arc::default(),
        }
    }

    /// The budget of `workspace` (any stable key: the Instantly workspace id, or a connection
    /// id when the workspace id is not known yet), created on first use.
    pub fn budget(&self, workspace: &str) -> RateBudget {
        let mut budgets = self.budgets.lock().expect("budget registry lock poisoned");
        let budget = budgets.entry(workspace.to_owned());
        budget
            .or_insert_with(|| RateBudget::new(self.config))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_evenly_at_the_configured_rate() {
        let budget = RateBudget::new(BudgetConfig {
            per_second: 10,
            per_minute: 0,
            email_list_per_minute: 0,
        });
        let start = Instant::now();
        for _ in 0..11 {
            budget.acquire(RequestClass::General).await;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_email_list_limit_applies_only_to_email_list_requests() {
        let budget = RateBudget::new(BudgetConfig {
            per_second: 100,
            per_minute: 0,
            email_list_per_minute: 20,
        });
        let start = Instant::now();
        budget.acquire(RequestClass::EmailList).await;
        budget.acquire(RequestClass::General).await;
        assert!(start.elapsed() < Duration::from_millis(20));
        budget.acquire(RequestClass::EmailList).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn clients_of_the_same_workspace_share_one_budget() {
        let registry = WorkspaceBudgets::new(BudgetConfig {
            per_second: 1,
            per_minute: 0,
            email_list_per_minute: 0,
        });
        let (a, b) = (registry.budget("ws-1"), registry.budget("ws-1"));
        let other = registry.budget("ws-2");
        let start = Instant::now();
        a.acquire(RequestClass::General).await;
        b.acquire(RequestClass::General).await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        other.acquire(RequestClass::General).await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_every_later_request() {
        let budget = RateBudget::new(BudgetConfig::default());
        let start = Instant::now();
        budget.pause_until(start + Duration::from_secs(5));
        budget.acquire(RequestClass::General).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }
}
