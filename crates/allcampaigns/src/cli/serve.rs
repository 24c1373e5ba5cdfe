//! `allcampaigns serve` (the default) and `allcampaigns worker`.

use crate::config::Config;
use crate::{app, auth, keys, store};

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let app = app::App::build(config).await?;
    // Installed before anything is printed, so a supervisor that stops us as soon as we speak
    // still gets a graceful stop.
    let shutdown = app::shutdown_signal();
    let public_url = app.state().config.public_url.clone();
    println!(
        "All Campaigns is listening on http://{} (users reach it at {public_url})",
        app.local_addr()
    );
    if let Some(link) = auth::links::issue_setup_link(&app.state().store, &public_url).await? {
        println!(
            "First run: open this one-time link to create the first owner (valid 24 hours):\n{link}"
        );
    }
    app.run(shutdown).await
}

/// Background work apart from the web tier: re-encryption, then the job queue.
pub async fn worker(config: Config) -> anyhow::Result<()> {
    let store = store::open(&config, true).await?;
    let keyring = std::sync::Arc::new(keys::load_keyring(&config, &store).await?);
    let report = keys::reencrypt_all(&store, &keyring).await?;
    tracing::info!(moved = report.moved, "worker ready");
    let mailer = crate::mail::Mailer::from_config(&config)?;
    let lanes = config.sync_workers.max(1) as usize;
    let cancel = tokio_util::sync::CancellationToken::new();
    // On PostgreSQL its events reach every `serve` node through `NOTIFY`; a worker beside a
    // SQLite database has no pages to tell (SQLite runs one node, whose own runner does it).
    let live = crate::live::Live::new(store.clone(), cancel.clone());
    let runner = app::job_runner(&config, &store, &keyring, &mailer, &live);
    let shutdown = app::shutdown_signal();
    let running = tokio::spawn(runner.run(lanes, cancel.clone()));
    println!("worker running ({lanes} job lanes); stop it with Ctrl-C");
    shutdown.await;
    cancel.cancel();
    // A join error's text repeats the panic's message, which may hold data (see the panic
    // hook in `observability`), so only the fact is reported.
    if running.await.is_err() {
        anyhow::bail!("the worker stopped abnormally (a panic, logged where it happened)");
    }
    Ok(())
}
