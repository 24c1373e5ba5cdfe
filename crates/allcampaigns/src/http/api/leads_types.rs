//! The JSON shapes of lead work (notes and calls), each with its schema for the OpenAPI
//! document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Role, TenantId};
use crate::leads::calls::CallInput;
use crate::leads::notes::{NoteChange, NoteInput};
use crate::leads::{Author, Call, CallOutcome, Note, Page};

/// A note to add: markdown (bold, italic, links, lists), 1 to 10,000 characters.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub body: String,
    /// Shown to the client's representatives. Internal by default for the agency's roles; a
    /// client representative's notes are always shared (`false` from them is refused, 403).
    #[serde(default)]
    pub shared: Option<bool>,
}

impl From<NoteRequest> for NoteInput {
    fn from(request: NoteRequest) -> Self {
        Self {
            body: request.body,
            shared: request.shared,
        }
    }
}

/// A new body, a new sharing, or both; what is absent stays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteChangeRequest {
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub shared: Option<bool>,
}

impl From<NoteChangeRequest> for NoteChange {
    fn from(request: NoteChangeRequest) -> Self {
        Self {
            body: request.body,
            shared: request.shared,
        }
    }
}

/// Who wrote a note or logged a call.
#[derive(Serialize, ToSchema)]
pub struct AuthorItem {
    pub user_id: uuid::Uuid,
    pub display_name: String,
    /// Null when the caller is a client representative and the author is agency staff.
    pub email: Option<String>,
}

impl AuthorItem {
    pub(super) fn seen_by(viewer: Role, author: Author) -> Self {
        Self {
            user_id: author.user_id.as_uuid(),
            email: author.address_for(viewer).map(str::to_owned),
            display_name: author.display_name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoteItem {
    pub note_id: uuid::Uuid,
    pub tenant_id: uuid::Uuid,
    /// The lead's address, lower-cased: the lead's key.
    pub lead_email: String,
    /// Null once the author's account is gone.
    pub author: Option<AuthorItem>,
    /// The markdown as written.
    pub body: String,
    /// The body rendered and sanitized: safe to place in a page as it is.
    pub html: String,
    /// Shown to the client's representatives.
    pub shared: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl NoteItem {
    pub fn new(tenant: TenantId, viewer: Role, note: Note) -> Self {
        Self {
            note_id: note.id,
            tenant_id: tenant.as_uuid(),
            lead_email: note.lead_email,
            author: note.author.map(|a| AuthorItem::seen_by(viewer, a)),
            body: note.body,
            html: note.html,
            shared: note.shared,
            created_at: note.created_at,
            updated_at: note.updated_at,
        }
    }
}

/// A lead's notes the caller may see, newest first.
#[derive(Serialize, ToSchema)]
pub struct NoteList {
    pub items: Vec<NoteItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl NoteList {
    pub fn new(tenant: TenantId, viewer: Role, page: Page<Note>) -> Self {
        Self {
            items: page
                .items
                .into_iter()
                .map(|note| NoteItem::new(tenant, viewer, note))
                .collect(),
            next_cursor: page.next.map(|cursor| cursor.encode()),
        }
    }
}

/// A call to log.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// When the call happened: RFC 3339 with its offset (the caller's time zone), within the
    /// last ten years and not in the future.
    #[schema(example = "2026-11-30T14:05:00+01:00")]
    pub at: String,
    /// 0 to 86400.
    pub duration_seconds: i64,
    #[schema(value_type = CallOutcome)]
    pub outcome: String,
    /// Markdown, up to 10,000 characters.
    #[serde(default)]
    pub notes: Option<String>,
    /// Only with `call_back`: when to call again (RFC 3339 with its offset), after the call.
    #[serde(default)]
    pub call_back_at: Option<String>,
    /// Only with `call_back_at`: a thread of the client to snooze until then, so it comes back
    /// to the inbox when it is time to call.
    #[serde(default)]
    pub snooze_thread: Option<String>,
}

impl From<CallRequest> for CallInput {
    fn from(request: CallRequest) -> Self {
        Self {
            at: request.at,
            duration_seconds: request.duration_seconds,
            outcome: request.outcome,
            notes: request.notes,
            call_back_at: request.call_back_at,
            snooze_thread: request.snooze_thread,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CallItem {
    pub call_id: uuid::Uuid,
    pub tenant_id: uuid::Uuid,
    /// The lead's address, lower-cased: the lead's key.
    pub lead_email: String,
    pub author: Option<AuthorItem>,
    pub at: DateTime<Utc>,
    pub duration_seconds: i64,
    pub outcome: CallOutcome,
    /// The markdown as written.
    pub notes: Option<String>,
    /// The notes rendered and sanitized.
    pub notes_html: Option<String>,
    pub call_back_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl CallItem {
    pub fn new(tenant: TenantId, viewer: Role, call: Call) -> Self {
        Self {
            call_id: call.id,
            tenant_id: tenant.as_uuid(),
            lead_email: call.lead_email,
            author: call.author.map(|a| AuthorItem::seen_by(viewer, a)),
            at: call.at,
            duration_seconds: call.duration_seconds,
            outcome: call.outcome,
            notes: call.notes,
            notes_html: call.notes_html,
            call_back_at: call.call_back_at,
            created_at: call.created_at,
        }
    }
}

/// A lead's calls by when they happened, newest first.
#[derive(Serialize, ToSchema)]
pub struct CallList {
    pub items: Vec<CallItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl CallList {
    pub fn new(tenant: TenantId, viewer: Role, page: Page<Call>) -> Self {
        Self {
            items: page
                .items
                .into_iter()
                .map(|call| CallItem::new(tenant, viewer, call))
                .collect(),
            next_cursor: page.next.map(|cursor| cursor.encode()),
        }
    }
}
