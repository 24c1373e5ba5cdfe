//! Admin routes under `/__sim/` (never under `/api/v2`): workspaces and keys, ground truth,
//! faults, the request log, rate limits, ticks and the webhook delivery log.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::data::Workspace;
use crate::data::leads::MsgKind;
use crate::data::rng::iso;
use crate::faults::FaultConfig;
use crate::ratelimit::RateLimitConfig;
use crate::state::Sim;
use crate::tick::{TickRequest, tick};

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/__sim/workspaces", get(workspaces))
        .route("/__sim/truth/{workspace_id}", get(truth))
        .route(
            "/__sim/faults",
            get(get_faults).post(set_faults).delete(clear_faults),
        )
        .route(
            "/__sim/rate-limits",
            get(get_limits).post(set_limits).put(set_limits),
        )
        .route("/__sim/requests", get(requests))
        .route("/__sim/tick", post(tick_handler))
        .route("/__sim/workspaces/{workspace_id}/plan", post(set_plan))
        .route("/__sim/webhook-deliveries", get(deliveries))
        .with_state(sim)
}

async fn workspaces(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let list: Vec<Value> = (0..sim.workspace_count())
        .map(|i| {
            let w = sim.read(i);
            json!({ "id": w.id, "name": w.name, "api_key": w.api_key })
        })
        .collect();
    Json(Value::Array(list))
}

#[derive(Deserialize)]
#[serde(default)]
pub struct TruthOptions {
    /// Include id lists (default true; turn off for large scales).
    pub ids: bool,
    /// Include a compact record per lead and per email.
    pub content: bool,
}

impl Default for TruthOptions {
    fn default() -> Self {
        TruthOptions {
            ids: true,
            content: false,
        }
    }
}

async fn truth(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(options): Query<TruthOptions>,
) -> Response {
    let Some(index) = sim.workspace_by_id(&id) else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            Json(json!({ "error": "unknown workspace" })),
        )
            .into_response();
    };
    let dump = ground_truth(&sim.read(index), &options);
    Json(dump).into_response()
}

fn stream(ids: Vec<String>, with_ids: bool) -> Value {
    let mut value = json!({ "count": ids.len() });
    if with_ids {
        value["ids"] = json!(ids);
    }
    value
}

/// The named fields of a JSON object (null when absent).
fn pick(object: &Value, fields: &[&str]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|f| (f.to_string(), object[*f].clone()))
            .collect(),
    )
}

/// Everything a sync of this workspace should end up with.
pub fn ground_truth(w: &Workspace, options: &TruthOptions) -> Value {
    let ids = options.ids;
    let (mut interest, mut lead_records, mut email_records) = (Map::new(), Vec::new(), Vec::new());
    let (mut received, mut sent, mut manual) = (0u64, 0u64, 0u64);
    for lead in 0..w.lead_count {
        let now = w.lead_now(lead);
        if let Some(value) = now.plan.interest {
            interest.insert(w.lead_id(lead), json!(value));
        }
        for m in &now.plan.msgs {
            match m.kind {
                MsgKind::Step => sent += 1,
                MsgKind::Manual => manual += 1,
                _ => received += 1,
            }
        }
        if options.content {
            let lead_json = w.lead_json(&now.view());
            lead_records.push(pick(
                &lead_json,
                &["id", "email", "status", "lt_interest_status"],
            ));
            for pos in 0..now.plan.msgs.len() {
                let email = w.email_json(&now, pos);
                let fields = [
                    "id",
                    "thread_id",
                    "timestamp_created",
                    "ue_type",
                    "is_unread",
                    "subject",
                ];
                email_records.push(pick(&email, &fields));
            }
        }
    }
    let lead_ids = if ids {
        (0..w.lead_count).map(|i| w.lead_id(i)).collect()
    } else {
        Vec::new()
    };
    let email_ids = if ids {
        w.emails.iter().map(|k| w.email_id(*k)).collect()
    } else {
        Vec::new()
    };
    let mut leads = stream(lead_ids, ids);
    leads["count"] = json!(w.lead_count);
    leads["interest"] = Value::Object(interest);
    let mut emails = stream(email_ids, ids);
    emails["count"] = json!(w.emails.len());
    emails["unread"] = json!(w.live.unread);
    emails["by_type"] =
        json!({ "sent_from_campaign": sent, "received": received, "manual": manual });
    if options.content {
        leads["records"] = Value::Array(lead_records);
        emails["records"] = Value::Array(email_records);
    }
    json!({
        "workspace": { "id": w.id, "name": w.name },
        "clock": iso(w.live.clock_ms),
        "campaigns": stream(w.campaigns.iter().map(|c| c.id.clone()).collect(), true),
        "accounts": {
            "count": w.accounts.len(),
            "ids": w.accounts.iter().map(|a| a.email.clone()).collect::<Vec<_>>(),
            "statuses": w.accounts.iter().map(|a| (a.email.clone(), json!(a.status))).collect::<Map<_, _>>(),
        },
        "lead_lists": stream(w.lists.iter().map(|l| l.id.clone()).collect(), true),
        "lead_labels": stream(w.labels.iter().map(|l| l.id.clone()).collect(), true),
        "custom_tags": stream(w.tags.iter().map(|t| t.id.clone()).collect(), true),
        "custom_tag_mappings": stream(w.mappings.iter().map(|m| m.id.clone()).collect(), true),
        "webhooks": stream(w.live.webhooks.iter().map(|s| s.id.clone()).collect(), true),
        "leads": leads,
        "emails": emails,
    })
}

#[derive(Deserialize)]
struct Plan {
    paid: bool,
}

/// `{"paid": false}` makes every API call of the workspace answer 402.
async fn set_plan(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(plan): Json<Plan>,
) -> Response {
    let Some(index) = sim.workspace_by_id(&id) else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            Json(json!({ "error": "unknown workspace" })),
        )
            .into_response();
    };
    sim.set_paid(index, plan.paid);
    Json(json!({ "paid": plan.paid })).into_response()
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let faults = sim.faults();
    Json(json!({ "config": faults.config, "injected": faults.injected }))
}

async fn set_faults(State(sim): State<Arc<Sim>>, Json(config): Json<FaultConfig>) -> Json<Value> {
    sim.faults().set(config);
    Json(json!({ "ok": true }))
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.faults().clear();
    Json(json!({ "ok": true }))
}

async fn requests(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.request_log().entries()))
}

async fn get_limits(State(sim): State<Arc<Sim>>) -> Json<RateLimitConfig> {
    Json(sim.rate_limits())
}

async fn set_limits(
    State(sim): State<Arc<Sim>>,
    Json(config): Json<RateLimitConfig>,
) -> Json<RateLimitConfig> {
    sim.set_rate_limits(config);
    Json(config)
}

async fn tick_handler(
    State(sim): State<Arc<Sim>>,
    Json(request): Json<TickRequest>,
) -> Json<Value> {
    Json(json!(tick(&sim, &request)))
}

async fn deliveries(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(
        *sim.deliveries.lock().unwrap_or_else(|e| e.into_inner())
    ))
}
