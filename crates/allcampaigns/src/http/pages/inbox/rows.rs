//! The list's view: tabs with their counts, one row per thread, and the filter choices.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::query::ListQuery;
use crate::domain::{Role, TenantId, UserId};
use crate::inbox::{InboxView, LeadName, TabCount, ThreadSummary};
use crate::text::{InboxTexts, Texts};

/// One tab, as a link that keeps the filters.
pub struct Tab {
    pub name: &'static str,
    pub href: String,
    pub count: String,
    pub current: bool,
}

pub fn tab_name(view: InboxView, t: &InboxTexts) -> &'static str {
    match view {
        InboxView::Primary => t.primary,
        InboxView::Others => t.others,
        InboxView::Snoozed => t.snoozed,
        InboxView::Done => t.done,
        InboxView::All => t.all,
    }
}

pub fn tabs(
    counts: &[(InboxView, TabCount)],
    current: InboxView,
    query: &ListQuery,
    t: &InboxTexts,
) -> Vec<Tab> {
    counts
        .iter()
        .map(|&(view, count)| Tab {
            name: tab_name(view, t),
            href: query
                .with("cursor", None)
                .with("view", Some(view.as_str()))
                .href("/inbox"),
            count: if count.capped {
                (t.count_capped)(count.count)
            } else {
                (t.count)(count.count)
            },
            current: view == current,
        })
        .collect()
}

/// A client the person works in, with their role there.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: TenantId,
    pub name: String,
    pub role: Role,
}

/// What a row or the thread needs to name people and clients.
pub struct Names<'a> {
    pub clients: &'a [Client],
    /// Display names (or addresses) of the members of the clients on the page.
    pub people: &'a HashMap<UserId, String>,
    /// Leads' names and companies by (tenant, address).
    pub leads: &'a HashMap<(TenantId, String), LeadName>,
}

impl Names<'_> {
    pub fn client(&self, id: TenantId) -> Option<&Client> {
        self.clients.iter().find(|client| client.id == id)
    }

    /// A lead's name (else its address) and company.
    pub fn lead(&self, tenant: TenantId, email: Option<&str>) -> (String, Option<String>) {
        let email = email.unwrap_or_default();
        let Some(lead) = self.leads.get(&(tenant, email.to_owned())) else {
            return (email.to_owned(), None);
        };
        let name = full_name(lead.first_name.as_deref(), lead.last_name.as_deref());
        let name = if name.is_empty() {
            email.to_owned()
        } else {
            name
        };
        (name, lead.company_name.clone().filter(|c| !c.is_empty()))
    }

    pub fn person(&self, id: UserId) -> String {
        self.people
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

/// "First Last", either part missing or blank.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A moment as the page shows it: relative, absolute for `title` and `datetime`.
pub struct When {
    pub ago: String,
    pub iso: String,
    pub absolute: String,
}

impl When {
    pub fn of(at: DateTime<Utc>, now: DateTime<Utc>, t: &InboxTexts) -> Self {
        Self {
            ago: (t.ago)((now - at).num_seconds().max(0)),
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            absolute: at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// One thread of the list.
pub struct Row {
    pub tenant: TenantId,
    pub thread_id: String,
    /// `tenant/thread`, the bulk form's value.
    pub key: String,
    pub href: String,
    /// The lead's name, else their address.
    pub lead: String,
    pub address: String,
    pub company: Option<String>,
    pub subject: String,
    pub snippet: String,
    pub client: String,
    pub campaign: Option<String>,
    pub mailbox: String,
    pub when: When,
    pub unread: bool,
    pub done: bool,
    pub snoozed: bool,
    /// The state an undo restores, for the inbox script: the snooze as a form's
    /// `datetime-local` value (UTC) and the owner's id, each empty when there is none.
    pub snoozed_value: String,
    pub owner_id: String,
    pub last_from_lead: bool,
    pub stage: String,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub current: bool,
    pub can_triage: bool,
}

impl Row {
    pub fn new(
        thread: ThreadSummary,
        names: &Names,
        query: &ListQuery,
        open: Option<(TenantId, &str)>,
        texts: &Texts,
        now: DateTime<Utc>,
    ) -> Self {
        let t = &texts.inbox;
        let client = names.client(thread.tenant_id);
        let current = open == Some((thread.tenant_id, thread.thread_id.as_str()));
        let (lead, company) = names.lead(thread.tenant_id, thread.lead_email.as_deref());
        Self {
            lead,
            company,
            address: thread.lead_email.clone().unwrap_or_default(),
            key: format!("{}/{}", thread.tenant_id, thread.thread_id),
            href: query.href(&thread_path(thread.tenant_id, &thread.thread_id)),
            snippet: thread.snippet.clone(),
            client: client.map(|c| c.name.clone()).unwrap_or_default(),
            campaign: thread.campaign_id.clone(),
            when: When::of(thread.last_message_at, now, t),
            unread: thread.unread,
            done: thread.done,
            snoozed: thread.snoozed_until.is_some(),
            snoozed_value: snooze_value(thread.snoozed_until),
            owner_id: thread.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            last_from_lead: thread.last_direction == "received",
            stage: (t.stage_name)(thread.stage),
            owner: thread.owner_id.map(|id| names.person(id)),
            can_triage: client.is_some_and(|c| c.role.can_work_leads()),
            current,
            tenant: thread.tenant_id,
            mailbox: thread.mailbox,
            tags: thread.tags,
            subject: thread.subject,
            thread_id: thread.thread_id,
        }
    }
}

impl Row {
    /// Where the row's own triage form posts.
    pub fn href_triage(&self) -> String {
        format!("{}/triage", thread_path(self.tenant, &self.thread_id))
    }
}

/// A snooze as the `until` a triage form takes back (`snooze_at`), empty for none.
pub fn snooze_value(until: Option<DateTime<Utc>>) -> String {
    until.map_or_else(String::new, |at| at.format("%Y-%m-%dT%H:%M").to_string())
}

/// The thread's page path (its id encoded: Instantly's ids are opaque text).
pub fn thread_path(tenant: TenantId, thread: &str) -> String {
    let thread: String = url::form_urlencoded::byte_serialize(thread.as_bytes()).collect();
    format!("/inbox/t/{tenant}/{thread}")
}
