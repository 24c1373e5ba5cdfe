//! Renders an [`ErrorBody`] left in a response's extensions: JSON under `/api` and `/hooks`
//! (in English),
//! a page elsewhere (in the person's language and theme, when the request had a person).
//! Errors raised by layers (body limit, timeout) are given a body here too.

use std::any::Any;

use askama::Template;
use axum::Json;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::pages::ui::Ui;
use crate::error::{AppError, ErrorBody, ErrorJson};
use crate::text::PrefsSlot;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ui: Ui,
    status: u16,
    title: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct ErrorEnvelope {
    error: ErrorJson,
}

pub async fn render_errors(mut request: Request, next: Next) -> Response {
    let prefs = PrefsSlot::default();
    request.extensions_mut().insert(prefs.clone());
    let path = request.uri().path();
    // Machines post to the inbound hooks; they read JSON as the API's callers do.
    let is_api = path.starts_with("/api/") || path.starts_with(crate::inbound::PATH_PREFIX);
    let here = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let response = next.run(request).await;
    // A 401 with a challenge (`/metrics` with a token) is for a machine, not a person.
    let challenged = response.headers().contains_key(header::WWW_AUTHENTICATE);
    if !is_api && response.status() == StatusCode::UNAUTHORIZED && !challenged {
        return sign_in_first(&here);
    }
    let body = match response.extensions().get::<ErrorBody>() {
        Some(body) => body.clone(),
        None => match layer_error(response.status()) {
            Some(error) => ErrorBody::from(&error),
            None => return response,
        },
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let rendered = if is_api {
        let error = ErrorJson {
            code: body.code,
            message: body.api_message(),
        };
        Json(ErrorEnvelope { error }).into_response()
    } else {
        let ui = Ui::with(prefs.get(), None);
        let message = ui.t.say(&body.problem);
        let status = parts.status.as_u16();
        let page = ErrorPage {
            title: (ui.t.error_page.status)(status),
            ui,
            status,
            message: &message,
        };
        match page.render() {
            Ok(html) => Html(html).into_response(),
            Err(_) => message.into_response(),
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
