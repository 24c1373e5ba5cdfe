//! The small, materialized objects of a workspace and their JSON.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Workspace;
use super::pools::{BODIES, SUBJECTS};
use super::rng::iso;

pub struct StepDef {
    pub delay_days: i64,
    /// (subject, body) pool indexes per variant.
    pub variants: Vec<(usize, usize)>,
}

pub struct Campaign {
    pub id: String,
    pub name: String,
    pub status: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub steps: Vec<StepDef>,
    pub accounts: Vec<u16>,
    pub stop_on_reply: bool,
    pub open_tracking: bool,
    pub link_tracking: bool,
    pub daily_limit: i64,
    pub pl_value: f64,
    pub timezone: &'static str,
    pub evergreen: bool,
}

pub struct Account {
    /// Internal id, used only as a tag-mapping resource id (accounts are keyed by email).
    pub uuid: String,
    pub email: String,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub status: i64,
    pub warmup_status: i64,
    pub provider_code: i64,
    pub score: Option<f64>,
    pub daily_limit: i64,
    pub sending_gap: i64,
}

pub struct LeadList {
    pub id: String,
    pub name: String,
    pub created_ms: i64,
    pub has_enrichment_task: bool,
}

pub struct Tag {
    pub id: String,
    pub label: &'static str,
    pub description: Option<&'static str>,
    pub created_ms: i64,
}

pub struct TagMapping {
    pub id: String,
    pub tag: usize,
    pub resource_id: String,
    /// 1 = account, 2 = campaign (the enum labels' reading; the spec's prose disagrees).
    pub resource_type: i64,
    pub created_ms: i64,
}

pub struct Label {
    pub id: String,
    pub label: &'static str,
    pub status_label: &'static str,
    pub interest_status: i64,
    pub description: Option<&'static str>,
    pub created_ms: i64,
}

#[derive(Debug, Clone)]
pub struct WebhookSub {
    pub id: String,
    pub name: Option<String>,
    pub target_hook_url: String,
    pub event_type: Option<String>,
    pub campaign: Option<String>,
    pub custom_interest_value: Option<f64>,
    pub headers: Option<BTreeMap<String, String>>,
    pub created_ms: i64,
    pub status: i64,
    pub error_ms: Option<i64>,
    pub consecutive_failures: u32,
}

impl Workspace {
    pub fn workspace_json(&self) -> Value {
        json!({
            "id": self.id,
            "timestamp_created": iso(self.created_ms),
            "timestamp_updated": iso(self.created_ms),
            "owner": self.owner,
            "name": self.name,
            "plan_id": "pid_hg_v1",
            "add_unsub_to_block": true,
            "default_opportunity_value": 500,
            "plan_id_leadfinder": null,
            "org_logo_url": null,
            "org_client_domain": null,
            "plan_id_crm": null,
            "plan_id_website_visitor": null,
            "plan_id_inbox_placement": null,
        })
    }

    pub fn campaign_json(&self, c: &Campaign) -> Value {
        let steps: Vec<Value> = c
            .steps
            .iter()
            .map(|s| {
                let variants: Vec<Value> = s
                    .variants
                    .iter()
                    .map(|(subject, body)| json!({ "subject": SUBJECTS[*subject], "body": BODIES[*body] }))
                    .collect();
                json!({ "type": "email", "delay": s.delay_days, "delay_unit": "days", "variants": variants })
            })
            .collect();
        let email_list: Vec<&str> = c
            .accounts
            .iter()
            .map(|a| self.accounts[usize::from(*a)].email.as_str())
            .collect();
        json!({
            "id": c.id,
            "name": c.name,
            "status": c.status,
            "pl_value": c.pl_value,
            "is_evergreen": c.evergreen,
            "campaign_schedule": {
                "start_date": super::rng::date_of_day(super::rng::day_of(c.created_ms)),
                "end_date": null,
                "schedules": [{
                    "name": "Working hours",
                    "timing": { "from": "09:00", "to": "17:30" },
                    "days": { "0": false, "1": true, "2": true, "3": true, "4": true, "5": true, "6": false },
                    "timezone": c.timezone,
                }],
            },
            "sequences": [{ "steps": steps }],
            "timestamp_created": iso(c.created_ms),
            "timestamp_updated": iso(c.updated_ms),
            "email_gap": 10,
            "random_wait_max": 5,
            "text_only": false,
            "email_list": email_list,
            "daily_limit": c.daily_limit,
            "stop_on_reply": c.stop_on_reply,
            "email_tag_list": [],
            "link_tracking": c.link_tracking,
            "open_tracking": c.open_tracking,
            "stop_on_auto_reply": false,
            "daily_max_leads": 50,
            "prioritize_new_leads": false,
            "auto_variant_select": null,
            "match_lead_esp": false,
            "not_sending_status": if c.status == 1 { json!(1) } else { Value::Null },
            "stop_for_company": false,
            "insert_unsubscribe_header": true,
            "allow_risky_contacts": false,
            "disable_bounce_protect": false,
            "limit_emails_per_company_override": null,
            "cc_list": [],
            "bcc_list": [],
            "organization": self.id,
            "owned_by": self.owner,
            "ai_sdr_id": null,
            "provider_routing_rules": [],
        })
    }

    pub fn account_json(&self, a: &Account) -> Value {
        let error = a.status < 0;
        let domain = a.email.split('@').nth(1).unwrap_or_default();
        json!({
            "email": a.email,
            "timestamp_created": iso(a.created_ms),
            "timestamp_updated": iso(a.updated_ms),
            "first_name": a.first_name,
            "last_name": a.last_name,
            "organization": self.id,
            "warmup_status": a.warmup_status,
            "provider_code": a.provider_code,
            "setup_pending": false,
            "is_managed_account": false,
            "status": a.status,
            "status_message": if error {
                json!({
                    "code": "EAUTH", "command": "AUTH PLAIN", "response": "535 5.7.8 Authentication failed",
                    "e_message": "Invalid login", "responseCode": 535,
                })
            } else {
                json!({})
            },
            "warmup": {
                "limit": 40,
                "advanced": {
                    "warm_ctd": false, "open_rate": 0.95, "important_rate": 0.6,
                    "read_emulation": true, "spam_save_rate": 0.02, "weekday_only": true,
                },
                "warmup_custom_ftag": "warmup",
                "increment": "1",
                "reply_rate": 0.3,
            },
            "stat_warmup_score": a.score,
            "daily_limit": a.daily_limit,
            "daily_limit_max": null,
            "warmup_limit_max": null,
            "sending_gap": a.sending_gap,
            "enable_slow_ramp": true,
            "inbox_placement_test_limit": null,
            "tracking_domain_name": format!("track.{domain}"),
            "tracking_domain_status": "active",
            "timestamp_last_used": iso(a.updated_ms),
            "timestamp_warmup_start": iso(a.created_ms),
            "warmup_pool_id": null,
            "added_by": self.owner,
            "modified_by": null,
            "dfy_password_changed": null,
            "is_ready_made_account": false,
            "signature": format!("<p>{} {}</p>", a.first_name, a.last_name),
            "reply_to": null,
            "autofix_failed": if error { json!(true) } else { Value::Null },
        })
    }

    pub fn list_json(&self, l: &LeadList) -> Value {
        json!({
            "id": l.id, "organization_id": self.id, "name": l.name,
            "timestamp_created": iso(l.created_ms), "has_enrichment_task": l.has_enrichment_task,
            "owned_by": self.owner,
        })
    }

    pub fn tag_json(&self, t: &Tag) -> Value {
        json!({
            "id": t.id, "timestamp_created": iso(t.created_ms), "timestamp_updated": iso(t.created_ms),
            "organization_id": self.id, "label": t.label, "description": t.description,
        })
    }

    pub fn mapping_json(&self, m: &TagMapping) -> Value {
        json!({
            "id": m.id, "tag_id": self.tags[m.tag].id, "resource_id": m.resource_id,
            "resource_type": m.resource_type, "timestamp_created": iso(m.created_ms),
            "organization_id": self.id,
        })
    }

    pub fn label_json(&self, l: &Label) -> Value {
        json!({
            "id": l.id, "timestamp_created": iso(l.created_ms), "created_by": self.owner,
            "organization_id": self.id, "label": l.label, "interest_status_label": l.status_label,
            "interest_status": l.interest_status, "description": l.description, "use_with_ai": false,
        })
    }

    pub fn webhook_json(&self, w: &WebhookSub) -> Value {
        json!({
            "id": w.id, "organization": self.id, "campaign": w.campaign, "name": w.name,
            "target_hook_url": w.target_hook_url, "event_type": w.event_type,
            "custom_interest_value": w.custom_interest_value, "headers": w.headers,
            "timestamp_created": iso(w.created_ms), "status": w.status,
            "timestamp_error": w.error_ms.map(iso),
        })
    }

    /// Tags of an account, as `GET /accounts?include_tags=true` adds them.
    pub fn account_tags(&self, account: &Account) -> Vec<Value> {
        self.mappings
            .iter()
            .filter(|m| m.resource_type == 1 && m.resource_id == account.uuid)
            .map(|m| {
                let t = &self.tags[m.tag];
                json!({ "id": t.id, "label": t.label, "description": t.description })
            })
            .collect()
    }
}
