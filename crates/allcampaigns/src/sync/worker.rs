//! The sync worker: claims due tenants from the job queue and runs a cycle for each. Runs
//! inside `serve` and alone as `allcampaigns worker`; tests drive it with `run_once`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use instantly::{BudgetConfig, Client, ClientConfig, WorkspaceBudgets};
use tokio_util::sync::CancellationToken;

use super::{Ctx, CycleReport, JOB_KIND, StreamReport, SyncError, SyncOptions, run_cycle};
use crate::audit::AuditAction;
use crate::crypto::Keyring;
use crate::domain::{Role, TenantId};
use crate::mail::{Mail, Mailer};
use crate::store::{ConnectionCheck, ConnectionStatus, DynStore, Job};
use crate::text::{Lang, Problem, SyncFault};

#[derive(Clone)]
pub struct SyncWorker {
    store: DynStore,
    keyring: Arc<Keyring>,
    budgets: WorkspaceBudgets,
    options: SyncOptions,
    mailer: Mailer,
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

    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    /// Asks for a tenant's sync to run as soon as a worker is free ("sync now", new key).
    pub async fn request(store: &DynStore, tenant: TenantId) -> anyhow::Result<()> {
        store.schedule_job(tenant, JOB_KIND, Utc::now()).await?;
        Ok(())
    }

    /// Claims the most overdue tenant and runs one cycle for it; `None` when none is due.
    pub async fn run_once(&self) -> anyhow::Result<Option<Outcome>> {
        let Some(job) = self.claim(None).await? else {
            return Ok(None);
        };
        let tenant = job.tenant;
        let result = self.run_job(&job, Hooks::default()).await;
        Ok(Some(Outcome { tenant, result }))
    }

    /// One cycle for one tenant, now (the command line). Refused while another worker holds it.
    pub async fn sync_tenant(
        &self,
        tenant: TenantId,
        hooks: Hooks<'_>,
    ) -> anyhow::Result<CycleReport> {
        Self::request(&self.store, tenant).await?;
        let Some(job) = self.claim(Some(tenant)).await? else {
            bail!("another worker is syncing this tenant right now; try again when it is done");
        };
        self.run_job(&job, hooks).await
    }

    /// Works until cancelled, `concurrency` tenants at a time.
    pub async fn run(self, concurrency: usize, cancel: CancellationToken) {
        let mut lanes = tokio::task::JoinSet::new();
        for _ in 0..concurrency.max(1) {
            let worker = self.clone();
            let cancel = cancel.clone();
            lanes.spawn(async move { worker.lane(cancel).await });
        }
        while lanes.join_next().await.is_some() {}
    }

    async fn lane(&self, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            // Shutdown drops the cycle wherever it waits (Instantly, a retry, the database);
            // the claimed job stays leased and another worker takes it when the lease ends.
            let step = tokio::select! {
                step = self.run_once() => step,
                () = cancel.cancelled() => break,
            };
            let idle = match step {
                Ok(Some(_)) => false,
                Ok(None) => true,
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "sync worker step failed");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = cancel.cancelled() => {}
                    () = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
        }
    }

    async fn claim(&self, tenant: Option<TenantId>) -> anyhow::Result<Option<Job>> {
        let now = Utc::now();
        let lease = chrono::Duration::from_std(self.options.lease)?;
        Ok(self
            .store
            .claim_job(JOB_KIND, tenant, now, now + lease)
            .await?)
    }

    #[tracing::instrument(name = "job.sync", skip_all, fields(tenant = %job.tenant, attempts = job.attempts))]
    async fn run_job(&self, job: &Job, hooks: Hooks<'_>) -> anyhow::Result<CycleReport> {
        let result = self.cycle(job, hooks).await;
        let now = Utc::now();
        let (next, error) = match &result {
            Ok(report) if report.more() => (now, None),
            Ok(report) => match report.failed().next() {
                Some(failed) => (now + backoff(job.attempts), failed.error.clone()),
                None => (
                    now + chrono::Duration::from_std(self.options.interval).unwrap_or_default(),
                    None,
                ),
            },
            Err(CycleFailure::Stopped) => return result.map_err(anyhow::Error::from),
            Err(failure) => (now + backoff(job.attempts), Some(failure.to_string())),
        };
        if let Err(e) = self.store.finish_job(job, next, error.as_deref()).await {
            tracing::warn!(error = %e, "could not release a sync job");
        }
        result.map_err(anyhow::Error::from)
    }

    async fn cycle(&self, job: &Job, hooks: Hooks<'_>) -> Result<CycleReport, CycleFailure> {
        let tenant = job.tenant;
        let Some(connection) = self.store.connection(tenant).await.map_err(other)? else {
            self.store
                .cancel_job(tenant, JOB_KIND)
                .await
                .map_err(other)?;
            return Err(CycleFailure::Stopped);
        };
        if connection.status == ConnectionStatus::NeedsAttention {
            self.store
                .cancel_job(tenant, JOB_KIND)
                .await
                .map_err(other)?;
            return Err(CycleFailure::Stopped);
        }
        let client = self.client(&connection).map_err(other)?;
        let mut ctx = Ctx::new(&*self.store, &client, tenant, Some(job), &self.options)
            .await
            .map_err(other)?;
        ctx.on_commit = hooks.on_commit;
        let on_stream = hooks.on_stream.unwrap_or(&|_| {});
        match run_cycle(&ctx, connection.workspace_id.as_deref(), on_stream).await {
            Ok(report) => Ok(report),
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

    fn client(&self, connection: &crate::store::Connection) -> anyhow::Result<Client> {
        let key = crate::tenants::instantly::open_api_key(&self.keyring, connection)
            .context("cannot open the stored Instantly key")?;
        let mut config = ClientConfig::new(key);
        config.base_url = connection.base_url.trim_end_matches('/').to_owned();
        let workspace = connection
            .workspace_id
            .clone()
            .unwrap_or_else(|| connection.tenant_id.to_string());
        config.budget = self.budgets.budget(&workspace);
        config.retry = self.options.retry;
        Ok(Client::new(config)?)
    }

    /// Stops the tenant's sync, marks the connection and tells the tenant's admins, once.
    async fn needs_attention(&self, tenant: TenantId, error: &SyncError) {
        let fault = error.fault();
        let check = ConnectionCheck {
            status: ConnectionStatus::NeedsAttention,
            detail: Some(fault.stored()),
            checked_at: Utc::now(),
        };
        if let Err(e) = self.store.set_connection_status(tenant, &check).await {
            tracing::error!(error = %e, "could not mark a connection as needing attention");
        }
        if let Err(e) = self.store.cancel_job(tenant, JOB_KIND).await {
            tracing::error!(error = %e, "could not stop a refused tenant's sync");
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
