//! Which lead a route names. `{lead_id}` is an Instantly lead id (a live lead of the tenant,
//! resolved to its address) or the lead's address itself (it holds an `@`, which Instantly's
//! ids never do), so a lead made here from a reply, or known only from its threads, is
//! reachable too. Either way the lead's key is its address, lower-cased. A lead the tenant
//! does not know answers 404, exactly as another client's lead does.

use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::inbox::{is_plausible_id, senders};
use crate::services::Services;

/// The lead's key: its address, lower-cased.
pub async fn resolve(
    services: &Services<'_>,
    tenant: TenantId,
    lead_id: &str,
) -> AppResult<String> {
    if lead_id.contains('@') {
        let key = senders::normalize(lead_id).ok_or(AppError::NotFound)?;
        let as_given = lead_id.trim();
        let known = services.store.is_known_lead(tenant, &key, as_given).await?;
        return if known {
            Ok(key)
        } else {
            Err(AppError::NotFound)
        };
    }
    if !is_plausible_id(lead_id) {
        return Err(AppError::NotFound);
    }
    let address = services.store.lead_address(tenant, lead_id).await?;
    address
        .as_deref()
        .and_then(senders::normalize)
        .ok_or(AppError::NotFound)
}
