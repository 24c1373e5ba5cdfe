//! `instantly-sim --listen ADDR --seed N --scale small|medium|large [--workspaces K]
//! [--rate-limits on|off] [--faults JSON]`: runs the simulator until Ctrl-C.

use std::net::SocketAddr;

use clap::Parser;
use instantly_sim::cli::{SimOptions, serve_until_ctrl_c};

/// A local Instantly API v2 simulator.
#[derive(Debug, Parser)]
#[command(name = "instantly-sim", version)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    #[command(flatten)]
    options: SimOptions,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::from_default_env();
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let cli = Cli::parse();
    serve_until_ctrl_c(cli.listen, cli.options).await
}
