//! Leads: the POST list with its body cursor, get by id, interest status updates.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Duplicate, Ws, json_body, limit_from, ok, page};
use crate::data::LeadNow;
use crate::data::Workspace;
use crate::data::leads::MsgKind;
use crate::data::rng::Kind;
use crate::tick::interest_event_of;
use crate::webhooks;

/// The parsed body of `POST /leads/list`.
struct LeadFilter {
    campaign: Option<String>,
    list: Option<String>,
    in_campaign: Option<bool>,
    in_list: Option<bool>,
    search: Option<String>,
    filter: Option<String>,
    excluded: Vec<String>,
}

fn strings(body: &Value, key: &str) -> Vec<String> {
    let items = body
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    items.filter_map(Value::as_str).map(str::to_owned).collect()
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl LeadFilter {
    fn matches(&self, w: &Workspace, now: &LeadNow) -> bool {
        let core = &now.core;
        let campaign_id = core
            .campaign
            .map(|c| w.campaigns[usize::from(c)].id.as_str());
        let list_id = core.list.map(|l| w.lists[usize::from(l)].id.as_str());
        self.campaign
            .as_deref()
            .is_none_or(|c| campaign_id == Some(c))
            && self.list.as_deref().is_none_or(|l| list_id == Some(l))
            && self.in_campaign.is_none_or(|b| campaign_id.is_some() == b)
            && self.in_list.is_none_or(|b| list_id.is_some() == b)
            && !self.excluded.contains(&w.lead_id(core.index))
            && self
                .search
                .as_deref()
                .is_none_or(|s| search_matches(w, now, s))
            && self
                .filter
                .as_deref()
                .is_none_or(|f| filter_matches(now, f))
    }

    /// Whether a lead can be judged on its fixed facts alone (fast path).
    fn needs_plan(&self) -> bool {
        self.search.is_some() || self.filter.is_some()
    }
}

fn search_matches(w: &Workspace, now: &LeadNow, search: &str) -> bool {
    let lead = w.lead_json(&now.view());
    let search = search.to_lowercase();
    ["first_name", "last_name", "email"].iter().any(|k| {
        lead[k]
            .as_str()
            .is_some_and(|v| v.to_lowercase().contains(&search))
    })
}

fn filter_matches(now: &LeadNow, filter: &str) -> bool {
    let msgs = &now.plan.msgs;
    let has = |kind| msgs.iter().any(|m| m.kind == kind);
    let opened = msgs.iter().any(|m| m.opened);
    let interest = now.plan.interest;
    match filter {
        "FILTER_VAL_CONTACTED" => has(MsgKind::Step),
        "FILTER_VAL_NOT_CONTACTED" => !has(MsgKind::Step),
        "FILTER_VAL_COMPLETED" => now.plan.status == 3,
        "FILTER_VAL_UNSUBSCRIBED" => now.plan.status == -2,
        "FILTER_VAL_ACTIVE" => now.plan.status == 1,
        "FILTER_VAL_BOUNCED" => now.plan.status == -1,
        "FILTER_VAL_SKIPPED" => now.plan.status == -3,
        "FILTER_VAL_REPLIED" => has(MsgKind::Reply),
        "FILTER_VAL_OPENED_NO_REPLY" => opened && !has(MsgKind::Reply),
        "FILTER_VAL_NO_OPENS" => has(MsgKind::Step) && !opened,
        "FILTER_VAL_LINK_CLICKED" => msgs.iter().any(|m| m.clicked),
        "FILTER_LEAD_INTERESTED" => interest == Some(1),
        "FILTER_LEAD_NOT_INTERESTED" => interest == Some(-1),
        "FILTER_LEAD_MEETING_BOOKED" => interest == Some(2),
        "FILTER_LEAD_MEETING_COMPLETED" => interest == Some(3),
        "FILTER_LEAD_CLOSED" => interest == Some(4),
        "FILTER_LEAD_OUT_OF_OFFICE" => interest == Some(0),
        "FILTER_LEAD_WRONG_PERSON" => interest == Some(-2),
        "FILTER_LEAD_LOST" => interest == Some(-3),
        "FILTER_LEAD_NO_SHOW" => interest == Some(-4),
        _ => false,
    }
}

/// First lead index after `cursor`: a lead id (any string works, by id order), or a lead
/// email with `distinct_contacts`.
fn start_after(w: &Workspace, cursor: &str) -> u32 {
    let exact = w
        .lead_index_of(cursor, Kind::Lead)
        .or_else(|| w.lead_index_by_email(cursor));
    if let Some(index) = exact {
        return index + 1;
    }
    let (mut low, mut high) = (0u32, w.lead_count);
    while low < high {
        let mid = low + (high - low) / 2;
        if w.lead_id(mid).as_str() <= cursor {
            low = mid + 1
        } else {
            high = mid
        }
    }
    low
}

pub async fn list(ws: Ws, Duplicate(dup): Duplicate, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let limit = limit_from(body.get("limit").cloned(), "body")?;
    let filter = LeadFilter {
        campaign: text(&body, "campaign"),
        list: text(&body, "list_id"),
        in_campaign: body.get("in_campaign").and_then(Value::as_bool),
        in_list: body.get("in_list").and_then(Value::as_bool),
        search: text(&body, "search").filter(|s| !s.is_empty()),
        filter: text(&body, "filter"),
        excluded: strings(&body, "excluded_ids"),
    };
    let distinct = body
        .get("distinct_contacts")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let cursor = text(&body, "starting_after");
    let w = ws.sim.read(ws.index);
    let mut candidates: Vec<u32> = strings(&body, "ids")
        .iter()
        .filter_map(|id| w.lead_index_of(id, Kind::Lead))
        .collect();
    candidates.extend(
        strings(&body, "contacts")
            .iter()
            .filter_map(|e| w.lead_index_by_email(e)),
    );
    let restricted = body.get("ids").is_some() || body.get("contacts").is_some();
    candidates.sort_unstable();
    candidates.dedup();
    let mut start = cursor.as_deref().map_or(0, |c| start_after(&w, c));
    if dup && cursor.is_some() {
        start = start.saturating_sub(1);
    }
    let indexes: Box<dyn Iterator<Item = u32>> = if restricted {
        Box::new(candidates.into_iter().filter(move |i| *i >= start))
    } else {
        Box::new(start..w.lead_count)
    };
    let mut items = Vec::new();
    for index in indexes {
        if items.len() >= limit + usize::from(dup) {
            break;
        }
        if !filter.needs_plan() && !filter.matches(&w, &w.lead_now_light(index)) {
            continue;
        }
        let now = w.lead_now(index);
        if filter.matches(&w, &now) {
            items.push(w.lead_json(&now.view()));
        }
    }
    let key = if distinct { "email" } else { "id" };
    Ok(page(items, limit, |lead| {
        lead[key].as_str().unwrap_or_default().to_owned()
    }))
}

pub async fn get_one(ws: Ws, Path(id): Path<String>) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let index = w
        .lead_index_of(&id, Kind::Lead)
        .ok_or_else(ApiError::not_found)?;
    ok(w.lead_json_now(index))
}

/// Applied at once, answered 202 like Instantly's background job; fires the lead webhook.
pub async fn update_interest(ws: Ws, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let invalid = || ApiError::ErrorOnly("Invalid lead email".into());
    let email = body
        .get("lead_email")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let value = match body.get("interest_value") {
        Some(Value::Null) => None,
        Some(v) => Some(
            v.as_f64()
                .ok_or_else(|| ApiError::ErrorOnly("Invalid interest value".into()))?
                as i64,
        ),
        None => return Err(ApiError::ErrorOnly("interest_value is required".into())),
    };
    let mut w = ws.sim.write(ws.index);
    let lead = w.lead_index_by_email(email).ok_or_else(invalid)?;
    let custom = w.labels.iter().any(|l| Some(l.interest_status) == value);
    if !custom && value.is_some_and(|v| !(-4..=4).contains(&v)) {
        return Err(ApiError::ErrorOnly("Invalid interest value".into()));
    }
    w.set_interest(lead, value);
    let event = interest_event_of(&w, lead, value);
    drop(w);
    webhooks::emit(&ws.sim, ws.index, event.into_iter().collect());
    let message = json!({ "message": "Lead interest status update background job submitted" });
    Ok((StatusCode::ACCEPTED, axum::Json(message)).into_response())
}
