//! "Sync now": an owner or admin asks for a tenant's sync to run as soon as a worker is free.
//! Shared by the connection page and the JSON API.

use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::store::{ConnectionStatus, DynStore};
use crate::sync::SyncWorker;
use crate::text::Problem;

/// Schedules the tenant's next sync cycle for now and records who asked. Refused while there is
/// no connection, or while its key needs attention (sync stays stopped until a new key).
pub async fn request(store: &DynStore, tenant: TenantId, actor: UserId) -> AppResult<()> {
    let connection = store
        .connection(tenant)
        .await?
        .ok_or(AppError::Conflict(Problem::NothingToSync))?;
    if connection.status == ConnectionStatus::NeedsAttention {
        return Err(AppError::Conflict(Problem::SyncStopped));
    }
    SyncWorker::request(store, tenant)
        .await
        .map_err(AppError::Internal)?;
    crate::audit::record(
        store,
        tenant,
        actor,
        "sync.requested",
        None,
        serde_json::json!({}),
    )
    .await;
    Ok(())
}
