//! Install admins over JSON (security review finding 2): the same rules as `/admins`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::types::ErrorEnvelope;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::domain::UserId;
use crate::error::{AppError, AppResult};
use crate::install_admins;
use crate::services::Services;
use crate::store::InstallAdmin;

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminBody {
    pub user_id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub granted_at: DateTime<Utc>,
}

impl From<InstallAdmin> for AdminBody {
    fn from(admin: InstallAdmin) -> Self {
        Self {
            user_id: admin.user_id.as_uuid(),
            email: admin.email.to_string(),
            display_name: admin.display_name,
            granted_at: admin.granted_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminList {
    pub admins: Vec<AdminBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRequest {
    /// The address of an existing account.
    pub email: String,
}

/// The install admins: who may create tenants (install admins only).
#[utoipa::path(get, path = "/admins", tag = "admins",
    responses((status = 200, body = AdminList), (status = 403, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<AdminList>> {
    install_admins::require(&Services::of(&state), current.user.id).await?;
    let admins = state.store.install_admins().await?;
    Ok(Json(AdminList {
        admins: admins.into_iter().map(Into::into).collect(),
    }))
}

/// Lets an existing account create tenants and manage install admins (install admins only).
#[utoipa::path(post, path = "/admins", tag = "admins", request_body = GrantRequest,
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn grant(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(request): ApiJson<GrantRequest>,
) -> AppResult<StatusCode> {
    install_admins::grant(&Services::of(&state), &current.user, &request.email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the right away (install admins only; never from the last one).
#[utoipa::path(delete, path = "/admins/{user_id}", tag = "admins",
    params(("user_id" = uuid::Uuid, Path, description = "The install admin's user id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)))]
pub async fn revoke(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(user): Path<String>,
) -> AppResult<StatusCode> {
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    install_admins::revoke(&Services::of(&state), &current.user, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
