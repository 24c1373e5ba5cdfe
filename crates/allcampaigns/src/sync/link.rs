//! A tenant's Instantly key as its link stores it: sealed to the tenant and its row when an admin
//! links it (`tenants::instantly`), opened only by sync to talk to Instantly. Below both, so
//! neither reaches up into the other.

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

pub fn sealed_link(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_four_characters_are_kept_for_display() {
        assert_eq!(last_four(&SecretString::from("sk_live_abcdWXYZ")), "WXYZ");
        assert_eq!(last_four(&SecretString::from("abc")), "****");
    }
}
