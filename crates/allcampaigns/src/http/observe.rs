//! Per-request observation: the tracing span (named by route template), metrics, and a line in
//! the operational request log.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use tracing::Span;

use super::REQUEST_ID;
use super::client_ip::ClientIp;
use crate::app::AppState;
use crate::observability::{HttpLabels, method_label};
use crate::store::RequestLogEntry;

const UNMATCHED: &str = "(unmatched)";
const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

pub fn make_span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, |p| p.as_str());
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let method = method_label(request.method());
    tracing::info_span!("request", method, route, request_id)
}

/// Only a trusted proxy may choose a request's id: from anyone else it is dropped and a new one
/// made, so nobody can put an id of their choosing on the audit entries of their own actions.
pub async fn forget_untrusted_request_id(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    let trusted = &state.config.trusted_proxies;
    if !peer.is_some_and(|peer| trusted.iter().any(|net| net.contains(&peer))) {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED.to_string(), |p| p.as_str().to_string());
    let method = method_label(request.method()).to_string();
    let trusted = &state.config.trusted_proxies;
    let ip = ClientIp::of(request.extensions(), request.headers(), trusted)
        .map(|client| client.0.to_string());
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(300).collect());
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // Audit entries written while serving carry the request's id.
    let mut response = crate::audit::in_request(request_id, next.run(request)).await;
    let elapsed = started.elapsed();
    // The time the app took, for benchmarks (W3C Server Timing). Off unless asked: it would
    // tell anyone how long, say, a sign-in for a known address took (ML-06).
    if state.config.server_timing {
        let timing = format!("app;dur={:.3}", elapsed.as_secs_f64() * 1000.0);
        if let Ok(value) = HeaderValue::from_str(&timing) {
            response.headers_mut().insert(SERVER_TIMING, value);
        }
    }
    let status = response.status().as_u16();
    let labels = HttpLabels {
        method: method.clone(),
        route: route.clone(),
        status,
    };
    state.metrics.http_requests.get_or_create(&labels).inc();
    state
        .metrics
        .http_duration
        .get_or_create(&labels)
        .observe(elapsed.as_secs_f64());
    state.request_log.record(RequestLogEntry {
        at: Utc::now(),
        ip,
        user_agent,
        method,
        route,
        status,
        duration_ms: u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX),
    });
    response
}
