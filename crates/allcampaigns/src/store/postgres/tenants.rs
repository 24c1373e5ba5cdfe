//! The tenants a person belongs to, in two steps under row-level security.

use sqlx::PgConnection;

use crate::domain::{Role, TenantId, UserId};
use crate::store::{Result, Tenant};

/// In a transaction scoped to `user`: their memberships first (all the user scope shows), then
/// those tenants, with the allowed tenants widened to exactly them.
pub(crate) async fn tenants_of_user(
    tx: &mut PgConnection,
    user: UserId,
) -> Result<Vec<(Tenant, Role)>> {
    let memberships: Vec<(TenantId, String)> =
        sqlx::query_as("SELECT tenant_id, role FROM memberships WHERE user_id = $1")
            .bind(user)
            .fetch_all(&mut *tx)
            .await?;
    let ids: Vec<TenantId> = memberships.iter().map(|(id, _)| *id).collect();
    let allowed = ids
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query("SELECT set_config('app.tenant_ids', $1, true)")
        .bind(allowed)
        .execute(&mut *tx)
        .await?;
    let tenants: Vec<Tenant> = sqlx::query_as(
        "SELECT tenant_id, name, client_name, website, accent_colour, logo_url, created_at, \
         updated_at FROM tenants WHERE tenant_id = ANY($1) ORDER BY lower(name)",
    )
    .bind(ids.iter().map(TenantId::as_uuid).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    Ok(tenants
        .into_iter()
        .filter_map(|tenant| {
            let role = memberships
                .iter()
                .find(|(id, _)| *id == tenant.id)?
                .1
                .parse()
                .ok()?;
            Some((tenant, role))
        })
        .collect())
}
