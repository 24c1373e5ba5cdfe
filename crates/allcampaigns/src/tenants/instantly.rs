//! The Instantly link (`/t/{id}/connection`, `/api/v1/tenants/{id}/instantly-link`): a
//! tenant's Instantly API key, checked against Instantly, sealed, replaced, removed, and
//! "sync now". The key is bound to its tenant's row; only its last four characters are ever
//! shown again. The store still calls the row a `Connection`.

use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::{Connection, ConnectionStatus};
use crate::sync::SyncWorker;
use crate::sync::link::{Workspace, sealed_link};
use crate::text::Problem;

/// Who links a key.
pub enum Linker<'a> {
    /// An owner or admin through a page or the API: checked and rate limited per tenant
    /// (security review finding 23).
    Member(&'a TenantAccess),
    /// The operator's own process (the command line, the demo), acting for `actor` if anyone.
    Operator {
        tenant: TenantId,
        actor: Option<UserId>,
    },
}

/// The key and where to check it.
pub struct LinkRequest<'a> {
    pub api_key: SecretString,
    /// Instantly's address; the install default unless overridden (the simulator).
    pub base_url: &'a str,
    /// Link even when another tenant already has this Instantly workspace.
    pub allow_shared_workspace: bool,
}

/// Checks the key against `GET /workspaces/current`, then stores it sealed with the workspace's
/// id and name and queues the first sync. The key is never logged, echoed or put into an error.
pub async fn link(
    services: &Services<'_>,
    linker: Linker<'_>,
    request: LinkRequest<'_>,
) -> AppResult<Connection> {
    let (tenant, actor) = match linker {
        Linker::Member(access) => {
            access.require_admin()?;
            let key = access.tenant.to_string();
            services.key_checks.check(&key, Instant::now())?;
            (access.tenant, Some(access.current.user.id))
        }
        Linker::Operator { tenant, actor } => (tenant, actor),
    };
    let store = services.store;
    let trimmed = SecretString::from(request.api_key.expose_secret().trim().to_string());
    if trimmed.expose_secret().is_empty() {
        return Err(AppError::Invalid {
            field: "api_key",
            problem: Problem::ApiKeyMissing,
        });
    }
    let workspace = check_key(&trimmed, request.base_url).await?;
    if !request.allow_shared_workspace
        && store
            .workspace_connected_elsewhere(tenant, &workspace.id)
            .await?
    {
        return Err(AppError::Conflict(Problem::WorkspaceElsewhere {
            workspace: workspace.name,
        }));
    }
    let replacing = store.connection(tenant).await?.is_some();
    let workspace_name = workspace.name.clone();
    let sealed = sealed_link(
        services.keyring,
        tenant,
        &trimmed,
        request.base_url,
        Workspace {
            id: Some(workspace.id),
            name: Some(workspace.name),
        },
        ConnectionStatus::Connected,
    );
    let saved = store.save_connection(tenant, &sealed).await;
    crate::keys::save_seal_counts(store, services.keyring).await;
    let saved = saved?;
    // The backfill starts with the next free worker.
    SyncWorker::request(store, tenant).await?;
    let action = if replacing {
        AuditAction::ConnectionKeyReplaced
    } else {
        AuditAction::ConnectionKeyAdded
    };
    if let Some(actor) = actor {
        let details = json!({"workspace": workspace_name, "key_last4": saved.key_last4});
        audit::record(store, tenant, actor, action, None, details).await;
    }
    Ok(saved)
}

/// A client for a call a person waits on (a key check, registering a webhook): a 15 s timeout
/// and one retry, outside sync's pacing, since such calls are rare.
pub(crate) fn one_off_client(
    api_key: &SecretString,
    base_url: &str,
) -> AppResult<instantly::Client> {
    let mut config = instantly::ClientConfig::new(api_key.clone());
    config.base_url = base_url.trim_end_matches('/').to_string();
    config.timeout = std::time::Duration::from_secs(15);
    config.retry = instantly::RetryPolicy {
        max_attempts: 2,
        ..instantly::RetryPolicy::default()
    };
    instantly::Client::new(config).map_err(|e| {
        AppError::Upstream(Problem::InstantlyAddress {
            detail: e.to_string(),
        })
    })
}

/// One call to Instantly with the pasted key, mapped to words a person can act on.
async fn check_key(api_key: &SecretString, base_url: &str) -> AppResult<instantly::Workspace> {
    let client = one_off_client(api_key, base_url)?;
    match client.current_workspace().await {
        Ok(workspace) => Ok(workspace),
        Err(instantly::Error::InvalidCredentials { .. }) => Err(AppError::Invalid {
            field: "api_key",
            problem: Problem::KeyRefused,
        }),
        Err(instantly::Error::PaymentRequired) => Err(AppError::Invalid {
            field: "api_key",
            problem: Problem::PlanWithoutApi,
        }),
        Err(error) => Err(AppError::Upstream(Problem::InstantlyUnreachable {
            detail: error.to_string(),
        })),
    }
}

/// Removes the key; sync stops (owners and admins). `NotFound` when there was none.
pub async fn unlink(services: &Services<'_>, access: &TenantAccess) -> AppResult<()> {
    access.require_admin()?;
    let store = services.store;
    store.delete_connection(access.tenant).await?;
    SyncWorker::stop(store, access.tenant).await?;
    let actor = access.current.user.id;
    let action = AuditAction::ConnectionKeyRemoved;
    audit::record(store, access.tenant, actor, action, None, json!({})).await;
    Ok(())
}

/// "Sync now" (owners and admins): schedules the tenant's next sync cycle for now and records
/// who asked. Refused while there is no link, or while its key needs attention (sync stays
/// stopped until a new key).
pub async fn sync_now(services: &Services<'_>, access: &TenantAccess) -> AppResult<()> {
    access.require_admin()?;
    let store = services.store;
    let link = store
        .connection(access.tenant)
        .await?
        .ok_or(AppError::Conflict(Problem::NothingToSync))?;
    if link.status == ConnectionStatus::NeedsAttention {
        return Err(AppError::Conflict(Problem::SyncStopped));
    }
    SyncWorker::request(store, access.tenant).await?;
    let actor = access.current.user.id;
    audit::record(
        store,
        access.tenant,
        actor,
        AuditAction::SyncRequested,
        None,
        json!({}),
    )
    .await;
    Ok(())
}
