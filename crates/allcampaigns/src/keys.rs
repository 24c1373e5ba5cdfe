//! Master keys at start-up, rotation and retirement, bound to what the database holds.
//!
//! A key is created only for a database that has never sealed anything; once it has, start-up
//! refuses unless every key it was written with is configured and proves itself (RELIABILITY
//! SEC-09). Each key's count of seals lives beside its check value (SEC-03, `crypto/seals.rs`).

use std::path::Path;

use anyhow::{Context, bail};
use secrecy::ExposeSecret;
use serde_json::json;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::audit::{self, AuditAction};
use crate::config::Config;
use crate::crypto::{
    Keyring, Purpose, SEAL_ALARM, SealStatus, SecretSlot, append_key_file, create_key_file,
};
use crate::domain::TenantId;
use crate::store::{DynStore, KeyCheck};

const CHECK_PLAINTEXT: &[u8] = b"All Campaigns master key check";

pub async fn load_keyring(config: &Config, store: &DynStore) -> anyhow::Result<Keyring> {
    load_keyring_with_alarm(config, store, SEAL_ALARM).await
}

/// [`load_keyring`] with the seal alarm at `seal_alarm` seals per key (tests lower it).
pub async fn load_keyring_with_alarm(
    config: &Config,
    store: &DynStore,
    seal_alarm: u64,
) -> anyhow::Result<Keyring> {
    let checks = store.key_checks().await?;
    let keyring = match configured_key_text(config)? {
        Some((text, source)) => {
            Keyring::from_text(&text).with_context(|| format!("{source} is not valid"))?
        }
        None => first_key(config, &checks)?,
    }
    .with_seal_alarm(seal_alarm);
    for check in &checks {
        if !keyring.contains(check.key_id) {
            bail!(
                "this database holds secrets sealed with master key {}, which is not configured; \
                 restore the key file or set ALLCAMPAIGNS_MASTER_KEY",
                check.key_id
            );
        }
        let slot = check_slot(check.key_id);
        if keyring.open(&slot.slot(), &check.check_envelope).is_err() {
            bail!(
                "master key {} does not match the key this database was written with; \
                 the configured key file or ALLCAMPAIGNS_MASTER_KEY is wrong",
                check.key_id
            );
        }
    }
    for key_id in keyring.key_ids() {
        if !checks.iter().any(|c| c.key_id == key_id) {
            let slot = check_slot(key_id);
            let check_envelope = keyring_seal_with(&keyring, key_id, &slot)?;
            store
                .add_key_check(&KeyCheck {
                    key_id,
                    check_envelope,
                })
                .await?;
        }
    }
    save_seal_counts(store, &keyring).await;
    for (key_id, total) in store.seal_counts().await? {
        keyring.stored_seals(key_id, total);
    }
    Ok(keyring)
}

/// Adds the seals this process made since its last save to each key's count in the database
/// (SEC-03); call it right after sealing. A failed save is logged and its seals are kept for
/// the next one: the secret itself is already stored, so the action that sealed stands.
pub async fn save_seal_counts(store: &DynStore, keyring: &Keyring) {
    for (key_id, seals) in keyring.take_unsaved_seals() {
        match store.add_seals(key_id, seals).await {
            Ok(Some(total)) => keyring.stored_seals(key_id, total),
            Ok(None) => keyring.keep_unsaved_seals(key_id, seals),
            Err(error) => {
                tracing::error!(key_id, error = %error, "could not save a master key's count of seals");
                keyring.keep_unsaved_seals(key_id, seals);
            }
        }
    }
}

/// The key text from the environment (wins) or the key file, with a name for errors.
fn configured_key_text(config: &Config) -> anyhow::Result<Option<(Zeroizing<String>, String)>> {
    if let Some(key) = &config.master_key {
        return Ok(Some((
            Zeroizing::new(key.expose_secret().to_string()),
            "ALLCAMPAIGNS_MASTER_KEY".into(),
        )));
    }
    let path = &config.master_key_file;
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some((
            Zeroizing::new(text),
            format!("the key file {}", path.display()),
        ))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => {
            Err(error).with_context(|| format!("cannot read the key file {}", path.display()))
        }
    }
}

fn first_key(config: &Config, checks: &[KeyCheck]) -> anyhow::Result<Keyring> {
    let path = &config.master_key_file;
    if !checks.is_empty() {
        bail!(
            "this database holds encrypted secrets but no master key was found at {}; restore the \
             key file or set ALLCAMPAIGNS_MASTER_KEY (a new key would make the secrets unreadable)",
            path.display()
        );
    }
    if config.is_postgres() {
        bail!(
            "PostgreSQL installs need an explicit master key: run `allcampaigns keys generate`, keep \
             the output safe, and give it as ALLCAMPAIGNS_MASTER_KEY or in ALLCAMPAIGNS_MASTER_KEY_FILE"
        );
    }
    let (keyring, text) = Keyring::generate();
    create_key_file(path, &text)
        .with_context(|| format!("cannot create the key file {}", path.display()))?;
    tracing::info!(path = %path.display(), "created a new master key file; back it up with the database");
    Ok(keyring)
}

/// The associated data of a key check: no tenant, bound to the key id.
struct CheckSlot(String);

impl CheckSlot {
    fn slot(&self) -> SecretSlot<'_> {
        SecretSlot {
            tenant: TenantId::from_uuid(Uuid::nil()),
            purpose: Purpose::KeyCheck,
            row: &self.0,
        }
    }
}

fn check_slot(key_id: u32) -> CheckSlot {
    CheckSlot(key_id.to_string())
}

/// Seals the check value with a specific key (not necessarily the primary).
fn keyring_seal_with(keyring: &Keyring, key_id: u32, slot: &CheckSlot) -> anyhow::Result<Vec<u8>> {
    keyring
        .seal_with(key_id, &slot.slot(), CHECK_PLAINTEXT)
        .context("key vanished from the keyring")
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReencryptReport {
    pub moved: u64,
    pub failed: u64,
}

/// Re-seals every secret held under an older key with the primary key, tenant by tenant. A
/// tenant whose secrets moved gets one `key.rotated` audit entry, by no one (the product did
/// it, after `keys rotate` or at start), naming the new key.
pub async fn reencrypt_all(store: &DynStore, keyring: &Keyring) -> anyhow::Result<ReencryptReport> {
    let primary = keyring.primary_id();
    let mut report = ReencryptReport::default();
    for tenant in store.tenant_directory().await? {
        let tenant_report = reencrypt_tenant(store, keyring, tenant).await;
        save_seal_counts(store, keyring).await;
        let tenant_report = tenant_report?;
        if tenant_report.moved > 0 {
            let details = json!({"key_id": primary, "secrets": tenant_report.moved});
            let target = Some(primary.to_string());
            audit::record_by(
                store,
                tenant,
                None,
                AuditAction::KeyRotated,
                target,
                details,
            )
            .await;
        }
        report.moved += tenant_report.moved;
        report.failed += tenant_report.failed;
    }
    Ok(report)
}

async fn reencrypt_tenant(
    store: &DynStore,
    keyring: &Keyring,
    tenant: TenantId,
) -> anyhow::Result<ReencryptReport> {
    let primary = keyring.primary_id();
    let mut report = ReencryptReport::default();
    for secret in store.secrets_not_under(tenant, primary).await? {
        let slot = SecretSlot {
            tenant: secret.tenant,
            purpose: secret.purpose,
            row: &secret.row,
        };
        match keyring.open(&slot, &secret.envelope) {
            Ok(plain) => {
                let sealed = keyring.seal(&slot, plain.expose_secret());
                if store.replace_secret(&secret, &sealed, primary).await? {
                    report.moved += 1;
                }
            }
            Err(error) => {
                tracing::error!(tenant = %tenant, error = %error, "cannot re-encrypt a secret");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// `keys rotate`: a new primary key in the key file, registered, and every secret moved to it.
pub async fn rotate(config: &Config, store: &DynStore) -> anyhow::Result<(u32, ReencryptReport)> {
    if config.master_key.is_some() {
        bail!(
            "ALLCAMPAIGNS_MASTER_KEY is set, so keys are not read from a file: add a new entry \
             (from `allcampaigns keys generate`, with the next key id) to the variable yourself"
        );
    }
    load_keyring(config, store).await?;
    let key_id = append_key_file(&config.master_key_file)?;
    let keyring = load_keyring(config, store).await?;
    let report = reencrypt_all(store, &keyring).await?;
    Ok((key_id, report))
}

/// One master key as `keys status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    pub seals: SealStatus,
    pub primary: bool,
    /// Secrets stored sealed with this key now.
    pub secrets: i64,
}

/// `keys status`: every configured key, its count of seals against the alarm, and what it
/// seals now.
pub async fn status(config: &Config, store: &DynStore) -> anyhow::Result<Vec<KeyStatus>> {
    let keyring = load_keyring(config, store).await?;
    let usage = store.secret_key_usage().await?;
    Ok(keyring
        .seal_status()
        .into_iter()
        .map(|seals| KeyStatus {
            primary: seals.key_id == keyring.primary_id(),
            secrets: usage
                .iter()
                .find(|(id, _)| *id == seals.key_id)
                .map_or(0, |(_, n)| *n),
            seals,
        })
        .collect())
}

/// `keys retire KID`: removes an old key, refused while anything is sealed with it.
pub async fn retire(config: &Config, store: &DynStore, key_id: u32) -> anyhow::Result<()> {
    let keyring = load_keyring(config, store).await?;
    if key_id == keyring.primary_id() {
        bail!("key {key_id} is the primary key; rotate first");
    }
    let in_use = store
        .secret_key_usage()
        .await
        .with_context(|| format!("cannot prove that key {key_id} is unused, so it is kept"))?
        .into_iter()
        .find(|(id, n)| *id == key_id && *n > 0);
    if let Some((_, count)) = in_use {
        bail!(
            "key {key_id} still seals {count} secret(s); run `allcampaigns keys rotate` and wait for re-encryption"
        );
    }
    remove_key_from_file(&config.master_key_file, key_id)?;
    store.delete_key_check(key_id).await?;
    Ok(())
}

fn remove_key_from_file(path: &Path, key_id: u32) -> anyhow::Result<()> {
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    let prefix = format!("ac1:{key_id}:");
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().starts_with(&prefix))
        .collect();
    let updated = Zeroizing::new(kept.join("\n") + "\n");
    let temporary = path.with_extension("tmp");
    let _ = std::fs::remove_file(&temporary);
    create_key_file(&temporary, updated.trim_end())?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}
