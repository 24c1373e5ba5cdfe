//! The command line of the simulator, shared by the `instantly-sim` binary and the product's
//! `allcampaigns instantly-sim` subcommand: flatten [`SimOptions`] into the subcommand, take
//! `--listen` from wherever the host command line has it, and call [`serve_until_ctrl_c`].

use std::net::SocketAddr;

use clap::ValueEnum;

use crate::{FaultConfig, Scale, SimConfig, Simulator};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// `--seed N --scale small|medium|large [--workspaces K] [--rate-limits on|off] [--faults JSON]`
#[derive(Debug, Clone, clap::Args)]
pub struct SimOptions {
    /// Seed of the generated data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// small (~1k leads), medium (~50k) or large (~1M leads, 3M emails).
    #[arg(long, default_value = "small")]
    pub scale: Scale,
    /// Number of workspaces (one API key each).
    #[arg(long, default_value_t = 3)]
    pub workspaces: usize,
    /// Enforce Instantly's rate limits.
    #[arg(long, value_enum, default_value = "on")]
    pub rate_limits: Switch,
    /// Faults to inject from the start, as the JSON body of `POST /__sim/faults`, e.g.
    /// `{"error_503": 0.05, "latency_ms": 20}`.
    #[arg(long, value_parser = parse_faults)]
    pub faults: Option<FaultConfig>,
}

fn parse_faults(json: &str) -> Result<FaultConfig, String> {
    serde_json::from_str(json).map_err(|e| format!("invalid fault configuration: {e}"))
}

impl SimOptions {
    pub fn config(&self, listen: SocketAddr) -> SimConfig {
        SimConfig {
            listen,
            seed: self.seed,
            scale: self.scale,
            workspaces: self.workspaces,
            rate_limits: self.rate_limits == Switch::On,
        }
    }
}

/// Starts the simulator on `listen`, prints its address and keys, and serves until Ctrl-C.
pub async fn serve_until_ctrl_c(listen: SocketAddr, options: SimOptions) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let sim = Simulator::start(options.config(listen)).await?;
    if let Some(faults) = options.faults {
        sim.set_faults(faults);
    }
    println!(
        "instantly-sim listening on {} (ready in {:.1?})",
        sim.base_url(),
        started.elapsed()
    );
    for w in sim.workspaces() {
        println!("  workspace {} {:?} api_key {}", w.id, w.name, w.api_key);
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
