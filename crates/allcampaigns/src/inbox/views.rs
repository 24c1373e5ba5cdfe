//! Saved views: a name and an inbox filter, private to a person or shared with one client's
//! team. A private view belongs to its person and may span every client they see; a shared
//! view is its tenant's data. Keying and row-level security: migration 0014. The rules are in
//! [`view_rules`](super::view_rules); storage is [`ViewStore`], in `store/shared/views.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::params::ThreadParams;
use crate::domain::{TenantId, UserId};
use crate::store::{NewAuditEntry, Result};

/// The longest view name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// The most private views a person keeps, and shared views a client keeps: each is counted
/// when the sidebar lists them.
pub const MAX_VIEWS: usize = 50;

/// A view's filter: the query parameters of `GET /api/v1/threads` as text, so a saved view
/// means exactly what the same URL means. `cursor` and `limit` are not part of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewFilter {
    /// One client (a tenant id): for a private view, optional; for a shared view, its own
    /// client or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl ViewFilter {
    /// The list parameters this filter stands for (read them with [`ThreadParams::read`]).
    pub fn params(&self) -> ThreadParams {
        ThreadParams {
            tenant: self.tenant.clone(),
            view: self.view.clone(),
            q: self.q.clone(),
            unread: self.unread.clone(),
            owner: self.owner.clone(),
            stage: self.stage.clone(),
            campaign: self.campaign.clone(),
            mailbox: self.mailbox.clone(),
            tag: self.tag.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            cursor: None,
            limit: None,
        }
    }
}

/// Who sees a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Its person only.
    Private { owner: UserId },
    /// Every member of one client.
    Shared {
        tenant: TenantId,
        created_by: Option<UserId>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    pub id: Uuid,
    pub name: String,
    pub filter: ViewFilter,
    pub visibility: Visibility,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Storage of saved views. Private views are read and written in the person's own scope
/// (`Scope::User`), shared ones in their tenant's; each change writes its audit entry (the
/// person's trail for a private view, the tenant's for a shared one) in its transaction.
#[async_trait]
pub trait ViewStore {
    /// Refused with `Conflict(AlreadyExists)` when the owner already has a view of that name.
    async fn insert_view(&self, view: &SavedView, entry: &NewAuditEntry) -> Result<()>;
    /// Renames the view and replaces its filter; `NotFound` when it is not there.
    async fn update_view(&self, view: &SavedView, entry: &NewAuditEntry) -> Result<()>;
    /// `NotFound` when it is not there.
    async fn delete_view(&self, view: &SavedView, entry: &NewAuditEntry) -> Result<()>;
    /// A person's private views, by name.
    async fn personal_views(&self, user: UserId) -> Result<Vec<SavedView>>;
    /// The shared views of these tenants, by name.
    async fn shared_views(&self, tenants: &[TenantId]) -> Result<Vec<SavedView>>;
}
