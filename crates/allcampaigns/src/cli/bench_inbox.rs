//! `allcampaigns bench inbox`: the unified inbox's latency, throughput and memory on a data set
//! already in the configured database (`bench dataset`), as PERFORMANCE.md asks. The product
//! serves as its own child process (so its resident memory is its own); this process signs in
//! as the data set's owner through the store, times each scenario over keep-alive (server time
//! from the `Server-Timing` header the request-observing middleware writes), and runs the same
//! statements alone on one database connection in the same run.

mod bare;
mod load;
mod picks;
pub(crate) mod report;
pub(crate) mod server;
pub(crate) mod timing;

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;
use secrecy::SecretString;

use crate::app::{App, AppState};
use crate::audit::AuditAction;
use crate::config::Config;
use crate::domain::{Email, TenantId, UserId};
use crate::mail::Mailer;
use server::{Reads, Server};

pub use report::{Backfill, Report, Row, Throughput};
pub use timing::Stats;

/// The knobs of a run; the defaults are the recorded benchmark.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Timed requests per scenario (and runs of its statements alone)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub requests: u32,
    /// Seconds each side of a scenario may take before it stops short of --requests
    #[arg(long, default_value_t = 120)]
    pub budget_secs: u64,
    /// Threads per list page
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    /// Seconds of `wrk` per throughput figure (0: skip them)
    #[arg(long, default_value_t = 20)]
    pub wrk_secs: u32,
    /// Connections `wrk` keeps open
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub connections: u32,
    /// SQLite: simulator workspaces synced into the database, at once, while a thread is marked
    /// done and undone (0: skip); they become clients of another person
    #[arg(long, default_value_t = 2)]
    pub backfill_workspaces: u32,
    /// How much those workspaces hold together
    #[arg(long, value_enum, default_value_t = BackfillSize::AgencyS)]
    pub backfill_size: BackfillSize,
    /// The person whose inbox is measured
    #[arg(long, default_value = super::dataset::OWNER_EMAIL)]
    pub email: String,
    /// A search term to time beside the three picked from the data (repeat for more)
    #[arg(long = "term", value_name = "WORD")]
    pub terms: Vec<String>,
    /// The product binary to serve with [default: this one]
    #[arg(long, value_name = "FILE")]
    pub server_binary: Option<PathBuf>,
}

/// The data a backfill brings in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackfillSize {
    /// About 50,000 leads and 300,000 messages
    AgencyS,
    /// About 1,000 leads (seconds; for the smoke test)
    Tiny,
}

/// The signed-in person and what their requests carry; never printed.
pub(crate) struct Caller {
    pub user: UserId,
    pub tenants: Vec<TenantId>,
    pub token: SecretString,
    pub session: SecretString,
}

/// Runs every scenario and prints the report; answers it too (the smoke test reads it).
pub async fn run(mut config: Config, options: Options) -> anyhow::Result<Report> {
    // This process serves nothing and syncs only its own backfill, against a local simulator.
    config.sync_workers = 0;
    config.instantly_rate_limits = false;
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let app = App::build_with_mailer(config.clone(), Mailer::Log).await?;
    let state = app.state().clone();
    let caller = sign_in(&state, &options.email, "inbox benchmark").await?;
    let bare = bare::Bare::open(&config, &caller.tenants).await?;
    let picks = picks::Picks::choose(&bare, &caller.tenants, &options.terms).await?;
    println!("{}", picks.describe());
    let binary = match &options.server_binary {
        Some(path) => path.clone(),
        None => std::env::current_exe().context("cannot find this executable")?,
    };
    let server = Server::start(&binary, &config, Reads::EveryTime).await?;
    let mut report = Report::new(&config, &caller, &options, &picks);
    let scenarios = timing::scenarios(&picks, options.limit);
    let client = timing::client()?;
    for scenario in &scenarios {
        let budget = std::time::Duration::from_secs(options.budget_secs);
        let row = timing::measure(
            &client,
            &server,
            &caller,
            &bare,
            scenario,
            options.requests,
            budget,
        )
        .await
        .with_context(|| format!("scenario `{}`", scenario.name))?;
        println!("{}", row.line());
        report.rows.push(row);
    }
    report.rss_after_latency = server.memory()?;
    if options.wrk_secs > 0 {
        report.throughput = load::throughput(&server, &caller, &options, Reads::EveryTime).await?;
    }
    report.rss_end = server.memory()?;
    server.stop();
    if options.wrk_secs > 0 {
        let kept = Server::start(&binary, &config, Reads::Kept).await?;
        let figures = load::throughput(&kept, &caller, &options, Reads::Kept).await?;
        report.throughput.extend(figures);
        kept.stop();
    }
    if options.backfill_workspaces > 0 && !config.is_postgres() {
        let backfill = load::triage_during_backfill(&state, &binary, &caller, &picks, &options);
        report.backfill = Some(backfill.await?);
    }
    println!("\n{}", report.render());
    Ok(report)
}

/// The owner's tenants, a one-day API token and a session, made through the store as the
/// command line and sign-in make them.
pub(crate) async fn sign_in(state: &AppState, email: &str, by: &str) -> anyhow::Result<Caller> {
    let address = Email::parse(email)?;
    let user = state
        .store
        .user_by_email(&address)
        .await?
        .with_context(|| format!("no user {address}: build a data set with `bench dataset`"))?;
    let mut tenants: Vec<TenantId> = state
        .store
        .tenants_of_user(user.id)
        .await?
        .into_iter()
        .map(|(tenant, _)| tenant.id)
        .collect();
    tenants.sort();
    anyhow::ensure!(!tenants.is_empty(), "{address} belongs to no client");
    let request = crate::auth::tokens::NewToken {
        name: by.into(),
        days: 1,
        read_only: false,
        tenant_scope: None,
    };
    let (_, token) = crate::auth::tokens::issue(&state.store, user.id, &request, Utc::now())
        .await
        .map_err(|error| anyhow::anyhow!("cannot make a token: {error}"))?;
    let details = serde_json::json!({"days": request.days, "read_only": false,
        "tenant": null, "by": by});
    crate::audit::record_user(&state.store, user.id, AuditAction::ApiTokenCreated, details).await;
    let session = crate::auth::session::start(state, &user, Utc::now()).await?;
    Ok(Caller {
        user: user.id,
        tenants,
        token: SecretString::from(token),
        session: SecretString::from(session),
    })
}
