//! The text form of master keys, used in key files and `ALLCAMPAIGNS_MASTER_KEY`:
//! `ac1:<key id>:<base64url of 32 bytes>`, one entry per line (or separated by commas).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

const PREFIX: &str = "ac1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyTextError {
    #[error(
        "entry {0}: expected `ac1:<key id>:<base64 key>` (as printed by `allcampaigns keys generate`)"
    )]
    Shape(usize),
    #[error("entry {0}: the key id must be a whole number from 1 up")]
    KeyId(usize),
    #[error("entry {0}: the key must be 32 bytes of base64url")]
    Material(usize),
    #[error("key id {0} appears twice")]
    Duplicate(u32),
    #[error("no key found")]
    Empty,
}

pub fn format_key(key_id: u32, material: &[u8; 32]) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{PREFIX}:{key_id}:{}",
        URL_SAFE_NO_PAD.encode(material)
    ))
}

/// Parses every entry; comment lines starting with `#` are skipped.
/// A key id and its 32 bytes of key material.
pub type ParsedKey = (u32, Zeroizing<[u8; 32]>);

pub fn parse_keys(text: &str) -> Result<Vec<ParsedKey>, KeyTextError> {
    let mut keys: Vec<ParsedKey> = Vec::new();
    let entries = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty());
    for (index, entry) in entries.enumerate() {
        let number = index + 1;
        let mut parts = entry.splitn(3, ':');
        let (Some(PREFIX), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(KeyTextError::Shape(number));
        };
        let key_id: u32 = id
            .parse()
            .ok()
            .filter(|id| *id > 0)
            .ok_or(KeyTextError::KeyId(number))?;
        let bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(material)
                .map_err(|_| KeyTextError::Material(number))?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != 32 {
            return Err(KeyTextError::Material(number));
        }
        key.copy_from_slice(&bytes);
        if keys.iter().any(|(id, _)| *id == key_id) {
            return Err(KeyTextError::Duplicate(key_id));
        }
        keys.push((key_id, key));
    }
    if keys.is_empty() {
        return Err(KeyTextError::Empty);
    }
    Ok(keys)
}
