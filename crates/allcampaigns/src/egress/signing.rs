//! Signed image-proxy addresses, so the proxy is not an open one: it fetches only URLs this
//! install wrote into a page. `GET /image-proxy?url=<url>&sig=<signature>`, where the signature
//! is HMAC-SHA256 over the URL, base64url, keyed by a key derived from the master key
//! (`Keyring::derive_keys`): signed with the primary key's, accepted under any configured
//! key's, so a rotation does not break pages already shown.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use url::Url;
use zeroize::Zeroizing;

use crate::crypto::Keyring;

/// Where the image proxy answers.
pub const PROXY_PATH: &str = "/image-proxy";

/// What the derived key is for; no other use may take this label.
const KEY_LABEL: &str = "image-proxy-url";
/// Domain separation inside the MAC, so a signature can be for nothing else.
const CONTEXT: &[u8] = b"allcampaigns:image-proxy:v1:";

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

    fn mac(key: &[u8; 32], url: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(CONTEXT);
        mac.update(url.as_bytes());
        mac
    }

    /// The signature of `url` (exactly these characters).
    pub fn sign(&self, url: &str) -> String {
        let mac = Self::mac(&self.keys[0], url);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Whether `signature` is one this install made for `url`, compared in constant time.
    pub fn verify(&self, url: &str, signature: &str) -> bool {
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        self.keys
            .iter()
            .any(|key| Self::mac(key, url).verify_slice(&signature).is_ok())
    }

    /// The proxy address (path and query) that shows `url`'s image.
    pub fn proxy_path(&self, url: &Url) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("url", url.as_str())
            .append_pair("sig", &self.sign(url.as_str()))
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

    #[test]
    fn a_signature_holds_for_its_url_only_and_under_its_install_only() {
        let signer = ImageUrlSigner::from_keyring(&keyring(&[(1, 7)]));
        let url = "https://cdn.example.com/a.png?x=1";
        let signature = signer.sign(url);
        assert!(signer.verify(url, &signature));
        assert!(!signer.verify("https://cdn.example.com/a.png?x=2", &signature));
        assert!(!signer.verify(url, "AAAA"));
        assert!(!signer.verify(url, "not base64 at all!"));
        assert!(!signer.verify(url, ""));
        let other = ImageUrlSigner::from_keyring(&keyring(&[(1, 8)]));
        assert!(!other.verify(url, &signature));
    }

    #[test]
    fn signatures_made_before_a_rotation_still_verify_and_new_ones_use_the_new_key() {
        let before = ImageUrlSigner::from_keyring(&keyring(&[(1, 7)]));
        let after = ImageUrlSigner::from_keyring(&keyring(&[(1, 7), (2, 9)]));
        let url = "https://cdn.example.com/a.png";
        assert!(after.verify(url, &before.sign(url)));
        assert_ne!(after.sign(url), before.sign(url));
        assert!(!before.verify(url, &after.sign(url)));
    }

    #[test]
    fn the_proxy_path_carries_the_url_and_its_signature_encoded() {
        let signer = ImageUrlSigner::from_keyring(&keyring(&[(1, 7)]));
        let url = Url::parse("https://cdn.example.com/a b.png?x=1&y=2#f").unwrap();
        let path = signer.proxy_path(&url);
        let parsed = Url::parse(&format!("http://app{path}")).unwrap();
        assert_eq!(parsed.path(), PROXY_PATH);
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("url".into(), url.to_string()));
        assert_eq!(pairs[1].0, "sig");
        assert!(signer.verify(url.as_str(), &pairs[1].1));
    }
}
