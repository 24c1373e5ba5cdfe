//! Who may save, change and see which views. Anyone signed in keeps private views (a client
//! representative too: a view changes no shared state); a private view names only clients its
//! person sees. A view shared with a client's team takes a role there that works leads (owner,
//! admin, operator): a client representative sees the team's views and gets 403 changing them.
//! A shared view is changed or deleted by whoever made it, or by a client admin. Another
//! person's private view and another client's shared view are 404. Each change is audited.

use chrono::Utc;
use serde_json::json;
use uuid::Uuid;

use super::views::{MAX_NAME_CHARS, MAX_VIEWS, SavedView, ViewFilter, Visibility};
use super::{TabCount, rules::visible_tenants};
use crate::audit::{self, AuditAction};
use crate::auth::CurrentUser;
use crate::domain::{Role, TenantId};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::text::Problem;

/// What a person asks to save.
#[derive(Debug, Clone)]
pub struct ViewInput {
    pub name: String,
    pub filter: ViewFilter,
    /// Shared with this client's team; private when `None`.
    pub shared_with: Option<TenantId>,
}

/// A view the caller sees, with the count of its threads (capped like the tab counts).
#[derive(Debug, Clone)]
pub struct ListedView {
    pub view: SavedView,
    pub count: TabCount,
}

/// The caller's private views, then the shared views of every client they see.
pub async fn list(services: &Services<'_>, current: &CurrentUser) -> AppResult<Vec<ListedView>> {
    let tenants = visible_tenants(services, current, None).await?;
    let mut views = services.store.personal_views(current.user.id).await?;
    if !tenants.is_empty() {
        views.extend(services.store.shared_views(&tenants).await?);
    }
    let mut listed = Vec::with_capacity(views.len());
    for view in views {
        let count = count(services, current, &tenants, &view).await?;
        listed.push(ListedView { view, count });
    }
    Ok(listed)
}

/// A view's threads are read for the clients the caller sees now: a view naming a client
/// they no longer see counts nothing.
async fn count(
    services: &Services<'_>,
    current: &CurrentUser,
    visible: &[TenantId],
    view: &SavedView,
) -> AppResult<TabCount> {
    let Ok(request) = view.filter.params().read(current.user.id) else {
        return Ok(TabCount::default());
    };
    let only = match view.visibility {
        Visibility::Shared { tenant, .. } => Some(tenant),
        Visibility::Private { .. } => request.tenant,
    };
    let tenants: Vec<TenantId> = match only {
        Some(tenant) if visible.contains(&tenant) => vec![tenant],
        Some(_) => Vec::new(),
        None => visible.to_vec(),
    };
    if tenants.is_empty() {
        return Ok(TabCount::default());
    }
    let now = Utc::now();
    Ok(services
        .store
        .thread_count(&tenants, &request.filter, now)
        .await?)
}

pub async fn create(
    services: &Services<'_>,
    current: &CurrentUser,
    input: ViewInput,
) -> AppResult<SavedView> {
    let name = check_name(&input.name)?;
    let visibility = match input.shared_with {
        None => {
            current.require_unlimited()?;
            Visibility::Private {
                owner: current.user.id,
            }
        }
        Some(tenant) => {
            require_lead_worker(services, current, tenant).await?;
            Visibility::Shared {
                tenant,
                created_by: Some(current.user.id),
            }
        }
    };
    let filter = check_filter(services, current, &visibility, input.filter).await?;
    check_room(services, &visibility).await?;
    let now = Utc::now();
    let view = SavedView {
        id: Uuid::now_v7(),
        name,
        filter,
        visibility,
        created_at: now,
        updated_at: now,
    };
    let entry = entry(current, AuditAction::ViewCreated, &view);
    services.store.insert_view(&view, &entry).await?;
    Ok(view)
}

/// Renames a view and, when given, replaces its filter.
pub async fn update(
    services: &Services<'_>,
    current: &CurrentUser,
    id: Uuid,
    name: Option<String>,
    filter: Option<ViewFilter>,
) -> AppResult<SavedView> {
    let mut view = find(services, current, id).await?;
    require_changer(services, current, &view).await?;
    if let Some(name) = name {
        view.name = check_name(&name)?;
    }
    if let Some(filter) = filter {
        view.filter = check_filter(services, current, &view.visibility, filter).await?;
    }
    view.updated_at = Utc::now();
    let entry = entry(current, AuditAction::ViewUpdated, &view);
    services.store.update_view(&view, &entry).await?;
    Ok(view)
}

pub async fn delete(services: &Services<'_>, current: &CurrentUser, id: Uuid) -> AppResult<()> {
    let view = find(services, current, id).await?;
    require_changer(services, current, &view).await?;
    let entry = entry(current, AuditAction::ViewDeleted, &view);
    services.store.delete_view(&view, &entry).await?;
    Ok(())
}

/// One of the views the caller sees; 404 for any other.
pub async fn find(
    services: &Services<'_>,
    current: &CurrentUser,
    id: Uuid,
) -> AppResult<SavedView> {
    let mine = services.store.personal_views(current.user.id).await?;
    if let Some(view) = mine.into_iter().find(|view| view.id == id) {
        return Ok(view);
    }
    let tenants = visible_tenants(services, current, None).await?;
    if tenants.is_empty() {
        return Err(AppError::NotFound);
    }
    let shared = services.store.shared_views(&tenants).await?;
    shared
        .into_iter()
        .find(|view| view.id == id)
        .ok_or(AppError::NotFound)
}

/// The caller's role in a client they may reach; 404 when they are not its member.
async fn role_in(
    services: &Services<'_>,
    current: &CurrentUser,
    tenant: TenantId,
) -> AppResult<Role> {
    if !current.may_reach(tenant) {
        return Err(AppError::NotFound);
    }
    services
        .store
        .member_role(tenant, current.user.id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn require_lead_worker(
    services: &Services<'_>,
    current: &CurrentUser,
    tenant: TenantId,
) -> AppResult<()> {
    if role_in(services, current, tenant).await?.can_work_leads() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A private view is its person's (found among their own). A shared one: its maker while they
/// still work leads there, or a client admin.
async fn require_changer(
    services: &Services<'_>,
    current: &CurrentUser,
    view: &SavedView,
) -> AppResult<()> {
    match view.visibility {
        Visibility::Private { .. } => current.require_unlimited(),
        Visibility::Shared { tenant, created_by } => {
            let role = role_in(services, current, tenant).await?;
            let maker = created_by == Some(current.user.id) && role.can_work_leads();
            if maker || role.can_administer() {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
    }
}

fn check_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    let fits = (1..=MAX_NAME_CHARS).contains(&name.chars().count());
    if !fits || name.chars().any(char::is_control) {
        return Err(AppError::Invalid {
            field: "name",
            problem: Problem::NotExpected {
                input: name.chars().take(40).collect(),
                expected: "a name of 1 to 80 characters",
            },
        });
    }
    Ok(name.to_owned())
}

/// The filter must read as a list request does; a private view may name only a client its
/// person sees (else 404), a shared view only its own client (kept implicit).
async fn check_filter(
    services: &Services<'_>,
    current: &CurrentUser,
    visibility: &Visibility,
    mut filter: ViewFilter,
) -> AppResult<ViewFilter> {
    let request = filter.params().read(current.user.id)?;
    match (visibility, request.tenant) {
        (Visibility::Private { .. }, Some(tenant)) => {
            visible_tenants(services, current, Some(tenant)).await?;
        }
        (Visibility::Shared { tenant, .. }, Some(named)) if named != *tenant => {
            return Err(AppError::Invalid {
                field: "filter.tenant",
                problem: Problem::NotExpected {
                    input: named.to_string(),
                    expected: "the client the view is shared with, or nothing",
                },
            });
        }
        (Visibility::Shared { .. }, _) => filter.tenant = None,
        (Visibility::Private { .. }, None) => {}
    }
    Ok(filter)
}

async fn check_room(services: &Services<'_>, visibility: &Visibility) -> AppResult<()> {
    let held = match *visibility {
        Visibility::Private { owner } => services.store.personal_views(owner).await?.len(),
        Visibility::Shared { tenant, .. } => services.store.shared_views(&[tenant]).await?.len(),
    };
    if held >= MAX_VIEWS {
        return Err(AppError::Invalid {
            field: "name",
            problem: Problem::NotExpected {
                input: held.to_string(),
                expected: "at most 50 saved views",
            },
        });
    }
    Ok(())
}

fn entry(
    current: &CurrentUser,
    action: AuditAction,
    view: &SavedView,
) -> crate::store::NewAuditEntry {
    let shared = matches!(view.visibility, Visibility::Shared { .. });
    let details = json!({ "name": view.name, "shared": shared });
    audit::entry(Some(current.user.id), action, None, details)
}
