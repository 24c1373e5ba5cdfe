//! Sealing and opening a tenant's Instantly API key. The key is bound to its tenant's
//! connection row; only its last four characters are ever shown again.

use crate::text::Problem;
use secrecy::{ExposeSecret, SecretString};

use crate::crypto::{CryptoError, Keyring, Purpose, SecretSlot};
use crate::domain::TenantId;
use crate::store::{Connection, ConnectionStatus, NewConnection};

/// Where a tenant's Instantly key lives, as bound into its envelope.
fn slot(tenant: TenantId, row: &str) -> SecretSlot<'_> {
    SecretSlot {
        tenant,
        purpose: Purpose::InstantlyApiKey,
        row,
    }
}

/// The last four characters, the only part of a key ever shown.
pub fn last_four(api_key: &SecretString) -> String {
    let key = api_key.expose_secret();
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if key.chars().count() <= 4 {
        "****".into()
    } else {
        tail
    }
}

pub struct Workspace {
    pub id: Option<String>,
    pub name: Option<String>,
}

pub fn sealed_connection(
    keyring: &Keyring,
    tenant: TenantId,
    api_key: &SecretString,
    base_url: &str,
    workspace: Workspace,
    status: ConnectionStatus,
) -> NewConnection {
    let row = tenant.to_string();
    NewConnection {
        api_key_envelope: keyring.seal_str(&slot(tenant, &row), api_key),
        key_id: keyring.primary_id(),
        key_last4: last_four(api_key),
        base_url: base_url.to_string(),
        workspace_id: workspace.id,
        workspace_name: workspace.name,
        status,
    }
}

pub fn open_api_key(
    keyring: &Keyring,
    connection: &Connection,
) -> Result<SecretString, CryptoError> {
    let row = connection.tenant_id.to_string();
    keyring.open_string(
        &slot(connection.tenant_id, &row),
        &connection.api_key_envelope,
    )
}

/// What connecting a key needs from the app: no request, no session.
pub struct ConnectRequest<'a> {
    pub tenant: TenantId,
    pub actor: Option<crate::domain::UserId>,
    pub api_key: SecretString,
    /// Instantly's address; the install default unless overridden (the simulator).
    pub base_url: &'a str,
    /// Connect even when another tenant already has this Instantly workspace.
    pub allow_shared_workspace: bool,
}

/// Checks the key against `GET /workspaces/current`, then stores it sealed with the workspace's
/// id and name. The key is never logged, echoed or put into an error.
pub async fn connect(
    store: &crate::store::DynStore,
    keyring: &Keyring,
    request: ConnectRequest<'_>,
) -> crate::error::AppResult<Connection> {
    use crate::error::AppError;
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
            .workspace_connected_elsewhere(request.tenant, &workspace.id)
            .await?
    {
        return Err(AppError::Conflict(Problem::WorkspaceElsewhere {
            workspace: workspace.name,
        }));
    }
    let replacing = store.connection(request.tenant).await?.is_some();
    let workspace_name = workspace.name.clone();
    let connection = sealed_connection(
        keyring,
        request.tenant,
        &trimmed,
        request.base_url,
        Workspace {
            id: Some(workspace.id),
            name: Some(workspace.name),
        },
        ConnectionStatus::Connected,
    );
    let saved = store.save_connection(request.tenant, &connection).await?;
    // The backfill starts with the next free worker.
    crate::sync::SyncWorker::request(store, request.tenant)
        .await
        .map_err(AppError::Internal)?;
    let action = if replacing {
        "connection.key_replaced"
    } else {
        "connection.key_added"
    };
    if let Some(actor) = request.actor {
        let details =
            serde_json::json!({"workspace": workspace_name, "key_last4": saved.key_last4});
        crate::audit::record(store, request.tenant, actor, action, None, details).await;
    }
    Ok(saved)
}

/// One call to Instantly with the pasted key, mapped to words a person can act on.
async fn check_key(
    api_key: &SecretString,
    base_url: &str,
) -> crate::error::AppResult<instantly::Workspace> {
    use crate::error::AppError;
    let mut config = instantly::ClientConfig::new(api_key.clone());
    config.base_url = base_url.trim_end_matches('/').to_string();
    config.timeout = std::time::Duration::from_secs(15);
    config.retry = instantly::RetryPolicy {
        max_attempts: 2,
        ..instantly::RetryPolicy::default()
    };
    let client = instantly::Client::new(config).map_err(|e| {
        AppError::Upstream(Problem::InstantlyAddress {
            detail: e.to_string(),
        })
    })?;
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

pub async fn disconnect(
    store: &crate::store::DynStore,
    tenant: TenantId,
    actor: crate::domain::UserId,
) -> crate::error::AppResult<()> {
    store.delete_connection(tenant).await?;
    store.cancel_job(tenant, crate::sync::JOB_KIND).await?;
    crate::audit::record(
        store,
        tenant,
        actor,
        "connection.key_removed",
        None,
        serde_json::json!({}),
    )
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_four_characters_are_kept_for_display() {
        assert_eq!(last_four(&SecretString::from("sk_live_abcdWXYZ")), "WXYZ");
        assert_eq!(last_four(&SecretString::from("abc")), "****");
    }
}
