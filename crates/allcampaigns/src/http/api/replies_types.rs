//! The JSON shapes of replies sent through Instantly (the outbox) and mailbox signatures, each
//! with its schema for the OpenAPI document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::leads_types::AuthorItem;
use crate::domain::{Role, TenantId};
use crate::leads::replies::rules::ReplyInput;
use crate::leads::replies::{Reply, ReplyState, Signature};

/// A reply to the thread's latest message from the lead, sent from the mailbox it reached.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Plain text or light markdown (bold, italic, links, lists), 1 to 10,000 characters.
    pub body: String,
    /// When to send it: RFC 3339 with its offset, at most 90 days ahead, or `business_hours`
    /// for the client's next business hours (in its time zone; at once while they are open);
    /// absent: as soon as the undo window has passed.
    #[serde(default)]
    #[schema(example = "2026-12-02T09:00:00+01:00")]
    pub send_at: Option<String>,
}

impl From<ReplyRequest> for ReplyInput {
    fn from(request: ReplyRequest) -> Self {
        Self {
            body: request.body,
            send_at: request.send_at,
        }
    }
}

/// Which outbox entries to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only entries in this state; all when absent (`not_confirmed` first either way).
    #[serde(default)]
    #[param(value_type = ReplyState, required = false)]
    pub state: Option<String>,
}

/// One entry of the outbox.
#[derive(Serialize, ToSchema)]
pub struct ReplyItem {
    pub reply_id: uuid::Uuid,
    pub tenant_id: uuid::Uuid,
    pub thread_id: String,
    /// The lead's address, lower-cased: the lead's key.
    pub lead_email: String,
    pub author: Option<AuthorItem>,
    /// Our mailbox it leaves from: the one the lead wrote to.
    pub eaccount: String,
    /// The Instantly email it answers.
    pub reply_to_uuid: String,
    pub subject: String,
    /// As written.
    pub body: String,
    /// The body rendered and sanitized, as sent: safe to place in a page as it is.
    pub html: String,
    /// `scheduled` (may be undone), `cancelled`, `sending`, `sent`, `not_confirmed` (check
    /// before resending: Instantly may have sent it; a later sync confirms it if so) or
    /// `failed`.
    pub state: ReplyState,
    /// When it leaves (or left).
    pub send_at: DateTime<Utc>,
    /// Until when it may be undone; null once it cannot be.
    pub undo_until: Option<DateTime<Utc>>,
    /// Why it failed or is not confirmed, in plain words.
    pub error: Option<String>,
    /// Instantly's id of the sent email.
    pub instantly_email_id: Option<String>,
    /// Sent as a sync found the message, not as Instantly answered.
    pub confirmed_by_sync: bool,
    pub attempted_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ReplyItem {
    pub fn new(tenant: TenantId, viewer: Role, reply: Reply) -> Self {
        Self {
            reply_id: reply.id,
            tenant_id: tenant.as_uuid(),
            undo_until: reply.undo_until(),
            thread_id: reply.thread_id,
            lead_email: reply.lead_email,
            author: reply.author.map(|a| AuthorItem::seen_by(viewer, a)),
            eaccount: reply.eaccount,
            reply_to_uuid: reply.reply_to_uuid,
            subject: reply.subject,
            body: reply.body,
            html: reply.html,
            state: reply.state,
            send_at: reply.send_at,
            error: reply.error,
            instantly_email_id: reply.instantly_email_id,
            confirmed_by_sync: reply.confirmed_by_sync,
            attempted_at: reply.attempted_at,
            sent_at: reply.sent_at,
            created_at: reply.created_at,
            updated_at: reply.updated_at,
        }
    }
}

/// Outbox entries, newest first (`not_confirmed` first in the tenant's outbox).
#[derive(Serialize, ToSchema)]
pub struct ReplyList {
    pub items: Vec<ReplyItem>,
}

impl ReplyList {
    pub fn new(tenant: TenantId, viewer: Role, replies: Vec<Reply>) -> Self {
        Self {
            items: replies
                .into_iter()
                .map(|reply| ReplyItem::new(tenant, viewer, reply))
                .collect(),
        }
    }
}

/// A mailbox's signature: light markdown, at most 2,000 characters; empty clears it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureRequest {
    pub body: String,
}

/// The signature appended to each reply sent from a mailbox.
#[derive(Serialize, ToSchema)]
pub struct SignatureItem {
    pub tenant_id: uuid::Uuid,
    /// The mailbox's address, lower-cased.
    pub mailbox: String,
    /// As written; empty when the mailbox has none.
    pub body: String,
    /// Rendered and sanitized, as it is appended to a reply's HTML.
    pub html: String,
    /// Null when none was ever saved.
    pub updated_at: Option<DateTime<Utc>>,
}

impl SignatureItem {
    pub fn new(tenant: TenantId, signature: Signature) -> Self {
        let saved = signature.updated_at != DateTime::UNIX_EPOCH;
        Self {
            tenant_id: tenant.as_uuid(),
            mailbox: signature.mailbox,
            body: signature.body,
            html: signature.html,
            updated_at: saved.then_some(signature.updated_at),
        }
    }
}
