//! The product under test, served by a child process configured from this run's configuration
//! alone (warnings only), so its memory is its own and `/proc` shows it. It syncs only when
//! asked to ([`Server::start_syncing`]), with Instantly's limits off (a local simulator).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::config::{Config, DatabaseConfig};

/// How long the server may take to answer `/readyz`.
const START_TIMEOUT: Duration = Duration::from_secs(120);

pub(crate) struct Server {
    child: Child,
    pid: u32,
    pub base: String,
}

/// Resident memory of the server: now and its peak, in KiB (`/proc/<pid>/status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    pub rss_kib: u64,
    pub peak_kib: u64,
}

/// Whether the server keeps inbox pages and counts between changes (`inbox_cache_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Every request reads the database: what the latency scenarios measure.
    EveryTime,
    /// The default setting, as deployed.
    Kept,
}

impl Server {
    /// The server alone: no sync workers.
    pub async fn start(binary: &Path, config: &Config, reads: Reads) -> anyhow::Result<Self> {
        Self::start_syncing(binary, config, 0, reads).await
    }

    /// A server whose own `workers` also sync, as `serve` runs by default.
    pub async fn start_syncing(
        binary: &Path,
        config: &Config,
        workers: u32,
        reads: Reads,
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("ALLCAMPAIGNS_LISTEN", format!("127.0.0.1:{port}"))
            .env("ALLCAMPAIGNS_DATA_DIR", &config.data_dir)
            .env("ALLCAMPAIGNS_MASTER_KEY_FILE", &config.master_key_file)
            .env("ALLCAMPAIGNS_SYNC_WORKERS", workers.to_string())
            .env("ALLCAMPAIGNS_INSTANTLY_RATE_LIMITS", "off")
            .env("ALLCAMPAIGNS_SERVER_TIMING", "on")
            .env(
                "ALLCAMPAIGNS_INBOX_CACHE_MS",
                match reads {
                    Reads::EveryTime => "0",
                    Reads::Kept => "1000",
                },
            )
            .env("ALLCAMPAIGNS_LOG", "warn")
            .env(
                "ALLCAMPAIGNS_DB_MAX_CONNECTIONS",
                config.db_max_connections.to_string(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if let Some(key) = &config.master_key {
            command.env("ALLCAMPAIGNS_MASTER_KEY", key.expose_secret());
        }
        match &config.database {
            DatabaseConfig::Sqlite { path } => {
                command.env(
                    "ALLCAMPAIGNS_DATABASE_URL",
                    format!("sqlite://{}", path.display()),
                );
            }
            DatabaseConfig::Postgres { url, app_role, .. } => {
                command
                    .env("ALLCAMPAIGNS_DATABASE_URL", url.expose_secret())
                    .env("ALLCAMPAIGNS_DB_APP_ROLE", app_role);
            }
        }
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let pid = child.id();
        let mut server = Self {
            child,
            pid,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        let client = reqwest::Client::new();
        let url = format!("{}/readyz", self.base);
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("the server exited ({status}) before it was ready");
            }
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            anyhow::ensure!(
                started.elapsed() < START_TIMEOUT,
                "the server was not ready within {START_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .context("cannot read the server's /proc status")?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
                .unwrap_or(0)
        };
        Ok(Memory {
            rss_kib: field("VmRSS:"),
            peak_kib: field("VmHWM:"),
        })
    }

    pub fn stop(mut self) {
        self.end();
    }

    fn end(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A run that fails half-way still ends its server.
impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.end();
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

impl Memory {
    pub fn mib(kib: u64) -> f64 {
        kib as f64 / 1024.0
    }
}
