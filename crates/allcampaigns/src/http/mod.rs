//! The HTTP surface: routes, and the layers every request passes through.

mod api;
mod client_ip;
mod errors;
mod health;
mod hooks;
mod image_proxy;
pub mod metrics;
mod observe;
pub(crate) mod pages;
mod security;
pub mod server;
mod static_files;

pub use client_ip::ClientIp;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::error::AppError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let config = &state.config;
    let mut routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    if config.metrics_listen.is_none() {
        routes = routes.route("/metrics", get(metrics::metrics));
    }
    let routes = routes
        .route("/static/{file}", get(static_files::serve))
        .route(crate::egress::signing::PROXY_PATH, get(image_proxy::serve))
        .merge(hooks::routes())
        .merge(pages::routes())
        .merge(api::routes());
    with_layers(routes, state)
}

/// `routes` behind the layers every request passes through: errors, panics, request ids,
/// observation, CSRF, limits. Public so a test can put a route of its own (one that panics)
/// behind exactly these.
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    let config = &state.config;
    let routes = routes
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::csrf::protect,
        ))
        // Runs after routing, so the route template is known.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::observe,
        ));
    let layers = ServiceBuilder::new()
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            axum::http::header::COOKIE,
            HeaderName::from_static(crate::inbound::HEADER),
        ]))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::forget_untrusted_request_id,
        ))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(observe::make_span))
        .layer(axum::middleware::from_fn_with_state(
            config.is_https(),
            security::headers,
        ))
        .layer(axum::middleware::from_fn(errors::render_errors))
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            timeout(config.request_timeout),
        ))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes));
    routes.layer(layers).with_state(state)
}

fn timeout(configured: Duration) -> Duration {
    configured.max(Duration::from_millis(1))
}

/// An unknown address. A signed-in person's session is still read, so the page wears their
/// language and theme; the answer is the same 404 either way.
async fn not_found(_person: Result<crate::auth::CurrentUser, AppError>) -> AppError {
    AppError::NotFound
}
