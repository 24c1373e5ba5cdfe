//! A faithful local Instantly API v2 server, for tests, benchmarks and demos.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use instantly_sim::{Scale, SimConfig, Simulator};
//!
//! let sim = Simulator::start(SimConfig { seed: 7, scale: Scale::Small, ..SimConfig::default() }).await?;
//! let key = &sim.workspaces()[0].api_key; // Bearer key of the first workspace
//! println!("Instantly at {}", sim.base_url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Data is generated deterministically from the seed and the scale (history ends at
//! 2026-11-01T00:00:00Z; ticks move a simulated clock forward from there). Admin routes live
//! under `/__sim/`, never under `/api/v2`:
//!
//! - `GET /__sim/workspaces` → `[{id, name, api_key}]`
//! - `GET /__sim/truth/{workspace_id}[?ids=false][&content=true]` → per stream the count and
//!   the ids (optionally a compact record per lead and email), for comparing a sync with
//! - `POST /__sim/faults` ([`FaultConfig`] as JSON), `GET` and `DELETE /__sim/faults`
//! - `GET /__sim/requests` → every API request so far ([`Served`]: arrival, target, fault,
//!   status, `Retry-After`), the first 10,000
//! - `GET`, `PUT /__sim/rate-limits` ([`RateLimitConfig`])
//! - `POST /__sim/tick` ([`TickRequest`]) → [`TickReport`]
//! - `POST /__sim/workspaces/{id}/plan` (`{"paid": false}` makes every call answer 402)
//! - `GET /__sim/webhook-deliveries` → every delivery attempt

#![recursion_limit = "256"]

mod admin;
mod api;
pub mod cli;
mod data;
mod faults;
mod ratelimit;
mod requests;
mod server;
mod state;
mod tick;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use data::Scale;
pub use faults::{Fault, FaultConfig};
pub use ratelimit::RateLimitConfig;
pub use requests::Served;
pub use tick::{
    Click, MailboxChange, NewEmail, StatusChange, TickReport, TickRequest, WorkspaceChanges,
};

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Use port 0 for any free port.
    pub listen: SocketAddr,
    pub seed: u64,
    pub scale: Scale,
    pub workspaces: usize,
    /// Enforce Instantly's per-workspace limits (100/s, 6,000/min, 20/min on `GET /emails`).
    pub rate_limits: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 1,
            scale: Scale::Small,
            workspaces: 3,
            rate_limits: true,
        }
    }
}

/// A workspace of the simulator and its API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimWorkspace {
    pub id: String,
    pub name: String,
    pub api_key: String,
}

pub struct Simulator;

impl Simulator {
    /// Generates the data (on a blocking thread) and starts serving on `config.listen`.
    pub async fn start(config: SimConfig) -> anyhow::Result<RunningSim> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let SimConfig {
            seed,
            scale,
            workspaces,
            rate_limits,
            ..
        } = config;
        let sim = tokio::task::spawn_blocking(move || {
            state::Sim::new(seed, scale, workspaces, rate_limits)
        })
        .await?;
        let sim = Arc::new(sim);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, sim.clone(), stopped));
        Ok(RunningSim {
            addr,
            sim,
            stop,
            task: Some(task),
        })
    }
}

/// A simulator serving in the background. Dropping it stops accepting connections.
pub struct RunningSim {
    addr: SocketAddr,
    sim: Arc<state::Sim>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, to use as the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn workspaces(&self) -> Vec<SimWorkspace> {
        (0..self.sim.workspace_count())
            .map(|i| {
                let w = self.sim.read(i);
                SimWorkspace {
                    id: w.id.clone(),
                    name: w.name.clone(),
                    api_key: w.api_key.clone(),
                }
            })
            .collect()
    }

    /// Same as `POST /__sim/faults`.
    pub fn set_faults(&self, config: FaultConfig) {
        self.sim.faults().set(config);
    }

    /// Same as `DELETE /__sim/faults`.
    pub fn clear_faults(&self) {
        self.sim.faults().clear();
    }

    /// Faults injected so far, in order.
    pub fn injected_faults(&self) -> Vec<Fault> {
        self.sim.faults().injected.clone()
    }

    /// API requests received so far, in order of arrival (same as `GET /__sim/requests`).
    pub fn request_log(&self) -> Vec<Served> {
        self.sim.request_log().entries().to_vec()
    }

    /// API requests received so far (faulted ones included).
    pub fn requests_served(&self) -> u64 {
        self.sim.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Requests refused with 429 by the rate limits (not by injected faults).
    pub fn rate_limited_count(&self) -> u64 {
        self.sim
            .rate_limited
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Same as `PUT /__sim/rate-limits`.
    pub fn set_rate_limits(&self, config: RateLimitConfig) {
        self.sim.set_rate_limits(config);
    }

    /// Same as `POST /__sim/workspaces/{id}/plan`: an unpaid workspace answers 402 everywhere.
    pub fn set_paid(&self, workspace_id: &str, paid: bool) -> bool {
        let index = self.sim.workspace_by_id(workspace_id);
        index.inspect(|i| self.sim.set_paid(*i, paid)).is_some()
    }

    /// Same as `POST /__sim/tick`.
    pub fn tick(&self, request: &TickRequest) -> TickReport {
        tick::tick(&self.sim, request)
    }

    /// Same as `GET /__sim/truth/{workspace_id}` (with ids).
    pub fn truth(&self, workspace_id: &str) -> Option<serde_json::Value> {
        let index = self.sim.workspace_by_id(workspace_id)?;
        Some(admin::ground_truth(
            &self.sim.read(index),
            &admin::TruthOptions::default(),
        ))
    }

    /// Stops accepting, lets open connections finish (at most 5 s) and returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
