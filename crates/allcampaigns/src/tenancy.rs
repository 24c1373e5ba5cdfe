//! Deleting a tenant, shared by the page and the JSON API: owners only, and only with the
//! tenant's exact name typed as confirmation.

use serde_json::json;

use crate::audit;
use crate::auth::TenantAccess;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::store::DynStore;
use crate::text::Problem;

/// Deletes the tenant; `Invalid { field: "confirm_name" }` when the name does not match.
pub async fn delete(store: &DynStore, access: &TenantAccess, confirm_name: &str) -> AppResult<()> {
    if access.role != Role::Owner {
        return Err(AppError::Forbidden);
    }
    let tenant = store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    if confirm_name != tenant.name {
        return Err(AppError::Invalid {
            field: "confirm_name",
            problem: Problem::ConfirmName { name: tenant.name },
        });
    }
    store.delete_tenant(access.tenant).await?;
    let details = json!({"tenant_id": access.tenant});
    audit::record_user(store, access.current.user.id, "tenant.deleted", details).await;
    Ok(())
}
