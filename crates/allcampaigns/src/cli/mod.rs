//! The command line. Every setting is also an environment variable; `--help` lists them all.
//! This file holds the flags; `run.rs` dispatches to one file per subcommand.

mod admin;
pub mod bench_inbox;
pub mod bench_leads;
pub mod dataset;
mod demo;
mod jobs;
mod keys;
pub mod run;
mod serve;
mod sync;
mod tenant;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "allcampaigns",
    version,
    about = "A control center for cold-email agencies on Instantly"
)]
#[command(after_help = crate::config::help_text())]
pub struct Cli {
    /// TOML configuration file (also ALLCAMPAIGNS_CONFIG)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to serve on (also ALLCAMPAIGNS_LISTEN)
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Folder for the SQLite database and key file (also ALLCAMPAIGNS_DATA_DIR)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and run background work (the default)
    Serve,
    /// Apply database migrations (on PostgreSQL: as the owner, and grant the app role)
    Migrate,
    /// Run background work only, without the web server
    Worker,
    /// Administrative tasks
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Master encryption keys
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Tenants (client workspaces)
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Sync a tenant's Instantly workspace by hand (`--once`: one full cycle), or show its
    /// sync status (`sync status`)
    Sync(SyncArgs),
    /// The general job queue (`jobs ping`: see that workers run)
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Try the product: an embedded Instantly simulator with three client workspaces, a demo
    /// owner signed in by a printed link, sync running; --listen sets the address [default:
    /// 127.0.0.1:8080], --data-dir keeps the data (else a temporary folder, deleted on exit)
    Demo,
    /// Benchmark tools (`bench dataset agency-s|agency-l`: build a data set into the configured
    /// database through the embedded simulator and sync)
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Run the local Instantly API v2 simulator (for tests, benchmarks and demos); --listen
    /// sets its address [default: 127.0.0.1:7070]
    InstantlySim(instantly_sim::cli::SimOptions),
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub action: Option<SyncAction>,
    #[arg(long, value_name = "TENANT_ID")]
    pub tenant: Option<String>,
    /// Run one full cycle and exit (non-zero if a stream failed)
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Subcommand)]
pub enum SyncAction {
    /// Per stream: stored count, last success, last error and cursor
    Status {
        #[arg(long, value_name = "TENANT_ID")]
        tenant: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Build a benchmark data set (PERFORMANCE.md) into the configured database
    Dataset {
        #[arg(value_enum)]
        name: dataset::Dataset,
        /// Clients synced at once
        #[arg(long, default_value_t = 2)]
        parallel: usize,
    },
    /// Time the inbox on a data set in the configured database: latency of each scenario
    /// beside its statements alone, throughput with wrk, triage during a backfill
    Inbox(bench_inbox::Options),
    /// Time lead work on a data set in the configured database: a lead's page and timeline
    /// with 500 events, the leads list, speed-to-reply, each beside its store reads alone
    Leads(bench_leads::Options),
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Enqueue pings, jobs that do nothing, for the workers of every node; with --wait, report
    /// how long each took to start and to finish
    Ping(PingArgs),
}

#[derive(Debug, clap::Args)]
pub struct PingArgs {
    /// Ping this tenant only [default: every tenant in turn]
    #[arg(long, value_name = "TENANT_ID")]
    pub tenant: Option<String>,
    /// How many pings to enqueue
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub count: u32,
    /// How long each ping holds its worker, in milliseconds (less than the job lease)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub hold_ms: u64,
    /// Wait until every ping is done; exit code 1 if one is not done in time
    #[arg(long)]
    pub wait: bool,
    /// With --wait: how many seconds to wait at most
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout_secs: u64,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user (or find an existing one) and print a one-time sign-in link
    CreateUser {
        email: String,
        /// Display name
        #[arg(long, default_value = "")]
        name: String,
        /// Also let them create clients and grant that to others (an install admin)
        #[arg(long)]
        install_admin: bool,
    },
    /// Print a new personal access token of an existing user, for scripts and operations
    Token {
        email: String,
        /// Token name, as the profile page lists it
        #[arg(long, default_value = "command line")]
        name: String,
        /// Days until the token expires (1 to 365)
        #[arg(long, default_value_t = crate::auth::tokens::DEFAULT_DAYS,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::auth::tokens::MAX_DAYS)))]
        days: u32,
        /// Allow GET and HEAD requests only
        #[arg(long)]
        read_only: bool,
        /// Limit the token to this tenant (the user must be a member)
        #[arg(long, value_name = "TENANT_ID")]
        tenant: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Print a new master key (for ALLCAMPAIGNS_MASTER_KEY or a key file)
    Generate {
        /// Key id of the new key
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        id: u32,
    },
    /// Add a new primary key to the key file and re-encrypt every secret with it
    Rotate,
    /// Remove an old key from the key file (refused while a secret still uses it)
    Retire { key_id: u32 },
    /// Show each key: how many secrets it seals now and how many times it has sealed, against
    /// the point where it should be rotated
    Status,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant and print its id
    Create {
        #[arg(long)]
        name: String,
        /// Make this person (created if new) its owner
        #[arg(long, value_name = "EMAIL")]
        owner: Option<String>,
    },
    /// Connect a tenant to its Instantly workspace (the key is checked, then stored encrypted)
    Connect {
        tenant_id: String,
        /// The API key. Better left out: it is then read from INSTANTLY_API_KEY or,
        /// failing that (or with `-`), from standard input, out of `ps` and shell history
        #[arg(long, value_name = "KEY")]
        instantly_key: Option<String>,
        /// Instantly's address, e.g. a simulator's [default: ALLCAMPAIGNS_INSTANTLY_URL]
        #[arg(long, value_name = "URL")]
        instantly_url: Option<String>,
        /// Connect even when another tenant already has this Instantly workspace
        #[arg(long)]
        allow_shared_workspace: bool,
    },
}

impl Cli {
    /// Flags that override configuration, by setting key.
    pub fn setting_flags(&self) -> Vec<(&'static str, String)> {
        let mut flags = Vec::new();
        if let Some(listen) = &self.listen {
            flags.push(("listen", listen.clone()));
        }
        if let Some(dir) = &self.data_dir {
            flags.push(("data_dir", dir.display().to_string()));
        }
        flags
    }
}
