//! `allcampaigns keys generate | rotate | retire`.

use super::KeysCommand;
use crate::config::Config;
use crate::crypto::{Keyring, format_key};
use crate::{keys, store};

pub async fn run(config: Config, command: KeysCommand) -> anyhow::Result<()> {
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
