//! `BENCH_MODE=paced`: the simulator's real limits on, several workspaces backfilling messages
//! in parallel through the job runner's lanes; reports messages per minute per workspace against
//! the 2,000/min that 20 list requests a minute allow.

use std::sync::Arc;
use std::time::{Duration, Instant};

use allcampaigns::config;
use allcampaigns::jobs::runner::Runner;
use allcampaigns::mail::Mailer;
use allcampaigns::store::{Table, TenantProfile};
use allcampaigns::sync::{SyncOptions, SyncWorker};
use tokio_util::sync::CancellationToken;

use super::{data_dir_sources, env, start_sim};

pub async fn run() -> anyhow::Result<()> {
    let workspaces: usize = env("BENCH_WORKSPACES", "3").parse()?;
    let seconds: u64 = env("BENCH_SECS", "240").parse()?;
    let (_sim, base, ws) =
        start_sim(&env("BENCH_SCALE", "medium"), &workspaces.to_string(), "on").await;
    let dir = tempfile::tempdir()?;
    let config = config::load(&data_dir_sources(dir.path()))?;
    let store = allcampaigns::store::open(&config, true).await?;
    let keyring = Arc::new(allcampaigns::keys::load_keyring(&config, &store).await?);
    let mut tenants = Vec::new();
    for w in &ws {
        let profile = TenantProfile {
            name: w["name"].as_str().unwrap_or("client").to_owned(),
            ..Default::default()
        };
        let tenant = store.create_tenant(None, &profile).await?.id;
        let key = w["api_key"].as_str().unwrap_or_default();
        super::link_as_operator(&store, &keyring, tenant, key, &base).await?;
        tenants.push(tenant);
    }
    let budget = instantly::BudgetConfig::default();
    let worker = SyncWorker::new(
        store.clone(),
        keyring,
        budget,
        SyncOptions::default(),
        Mailer::Log,
    );
    let runner = Runner::new(store.clone()).with_handler(Arc::new(worker));
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let running = tokio::spawn(runner.run(workspaces, cancel.clone()));
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    cancel.cancel();
    running.await?;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    println!("paced: {workspaces} workspaces in parallel for {minutes:.1} min (limits on)");
    for tenant in tenants {
        let counts = store.stored_counts(tenant).await?;
        let messages = counts
            .iter()
            .find(|(t, _)| *t == Table::Messages)
            .map_or(0, |(_, n)| *n);
        let rate = messages as f64 / minutes;
        println!(
            "  {messages} messages = {rate:.0}/min ({:.1} % of 2,000/min)",
            rate / 20.0
        );
    }
    Ok(())
}
