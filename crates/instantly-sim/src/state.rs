//! Shared state of a running simulator.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use crate::data::{Scale, Workspace, build_workspaces};
use crate::faults::Faults;
use crate::ratelimit::{Buckets, RateLimitConfig};
use crate::requests::RequestLog;
use crate::webhooks::Delivery;

pub struct Sim {
    workspaces: Vec<RwLock<Workspace>>,
    /// API key → workspace index.
    keys: HashMap<String, usize>,
    pub faults: Mutex<Faults>,
    limits: Mutex<Limits>,
    pub webhook_http: reqwest::Client,
    pub deliveries: Mutex<Vec<Delivery>>,
    /// Delay before the first webhook retry (doubles each time).
    pub webhook_retry_base: Duration,
    /// API requests received, and those refused by the rate limits.
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
    log: Mutex<RequestLog>,
    /// Workspaces without an active paid plan (every API call answers 402).
    unpaid: Mutex<HashSet<usize>>,
}

struct Limits {
    config: RateLimitConfig,
    buckets: Vec<Buckets>,
}

impl Sim {
    pub fn new(seed: u64, scale: Scale, workspaces: usize, rate_limits: bool) -> Sim {
        let workspaces = build_workspaces(seed, scale, workspaces);
        let keys = workspaces
            .iter()
            .map(|w| (w.api_key.clone(), w.index))
            .collect();
        let config = RateLimitConfig {
            enabled: rate_limits,
            ..RateLimitConfig::default()
        };
        let limits = Limits {
            config,
            buckets: vec![Buckets::new(&config); workspaces.len()],
        };
        let webhook_http = reqwest::Client::builder()
            .user_agent("instantly-sim-webhooks")
            .timeout(Duration::from_secs(10))
            .build()
            .expect("webhook HTTP client");
        Sim {
            workspaces: workspaces.into_iter().map(RwLock::new).collect(),
            keys,
            faults: Mutex::default(),
            limits: Mutex::new(limits),
            webhook_http,
            deliveries: Mutex::default(),
            webhook_retry_base: Duration::from_millis(500),
            requests: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            log: Mutex::default(),
            unpaid: Mutex::default(),
        }
    }

    pub fn workspace_count(&self) -> usize {
        self.workspaces.len()
    }

    pub fn read(&self, index: usize) -> RwLockReadGuard<'_, Workspace> {
        self.workspaces[index]
            .read()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self, index: usize) -> RwLockWriteGuard<'_, Workspace> {
        self.workspaces[index]
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub fn workspace_by_key(&self, key: &str) -> Option<usize> {
        self.keys.get(key).copied()
    }

    pub fn workspace_by_id(&self, id: &str) -> Option<usize> {
        (0..self.workspaces.len()).find(|i| self.read(*i).id == id)
    }

    pub fn is_paid(&self, index: usize) -> bool {
        !self
            .unpaid
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&index)
    }

    pub fn set_paid(&self, index: usize, paid: bool) {
        let mut unpaid = self.unpaid.lock().unwrap_or_else(|e| e.into_inner());
        if paid {
            unpaid.remove(&index);
        } else {
            unpaid.insert(index);
        }
    }

    /// Admits a request of workspace `index`, or says how long to wait.
    pub fn admit(&self, index: usize, email_list: bool) -> Result<(), Duration> {
        let mut limits = self.limits.lock().unwrap_or_else(|e| e.into_inner());
        if !limits.config.enabled {
            return Ok(());
        }
        let admitted = limits.buckets[index].admit(email_list);
        if admitted.is_err() {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
        admitted
    }

    pub fn rate_limits(&self) -> RateLimitConfig {
        self.limits.lock().unwrap_or_else(|e| e.into_inner()).config
    }

    /// Replaces the limits and starts every bucket afresh.
    pub fn set_rate_limits(&self, config: RateLimitConfig) {
        let mut limits = self.limits.lock().unwrap_or_else(|e| e.into_inner());
        limits.buckets = vec![Buckets::new(&config); self.workspaces.len()];
        limits.config = config;
    }

    pub fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn request_log(&self) -> std::sync::MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }
}
