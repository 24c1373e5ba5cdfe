//! The JSON shapes of saved views, each with its schema for the OpenAPI document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::inbox::view_rules::ListedView;
use crate::inbox::views::{SavedView, ViewFilter, Visibility};

/// A view to save: a name, the filter (the parameters of `GET /threads` as text), and, to
/// share it with a client's team, that client's id; without one it is private.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewRequest {
    pub name: String,
    #[serde(default)]
    pub filter: ViewFilter,
    #[serde(default)]
    pub shared_with: Option<uuid::Uuid>,
}

/// A new name, a new filter, or both; what is absent stays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub filter: Option<ViewFilter>,
}

#[derive(Serialize, ToSchema)]
pub struct ViewItem {
    pub view_id: uuid::Uuid,
    pub name: String,
    pub filter: ViewFilter,
    /// `private` or `shared`.
    pub visibility: String,
    /// The client a shared view belongs to.
    pub tenant_id: Option<uuid::Uuid>,
    /// Who made a shared view.
    pub created_by: Option<uuid::Uuid>,
    /// Threads in the view, at most 10,000 (in the list only).
    pub count: Option<i64>,
    /// There are more than `count` ("10,000+").
    pub capped: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SavedView> for ViewItem {
    fn from(view: SavedView) -> Self {
        let (visibility, tenant_id, created_by) = match view.visibility {
            Visibility::Private { .. } => ("private", None, None),
            Visibility::Shared { tenant, created_by } => (
                "shared",
                Some(tenant.as_uuid()),
                created_by.map(|id| id.as_uuid()),
            ),
        };
        Self {
            view_id: view.id,
            name: view.name,
            filter: view.filter,
            visibility: visibility.into(),
            tenant_id,
            created_by,
            count: None,
            capped: false,
            created_at: view.created_at,
            updated_at: view.updated_at,
        }
    }
}

impl From<ListedView> for ViewItem {
    fn from(listed: ListedView) -> Self {
        Self {
            count: Some(listed.count.count),
            capped: listed.count.capped,
            ..listed.view.into()
        }
    }
}

/// The caller's private views, then those shared with the clients they see.
#[derive(Serialize, ToSchema)]
pub struct ViewList {
    pub items: Vec<ViewItem>,
}
