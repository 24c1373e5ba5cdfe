//! The master keys in memory (each with its count of seals) and in key files.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

use aes_gcm::Aes256Gcm;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::seals::{SEAL_ALARM, SealCount, SealStatus};
use super::{
    CryptoError, KeyTextError, SecretSlot, envelope_key_id, format_key, open, parse_keys, seal,
};

/// One master key and its count of seals. The cipher zeroizes its key schedule on drop; the
/// material is kept (zeroized on drop) only to derive other keys from ([`Keyring::derive_keys`]).
pub struct MasterKey {
    cipher: Aes256Gcm,
    material: Zeroizing<[u8; 32]>,
    seals: SealCount,
}

/// Every configured master key; new secrets are sealed with the primary (highest id).
pub struct Keyring {
    keys: BTreeMap<u32, MasterKey>,
    /// Seals per key at which the alarm fires (`SEAL_ALARM` unless a test lowers it).
    seal_alarm: u64,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("key_ids", &self.key_ids())
            .field("material", &"[REDACTED]")
            .finish()
    }
}

impl Keyring {
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        let keys = parse_keys(text)?
            .into_iter()
            .map(|(id, material)| (id, MasterKey::from_bytes(&material)))
            .collect();
        Ok(Self {
            keys,
            seal_alarm: SEAL_ALARM,
        })
    }

    /// The same keyring with the seal alarm at `seals` instead of [`SEAL_ALARM`].
    pub fn with_seal_alarm(mut self, seals: u64) -> Self {
        self.seal_alarm = seals;
        self
    }

    pub fn seal_alarm(&self) -> u64 {
        self.seal_alarm
    }

    pub fn generate_material() -> Zeroizing<[u8; 32]> {
        let mut material = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(material.as_mut());
        material
    }

    /// A fresh keyring of one key, id 1.
    pub fn generate() -> (Self, Zeroizing<String>) {
        let material = Self::generate_material();
        let text = format_key(1, &material);
        let ring = Self {
            keys: BTreeMap::from([(1, MasterKey::from_bytes(&material))]),
            seal_alarm: SEAL_ALARM,
        };
        (ring, text)
    }

    pub fn key_ids(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    pub fn primary_id(&self) -> u32 {
        *self
            .keys
            .keys()
            .next_back()
            .expect("a keyring is never empty")
    }

    pub fn contains(&self, key_id: u32) -> bool {
        self.keys.contains_key(&key_id)
    }

    pub fn seal(&self, slot: &SecretSlot, plaintext: &[u8]) -> Vec<u8> {
        self.seal_with(self.primary_id(), slot, plaintext)
            .expect("the primary key is in the keyring")
    }

    /// Seals with a particular key rather than the primary one.
    pub fn seal_with(&self, key_id: u32, slot: &SecretSlot, plaintext: &[u8]) -> Option<Vec<u8>> {
        let key = self.keys.get(&key_id)?;
        key.seals.add_one(key_id, self.seal_alarm);
        Some(seal(key_id, &key.cipher, slot, plaintext))
    }

    /// Each key's count of seals, as far as this process knows.
    pub fn seal_status(&self) -> Vec<SealStatus> {
        self.keys
            .iter()
            .map(|(&key_id, key)| {
                let seals = key.seals.total();
                SealStatus {
                    key_id,
                    seals,
                    alarm: seals >= self.seal_alarm,
                }
            })
            .collect()
    }

    /// Takes every key's seals not yet added to the database (`keys::save_seal_counts`).
    pub(crate) fn take_unsaved_seals(&self) -> Vec<(u32, u64)> {
        self.keys
            .iter()
            .map(|(&key_id, key)| (key_id, key.seals.take_unsaved()))
            .filter(|(_, seals)| *seals > 0)
            .collect()
    }

    /// Gives back seals whose save failed, to be saved next time.
    pub(crate) fn keep_unsaved_seals(&self, key_id: u32, seals: u64) {
        if let Some(key) = self.keys.get(&key_id) {
            key.seals.keep_unsaved(seals);
        }
    }

    /// Records the database's total for a key (which includes every process's seals).
    pub(crate) fn stored_seals(&self, key_id: u32, total: u64) {
        if let Some(key) = self.keys.get(&key_id) {
            key.seals.stored(key_id, total, self.seal_alarm);
        }
    }

    /// A 256-bit key for `label` derived from every master key, the primary's first:
    /// HMAC-SHA256 keyed by the master key over a label no other use shares. Whatever is keyed
    /// this way (signed image-proxy URLs) signs with the first and accepts any, so it keeps
    /// working through a rotation, and it needs no stored secret of its own.
    pub fn derive_keys(&self, label: &str) -> Vec<Zeroizing<[u8; 32]>> {
        self.keys
            .values()
            .rev()
            .map(|key| derive(&key.material, label))
            .collect()
    }

    pub fn seal_str(&self, slot: &SecretSlot, secret: &SecretString) -> Vec<u8> {
        self.seal(slot, secret.expose_secret().as_bytes())
    }

    pub fn open(&self, slot: &SecretSlot, envelope: &[u8]) -> Result<SecretBox<[u8]>, CryptoError> {
        let key_id = envelope_key_id(envelope).ok_or(CryptoError::Decrypt)?;
        let key = self
            .keys
            .get(&key_id)
            .ok_or(CryptoError::UnknownKey(key_id))?;
        open(key_id, &key.cipher, slot, envelope).map(|plain| SecretBox::new(plain.into()))
    }

    pub fn open_string(
        &self,
        slot: &SecretSlot,
        envelope: &[u8],
    ) -> Result<SecretString, CryptoError> {
        let bytes = self.open(slot, envelope)?;
        let text = std::str::from_utf8(bytes.expose_secret()).map_err(|_| CryptoError::Decrypt)?;
        Ok(SecretString::from(text.to_owned()))
    }
}

impl MasterKey {
    fn from_bytes(material: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new_from_slice(material).expect("32 bytes is an AES-256 key"),
            material: Zeroizing::new(*material),
            seals: SealCount::default(),
        }
    }
}

fn derive(material: &[u8; 32], label: &str) -> Zeroizing<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(material).expect("HMAC takes any key length");
    mac.update(b"allcampaigns:derive:v1:");
    mac.update(label.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// Creates a key file readable by its owner only, failing if it already exists.
pub fn create_key_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        crate::private_fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(
        file,
        "# All Campaigns master keys. Back this file up; without it stored secrets are lost."
    )?;
    writeln!(file, "{text}")?;
    file.sync_all()
}

/// Adds a new key to a key file; it becomes the primary key. Returns its id.
pub fn append_key_file(path: &Path) -> Result<u32, AppendKeyError> {
    let existing = Zeroizing::new(std::fs::read_to_string(path).map_err(AppendKeyError::Io)?);
    let ring = Keyring::from_text(&existing).map_err(AppendKeyError::Parse)?;
    let key_id = ring.primary_id() + 1;
    let line = format_key(key_id, &Keyring::generate_material());
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(AppendKeyError::Io)?;
    let separator = if existing.ends_with('\n') { "" } else { "\n" };
    writeln!(file, "{separator}{}", line.as_str()).map_err(AppendKeyError::Io)?;
    file.sync_all().map_err(AppendKeyError::Io)?;
    Ok(key_id)
}

#[derive(Debug, thiserror::Error)]
pub enum AppendKeyError {
    #[error("cannot update the key file: {0}")]
    Io(std::io::Error),
    #[error("the key file is not valid: {0}")]
    Parse(KeyTextError),
}
