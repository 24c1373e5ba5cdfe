//! Speed-to-reply: `/speed-to-reply` (the report of a period, across the caller's clients or
//! one), `/speed-to-reply/awaiting` (positive replies nobody touched yet, oldest first) and a
//! thread's own `/tenants/{tenant_id}/threads/{thread_id}/speed-to-reply`. For the agency's
//! roles: a client representative's clients are left out (a thread's answers 403). Rules:
//! `leads::speed`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::leads::refused;
use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::TenantId;
use crate::error::AppResult;
use crate::leads::speed::{self, MAX_DAYS, ReplyTouch, Report, Summary};
use crate::leads::{bad_parameter, read_limit};
use crate::services::Services;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpeedParams {
    /// One client; all the caller works in when absent.
    #[param(value_type = Option<uuid::Uuid>)]
    pub tenant: Option<String>,
    /// Start of the period (RFC 3339, or a date `YYYY-MM-DD` at 00:00 UTC); 30 days before
    /// `to` by default. The report counts whole UTC days: from this one's.
    pub from: Option<String>,
    /// End of the period, excluded; now by default. At most 366 days after `from`. The report
    /// counts whole UTC days: up to the one holding the end of the period.
    pub to: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwaitingParams {
    /// One client; all the caller works in when absent.
    #[param(value_type = Option<uuid::Uuid>)]
    pub tenant: Option<String>,
    /// 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

fn tenant_param(tenant: Option<&str>) -> AppResult<Option<TenantId>> {
    tenant
        .map(|t| {
            t.trim()
                .parse::<uuid::Uuid>()
                .map(TenantId::from_uuid)
                .map_err(|_| bad_parameter("tenant", t, "a tenant id"))
        })
        .transpose()
}

impl SpeedParams {
    fn period(&self, now: DateTime<Utc>) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
        let to = self
            .to
            .as_deref()
            .map(|t| instant("to", t))
            .transpose()?
            .unwrap_or(now);
        let from = match self.from.as_deref() {
            Some(f) => instant("from", f)?,
            None => to - Duration::days(30),
        };
        if from >= to || to - from > Duration::days(MAX_DAYS) {
            let shown = self.to.as_deref().unwrap_or("now");
            return Err(bad_parameter(
                "to",
                shown,
                "a time after `from`, at most 366 days after it",
            ));
        }
        Ok((from, to))
    }
}

impl AwaitingParams {
    fn limit(&self) -> AppResult<u32> {
        read_limit(self.limit.as_deref())
    }
}

fn instant(parameter: &'static str, text: &str) -> AppResult<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.to_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| bad_parameter(parameter, text, "an RFC 3339 time or a date YYYY-MM-DD"))
}

/// Speed-to-reply of the positive first replies in the period: the time to the first touch by
/// the agency (a reply sent, a call logged, a stage set, a note), in wall time and in each
/// client's business hours; all together, per client and per operator. Read from day counts
/// kept as things happen: a median or 90th percentile is the upper edge of its bucket (the
/// second below a minute, the minute below an hour, five minutes below a day, the hour below a
/// week, the day beyond); the shares within an hour and a day are exact.
#[utoipa::path(get, path = "/speed-to-reply", tag = "leads", params(SpeedParams),
    responses((status = 200, body = SpeedReport), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn report(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<SpeedParams>, QueryRejection>,
) -> AppResult<Json<SpeedReport>> {
    let Query(params) = query.map_err(refused)?;
    let (from, to) = params.period(Utc::now())?;
    let services = Services::of(&state);
    let only = tenant_param(params.tenant.as_deref())?;
    let report = speed::report(&services, &current, only, from, to).await?;
    Ok(Json(report.into()))
}

/// Positive replies nobody at the agency touched yet, oldest first.
#[utoipa::path(get, path = "/speed-to-reply/awaiting", tag = "leads", params(AwaitingParams),
    responses((status = 200, body = AwaitingList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn awaiting(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<AwaitingParams>, QueryRejection>,
) -> AppResult<Json<AwaitingList>> {
    let Query(params) = query.map_err(refused)?;
    let services = Services::of(&state);
    let only = tenant_param(params.tenant.as_deref())?;
    let rows = speed::awaiting(&services, &current, only, params.limit()?).await?;
    let now = Utc::now();
    Ok(Json(AwaitingList {
        items: rows.into_iter().map(|r| TouchItem::new(r, now)).collect(),
    }))
}

/// The thread's first reply from its lead and the first touch after it.
#[utoipa::path(get, path = "/tenants/{tenant_id}/threads/{thread_id}/speed-to-reply",
    tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("thread_id" = String, Path, description = "Thread id")),
    responses((status = 200, body = TouchItem), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn of_thread(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
) -> AppResult<Json<TouchItem>> {
    let touch = speed::of_thread(&Services::of(&state), &access, &thread_id).await?;
    Ok(Json(TouchItem::new(touch, Utc::now())))
}

#[derive(Serialize, ToSchema)]
pub struct SummaryItem {
    /// Positive first replies in the period, and how many were touched.
    pub replies: u64,
    pub touched: u64,
    /// Nearest-rank, over the touched ones.
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub median_business_seconds: Option<i64>,
    pub p90_business_seconds: Option<i64>,
    /// Shares (0 to 1) of all the replies touched within an hour and within a day.
    pub within_1h: f64,
    pub within_24h: f64,
}

impl From<Summary> for SummaryItem {
    fn from(s: Summary) -> Self {
        Self {
            replies: s.replies,
            touched: s.touched,
            median_seconds: s.median_seconds,
            p90_seconds: s.p90_seconds,
            median_business_seconds: s.median_business_seconds,
            p90_business_seconds: s.p90_business_seconds,
            within_1h: s.within_1h,
            within_24h: s.within_24h,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClientSpeed {
    pub tenant_id: uuid::Uuid,
    pub name: String,
    #[serde(flatten)]
    pub summary: SummaryItem,
}

#[derive(Serialize, ToSchema)]
pub struct OperatorSpeed {
    pub user_id: uuid::Uuid,
    pub display_name: String,
    #[serde(flatten)]
    pub summary: SummaryItem,
}

#[derive(Serialize, ToSchema)]
pub struct SpeedReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub total: SummaryItem,
    pub clients: Vec<ClientSpeed>,
    pub operators: Vec<OperatorSpeed>,
}

impl From<Report> for SpeedReport {
    fn from(r: Report) -> Self {
        Self {
            from: r.from,
            to: r.to,
            total: r.total.into(),
            clients: r
                .clients
                .into_iter()
                .map(|(id, name, s)| ClientSpeed {
                    tenant_id: id.as_uuid(),
                    name,
                    summary: s.into(),
                })
                .collect(),
            operators: r
                .operators
                .into_iter()
                .map(|(id, name, s)| OperatorSpeed {
                    user_id: id.as_uuid(),
                    display_name: name,
                    summary: s.into(),
                })
                .collect(),
        }
    }
}

/// A thread's first reply and its first touch.
#[derive(Serialize, ToSchema)]
pub struct TouchItem {
    pub tenant_id: uuid::Uuid,
    pub thread_id: String,
    pub lead_email: String,
    pub replied_at: DateTime<Utc>,
    /// Whether it counts as a positive reply.
    pub positive: bool,
    pub first_touch_at: Option<DateTime<Utc>>,
    pub touched_by: Option<uuid::Uuid>,
    /// `reply`, `call`, `stage` or `note`.
    pub touch_kind: Option<String>,
    pub wall_seconds: Option<i64>,
    pub business_seconds: Option<i64>,
    /// Untouched: how long it has waited, in seconds.
    pub waiting_seconds: Option<i64>,
}

impl TouchItem {
    fn new(t: ReplyTouch, now: DateTime<Utc>) -> Self {
        let waiting = t
            .first_touch_at
            .is_none()
            .then(|| (now - t.replied_at).num_seconds().max(0));
        Self {
            tenant_id: t.tenant.as_uuid(),
            thread_id: t.thread_id,
            lead_email: t.lead_email,
            replied_at: t.replied_at,
            positive: t.positive,
            first_touch_at: t.first_touch_at,
            touched_by: t.touched_by.map(|u| u.as_uuid()),
            touch_kind: t.touch_kind,
            wall_seconds: t.wall_seconds,
            business_seconds: t.business_seconds,
            waiting_seconds: waiting,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AwaitingList {
    pub items: Vec<TouchItem>,
}
