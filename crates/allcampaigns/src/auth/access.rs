//! Access to one tenant: the signed-in person must be a member. Another tenant's URL answers
//! 404, exactly as a tenant that does not exist; a member whose role is too weak gets 403.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;

use super::CurrentUser;
use crate::app::AppState;
use crate::domain::{Role, TenantId};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct TenantAccess {
    pub current: CurrentUser,
    pub tenant: TenantId,
    pub role: Role,
}

#[derive(Deserialize)]
struct TenantPath {
    tenant_id: String,
}

impl TenantAccess {
    /// Owners and admins: members, connections, keys and settings.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.role.can_administer() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for TenantAccess {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        let Path(path) = Path::<TenantPath>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let tenant: TenantId = path.tenant_id.parse().map_err(|_| AppError::NotFound)?;
        if !current.may_reach(tenant) {
            return Err(AppError::NotFound);
        }
        let role = state
            .store
            .member_role(tenant, current.user.id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Self {
            current,
            tenant,
            role,
        })
    }
}
