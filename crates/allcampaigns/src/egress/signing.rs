//! Signed image-proxy addresses, so the proxy is not an open one: it fetches only URLs this
//! install wrote into a page, for the person it wrote them for, for a few hours.
//! `GET /image-proxy?url=<url>&u=<user id>&exp=<unix seconds>&sig=<signature>`, where the
//! signature is HMAC-SHA256 over the URL, the person and the expiry, base64url, keyed by a key
//! derived from the master key (`Keyring::derive_keys`): signed with the primary key's, accepted
//! under any configured key's, so a rotation does not break pages already shown.
//!
//! The signature, not the session, is the proxy's proof: an email body is shown in a frame
//! sandboxed without `allow-same-origin`, whose requests come from an opaque origin and so carry
//! no `SameSite=Lax` session cookie.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use url::Url;
use zeroize::Zeroizing;

use crate::crypto::Keyring;
use crate::domain::UserId;

/// Where the image proxy answers.
pub const PROXY_PATH: &str = "/image-proxy";

/// How long a shown page's image addresses stay good.
pub const GRANT_HOURS: i64 = 4;

/// How far behind the node that signed another node's clock may be.
const CLOCK_SKEW_SECS: i64 = 300;

/// What the derived key is for; no other use may take this label.
const KEY_LABEL: &str = "image-proxy-url";
/// Domain separation inside the MAC, so a signature can be for nothing else.
const CONTEXT: &[u8] = b"allcampaigns:image-proxy:v2:";

/// Whom an address is for and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageGrant {
    pub user: UserId,
    /// Unix seconds.
    pub expires: i64,
}

impl ImageGrant {
    /// A grant for `user` from `now` for [`GRANT_HOURS`].
    pub fn for_user(user: UserId, now: DateTime<Utc>) -> Self {
        Self {
            user,
            expires: (now + Duration::hours(GRANT_HOURS)).timestamp(),
        }
    }
}

pub struct ImageUrlSigner {
    /// The primary key's first.
    keys: Vec<Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for ImageUrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImageUrlSigner([REDACTED])")
    }
}

impl ImageUrlSigner {
    pub fn from_keyring(keyring: &Keyring) -> Self {
        Self {
            keys: keyring.derive_keys(KEY_LABEL),
        }
    }

    fn mac(key: &[u8; 32], url: &str, grant: ImageGrant) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(CONTEXT);
        // Lengths first, so no two (url, user, expiry) triples share their bytes.
        mac.update(&(url.len() as u64).to_be_bytes());
        mac.update(url.as_bytes());
        mac.update(grant.user.as_uuid().as_bytes());
        mac.update(&grant.expires.to_be_bytes());
        mac
    }

    /// The signature of `url` (exactly these characters) for `grant`.
    pub fn sign(&self, url: &str, grant: ImageGrant) -> String {
        let mac = Self::mac(&self.keys[0], url, grant);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` is one this install made for `url` and `grant`, compared in
    /// constant time, and the grant has not expired at `now` (nor reaches further than a
    /// grant made at `now` would, give or take another node's clock).
    pub fn verify(
        &self,
        url: &str,
        grant: ImageGrant,
        signature: &str,
        now: DateTime<Utc>,
    ) -> bool {
        let now = now.timestamp();
        if grant.expires <= now || grant.expires > now + GRANT_HOURS * 3600 + CLOCK_SKEW_SECS {
            return false;
        }
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        self.keys
            .iter()
            .any(|key| Self::mac(key, url, grant).verify_slice(&signature).is_ok())
    }

    /// The proxy address (path and query) that shows `url`'s image to `grant`'s person.
    pub fn proxy_path(&self, url: &Url, grant: ImageGrant) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("url", url.as_str())
            .append_pair("u", &grant.user.to_string())
            .append_pair("exp", &grant.expires.to_string())
            .append_pair("sig", &self.sign(url.as_str(), grant))
            .finish();
        format!("{PROXY_PATH}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::format_key;

    fn keyring(keys: &[(u32, u8)]) -> Keyring {
        let text: Vec<String> = keys
            .iter()
            .map(|&(id, byte)| format_key(id, &[byte; 32]).to_string())
            .collect();
        Keyring::from_text(&text.join("\n")).unwrap()
    }

    fn grant() -> (ImageGrant, DateTime<Utc>) {
        let now = Utc::now();
        (ImageGrant::for_user(UserId::new(), now), now)
    }

    #[test]
    fn a_signature_holds_for_its_url_person_and_expiry_only_and_under_its_install_only() {
        let signer = ImageUrlSigner::from_keyring(&keyring(&[(1, 7)]));
        let (grant, now) = grant();
        let url = "https://cdn.example.com/a.png?x=1";
        let signature = signer.sign(url, grant);
        assert!(signer.verify(url, grant, &signature, now));
        let other_url = "https://cdn.example.com/a.png?x=2";
        assert!(!signer.verify(other_url, grant, &signature, now));
        let other_person = ImageGrant {
            user: UserId::new(),
            ..grant
        };
        assert!(!signer.verify(url, other_person, &signature, now));
        let longer = ImageGrant {
            expires: grant.expires - 1,
            ..grant
        };
        assert!(!signer.verify(url, longer, &signature, now));
        assert!(!signer.verify(url, grant, "AAAA", now));
        assert!(!signer.verify(url, grant, "not base64 at all!", now));
        assert!(!signer.verify(url, grant, "", now));
        let other = ImageUrlSigner::from_keyring(&keyring(&[(1, 8)]));
        assert!(!other.verify(url, grant, &signature, now));
    }

    #[test]
    fn a_signature_expires_and_one_reaching_too_far_is_refused() {
        let signer = ImageUrlSigner::from_keyring(&keyring(&[(1, 7)]));
        let (grant, now) = grant();
        let url = "https://cdn.example.com/a.png";
        let signature = signer.sign(url, grant);
        let later = now + Duration::hours(GRANT_HOURS) + Duration::seconds(1);
        assert!(!signer.verify(url, grant, &signature, later));
        let far = ImageGrant {
            expires: (now + Duration::days(30)).timestamp(),
            ..grant
        };
        assert!(!signer.verify(url, far, &signer.sign(url, far), now));
        let ahead = ImageGrant::for_user(grant.user, now + Duration::seconds(120));
        let signature = signer.sign(url, ahead);
        assert!(
            signer.verify(url, ahead, &signature, now),
            "a node two minutes ahead signed it"
        );
    }

    #[test]
    fn signatures_made_before_a_rotation_still_verify_and_new_ones_use_the_new_key() {
        let before = ImageUrlSigner::from_keyring(&keyring(&[(1, 7)]));
        let after = ImageUrlSigner::from_keyring(&keyring(&[(1, 7), (2, 9)]));
        let (grant, now) = grant();
        let url = "https://cdn.example.com/a.png";
        assert!(after.verify(url, grant, &before.sign(url, grant), now));
        assert_ne!(after.sign(url, grant), before.sign(url, grant));
        assert!(!before.verify(url, grant, &after.sign(url, grant), now));
    }

    #[test]
    fn the_proxy_path_carries_the_url_person_expiry_and_signature_encoded() {
        let signer = ImageUrlSigner::from_keyring(&keyring(&[(1, 7)]));
        let (grant, now) = grant();
        let url = Url::parse("https://cdn.example.com/a b.png?x=1&y=2#f").unwrap();
        let path = signer.proxy_path(&url, grant);
        let parsed = Url::parse(&format!("http://app{path}")).unwrap();
        assert_eq!(parsed.path(), PROXY_PATH);
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("url".into(), url.to_string()));
        assert_eq!(pairs[1], ("u".into(), grant.user.to_string()));
        assert_eq!(pairs[2], ("exp".into(), grant.expires.to_string()));
        assert_eq!(pairs[3].0, "sig");
        assert!(signer.verify(url.as_str(), grant, &pairs[3].1, now));
    }
}
