//! Instantly's webhooks, received (issue 14).
//!
//! Each client may have one inbound hook: the address `/hooks/instantly/{secret}` and a header,
//! [`HEADER`], that Instantly sends with every event. Instantly signs nothing, so the two
//! secrets are the proof; a request short of either answers 404 and stores nothing, exactly as
//! an address that was never made. Only the secrets' SHA-256 digests are kept: both are shown
//! once, when the hook is made, and making it again replaces them.
//!
//! An event is stored before it is acknowledged ([`receive`]), once: Instantly may deliver an
//! event again, and its `email_id`, event and time (or, for an event that names no email, the
//! body's digest) keep one copy. A reply or a change of a lead's status then brings the client's
//! sync forward, which reads it as polling would, so the inbox shows it without waiting for the
//! next cycle; polling goes on reconciling whatever a webhook missed.

pub mod registration;
pub mod rules;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::{TenantId, UserId};
use crate::error::AppError;
use crate::store::{NewAuditEntry, Result};
use crate::text::{BodyFault, Problem};

/// Where Instantly posts a client's events; the secret follows.
pub const PATH_PREFIX: &str = "/hooks/instantly/";
/// The header Instantly is asked to send with every event, holding the second secret.
pub const HEADER: &str = "x-allcampaigns-hook";
/// The largest event body read; a larger one answers 413 before anything is stored. Instantly's
/// events carry one email's text and HTML at most.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// A stored hook, without its secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundHook {
    pub tenant: TenantId,
    /// The subscription registered in the client's workspace by the product, if it did.
    pub instantly_webhook_id: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// What a new hook stores: its secrets' digests.
#[derive(Debug, Clone)]
pub struct NewHook {
    pub path_digest: Vec<u8>,
    pub header_digest: Vec<u8>,
    pub hook: InboundHook,
}

/// The digest a secret is stored and looked up by.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// One event as received.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundEvent {
    pub tenant: TenantId,
    pub id: Uuid,
    pub dedupe_key: String,
    pub event_type: String,
    pub email_id: Option<String>,
    pub lead_email: Option<String>,
    /// Instantly's `timestamp`, as it wrote it.
    pub occurred_at: Option<String>,
    /// The body, as received.
    pub payload: String,
    pub received_at: DateTime<Utc>,
}

/// The fields of Instantly's flat payload an event is filed by; the rest is kept as sent.
#[derive(Deserialize)]
struct Head {
    event_type: String,
    #[serde(default)]
    email_id: Option<String>,
    #[serde(default)]
    lead_email: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
}

impl InboundEvent {
    /// Reads a body Instantly posted: a JSON object naming its `event_type`. Anything else is
    /// refused (400) with what is wrong, and nothing is stored.
    pub fn parse(
        tenant: TenantId,
        body: &[u8],
        received_at: DateTime<Utc>,
    ) -> std::result::Result<Self, AppError> {
        let payload = std::str::from_utf8(body).map_err(|_| body_fault(BodyFault::NotJson, ""))?;
        let value: serde_json::Value = serde_json::from_str(payload)
            .map_err(|e| body_fault(BodyFault::BadSyntax, &e.to_string()))?;
        if !value.is_object() {
            return Err(body_fault(BodyFault::WrongShape, "expected a JSON object"));
        }
        let head = Head::deserialize(&value)
            .map_err(|e| body_fault(BodyFault::WrongShape, &e.to_string()))?;
        let event_type = head.event_type.trim().to_owned();
        if event_type.is_empty() {
            return Err(body_fault(BodyFault::WrongShape, "`event_type` is empty"));
        }
        let present = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let email_id = present(head.email_id);
        let occurred_at = present(head.timestamp);
        let dedupe_key = match &email_id {
            Some(id) => format!("{id}|{event_type}|{}", occurred_at.as_deref().unwrap_or("")),
            None => format!("body|{}", hex(&Sha256::digest(body))),
        };
        Ok(Self {
            tenant,
            id: Uuid::now_v7(),
            dedupe_key,
            event_type,
            email_id,
            lead_email: present(head.lead_email),
            occurred_at,
            payload: payload.to_owned(),
            received_at,
        })
    }

    /// Whether the event tells of something sync copies (a message, a lead's status or custom
    /// label), so sync is brought forward to read it now. Opens, clicks and workspace events
    /// change nothing sync reads soon enough to matter.
    pub fn wants_sync(&self) -> bool {
        !matches!(
            self.event_type.as_str(),
            "email_opened"
                | "link_clicked"
                | "account_error"
                | "campaign_completed"
                | "supersearch_enrichment_completed"
        )
    }
}

fn body_fault(kind: BodyFault, detail: &str) -> AppError {
    AppError::BadRequest(Problem::Body {
        kind,
        detail: detail.chars().take(200).collect(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Storage of inbound hooks and their events.
#[async_trait]
pub trait InboundStore {
    /// The tenant and header digest of the hook whose address secret has this digest; read
    /// before any tenant is known.
    async fn inbound_hook_by_digest(
        &self,
        path_digest: &[u8],
    ) -> Result<Option<(TenantId, Vec<u8>)>>;
    async fn inbound_hook(&self, tenant: TenantId) -> Result<Option<InboundHook>>;
    /// Stores the hook in place of the tenant's old one, with its audit entry.
    async fn put_inbound_hook(&self, hook: &NewHook, entry: &NewAuditEntry) -> Result<()>;
    /// `NotFound` when the tenant has none.
    async fn delete_inbound_hook(&self, tenant: TenantId, entry: &NewAuditEntry) -> Result<()>;
    /// Stores the event unless one with its key is stored already; whether it was new.
    async fn record_inbound_event(&self, event: &InboundEvent) -> Result<bool>;
    /// Deletes up to `batch` of the tenant's events received before `before`, the oldest
    /// first; answers how many.
    async fn prune_inbound_events(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        batch: u32,
    ) -> Result<u64>;
    /// The tenant's events, newest first, received before `before` when given.
    async fn inbound_events(
        &self,
        tenant: TenantId,
        before: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<InboundEvent>>;
}

/// Events deleted per statement, so pruning never holds the write lock for long.
pub const PRUNE_BATCH: u32 = 1_000;

/// Deletes every client's events received before `before` (the inbound log's retention), in
/// batches; answers how many.
pub async fn prune(store: &crate::store::DynStore, before: DateTime<Utc>) -> Result<u64> {
    prune_in_batches(store, before, PRUNE_BATCH).await
}

/// [`prune`] with a batch size of the caller's (a test's).
pub async fn prune_in_batches(
    store: &crate::store::DynStore,
    before: DateTime<Utc>,
    batch: u32,
) -> Result<u64> {
    let mut pruned = 0;
    for tenant in store.tenant_directory().await? {
        loop {
            let deleted = store.prune_inbound_events(tenant, before, batch).await?;
            pruned += deleted;
            if deleted < u64::from(batch) {
                break;
            }
        }
    }
    Ok(pruned)
}

#[cfg(test)]
mod tests;
