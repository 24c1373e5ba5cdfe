//! Standard Webhooks signatures (spec v1.0.0, scheme `v1`): HMAC-SHA256 over
//! `{webhook-id}.{webhook-timestamp}.{body}`, the exact bytes sent, base64 after `v1,`. A
//! destination's secret is 32 random bytes, shown once as `whsec_` and base64; while a rotated
//! secret's grace period lasts, a delivery carries one signature per valid secret, space
//! separated, and a receiver accepts any one (RELIABILITY A1).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use secrecy::SecretString;
use sha2::Sha256;
use zeroize::Zeroizing;

/// How a secret is shown and read.
const PREFIX: &str = "whsec_";
/// The spec allows 24 to 64 bytes; new secrets take 32.
const NEW_SECRET_BYTES: usize = 32;
const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// A destination's signing secret.
#[derive(Clone)]
pub struct SigningSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(..)")
    }
}

impl SigningSecret {
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new(vec![0u8; NEW_SECRET_BYTES]);
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A `whsec_` secret as shown; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = Zeroizing::new(STANDARD.decode(text.strip_prefix(PREFIX)?).ok()?);
        SECRET_BYTES.contains(&bytes.len()).then_some(Self(bytes))
    }

    /// The secret as a receiver configures it.
    pub fn shown(&self) -> SecretString {
        SecretString::from(format!("{PREFIX}{}", STANDARD.encode(&*self.0)))
    }

    /// The raw bytes, for sealing at rest.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        let bytes = Zeroizing::new(bytes);
        SECRET_BYTES.contains(&bytes.len()).then_some(Self(bytes))
    }

    /// `v1,` and the signature of one attempt.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one signature per secret, space separated.
pub fn signature_header(
    secrets: &[SigningSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    let signatures: Vec<String> = secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect();
    signatures.join(" ")
}

/// A new message id (`webhook-id`): `msg_` and 128 random bits, base64url, never a `.`.
pub fn message_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("msg_{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;
    use secrecy::ExposeSecret;

    use super::*;

    /// WH-01: the known-answer vector of the Rust reference library's tests.
    #[test]
    fn wh_01_the_reference_vector_signs_to_its_known_answer() {
        let secret = SigningSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        let body = br#"{"email":"test@example.com","username":"test_user"}"#;
        assert_eq!(
            secret.sign("msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", 1649367553, body),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    /// WH-04: secrets are `whsec_` and base64 of 24–64 random bytes, all distinct; ids hold no
    /// `.`.
    #[test]
    fn wh_04_ten_thousand_secrets_and_ids_are_distinct_and_well_formed() {
        let mut secrets = HashSet::new();
        let mut ids = HashSet::new();
        for _ in 0..10_000 {
            let shown = SigningSecret::generate().shown().expose_secret().to_owned();
            let parsed = SigningSecret::parse(&shown).expect("a shown secret reads back");
            assert!(SECRET_BYTES.contains(&parsed.bytes().len()));
            assert!(secrets.insert(shown));
            let id = message_id();
            assert!(!id.contains('.'), "{id}");
            assert!(ids.insert(id));
        }
    }

    #[test]
    fn a_rotation_header_carries_one_signature_per_secret() {
        let (a, b) = (SigningSecret::generate(), SigningSecret::generate());
        let header = signature_header(&[a.clone(), b.clone()], "msg_1", 7, b"{}");
        assert_eq!(
            header,
            format!(
                "{} {}",
                a.sign("msg_1", 7, b"{}"),
                b.sign("msg_1", 7, b"{}")
            )
        );
    }

    proptest! {
        #[test]
        fn only_secrets_of_the_right_form_are_read(text in ".{0,100}") {
            if let Some(secret) = SigningSecret::parse(&text) {
                prop_assert!(text.starts_with(PREFIX));
                prop_assert!(SECRET_BYTES.contains(&secret.bytes().len()));
            }
        }

        #[test]
        fn short_and_long_keys_are_refused(len in 0usize..100) {
            let shown = format!("{PREFIX}{}", STANDARD.encode(vec![7u8; len]));
            prop_assert_eq!(SigningSecret::parse(&shown).is_some(), SECRET_BYTES.contains(&len));
        }
    }
}
