//! `GET /metrics` (security review finding 7): on the main listener, or on its own
//! (`metrics_listen`), and behind a bearer token when `metrics_token` is set.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::AppError;

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token
        && !carries_token(&headers, token.expose_secret())
    {
        // A plain 401 for the scraper, not the sign-in redirect a person would get.
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Whether `Authorization: Bearer <token>` is present. Hashes are compared, so the time taken
/// says nothing about how much of the token was right.
fn carries_token(headers: &HeaderMap, token: &str) -> bool {
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    Sha256::digest(offered.trim().as_bytes()) == Sha256::digest(token.as_bytes())
}

/// What the separate metrics listener serves: `/metrics` and nothing else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(|| async { AppError::NotFound })
        .layer(axum::middleware::from_fn(super::errors::render_errors))
        .with_state(state)
}
