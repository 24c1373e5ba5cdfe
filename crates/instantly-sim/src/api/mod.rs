//! The Instantly API v2 surface: routing, authentication, rate limits, errors, parameters.

mod accounts;
mod analytics;
mod campaigns;
mod emails;
mod leads;
mod misc;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::state::Sim;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/api/v2/workspaces/current", get(misc::workspace))
        .route("/api/v2/campaigns", get(campaigns::list))
        .route("/api/v2/campaigns/analytics", get(analytics::campaigns))
        .route(
            "/api/v2/campaigns/analytics/overview",
            get(analytics::overview),
        )
        .route("/api/v2/campaigns/analytics/daily", get(analytics::daily))
        .route("/api/v2/campaigns/analytics/steps", get(analytics::steps))
        .route("/api/v2/campaigns/{id}", get(campaigns::get_one))
        .route("/api/v2/accounts", get(accounts::list))
        .route(
            "/api/v2/accounts/analytics/daily",
            get(analytics::accounts_daily),
        )
        .route("/api/v2/accounts/warmup-analytics", post(accounts::warmup))
        .route("/api/v2/accounts/test/vitals", post(accounts::vitals))
        .route("/api/v2/accounts/{email}", get(accounts::get_one))
        .route("/api/v2/lead-lists", get(misc::lead_lists))
        .route("/api/v2/lead-labels", get(misc::lead_labels))
        .route("/api/v2/custom-tags", get(misc::custom_tags))
        .route(
            "/api/v2/custom-tag-mappings",
            get(misc::custom_tag_mappings),
        )
        .route("/api/v2/leads/list", post(leads::list))
        .route(
            "/api/v2/leads/update-interest-status",
            post(leads::update_interest),
        )
        .route("/api/v2/leads/{id}", get(leads::get_one))
        .route("/api/v2/emails", get(emails::list))
        .route("/api/v2/emails/unread/count", get(emails::unread_count))
        .route("/api/v2/emails/reply", post(emails::reply))
        .route(
            "/api/v2/emails/threads/{thread_id}/mark-as-read",
            post(emails::mark_read),
        )
        .route("/api/v2/emails/{id}", get(emails::get_one))
        .route(
            "/api/v2/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route("/api/v2/webhooks/event-types", get(webhooks::event_types))
        .route(
            "/api/v2/webhooks/{id}",
            axum::routing::delete(webhooks::delete),
        )
        .fallback(|| async { ApiError::not_found() })
        .with_state(sim)
}

/// Error answers in the shapes Instantly uses.
#[derive(Debug)]
pub enum ApiError {
    /// `{statusCode, error, message}`.
    Standard {
        status: StatusCode,
        message: String,
    },
    /// `{message}` (analytics validation).
    MessageOnly(String),
    /// `{error}` (lead interest status, vitals).
    ErrorOnly(String),
    RateLimited {
        retry_after: Duration,
    },
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::Standard {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found() -> Self {
        ApiError::Standard {
            status: StatusCode::NOT_FOUND,
            message: "Resource not found".into(),
        }
    }

    fn unauthorized(message: &str) -> Self {
        ApiError::Standard {
            status: StatusCode::UNAUTHORIZED,
            message: message.into(),
        }
    }
}

/// Instantly's standard error body.
pub fn standard_body(status: StatusCode, message: &str) -> Value {
    json!({
        "statusCode": status.as_u16(),
        "error": status.canonical_reason().unwrap_or("Error"),
        "message": message,
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Standard { status, message } => {
                (status, axum::Json(standard_body(status, &message))).into_response()
            }
            ApiError::MessageOnly(message) => (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "message": message })),
            )
                .into_response(),
            ApiError::ErrorOnly(error) => (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "error": error })),
            )
                .into_response(),
            ApiError::RateLimited { retry_after } => {
                let status = StatusCode::TOO_MANY_REQUESTS;
                let body = standard_body(status, "Rate limit exceeded");
                let mut response = (status, axum::Json(body)).into_response();
                let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                response
            }
        }
    }
}

pub type ApiResult<T = Response> = Result<T, ApiError>;

/// The workspace the request's key belongs to; rate limits are charged here.
pub struct Ws {
    pub sim: Arc<Sim>,
    pub index: usize,
}

impl FromRequestParts<Arc<Sim>> for Ws {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        sim: &Arc<Sim>,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized("Missing Authorization header"));
        };
        let key = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let index = key
            .and_then(|k| sim.workspace_by_key(k))
            .ok_or_else(|| ApiError::unauthorized("Invalid API key"))?;
        if !sim.is_paid(index) {
            let message = "Workspace does not have an active paid plan".into();
            return Err(ApiError::Standard {
                status: StatusCode::PAYMENT_REQUIRED,
                message,
            });
        }
        let email_list =
            parts.method == axum::http::Method::GET && parts.uri.path() == "/api/v2/emails";
        sim.admit(index, email_list)
            .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
        Ok(Ws {
            sim: sim.clone(),
            index,
        })
    }
}

/// Marks a request chosen for the "duplicate items across pages" fault.
#[derive(Debug, Clone, Copy)]
pub struct DuplicateFault;

pub struct Duplicate(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Duplicate {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Duplicate(
            parts.extensions.get::<DuplicateFault>().is_some(),
        ))
    }
}

/// Query parameters, keeping repeated keys (`ids=a&ids=b`).
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Ok(Params(pairs))
    }
}

impl Params {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every value of `key`, also accepting `key[]` and comma-separated values.
    pub fn all(&self, key: &str) -> Vec<String> {
        let bracketed = format!("{key}[]");
        let values = self.0.iter().filter(|(k, _)| k == key || *k == bracketed);
        values
            .flat_map(|(_, v)| v.split(',').map(str::trim).map(str::to_owned))
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn flag(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::bad_request(format!(
                "querystring/{key} must be boolean"
            ))),
        }
    }

    pub fn number(&self, key: &str) -> ApiResult<Option<i64>> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("querystring/{key} must be number")))
            })
            .transpose()
    }

    pub fn one_of(&self, key: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.get(key) {
            Some(v) if !allowed.contains(&v) => Err(ApiError::bad_request(format!(
                "querystring/{key} must be equal to one of the allowed values"
            ))),
            v => Ok(v.map(str::to_owned)),
        }
    }

    pub fn limit(&self) -> ApiResult<usize> {
        limit_from(
            self.get("limit")
                .map(|v| json!(v.parse::<f64>().unwrap_or(f64::NAN))),
            "querystring",
        )
    }
}

/// Checks `limit` the way Instantly's validator reports it; 10 when absent.
pub fn limit_from(value: Option<Value>, location: &str) -> ApiResult<usize> {
    let Some(value) = value else { return Ok(10) };
    let number = value.as_f64().filter(|n| n.fract() == 0.0);
    match number {
        None => Err(ApiError::bad_request(format!(
            "{location}/limit must be integer"
        ))),
        Some(n) if n < 1.0 => Err(ApiError::bad_request(format!(
            "{location}/limit must be >= 1"
        ))),
        Some(n) if n > 100.0 => Err(ApiError::bad_request(format!(
            "{location}/limit must be <= 100"
        ))),
        Some(n) => Ok(n as usize),
    }
}

/// One page of an already ordered list, Instantly style: a full page carries the cursor of its
/// last item even if nothing follows (the next call then returns no items).
pub fn page(items: Vec<Value>, limit: usize, cursor_of: impl Fn(&Value) -> String) -> Response {
    let next = (items.len() >= limit)
        .then(|| items.last().map(&cursor_of))
        .flatten();
    let mut body = json!({ "items": items });
    if let Some(next) = next {
        body["next_starting_after"] = json!(next);
    }
    axum::Json(body).into_response()
}

/// Items of a list sorted by `key` that come after `cursor`, at most `limit` (plus the one
/// before the cursor when the duplicate fault is on).
pub fn after_cursor<'a, T>(
    items: &'a [T],
    key: impl Fn(&T) -> &str,
    cursor: Option<&str>,
    limit: usize,
    duplicate: bool,
) -> impl Iterator<Item = &'a T> {
    let start = cursor.map_or(0, |c| items.partition_point(|item| key(item) <= c));
    let start = if duplicate && cursor.is_some() {
        start.saturating_sub(1)
    } else {
        start
    };
    items[start..]
        .iter()
        .take(limit + usize::from(duplicate && cursor.is_some()))
}

/// The JSON body of a POST, with Instantly's 400 on malformed JSON.
pub fn json_body(bytes: &[u8]) -> ApiResult<Value> {
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|_| ApiError::bad_request("body must be object"))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::bad_request("body must be object"))
    }
}

pub fn ok(value: Value) -> ApiResult {
    Ok(axum::Json(value).into_response())
}
