//! One error type that knows how to respond: an HTML page for pages and
//! `{"error": {"code", "message"}}` under `/api`. Internal causes are logged with their chain
//! and never sent. What a person reads is a [`Problem`], worded in their language when shown
//! (English for the API and logs).

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::{ConflictKind, StoreError};
use crate::text::{Lang, Problem, Texts};

#[derive(Debug)]
pub enum AppError {
    NotFound,
    BadRequest(Problem),
    MethodNotAllowed,
    Unauthorized,
    Forbidden,
    CsrfRejected,
    Conflict(Problem),
    Invalid {
        field: &'static str,
        problem: Problem,
    },
    /// A query parameter that cannot be read (400, naming it).
    BadParameter {
        parameter: &'static str,
        problem: Problem,
    },
    LinkUsed,
    PayloadTooLarge,
    TooManyRequests {
        retry_after: Duration,
    },
    Timeout,
    /// Another service (Instantly, the mail server) failed; the problem says which and what
    /// happened.
    Upstream(Problem),
    Unavailable,
    Internal(anyhow::Error),
}

/// In English, as the API and the logs show it.
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&ErrorBody::from(self).api_message())
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Internal(cause) => Some(cause.as_ref()),
            _ => None,
        }
    }
}

impl From<crate::auth::limiter::Refusal> for AppError {
    fn from(refusal: crate::auth::limiter::Refusal) -> Self {
        Self::TooManyRequests {
            retry_after: refusal.retry_after,
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(cause: anyhow::Error) -> Self {
        Self::Internal(cause)
    }
}

/// What the renderer needs, carried in the response's extensions until the error layer
/// decides between HTML and JSON and knows the person's language.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub code: &'static str,
    /// The field at fault, for refused input.
    pub field: Option<&'static str>,
    pub problem: Problem,
}

impl ErrorBody {
    /// The API's message, in English: refused input names its field (as the JSON calls it)
    /// first. Pages show only the words (`Texts::say`).
    pub fn api_message(&self) -> String {
        let words = Lang::En.texts().say(&self.problem);
        match self.field {
            Some(field) => format!("{field}: {words}"),
            None => words,
        }
    }
}

impl From<&AppError> for ErrorBody {
    fn from(error: &AppError) -> Self {
        let field = match error {
            AppError::Invalid { field, .. } => Some(*field),
            AppError::BadParameter { parameter, .. } => Some(*parameter),
            _ => None,
        };
        Self {
            code: error.code(),
            field,
            problem: error.problem(),
        }
    }
}

/// The JSON error body (`{"error": {"code", "message"}}`).
#[derive(Debug, Serialize)]
pub struct ErrorJson {
    pub code: &'static str,
    pub message: String,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) | Self::BadParameter { .. } | Self::LinkUsed => {
                StatusCode::BAD_REQUEST
            }
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

    /// What a person is told.
    pub fn problem(&self) -> Problem {
        match self {
            Self::NotFound => Problem::NotFound,
            Self::BadRequest(problem) | Self::Conflict(problem) | Self::Upstream(problem) => {
                problem.clone()
            }
            Self::Invalid { problem, .. } | Self::BadParameter { problem, .. } => problem.clone(),
            Self::MethodNotAllowed => Problem::MethodNotAllowed,
            Self::Unauthorized => Problem::SignInRequired,
            Self::Forbidden => Problem::NoAccess,
            Self::CsrfRejected => Problem::FormExpired,
            Self::LinkUsed => Problem::LinkUsed,
            Self::PayloadTooLarge => Problem::TooLarge,
            Self::TooManyRequests { .. } => Problem::TooManyRequests,
            Self::Timeout => Problem::TookTooLong,
            Self::Unavailable => Problem::NotReady,
            Self::Internal(_) => Problem::OurFault,
        }
    }

    /// Words for the page that re-renders a form with the refusal, in `texts`' language.
    pub fn words(&self, texts: &Texts) -> String {
        texts.say(&self.problem())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_) | Self::BadParameter { .. } => "bad_request",
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
            StoreError::Conflict(kind) => Self::Conflict(conflict_problem(kind)),
            StoreError::LastOwner => Self::Conflict(Problem::LastOwnerRemoved),
            StoreError::Forbidden => Self::Forbidden,
            StoreError::WriteBusy => Self::Unavailable,
            StoreError::Database(_) | StoreError::LeaseLost => {
                Self::Internal(anyhow::Error::new(error))
            }
        }
    }
}

/// The words for a conflict the store reports.
fn conflict_problem(kind: ConflictKind) -> Problem {
    match kind {
        ConflictKind::EmailTaken => Problem::EmailTaken,
        ConflictKind::AlreadyMember => Problem::AlreadyMember,
        ConflictKind::AlreadyExists => Problem::AlreadyExists,
        ConflictKind::MissingReference => Problem::MissingReference,
        ConflictKind::ValueNotAllowed => Problem::ValueNotAllowed,
        ConflictKind::LastInstallAdmin => Problem::LastInstallAdmin,
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
        response.extensions_mut().insert(ErrorBody::from(&self));
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::AppError;
    use crate::store::StoreError;

    /// A write that waited its whole turn at SQLite's gate is a busy server, not our fault.
    #[test]
    fn a_busy_write_gate_answers_503() {
        let error = AppError::from(StoreError::WriteBusy);
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(error.to_string().contains("try again"), "{error}");
    }
}
