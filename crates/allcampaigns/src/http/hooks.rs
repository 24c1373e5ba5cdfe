//! `POST /hooks/instantly/{secret}`: Instantly's webhook events for one client
//! (`inbound::rules::receive`). The answer is 200 only once the event is stored; a secret or
//! header that names no hook is 404, a body over `inbound::MAX_EVENT_BYTES` 413, a body that is
//! not an event 400, and nothing is stored for any of them.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde::Serialize;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::inbound::{HEADER, MAX_EVENT_BYTES, rules};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/hooks/instantly/{secret}",
        post(receive).layer(DefaultBodyLimit::max(MAX_EVENT_BYTES)),
    )
}

#[derive(Serialize)]
struct Ack {
    stored: bool,
    /// The same event was stored before (Instantly delivered it again).
    duplicate: bool,
}

async fn receive(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<(StatusCode, Json<Ack>)> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest(crate::text::Problem::Body {
            kind: crate::text::BodyFault::BadSyntax,
            detail: "the body could not be read".into(),
        }),
    })?;
    let header = headers.get(HEADER).and_then(|v| v.to_str().ok());
    let received = rules::receive(&app.store, &secret, header, &body).await?;
    let ack = Ack {
        stored: true,
        duplicate: !received.new,
    };
    Ok((StatusCode::OK, Json(ack)))
}
