//! The HTTP server: a hyper accept loop (so that injected faults can drop connections without
//! an answer) in front of the axum routers, with graceful shutdown.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::api::{DuplicateFault, standard_body};
use crate::faults::Fault;
use crate::state::Sim;

/// Serves until `stop` changes, then lets open connections finish (up to 5 s).
pub async fn serve(listener: TcpListener, sim: Arc<Sim>, mut stop: watch::Receiver<bool>) {
    let app = crate::api::router(sim.clone()).merge(crate::admin::router(sim.clone()));
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let (app, sim) = (app.clone(), sim.clone());
        let service =
            hyper::service::service_fn(move |request| handle(sim.clone(), app.clone(), request));
        let connection = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(5)) => {}
    }
}

/// One request: faults first (they stand for the infrastructure in front of Instantly), then
/// the routers. An `Err` makes hyper close the connection without answering.
async fn handle(
    sim: Arc<Sim>,
    app: Router,
    request: Request<Incoming>,
) -> Result<Response<Body>, io::Error> {
    let mut request = request.map(Body::new);
    if !request.uri().path().starts_with("/api/") {
        return Ok(run(app, request).await);
    }
    sim.requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (latency, fault, hang, retry_after) = {
        let mut faults = sim.faults();
        (
            faults.latency(),
            faults.draw(),
            faults.timeout(),
            faults.config.retry_after_secs,
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault {
        None => Ok(run(app, request).await),
        Some(Fault::Reset) => Err(io::Error::other("injected connection reset")),
        Some(Fault::Timeout) => {
            tokio::time::sleep(hang).await;
            Err(io::Error::other("injected timeout"))
        }
        Some(Fault::Error500) => Ok(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error",
        )),
        Some(Fault::Error503) => Ok(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service temporarily unavailable",
        )),
        Some(Fault::Error502) => Ok(bad_gateway()),
        Some(Fault::Error429) => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded");
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            Ok(response)
        }
        Some(Fault::Duplicate) => {
            request.extensions_mut().insert(DuplicateFault);
            Ok(run(app, request).await)
        }
        Some(Fault::Truncate) => Ok(truncate(run(app, request).await).await),
    }
}

async fn run(app: Router, request: Request<Body>) -> Response<Body> {
    let response: Result<_, Infallible> = app.oneshot(request).await;
    match response {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn error(status: StatusCode, message: &str) -> Response<Body> {
    (status, axum::Json(standard_body(status, message))).into_response()
}

/// What a proxy in front of the API answers when the origin is down.
fn bad_gateway() -> Response<Body> {
    let html = concat!(
        "<html><head><title>502 Bad Gateway</title></head><body>",
        "<center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"
    );
    let mut response = (StatusCode::BAD_GATEWAY, html).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// Declares the full length, sends half, then fails the body so the connection drops.
async fn truncate(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    let chunks: Vec<Result<Bytes, io::Error>> =
        vec![Ok(half), Err(io::Error::other("injected truncation"))];
    Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)))
}
