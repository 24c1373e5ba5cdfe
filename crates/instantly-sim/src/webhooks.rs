//! Webhook delivery: Instantly's flat JSON payload, POSTed to every matching subscription with
//! its custom headers, retried, and the subscription disabled after repeated failures.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::data::rng::iso;
use crate::state::Sim;

/// Subscription `event_type` values (the spec's enum).
pub const SUBSCRIPTION_TYPES: &[&str] = &[
    "all_events",
    "email_sent",
    "email_opened",
    "email_link_clicked",
    "reply_received",
    "email_bounced",
    "lead_unsubscribed",
    "campaign_completed",
    "account_error",
    "lead_neutral",
    "lead_interested",
    "lead_not_interested",
    "lead_meeting_booked",
    "lead_meeting_completed",
    "lead_closed",
    "lead_out_of_office",
    "lead_wrong_person",
    "lead_no_show",
    "supersearch_enrichment_completed",
];

/// Retries after the first attempt.
const RETRIES: u32 = 3;
/// Failed events in a row that disable a subscription (status -1).
const DISABLE_AFTER: u32 = 3;

/// The subscription name that receives a delivered event name: deliveries say `link_clicked`
/// where subscriptions say `email_link_clicked`; `auto_reply_received` and custom label names
/// have no subscription value (only `all_events`, or `custom_interest_value` for labels).
pub fn subscription_name(delivered: &str) -> Option<&'static str> {
    match delivered {
        "link_clicked" => Some("email_link_clicked"),
        "auto_reply_received" | "all_events" => None,
        other => SUBSCRIPTION_TYPES.iter().find(|t| **t == other).copied(),
    }
}

/// The delivered event name of a lead interest status (`None` = back to plain lead).
pub fn interest_event(value: Option<i64>) -> Option<&'static str> {
    Some(match value {
        None => "lead_neutral",
        Some(0) => "lead_out_of_office",
        Some(1) => "lead_interested",
        Some(2) => "lead_meeting_booked",
        Some(3) => "lead_meeting_completed",
        Some(4) => "lead_closed",
        Some(-1) => "lead_not_interested",
        Some(-2) => "lead_wrong_person",
        Some(-4) => "lead_no_show",
        Some(_) => return None,
    })
}

/// An event ready to deliver.
#[derive(Debug, Clone)]
pub struct Event {
    pub campaign_id: Option<String>,
    /// Set for custom-label events, matched against `custom_interest_value`.
    pub interest_value: Option<i64>,
    /// The flat payload; `event_type` holds the delivered name.
    pub payload: Map<String, Value>,
}

impl Event {
    pub fn new(event_type: &str, workspace: &str, at_ms: i64) -> Event {
        let mut payload = Map::new();
        payload.insert("timestamp".into(), json!(iso(at_ms)));
        payload.insert("event_type".into(), json!(event_type));
        payload.insert("workspace".into(), json!(workspace));
        Event {
            campaign_id: None,
            interest_value: None,
            payload,
        }
    }

    fn name(&self) -> &str {
        self.payload["event_type"].as_str().unwrap_or_default()
    }
}

/// One delivery attempt, kept for tests (`GET /__sim/webhook-deliveries`).
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub workspace_id: String,
    pub webhook_id: String,
    pub url: String,
    pub event_type: String,
    pub attempt: u32,
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub success: bool,
    pub payload: Value,
}

/// Sends every event to its matching subscriptions in the background.
pub fn emit(sim: &Arc<Sim>, workspace: usize, events: Vec<Event>) {
    if events.is_empty() {
        return;
    }
    let w = sim.read(workspace);
    for event in events {
        for sub in w.live.webhooks.iter().filter(|s| s.status == 1) {
            let wanted = match sub.event_type.as_deref() {
                Some("all_events") => true,
                Some(name) => subscription_name(event.name()) == Some(name),
                None => {
                    event.interest_value.is_some()
                        && sub.custom_interest_value.map(|v| v as i64) == event.interest_value
                }
            };
            let campaign_ok = sub.campaign.is_none() || sub.campaign == event.campaign_id;
            if wanted && campaign_ok {
                let job = (
                    sim.clone(),
                    workspace,
                    w.id.clone(),
                    sub.clone(),
                    event.clone(),
                );
                tokio::spawn(deliver(job.0, job.1, job.2, job.3, job.4));
            }
        }
    }
}

async fn deliver(
    sim: Arc<Sim>,
    workspace: usize,
    workspace_id: String,
    sub: crate::data::WebhookSub,
    event: Event,
) {
    let payload = Value::Object(event.payload.clone());
    let mut delay = sim.webhook_retry_base;
    for attempt in 0..=RETRIES {
        let mut request = sim.webhook_http.post(&sub.target_hook_url).json(&payload);
        for (name, value) in sub.headers.iter().flatten() {
            request = request.header(name.as_str(), value.as_str());
        }
        let outcome = request.send().await;
        let status_code = outcome.as_ref().ok().map(|r| r.status().as_u16());
        let success = status_code.is_some_and(|s| (200..300).contains(&s));
        let record = Delivery {
            workspace_id: workspace_id.clone(),
            webhook_id: sub.id.clone(),
            url: sub.target_hook_url.clone(),
            event_type: event.name().to_owned(),
            attempt,
            status_code,
            error: outcome.err().map(|e| e.to_string()),
            success,
            payload: payload.clone(),
        };
        sim.deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
        if success {
            return record_outcome(&sim, workspace, &sub.id, true);
        }
        if attempt < RETRIES {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    record_outcome(&sim, workspace, &sub.id, false);
}

fn record_outcome(sim: &Sim, workspace: usize, webhook_id: &str, success: bool) {
    let mut w = sim.write(workspace);
    let now = w.live.clock_ms;
    let Some(sub) = w.live.webhooks.iter_mut().find(|s| s.id == webhook_id) else {
        return;
    };
    if success {
        sub.consecutive_failures = 0;
        return;
    }
    sub.consecutive_failures += 1;
    if sub.consecutive_failures >= DISABLE_AFTER {
        sub.status = -1;
        sub.error_ms = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivered_names_map_to_subscription_names() {
        assert_eq!(
            subscription_name("link_clicked"),
            Some("email_link_clicked")
        );
        assert_eq!(subscription_name("reply_received"), Some("reply_received"));
        assert_eq!(subscription_name("auto_reply_received"), None);
        assert_eq!(subscription_name("Referral 🤝"), None);
    }

    #[test]
    fn interest_statuses_map_to_lead_events() {
        assert_eq!(interest_event(Some(1)), Some("lead_interested"));
        assert_eq!(interest_event(Some(4)), Some("lead_closed"));
        assert_eq!(interest_event(None), Some("lead_neutral"));
        assert_eq!(interest_event(Some(-3)), None);
    }
}
