//! `allcampaigns keys generate | rotate | retire | status`.

use super::KeysCommand;
use crate::config::Config;
use crate::crypto::{Keyring, SEAL_ALARM, format_key};
use crate::keys::KeyStatus;
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
        KeysCommand::Status => {
            let store = store::open(&config, true).await?;
            for key in keys::status(&config, &store).await? {
                println!("{}", status_line(&key));
            }
        }
    }
    Ok(())
}

/// One key's line; a key past the seal alarm says what to do.
fn status_line(key: &KeyStatus) -> String {
    let KeyStatus {
        seals,
        primary,
        secrets,
    } = key;
    let name = if *primary {
        format!("key {} (primary)", seals.key_id)
    } else {
        format!("key {}", seals.key_id)
    };
    let line = format!(
        "{name}: seals {secrets} stored secret(s); {} seal(s) made in all, alarm at {SEAL_ALARM}",
        seals.seals
    );
    match (seals.alarm, primary) {
        (false, _) => line,
        (true, true) => format!(
            "{line}; ROTATE NOW: run `allcampaigns keys rotate` (NIST SP 800-38D allows 2^32 \
             seals per key with random nonces)"
        ),
        (true, false) => {
            format!("{line}; past the alarm, and no longer primary: retire it once unused")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SealStatus;

    fn key(key_id: u32, seals: u64, alarm: bool, primary: bool) -> KeyStatus {
        KeyStatus {
            seals: SealStatus {
                key_id,
                seals,
                alarm,
            },
            primary,
            secrets: 3,
        }
    }

    #[test]
    fn sec_03_keys_status_says_to_rotate_a_primary_key_past_the_alarm() {
        let calm = status_line(&key(2, 10, false, true));
        assert_eq!(
            calm,
            format!(
                "key 2 (primary): seals 3 stored secret(s); 10 seal(s) made in all, alarm at {SEAL_ALARM}"
            )
        );
        let due = status_line(&key(2, SEAL_ALARM, true, true));
        assert!(due.contains("ROTATE NOW") && due.contains("allcampaigns keys rotate"));
        let old = status_line(&key(1, SEAL_ALARM, true, false));
        assert!(
            old.starts_with("key 1: ") && old.contains("retire it"),
            "{old}"
        );
    }
}
