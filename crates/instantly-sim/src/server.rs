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
use chrono::{DateTime, Utc};
use futures::StreamExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::api::{DuplicateFault, standard_body};
use crate::faults::{Fault, Plan};
use crate::requests::Served;
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
/// the routers; each API request is logged with its fault and its answer.
async fn handle(
    sim: Arc<Sim>,
    app: Router,
    request: Request<Incoming>,
) -> Result<Response<Body>, io::Error> {
    let request = request.map(Body::new);
    if !request.uri().path().starts_with("/api/") {
        return Ok(run(app, request).await);
    }
    sim.requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let plan = sim.faults().plan(request.uri().path());
    let served = Served {
        at: Utc::now(),
        method: request.method().to_string(),
        target: request
            .uri()
            .path_and_query()
            .map_or_else(String::new, |p| p.to_string()),
        fault: plan.fault,
        status: None,
        retry_after: None,
    };
    let entry = sim.request_log().arrived(served);
    let response = faulted(app, request, plan).await?;
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = response.status().as_u16();
    let answered = move || sim.request_log().answered(entry, status, retry_after);
    Ok(match plan.fault {
        // Cut off on purpose: never wholly answered.
        Some(Fault::Truncate) => response,
        // Answered once the last byte goes out, so a client that gave up shows as none.
        Some(Fault::Slow) => throttle(response, plan.bytes_per_sec, answered).await,
        _ => {
            answered();
            response
        }
    })
}

/// Applies the plan's latency and fault (a slow body is throttled by the caller). An `Err`
/// makes hyper close the connection without answering.
async fn faulted(
    app: Router,
    mut request: Request<Body>,
    plan: Plan,
) -> Result<Response<Body>, io::Error> {
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    if plan.after_handler && strikes_after_handler(plan.fault) {
        // The API acts on the request; only its answer is lost or replaced.
        drop(run(app, request).await);
        return answer_lost(plan).await;
    }
    match plan.fault {
        None => Ok(run(app, request).await),
        Some(Fault::Reset) => Err(io::Error::other("injected connection reset")),
        Some(Fault::Timeout) => {
            tokio::time::sleep(plan.hang).await;
            Err(io::Error::other("injected timeout"))
        }
        Some(Fault::Error400) => Ok(error(
            StatusCode::BAD_REQUEST,
            "querystring must match the schema",
        )),
        Some(Fault::Error401) => Ok(error(StatusCode::UNAUTHORIZED, "Invalid API key")),
        Some(Fault::Error404) => Ok(error(StatusCode::NOT_FOUND, "Resource not found")),
        Some(Fault::Error500) => Ok(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal server error",
        )),
        Some(Fault::Error503) => Ok(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service temporarily unavailable",
        )),
        Some(Fault::Error502) => Ok(bad_gateway()),
        Some(Fault::Error429) => Ok(too_many_requests(&plan)),
        Some(Fault::Duplicate) => {
            request.extensions_mut().insert(DuplicateFault);
            Ok(run(app, request).await)
        }
        Some(Fault::Truncate) => Ok(truncate(run(app, request).await).await),
        Some(Fault::Slow) => Ok(run(app, request).await),
    }
}

/// The faults that can strike after the API handled a request: those that lose its answer.
fn strikes_after_handler(fault: Option<Fault>) -> bool {
    matches!(
        fault,
        Some(Fault::Timeout | Fault::Reset | Fault::Error500 | Fault::Error502 | Fault::Error503)
    )
}

/// What the client gets instead of the answer of a request the API already handled.
async fn answer_lost(plan: Plan) -> Result<Response<Body>, io::Error> {
    match plan.fault {
        Some(Fault::Timeout) => {
            tokio::time::sleep(plan.hang).await;
            Err(io::Error::other("injected timeout after the handler ran"))
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
        _ => Err(io::Error::other(
            "injected connection reset after the handler ran",
        )),
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

/// 429 with `Retry-After` as seconds or as an HTTP date, when the plan gives one.
fn too_many_requests(plan: &Plan) -> Response<Body> {
    let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded");
    let value = match (plan.retry_after_secs, plan.retry_after_date) {
        (None, _) => return response,
        (Some(seconds), false) => HeaderValue::from(seconds),
        (Some(seconds), true) => match HeaderValue::from_str(&http_date(seconds)) {
            Ok(value) => value,
            Err(_) => return response,
        },
    };
    response.headers_mut().insert(header::RETRY_AFTER, value);
    response
}

/// The time `seconds` from now as an HTTP date (IMF-fixdate), rounded up to the next whole
/// second so that a client which waits until then waits at least that long.
fn http_date(seconds: u64) -> String {
    let ahead = i64::try_from(seconds)
        .ok()
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|wait| Utc::now().checked_add_signed(wait))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let whole = ahead
        .timestamp()
        .saturating_add(i64::from(ahead.timestamp_subsec_nanos() > 0));
    DateTime::from_timestamp(whole, 0)
        .unwrap_or(ahead)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Declares the full length, then sends the body a tenth of `bytes_per_sec` every tenth of a
/// second (a client with a short timeout gives up on a large body); `sent` runs after the
/// last byte.
async fn throttle(
    response: Response<Body>,
    bytes_per_sec: u64,
    sent: impl FnOnce() + Send + 'static,
) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let step = usize::try_from(bytes_per_sec / 10)
        .unwrap_or(usize::MAX)
        .max(1);
    let chunks: Vec<Bytes> = (0..bytes.len())
        .step_by(step)
        .map(|at| bytes.slice(at..bytes.len().min(at.saturating_add(step))))
        .collect();
    let last = chunks.len();
    if last == 0 {
        sent();
        return Response::from_parts(parts, Body::empty());
    }
    let mut sent = Some(sent);
    let trickle = futures::stream::iter(chunks.into_iter().enumerate()).then(move |(i, chunk)| {
        let done = if i + 1 == last { sent.take() } else { None };
        async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if let Some(sent) = done {
                sent();
            }
            Ok::<_, io::Error>(chunk)
        }
    });
    Response::from_parts(parts, Body::from_stream(trickle))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SubsecRound;

    #[test]
    fn an_http_date_is_imf_fixdate_and_never_earlier_than_asked() {
        let asked = Utc::now() + chrono::TimeDelta::seconds(2);
        let date = http_date(2);
        assert!(date.ends_with(" GMT"), "{date}");
        let parsed = DateTime::parse_from_rfc2822(&date).unwrap();
        assert!(parsed >= asked.trunc_subsecs(0), "{date}");
        assert!(parsed <= asked + chrono::TimeDelta::seconds(1), "{date}");
        assert_eq!(
            http_date(u64::MAX),
            http_date(u64::MAX),
            "far dates do not overflow"
        );
    }
}
