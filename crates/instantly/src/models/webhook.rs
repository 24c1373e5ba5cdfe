use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A webhook subscription (`GET/POST /api/v2/webhooks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub organization: String,
    pub target_hook_url: String,
    pub timestamp_created: DateTime<Utc>,
    /// `None` = every campaign.
    #[serde(default)]
    pub campaign: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Subscription name (e.g. `email_link_clicked`); `None` with `custom_interest_value` set
    /// subscribes to a custom label.
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub custom_interest_value: Option<i64>,
    /// Sent verbatim with every delivery; the only way to authenticate deliveries.
    #[serde(default)]
    pub headers: Option<BTreeMap<String, String>>,
    /// `1` active, `-1` disabled after delivery failures.
    #[serde(default)]
    pub status: Option<i64>,
    #[serde(default)]
    pub timestamp_error: Option<DateTime<Utc>>,
}

/// Body of `POST /api/v2/webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub target_hook_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_interest_value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
}

/// One entry of `GET /api/v2/webhooks/event-types`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookEventType {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: String,
}
