//! CSRF protection for every state-changing request: Fetch Metadata and `Origin` checks, plus a
//! double-submit token (a cookie and a form field or `X-CSRF-Token` header that must match).
//! Requests authenticated by a bearer token carry no cookies and skip the token check (only
//! `/api/` routes take bearers; elsewhere such a request is simply not signed in). The cookie
//! is replaced at sign-in and sign-out (security review finding 18). Inbound hooks
//! (`/hooks/…`) are no one's session and carry their own secrets: they are left alone.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::cookies::{self, CookieJar};
use super::{constant_time_eq, random_token};
use crate::app::AppState;
use crate::error::AppError;

/// The CSRF token of this request, for forms to embed.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CsrfToken>().cloned().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("the CSRF layer does not cover this route"))
        })
    }
}

const TOKEN_HEADER: &str = "x-csrf-token";
const COOKIE_MAX_AGE_SECS: i64 = 60 * 60 * 24 * 365;
const TOKEN_FIELD: &str = "csrf";

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let jar = CookieJar::new(state.config.is_https());
    let existing = jar.get(request.headers(), cookies::CSRF);
    let mut request = request;
    // An inbound hook's request carries its own secrets and is served with no session.
    let hook = request
        .uri()
        .path()
        .starts_with(crate::inbound::PATH_PREFIX);
    if !hook
        && !matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        )
    {
        match verify(&state, existing.as_deref(), request).await {
            Ok(checked) => request = checked,
            Err(refusal) => return refusal.into_response(),
        }
    }
    let token = existing.clone().unwrap_or_else(random_token);
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if existing.is_none() && !hook && !sets_csrf_cookie(&response, &jar) {
        response.headers_mut().append(
            header::SET_COOKIE,
            jar.set(cookies::CSRF, &token, COOKIE_MAX_AGE_SECS),
        );
    }
    response
}

/// A new CSRF cookie, for a response that signs someone in or out.
pub fn fresh_cookie(jar: &CookieJar) -> HeaderValue {
    jar.set(cookies::CSRF, &random_token(), COOKIE_MAX_AGE_SECS)
}

/// Whether the handler already replaced the cookie (a sign-in or sign-out).
fn sets_csrf_cookie(response: &Response, jar: &CookieJar) -> bool {
    let prefix = format!("{}=", jar.name(cookies::CSRF));
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| value.as_bytes().starts_with(prefix.as_bytes()))
}

async fn verify(
    state: &AppState,
    cookie: Option<&str>,
    request: Request,
) -> Result<Request, AppError> {
    let headers = request.headers();
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|site| site != "same-origin" && site != "none") {
        return Err(refused());
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    // A page served with `Referrer-Policy: no-referrer` (the sign-in and invitation pages) makes
    // browsers send `Origin: null` with its own forms. Fetch Metadata still says same-origin
    // then, and the token below is checked all the same.
    let opaque_same_origin = origin == Some("null") && site == Some("same-origin");
    if origin.is_some_and(|origin| origin != state.config.public_url.origin().ascii_serialization())
        && !opaque_same_origin
    {
        return Err(refused());
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer && cookie.is_none() {
        return Ok(request);
    }
    let cookie = cookie.ok_or_else(refused)?;
    if let Some(sent) = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(sent.as_bytes(), cookie.as_bytes()) {
            Ok(request)
        } else {
            Err(refused())
        };
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, state.config.max_body_bytes)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let sent = url::form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == TOKEN_FIELD)
        .map(|(_, v)| v.into_owned());
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), cookie.as_bytes()) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(refused()),
    }
}

fn refused() -> AppError {
    AppError::CsrfRejected
}
