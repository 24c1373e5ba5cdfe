//! Starting a simulator and clients for it.

#![allow(dead_code)]

use std::time::Duration;

use futures::TryStreamExt;
use instantly::{BudgetConfig, Client, ClientConfig, RateBudget, RetryPolicy};
use instantly_sim::{RunningSim, Scale, SimConfig, Simulator};

pub async fn simulator(scale: Scale, workspaces: usize, rate_limits: bool) -> RunningSim {
    let config = SimConfig {
        seed: 42,
        scale,
        workspaces,
        rate_limits,
        ..SimConfig::default()
    };
    Simulator::start(config).await.expect("simulator starts")
}

/// Retries quickly so that fault tests stay fast.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn config(sim: &RunningSim, workspace: usize) -> ClientConfig {
    let key = sim.workspaces()[workspace].api_key.clone();
    let mut config = ClientConfig::new(key.into());
    config.base_url = sim.base_url();
    config.budget = RateBudget::new(BudgetConfig::unlimited());
    config.retry = quick_retries();
    config.timeout = Duration::from_secs(10);
    config
}

pub fn client(sim: &RunningSim, workspace: usize) -> Client {
    Client::new(config(sim, workspace)).expect("client builds")
}

pub async fn collect<T>(stream: impl futures::Stream<Item = instantly::Result<T>>) -> Vec<T> {
    stream.try_collect().await.expect("stream completes")
}

/// The keys of a stream's items, without keeping the items.
pub async fn keys<T: instantly::Keyed>(
    stream: impl futures::Stream<Item = instantly::Result<T>>,
) -> Vec<String> {
    stream
        .map_ok(|item| item.key().to_owned())
        .try_collect()
        .await
        .expect("stream completes")
}

/// The ids of one stream of the simulator's ground truth.
pub fn truth_ids(truth: &serde_json::Value, stream: &str) -> Vec<String> {
    let ids = truth[stream]["ids"]
        .as_array()
        .unwrap_or_else(|| panic!("truth has {stream}"));
    ids.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}
