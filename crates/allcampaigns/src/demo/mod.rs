//! `allcampaigns demo`: the product next to an embedded Instantly simulator with three client
//! workspaces of realistic data, a demo owner signed in by a printed link, and sync already
//! running. It opens on the inbox, and replies keep arriving while it runs (`replies`). Its
//! data lives in a temporary folder, deleted on exit, unless `--data-dir` is given.

mod replies;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use instantly_sim::{RunningSim, Scale, SimConfig, Simulator};
use secrecy::SecretString;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::app::{App, AppState};
use crate::config::{self, Config, Sources};
use crate::domain::{Email, TenantId, UserId};
use crate::services::Services;
use crate::store::{DynStore, TenantProfile};
use crate::tenants::instantly::{self, LinkRequest, Linker};
use replies::{Linked, Replies};

pub use replies::{ArrivedReply, REPLY_EVERY};

/// The demo owner's address.
pub const OWNER_EMAIL: &str = "demo@example.com";
/// The same seed every time, so a kept `--data-dir` meets the same workspaces again.
const SEED: u64 = 2026;
const WORKSPACES: usize = 3;
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Address to serve on [default: 127.0.0.1:8080]; port 0 picks a free one.
    pub listen: Option<String>,
    /// Keep the data here instead of in a temporary folder.
    pub data_dir: Option<PathBuf>,
    /// The shortest wait between two new replies [default: [`REPLY_EVERY`]] (tests shorten it).
    pub reply_every: Option<Duration>,
}

/// The simulator, the data folder and the configuration, before the app starts.
pub struct Prepared {
    sim: RunningSim,
    temp: Option<TempDir>,
    data_dir: PathBuf,
    config: Config,
    reply_every: Duration,
}

impl Prepared {
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// A running demo; [`Demo::stop`] ends it and deletes its temporary data.
pub struct Demo {
    pub addr: SocketAddr,
    /// The app's public address (with the real port).
    pub url: Url,
    /// One-time sign-in link of the demo owner, valid 15 minutes.
    pub sign_in_link: Url,
    pub data_dir: PathBuf,
    /// The data folder is deleted when the demo stops.
    pub temporary: bool,
    /// The client workspaces, by id and name.
    pub tenants: Vec<(TenantId, String)>,
    pub instantly_url: String,
    sim: Arc<RunningSim>,
    replies: Replies,
    temp: Option<TempDir>,
    stop: oneshot::Sender<()>,
    server: JoinHandle<anyhow::Result<()>>,
}

/// Starts the simulator and picks the data folder and configuration.
pub async fn prepare(options: DemoOptions) -> anyhow::Result<Prepared> {
    let sim = Simulator::start(SimConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        seed: SEED,
        scale: Scale::Small,
        workspaces: WORKSPACES,
        // Unpaced, so the demo fills in seconds; the app's pacing is turned off to match.
        rate_limits: false,
    })
    .await
    .context("cannot start the Instantly simulator")?;
    let (temp, data_dir) = match options.data_dir {
        Some(dir) => (None, dir),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("allcampaigns-demo-")
                .tempdir()
                .context("cannot create a temporary data folder")?;
            let dir = temp.path().to_path_buf();
            (Some(temp), dir)
        }
    };
    let listen = options.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    let config = demo_config(listen, &data_dir, &sim.base_url())?;
    Ok(Prepared {
        sim,
        temp,
        data_dir,
        config,
        reply_every: options.reply_every.unwrap_or(REPLY_EVERY),
    })
}

/// The demo's own settings: nothing is read from the environment but the log filter, so a
/// `DATABASE_URL` meant for a real install is never touched.
fn demo_config(
    listen: &str,
    data_dir: &std::path::Path,
    instantly: &str,
) -> anyhow::Result<Config> {
    let mut sources = Sources::default();
    let log = std::env::var("ALLCAMPAIGNS_LOG").unwrap_or_else(|_| "warn".into());
    for (key, value) in [
        ("ALLCAMPAIGNS_INSTANTLY_URL", instantly),
        ("ALLCAMPAIGNS_INSTANTLY_RATE_LIMITS", "off"),
        ("ALLCAMPAIGNS_SYNC_WORKERS", "3"),
        ("ALLCAMPAIGNS_LOG", &log),
    ] {
        sources.env.insert(key.into(), value.into());
    }
    if let Some(url) = local_public_url(listen) {
        sources.env.insert("ALLCAMPAIGNS_PUBLIC_URL".into(), url);
    }
    sources.flags = vec![
        ("listen", listen.to_owned()),
        ("data_dir", data_dir.display().to_string()),
    ];
    Ok(config::load(&sources)?)
}

/// Served on every interface (0.0.0.0), the printed link still needs a host a browser can open.
fn local_public_url(listen: &str) -> Option<String> {
    let addr: SocketAddr = listen.parse().ok()?;
    addr.ip()
        .is_unspecified()
        .then(|| format!("http://localhost:{}", addr.port()))
}

/// Prepares and launches in one go.
pub async fn start(options: DemoOptions) -> anyhow::Result<Demo> {
    launch(prepare(options).await?).await
}

/// Builds the app, creates the owner and the three connected clients, issues the sign-in link
/// (to the inbox) and serves in the background. Sync starts on its own: connecting schedules
/// it. New replies start arriving after the first wait.
pub async fn launch(prepared: Prepared) -> anyhow::Result<Demo> {
    let Prepared {
        sim,
        temp,
        data_dir,
        config,
        reply_every,
    } = prepared;
    let app = App::build(config).await?;
    let state = app.state().clone();
    let email = Email::parse(OWNER_EMAIL)?;
    let owner = find_or_create_owner(&state.store, &email).await?;
    let tenants = connect_workspaces(&state, owner, &sim).await?;
    let url = state.config.public_url.clone();
    let sign_in_link =
        crate::auth::links::issue_link(&state.store, &url, &email, Some("/inbox")).await?;
    let addr = app.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async move {
        let _ = stopped.await;
    }));
    let sim = Arc::new(sim);
    let linked = linked(&tenants, &sim);
    let replies = Replies::start(sim.clone(), state.store.clone(), linked, reply_every);
    Ok(Demo {
        addr,
        url,
        sign_in_link,
        data_dir,
        temporary: temp.is_some(),
        tenants,
        instantly_url: sim.base_url(),
        sim,
        replies,
        temp,
        stop,
        server,
    })
}

/// The demo owner is an install admin, so the demo can create clients too.
pub(crate) async fn find_or_create_owner(
    store: &DynStore,
    email: &Email,
) -> anyhow::Result<UserId> {
    let owner = match store.user_by_email(email).await? {
        Some(user) => user.id,
        None => store.create_user(email, "Demo owner").await?.id,
    };
    store.grant_install_admin(owner, None).await?;
    Ok(owner)
}

/// One client per simulator workspace, named after it and connected with its key. A kept data
/// folder already has them: they are found by name and connected again (the port changed).
pub(crate) async fn connect_workspaces(
    state: &AppState,
    owner: UserId,
    sim: &RunningSim,
) -> anyhow::Result<Vec<(TenantId, String)>> {
    let existing = state.store.tenants_of_user(owner).await?;
    let base_url = sim.base_url();
    let mut tenants = Vec::new();
    for workspace in sim.workspaces() {
        let found = existing.iter().find(|(t, _)| t.name == workspace.name);
        let tenant = match found {
            Some((tenant, _)) => tenant.id,
            None => {
                let profile = TenantProfile {
                    name: workspace.name.clone(),
                    ..Default::default()
                };
                state.store.create_tenant(Some(owner), &profile).await?.id
            }
        };
        let request = LinkRequest {
            api_key: SecretString::from(workspace.api_key),
            base_url: &base_url,
            allow_shared_workspace: false,
        };
        let linker = Linker::Operator {
            tenant,
            actor: Some(owner),
        };
        instantly::link(&Services::of(state), linker, request)
            .await
            .map_err(|error| anyhow::anyhow!("cannot connect {}: {error}", workspace.name))?;
        tenants.push((tenant, workspace.name));
    }
    Ok(tenants)
}

/// Each client with its simulator workspace (clients are named after their workspaces).
fn linked(tenants: &[(TenantId, String)], sim: &RunningSim) -> Vec<Linked> {
    let workspaces = sim.workspaces();
    tenants
        .iter()
        .filter_map(|(tenant, name)| {
            let workspace = workspaces.iter().find(|w| w.name == *name)?;
            Some(Linked {
                tenant: *tenant,
                workspace_id: workspace.id.clone(),
            })
        })
        .collect()
}

impl Demo {
    /// The inbox, where the demo opens.
    pub fn inbox_url(&self) -> Url {
        self.url.join("/inbox").unwrap_or_else(|_| self.url.clone())
    }

    /// The replies the simulator received since the demo started, oldest first.
    pub fn arrived_replies(&self) -> Vec<ArrivedReply> {
        self.replies.arrived()
    }

    /// What `allcampaigns demo` prints.
    pub fn banner(&self) -> String {
        let names: Vec<&str> = self.tenants.iter().map(|(_, n)| n.as_str()).collect();
        let data = if self.temporary {
            format!(
                "Data lives in {} and is deleted on exit.",
                self.data_dir.display()
            )
        } else {
            format!("Data is kept in {}.", self.data_dir.display())
        };
        format!(
            "All Campaigns demo is running at {url}\n\
             Instantly simulator at {sim} with {count} client workspaces ({names}); sync is \
             running, and new replies keep arriving.\n\
             Sign in as {OWNER_EMAIL} with this one-time link (valid 15 minutes):\n\
             {link}\n\
             {data}\n\
             Stop with Ctrl-C.",
            url = self.inbox_url(),
            sim = self.instantly_url,
            count = self.tenants.len(),
            names = names.join(", "),
            link = self.sign_in_link,
        )
    }

    /// Stops the new replies, serving and syncing, then the simulator, then deletes the
    /// temporary data.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.replies.stop().await;
        let _ = self.stop.send(());
        let served = self.server.await.context("the server task failed");
        // The reply task, the only other holder, has ended; dropping would stop it too.
        if let Ok(sim) = Arc::try_unwrap(self.sim) {
            sim.shutdown().await;
        }
        if let Some(temp) = self.temp {
            temp.close()
                .context("cannot delete the temporary data folder")?;
        }
        served?
    }
}

/// `allcampaigns demo`: starts, prints the banner and runs until Ctrl-C or SIGTERM.
pub async fn run(options: DemoOptions) -> anyhow::Result<()> {
    let prepared = prepare(options).await?;
    crate::observability::init_logging(prepared.config());
    let demo = launch(prepared).await?;
    println!("{}", demo.banner());
    crate::app::shutdown_signal().await;
    println!("Stopping the demo…");
    demo.stop().await
}
