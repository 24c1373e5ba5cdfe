use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A campaign (`GET /api/v2/campaigns`, `GET /api/v2/campaigns/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    /// See [`crate::campaign_status`].
    pub status: i64,
    pub campaign_schedule: CampaignSchedule,
    pub timestamp_created: DateTime<Utc>,
    pub timestamp_updated: DateTime<Utc>,
    #[serde(default)]
    pub pl_value: Option<f64>,
    #[serde(default)]
    pub is_evergreen: Option<bool>,
    /// Only the first sequence is used by Instantly.
    #[serde(default)]
    pub sequences: Vec<Sequence>,
    #[serde(default)]
    pub email_gap: Option<f64>,
    #[serde(default)]
    pub random_wait_max: Option<f64>,
    #[serde(default)]
    pub text_only: Option<bool>,
    #[serde(default)]
    pub first_email_text_only: Option<bool>,
    /// Sending account emails.
    #[serde(default)]
    pub email_list: Vec<String>,
    #[serde(default)]
    pub daily_limit: Option<f64>,
    #[serde(default)]
    pub stop_on_reply: Option<bool>,
    #[serde(default)]
    pub email_tag_list: Vec<String>,
    #[serde(default)]
    pub link_tracking: Option<bool>,
    #[serde(default)]
    pub open_tracking: Option<bool>,
    #[serde(default)]
    pub stop_on_auto_reply: Option<bool>,
    #[serde(default)]
    pub daily_max_leads: Option<i64>,
    #[serde(default)]
    pub prioritize_new_leads: Option<bool>,
    #[serde(default)]
    pub auto_variant_select: Option<Value>,
    #[serde(default)]
    pub match_lead_esp: Option<bool>,
    /// `1` outside schedule, `2` waiting for a lead, `3` campaign daily limit, `4` all accounts
    /// at their limit, `99` error.
    #[serde(default)]
    pub not_sending_status: Option<i64>,
    #[serde(default)]
    pub stop_for_company: Option<bool>,
    #[serde(default)]
    pub core_variables: Option<Map<String, Value>>,
    #[serde(default)]
    pub custom_variables: Option<Map<String, Value>>,
    #[serde(default)]
    pub insert_unsubscribe_header: Option<bool>,
    #[serde(default)]
    pub allow_risky_contacts: Option<bool>,
    #[serde(default)]
    pub disable_bounce_protect: Option<bool>,
    #[serde(default)]
    pub limit_emails_per_company_override: Option<Value>,
    #[serde(default)]
    pub cc_list: Vec<String>,
    #[serde(default)]
    pub bcc_list: Vec<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub owned_by: Option<String>,
    #[serde(default)]
    pub ai_sdr_id: Option<String>,
    #[serde(default)]
    pub provider_routing_rules: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignSchedule {
    /// `YYYY-MM-DD` in the campaign's timezone (older data may hold a full date-time).
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    pub schedules: Vec<Schedule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub name: String,
    pub timing: Timing,
    /// Keys `"0"`..`"6"`; `"0"` is Sunday.
    pub days: Map<String, Value>,
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(rename = "type")]
    pub kind: String,
    /// Wait before the next email, in `delay_unit` (days by default).
    pub delay: f64,
    #[serde(default)]
    pub delay_unit: Option<String>,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub v_disabled: Option<bool>,
}
