//! Saved views, written once for both backends: private views in the person's own scope
//! (`Scope::User`, which row-level security reads on PostgreSQL), shared views in their
//! tenant's; each change and its audit entry in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::audit_args;
use crate::domain::{TenantId, UserId};
use crate::inbox::views::{SavedView, ViewFilter, ViewStore, Visibility};
use crate::store::db::{Args, Scope, SqlBacked, Tx};
use crate::store::views_sql as q;
use crate::store::{NewAuditEntry, Result, StoreError, sql};

#[async_trait]
impl<S: SqlBacked> ViewStore for S {
    #[tracing::instrument(name = "store.insert_view", level = "debug", skip_all)]
    async fn insert_view(&self, view: &SavedView, entry: &NewAuditEntry) -> Result<()> {
        let filter = filter_json(&view.filter);
        let (scope, statement, args) = match view.visibility {
            Visibility::Private { owner } => (
                Scope::User(owner),
                q::INSERT_PERSONAL,
                Args::new()
                    .bind(owner)
                    .bind(view.id)
                    .bind(&view.name)
                    .bind(&filter)
                    .bind(view.created_at),
            ),
            Visibility::Shared { tenant, created_by } => (
                Scope::Tenant(tenant),
                q::INSERT_SHARED,
                Args::new()
                    .bind(tenant)
                    .bind(view.id)
                    .bind(&view.name)
                    .bind(&filter)
                    .bind(created_by)
                    .bind(view.created_at),
            ),
        };
        let mut tx = self.db().begin(scope, true).await?;
        tx.execute(statement, args).await?;
        audit(&mut tx, view, entry).await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.update_view", level = "debug", skip_all)]
    async fn update_view(&self, view: &SavedView, entry: &NewAuditEntry) -> Result<()> {
        let statement = match view.visibility {
            Visibility::Private { .. } => q::UPDATE_PERSONAL,
            Visibility::Shared { .. } => q::UPDATE_SHARED,
        };
        let args = keyed(view)
            .bind(&view.name)
            .bind(&filter_json(&view.filter))
            .bind(view.updated_at);
        change_one(self, view, statement, args, entry).await
    }

    #[tracing::instrument(name = "store.delete_view", level = "debug", skip_all)]
    async fn delete_view(&self, view: &SavedView, entry: &NewAuditEntry) -> Result<()> {
        let statement = match view.visibility {
            Visibility::Private { .. } => q::DELETE_PERSONAL,
            Visibility::Shared { .. } => q::DELETE_SHARED,
        };
        change_one(self, view, statement, keyed(view), entry).await
    }

    #[tracing::instrument(name = "store.personal_views", level = "debug", skip_all)]
    async fn personal_views(&self, user: UserId) -> Result<Vec<SavedView>> {
        let mut tx = self.db().begin(Scope::User(user), false).await?;
        let rows: Vec<PersonalRow> = tx
            .fetch_all(q::PERSONAL_VIEWS, Args::new().bind(user))
            .await?;
        Ok(rows.into_iter().map(PersonalRow::into_view).collect())
    }

    #[tracing::instrument(name = "store.shared_views", level = "debug", skip_all, fields(tenants = tenants.len()))]
    async fn shared_views(&self, tenants: &[TenantId]) -> Result<Vec<SavedView>> {
        let mut tx = self.db().begin(Scope::Tenants(tenants), false).await?;
        let mut views = Vec::new();
        for &tenant in tenants {
            let rows: Vec<SharedRow> = tx
                .fetch_all(q::SHARED_VIEWS, Args::new().bind(tenant))
                .await?;
            views.extend(rows.into_iter().map(SharedRow::into_view));
        }
        Ok(views)
    }
}

fn scope(view: &SavedView) -> Scope<'static> {
    match view.visibility {
        Visibility::Private { owner } => Scope::User(owner),
        Visibility::Shared { tenant, .. } => Scope::Tenant(tenant),
    }
}

/// `$1` (the owner or the tenant) and `$2` (the view) of every statement on one view.
fn keyed(view: &SavedView) -> Args {
    match view.visibility {
        Visibility::Private { owner } => Args::new().bind(owner).bind(view.id),
        Visibility::Shared { tenant, .. } => Args::new().bind(tenant).bind(view.id),
    }
}

async fn change_one<S: SqlBacked>(
    store: &S,
    view: &SavedView,
    statement: &'static str,
    args: Args,
    entry: &NewAuditEntry,
) -> Result<()> {
    let mut tx = store.db().begin(scope(view), true).await?;
    if tx.execute(statement, args).await? != 1 {
        return Err(StoreError::NotFound);
    }
    audit(&mut tx, view, entry).await?;
    tx.commit().await
}

/// A shared view's entry goes to its tenant's trail; a private view's to its person's.
async fn audit(tx: &mut Tx, view: &SavedView, entry: &NewAuditEntry) -> Result<()> {
    let target = Some(view.id.to_string());
    match view.visibility {
        Visibility::Shared { tenant, .. } => {
            let entry = NewAuditEntry {
                target,
                ..entry.clone()
            };
            tx.execute(sql::INSERT_AUDIT, audit_args(tenant, &entry))
                .await?;
        }
        Visibility::Private { owner } => {
            let mut details = entry.details.clone();
            if let Some(map) = details.as_object_mut() {
                map.insert("view_id".into(), view.id.to_string().into());
            }
            let args = Args::new()
                .bind(Uuid::now_v7())
                .bind(Utc::now())
                .bind(Some(owner))
                .bind(&entry.action)
                .bind(&details)
                .bind(&entry.request_id);
            tx.execute(sql::INSERT_USER_AUDIT, args).await?;
        }
    }
    Ok(())
}

fn filter_json(filter: &ViewFilter) -> serde_json::Value {
    serde_json::to_value(filter).unwrap_or_else(|_| serde_json::json!({}))
}

#[derive(sqlx::FromRow)]
struct SharedRow {
    tenant_id: TenantId,
    view_id: Uuid,
    name: String,
    filter: Json<ViewFilter>,
    created_by: Option<UserId>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl SharedRow {
    fn into_view(self) -> SavedView {
        SavedView {
            id: self.view_id,
            name: self.name,
            filter: self.filter.0,
            visibility: Visibility::Shared {
                tenant: self.tenant_id,
                created_by: self.created_by,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct PersonalRow {
    user_id: UserId,
    view_id: Uuid,
    name: String,
    filter: Json<ViewFilter>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl PersonalRow {
    fn into_view(self) -> SavedView {
        SavedView {
            id: self.view_id,
            name: self.name,
            filter: self.filter.0,
            visibility: Visibility::Private {
                owner: self.user_id,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
