//! One-time sign-in links: 256-bit random tokens, stored only as their SHA-256 hash, valid for
//! 15 minutes, used once; a newer link voids older ones for the same address. Links are built
//! from the configured public URL, never from the request's `Host`.

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::{hash_token, random_token, safe_next};
use crate::domain::Email;
use crate::store::{DynStore, SignInToken};

pub const LINK_LIFETIME: Duration = Duration::minutes(15);
pub const PURPOSE_SIGN_IN: &str = "sign_in";
/// The first-run link: whoever opens it names the first owner. Bound to no address.
pub const PURPOSE_SETUP: &str = "setup";
const SETUP_ADDRESS: &str = "first-owner@setup.invalid";

/// Stores a new sign-in token for `email` and returns the link to mail.
pub async fn issue_link(
    store: &DynStore,
    public_url: &Url,
    email: &Email,
    next: Option<&str>,
) -> anyhow::Result<Url> {
    let token = random_token();
    let now = Utc::now();
    store
        .create_sign_in_token(&SignInToken {
            token_hash: hash_token(&token),
            email: email.as_str().to_string(),
            purpose: PURPOSE_SIGN_IN.to_string(),
            created_at: now,
            expires_at: now + LINK_LIFETIME,
        })
        .await?;
    let mut link = public_url.join("/login/confirm")?;
    link.query_pairs_mut().append_pair("token", &token);
    if let Some(next) = safe_next(next) {
        link.query_pairs_mut().append_pair("next", &next);
    }
    Ok(link)
}

/// Takes a sign-in token once; `None` when unknown, used, superseded or expired.
pub async fn redeem(
    store: &DynStore,
    token: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Email>> {
    let Some(taken) = store.consume_sign_in_token(&hash_token(token), now).await? else {
        return Ok(None);
    };
    if taken.purpose != PURPOSE_SIGN_IN {
        return Ok(None);
    }
    Ok(Email::parse(&taken.email).ok())
}

/// The address a live sign-in link signs into, without using it up.
pub async fn peek(
    store: &DynStore,
    token: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Email>> {
    let token = store.sign_in_token(&hash_token(token), now).await?;
    Ok(token
        .filter(|t| t.purpose == PURPOSE_SIGN_IN)
        .and_then(|t| Email::parse(&t.email).ok()))
}

/// On an empty install, a one-time link that creates the first owner; `None` once anyone exists.
pub async fn issue_setup_link(store: &DynStore, public_url: &Url) -> anyhow::Result<Option<Url>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let token = random_token();
    let now = Utc::now();
    store
        .create_sign_in_token(&SignInToken {
            token_hash: hash_token(&token),
            email: SETUP_ADDRESS.into(),
            purpose: PURPOSE_SETUP.into(),
            created_at: now,
            expires_at: now + Duration::days(1),
        })
        .await?;
    let mut link = public_url.join("/setup")?;
    link.query_pairs_mut().append_pair("token", &token);
    Ok(Some(link))
}

/// Takes a setup token once; true when it was valid.
pub async fn redeem_setup(
    store: &DynStore,
    token: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let taken = store.consume_sign_in_token(&hash_token(token), now).await?;
    Ok(taken.is_some_and(|t| t.purpose == PURPOSE_SETUP))
}
