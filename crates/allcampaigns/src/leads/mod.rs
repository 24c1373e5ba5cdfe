//! Work on a lead (issue 13): notes, call logs, stage, value, owner and tags, the lead's
//! timeline, speed-to-reply; our own data, which no sync writes; and replies sent through
//! Instantly ([`replies`]).
//!
//! Lead work belongs to a person within a client: it is keyed by the tenant and the lead's
//! address, lower-cased, the way the inbox knows a lead (`inbox::senders`). A route names the
//! lead by its Instantly id or by its address ([`lead_key`]). The rules ([`notes`], [`calls`])
//! check roles and write the audit entries; storage is [`LeadStore`], in
//! `store/shared/leads.rs`; pages and the JSON API only parse, call and render.

pub mod bulk;
pub mod business_hours;
pub mod calls;
pub mod change;
mod cursor;
pub(crate) mod input;
pub mod lead_key;
pub mod list;
pub mod markdown;
pub mod money;
pub mod notes;
pub mod pipeline;
pub mod replies;
pub mod settings;
pub mod speed;
pub mod stages;
pub mod state;
pub mod suggest;
pub mod tags;
pub mod timeline;
pub mod write_back;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use cursor::{PageCursor, PageParams, bad_parameter, read_limit};

use crate::auth::TenantAccess;
use crate::domain::{Role, TenantId, UserId};
use crate::store::{NewAuditEntry, Result};

/// The most notes or calls one page holds.
pub const MAX_LIMIT: u32 = 100;
/// The default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// The longest note body, or call notes, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Who wrote a note or logged a call, as their account and membership now stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    /// Their role in the tenant now; `None` once they left it.
    pub role: Option<Role>,
}

impl Author {
    /// The member acting.
    pub fn acting(access: &TenantAccess) -> Self {
        let user = &access.current.user;
        Self {
            user_id: user.id,
            display_name: user.display_name.clone(),
            email: user.email.to_string(),
            role: Some(access.role),
        }
    }

    /// The address a member of role `viewer` may see: a client representative sees agency
    /// staff by name only (security review finding 21), and so anyone no longer a member.
    pub fn address_for(&self, viewer: Role) -> Option<&str> {
        let shown = viewer != Role::Client || self.role == Some(Role::Client);
        shown.then_some(self.email.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: Uuid,
    /// The lead's address, lower-cased.
    pub lead_email: String,
    /// `None` once the author's account is gone.
    pub author: Option<Author>,
    /// The markdown as written.
    pub body: String,
    /// Its sanitized rendering ([`markdown::render`]).
    pub html: String,
    /// Shown to the client's representatives; internal otherwise.
    pub shared: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Note {
    pub fn cursor(&self) -> PageCursor {
        PageCursor {
            at: self.created_at,
            id: self.id,
        }
    }

    pub fn is_by(&self, user: UserId) -> bool {
        self.author.as_ref().is_some_and(|a| a.user_id == user)
    }
}

/// How a call went. The stored names never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Connected,
    NoAnswer,
    Voicemail,
    WrongNumber,
    MeetingBooked,
    NotInterested,
    CallBack,
}

impl CallOutcome {
    pub const ALL: [Self; 7] = [
        Self::Connected,
        Self::NoAnswer,
        Self::Voicemail,
        Self::WrongNumber,
        Self::MeetingBooked,
        Self::NotInterested,
        Self::CallBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::NoAnswer => "no_answer",
            Self::Voicemail => "voicemail",
            Self::WrongNumber => "wrong_number",
            Self::MeetingBooked => "meeting_booked",
            Self::NotInterested => "not_interested",
            Self::CallBack => "call_back",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == name)
    }
}

/// A call made outside the product, logged by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub id: Uuid,
    /// The lead's address, lower-cased.
    pub lead_email: String,
    pub author: Option<Author>,
    /// When the call happened.
    pub at: DateTime<Utc>,
    pub duration_seconds: i64,
    pub outcome: CallOutcome,
    /// Markdown as written, and its rendering.
    pub notes: Option<String>,
    pub notes_html: Option<String>,
    /// For a call back: when the lead asked to be called.
    pub call_back_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Call {
    pub fn cursor(&self) -> PageCursor {
        PageCursor {
            at: self.at,
            id: self.id,
        }
    }
}

/// A page of notes or calls, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageCursor>,
}

/// Storage of lead work, each statement filtered by its tenant; each change writes its audit
/// entry (target set by the store to the note's or call's id) in its transaction.
#[async_trait]
pub trait LeadStore {
    /// The address of the live Instantly lead with this id, as stored.
    async fn lead_address(&self, tenant: TenantId, instantly_id: &str) -> Result<Option<String>>;
    /// Whether the tenant knows a lead by this address (lower-cased; `as_given` spares the
    /// search in any case when the address came as Instantly stored it): an Instantly lead, a
    /// lead made here, a thread's lead, or a lead with notes or calls.
    async fn is_known_lead(&self, tenant: TenantId, address: &str, as_given: &str) -> Result<bool>;

    /// Up to `limit` notes of the lead after `after`, newest first; shared ones only unless
    /// `internal_too`.
    async fn lead_notes(
        &self,
        tenant: TenantId,
        lead_email: &str,
        internal_too: bool,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<Note>>;
    async fn lead_note(&self, tenant: TenantId, lead_email: &str, id: Uuid)
    -> Result<Option<Note>>;
    async fn insert_lead_note(
        &self,
        tenant: TenantId,
        note: &Note,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    /// Replaces the body, rendering, `shared` and `updated_at`; `NotFound` when it is gone.
    async fn update_lead_note(
        &self,
        tenant: TenantId,
        note: &Note,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    /// `NotFound` when it is gone.
    async fn delete_lead_note(
        &self,
        tenant: TenantId,
        note: &Note,
        entry: &NewAuditEntry,
    ) -> Result<()>;

    /// Up to `limit` calls of the lead after `after`, by when they happened, newest first.
    async fn lead_calls(
        &self,
        tenant: TenantId,
        lead_email: &str,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<Call>>;
    async fn lead_call(&self, tenant: TenantId, lead_email: &str, id: Uuid)
    -> Result<Option<Call>>;
    async fn insert_lead_call(
        &self,
        tenant: TenantId,
        call: &Call,
        entry: &NewAuditEntry,
    ) -> Result<()>;
}

/// The clients where the caller works leads (an agency role, and reached by their token),
/// each with the caller's access and the client's name, ordered by id; only `only` when given,
/// 404 unless they work leads there.
pub async fn staff_clients(
    services: &crate::services::Services<'_>,
    current: &crate::auth::CurrentUser,
    only: Option<TenantId>,
) -> crate::error::AppResult<Vec<(TenantAccess, String)>> {
    let memberships = current.memberships(services.store).await?;
    let mut clients: Vec<(TenantAccess, String)> = memberships
        .iter()
        .filter(|(tenant, role)| role.can_work_leads() && current.may_reach(tenant.id))
        .filter(|(tenant, _)| only.is_none_or(|only| only == tenant.id))
        .map(|(tenant, role)| {
            let access = TenantAccess {
                current: current.clone(),
                tenant: tenant.id,
                role: *role,
            };
            (access, tenant.name.clone())
        })
        .collect();
    if only.is_some() && clients.is_empty() {
        return Err(crate::error::AppError::NotFound);
    }
    clients.sort_by_key(|(access, _)| access.tenant);
    Ok(clients)
}

/// The first `limit` of `rows` (read one more than `limit`) and the cursor after them.
pub(crate) fn page<T>(mut rows: Vec<T>, limit: u32, cursor: impl Fn(&T) -> PageCursor) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(cursor) } else { None };
    Page { items: rows, next }
}
