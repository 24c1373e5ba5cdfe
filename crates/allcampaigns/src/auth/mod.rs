//! Sign-in with emailed magic links, server-side sessions, CSRF protection and rate limits.

pub mod access;
pub mod cookies;
pub mod csrf;
pub mod limiter;
pub mod links;
pub mod prune;
pub mod session;
pub mod tokens;

pub use access::TenantAccess;
pub use limiter::{RateLimiter, Refusal};
pub use session::CurrentUser;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, base64url: sign-in tokens, session ids and CSRF tokens alike.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are stored only as their SHA-256 (fine for 256-bit random values).
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Equality whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A `next=` target is honoured only as a same-origin path (RELIABILITY ML-14).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let is_local_path = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    is_local_path.then(|| next.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ml_14_only_same_origin_paths_are_honoured_as_next() {
        assert_eq!(
            safe_next(Some("/tenants/1?x=2")),
            Some("/tenants/1?x=2".into())
        );
        for hostile in [
            "https://evil",
            "//evil",
            "/\\evil",
            "javascript:alert(1)",
            "evil",
            "/\tx",
            " //evil",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), None, "{hostile:?}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn ml_01_tokens_carry_256_bits_and_never_repeat() {
        let tokens: std::collections::HashSet<String> =
            (0..10_000).map(|_| random_token()).collect();
        assert_eq!(tokens.len(), 10_000);
        for token in tokens.iter().take(100) {
            assert_eq!(URL_SAFE_NO_PAD.decode(token).unwrap().len(), 32);
        }
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
