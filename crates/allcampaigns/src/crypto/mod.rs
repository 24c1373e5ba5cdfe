//! Envelope encryption of stored secrets with AES-256-GCM.
//!
//! Envelope: `[version 1][key id u32 BE][nonce 12][ciphertext][tag 16]`. The associated data
//! binds the tenant, the purpose (table and column) and the row, so a ciphertext copied to another
//! place fails to decrypt.

mod keyring;
mod keytext;
mod seals;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;

pub use keyring::{AppendKeyError, Keyring, MasterKey, append_key_file, create_key_file};
pub use keytext::{KeyTextError, format_key, parse_keys};
pub use seals::{SEAL_ALARM, SealStatus};

use crate::domain::TenantId;

pub const ENVELOPE_VERSION: u8 = 1;
pub const HEADER_LEN: usize = 1 + 4;
pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;

/// What a secret is, which becomes part of its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    InstantlyApiKey,
    /// The known-answer value that proves a master key is the one the data was written with.
    KeyCheck,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::InstantlyApiKey => "instantly_connections.api_key",
            Purpose::KeyCheck => "encryption_keys.check",
        }
    }
}

/// Where a secret lives: the associated data of its envelope.
#[derive(Debug, Clone, Copy)]
pub struct SecretSlot<'a> {
    pub tenant: TenantId,
    pub purpose: Purpose,
    pub row: &'a str,
}

impl SecretSlot<'_> {
    fn associated_data(&self, key_id: u32) -> Vec<u8> {
        format!(
            "allcampaigns:v{ENVELOPE_VERSION}:{key_id}:{}:{}:{}",
            self.tenant,
            self.purpose.label(),
            self.row
        )
        .into_bytes()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// Deliberately says nothing about why: tampering, a wrong slot and a wrong key look alike.
    #[error("a stored secret could not be decrypted")]
    Decrypt,
    #[error("a stored secret needs master key {0}, which is not configured")]
    UnknownKey(u32),
}

/// The key id an envelope was written with, if it is an envelope at all.
pub fn envelope_key_id(envelope: &[u8]) -> Option<u32> {
    if envelope.len() < HEADER_LEN + NONCE_LEN + TAG_LEN || envelope[0] != ENVELOPE_VERSION {
        return None;
    }
    Some(u32::from_be_bytes(envelope[1..5].try_into().ok()?))
}

pub(crate) fn seal(
    key_id: u32,
    cipher: &Aes256Gcm,
    slot: &SecretSlot,
    plaintext: &[u8],
) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let aad = slot.associated_data(key_id);
    let sealed = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = Vec::with_capacity(HEADER_LEN + NONCE_LEN + sealed.len());
    out.push(ENVELOPE_VERSION);
    out.extend_from_slice(&key_id.to_be_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

pub(crate) fn open(
    key_id: u32,
    cipher: &Aes256Gcm,
    slot: &SecretSlot,
    envelope: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let nonce: [u8; NONCE_LEN] = envelope[HEADER_LEN..HEADER_LEN + NONCE_LEN]
        .try_into()
        .map_err(|_| CryptoError::Decrypt)?;
    let aad = slot.associated_data(key_id);
    cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &envelope[HEADER_LEN + NONCE_LEN..],
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Decrypt)
}

#[cfg(test)]
mod tests;
