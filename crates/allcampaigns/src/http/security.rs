//! Security headers on every response. The CSP allows no inline script or style: every script
//! and stylesheet is a file we serve.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::cookies::SESSION;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const HSTS: &str = "max-age=63072000; includeSubDomains";

/// `https`: whether users reach us over HTTPS (then HSTS is sent too).
pub async fn headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let private = is_private(&request);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if https {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    if private {
        set(header::CACHE_CONTROL, "no-store");
    }
    response
}

/// Whether the answer may hold someone's data, so neither a browser nor a proxy may keep it
/// (security review finding 14): the API, and any request that carries a session or a bearer.
fn is_private(request: &Request) -> bool {
    let headers = request.headers();
    request.uri().path().starts_with("/api/")
        || headers.contains_key(header::AUTHORIZATION)
        || headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|cookies| cookies.contains(SESSION))
}
