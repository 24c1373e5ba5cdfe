//! The JSON shapes of the inbox API, each with its schema for the OpenAPI document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Attachment;
use crate::inbox::senders::{MessageSender, SenderAction, SenderRelation};
use crate::inbox::{
    InboxLead, InboxMessage, InboxView, TabCount, ThreadDetail, ThreadPage, ThreadSummary,
};

/// One thread in the inbox list.
#[derive(Serialize, ToSchema)]
pub struct ThreadItem {
    pub tenant_id: uuid::Uuid,
    pub thread_id: String,
    pub lead_email: Option<String>,
    pub subject: String,
    /// The start of the last message's text.
    pub snippet: String,
    pub last_message_at: DateTime<Utc>,
    pub message_count: i64,
    /// Who wrote last: `sent` (us) or `received` (them).
    pub last_direction: String,
    /// The thread's tab when neither done nor snoozed: `primary` or `others`.
    pub category: String,
    pub unread: bool,
    pub done: bool,
    /// Set while the thread is snoozed.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The user id of the person the thread is assigned to.
    pub owner: Option<uuid::Uuid>,
    /// Instantly's interest status.
    pub stage: Option<i64>,
    pub campaign_id: Option<String>,
    pub mailbox: String,
    /// Labels of the custom tags on the thread's campaign or mailbox.
    pub tags: Vec<String>,
}

impl From<ThreadSummary> for ThreadItem {
    fn from(t: ThreadSummary) -> Self {
        Self {
            tenant_id: t.tenant_id.as_uuid(),
            thread_id: t.thread_id,
            lead_email: t.lead_email,
            subject: t.subject,
            snippet: t.snippet,
            last_message_at: t.last_message_at,
            message_count: t.message_count,
            last_direction: t.last_direction,
            category: t.category,
            unread: t.unread,
            done: t.done,
            snoozed_until: t.snoozed_until,
            owner: t.owner_id.map(|id| id.as_uuid()),
            stage: t.stage,
            campaign_id: t.campaign_id,
            mailbox: t.mailbox,
            tags: t.tags,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ThreadList {
    pub items: Vec<ThreadItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<ThreadPage> for ThreadList {
    fn from(page: ThreadPage) -> Self {
        Self {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next.map(|cursor| cursor.encode()),
        }
    }
}

/// A tab's count, at most 10,000.
#[derive(Serialize, ToSchema)]
pub struct TabCountBody {
    /// `primary`, `others`, `snoozed`, `done` or `all`.
    pub view: String,
    pub count: i64,
    /// There are more than 10,000 ("10,000+").
    pub capped: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TabCounts {
    pub tabs: Vec<TabCountBody>,
}

impl From<Vec<(InboxView, TabCount)>> for TabCounts {
    fn from(counts: Vec<(InboxView, TabCount)>) -> Self {
        Self {
            tabs: counts
                .into_iter()
                .map(|(view, count)| TabCountBody {
                    view: view.as_str().into(),
                    count: count.count,
                    capped: count.capped,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageItem {
    pub id: String,
    /// `sent` or `received`.
    pub direction: String,
    pub mailbox: String,
    pub from_address: Option<String>,
    pub to_addresses: String,
    pub cc_addresses: Option<String>,
    pub subject: String,
    pub body_text: String,
    /// Sanitized HTML with remote images deferred; show it only in a sandboxed frame.
    pub body_html: Option<String>,
    /// The files it carried, as Instantly listed them (we keep the list, not the files).
    pub attachments: Vec<AttachmentItem>,
    pub is_auto_reply: bool,
    pub at: DateTime<Utc>,
    /// A received message from someone other than the thread's lead, not yet attached to
    /// the lead or made a lead (`sender.relation` is `other`).
    pub from_other: bool,
    /// Who wrote a received message; null for our sends and a mail system's notices.
    pub sender: Option<SenderItem>,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentItem {
    pub filename: String,
    /// In bytes.
    pub size: Option<u64>,
    /// Its MIME type.
    #[serde(rename = "type")]
    pub mime_type: Option<String>,
    /// Instantly's `https` download address, when it gave one.
    pub url: Option<String>,
}

impl MessageItem {
    fn new(m: InboxMessage, sender: Option<MessageSender>) -> Self {
        Self {
            from_other: sender
                .as_ref()
                .is_some_and(|s| s.relation == SenderRelation::Other),
            sender: sender.map(Into::into),
            id: m.id,
            direction: m.direction,
            mailbox: m.mailbox,
            from_address: m.from_address,
            to_addresses: m.to_addresses,
            cc_addresses: m.cc_addresses,
            subject: m.subject,
            body_text: m.body_text,
            body_html: m.body_html,
            attachments: Attachment::load(m.attachments.as_deref())
                .into_iter()
                .map(|file| AttachmentItem {
                    filename: file.filename,
                    size: file.size,
                    mime_type: file.mime_type,
                    url: file.url,
                })
                .collect(),
            is_auto_reply: m.is_auto_reply,
            at: m.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeadItem {
    pub id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub job_title: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub interest_status: Option<i64>,
    pub campaign_id: Option<String>,
    /// The campaign step and variant the lead last replied to (from 1, as Instantly numbers).
    pub replied_step: Option<i64>,
    pub replied_variant: Option<i64>,
}

impl From<InboxLead> for LeadItem {
    fn from(l: InboxLead) -> Self {
        Self {
            id: l.id,
            email: l.email,
            first_name: l.first_name,
            last_name: l.last_name,
            company_name: l.company_name,
            job_title: l.job_title,
            phone: l.phone,
            website: l.website,
            interest_status: l.interest_status,
            campaign_id: l.campaign_id,
            replied_step: l.replied_step,
            replied_variant: l.replied_variant,
        }
    }
}

/// A thread with its messages, oldest first, and its lead.
#[derive(Serialize, ToSchema)]
pub struct ThreadBody {
    pub thread: ThreadItem,
    pub messages: Vec<MessageItem>,
    pub lead: Option<LeadItem>,
}

impl ThreadBody {
    /// `senders` holds the sender of each message, in order.
    pub fn new(detail: ThreadDetail, senders: Vec<Option<MessageSender>>) -> Self {
        let senders = senders.into_iter().chain(std::iter::repeat(None));
        Self {
            thread: detail.summary.into(),
            messages: detail
                .messages
                .into_iter()
                .zip(senders)
                .map(|(m, sender)| MessageItem::new(m, sender))
                .collect(),
            lead: detail.lead.map(Into::into),
        }
    }
}

/// How a message's sender stands to the thread's lead.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SenderRelationName {
    /// The thread's lead.
    Lead,
    /// Another address attached to the thread's lead.
    Attached,
    /// A lead made here from a reply of theirs.
    NewLead,
    /// Someone other than the lead: attach them or make a lead of them.
    Other,
}

#[derive(Serialize, ToSchema)]
pub struct SenderItem {
    /// As the message gives it.
    pub address: String,
    /// The From header's display name, or the name of the lead made from it.
    pub name: Option<String>,
    pub relation: SenderRelationName,
}

impl From<MessageSender> for SenderItem {
    fn from(s: MessageSender) -> Self {
        Self {
            address: s.address,
            name: s.name,
            relation: match s.relation {
                SenderRelation::Lead => SenderRelationName::Lead,
                SenderRelation::Attached => SenderRelationName::Attached,
                SenderRelation::NewLead => SenderRelationName::NewLead,
                SenderRelation::Other => SenderRelationName::Other,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SenderActionName {
    /// Record the address as another address of the thread's lead, in every thread of it.
    Attach,
    /// Make a lead of our own in this client for the address (kept here; Instantly is not
    /// told).
    NewLead,
}

impl From<SenderActionName> for SenderAction {
    fn from(action: SenderActionName) -> Self {
        match action {
            SenderActionName::Attach => Self::Attach,
            SenderActionName::NewLead => Self::NewLead,
        }
    }
}

/// What to do with the sender of a reply in the thread who is not its lead: `address` as
/// the message gives it (any case).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SenderRequest {
    pub action: SenderActionName,
    pub address: String,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TriageAction {
    Read,
    Unread,
    Done,
    Undone,
    Snooze,
    Unsnooze,
    Assign,
}

/// A triage change. `snooze` needs `until` (in the future); `assign` takes `owner`, a member's
/// user id, or null for nobody.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    pub action: TriageAction,
    #[serde(default)]
    pub until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub owner: Option<uuid::Uuid>,
}

/// The same change for many threads of one tenant (1 to 500): all of them, or none when any
/// is not the tenant's (404).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTriageRequest {
    pub thread_ids: Vec<String>,
    pub action: TriageAction,
    #[serde(default)]
    pub until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub owner: Option<uuid::Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkTriageResult {
    /// How many threads changed.
    pub changed: usize,
}
