//! One error type that knows how to respond: an HTML page for pages and
//! `{"error": {"code", "message"}}` under `/api`. Internal causes are logged with their chain
//! and never sent.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("that method is not allowed here")]
    MethodNotAllowed,
    #[error("sign in to continue")]
    Unauthorized,
    #[error("you do not have access to this")]
    Forbidden,
    #[error("this form expired or came from another site; reload the page and try again")]
    CsrfRejected,
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("this sign-in link has expired or was already used; ask for a new one")]
    LinkUsed,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("too many requests; try again later")]
    TooManyRequests { retry_after: Duration },
    #[error("the request took too long")]
    Timeout,
    /// Another service (Instantly) failed; the text says what happened in plain words.
    #[error("{0}")]
    Upstream(String),
    #[error("the service is not ready")]
    Unavailable,
    #[error("something went wrong on our side")]
    Internal(#[from] anyhow::Error),
}

/// What the renderer needs, carried in the response's extensions until the error layer
/// decides between HTML and JSON.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) | Self::LinkUsed => StatusCode::BAD_REQUEST,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::LinkUsed => "link_used",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::CsrfRejected => "csrf",
            Self::Conflict(_) => "conflict",
            Self::Invalid { .. } => "invalid",
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Timeout => "timeout",
            Self::Upstream(_) => "upstream",
            Self::Unavailable => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(message) => Self::Conflict(message.to_string()),
            StoreError::LastOwner => Self::Conflict(error.to_string()),
            StoreError::Database(_) | StoreError::LeaseLost => {
                Self::Internal(anyhow::Error::new(error))
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let status = self.status();
        let mut response = status.into_response();
        if let Self::TooManyRequests { retry_after } = &self {
            let seconds = retry_after.as_secs().max(1).to_string();
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&seconds).expect("digits"),
            );
        }
        response.extensions_mut().insert(ErrorBody {
            code: self.code(),
            message: self.to_string(),
        });
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
