//! Load beside the latency runs: `wrk` at many connections against the JSON first page and the
//! HTML inbox (with the server's memory sampled meanwhile), and marking a thread done and
//! undone while that server's own workers backfill new clients into the same database.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use instantly_sim::{Scale, SimConfig, Simulator};
use secrecy::{ExposeSecret, SecretString};

use super::picks::Picks;
use super::report::{Backfill, Throughput};
use super::server::{Memory, Reads, Server};
use super::timing::{Stats, server_time};
use super::{BackfillSize, Caller, Options};
use crate::app::AppState;
use crate::auth::cookies::{self, CookieJar};
use crate::domain::TenantId;
use crate::services::Services;
use crate::store::{DynStore, TenantProfile};
use crate::sync::SyncWorker;
use crate::tenants::instantly::{self, LinkRequest, Linker};

/// The owner of the clients a backfill adds, so the measured person's inbox stays the same.
const BACKFILL_EMAIL: &str = "bench-backfill@example.com";

/// `wrk` against the JSON first page (bearer token) and the HTML inbox (session cookie).
pub(crate) async fn throughput(
    server: &Server,
    caller: &Caller,
    options: &Options,
    reads: Reads,
) -> anyhow::Result<Vec<Throughput>> {
    let how = match reads {
        Reads::EveryTime => "read every time",
        Reads::Kept => "kept between changes",
    };
    let jar = CookieJar::new(false);
    let cookie = format!(
        "{}={}",
        jar.name(cookies::SESSION),
        caller.session.expose_secret()
    );
    let bearer = format!("Bearer {}", caller.token.expose_secret());
    let runs = [
        (
            "JSON first page",
            "/api/v1/threads",
            "Authorization",
            bearer,
            2000.0,
        ),
        ("HTML inbox page", "/inbox", "Cookie", cookie, 300.0),
    ];
    let mut figures = Vec::new();
    for (name, path, header, value, goal) in runs {
        let url = format!("{}{path}", server.base);
        answers_ok(&url, header, &value).await?;
        let (per_sec, requests, errors, memory) =
            wrk(server, &url, header, &value, options).await?;
        println!(
            "{name}: {per_sec:.0}/s, {errors} errors, VmRSS {:.0} MiB",
            Memory::mib(memory.rss_kib)
        );
        figures.push(Throughput {
            name: format!("{name}, {how}"),
            goal_per_sec: goal,
            per_sec,
            requests,
            errors,
            memory,
        });
    }
    Ok(figures)
}

/// A redirect to sign-in would count as success in `wrk`: check the page itself answers.
async fn answers_ok(url: &str, header: &str, value: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let status = client.get(url).header(header, value).send().await?.status();
    anyhow::ensure!(status == reqwest::StatusCode::OK, "{url} answered {status}");
    Ok(())
}

/// (requests/s, requests, errors, the largest VmRSS seen and the peak); the credential goes in
/// a script in a private temporary folder, never on a command line.
async fn wrk(
    server: &Server,
    url: &str,
    header: &str,
    value: &str,
    options: &Options,
) -> anyhow::Result<(f64, u64, u64, Memory)> {
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("headers.lua");
    let mut file = std::fs::File::create(&script)?;
    writeln!(file, "wrk.headers[\"{header}\"] = \"{value}\"")?;
    drop(file);
    let mut command = std::process::Command::new("wrk");
    command
        .arg("-t2")
        .arg(format!("-c{}", options.connections))
        .arg(format!("-d{}s", options.wrk_secs))
        .arg("-s")
        .arg(&script)
        .arg(url);
    let running = tokio::task::spawn_blocking(move || command.output());
    let mut largest = server.memory()?;
    while !running.is_finished() {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = server.memory()?;
        largest.rss_kib = largest.rss_kib.max(now.rss_kib);
        largest.peak_kib = now.peak_kib;
    }
    let output = running
        .await?
        .context("cannot run wrk (apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(output.status.success(), "wrk failed: {text}");
    let per_sec = after(&text, "Requests/sec:").context("no Requests/sec in wrk's output")?;
    let requests = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let non_2xx = after(&text, "Non-2xx or 3xx responses:").unwrap_or(0.0) as u64;
    let socket: u64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Socket errors:"))
        .map(|rest| {
            rest.split(',')
                .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Ok((per_sec, requests, non_2xx + socket, largest))
}

fn after(text: &str, label: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.trim().parse().ok())
}

/// Syncs new simulator workspaces into the database, through a server of its own whose
/// workers sync (as `serve` runs by default, so its writes and the triage share one process's
/// turns at the write lock), while the measured thread is marked done and undone in turn on
/// that server, `options.requests` times; then waits for the backfill to end.
pub(crate) async fn triage_during_backfill(
    state: &AppState,
    binary: &std::path::Path,
    caller: &Caller,
    picks: &Picks,
    options: &Options,
) -> anyhow::Result<Backfill> {
    let sim = Simulator::start(SimConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        seed: chrono::Utc::now().timestamp_millis().unsigned_abs(),
        scale: match options.backfill_size {
            BackfillSize::AgencyS => Scale::Medium,
            BackfillSize::Tiny => Scale::Small,
        },
        workspaces: options.backfill_workspaces as usize,
        rate_limits: false,
    })
    .await?;
    let paused = pause_syncs(&state.store).await?;
    let server = Server::start_syncing(binary, &state.config, SYNC_LANES, Reads::Kept).await?;
    let started = Instant::now();
    let tenants = link_workspaces(state, &sim).await?;
    let writing = Arc::new(AtomicBool::new(true));
    let watch = tokio::spawn(watch_backfill(
        state.store.clone(),
        tenants.clone(),
        writing.clone(),
    ));
    while stored(&state.store, &tenants).await? == 0 {
        anyhow::ensure!(
            started.elapsed() < BACKFILL_START,
            "the server's workers did not start the backfill within {BACKFILL_START:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let marked = mark_in_turn(&server, caller, picks, options, &writing).await;
    let finished = watch.await?;
    let seconds = started.elapsed().as_secs_f64();
    let written = stored(&state.store, &tenants).await?;
    server.stop();
    sim.shutdown().await;
    for tenant in paused {
        SyncWorker::request(&state.store, tenant).await?;
    }
    let (served, loopback, during) = marked?;
    finished?;
    Ok(Backfill {
        server: Stats::of(served),
        loopback: Stats::of(loopback),
        during,
        rows_written: written,
        seconds,
    })
}

/// Stops the sync of every client there is (their simulators are gone: the lanes would spend
/// the backfill retrying them) and answers them, to be asked for again afterwards.
async fn pause_syncs(store: &DynStore) -> anyhow::Result<Vec<TenantId>> {
    let tenants = store.tenant_directory().await?;
    for &tenant in &tenants {
        SyncWorker::stop(store, tenant).await?;
    }
    Ok(tenants)
}

/// The server's sync lanes during the backfill (`sync_workers`' default).
const SYNC_LANES: u32 = 2;
/// How long the server's workers may take to store a first row.
const BACKFILL_START: Duration = Duration::from_secs(60);
/// How long a backfill may take.
const BACKFILL_LIMIT: Duration = Duration::from_secs(3600);

/// Clears `writing` once every stream of every tenant has finished its first pass.
async fn watch_backfill(
    store: DynStore,
    tenants: Vec<TenantId>,
    writing: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let mut done = true;
        for &tenant in &tenants {
            done &= crate::sync::status::tenant_status(&store, tenant)
                .await?
                .backfilled();
        }
        if done {
            writing.store(false, Ordering::SeqCst);
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < BACKFILL_LIMIT,
            "the backfill did not finish within {BACKFILL_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Rows stored for `tenants`, every table.
async fn stored(store: &DynStore, tenants: &[TenantId]) -> anyhow::Result<u64> {
    let mut rows = 0;
    for &tenant in tenants {
        let counts = store.stored_counts(tenant).await?;
        rows += counts.iter().map(|(_, n)| n.unsigned_abs()).sum::<u64>();
    }
    Ok(rows)
}

/// Done, undone, done, …: (server times, loopback times, how many went while the backfill wrote).
async fn mark_in_turn(
    server: &Server,
    caller: &Caller,
    picks: &Picks,
    options: &Options,
    writing: &AtomicBool,
) -> anyhow::Result<(Vec<f64>, Vec<f64>, usize)> {
    let client = super::timing::client()?;
    let (tenant, thread) = &picks.thread;
    let url = format!(
        "{}/api/v1/tenants/{tenant}/threads/{thread}/triage",
        server.base
    );
    let (mut served, mut loopback, mut during) = (Vec::new(), Vec::new(), 0);
    for i in 0..options.requests {
        let action = if i % 2 == 0 { "done" } else { "undone" };
        let was_writing = writing.load(Ordering::SeqCst);
        let started = Instant::now();
        let response = client
            .post(&url)
            .bearer_auth(caller.token.expose_secret())
            .json(&serde_json::json!({ "action": action }))
            .send()
            .await?;
        let status = response.status();
        let server_ms = server_time(response.headers());
        response.bytes().await?;
        anyhow::ensure!(
            status == reqwest::StatusCode::OK,
            "triage answered {status}"
        );
        loopback.push(started.elapsed().as_secs_f64() * 1000.0);
        served.push(server_ms.context("no Server-Timing header")?);
        during += usize::from(was_writing && writing.load(Ordering::SeqCst));
    }
    Ok((served, loopback, during))
}

/// A new client per workspace, owned by the backfill's own person and linked to it.
async fn link_workspaces(
    state: &AppState,
    sim: &instantly_sim::RunningSim,
) -> anyhow::Result<Vec<TenantId>> {
    let owner =
        super::super::admin::find_or_create_user(&state.store, BACKFILL_EMAIL, "Backfill").await?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let mut tenants = Vec::new();
    for workspace in sim.workspaces() {
        let profile = TenantProfile {
            name: format!("backfill {stamp} {}", workspace.name),
            ..Default::default()
        };
        let tenant = state.store.create_tenant(Some(owner), &profile).await?.id;
        let request = LinkRequest {
            api_key: SecretString::from(workspace.api_key),
            base_url: &sim.base_url(),
            allow_shared_workspace: true,
        };
        let linker = Linker::Operator {
            tenant,
            actor: Some(owner),
        };
        instantly::link(&Services::of(state), linker, request)
            .await
            .map_err(|error| anyhow::anyhow!("cannot link {}: {error}", workspace.name))?;
        tenants.push(tenant);
    }
    Ok(tenants)
}
