//! `cargo bench -p allcampaigns --bench sync`: one tenant's full sync from the simulator (rate
//! limits off) into SQLite or PostgreSQL, and beside it the raw engine rate for the same rows
//! measured in the same run (prepared inserts on SQLite, COPY on PostgreSQL).
//!
//! Settings (environment): `BENCH_DB=sqlite|postgres` (PostgreSQL at `BENCH_DATABASE_URL`,
//! default `postgres://postgres@127.0.0.1:5432/postgres`), `BENCH_SCALE` (default `large`),
//! `BENCH_WORKSPACES` (default 10: the large set split as agency-L's ten clients; one is synced).

mod paced;
mod raw;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use allcampaigns::config::{self, Sources};
use allcampaigns::mail::Mailer;
use allcampaigns::store::{Table, TenantProfile};
use allcampaigns::sync::{Hooks, StreamReport, SyncOptions, SyncWorker};
use serde_json::Value;

pub struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn env(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_owned())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The simulator, its address and its workspaces, once it answers.
async fn start_sim(scale: &str, workspaces: &str, limits: &str) -> (Sim, String, Vec<Value>) {
    let port = free_port();
    let sim = Sim(Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args(["instantly-sim", "--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--scale",
            scale,
            "--workspaces",
            workspaces,
            "--rate-limits",
            limits,
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("the simulator starts"));
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..600 {
        if let Ok(answer) = reqwest::get(format!("{base}/__sim/workspaces")).await {
            let workspaces = answer
                .json()
                .await
                .expect("the simulator lists its workspaces");
            return (sim, base, workspaces);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the simulator did not answer");
}

/// Peak resident memory of this process (the simulator runs in its own).
/// Settings that keep the product's data in `dir`.
pub fn data_dir_sources(dir: &std::path::Path) -> Sources {
    let mut sources = Sources::default();
    sources
        .env
        .insert("ALLCAMPAIGNS_DATA_DIR".into(), dir.display().to_string());
    sources
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if env("BENCH_MODE", "fast") == "paced" {
        return paced::run().await;
    }
    let backend = env("BENCH_DB", "sqlite");
    let scale = env("BENCH_SCALE", "large");
    let workspaces = env("BENCH_WORKSPACES", "10");
    let (_sim, base, ws) = start_sim(&scale, &workspaces, "off").await;
    let dir = tempfile::tempdir()?;
    let mut sources = data_dir_sources(dir.path());
    let pg = if backend == "postgres" {
        Some(raw::fresh_postgres(&mut sources).await?)
    } else {
        None
    };
    let config = config::load(&sources)?;
    let store = allcampaigns::store::open(&config, true).await?;
    let keyring = Arc::new(allcampaigns::keys::load_keyring(&config, &store).await?);
    let profile = TenantProfile {
        name: "Bench".into(),
        ..Default::default()
    };
    let tenant = store.create_tenant(None, &profile).await?.id;
    let key = ws[0]["api_key"].as_str().unwrap_or_default();
    link_as_operator(&store, &keyring, tenant, key, &base).await?;
    let options = SyncOptions {
        pages_per_slice: u64::MAX,
        ..SyncOptions::default()
    };
    let budget = instantly::BudgetConfig::unlimited();
    let worker = SyncWorker::new(store.clone(), keyring, budget, options, Mailer::Log);
    let timings: Mutex<Vec<(String, Duration)>> = Mutex::default();
    let last = Mutex::new(Instant::now());
    let on_stream = |report: &StreamReport| {
        let mut last = last.lock().expect("lock");
        let took = last.elapsed();
        *last = Instant::now();
        timings
            .lock()
            .expect("lock")
            .push((report.stream.to_string(), took));
    };
    let hooks = Hooks {
        on_commit: None,
        on_stream: Some(&on_stream),
    };
    let started = Instant::now();
    let report = worker.sync_tenant(tenant, hooks).await?;
    let total = started.elapsed();
    let counts = store.stored_counts(tenant).await?;
    let count = |t: Table| counts.iter().find(|(x, _)| *x == t).map_or(0, |(_, n)| *n);
    let took = |s: &str| {
        let timings = timings.lock().expect("lock");
        timings
            .iter()
            .find(|(name, _)| name == s)
            .map_or(Duration::ZERO, |(_, d)| *d)
    };
    let pages = |s: &str| {
        report
            .streams
            .iter()
            .find(|r| r.stream == s)
            .map_or(0, |r| r.progress.pages)
    };
    let (leads, messages) = (count(Table::Leads), count(Table::Messages));
    println!("backend {backend}, scale {scale} split over {workspaces} workspaces, one synced");
    println!(
        "whole cycle {:.1} s, failed streams: {}",
        total.as_secs_f64(),
        report.failed().count()
    );
    let minimum = |n: i64| n / 100 + 1;
    for (stream, n) in [("leads", leads), ("emails", messages)] {
        let secs = took(stream).as_secs_f64();
        println!(
            "{stream:<7} {n:>9} rows in {secs:>7.1} s = {:>8.0}/s; {} requests, minimum {} ({:.3}x)",
            n as f64 / secs,
            pages(stream),
            minimum(n),
            pages(stream) as f64 / minimum(n) as f64
        );
    }
    println!("peak RSS of the product process: {:.0} MiB", peak_rss_mib());
    let raw = match &pg {
        Some(pg) => raw::postgres(pg, tenant).await?,
        None => raw::sqlite(&dir.path().join("allcampaigns.db"), &store, tenant).await?,
    };
    for (table, rate) in raw {
        println!("raw engine rate, {table}: {rate:.0} rows/s");
    }
    drop(store);
    if let Some(pg) = pg {
        pg.drop_database().await?;
    }
    Ok(())
}

/// Links `api_key` to `tenant` as the operator would (no person, no limits).
pub async fn link_as_operator(
    store: &allcampaigns::store::DynStore,
    keyring: &allcampaigns::crypto::Keyring,
    tenant: allcampaigns::domain::TenantId,
    api_key: &str,
    base_url: &str,
) -> anyhow::Result<()> {
    use allcampaigns::tenants::instantly::{self, LinkRequest, Linker};
    let public_url = url::Url::parse("http://localhost")?;
    let invite_limits = allcampaigns::app::InviteLimits::default();
    let key_checks = allcampaigns::app::failed_bearer_limit();
    let services = allcampaigns::services::Services {
        store,
        keyring,
        mailer: &Mailer::Log,
        public_url: &public_url,
        invite_limits: &invite_limits,
        key_checks: &key_checks,
        live: &allcampaigns::live::Live::new(store.clone(), Default::default()),
    };
    let request = LinkRequest {
        api_key: api_key.to_owned().into(),
        base_url,
        allow_shared_workspace: false,
    };
    let linker = Linker::Operator {
        tenant,
        actor: None,
    };
    instantly::link(&services, linker, request)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
