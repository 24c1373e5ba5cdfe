use std::process::ExitCode;

use allcampaigns::cli::{AdminCommand, Cli, Command, KeysCommand, TenantCommand};
use allcampaigns::config::{self, Config, Sources};
use allcampaigns::crypto::{Keyring, format_key};
use allcampaigns::demo::DemoOptions;
use allcampaigns::domain::Email;
use allcampaigns::services::OwnedServices;
use allcampaigns::tenants::instantly::{self, LinkRequest, Linker};
use allcampaigns::tenants::{self, Creator};
use allcampaigns::{app, auth, keys, observability, store};
use clap::Parser;
use clap::error::ErrorKind;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(Cli {
            command: Some(Command::InstantlySim(options)),
            listen,
            ..
        }) => return simulator(listen, options),
        Ok(Cli {
            command: Some(Command::Demo),
            listen,
            data_dir,
            ..
        }) => return demo(DemoOptions { listen, data_dir }),
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

/// The simulator needs none of the product's configuration.
fn simulator(listen: Option<String>, options: instantly_sim::cli::SimOptions) -> ExitCode {
    let listen = listen.as_deref().unwrap_or("127.0.0.1:7070");
    let Ok(listen) = listen.parse() else {
        eprintln!("allcampaigns: --listen: `{listen}` is not an address like 127.0.0.1:7070");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Runtime::new().expect("cannot start the async runtime");
    match runtime.block_on(instantly_sim::cli::serve_until_ctrl_c(listen, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("allcampaigns: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The demo brings its own simulator and configuration.
fn demo(options: DemoOptions) -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("cannot start the async runtime");
    match runtime.block_on(allcampaigns::demo::run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("allcampaigns: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            store::migrate_only(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Worker => worker(config).await,
        Command::Admin(AdminCommand::CreateUser {
            email,
            name,
            install_admin,
        }) => create_user(config, &email, &name, install_admin).await,
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
            issue_token(config, &email, request, tenant.as_deref()).await
        }
        Command::Keys(command) => keys_command(config, command).await,
        Command::Tenant(command) => tenant_command(config, command).await,
        Command::Sync(args) => match allcampaigns::sync::command::run(config, args).await? {
            true => Ok(()),
            false => anyhow::bail!("a stream failed; `allcampaigns sync status` shows which"),
        },
        Command::InstantlySim(_) | Command::Demo => {
            unreachable!("handled before configuration is loaded")
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
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

/// Background work apart from the web tier: re-encryption, then the sync job queue.
async fn worker(config: Config) -> anyhow::Result<()> {
    let store = store::open(&config, true).await?;
    let keyring = std::sync::Arc::new(keys::load_keyring(&config, &store).await?);
    let report = keys::reencrypt_all(&store, &keyring).await?;
    tracing::info!(moved = report.moved, "worker ready");
    let mailer = allcampaigns::mail::Mailer::from_config(&config)?;
    let lanes = config.sync_workers.max(1) as usize;
    let worker = allcampaigns::sync::SyncWorker::from_config(&config, store, keyring, mailer);
    let cancel = tokio_util::sync::CancellationToken::new();
    let shutdown = app::shutdown_signal();
    let running = tokio::spawn(worker.run(lanes, cancel.clone()));
    println!("worker running ({lanes} sync lanes); stop it with Ctrl-C");
    shutdown.await;
    cancel.cancel();
    running.await?;
    Ok(())
}

async fn create_user(
    config: Config,
    email: &str,
    name: &str,
    install_admin: bool,
) -> anyhow::Result<()> {
    let email = Email::parse(email)?;
    let store = store::open(&config, true).await?;
    keys::load_keyring(&config, &store).await?;
    let user = find_or_create_user(&store, email.as_str(), name).await?;
    if install_admin && store.grant_install_admin(user, None).await? {
        let details = serde_json::json!({"user_id": user, "by": null, "via": "command_line"});
        allcampaigns::audit::record_user(
            &store,
            user,
            allcampaigns::audit::AuditAction::InstallAdminGranted,
            details,
        )
        .await;
        println!("{email} is now an install admin (may create clients)");
    }
    let link = auth::links::issue_link(&store, &config.public_url, &email, None).await?;
    println!("Sign-in link for {email} (valid for 15 minutes, one use):\n{link}");
    Ok(())
}

/// `admin token`: the token alone on stdout, so scripts can capture it.
async fn issue_token(
    config: Config,
    email: &str,
    mut request: auth::tokens::NewToken,
    tenant: Option<&str>,
) -> anyhow::Result<()> {
    let address = Email::parse(email)?;
    if let Some(tenant) = tenant {
        let id = tenant
            .parse()
            .map_err(|_| anyhow::anyhow!("`{tenant}` is not a tenant id"))?;
        request.tenant_scope = Some(id);
    }
    let store = store::open(&config, true).await?;
    let user = store.user_by_email(&address).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "no user has the address {address}; create one with `allcampaigns admin create-user`"
        )
    })?;
    if let Some(tenant) = request.tenant_scope
        && store.member_role(tenant, user.id).await?.is_none()
    {
        anyhow::bail!("{address} is not a member of tenant {tenant}");
    }
    let (token, value) = auth::tokens::issue(&store, user.id, &request, chrono::Utc::now())
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    allcampaigns::audit::record_user(
        &store,
        user.id,
        allcampaigns::audit::AuditAction::ApiTokenCreated,
        serde_json::json!({"days": request.days, "read_only": token.read_only,
            "tenant": token.tenant_scope, "by": "command line"}),
    )
    .await;
    eprintln!(
        "token \"{}\" for {address}, expires {}",
        token.name,
        token.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    println!("{value}");
    Ok(())
}

async fn keys_command(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Generate { id } => {
            println!("{}", format_key(id, &Keyring::generate_material()).as_str());
        }
        KeysCommand::Rotate => {
            let store = store::open(&config, true).await?;
            let (key_id, report) = keys::rotate(&config, &store).await?;
            println!(
                "key {key_id} is now primary; {} secret(s) re-encrypted, {} failed",
                report.moved, report.failed
            );
        }
        KeysCommand::Retire { key_id } => {
            let store = store::open(&config, true).await?;
            keys::retire(&config, &store, key_id).await?;
            println!("key {key_id} retired");
        }
    }
    Ok(())
}

async fn tenant_command(config: Config, command: TenantCommand) -> anyhow::Result<()> {
    // No tenant command sends mail.
    let owned = OwnedServices::open(&config, allcampaigns::mail::Mailer::Log).await?;
    match command {
        TenantCommand::Create { name, owner } => {
            let input = allcampaigns::domain::TenantInput {
                name,
                ..Default::default()
            };
            // Refused names fail before an owner account is made for them.
            input
                .validate()
                .map_err(|(field, problem)| anyhow::anyhow!("{field}: {problem}"))?;
            let owner = match owner {
                Some(email) => Some(find_or_create_user(&owned.store, &email, "").await?),
                None => None,
            };
            let creator = Creator::CommandLine { owner };
            let tenant = tenants::create(&owned.services(), creator, &input)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            println!("{}", tenant.id);
        }
        TenantCommand::Connect {
            tenant_id,
            instantly_key,
            instantly_url,
            allow_shared_workspace,
        } => {
            let tenant = tenant_id
                .parse()
                .map_err(|_| anyhow::anyhow!("`{tenant_id}` is not a tenant id"))?;
            owned
                .store
                .tenant(tenant)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no tenant has the id {tenant_id}"))?;
            let base_url = instantly_url.unwrap_or_else(|| config.instantly_url.to_string());
            let request = LinkRequest {
                api_key: read_instantly_key(instantly_key)?,
                base_url: &base_url,
                allow_shared_workspace,
            };
            let linker = Linker::Operator {
                tenant,
                actor: None,
            };
            let connection = instantly::link(&owned.services(), linker, request)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            let workspace = connection.workspace_name.unwrap_or_default();
            println!(
                "connected to Instantly workspace \"{workspace}\" (key ending {})",
                connection.key_last4
            );
        }
    }
    Ok(())
}

/// The key from the flag, the environment, or standard input (security review finding 19).
fn read_instantly_key(flag: Option<String>) -> anyhow::Result<secrecy::SecretString> {
    use std::io::{BufRead, IsTerminal};
    let key = match flag.filter(|value| value != "-") {
        Some(key) => key,
        None => match std::env::var("INSTANTLY_API_KEY") {
            Ok(key) => key,
            Err(_) => {
                if std::io::stdin().is_terminal() {
                    eprint!("Instantly API key: ");
                }
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line
            }
        },
    };
    let key = key.trim();
    if key.is_empty() {
        anyhow::bail!("no Instantly API key: pass it on standard input or in INSTANTLY_API_KEY");
    }
    Ok(secrecy::SecretString::from(key))
}

async fn find_or_create_user(
    store: &store::DynStore,
    email: &str,
    display_name: &str,
) -> anyhow::Result<allcampaigns::domain::UserId> {
    let email = Email::parse(email)?;
    Ok(match store.user_by_email(&email).await? {
        Some(user) => user.id,
        None => store.create_user(&email, display_name).await?.id,
    })
}
