use std::time::Duration;

/// Everything a call to Instantly can end in.
///
/// No variant carries the API key or request headers, so `Display` and `Debug` are safe to log.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401 (missing, invalid or revoked key) or 403 (refused, e.g. a missing scope or a
    /// Cloudflare block). Retrying will not help; the credential needs attention.
    #[error("Instantly refused the API key (HTTP {status})")]
    InvalidCredentials { status: u16 },
    /// 402: the workspace has no active paid plan.
    #[error("the Instantly workspace has no active paid plan")]
    PaymentRequired,
    /// Still 429 after the retry policy was used up, or `Retry-After` was longer than allowed.
    #[error("rate limited by Instantly (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, timeout, reset or truncated body, still failing after the retry policy was used up.
    #[error("Instantly is unavailable: {reason}")]
    Transient { reason: String },
    /// 400 (or 413): the request itself is wrong. Not retried.
    #[error("Instantly rejected the request: {message}")]
    BadRequest { message: String },
    /// 404.
    #[error("not found on Instantly")]
    NotFound,
    /// Any other status code.
    #[error("unexpected HTTP {status} from Instantly: {message}")]
    Unexpected { status: u16, message: String },
    /// The cursor chain was broken (loop or runaway).
    #[error("pagination aborted: {0}")]
    Pagination(#[from] PaginationError),
    /// The body did not match the model.
    #[error("could not decode Instantly's response to {operation}: {reason}")]
    Decode { operation: String, reason: String },
    /// The client configuration is unusable (e.g. a malformed base URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaginationError {
    #[error("cursor {cursor:?} was returned twice")]
    RepeatedCursor { cursor: String },
    #[error("more than {max_pages} pages")]
    TooManyPages { max_pages: u64 },
}

impl Error {
    /// Whether another attempt (later) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::RateLimited { .. } | Error::Transient { .. })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
