//! Instantly objects turned into rows of our tables (JSON objects named by column).

use chrono::{DateTime, Utc};
use instantly::models::{
    Account, AccountDailyAnalytics, Campaign, CampaignAnalytics, CampaignDailyAnalytics, CustomTag,
    CustomTagMapping, Email, Lead, LeadLabel, LeadList, StepAnalytics, WarmupDay,
};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::sanitize::clean_body;
use crate::domain::Attachment;
use crate::store::sync_iso as iso;

/// A stable hash of what Instantly sent: an unchanged object has an unchanged fingerprint.
pub fn fingerprint(source: &impl Serialize) -> i64 {
    let bytes = serde_json::to_vec(source).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

fn time(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(iso)
}

pub fn campaign(c: &Campaign) -> Value {
    json!({
        "instantly_id": c.id,
        "name": c.name,
        "status": c.status,
        "daily_limit": c.daily_limit,
        "schedule": serde_json::to_string(&c.campaign_schedule).unwrap_or_default(),
        "mailboxes": serde_json::to_string(&c.email_list).unwrap_or_default(),
        "timestamp_created": iso(c.timestamp_created),
        "timestamp_updated": iso(c.timestamp_updated),
        "fingerprint": fingerprint(c),
    })
}

/// One row per variant of every step of the campaign's (first) sequence.
pub fn campaign_steps(c: &Campaign) -> Vec<Value> {
    let mut rows = Vec::new();
    // Instantly runs the first sequence only; the others are never sent.
    for sequence in c.sequences.iter().take(1) {
        for (step, s) in sequence.steps.iter().enumerate() {
            for (variant, v) in s.variants.iter().enumerate() {
                rows.push(json!({
                    "campaign_id": c.id,
                    "step": step,
                    "variant": variant,
                    "kind": s.kind,
                    "delay": s.delay,
                    "subject": v.subject,
                    "body": v.body,
                    "disabled": v.v_disabled.unwrap_or(false),
                }));
            }
        }
    }
    rows
}

pub fn campaign_totals(a: &CampaignAnalytics) -> Value {
    with_fingerprint(json!({
        "campaign_id": a.campaign_id,
        "leads": a.leads_count,
        "contacted": a.contacted_count,
        "sent": a.emails_sent_count,
        "opened_unique": a.open_count_unique.unwrap_or(a.open_count),
        "replied_unique": a.reply_count_unique.unwrap_or(a.reply_count),
        "clicked_unique": a.link_click_count_unique.unwrap_or(a.link_click_count),
        "bounced": a.bounced_count,
        "unsubscribed": a.unsubscribed_count,
        "completed": a.completed_count,
        "opportunities": a.total_opportunities,
        "opportunity_value": a.total_opportunity_value,
    }))
}

pub fn campaign_daily(campaign_id: &str, d: &CampaignDailyAnalytics) -> Option<Value> {
    let n = |v: Option<i64>| v.unwrap_or(0);
    Some(with_fingerprint(json!({
        "campaign_id": campaign_id,
        "day": d.date?.format("%Y-%m-%d").to_string(),
        "sent": n(d.sent),
        "contacted": n(d.contacted),
        "opened": n(d.opened),
        "opened_unique": n(d.unique_opened),
        "replied": n(d.replies),
        "replied_unique": n(d.unique_replies),
        "clicked": n(d.clicks),
        "clicked_unique": n(d.unique_clicks),
        "opportunities": n(d.opportunities),
    })))
}

pub fn campaign_step_totals(campaign_id: &str, s: &StepAnalytics) -> Value {
    with_fingerprint(json!({
        "campaign_id": campaign_id,
        "step": s.step.clone().unwrap_or_default(),
        "variant": s.variant.clone().unwrap_or_default(),
        "sent": s.sent,
        "opened_unique": s.unique_opened,
        "replied_unique": s.unique_replies,
        "clicked_unique": s.unique_clicks,
        "opportunities": s.opportunities.unwrap_or(0),
    }))
}

pub fn mailbox(a: &Account) -> Value {
    json!({
        "instantly_id": a.email,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "status": a.status,
        "warmup_status": a.warmup_status,
        "warmup_score": a.stat_warmup_score,
        "daily_limit": a.daily_limit,
        "provider_code": a.provider_code,
        "timestamp_created": iso(a.timestamp_created),
        "fingerprint": fingerprint(a),
    })
}

pub fn mailbox_daily(d: &AccountDailyAnalytics) -> Value {
    with_fingerprint(json!({
        "mailbox": d.email_account,
        "day": d.date.format("%Y-%m-%d").to_string(),
        "sent": d.sent,
        "bounced": d.bounced,
        "contacted": d.contacted,
        "opened_unique": d.unique_opened,
        "replied_unique": d.unique_replies,
        "clicked_unique": d.unique_clicks,
    }))
}

pub fn warmup_daily(mailbox: &str, day: &str, d: &WarmupDay) -> Value {
    let n = |v: Option<f64>| v.unwrap_or(0.0) as i64;
    with_fingerprint(json!({
        "mailbox": mailbox,
        "day": day,
        "sent": n(d.sent),
        "received": n(d.received),
        "landed_inbox": n(d.landed_inbox),
        "landed_spam": n(d.landed_spam),
    }))
}

pub fn lead_list(l: &LeadList) -> Value {
    json!({
        "instantly_id": l.id,
        "name": l.name,
        "timestamp_created": iso(l.timestamp_created),
        "fingerprint": fingerprint(l),
    })
}

pub fn lead_label(l: &LeadLabel) -> Value {
    json!({
        "instantly_id": l.id,
        "label": l.label,
        "interest_status": l.interest_status,
        "interest_label": l.interest_status_label,
        "description": l.description,
        "fingerprint": fingerprint(l),
    })
}

pub fn custom_tag(t: &CustomTag) -> Value {
    json!({
        "instantly_id": t.id,
        "label": t.label,
        "description": t.description,
        "fingerprint": fingerprint(t),
    })
}

pub fn tag_mapping(m: &CustomTagMapping) -> Value {
    json!({
        "instantly_id": m.id,
        "tag_id": m.tag_id,
        "resource_id": m.resource_id,
        "resource_type": m.resource_type,
        "fingerprint": fingerprint(m),
    })
}

pub fn lead(l: &Lead) -> Value {
    json!({
        "instantly_id": l.id,
        "email": l.email,
        "first_name": l.first_name,
        "last_name": l.last_name,
        "company_name": l.company_name,
        "company_domain": l.company_domain,
        "job_title": l.job_title,
        "phone": l.phone,
        "website": l.website,
        "personalization": l.personalization,
        "custom_variables": serde_json::to_string(&l.payload.clone().unwrap_or_default())
            .unwrap_or_default(),
        "status": l.status,
        "interest_status": l.lt_interest_status,
        "campaign_id": l.campaign,
        "list_id": l.list_id,
        "open_count": l.email_open_count,
        "reply_count": l.email_reply_count,
        "click_count": l.email_click_count,
        "replied_step": l.email_replied_step,
        "replied_variant": l.email_replied_variant,
        "timestamp_created": iso(l.timestamp_created),
        "timestamp_updated": iso(l.timestamp_updated),
        "last_contact_at": time(l.timestamp_last_contact),
        "last_open_at": time(l.timestamp_last_open),
        "last_reply_at": time(l.timestamp_last_reply),
        "last_click_at": time(l.timestamp_last_click),
        "interest_changed_at": time(l.timestamp_last_interest_change),
        "fingerprint": fingerprint(l),
    })
}

/// Instantly's `ue_type`: 1 sent from a campaign, 2 received, 3 sent manually, 4 scheduled.
pub fn direction(ue_type: Option<i64>) -> &'static str {
    match ue_type {
        Some(2) => "received",
        _ => "sent",
    }
}

/// The thread an email belongs to (an email without one is its own thread).
pub fn thread_of(e: &Email) -> String {
    e.thread_id.clone().unwrap_or_else(|| e.id.clone())
}

/// HTML beyond this is not kept (its text still is): parsing time grows with nesting depth,
/// and no real reply is this large.
const MAX_HTML_BYTES: usize = 128 * 1024;

pub fn message(e: &Email) -> Value {
    let html = e.body.html.as_deref().filter(|h| h.len() <= MAX_HTML_BYTES);
    let body = clean_body(html, e.body.text.as_deref());
    json!({
        "instantly_id": e.id,
        "thread_id": thread_of(e),
        "lead_id": e.lead_id,
        "lead_email": e.lead,
        "campaign_id": e.campaign_id,
        "mailbox": e.eaccount,
        "direction": direction(e.ue_type),
        "ue_type": e.ue_type,
        "from_address": e.from_address_email,
        "from_name": from_name(e),
        "to_addresses": e.to_address_email_list,
        "cc_addresses": e.cc_address_email_list,
        "subject": e.subject,
        "body_text": body.text,
        "body_html": body.html,
        "blocked_remote": body.blocked_remote,
        "attachments": Attachment::store(&Attachment::from_instantly(e.attachment_json.as_ref())),
        "step": e.step,
        "is_unread": e.is_unread.unwrap_or(0) != 0,
        "is_auto_reply": e.is_auto_reply.unwrap_or(0) != 0,
        "interest_status": e.i_status,
        "timestamp_created": iso(e.timestamp_created),
        "message_id": e.message_id,
        "fingerprint": fingerprint(e),
    })
}

/// The display name of the From header, when Instantly gives one: plain text of at most 200
/// characters, without control characters (PostgreSQL refuses a NUL).
fn from_name(e: &Email) -> Option<String> {
    let first = e.from_address_json.as_ref()?.first()?;
    let name: String = first
        .get("name")?
        .as_str()?
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

fn with_fingerprint(mut row: Value) -> Value {
    let fp = fingerprint(&row);
    row["fingerprint"] = json!(fp);
    row
}
