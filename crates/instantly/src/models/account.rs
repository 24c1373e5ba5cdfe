use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A sending mailbox (`GET /api/v2/accounts`, `GET /api/v2/accounts/{email}`), keyed by email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub email: String,
    pub timestamp_created: DateTime<Utc>,
    pub timestamp_updated: DateTime<Utc>,
    pub first_name: String,
    pub last_name: String,
    pub organization: String,
    /// See [`crate::warmup_status`].
    pub warmup_status: i64,
    /// See [`crate::provider_code`].
    pub provider_code: i64,
    pub setup_pending: bool,
    pub is_managed_account: bool,
    /// See [`crate::account_status`].
    #[serde(default)]
    pub status: Option<i64>,
    #[serde(default)]
    pub status_message: Option<Map<String, Value>>,
    #[serde(default)]
    pub warmup: Option<Value>,
    /// Warmup (health) score, e.g. 85.
    #[serde(default)]
    pub stat_warmup_score: Option<f64>,
    #[serde(default)]
    pub daily_limit: Option<f64>,
    #[serde(default)]
    pub daily_limit_max: Option<f64>,
    #[serde(default)]
    pub warmup_limit_max: Option<f64>,
    #[serde(default)]
    pub sending_gap: Option<f64>,
    #[serde(default)]
    pub enable_slow_ramp: Option<bool>,
    #[serde(default)]
    pub inbox_placement_test_limit: Option<f64>,
    #[serde(default)]
    pub tracking_domain_name: Option<String>,
    #[serde(default)]
    pub tracking_domain_status: Option<String>,
    #[serde(default)]
    pub timestamp_last_used: Option<DateTime<Utc>>,
    #[serde(default)]
    pub timestamp_warmup_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub warmup_pool_id: Option<String>,
    #[serde(default)]
    pub added_by: Option<String>,
    #[serde(default)]
    pub modified_by: Option<String>,
    #[serde(default)]
    pub dfy_password_changed: Option<bool>,
    #[serde(default)]
    pub is_ready_made_account: Option<bool>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub autofix_failed: Option<bool>,
    /// Present only when listed with `include_tags=true`.
    #[serde(default)]
    pub tags: Option<Vec<AccountTag>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountTag {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// `POST /api/v2/accounts/warmup-analytics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarmupAnalytics {
    /// mailbox → `YYYY-MM-DD` → counters.
    pub email_date_data: BTreeMap<String, BTreeMap<String, WarmupDay>>,
    /// mailbox → totals and health score.
    pub aggregate_data: BTreeMap<String, WarmupAggregate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarmupDay {
    pub sent: Option<f64>,
    pub landed_inbox: Option<f64>,
    pub landed_spam: Option<f64>,
    pub received: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WarmupAggregate {
    pub sent: Option<f64>,
    pub received: Option<f64>,
    pub landed_inbox: Option<f64>,
    pub landed_spam: Option<f64>,
    pub health_score_label: Option<String>,
    pub health_score: Option<f64>,
}

/// `POST /api/v2/accounts/test/vitals`: DNS checks per sending domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountVitals {
    pub status: Option<String>,
    pub success_list: Vec<DomainVitals>,
    pub failure_list: Vec<DomainVitals>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
pub struct DomainVitals {
    pub domain: String,
    pub all_pass: bool,
    pub mx: bool,
    pub spf: bool,
    pub dkim: bool,
    pub dmarc: bool,
}
