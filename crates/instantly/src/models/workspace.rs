use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /api/v2/workspaces/current`: the workspace the API key belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub timestamp_created: DateTime<Utc>,
    pub timestamp_updated: DateTime<Utc>,
    pub owner: String,
    pub name: String,
    #[serde(default)]
    pub plan_id: Option<String>,
    #[serde(default)]
    pub add_unsub_to_block: Option<bool>,
    #[serde(default)]
    pub default_opportunity_value: Option<f64>,
    #[serde(default)]
    pub plan_id_leadfinder: Option<String>,
    #[serde(default)]
    pub plan_id_verification: Option<Value>,
    #[serde(default)]
    pub org_logo_url: Option<String>,
    #[serde(default)]
    pub org_client_domain: Option<String>,
    #[serde(default)]
    pub plan_id_crm: Option<String>,
    #[serde(default)]
    pub plan_id_website_visitor: Option<String>,
    #[serde(default)]
    pub plan_id_inbox_placement: Option<String>,
}
