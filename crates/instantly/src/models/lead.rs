use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A lead (`POST /api/v2/leads/list`, `GET /api/v2/leads/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: String,
    pub timestamp_created: DateTime<Utc>,
    pub timestamp_updated: DateTime<Utc>,
    pub organization: String,
    /// See [`crate::lead_status`].
    pub status: i64,
    pub email_open_count: i64,
    pub email_reply_count: i64,
    pub email_click_count: i64,
    pub company_domain: String,
    pub status_summary: Map<String, Value>,
    #[serde(default)]
    pub campaign: Option<String>,
    #[serde(default)]
    pub list_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub personalization: Option<String>,
    /// Custom variables (values are strings, numbers, booleans or null).
    #[serde(default)]
    pub payload: Option<Map<String, Value>>,
    #[serde(default)]
    pub status_summary_subseq: Option<Map<String, Value>>,
    #[serde(default)]
    pub last_step_from: Option<String>,
    #[serde(default)]
    pub last_step_id: Option<String>,
    #[serde(default)]
    pub last_step_timestamp_executed: Option<DateTime<Utc>>,
    #[serde(default)]
    pub email_opened_step: Option<i64>,
    #[serde(default)]
    pub email_opened_variant: Option<i64>,
    #[serde(default)]
    pub email_replied_step: Option<i64>,
    #[serde(default)]
    pub email_replied_variant: Option<i64>,
    #[serde(default)]
    pub email_clicked_step: Option<i64>,
    #[serde(default)]
    pub email_clicked_variant: Option<i64>,
    /// See [`crate::interest`]; `None` means a plain "Lead".
    #[serde(default)]
    pub lt_interest_status: Option<i64>,
    #[serde(default)]
    pub subsequence_id: Option<String>,
    #[serde(default)]
    pub verification_status: Option<i64>,
    #[serde(default)]
    pub pl_value_lead: Option<String>,
    #[serde(default)]
    pub timestamp_added_subsequence: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timestamp_last_contact: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timestamp_last_open: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timestamp_last_reply: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timestamp_last_interest_change: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timestamp_last_click: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timestamp_last_touch: Option<DateTime<Utc>>,
    #[serde(default)]
    pub enrichment_status: Option<i64>,
    #[serde(default)]
    pub last_contacted_from: Option<String>,
    #[serde(default)]
    pub uploaded_by_user: Option<String>,
    #[serde(default)]
    pub upload_method: Option<String>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub is_website_visitor: Option<bool>,
    #[serde(default)]
    pub esp_code: Option<i64>,
    #[serde(default)]
    pub esg_code: Option<i64>,
}

/// A lead list (`GET /api/v2/lead-lists`). Has no `timestamp_updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadList {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub timestamp_created: DateTime<Utc>,
    #[serde(default)]
    pub has_enrichment_task: Option<bool>,
    #[serde(default)]
    pub owned_by: Option<String>,
}

/// A custom interest status (`GET /api/v2/lead-labels`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadLabel {
    pub id: String,
    pub timestamp_created: DateTime<Utc>,
    pub created_by: String,
    pub organization_id: String,
    pub label: String,
    /// `positive`, `negative` or `neutral`.
    pub interest_status_label: String,
    /// Server-generated value that appears in `lt_interest_status`.
    pub interest_status: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub use_with_ai: Option<bool>,
}

/// A custom tag (`GET /api/v2/custom-tags`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomTag {
    pub id: String,
    pub timestamp_created: DateTime<Utc>,
    pub timestamp_updated: DateTime<Utc>,
    pub organization_id: String,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A tag assigned to an account or a campaign (`GET /api/v2/custom-tag-mappings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomTagMapping {
    pub id: String,
    pub tag_id: String,
    pub resource_id: String,
    /// `1` or `2`; the spec contradicts itself on which is account and which campaign.
    pub resource_type: i64,
    pub timestamp_created: DateTime<Utc>,
    pub organization_id: String,
}
