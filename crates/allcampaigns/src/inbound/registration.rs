//! The product's own subscription in a client's Instantly workspace (`/api/v2/webhooks`), made
//! when a hook is made and removed with it. Instantly can only reach an install with a public
//! `https` address; elsewhere the hook is made all the same, and the person gives Instantly its
//! address and header by hand.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use utoipa::ToSchema;

use super::HEADER;
use crate::domain::TenantId;
use crate::services::Services;
use crate::store::ConnectionStatus;
use crate::sync::link::open_api_key;
use crate::tenants::instantly::one_off_client;

/// Instantly sends every event, custom labels included, to a subscription of this type.
const ALL_EVENTS: &str = "all_events";
/// What the subscription is called in Instantly's settings.
const NAME: &str = "All Campaigns";

/// Whether the hook was registered in Instantly, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum Registration {
    /// Instantly has the subscription (its id).
    Registered(String),
    /// The install's public address is not `https`, which Instantly cannot be pointed at
    /// from here: give it the address and header by hand.
    NotHttps,
    /// The client has no Instantly link, or its key needs attention.
    NoLink,
    /// Instantly refused or did not answer (what it said).
    Failed(String),
}

impl Registration {
    pub fn webhook_id(&self) -> Option<&str> {
        match self {
            Self::Registered(id) => Some(id),
            _ => None,
        }
    }
}

/// Registers the hook's address and header as one subscription to every event.
pub async fn register(
    services: &Services<'_>,
    tenant: TenantId,
    url: &SecretString,
    header: &SecretString,
) -> Registration {
    if services.public_url.scheme() != "https" {
        return Registration::NotHttps;
    }
    let client = match client(services, tenant).await {
        Ok(client) => client,
        Err(refusal) => return refusal,
    };
    let webhook = instantly::NewWebhook {
        target_hook_url: url.expose_secret().to_owned(),
        event_type: Some(ALL_EVENTS.into()),
        name: Some(NAME.into()),
        headers: Some(BTreeMap::from([(
            HEADER.to_owned(),
            header.expose_secret().to_owned(),
        )])),
        ..Default::default()
    };
    match client.create_webhook(&webhook).await {
        Ok(made) => Registration::Registered(made.id),
        Err(error) => Registration::Failed(error.to_string()),
    }
}

/// Removes the subscription the product made; one already gone is fine. A failure is logged,
/// not raised: the hook's address answers 404 from now on whatever Instantly keeps.
pub async fn unregister(services: &Services<'_>, tenant: TenantId, webhook_id: &str) {
    let Ok(client) = client(services, tenant).await else {
        return;
    };
    match client.delete_webhook(webhook_id).await {
        Ok(_) | Err(instantly::Error::NotFound) => {}
        Err(error) => {
            tracing::warn!(%tenant, error = %error, "could not remove the webhook from Instantly");
        }
    }
}

async fn client(
    services: &Services<'_>,
    tenant: TenantId,
) -> Result<instantly::Client, Registration> {
    let link = services.store.connection(tenant).await;
    let link = match link {
        Ok(Some(link)) if link.status != ConnectionStatus::NeedsAttention => link,
        Ok(_) => return Err(Registration::NoLink),
        Err(error) => return Err(Registration::Failed(error.to_string())),
    };
    let key = open_api_key(services.keyring, &link)
        .map_err(|_| Registration::Failed("the stored Instantly key cannot be opened".into()))?;
    one_off_client(&key, &link.base_url).map_err(|error| Registration::Failed(error.to_string()))
}
