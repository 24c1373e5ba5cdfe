//! The unified inbox (issue 12): one queue of threads across every tenant a person may see,
//! with tabs, filters, search, keyset pages and triage (read, done, snooze, assign) kept in our
//! own table, which sync never writes.
//!
//! The store answers [`InboxStore`]; the rules in [`rules`] check who may do what and write the
//! audit entries; pages and the JSON API only parse, call and render.

mod cursor;
pub mod params;
pub mod presence;
pub mod rules;
mod search;
pub mod sender_rules;
pub mod senders;
pub mod view_rules;
pub mod views;
pub mod wake;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

pub use cursor::{Cursor, decode_token, encode_token};
pub use search::SearchQuery;

use crate::domain::{TenantId, UserId};
use crate::store::{NewAuditEntry, Result};

/// The most threads one page holds.
pub const MAX_LIMIT: u32 = 100;
/// The default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Tab counts stop here ("10,000+"): counting further would read every thread.
pub const COUNT_CAP: i64 = 10_000;
/// The furthest a snooze may reach (times stay four-digit years, which SQLite compares as
/// text).
pub const MAX_SNOOZE_DAYS: i64 = 3653;
/// The most threads one bulk triage changes.
pub const MAX_BULK: usize = 500;

/// Whether text could be an Instantly id (a thread, campaign, tag): short, without control
/// characters (PostgreSQL refuses a NUL in text, which must not become a 500).
pub fn is_plausible_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= 200 && !id.chars().any(char::is_control)
}

/// The inbox tabs. A done or snoozed thread leaves Primary and Others until a new received
/// message reopens it (or its snooze ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InboxView {
    /// Real replies that need a person.
    #[default]
    Primary,
    /// Auto-replies, out-of-office, bounces, and threads with only our sends.
    Others,
    Snoozed,
    Done,
    All,
}

impl InboxView {
    pub const ALL: [Self; 5] = [
        Self::Primary,
        Self::Others,
        Self::Snoozed,
        Self::Done,
        Self::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Others => "others",
            Self::Snoozed => "snoozed",
            Self::Done => "done",
            Self::All => "all",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|view| view.as_str() == name)
    }
}

/// Whose threads: nobody's, or one person's ("me" is resolved to the caller before the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OwnerFilter {
    Nobody,
    User(UserId),
}

/// What a list shows. Every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ThreadFilter {
    pub view: InboxView,
    pub search: Option<SearchQuery>,
    pub unread: Option<bool>,
    pub owner: Option<OwnerFilter>,
    /// Instantly's interest status of the thread.
    pub stage: Option<i64>,
    pub campaign: Option<String>,
    pub mailbox: Option<String>,
    /// A custom tag id: threads whose campaign or mailbox carries it.
    pub tag: Option<String>,
    /// `last_message_at` at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// `last_message_at` before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// One row of the inbox list.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ThreadSummary {
    pub tenant_id: TenantId,
    pub thread_id: String,
    pub lead_id: Option<String>,
    pub lead_email: Option<String>,
    pub campaign_id: Option<String>,
    pub mailbox: String,
    pub subject: String,
    pub snippet: String,
    pub last_message_at: DateTime<Utc>,
    /// `sent` or `received`: who wrote last.
    pub last_direction: String,
    pub message_count: i64,
    pub category: String,
    pub unread: bool,
    pub done: bool,
    /// Set only while the thread is snoozed.
    pub snoozed_until: Option<DateTime<Utc>>,
    pub owner_id: Option<UserId>,
    pub stage: Option<i64>,
    /// Labels of the custom tags on the thread's campaign or mailbox.
    #[sqlx(skip)]
    pub tags: Vec<String>,
}

impl ThreadSummary {
    /// Where this thread sits in the list order.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.last_message_at,
            tenant: self.tenant_id,
            thread: self.thread_id.clone(),
        }
    }
}

/// A page of threads, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadPage {
    pub items: Vec<ThreadSummary>,
    pub next: Option<Cursor>,
}

/// A tab's count, capped at [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TabCount {
    pub count: i64,
    /// There are more than `count`.
    pub capped: bool,
}

impl TabCount {
    /// A total counted up to past [`COUNT_CAP`], shown capped.
    pub fn capped_at_cap(total: i64) -> Self {
        Self {
            count: total.min(COUNT_CAP),
            capped: total > COUNT_CAP,
        }
    }
}

/// One message of a thread, as the thread view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct InboxMessage {
    pub id: String,
    pub direction: String,
    pub mailbox: String,
    pub from_address: Option<String>,
    pub to_addresses: String,
    pub cc_addresses: Option<String>,
    pub subject: String,
    pub body_text: String,
    /// Sanitized at sync, remote images deferred.
    pub body_html: Option<String>,
    /// The files it carried (`domain::Attachment`, as stored JSON text).
    pub attachments: Option<String>,
    pub is_auto_reply: bool,
    pub at: DateTime<Utc>,
    /// The campaign step that sent it, as Instantly names it (our sends only).
    pub step: Option<String>,
}

/// The lead beside a thread.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct InboxLead {
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
    pub open_count: i64,
    pub click_count: i64,
    pub reply_count: i64,
    pub last_contact_at: Option<DateTime<Utc>>,
    /// The campaign step and variant the lead last replied to, numbered from 1 as Instantly
    /// numbers them.
    pub replied_step: Option<i64>,
    pub replied_variant: Option<i64>,
    /// Instantly's custom variables, a JSON object as text.
    pub custom_variables: String,
}

/// Another thread of the same person in the same tenant, for the lead panel.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LeadThread {
    pub thread_id: String,
    pub subject: String,
    pub campaign_id: Option<String>,
    pub mailbox: String,
    pub last_message_at: DateTime<Utc>,
}

/// A lead's name and company, for the list's rows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LeadName {
    pub tenant_id: TenantId,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
}

/// The most other threads of a person the lead panel lists.
pub const MAX_LEAD_THREADS: i64 = 20;

/// A thread with its messages in order and its lead.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadDetail {
    pub summary: ThreadSummary,
    pub messages: Vec<InboxMessage>,
    pub lead: Option<InboxLead>,
    /// The same person's other threads in this tenant, newest first.
    pub other_threads: Vec<LeadThread>,
}

/// A triage change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triage {
    Read,
    Unread,
    Done,
    Undone,
    Snooze { until: DateTime<Utc> },
    Unsnooze,
    Assign { owner: Option<UserId> },
}

impl Triage {
    pub fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Unread => "unread",
            Self::Done => "done",
            Self::Undone => "undone",
            Self::Snooze { .. } => "snooze",
            Self::Unsnooze => "unsnooze",
            Self::Assign { .. } => "assign",
        }
    }
}

#[async_trait]
pub trait InboxStore {
    /// A page of `tenants`' threads matching `filter`, newest first, after `after`. Each
    /// tenant is read by its own index range and the pages merged, so the first page never
    /// sorts every thread.
    async fn threads(
        &self,
        tenants: &[TenantId],
        filter: &ThreadFilter,
        after: Option<&Cursor>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<ThreadPage>;

    /// The count of each tab under `filter` (its view ignored), in [`InboxView::ALL`] order.
    async fn tab_counts(
        &self,
        tenants: &[TenantId],
        filter: &ThreadFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<(InboxView, TabCount)>>;

    /// The count of `filter`'s own tab (a saved view's count), capped like the tabs'.
    async fn thread_count(
        &self,
        tenants: &[TenantId],
        filter: &ThreadFilter,
        now: DateTime<Utc>,
    ) -> Result<TabCount>;

    /// One thread with its messages and lead; `None` when the tenant has no such thread.
    async fn thread(
        &self,
        tenant: TenantId,
        thread_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ThreadDetail>>;

    /// The names and companies of the leads with these (tenant, address) pairs, in one read;
    /// duplicates of an address oldest first.
    async fn lead_names(&self, leads: &[(TenantId, String)]) -> Result<Vec<LeadName>>;

    /// Applies `change` to each thread, writing `entry` (its target set to the thread) for
    /// each in the same transaction. `NotFound`, and nothing changed, when any thread is not
    /// the tenant's.
    async fn triage(
        &self,
        tenant: TenantId,
        thread_ids: &[String],
        change: Triage,
        by: UserId,
        now: DateTime<Utc>,
        entry: &NewAuditEntry,
    ) -> Result<()>;

    /// The time a thread is snoozed until, as stored, even if that time has passed; `None`
    /// when it is not snoozed, a reply has reopened it, or the tenant has no such thread.
    async fn snoozed_until(
        &self,
        tenant: TenantId,
        thread_id: &str,
    ) -> Result<Option<DateTime<Utc>>>;
}
