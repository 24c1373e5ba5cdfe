//! One-time sign-in links: 256-bit random tokens, stored only as their SHA-256 hash, valid for
//! 15 minutes, and a newer link voids older ones for the same address.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use url::Url;

use crate::domain::Email;
use crate::store::{DynStore, SignInToken};

pub const LINK_LIFETIME: Duration = Duration::minutes(15);
pub const PURPOSE_SIGN_IN: &str = "sign_in";

/// A fresh token as sent in a link, and the hash that is stored.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Stores a new sign-in token for `email` and returns the link built from the public URL.
pub async fn issue_link(store: &DynStore, public_url: &Url, email: &Email) -> anyhow::Result<Url> {
    let (token, token_hash) = new_token();
    let now = Utc::now();
    store
        .create_sign_in_token(&SignInToken {
            token_hash,
            email: email.as_str().to_string(),
            purpose: PURPOSE_SIGN_IN.to_string(),
            created_at: now,
            expires_at: now + LINK_LIFETIME,
        })
        .await?;
    let mut link = public_url.join("/login/confirm")?;
    link.query_pairs_mut().append_pair("token", &token);
    Ok(link)
}
