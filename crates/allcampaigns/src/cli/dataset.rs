//! `allcampaigns bench dataset agency-s|agency-l`: builds a benchmark data set into the
//! configured database (SQLite in the data folder, or `DATABASE_URL`) the way real data arrives:
//! an embedded Instantly simulator with ten client workspaces, its limits off, each linked to a
//! client and synced to the end, several clients at once. Run again on the same database, it
//! finds the clients by name and syncs what changed. PERFORMANCE.md defines the sets; the inbox,
//! lead and analytics benchmarks read them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use instantly_sim::{Scale, SimConfig, Simulator};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::app::App;
use crate::config::Config;
use crate::domain::Email;
use crate::mail::Mailer;
use crate::sync::{CycleReport, Hooks, SyncOptions, SyncWorker};

/// The address of the person the data set's clients belong to.
pub const OWNER_EMAIL: &str = "bench@example.com";
/// Always the same data, so figures from two runs compare.
const SEED: u64 = 4242;
const WORKSPACES: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dataset {
    /// 10 clients, about 50,000 leads (minutes)
    AgencyS,
    /// 10 clients, 1,000,000 leads, 3,000,000 messages, 2,000 mailboxes, 500 campaigns with 180
    /// days of daily analytics (an hour or more)
    AgencyL,
}

impl Dataset {
    fn scale(self) -> Scale {
        match self {
            Dataset::AgencyS => Scale::Medium,
            Dataset::AgencyL => Scale::Large,
        }
    }
}

/// Builds the set, printing each client as its sync ends, then the totals and the time taken.
pub async fn build(mut config: Config, dataset: Dataset, parallel: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    let sim = Simulator::start(SimConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        seed: SEED,
        scale: dataset.scale(),
        workspaces: WORKSPACES,
        rate_limits: false,
    })
    .await
    .context("cannot start the Instantly simulator")?;
    println!("simulator ready in {:.1?}", started.elapsed());
    // This command syncs by hand: no runner of its own, no listener, no pacing.
    config.sync_workers = 0;
    config.instantly_rate_limits = false;
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let app = App::build_with_mailer(config.clone(), Mailer::Log).await?;
    let state = app.state().clone();
    let owner =
        crate::demo::find_or_create_owner(&state.store, &Email::parse(OWNER_EMAIL)?).await?;
    let tenants = crate::demo::connect_workspaces(&state, owner, &sim).await?;
    let options = SyncOptions {
        pages_per_slice: u64::MAX,
        ..SyncOptions::default()
    };
    let worker = SyncWorker::from_config(
        &config,
        state.store.clone(),
        state.keyring.clone(),
        Mailer::Log,
    )
    .with_options(options);
    let totals = sync_all(worker, tenants, parallel.max(1), started).await?;
    println!("{dataset:?} built in {:.1?}", started.elapsed());
    for (stream, written) in totals {
        println!("  {stream:<22} {written:>10} rows written");
    }
    sim.shutdown().await;
    Ok(())
}

/// Syncs every client to the end, `parallel` at once; answers rows written per stream.
async fn sync_all(
    worker: SyncWorker,
    tenants: Vec<(crate::domain::TenantId, String)>,
    parallel: usize,
    started: Instant,
) -> anyhow::Result<Vec<(String, u64)>> {
    let worker = Arc::new(worker);
    let permits = Arc::new(Semaphore::new(parallel));
    let mut running = JoinSet::new();
    for (tenant, name) in tenants {
        let (worker, permits) = (worker.clone(), permits.clone());
        running.spawn(async move {
            let _permit = permits.acquire_owned().await?;
            let report = worker.sync_tenant(tenant, Hooks::default()).await?;
            anyhow::Ok((name, report))
        });
    }
    let mut totals: Vec<(String, u64)> = Vec::new();
    while let Some(done) = running.join_next().await {
        let (name, report) = done??;
        println!(
            "  {name}: synced at {:.1?}{}",
            started.elapsed(),
            failures(&report)
        );
        for stream in &report.streams {
            let key = stream.stream.to_string();
            match totals.iter_mut().find(|(name, _)| *name == key) {
                Some((_, written)) => *written += stream.progress.written,
                None => totals.push((key, stream.progress.written)),
            }
        }
    }
    Ok(totals)
}

fn failures(report: &CycleReport) -> String {
    let failed: Vec<String> = report
        .failed()
        .map(|stream| {
            format!(
                "{}: {}",
                stream.stream,
                stream.error.as_deref().unwrap_or("")
            )
        })
        .collect();
    match failed.is_empty() {
        true => String::new(),
        false => format!(" (failed: {})", failed.join("; ")),
    }
}
