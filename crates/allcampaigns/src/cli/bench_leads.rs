//! `allcampaigns bench leads`: lead work's pages on a data set already in the configured
//! database (`bench dataset agency-l`), as issue 13 asks: a lead with 500 timeline events (its
//! page and its timeline), the first leads-list page across clients with two filters, and the
//! speed-to-reply report. Served by the product as its own child process and timed as the inbox
//! benchmark times it (`Server-Timing`), each beside the same store reads alone on one
//! connection: everything but HTTP, sign-in, the rules and JSON.

mod seed;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::bench_inbox::report::Row;
use super::bench_inbox::server::{Reads, Server};
use super::bench_inbox::timing::{self, Plan};
use super::bench_inbox::{Caller, sign_in};
use crate::app::App;
use crate::config::{Config, DatabaseConfig};
use crate::domain::TenantId;
use crate::leads::list::{OwnerFilter, TenantFilter};
use crate::mail::Mailer;
use crate::store::DynStore;
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;

/// Events a page of the timeline shows.
const TIMELINE_PAGE: u32 = 50;

#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Timed requests per scenario (and runs of its reads alone)
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub requests: u32,
    /// Seconds each side of a scenario may take before it stops short of --requests
    #[arg(long, default_value_t = 120)]
    pub budget_secs: u64,
    /// Events on the measured lead's timeline (notes are added until it has them)
    #[arg(long, default_value_t = 500)]
    pub events: u32,
    /// The person whose clients are measured
    #[arg(long, default_value = super::dataset::OWNER_EMAIL)]
    pub email: String,
    /// The last day (UTC) of the speed-to-reply periods [default: today]: a data set's replies
    /// end when its simulator's clock did
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<chrono::NaiveDate>,
    /// The product binary to serve with [default: this one]
    #[arg(long, value_name = "FILE")]
    pub server_binary: Option<PathBuf>,
}

/// What the scenarios read: the lead, and the end of the speed reports' periods.
pub(crate) struct Picks {
    pub tenant: TenantId,
    pub lead: String,
    pub messages: usize,
    pub notes: usize,
    pub to: DateTime<Utc>,
}

impl Picks {
    /// The start of a speed report's period of `days`.
    fn since(&self, days: i64) -> DateTime<Utc> {
        self.to - chrono::Duration::days(days)
    }
}

/// Runs every scenario and prints the report's table; answers its rows (the smoke test reads
/// them).
pub async fn run(mut config: Config, options: Options) -> anyhow::Result<Vec<Row>> {
    config.sync_workers = 0;
    config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let app = App::build_with_mailer(config.clone(), Mailer::Log).await?;
    let state = app.state().clone();
    let caller = sign_in(&state, &options.email, "lead benchmark").await?;
    let alone = alone_store(&config).await?;
    let picks = seed::prepare(&alone, &caller, options.events, options.until).await?;
    let binary = match &options.server_binary {
        Some(path) => path.clone(),
        None => std::env::current_exe().context("cannot find this executable")?,
    };
    let server = Server::start(&binary, &config, Reads::EveryTime).await?;
    let client = timing::client()?;
    let budget = Duration::from_secs(options.budget_secs);
    let backend = if config.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "Lead work on {backend} ({} clients, {} timed requests per scenario after 20 warm-up); \
         lead with {} events ({} messages, {} notes)",
        caller.tenants.len(),
        options.requests,
        picks.messages + picks.notes,
        picks.messages,
        picks.notes
    );
    println!(
        "| | server p50 | server p95 | loopback p95 | reads alone p50 | reads alone p95 | goal p95 |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut rows = Vec::new();
    for Scenario {
        work,
        name,
        goal_ms,
        path,
    } in scenarios(&picks)
    {
        let url: reqwest::Url = format!("{}{path}", server.base).parse()?;
        let plan = Plan {
            name: &name,
            goal_ms,
            requests: options.requests,
            budget,
        };
        let reads = || alone_reads(&alone, &caller, &picks, work);
        let row = timing::timed(&client, &caller, &url, reads, &plan).await?;
        println!("{}", row.line());
        rows.push(row);
    }
    server.stop();
    Ok(rows)
}

/// What a scenario's request reads.
#[derive(Debug, Clone, Copy)]
enum Work {
    LeadPage,
    Timeline,
    LeadsList,
    /// The report of this many days up to the periods' end.
    Speed(i64),
}

struct Scenario {
    work: Work,
    name: String,
    /// The goal's p95 in milliseconds (issue 13).
    goal_ms: f64,
    path: String,
}

fn scenarios(p: &Picks) -> Vec<Scenario> {
    let lead = format!("/api/v1/tenants/{}/leads/{}", p.tenant, p.lead);
    let period = |days| {
        let period = format!(
            "from={}&to={}",
            p.since(days).to_rfc3339(),
            p.to.to_rfc3339()
        );
        period.replace('+', "%2B")
    };
    let scenario = |work, name: &str, goal_ms, path: String| Scenario {
        work,
        name: name.to_owned(),
        goal_ms,
        path,
    };
    let timeline = format!("lead timeline, first {TIMELINE_PAGE} events");
    vec![
        scenario(
            Work::LeadPage,
            "lead page: state, records, threads",
            20.0,
            lead.clone(),
        ),
        scenario(
            Work::Timeline,
            &timeline,
            20.0,
            format!("{lead}/timeline?limit={TIMELINE_PAGE}"),
        ),
        scenario(
            Work::LeadsList,
            "leads list, first page, replied=true & owner=none",
            20.0,
            "/api/v1/leads?replied=true&owner=none&limit=50".into(),
        ),
        scenario(
            Work::Speed(30),
            "speed-to-reply report, all clients, 30 days (the page's default)",
            30.0,
            format!("/api/v1/speed-to-reply?{}", period(30)),
        ),
        scenario(
            Work::Speed(365),
            "speed-to-reply report, all clients, 365 days",
            30.0,
            format!("/api/v1/speed-to-reply?{}", period(365)),
        ),
    ]
}

/// The store, on a pool of one connection, as the app opens its pool.
async fn alone_store(config: &Config) -> anyhow::Result<DynStore> {
    Ok(match &config.database {
        DatabaseConfig::Sqlite { path } => Arc::new(SqliteStore::open(path, 1).await?),
        DatabaseConfig::Postgres { url, .. } => Arc::new(PgStore::connect(url, 1).await?),
    })
}

/// The store reads a scenario's request makes, in its order; answers the rows read.
async fn alone_reads(
    store: &DynStore,
    caller: &Caller,
    p: &Picks,
    work: Work,
) -> anyhow::Result<usize> {
    let (tenant, lead) = (p.tenant, p.lead.as_str());
    let read = TIMELINE_PAGE + 1;
    Ok(match work {
        Work::LeadPage => {
            let state = store.lead_state(tenant, lead).await?;
            let (records, threads) = store.lead_records(tenant, lead).await?;
            let replies = store.latest_replies(tenant, lead).await?;
            let stages = store.pipeline_stages(tenant).await?;
            let tags = store.lead_tags(tenant).await?;
            let settings = store.lead_settings(tenant).await?;
            let members = store.members(tenant).await?;
            std::hint::black_box((state, settings, stages, tags, members));
            records.len() + threads.len() + replies.len()
        }
        Work::Timeline => {
            let changes = store.lead_changes(tenant, lead, true, None, read).await?;
            let calls = store.lead_calls(tenant, lead, None, read).await?;
            let replies = store.lead_replies(tenant, lead, None, read).await?;
            let notes = store.lead_notes(tenant, lead, true, None, read).await?;
            let messages = store.lead_messages(tenant, lead, None, read).await?;
            let stages = store.pipeline_stages(tenant).await?;
            std::hint::black_box(stages);
            changes.len() + calls.len() + replies.len() + notes.len() + messages.len()
        }
        Work::LeadsList => {
            let filter = TenantFilter {
                campaign: None,
                stage: None,
                owner: OwnerFilter::Nobody,
                tag: None,
                replied: Some(true),
                text: None,
            };
            let mut rows = 0;
            for &tenant in &caller.tenants {
                let stages = store.pipeline_stages(tenant).await?;
                let found = store.listed_leads(tenant, &filter, None, 51).await?;
                let settings = store.lead_settings(tenant).await?;
                std::hint::black_box((stages, settings));
                rows += found.len();
            }
            rows
        }
        Work::Speed(days) => {
            let (first, end) = crate::leads::speed::days_of(p.since(days), p.to);
            let rows = store.speed_counts(&caller.tenants, first, end).await?;
            let members = store.members_of_tenants(&caller.tenants).await?;
            std::hint::black_box(members);
            rows.len()
        }
    })
}
