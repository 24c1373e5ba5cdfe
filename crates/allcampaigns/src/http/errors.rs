//! Renders an [`ErrorBody`] left in a response's extensions: JSON under `/api`, a page
//! elsewhere. Errors raised by layers (body limit, timeout) are given a body here too.

use std::any::Any;

use askama::Template;
use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::error::{AppError, ErrorBody};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: &'a ErrorBody,
}

pub async fn render_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let here = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let response = next.run(request).await;
    if !is_api && response.status() == StatusCode::UNAUTHORIZED {
        return sign_in_first(&here);
    }
    let body = match response.extensions().get::<ErrorBody>() {
        Some(body) => body.clone(),
        None => match layer_error(response.status()) {
            Some(error) => ErrorBody {
                code: error.code(),
                message: error.to_string(),
            },
            None => return response,
        },
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let rendered = if is_api {
        Json(ErrorEnvelope { error: &body }).into_response()
    } else {
        let page = ErrorPage {
            status: parts.status.as_u16(),
            title: parts.status.canonical_reason().unwrap_or("Error"),
            message: &body.message,
        };
        match page.render() {
            Ok(html) => Html(html).into_response(),
            Err(_) => body.message.clone().into_response(),
        }
    };
    let (rendered_parts, rendered_body) = rendered.into_parts();
    parts.headers.extend(rendered_parts.headers);
    Response::from_parts(parts, rendered_body)
}

/// A page that needs a signed-in person sends everyone else to the sign-in form and back.
fn sign_in_first(here: &str) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", here)
        .finish();
    axum::response::Redirect::to(&format!("/login?{query}")).into_response()
}

/// Statuses produced by tower layers without an [`AppError`].
fn layer_error(status: StatusCode) -> Option<AppError> {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => Some(AppError::PayloadTooLarge),
        StatusCode::GATEWAY_TIMEOUT => Some(AppError::Timeout),
        StatusCode::INTERNAL_SERVER_ERROR => {
            Some(AppError::Internal(anyhow::anyhow!("unexplained 500")))
        }
        _ => None,
    }
}

/// A panic is logged (without its payload, which may hold data) and answered as a plain 500.
pub fn panic_response(_payload: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
}
