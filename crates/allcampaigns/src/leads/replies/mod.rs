//! Replies sent through Instantly from a thread (issue 13), never twice: the outbox.
//!
//! A reply is a row before it is a request. It waits out its undo window (or its `send_at`)
//! as `scheduled`; its job ([`send`]) claims it with a compare-and-set to `sending` BEFORE it
//! calls Instantly, once, and then writes what Instantly's answer proves: `sent`, `failed`
//! (Instantly certainly did not take it) or `not_confirmed` (the request may have reached
//! Instantly: a person checks before resending, and the next sync that stores the sent message
//! confirms it, [`confirm`]). Nothing is ever resent automatically. The rules ([`rules`]) check
//! roles and write the audit entries; storage is [`ReplyStore`], in `store/shared/replies.rs`.

pub mod confirm;
pub mod outcome;
pub mod rules;
pub mod send;
pub mod signatures;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Author;
use crate::domain::TenantId;
use crate::jobs::NewJob;
use crate::store::{NewAuditEntry, Result};

/// The most outbox entries one list holds.
pub const MAX_LIST: i64 = 200;
/// How far ahead a reply may be scheduled.
pub const MAX_DAYS_AHEAD: i64 = 90;

/// Where a reply is. The stored names never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyState {
    /// Waiting out the undo window or `send_at`; may still be undone.
    Scheduled,
    /// Undone before it left.
    Cancelled,
    /// Claimed by its job, which calls Instantly (written before the call).
    Sending,
    /// Instantly answered with the email.
    Sent,
    /// The request may have reached Instantly but its answer did not prove it: check before
    /// resending. A later sync that stores the sent message makes it `sent`.
    NotConfirmed,
    /// Instantly certainly did not take it; `error` says why.
    Failed,
}

impl ReplyState {
    pub const ALL: [Self; 6] = [
        Self::Scheduled,
        Self::Cancelled,
        Self::Sending,
        Self::Sent,
        Self::NotConfirmed,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Cancelled => "cancelled",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::NotConfirmed => "not_confirmed",
            Self::Failed => "failed",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }

    /// Whether a reply in this state may move to `next`. Only a 429 (refused before Instantly
    /// acted) brings a `sending` reply back to `scheduled`; only sync confirmation moves a
    /// `not_confirmed` one, to `sent`; the other outcomes are final.
    pub fn may_become(self, next: Self) -> bool {
        use ReplyState::*;
        matches!(
            (self, next),
            (Scheduled, Cancelled | Sending | Failed)
                | (Sending, Sent | NotConfirmed | Failed | Scheduled)
                | (NotConfirmed, Sent)
        )
    }
}

/// One entry of the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: Uuid,
    pub thread_id: String,
    /// The lead's address, lower-cased.
    pub lead_email: String,
    /// `None` once the author's account is gone.
    pub author: Option<Author>,
    /// Our mailbox the lead wrote to: the reply leaves from it.
    pub eaccount: String,
    /// The Instantly email answered (the thread's latest received message), and its time on
    /// Instantly's clock.
    pub reply_to_uuid: String,
    pub reply_to_at: DateTime<Utc>,
    pub subject: String,
    /// As written, and its safe rendering (`leads::markdown`).
    pub body: String,
    pub html: String,
    /// When it leaves: the undo window's end, or the later time asked for.
    pub send_at: DateTime<Utc>,
    pub state: ReplyState,
    /// Plain words, never a secret.
    pub error: Option<String>,
    pub instantly_email_id: Option<String>,
    /// `sent` because a sync found the message, not because Instantly answered.
    pub confirmed_by_sync: bool,
    /// When its job claimed it to call Instantly.
    pub attempted_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Reply {
    /// Until when it may be undone: its send time, while it waits.
    pub fn undo_until(&self) -> Option<DateTime<Utc>> {
        (self.state == ReplyState::Scheduled).then_some(self.send_at)
    }
}

/// A compare-and-set of a reply's state: applied only while the reply is in `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyChange {
    pub from: ReplyState,
    pub to: ReplyState,
    pub error: Option<String>,
    pub instantly_email_id: Option<String>,
    pub confirmed_by_sync: bool,
    /// `attempted_at` when the change is to `sending`, `sent_at` when to `sent`, and always
    /// `updated_at`.
    pub at: DateTime<Utc>,
}

impl ReplyChange {
    pub fn new(from: ReplyState, to: ReplyState, at: DateTime<Utc>) -> Self {
        debug_assert!(from.may_become(to), "{from:?} → {to:?}");
        Self {
            from,
            to,
            error: None,
            instantly_email_id: None,
            confirmed_by_sync: false,
            at,
        }
    }

    pub fn because(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }
}

/// What a thread offers a reply: its lead, subject and the message to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyTarget {
    pub thread_id: String,
    pub lead_email: Option<String>,
    pub subject: String,
    /// The thread's latest received message, if it has one.
    pub message: Option<TargetMessage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetMessage {
    pub id: String,
    pub mailbox: String,
    pub from_address: Option<String>,
    pub at: DateTime<Utc>,
}

/// A message we sent in a thread, as sync stored it: what confirmation compares.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SentMessage {
    pub id: String,
    pub body_text: String,
    pub at: DateTime<Utc>,
}

/// The signature of one of our mailboxes, appended to each reply sent from it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Signature {
    /// The mailbox's address, lower-cased.
    pub mailbox: String,
    /// As written (empty: none), and its rendering.
    pub body: String,
    pub html: String,
    pub updated_at: DateTime<Utc>,
}

/// Storage of the outbox, each statement filtered by its tenant; each change writes its audit
/// entry (target: the reply's id) in its transaction.
#[async_trait]
pub trait ReplyStore {
    /// The thread's lead, subject and latest received message; `None` when the tenant has no
    /// such thread.
    async fn reply_target(&self, tenant: TenantId, thread_id: &str) -> Result<Option<ReplyTarget>>;
    /// Writes the reply and enqueues its job in one transaction.
    async fn insert_reply(
        &self,
        tenant: TenantId,
        reply: &Reply,
        job: &NewJob,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    async fn reply(&self, tenant: TenantId, id: Uuid) -> Result<Option<Reply>>;
    /// The thread's replies, newest first.
    async fn thread_replies(&self, tenant: TenantId, thread_id: &str) -> Result<Vec<Reply>>;
    /// Up to `limit` of the lead's replies not yet sent, newest first, past `after`.
    async fn lead_replies(
        &self,
        tenant: TenantId,
        lead_email: &str,
        after: Option<&crate::leads::PageCursor>,
        limit: u32,
    ) -> Result<Vec<Reply>>;
    /// The tenant's outbox, in one state or all; `not_confirmed` first, then newest first.
    async fn outbox(
        &self,
        tenant: TenantId,
        state: Option<ReplyState>,
        limit: i64,
    ) -> Result<Vec<Reply>>;
    /// Applies `change` if the reply is still in `change.from` (then writes `entry`, when
    /// given); answers whether it did.
    async fn change_reply(
        &self,
        tenant: TenantId,
        id: Uuid,
        change: &ReplyChange,
        entry: Option<&NewAuditEntry>,
    ) -> Result<bool>;
    /// Undoes a `scheduled` reply and cancels its job, in one transaction; answers whether it
    /// was still scheduled.
    async fn cancel_reply(
        &self,
        tenant: TenantId,
        id: Uuid,
        at: DateTime<Utc>,
        entry: &NewAuditEntry,
    ) -> Result<bool>;
    /// The messages of a thread sent from `eaccount` that no outbox entry claims yet, oldest
    /// first.
    /// The signature of a mailbox (its address, lower-cased), if one was saved.
    async fn mailbox_signature(&self, tenant: TenantId, mailbox: &str)
    -> Result<Option<Signature>>;
    /// Saves (or replaces) a mailbox's signature.
    async fn save_mailbox_signature(
        &self,
        tenant: TenantId,
        signature: &Signature,
        by: Option<crate::domain::UserId>,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    async fn unclaimed_sent_messages(
        &self,
        tenant: TenantId,
        thread_id: &str,
        eaccount: &str,
    ) -> Result<Vec<SentMessage>>;
}

#[cfg(test)]
mod tests {
    use super::ReplyState::{self, *};

    #[test]
    fn states_read_back_by_their_stored_names() {
        for state in ReplyState::ALL {
            assert_eq!(ReplyState::from_name(state.as_str()), Some(state));
        }
        assert_eq!(ReplyState::from_name("queued"), None);
    }

    #[test]
    fn only_the_transitions_that_never_send_twice_are_allowed() {
        let allowed = [
            (Scheduled, Cancelled),
            (Scheduled, Sending),
            (Scheduled, Failed),
            (Sending, Sent),
            (Sending, NotConfirmed),
            (Sending, Failed),
            (Sending, Scheduled),
            (NotConfirmed, Sent),
        ];
        for from in ReplyState::ALL {
            for to in ReplyState::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.may_become(to), expected, "{from:?} → {to:?}");
            }
        }
        // Once it may have left, it never waits to leave again, except after a 429.
        for gone in [Sent, NotConfirmed, Failed, Cancelled] {
            assert!(!gone.may_become(Scheduled) && !gone.may_become(Sending));
        }
    }
}
