//! The leads list across the caller's clients: `/leads` (JSON, keyset pages) and `/leads.csv`
//! (the same filters, every row up to 50,000 at a time). Rules: `leads::list`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::leads::refused;
use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::leads::list::{self, ListCursor, ListFilter, OwnerFilter, Row};
use crate::leads::{MAX_LIMIT, PageParams, bad_parameter, money};
use crate::services::Services;

/// The most rows one CSV export holds.
pub const MAX_EXPORT: usize = 50_000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadListParams {
    /// One client; all the caller works leads in when absent.
    #[param(value_type = Option<uuid::Uuid>)]
    pub tenant: Option<String>,
    /// An Instantly campaign id.
    pub campaign: Option<String>,
    /// A stage id (of one client: the others are left out).
    #[param(value_type = Option<uuid::Uuid>)]
    pub stage: Option<String>,
    /// A member's user id, `me`, or `none`.
    pub owner: Option<String>,
    /// A tag id (of one client: the others are left out).
    #[param(value_type = Option<uuid::Uuid>)]
    pub tag: Option<String>,
    /// `true`: leads that replied; `false`: those that did not.
    #[param(value_type = Option<bool>)]
    pub replied: Option<String>,
    /// Text in the address, name or company (2 to 100 characters).
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Rows per page, 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

impl LeadListParams {
    fn filter(&self, me: UserId) -> AppResult<ListFilter> {
        let uuid = |name: &'static str, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| {
                    v.trim()
                        .parse::<uuid::Uuid>()
                        .map_err(|_| bad_parameter(name, v, "an id"))
                })
                .transpose()
        };
        let owner = match self.owner.as_deref().map(str::trim) {
            None => OwnerFilter::Any,
            Some("me") => OwnerFilter::User(me),
            Some("none") => OwnerFilter::Nobody,
            Some(id) => OwnerFilter::User(UserId::from_uuid(
                id.parse()
                    .map_err(|_| bad_parameter("owner", id, "a user id, me or none"))?,
            )),
        };
        let replied = match self.replied.as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => return Err(bad_parameter("replied", other, "true or false")),
        };
        let text = match self.q.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(q) if (2..=100).contains(&q.chars().count()) => Some(q.to_lowercase()),
            Some(q) => return Err(bad_parameter("q", q, "2 to 100 characters")),
        };
        Ok(ListFilter {
            tenant: uuid("tenant", &self.tenant)?.map(TenantId::from_uuid),
            campaign: self.campaign.clone().filter(|c| !c.trim().is_empty()),
            stage: uuid("stage", &self.stage)?,
            owner,
            tag: uuid("tag", &self.tag)?,
            replied,
            text,
        })
    }

    fn page(&self) -> AppResult<(Option<ListCursor>, u32)> {
        let page = PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit.clone(),
        };
        page.read_with(ListCursor::decode)
    }
}

/// Lead records across the caller's clients, the most recently updated first, filtered.
#[utoipa::path(get, path = "/leads", tag = "leads", params(LeadListParams),
    responses((status = 200, body = LeadList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<LeadListParams>, QueryRejection>,
) -> AppResult<Json<LeadList>> {
    let Query(params) = query.map_err(refused)?;
    let filter = params.filter(current.user.id)?;
    let (after, limit) = params.page()?;
    let services = Services::of(&state);
    let page = list::page(&services, &current, &filter, after.as_ref(), limit).await?;
    Ok(Json(LeadList {
        items: page.rows.into_iter().map(ListedLeadItem::from).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// The same rows as CSV: every page from `cursor` (the start when absent), up to 50,000
/// rows, with `x-export-truncated: true` when there were more (`limit` is checked, not used).
/// Cells that a spreadsheet would read as a formula start with `'`.
#[utoipa::path(get, path = "/leads.csv", tag = "leads", params(LeadListParams),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub async fn export(
    State(state): State<AppState>,
    current: CurrentUser,
    query: Result<Query<LeadListParams>, QueryRejection>,
) -> AppResult<Response> {
    let Query(params) = query.map_err(refused)?;
    let filter = params.filter(current.user.id)?;
    let services = Services::of(&state);
    let (mut after, _) = params.page()?;
    let mut rows: Vec<Row> = Vec::new();
    let truncated = loop {
        let page = list::page(&services, &current, &filter, after.as_ref(), MAX_LIMIT).await?;
        rows.extend(page.rows);
        match page.next {
            Some(_) if rows.len() >= MAX_EXPORT => break true,
            Some(next) => after = Some(next),
            None => break false,
        }
    };
    rows.truncate(MAX_EXPORT);
    let body = csv_of(&rows).map_err(|e| AppError::Internal(e.into()))?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"leads.csv\"",
        ),
    ];
    let mut response = (headers, body).into_response();
    if truncated {
        response.headers_mut().insert(
            "x-export-truncated",
            header::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

fn csv_of(rows: &[Row]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "tenant_id",
        "email",
        "first_name",
        "last_name",
        "company",
        "campaign_id",
        "stage",
        "value",
        "currency",
        "owner_id",
        "replies",
        "last_reply_at",
        "updated_at",
    ])?;
    for row in rows {
        let lead = &row.lead;
        let text = |value: &Option<String>| inert(value.as_deref().unwrap_or_default());
        out.write_record([
            lead.tenant_id.to_string(),
            text(&lead.email),
            text(&lead.first_name),
            text(&lead.last_name),
            text(&lead.company_name),
            text(&lead.campaign_id),
            inert(row.stage.as_ref().map_or("", |s| s.name.as_str())),
            lead.value_cents.map(money::decimal).unwrap_or_default(),
            row.currency.clone(),
            lead.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            lead.reply_count.to_string(),
            lead.last_reply_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            lead.timestamp_updated.to_rfc3339(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A cell a spreadsheet shows as text: one starting as a formula would is quoted with `'`.
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A lead record in the list.
#[derive(Serialize, ToSchema)]
pub struct ListedLeadItem {
    pub tenant_id: uuid::Uuid,
    pub instantly_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub campaign_id: Option<String>,
    pub stage_id: Option<uuid::Uuid>,
    pub stage_name: Option<String>,
    pub stage_colour: Option<String>,
    /// Two decimals, in `currency`.
    pub value: Option<String>,
    pub currency: String,
    pub owner_id: Option<uuid::Uuid>,
    pub reply_count: i64,
    pub last_reply_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<Row> for ListedLeadItem {
    fn from(row: Row) -> Self {
        let lead = row.lead;
        Self {
            tenant_id: lead.tenant_id.as_uuid(),
            instantly_id: lead.instantly_id,
            email: lead.email,
            first_name: lead.first_name,
            last_name: lead.last_name,
            company_name: lead.company_name,
            campaign_id: lead.campaign_id,
            stage_id: row.stage.as_ref().map(|s| s.id),
            stage_name: row.stage.as_ref().map(|s| s.name.clone()),
            stage_colour: row.stage.map(|s| s.colour),
            value: lead.value_cents.map(money::decimal),
            currency: row.currency,
            owner_id: lead.owner_id.map(|o| o.as_uuid()),
            reply_count: lead.reply_count,
            last_reply_at: lead.last_reply_at,
            updated_at: lead.timestamp_updated,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeadList {
    pub items: Vec<ListedLeadItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}
