//! The HTTP surface: routes, and the layers every request passes through.

mod errors;
mod health;
mod observe;
mod pages;
mod security;
mod static_files;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::routing::{get, post};
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
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/static/{file}", get(static_files::serve))
        .route("/", get(pages::home::home))
        .route(
            "/login",
            get(pages::login::form).post(pages::login::request_link),
        )
        .route(
            "/login/confirm",
            get(pages::login::confirm_page).post(pages::login::confirm),
        )
        .route("/logout", post(pages::login::logout))
        .route("/tenants", post(pages::tenants::create))
        .route("/tenants/new", get(pages::tenants::new_form))
        .route("/t/{tenant_id}", get(pages::tenants::show))
        .route(
            "/t/{tenant_id}/settings",
            get(pages::tenants::edit_form).post(pages::tenants::update),
        )
        .route("/t/{tenant_id}/delete", post(pages::tenants::delete))
        .route(
            "/t/{tenant_id}/members",
            get(pages::members::list).post(pages::members::invite),
        )
        .route(
            "/t/{tenant_id}/members/{user_id}/role",
            post(pages::members::change_role),
        )
        .route(
            "/t/{tenant_id}/members/{user_id}/remove",
            post(pages::members::remove),
        )
        .route(
            "/invitations/accept",
            get(pages::members::accept_page).post(pages::members::accept),
        )
        .route("/logout/everywhere", post(pages::login::logout_everywhere))
        .fallback(|| async { AppError::NotFound })
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
        ]))
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
