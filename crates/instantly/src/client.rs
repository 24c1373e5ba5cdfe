//! The HTTP core: authentication, budget, retries and error mapping for every operation.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use crate::budget::{RateBudget, RequestClass};
use crate::config::ClientConfig;
use crate::error::{Error, Result};
use crate::retry::{RetryPolicy, retry_after};

/// A typed client for one Instantly workspace (one API key). Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    api_key: SecretString,
    budget: RateBudget,
    retry: RetryPolicy,
    max_pages: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .finish()
    }
}

/// One logical call; it may be sent several times.
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
    pub class: RequestClass,
    /// Whether sending it twice is harmless. Writes are only retried when the server certainly
    /// did not act on them (429, connection refused).
    pub idempotent: bool,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
            class: RequestClass::General,
            idempotent: true,
        }
    }

    pub fn post(path: impl Into<String>, body: serde_json::Value) -> Self {
        Call {
            method: Method::POST,
            body: Some(body),
            ..Call::get(path)
        }
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Call {
            method: Method::DELETE,
            ..Call::get(path)
        }
    }

    pub fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    pub fn not_idempotent(mut self) -> Self {
        self.idempotent = false;
        self
    }
}

/// Why one attempt failed.
enum Failure {
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        message: String,
    },
    Network {
        reason: String,
        nothing_sent: bool,
    },
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let mut base_url = Url::parse(&config.base_url)
            .map_err(|e| Error::Config(format!("base_url is not a URL: {e}")))?;
        if !base_url.path().ends_with('/') {
            base_url.set_path(&format!("{}/", base_url.path()));
        }
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent)
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let inner = Inner {
            http,
            base_url,
            api_key: config.api_key,
            budget: config.budget,
            retry: config.retry,
            max_pages: config.max_pages,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    pub(crate) fn max_pages(&self) -> u64 {
        self.inner.max_pages
    }

    /// Sends `call` under the budget and retry policy and decodes the JSON answer.
    pub(crate) async fn execute<T: DeserializeOwned>(&self, call: &Call) -> Result<T> {
        let body = self.execute_raw(call).await?;
        serde_json::from_slice(&body).map_err(|e| Error::Decode {
            operation: format!("{} {}", call.method, call.path),
            reason: self.redact(&e.to_string()),
        })
    }

    async fn execute_raw(&self, call: &Call) -> Result<Vec<u8>> {
        let policy = self.inner.retry;
        let mut attempt = 1;
        loop {
            self.inner.budget.acquire(call.class).await;
            let failure = match self.attempt(call).await {
                Ok(body) => return Ok(body),
                Err(failure) => failure,
            };
            let wait = self.retry_wait(call, &failure, attempt)?;
            if attempt >= policy.max_attempts {
                return Err(self.error_of(&failure));
            }
            tracing::warn!(
                method = %call.method, path = %call.path, attempt, wait_ms = wait.as_millis() as u64,
                reason = %self.describe(&failure), "retrying Instantly request"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// How long to wait before retrying, or the error to surface when retrying is pointless.
    fn retry_wait(&self, call: &Call, failure: &Failure, attempt: u32) -> Result<Duration> {
        let policy = self.inner.retry;
        let backoff = policy.delay(attempt - 1);
        match failure {
            Failure::Status {
                status,
                retry_after,
                ..
            } if *status == StatusCode::TOO_MANY_REQUESTS => {
                let wait = retry_after.unwrap_or(backoff);
                if wait > policy.max_retry_after {
                    return Err(Error::RateLimited {
                        retry_after: Some(wait),
                    });
                }
                self.inner
                    .budget
                    .pause_until(tokio::time::Instant::now() + wait);
                Ok(wait)
            }
            Failure::Status { status, .. } if status.is_server_error() && call.idempotent => {
                Ok(backoff)
            }
            Failure::Network { nothing_sent, .. } if call.idempotent || *nothing_sent => {
                Ok(backoff)
            }
            other => Err(self.error_of(other)),
        }
    }

    async fn attempt(&self, call: &Call) -> Result<Vec<u8>, Failure> {
        let response = self.request(call).send().await.map_err(|e| network(&e))?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(|e| network(&e))?;
        tracing::debug!(method = %call.method, path = %call.path, status = status.as_u16(), "Instantly");
        if status.is_success() {
            return Ok(body.to_vec());
        }
        let message = self.error_message(&body);
        Err(Failure::Status {
            status,
            retry_after,
            message,
        })
    }

    fn request(&self, call: &Call) -> reqwest::RequestBuilder {
        let mut url = self
            .inner
            .base_url
            .join(call.path.trim_start_matches('/'))
            .expect("valid path");
        if !call.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(call.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", self.inner.api_key.expose_secret()))
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid-key"));
        bearer.set_sensitive(true);
        let builder = self
            .inner
            .http
            .request(call.method.clone(), url)
            .header(AUTHORIZATION, bearer)
            .header(ACCEPT, "application/json");
        match &call.body {
            Some(body) => builder.json(body),
            None => builder,
        }
    }

    /// The server's own words from any of Instantly's error shapes, without the key, short.
    fn error_message(&self, body: &[u8]) -> String {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let message = field("message")
            .or_else(|| field("error"))
            .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
        let message = self.redact(&message);
        message.chars().take(300).collect()
    }

    /// Removes the key from text that came from elsewhere (a server may echo headers back).
    pub(crate) fn redact(&self, text: &str) -> String {
        let key = self.inner.api_key.expose_secret();
        if key.is_empty() {
            text.to_owned()
        } else {
            text.replace(key, "[REDACTED]")
        }
    }

    fn describe(&self, failure: &Failure) -> String {
        match failure {
            Failure::Status {
                status, message, ..
            } => format!("HTTP {}: {message}", status.as_u16()),
            Failure::Network { reason, .. } => reason.clone(),
        }
    }

    /// The error a failed attempt ends the call with.
    fn error_of(&self, failure: &Failure) -> Error {
        let (status, retry_after, message) = match failure {
            Failure::Network { reason, .. } => {
                return Error::Transient {
                    reason: self.redact(reason),
                };
            }
            Failure::Status {
                status,
                retry_after,
                message,
            } => (*status, *retry_after, message),
        };
        let message = message.clone();
        match status.as_u16() {
            401 | 403 => Error::InvalidCredentials {
                status: status.as_u16(),
            },
            402 => Error::PaymentRequired,
            404 => Error::NotFound,
            400 | 413 | 422 => Error::BadRequest { message },
            429 => Error::RateLimited { retry_after },
            500..=599 => Error::Transient {
                reason: format!("HTTP {}: {message}", status.as_u16()),
            },
            code => Error::Unexpected {
                status: code,
                message,
            },
        }
    }
}

fn network(error: &reqwest::Error) -> Failure {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "response body interrupted"
    } else {
        "connection error"
    };
    let mut reason = format!("{kind}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    Failure::Network {
        reason,
        nothing_sent: error.is_connect(),
    }
}
