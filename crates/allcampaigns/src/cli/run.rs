//! The binary's entry: parse the command line, load the configuration, run the subcommand.

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use super::{AdminCommand, BenchCommand, Cli, Command, JobsCommand};
use crate::config::{self, Config, Sources};
use crate::demo::DemoOptions;
use crate::{auth, observability, store};

/// What `main.rs` runs.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(Cli {
            command: Some(Command::InstantlySim(options)),
            listen,
            ..
        }) => return super::demo::simulator(listen, options),
        Ok(Cli {
            command: Some(Command::Demo),
            listen,
            data_dir,
            ..
        }) => {
            let options = DemoOptions {
                listen,
                data_dir,
                ..DemoOptions::default()
            };
            return super::demo::demo(options);
        }
        Ok(cli) => cli,
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            let rendered = error.render().to_string();
            eprintln!(
                "allcampaigns: {}",
                rendered
                    .lines()
                    .next()
                    .unwrap_or("invalid arguments")
                    .trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    let sources = Sources {
        file: cli.config.clone(),
        flags: cli.setting_flags(),
        ..Sources::from_process_env()
    };
    let config = match config::load(&sources) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("allcampaigns: {error}");
            return ExitCode::from(2);
        }
    };
    observability::init_logging(&config);
    let runtime = tokio::runtime::Runtime::new().expect("cannot start the async runtime");
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("allcampaigns: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => super::serve::serve(config).await,
        Command::Migrate => {
            store::migrate_only(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Worker => super::serve::worker(config).await,
        Command::Admin(AdminCommand::CreateUser {
            email,
            name,
            install_admin,
        }) => super::admin::create_user(config, &email, &name, install_admin).await,
        Command::Admin(AdminCommand::Token {
            email,
            name,
            days,
            read_only,
            tenant,
        }) => {
            let request = auth::tokens::NewToken {
                name,
                days,
                read_only,
                tenant_scope: None,
            };
            super::admin::issue_token(config, &email, request, tenant.as_deref()).await
        }
        Command::Jobs(JobsCommand::Ping(args)) => super::jobs::ping(config, args).await,
        Command::Bench(BenchCommand::Dataset { name, parallel }) => {
            super::dataset::build(config, name, parallel).await
        }
        Command::Bench(BenchCommand::Leads(options)) => {
            super::bench_leads::run(config, options).await.map(drop)
        }
        Command::Bench(BenchCommand::Inbox(options)) => {
            super::bench_inbox::run(config, options).await.map(drop)
        }
        Command::Keys(command) => super::keys::run(config, command).await,
        Command::Tenant(command) => super::tenant::run(config, command).await,
        Command::Sync(args) => match super::sync::run(config, args).await? {
            true => Ok(()),
            false => anyhow::bail!("a stream failed; `allcampaigns sync status` shows which"),
        },
        Command::InstantlySim(_) | Command::Demo => {
            unreachable!("handled before configuration is loaded")
        }
    }
}
