//! The layout's client switcher: the person's tenants, the current one marked, and "All
//! clients". Page structs carry a `switcher` field; `base.html` renders it when defined.

use crate::domain::{Role, TenantId};
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
