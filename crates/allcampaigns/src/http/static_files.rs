//! Our own static files, embedded in the binary.

use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;

use crate::error::{AppError, AppResult};

const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    ),
    (
        "inbox.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/inbox.js"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> AppResult<impl IntoResponse> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(name, _, _)| *name == file)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    ))
}
