//! The sync worker: the job handler that runs one cycle of a tenant's sync and says when the
//! next one is due. The job runner (`jobs::runner`) runs it inside `serve` and alone as
//! `allcampaigns worker`; tests drive it with `run_once`, the command line with `sync_tenant`.

use std::sync::Arc;

use anyhow::{Context, bail};
use async_trait::async_trait;
use chrono::Utc;
use instantly::{BudgetConfig, Client, ClientConfig, WorkspaceBudgets};

use super::{
    Ctx, CycleReport, StreamReport, SyncError, SyncOptions, UNIQUE_KEY, run_cycle, sync_job,
};
use crate::audit::AuditAction;
use crate::crypto::Keyring;
use crate::domain::{Role, TenantId};
use crate::jobs::runner::{self, Handler, Next};
use crate::jobs::{Job, JobKind};
use crate::live::Live;
use crate::mail::{Mail, Mailer};
use crate::store::{ConnectionCheck, ConnectionStatus, DynStore};
use crate::text::{Lang, Problem, SyncFault};

#[derive(Clone)]
pub struct SyncWorker {
    store: DynStore,
    keyring: Arc<Keyring>,
    budgets: WorkspaceBudgets,
    options: SyncOptions,
    mailer: Mailer,
    /// Announces new messages to open pages (`serve` and `worker`; not the command line).
    live: Option<Live>,
}

/// Callbacks for a caller that shows progress.
#[derive(Clone, Copy, Default)]
pub struct Hooks<'a> {
    pub on_commit: Option<&'a (dyn Fn(&crate::store::StreamState) + Sync)>,
    pub on_stream: Option<&'a (dyn Fn(&StreamReport) + Sync)>,
}

/// What became of one claimed tenant.
#[derive(Debug)]
pub struct Outcome {
    pub tenant: TenantId,
    /// A failure keeps its chain of causes; its `Display` is the plain words the job stores.
    pub result: anyhow::Result<CycleReport>,
}

impl SyncWorker {
    pub fn new(
        store: DynStore,
        keyring: Arc<Keyring>,
        budget: BudgetConfig,
        options: SyncOptions,
        mailer: Mailer,
    ) -> Self {
        Self {
            store,
            keyring,
            budgets: WorkspaceBudgets::new(budget),
            options,
            mailer,
            live: None,
        }
    }

    /// The worker the configuration asks for: Instantly's pacing unless turned off.
    pub fn from_config(
        config: &crate::config::Config,
        store: DynStore,
        keyring: Arc<Keyring>,
        mailer: Mailer,
    ) -> Self {
        let budget = if config.instantly_rate_limits {
            BudgetConfig::default()
        } else {
            BudgetConfig::unlimited()
        };
        Self::new(store, keyring, budget, SyncOptions::default(), mailer)
    }

    pub fn with_options(mut self, options: SyncOptions) -> Self {
        self.options = options;
        self
    }

    /// Announces each new message's thread to open pages once its page has committed.
    pub fn with_live(mut self, live: Live) -> Self {
        self.live = Some(live);
        self
    }

    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    /// Asks for a tenant's sync to run as soon as a worker is free ("sync now", a new key):
    /// queues its job, or brings the live one forward.
    pub async fn request(store: &DynStore, tenant: TenantId) -> crate::store::Result<()> {
        store
            .enqueue_or_advance(tenant, &sync_job(Utc::now()))
            .await
    }

    /// Stops a tenant's sync (its link was removed): a cycle running now loses its lease and
    /// writes nothing more.
    pub async fn stop(store: &DynStore, tenant: TenantId) -> crate::store::Result<()> {
        store
            .cancel_live_job(tenant, JobKind::Sync, UNIQUE_KEY)
            .await
    }

    /// Leases the most overdue tenant's sync and runs one cycle, as the runner would; `None`
    /// when none is due.
    pub async fn run_once(&self) -> anyhow::Result<Option<Outcome>> {
        let Some(job) = self.lease(None).await? else {
            return Ok(None);
        };
        let result = self.run_and_record(&job, Hooks::default()).await;
        Ok(Some(Outcome {
            tenant: job.tenant,
            result,
        }))
    }

    /// One cycle for one tenant, now (the command line). Refused while another worker holds it.
    pub async fn sync_tenant(
        &self,
        tenant: TenantId,
        hooks: Hooks<'_>,
    ) -> anyhow::Result<CycleReport> {
        Self::request(&self.store, tenant).await?;
        let Some(job) = self.lease(Some(tenant)).await? else {
            bail!("another worker is syncing this tenant right now; try again when it is done");
        };
        self.run_and_record(&job, hooks).await
    }

    async fn lease(&self, tenant: Option<TenantId>) -> anyhow::Result<Option<Job>> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(self.options.lease)?;
        Ok(self
            .store
            .lease_next_job(JobKind::Sync, tenant, now, until)
            .await?)
    }

    /// One cycle, then its job records when the tenant's sync runs next.
    async fn run_and_record(&self, job: &Job, hooks: Hooks<'_>) -> anyhow::Result<CycleReport> {
        let result = self.cycle(job, hooks).await;
        let next = self.next_run(job, &result);
        if let Err(e) = runner::record(&self.store, job, &Ok(next)).await {
            tracing::warn!(error = %e, "could not record a sync job's next run");
        }
        result.map_err(anyhow::Error::from)
    }

    /// When the tenant's sync runs next: at once while a slice left work, after a capped
    /// backoff while streams (or the whole cycle) fail, after `interval` when all is well; never
    /// once it stopped (the link is gone, its key needs attention, or the lease was lost).
    fn next_run(&self, job: &Job, result: &Result<CycleReport, CycleFailure>) -> Next {
        let now = Utc::now();
        let again = |wait: chrono::Duration, error: Option<String>| Next::Again {
            at: now.checked_add_signed(wait).unwrap_or(now),
            error,
        };
        match result {
            // Work is left: at once, keeping a failed stream's error (its attempts count on).
            Ok(report) if report.more() => {
                let failed = report.failed().next().and_then(|f| f.error.clone());
                again(chrono::Duration::zero(), failed)
            }
            Ok(report) => match report.failed().next() {
                Some(failed) => again(backoff(job.attempts), failed.error.clone()),
                None => again(
                    chrono::Duration::from_std(self.options.interval).unwrap_or_default(),
                    None,
                ),
            },
            Err(CycleFailure::Stopped) => Next::Done,
            Err(failure) => again(backoff(job.attempts), Some(failure.to_string())),
        }
    }

    #[tracing::instrument(name = "job.sync", skip_all, fields(tenant = %job.tenant, attempts = job.attempts))]
    async fn cycle(&self, job: &Job, hooks: Hooks<'_>) -> Result<CycleReport, CycleFailure> {
        let tenant = job.tenant;
        let Some(connection) = self.store.connection(tenant).await.map_err(other)? else {
            return Err(CycleFailure::Stopped);
        };
        if connection.status == ConnectionStatus::NeedsAttention {
            return Err(CycleFailure::Stopped);
        }
        let client = self.client(&connection).map_err(other)?;
        let lease = job.lease(self.options.lease);
        let mut ctx = Ctx::new(&*self.store, &client, tenant, Some(&lease), &self.options)
            .await
            .map_err(other)?;
        ctx.on_commit = hooks.on_commit;
        ctx.live = self.live.as_ref();
        let on_stream = hooks.on_stream.unwrap_or(&|_| {});
        match run_cycle(&ctx, connection.workspace_id.as_deref(), on_stream).await {
            Ok(report) => {
                self.confirm_replies(tenant).await;
                Ok(report)
            }
            Err(error) if error.needs_attention() => {
                self.needs_attention(tenant, &error).await;
                Err(CycleFailure::Stopped)
            }
            Err(SyncError::Store(crate::store::StoreError::LeaseLost)) => {
                Err(CycleFailure::Stopped)
            }
            Err(error) => {
                let plain = error.plain();
                Err(CycleFailure::Other(
                    anyhow::Error::new(error).context(plain),
                ))
            }
        }
    }

    /// A client for the link, paced by its workspace's budget (shared with every clone of this
    /// worker: the reply sender's calls take their turn with sync's).
    pub(crate) fn client(&self, connection: &crate::store::Connection) -> anyhow::Result<Client> {
        let key = super::link::open_api_key(&self.keyring, connection)
            .context("cannot open the stored Instantly key")?;
        let mut config = ClientConfig::new(key);
        config.base_url = connection.base_url.trim_end_matches('/').to_owned();
        let workspace = connection
            .workspace_id
            .clone()
            .unwrap_or_else(|| connection.tenant_id.to_string());
        config.budget = self.budgets.budget(&workspace);
        config.retry = self.options.retry;
        config.timeout = self.options.timeout;
        Ok(Client::new(config)?)
    }

    /// Replies whose sending was not confirmed become sent once this cycle stored their
    /// message (`leads::replies::confirm`). A failure here fails no stream: the next cycle
    /// looks again.
    async fn confirm_replies(&self, tenant: TenantId) {
        match crate::leads::replies::confirm::by_sync(&*self.store, tenant).await {
            Ok(0) => {}
            Ok(confirmed) => tracing::info!(%tenant, confirmed, "replies confirmed by sync"),
            Err(e) => tracing::warn!(error = %e, "could not confirm replies by sync"),
        }
    }

    /// Marks the connection and tells the tenant's admins, once; the job then stops.
    pub(crate) async fn needs_attention(&self, tenant: TenantId, error: &SyncError) {
        let fault = error.fault();
        let check = ConnectionCheck {
            status: ConnectionStatus::NeedsAttention,
            detail: Some(fault.stored()),
            checked_at: Utc::now(),
        };
        if let Err(e) = self.store.set_connection_status(tenant, &check).await {
            tracing::error!(error = %e, "could not mark a connection as needing attention");
        }
        let details = serde_json::json!({ "reason": fault.stored() });
        crate::audit::record_system(
            &self.store,
            tenant,
            AuditAction::ConnectionNeedsAttention,
            details,
        )
        .await;
        self.notify_admins(tenant, &fault).await;
    }

    async fn notify_admins(&self, tenant: TenantId, fault: &SyncFault) {
        let Ok(members) = self.store.members(tenant).await else {
            return;
        };
        let tenant = match self.store.tenant(tenant).await {
            Ok(Some(tenant)) => tenant,
            // A deleted tenant has no admins left to tell.
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not tell admins about a refused key");
                return;
            }
        };
        for admin in members
            .iter()
            .filter(|m| matches!(m.role, Role::Owner | Role::Admin))
        {
            // Each admin is told in their own language.
            let lang = match self.store.user(admin.user_id).await {
                Ok(Some(user)) => Lang::from_code(&user.locale),
                _ => Lang::default(),
            };
            let texts = lang.texts();
            let detail = texts.say(&Problem::Sync(fault.clone()));
            let sent = match Mail::sync_stopped(&admin.email, texts, &tenant.name, &detail) {
                Ok(mail) => self.mailer.send(mail).await,
                Err(e) => Err(e),
            };
            if let Err(e) = sent {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "could not tell an admin about a refused key"
                );
            }
        }
    }
}

#[async_trait]
impl Handler for SyncWorker {
    fn kind(&self) -> JobKind {
        JobKind::Sync
    }

    /// Failures are the tenant's sync backing off, never the job failing: it runs again.
    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let result = self.cycle(job, Hooks::default()).await;
        Ok(self.next_run(job, &result))
    }
}

#[derive(Debug, thiserror::Error)]
enum CycleFailure {
    /// The tenant's sync stopped on purpose (no connection, refused key, lease lost).
    #[error("sync stopped for this tenant")]
    Stopped,
    /// Shown (and stored on the job) as its outermost message; the causes stay for `{:#}`.
    #[error(transparent)]
    Other(anyhow::Error),
}

fn other(error: impl Into<anyhow::Error>) -> CycleFailure {
    CycleFailure::Other(error.into())
}

/// Capped exponential backoff for a tenant whose streams keep failing.
fn backoff(attempts: i64) -> chrono::Duration {
    let seconds = 30i64.saturating_mul(1 << attempts.clamp(0, 6));
    chrono::Duration::seconds(seconds.min(30 * 60))
}
