//! The layout's client switcher: the person's tenants, the current one marked, and "All
//! clients". Page structs carry a `switcher` field; `base.html` renders it when defined.

use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::domain::{Role, TenantId, UserId};
use crate::error::AppResult;
use crate::store::Tenant;

pub struct Switcher {
    pub clients: Vec<SwitcherClient>,
    /// The "all tenants" scope is, for now, the home page, which lists every client of the
    /// person; it is current there.
    pub all_clients_current: bool,
}

pub struct SwitcherClient {
    pub id: TenantId,
    pub name: String,
    pub current: bool,
}

impl Switcher {
    /// One query: the person's memberships. `current` is the tenant of the page, if any.
    pub async fn load(
        state: &AppState,
        user: UserId,
        current: Option<TenantId>,
    ) -> AppResult<Self> {
        let tenants = state.store.tenants_of_user(user).await?;
        Ok(Self::of(&tenants, current))
    }

    /// For a page of the tenant the person is working in.
    pub async fn of_access(state: &AppState, access: &TenantAccess) -> AppResult<Self> {
        Self::load(state, access.current.user.id, Some(access.tenant)).await
    }

    /// For the home page, which has the tenants already: "All clients" is current.
    pub fn all_clients(tenants: &[(Tenant, Role)]) -> Self {
        Self {
            all_clients_current: true,
            ..Self::of(tenants, None)
        }
    }

    pub fn of(tenants: &[(Tenant, Role)], current: Option<TenantId>) -> Self {
        let clients = tenants
            .iter()
            .map(|(tenant, _)| SwitcherClient {
                id: tenant.id,
                name: tenant.name.clone(),
                current: Some(tenant.id) == current,
            })
            .collect();
        Self {
            clients,
            all_clients_current: false,
        }
    }
}
