//! The inbox's seeded data set, written through sync's own write path (Instantly objects made
//! into rows by `sync::rows`, applied with `SyncStore::apply` and `Write::RefreshThreads`),
//! and a plain-Rust model of what the inbox must show for it, computed from the seed alone.

use std::collections::BTreeMap;

use allcampaigns::domain::TenantId;
use allcampaigns::store::{DynStore, StreamState, Table, Write};
use allcampaigns::sync::rows;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// One message as Instantly would list it.
#[derive(Debug, Clone)]
pub struct Msg {
    pub tenant: TenantId,
    pub id: String,
    pub thread: String,
    pub lead: Option<String>,
    pub received: bool,
    pub auto_reply: bool,
    pub from: Option<String>,
    pub subject: String,
    pub body: String,
    /// The HTML part as Instantly sends it (sync sanitizes it), if any.
    pub html: Option<String>,
    pub at: DateTime<Utc>,
    pub unread: bool,
    pub campaign: Option<String>,
    pub mailbox: String,
    pub stage: Option<i64>,
    /// Instantly's `attachment_json`, if any.
    pub attachments: Option<Value>,
}

impl Msg {
    /// A message at `minutes` past the seed's start.
    pub fn new(tenant: TenantId, thread: &str, id: &str, minutes: i64) -> Self {
        Self {
            tenant,
            id: id.into(),
            thread: thread.into(),
            lead: None,
            received: true,
            auto_reply: false,
            from: None,
            subject: "Re: hello".into(),
            body: "hello".into(),
            html: None,
            at: start() + Duration::minutes(minutes),
            unread: false,
            campaign: Some("c1".into()),
            mailbox: "sender@agency.example".into(),
            stage: None,
            attachments: None,
        }
    }

    fn instantly(&self) -> instantly::Email {
        let from = match (&self.from, self.received) {
            (Some(from), _) => Some(from.clone()),
            (None, true) => self.lead.clone(),
            (None, false) => Some(self.mailbox.clone()),
        };
        serde_json::from_value(json!({
            "id": self.id,
            "timestamp_created": self.at,
            "timestamp_email": self.at,
            "message_id": format!("<{}@mail>", self.id),
            "subject": self.subject,
            "to_address_email_list": "someone@example.com",
            "body": {"text": self.body, "html": self.html},
            "organization_id": "org",
            "eaccount": self.mailbox,
            "thread_id": self.thread,
            "from_address_email": from,
            "campaign_id": self.campaign,
            "lead": self.lead,
            "ue_type": if self.received { 2 } else { 1 },
            "is_unread": i64::from(self.unread),
            "is_auto_reply": i64::from(self.auto_reply),
            "i_status": self.stage,
            "attachment_json": self.attachments,
        }))
        .expect("an Instantly email")
    }
}

/// The lead of a thread.
#[derive(Debug, Clone)]
pub struct Lead {
    pub tenant: TenantId,
    pub id: String,
    pub email: String,
    pub first: String,
    pub last: String,
    pub company: String,
}

impl Lead {
    fn instantly(&self) -> instantly::Lead {
        serde_json::from_value(json!({
            "id": self.id,
            "timestamp_created": start(),
            "timestamp_updated": start(),
            "organization": "org",
            "status": 1,
            "email_open_count": 0,
            "email_reply_count": 1,
            "email_click_count": 0,
            "email_replied_step": 2,
            "email_replied_variant": 2,
            "company_domain": "example.com",
            "status_summary": {},
            "email": self.email,
            "first_name": self.first,
            "last_name": self.last,
            "company_name": self.company,
        }))
        .expect("an Instantly lead")
    }
}

pub fn start() -> DateTime<Utc> {
    "2026-11-01T08:00:00.000Z".parse().unwrap()
}

/// Writes messages (and their threads) and leads exactly as a sync page does.
pub async fn write(store: &DynStore, messages: &[Msg], leads: &[Lead]) {
    let mut tenants: Vec<TenantId> = messages.iter().map(|m| m.tenant).collect();
    tenants.extend(leads.iter().map(|l| l.tenant));
    tenants.sort();
    tenants.dedup();
    for tenant in tenants {
        let mine: Vec<&Msg> = messages.iter().filter(|m| m.tenant == tenant).collect();
        let mut threads: Vec<String> = mine.iter().map(|m| m.thread.clone()).collect();
        threads.sort();
        threads.dedup();
        let mut writes = vec![Write::Upsert {
            table: Table::Leads,
            rows: Value::Array(
                leads
                    .iter()
                    .filter(|l| l.tenant == tenant)
                    .map(|l| rows::lead(&l.instantly()))
                    .collect(),
            ),
        }];
        if !mine.is_empty() {
            let rows = mine.iter().map(|m| rows::message(&m.instantly())).collect();
            writes.push(Write::Upsert {
                table: Table::Messages,
                rows: Value::Array(rows),
            });
            writes.push(Write::RefreshThreads {
                thread_ids: threads,
            });
        }
        let state = StreamState::new("emails");
        store.apply(tenant, None, &writes, &state).await.unwrap();
    }
}

/// A custom tag on a campaign or mailbox, as sync stores it.
pub async fn tag(store: &DynStore, tenant: TenantId, tag: &str, label: &str, resource: &str) {
    let writes = [
        Write::Upsert {
            table: Table::CustomTags,
            rows: json!([{"instantly_id": tag, "label": label, "description": null,
                          "fingerprint": 1}]),
        },
        Write::Upsert {
            table: Table::CustomTagMappings,
            rows: json!([{"instantly_id": format!("{tag}-{resource}"), "tag_id": tag,
                          "resource_id": resource, "resource_type": 2, "fingerprint": 1}]),
        },
    ];
    let state = StreamState::new("tags");
    store.apply(tenant, None, &writes, &state).await.unwrap();
}

/// What the inbox must know of one thread, from its messages alone.
#[derive(Debug, Clone)]
pub struct ModelThread {
    pub tenant: TenantId,
    pub thread: String,
    pub messages: Vec<Msg>,
    pub lead: Option<Lead>,
}

impl ModelThread {
    pub fn last(&self) -> &Msg {
        self.messages
            .iter()
            .max_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)))
            .unwrap()
    }

    /// A real reply: received, not an auto-reply, not from a mail daemon.
    pub fn is_primary(&self) -> bool {
        self.messages.iter().any(|m| {
            let from = m.from.clone().or(m.lead.clone()).unwrap_or_default();
            let from = from.to_lowercase();
            m.received
                && !m.auto_reply
                && !from.starts_with("mailer-daemon@")
                && !from.starts_with("postmaster@")
        })
    }

    pub fn instantly_unread(&self) -> bool {
        self.messages.iter().any(|m| m.unread)
    }

    /// Every word of `query` somewhere in the thread: in its messages or its lead.
    pub fn matches(&self, query: &str) -> bool {
        let mut text: Vec<String> = self
            .messages
            .iter()
            .map(|m| {
                let lead = m.lead.clone().unwrap_or_default();
                format!("{} {} {}", m.subject, lead, m.body)
            })
            .collect();
        if let Some(l) = &self.lead {
            text.push(format!("{} {} {} {}", l.email, l.first, l.last, l.company));
        }
        let have = words(&text.join(" "));
        words(query).iter().all(|w| have.contains(w))
    }
}

/// The threads of a seed, with each thread's lead (by the newest message's address).
pub fn model(messages: &[Msg], leads: &[Lead]) -> Vec<ModelThread> {
    let mut threads: BTreeMap<(TenantId, String), Vec<Msg>> = BTreeMap::new();
    for m in messages {
        threads
            .entry((m.tenant, m.thread.clone()))
            .or_default()
            .push(m.clone());
    }
    threads
        .into_iter()
        .map(|((tenant, thread), messages)| {
            let mut model = ModelThread {
                tenant,
                thread,
                messages,
                lead: None,
            };
            let email = model.last().lead.clone();
            model.lead = leads
                .iter()
                .find(|l| l.tenant == tenant && Some(&l.email) == email.as_ref())
                .cloned();
            model
        })
        .collect()
}

/// Folded words: lower case, Latin accents dropped, split at anything not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ö' | 'ó' | 'ò' | 'ô' => 'o',
            'ü' | 'ú' | 'ù' => 'u',
            'í' | 'ï' => 'i',
            other => other,
        })
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}
