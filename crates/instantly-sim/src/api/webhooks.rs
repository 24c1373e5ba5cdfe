//! Webhook subscriptions.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::Path;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Duplicate, Params, Ws, after_cursor, json_body, ok, page};
use crate::data::WebhookSub;
use crate::data::rng::{Kind, make_id};
use crate::webhooks::SUBSCRIPTION_TYPES;

pub async fn list(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let event_type = params.one_of("event_type", SUBSCRIPTION_TYPES)?;
    let campaign = params.get("campaign");
    let w = ws.sim.read(ws.index);
    let matching: Vec<&WebhookSub> = w
        .live
        .webhooks
        .iter()
        .filter(|s| event_type.is_none() || s.event_type == event_type)
        .filter(|s| campaign.is_none_or(|c| s.campaign.as_deref() == Some(c)))
        .collect();
    let items = after_cursor(
        &matching,
        |s| &s.id,
        params.get("starting_after"),
        limit,
        dup,
    );
    let items = items.map(|s| w.webhook_json(s)).collect();
    Ok(page(items, limit, |s| {
        s["id"].as_str().unwrap_or_default().to_owned()
    }))
}

fn invalid(message: &str) -> ApiError {
    ApiError::bad_request(message.to_owned())
}

/// Validates like the spec's body schema (which has `additionalProperties: false`); the id and
/// creation time are filled in by the caller.
fn parse(body: &Value) -> ApiResult<WebhookSub> {
    let allowed = [
        "campaign",
        "name",
        "target_hook_url",
        "event_type",
        "custom_interest_value",
        "headers",
    ];
    if let Some(extra) = body
        .as_object()
        .and_then(|o| o.keys().find(|k| !allowed.contains(&k.as_str())))
    {
        return Err(invalid(&format!(
            "body must NOT have additional properties ('{extra}')"
        )));
    }
    let url = body.get("target_hook_url").and_then(Value::as_str);
    let url = url.ok_or_else(|| invalid("body must have required property 'target_hook_url'"))?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(invalid(
            "body/target_hook_url must match pattern \"^https?://\"",
        ));
    }
    let optional = |key: &str| -> ApiResult<Option<String>> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(&format!("body/{key} must be string,null"))),
        }
    };
    let event_type = optional("event_type")?;
    if event_type
        .as_deref()
        .is_some_and(|t| !SUBSCRIPTION_TYPES.contains(&t))
    {
        return Err(invalid(
            "body/event_type must be equal to one of the allowed values",
        ));
    }
    Ok(WebhookSub {
        id: String::new(),
        name: optional("name")?,
        target_hook_url: url.to_owned(),
        event_type,
        campaign: optional("campaign")?,
        custom_interest_value: body.get("custom_interest_value").and_then(Value::as_f64),
        headers: headers(body.get("headers"))?,
        created_ms: 0,
        status: 1,
        error_ms: None,
        consecutive_failures: 0,
    })
}

fn headers(value: Option<&Value>) -> ApiResult<Option<BTreeMap<String, String>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let v = v
                    .as_str()
                    .ok_or_else(|| invalid("body/headers must be string"))?;
                Ok((k.clone(), v.to_owned()))
            })
            .collect::<ApiResult<_>>()
            .map(Some),
        Some(_) => Err(invalid("body/headers must be object,null")),
    }
}

pub async fn create(ws: Ws, body: Bytes) -> ApiResult {
    let mut sub = parse(&json_body(&body)?)?;
    let mut w = ws.sim.write(ws.index);
    sub.created_ms = w.advance_clock(1);
    let n = w.live.webhooks.len() as u32;
    sub.id = make_id(w.seed, sub.created_ms, Kind::Webhook, n, 0).to_string();
    let json = w.webhook_json(&sub);
    w.live.webhooks.push(sub);
    ok(json)
}

/// `DELETE /api/v2/webhooks/{id}`: the subscription as it was; 404 for one never made or
/// already deleted.
pub async fn delete(ws: Ws, Path(id): Path<String>) -> ApiResult {
    let mut w = ws.sim.write(ws.index);
    let at = w.live.webhooks.iter().position(|s| s.id == id);
    let sub = w.live.webhooks.remove(at.ok_or_else(ApiError::not_found)?);
    ok(w.webhook_json(&sub))
}

pub async fn event_types(_ws: Ws) -> ApiResult {
    let types: Vec<Value> = SUBSCRIPTION_TYPES
        .iter()
        .map(|id| {
            let kind = if id.starts_with("lead_") {
                "lead"
            } else if *id == "account_error" {
                "account"
            } else {
                "email"
            };
            json!({ "id": id, "label": id.replace('_', " "), "type": kind })
        })
        .collect();
    ok(json!({ "event_types": types }))
}
