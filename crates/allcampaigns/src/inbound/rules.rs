//! Who may make, see and remove a client's inbound hook, and what receiving an event does.

use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::registration::{self, Registration};
use super::{HEADER, InboundEvent, InboundHook, NewHook, PATH_PREFIX, digest};
use crate::audit::{self, AuditAction};
use crate::auth::{TenantAccess, constant_time_eq, random_token};
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::leads::PageCursor;
use crate::services::Services;
use crate::store::DynStore;
use crate::sync::worker::SyncWorker;

/// A hook just made: the address and header to give Instantly, shown this once, and whether
/// the product registered them in the client's workspace itself.
#[derive(Debug)]
pub struct MadeHook {
    pub hook: InboundHook,
    pub url: SecretString,
    pub header_name: &'static str,
    pub header_value: SecretString,
    pub registration: Registration,
}

/// Makes the client's hook, replacing the old one (whose address then answers 404, and whose
/// subscription in Instantly is removed). Owners and admins only.
pub async fn make(services: &Services<'_>, access: &TenantAccess) -> AppResult<MadeHook> {
    access.require_admin()?;
    let tenant = access.tenant;
    let old = services.store.inbound_hook(tenant).await?;
    let (path_secret, header_secret) = (random_token(), random_token());
    let mut url = services.public_url.clone();
    url.set_path(&format!("{PATH_PREFIX}{path_secret}"));
    url.set_query(None);
    let url = SecretString::from(url.to_string());
    let header_value = SecretString::from(header_secret);
    let registration = registration::register(services, tenant, &url, &header_value).await;
    let hook = InboundHook {
        tenant,
        instantly_webhook_id: registration.webhook_id().map(str::to_owned),
        created_by: Some(access.current.user.id),
        created_at: Utc::now(),
    };
    let new = NewHook {
        path_digest: digest(&path_secret),
        header_digest: digest(header_value.expose_secret()),
        hook: hook.clone(),
    };
    let details = json!({"registered_in_instantly": hook.instantly_webhook_id.is_some()});
    let actor = Some(access.current.user.id);
    let entry = audit::entry(actor, AuditAction::InboundHookCreated, None, details);
    services.store.put_inbound_hook(&new, &entry).await?;
    if let Some(old_id) = old.and_then(|o| o.instantly_webhook_id) {
        registration::unregister(services, tenant, &old_id).await;
    }
    Ok(MadeHook {
        hook,
        url,
        header_name: HEADER,
        header_value,
        registration,
    })
}

/// The client's hook, without its secrets. Owners and admins only.
pub async fn show(services: &Services<'_>, access: &TenantAccess) -> AppResult<InboundHook> {
    access.require_admin()?;
    services
        .store
        .inbound_hook(access.tenant)
        .await?
        .ok_or(AppError::NotFound)
}

/// Removes the client's hook: its address answers 404 from now on, and the subscription the
/// product made in Instantly is removed. Owners and admins only.
pub async fn remove(services: &Services<'_>, access: &TenantAccess) -> AppResult<()> {
    access.require_admin()?;
    let store = services.store;
    let hook = store.inbound_hook(access.tenant).await?;
    let hook = hook.ok_or(AppError::NotFound)?;
    let actor = Some(access.current.user.id);
    let entry = audit::entry(actor, AuditAction::InboundHookRemoved, None, json!({}));
    store.delete_inbound_hook(access.tenant, &entry).await?;
    if let Some(id) = hook.instantly_webhook_id {
        registration::unregister(services, access.tenant, &id).await;
    }
    Ok(())
}

/// A page of the client's received events, newest first. The agency's roles only: the events
/// carry the leads' mail.
pub async fn events(
    services: &Services<'_>,
    access: &TenantAccess,
    after: Option<PageCursor>,
    limit: u32,
) -> AppResult<Vec<InboundEvent>> {
    if !access.role.can_work_leads() {
        return Err(AppError::Forbidden);
    }
    let before = after.map(|c| (c.at, c.id));
    Ok(services
        .store
        .inbound_events(access.tenant, before, limit)
        .await?)
}

/// What receiving one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub tenant: TenantId,
    /// False when the same event was stored before (a repeated delivery).
    pub new: bool,
}

/// Receives one event posted to `path_secret`'s address with `header` (the value of
/// [`HEADER`]): stores it, once, before answering, and brings the client's sync forward when
/// the event is one sync reads. A secret that names no hook, or a header that does not match
/// it, is `NotFound` and stores nothing.
pub async fn receive(
    store: &DynStore,
    path_secret: &str,
    header: Option<&str>,
    body: &[u8],
) -> AppResult<Received> {
    let (tenant, header_digest) = store
        .inbound_hook_by_digest(&digest(path_secret))
        .await?
        .ok_or(AppError::NotFound)?;
    let header = header.ok_or(AppError::NotFound)?;
    if !constant_time_eq(&digest(header.trim()), &header_digest) {
        return Err(AppError::NotFound);
    }
    let event = InboundEvent::parse(tenant, body, Utc::now())?;
    let new = store.record_inbound_event(&event).await?;
    if new && event.wants_sync() {
        bring_sync_forward(store, tenant).await;
    }
    Ok(Received { tenant, new })
}

/// Asks for the client's sync now, when it has a link; the event is stored already and the
/// next cycle reads it anyway, so a failure here is only logged.
async fn bring_sync_forward(store: &DynStore, tenant: TenantId) {
    let linked = match store.connection(tenant).await {
        Ok(link) => link.is_some(),
        Err(error) => {
            tracing::warn!(%tenant, error = %error, "inbound event: could not read the link");
            return;
        }
    };
    if linked && let Err(error) = SyncWorker::request(store, tenant).await {
        tracing::warn!(%tenant, error = %error, "inbound event: could not bring sync forward");
    }
}
