//! `allcampaigns sync`: one tenant synced by hand with a progress bar, or its status printed.

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::{SyncAction, SyncArgs};
use crate::config::Config;
use crate::domain::TenantId;
use crate::mail::Mailer;
use crate::store::{self, DynStore, StreamState};
use crate::sync::status::{SyncStatus, tenant_status};
use crate::sync::{Hooks, StreamReport, SyncOptions, SyncWorker};
use crate::text::Lang;

/// Runs the command; `Ok(false)` when a stream failed (the exit code says so).
pub async fn run(config: Config, args: SyncArgs) -> anyhow::Result<bool> {
    let store = store::open(&config, true).await?;
    let keyring = std::sync::Arc::new(crate::keys::load_keyring(&config, &store).await?);
    if let Some(SyncAction::Status { tenant, json }) = args.action {
        let tenant = existing_tenant(&store, &tenant).await?;
        let status = tenant_status(&store, tenant).await?;
        print_status(&status.in_words(Lang::En.texts()), json)?;
        return Ok(true);
    }
    let Some(tenant) = args.tenant else {
        bail!("name the tenant: allcampaigns sync --tenant TENANT_ID [--once]");
    };
    let tenant = existing_tenant(&store, &tenant).await?;
    if store.connection(tenant).await?.is_none() {
        bail!("this tenant has no Instantly connection: run `allcampaigns tenant connect` first");
    }
    // By hand, a cycle is not cut into slices: it runs every stream to the end.
    let options = SyncOptions {
        pages_per_slice: u64::MAX,
        ..SyncOptions::default()
    };
    let worker =
        SyncWorker::from_config(&config, store.clone(), keyring, Mailer::Log).with_options(options);
    loop {
        let ok = one_cycle(&worker, tenant).await?;
        if args.once {
            return Ok(ok);
        }
        tokio::select! {
            () = crate::app::shutdown_signal() => return Ok(ok),
            () = tokio::time::sleep(worker.options().interval) => {}
        }
    }
}

async fn one_cycle(worker: &SyncWorker, tenant: TenantId) -> anyhow::Result<bool> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}] {wide_bar} {pos}/{len}")
            .context("progress template")?,
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let on_commit = |state: &StreamState| {
        bar.set_message(state.stream.clone());
        bar.set_length(state.estimated_total.unwrap_or(state.done).max(state.done) as u64);
        bar.set_position(state.done as u64);
    };
    let on_stream = |report: &StreamReport| {
        let outcome = match &report.error {
            Some(error) => format!("failed: {error}"),
            None => format!(
                "{} read, {} written, {} pages",
                report.progress.read, report.progress.written, report.progress.pages
            ),
        };
        bar.println(format!("{:<20} {outcome}", report.stream));
    };
    let hooks = Hooks {
        on_commit: Some(&on_commit),
        on_stream: Some(&on_stream),
    };
    let report = worker.sync_tenant(tenant, hooks).await;
    bar.finish_and_clear();
    let report = report?;
    Ok(report.failed().next().is_none())
}

pub(super) async fn existing_tenant(store: &DynStore, id: &str) -> anyhow::Result<TenantId> {
    let tenant: TenantId = id
        .parse()
        .map_err(|_| anyhow::anyhow!("`{id}` is not a tenant id"))?;
    store
        .tenant(tenant)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no tenant has the id {id}"))?;
    Ok(tenant)
}

fn print_status(status: &SyncStatus, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(status)?);
        return Ok(());
    }
    println!(
        "{:<20} {:>9} {:<25} {:<12} last error",
        "stream", "stored", "last success", "progress"
    );
    for s in &status.streams {
        let progress = match (s.backfilled, s.estimated_total) {
            (true, _) => "done".to_owned(),
            (false, Some(total)) => format!("{}/{total}", s.done),
            (false, None) => format!("{}/?", s.done),
        };
        println!(
            "{:<20} {:>9} {:<25} {:<12} {}",
            s.stream,
            s.stored.map_or("-".into(), |n| n.to_string()),
            s.last_success_at.map_or("never".into(), |t| t.to_rfc3339()),
            progress,
            s.last_error.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
