//! The running application: state shared by handlers, `App::build` and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::auth::RateLimiter;
use crate::config::Config;
use crate::crypto::Keyring;
use crate::egress::Egress;
use crate::egress::image::ImageProxy;
use crate::egress::signing::ImageUrlSigner;
use crate::inbox::wake::SnoozeWakeHandler;
use crate::jobs::ping::PingHandler;
use crate::jobs::runner::Runner;
use crate::leads::replies::send::ReplySender;
use crate::leads::write_back::{InterestSender, ReadMarker, Writer};
use crate::live::Live;
use crate::mail::Mailer;
use crate::notifications::mail::MentionMailer;
use crate::notifications::reminders::Reminders;
use crate::observability::{Metrics, RequestLogger, run_request_log_writer};
use crate::store::{self, DynStore};
use crate::sync::SyncWorker;
use crate::{http, keys};

/// Everything a handler may need, passed in (no globals).
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: DynStore,
    pub keyring: Arc<Keyring>,
    pub metrics: Metrics,
    pub request_log: RequestLogger,
    pub mailer: Mailer,
    pub sign_in_limits: Arc<SignInLimits>,
    /// Instantly key checks per tenant: each save is a call to Instantly, so the server is no
    /// key-testing oracle (security review finding 23).
    pub key_checks: Arc<RateLimiter>,
    /// Failed bearer tokens per client address (security review finding 15).
    pub failed_bearers: Arc<RateLimiter>,
    pub invite_limits: Arc<InviteLimits>,
    /// Changes told to open pages, on every node.
    pub live: Live,
    /// Email images, fetched through the SSRF-guarded egress client.
    pub image_proxy: Arc<ImageProxy>,
}

/// Key saves allowed per tenant in `KEY_CHECK_WINDOW`.
pub const KEY_CHECKS_PER_WINDOW: usize = 10;
pub const KEY_CHECK_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// How often sign-in links may be asked for (RELIABILITY ML-07).
pub struct SignInLimits {
    pub per_email: RateLimiter,
    pub per_ip: RateLimiter,
}

/// Failed bearer tokens allowed per client address in 15 minutes before 429s.
pub fn failed_bearer_limit() -> RateLimiter {
    RateLimiter::new(20, std::time::Duration::from_secs(15 * 60))
}

impl Default for SignInLimits {
    fn default() -> Self {
        let window = std::time::Duration::from_secs(15 * 60);
        Self {
            per_email: RateLimiter::new(5, window),
            per_ip: RateLimiter::new(30, window),
        }
    }
}

/// How long shutdown waits for background work (the request log's last flush) after the
/// connections have drained; with the drain limit this keeps a stop under 10 s.
const BACKGROUND_LIMIT: Duration = Duration::from_secs(3);
/// How many invitations may be sent (security review finding 2): per inviting person, per
/// tenant, and per invited address across every tenant.
pub struct InviteLimits {
    pub per_actor: RateLimiter,
    pub per_tenant: RateLimiter,
    pub per_address: RateLimiter,
}

impl Default for InviteLimits {
    fn default() -> Self {
        let hour = std::time::Duration::from_secs(60 * 60);
        Self {
            per_actor: RateLimiter::new(20, hour),
            per_tenant: RateLimiter::new(50, hour),
            per_address: RateLimiter::new(5, 24 * hour),
        }
    }
}

pub struct App {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    state: AppState,
    /// Stops accepting connections and the job lanes: the moment shutdown begins.
    stop: CancellationToken,
    /// Stops the remaining background tasks, once no request can log anything any more.
    cancel: CancellationToken,
    background: JoinSet<()>,
}

impl App {
    /// Opens (and migrates) the store, checks the master keys, binds the listener and starts
    /// the background tasks. With `listen` on port 0 the OS picks a free port.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let mailer = Mailer::from_config(&config)?;
        Self::build_with_mailer(config, mailer).await
    }

    pub async fn build_with_mailer(config: Config, mailer: Mailer) -> anyhow::Result<Self> {
        let store = store::open(&config, true).await?;
        let keyring = Arc::new(keys::load_keyring(&config, &store).await?);
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let metrics_listener = match config.metrics_listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .with_context(|| format!("cannot listen on {address} (metrics_listen)"))?,
            ),
            None => None,
        };
        let mut config = config;
        if config.public_url.port() == Some(0) {
            // Port 0 asked the OS for a port; links must carry the real one.
            let port = listener.local_addr()?.port();
            config
                .public_url
                .set_port(Some(port))
                .expect("http URLs have ports");
        }
        let metrics = Metrics::with_keyring(keyring.clone());
        let (request_log, receiver) = RequestLogger::new(metrics.clone());
        let stop = CancellationToken::new();
        let cancel = CancellationToken::new();
        let mut background = JoinSet::new();
        background.spawn(run_request_log_writer(
            store.clone(),
            receiver,
            config.request_log_retention_days,
            cancel.clone(),
        ));
        background.spawn(reencrypt_stragglers(store.clone(), keyring.clone()));
        background.spawn(crate::auth::prune::run_pruner(
            store.clone(),
            crate::auth::prune::Retention::of(&config),
            cancel.clone(),
        ));
        let live = Live::new(store.clone(), stop.clone());
        background.spawn(live.clone().relay(cancel.clone()));
        if config.sync_workers > 0 {
            let runner = job_runner(&config, &store, &keyring, &mailer, &live);
            background.spawn(runner.run(config.sync_workers as usize, stop.clone()));
        }
        let image_proxy = Arc::new(ImageProxy::new(ImageUrlSigner::from_keyring(&keyring)));
        let state = AppState {
            config: Arc::new(config),
            store,
            keyring,
            metrics,
            request_log,
            mailer,
            sign_in_limits: Arc::new(SignInLimits::default()),
            key_checks: Arc::new(RateLimiter::new(KEY_CHECKS_PER_WINDOW, KEY_CHECK_WINDOW)),
            failed_bearers: Arc::new(failed_bearer_limit()),
            invite_limits: Arc::new(InviteLimits::default()),
            live,
            image_proxy,
        };
        Ok(Self {
            listener,
            metrics_listener,
            state,
            stop,
            cancel,
            background,
        })
    }

    /// Replaces the failed-bearer limit (the API fuzzer's auth checks need more than 20).
    pub fn set_failed_bearer_limit(&mut self, limit: RateLimiter) {
        self.state.failed_bearers = Arc::new(limit);
    }

    /// Replaces the sign-in rate limits (tests use tighter or looser ones).
    pub fn set_sign_in_limits(&mut self, limits: SignInLimits) {
        self.state.sign_in_limits = Arc::new(limits);
    }

    /// Replaces the invitation rate limits (tests use tighter ones).
    pub fn set_invite_limits(&mut self, limits: InviteLimits) {
        self.state.invite_limits = Arc::new(limits);
    }

    /// Replaces the image proxy's egress client. Only tests call this: to resolve names their
    /// way and to allow their own server's exact loopback address, which production never
    /// allows.
    pub fn set_image_egress(&mut self, egress: Egress) {
        let urls = ImageUrlSigner::from_keyring(&self.state.keyring);
        self.state.image_proxy = Arc::new(ImageProxy { egress, urls });
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The separate metrics listener's address, when `metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (within the
    /// drain limit) and flushes the background tasks.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            metrics_listener,
            state,
            stop,
            cancel,
            mut background,
        } = self;
        let limits = http::server::ConnectionLimits::of(&state.config);
        let metrics = metrics_listener.map(|listener| {
            let router = http::metrics::router(state.clone());
            tokio::spawn(http::server::serve(listener, router, limits, stop.clone()))
        });
        let stop_on_signal = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            stop_on_signal.cancel();
        });
        http::server::serve(listener, http::router(state), limits, stop).await;
        if let Some(metrics) = metrics {
            metrics.await.context("the metrics listener failed")?;
        }
        cancel.cancel();
        let flushed = tokio::time::timeout(BACKGROUND_LIMIT, async {
            while background.join_next().await.is_some() {}
        });
        if flushed.await.is_err() {
            tracing::warn!("background work still running at shutdown was stopped");
        }
        Ok(())
    }
}

/// The job runner of `serve` and `allcampaigns worker`, with a handler for every kind.
pub fn job_runner(
    config: &Config,
    store: &DynStore,
    keyring: &Arc<Keyring>,
    mailer: &Mailer,
    live: &Live,
) -> Runner {
    let sync = SyncWorker::from_config(config, store.clone(), keyring.clone(), mailer.clone())
        .with_live(live.clone());
    let wake = SnoozeWakeHandler::new(store.clone(), live.clone());
    // The reply sender holds a clone of the sync worker: its calls share each workspace's
    // rate budget with sync's.
    let replies = ReplySender::new(store.clone(), sync.clone());
    let writer = Writer::new(store.clone(), sync.clone());
    let mentions = MentionMailer::new(store.clone(), mailer.clone(), config.public_url.clone());
    Runner::new(store.clone())
        .with_lease(config.job_lease)
        .with_poll(config.job_poll)
        .with_handler(Arc::new(sync))
        .with_handler(Arc::new(PingHandler))
        .with_handler(Arc::new(wake))
        .with_handler(Arc::new(replies))
        .with_handler(Arc::new(InterestSender(writer.clone())))
        .with_handler(Arc::new(ReadMarker(writer)))
        .with_handler(Arc::new(Reminders::new(store.clone())))
        .with_handler(Arc::new(mentions))
}

/// Secrets still sealed with an older key (after `keys rotate` while serving, say) are moved
/// to the primary key in the background.
async fn reencrypt_stragglers(store: DynStore, keyring: Arc<Keyring>) {
    match keys::reencrypt_all(&store, &keyring).await {
        Ok(report) if report.moved > 0 || report.failed > 0 => {
            tracing::info!(
                moved = report.moved,
                failed = report.failed,
                "re-encrypted secrets under the primary key"
            );
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(error = format!("{error:#}"), "re-encryption pass failed"),
    }
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed by the call itself, so a signal
/// that arrives before the future is first polled still stops the process gracefully.
#[cfg(unix)]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut interrupt), Ok(mut terminate)) => tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            },
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
