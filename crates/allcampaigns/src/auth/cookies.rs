//! The two cookies we set (session and CSRF guard), with the attributes RELIABILITY ML-10 asks
//! for: `__Host-` prefix, `Secure` and `HttpOnly` over HTTPS, `SameSite=Lax`, `Path=/`, no `Domain`.

use axum::http::{HeaderMap, HeaderValue, header};

#[derive(Debug, Clone, Copy)]
pub struct CookieJar {
    https: bool,
}

pub const SESSION: &str = "ac_session";
pub const CSRF: &str = "ac_csrf";

impl CookieJar {
    pub fn new(https: bool) -> Self {
        Self { https }
    }

    /// The full cookie name: `__Host-` prefixed when served over HTTPS.
    pub fn name(&self, base: &str) -> String {
        if self.https {
            format!("__Host-{base}")
        } else {
            base.to_string()
        }
    }

    pub fn get(&self, headers: &HeaderMap, base: &str) -> Option<String> {
        let name = self.name(base);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
    }

    pub fn set(&self, base: &str, value: &str, max_age_secs: i64) -> HeaderValue {
        let secure = if self.https { "; Secure" } else { "" };
        let cookie = format!(
            "{}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
            self.name(base)
        );
        HeaderValue::from_str(&cookie).expect("cookie values are base64url")
    }

    pub fn clear(&self, base: &str) -> HeaderValue {
        self.set(base, "", 0)
    }
}
