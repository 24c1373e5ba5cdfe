//! The JSON of a lead.

use serde_json::{Value, json};

use super::Workspace;
use super::leads::{LeadCore, Msg, MsgKind};
use super::pools::*;
use super::rng::*;

/// Everything that decides a lead's JSON at this moment.
pub struct LeadView<'a> {
    pub core: &'a LeadCore,
    pub msgs: &'a [Msg],
    pub interest: Option<i64>,
    pub interest_changed_ms: Option<i64>,
    pub status: i64,
}

impl Workspace {
    pub fn lead_json(&self, view: &LeadView) -> Value {
        let core = view.core;
        let (first, last) = (FIRST_NAMES[core.first].0, LAST_NAMES[core.last].0);
        let company = COMPANIES[core.company as usize % COMPANIES.len()].0;
        let domain = self.company_domain(core.company);
        let steps: Vec<&Msg> = view
            .msgs
            .iter()
            .filter(|m| m.kind == MsgKind::Step)
            .collect();
        let last_of = |f: fn(&Msg) -> bool| view.msgs.iter().filter(|m| f(m)).map(|m| m.ts).max();
        let last_step = steps.last();
        let last_reply = view.msgs.iter().rev().find(|m| m.kind == MsgKind::Reply);
        let updated = [
            Some(core.created_ms),
            last_of(|_| true),
            view.interest_changed_ms,
        ];
        let mut r = Rng::new(&[self.seed, Kind::User as u64, u64::from(core.index)]);
        let account = &self.accounts[usize::from(core.account)];
        let interest_changed = view.interest_changed_ms.or(last_reply.map(|m| m.ts));
        let interest_changed = interest_changed.filter(|_| view.interest.is_some());
        let mut lead = json!({
            "id": self.lead_id(core.index),
            "timestamp_created": iso(core.created_ms),
            "timestamp_updated": iso(updated.into_iter().flatten().max().unwrap_or(core.created_ms)),
            "organization": self.id,
            "campaign": core.campaign.map(|c| self.campaigns[usize::from(c)].id.clone()),
            "list_id": core.list.map(|l| self.lists[usize::from(l)].id.clone()),
            "status": view.status,
            "email": self.lead_email(core),
            "first_name": first,
            "last_name": last,
            "company_name": company,
            "job_title": JOB_TITLES[core.title],
            "phone": if r.percent(40) { Value::Null } else { json!(format!("+1 555 01{:02}", core.index % 100)) },
            "website": format!("https://{domain}"),
            "personalization": format!("Loved your talk in {} — {first}", CITIES[core.city]),
            "company_domain": domain,
            "payload": {
                "firstName": first, "lastName": last, "companyName": company,
                "jobTitle": JOB_TITLES[core.title], "website": format!("https://{domain}"),
                "city": CITIES[core.city], "score": r.below(100), "vip": r.percent(10),
                "notes": if r.percent(50) { Value::Null } else { json!("Met at SaaStr 🚀 — \"follow up\"") },
            },
            "email_open_count": steps.iter().filter(|m| m.opened).count(),
            "email_reply_count": view.msgs.iter().filter(|m| m.kind == MsgKind::Reply).count(),
            "email_click_count": steps.iter().filter(|m| m.clicked).count(),
            "status_summary": {},
            "verification_status": r.pick(&[1, 1, 1, 1, -1, -2, -3, 11]),
            "enrichment_status": r.pick(&[1, 1, -1, 11]),
            "upload_method": r.pick(&["manual", "api", "api"]),
            "esp_code": r.pick(&[1, 1, 2, 2, 3, 999, 1000]),
            "esg_code": r.pick(&[0, 0, 1, 2, 3, 4]),
            "is_website_visitor": false,
            "assigned_to": Value::Null,
            "subsequence_id": Value::Null,
            "pl_value_lead": if view.interest == Some(1) { json!("High") } else { Value::Null },
            "timestamp_last_contact": last_step.map(|m| iso(m.ts)),
            "timestamp_last_open": last_of(|m| m.opened).map(iso),
            "timestamp_last_click": last_of(|m| m.clicked).map(iso),
            "timestamp_last_reply": last_reply.map(|m| iso(m.ts)),
            "timestamp_last_interest_change": interest_changed.map(iso),
            "timestamp_last_touch": last_of(|_| true).map(iso),
            "email_opened_step": steps.iter().rev().find(|m| m.opened).map(|m| m.step + 1),
            "email_opened_variant": steps.iter().rev().find(|m| m.opened).map(|m| m.variant + 1),
            "email_clicked_step": steps.iter().rev().find(|m| m.clicked).map(|m| m.step + 1),
            "email_clicked_variant": steps.iter().rev().find(|m| m.clicked).map(|m| m.variant + 1),
            "email_replied_step": last_reply.map(|m| m.step + 1),
            "email_replied_variant": last_reply.map(|m| m.variant + 1),
            "last_contacted_from": last_step.map(|_| account.email.clone()),
        });
        if let Some(step) = last_step {
            let step_id =
                make_id(self.seed, step.ts, Kind::Step, core.index, step.step).to_string();
            lead["status_summary"] = json!({ "lastStep": {
                "from": account.email, "stepID": step_id, "timestamp_executed": iso(step.ts)
            }});
            lead["last_step_from"] = json!(account.email);
            lead["last_step_id"] = json!(step_id);
            lead["last_step_timestamp_executed"] = json!(iso(step.ts));
        }
        if let Some(interest) = view.interest {
            lead["lt_interest_status"] = json!(interest);
        }
        lead
    }
}
