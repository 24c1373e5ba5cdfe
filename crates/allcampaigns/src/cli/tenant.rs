//! `allcampaigns tenant create | connect`, through the same rules as the pages and the API.

use super::TenantCommand;
use super::admin::find_or_create_user;
use crate::config::Config;
use crate::services::OwnedServices;
use crate::tenants::instantly::{self, LinkRequest, Linker};
use crate::tenants::{self, Creator};

pub async fn run(config: Config, command: TenantCommand) -> anyhow::Result<()> {
    // No tenant command sends mail.
    let owned = OwnedServices::open(&config, crate::mail::Mailer::Log).await?;
    match command {
        TenantCommand::Create { name, owner } => {
            let input = crate::domain::TenantInput {
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
