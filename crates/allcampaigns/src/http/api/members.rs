use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ApiJson;
use super::types::{
    ErrorEnvelope, InvitationBody, InvitationList, InviteRequest, MemberBody, MemberList,
    RoleRequest,
};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::domain::UserId;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::tenants::{invitations, members};

fn member_id(user: &str) -> AppResult<UserId> {
    user.parse().map_err(|_| AppError::NotFound)
}

/// Members of a tenant (any member may read the list; clients see agency staff's names and
/// roles but not their addresses).
#[utoipa::path(get, path = "/tenants/{tenant_id}/members", tag = "members",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = MemberList), (status = 404, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<MemberList>> {
    let members = state.store.members(access.tenant).await?;
    Ok(Json(MemberList {
        members: members
            .into_iter()
            .map(|member| MemberBody::seen_by(access.role, member))
            .collect(),
    }))
}

/// Invites someone by email with a role; they receive a link (owners and admins).
#[utoipa::path(post, path = "/tenants/{tenant_id}/members", tag = "members", request_body = InviteRequest,
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 201, body = InvitationBody), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn invite(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(request): ApiJson<InviteRequest>,
) -> AppResult<(StatusCode, Json<InvitationBody>)> {
    let invitation = invitations::invite(
        &Services::of(&state),
        &access,
        &request.email,
        &request.role,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(invitation.into())))
}

/// Open invitations of a tenant (owners and admins).
#[utoipa::path(get, path = "/tenants/{tenant_id}/invitations", tag = "members",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = InvitationList), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn invitations(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<InvitationList>> {
    access.require_admin()?;
    let invitations = state.store.invitations(access.tenant).await?;
    Ok(Json(InvitationList {
        invitations: invitations.into_iter().map(Into::into).collect(),
    }))
}

/// Changes a member's role (owners and admins; only owners touch owners).
#[utoipa::path(patch, path = "/tenants/{tenant_id}/members/{user_id}", tag = "members", request_body = RoleRequest,
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), ("user_id" = uuid::Uuid, Path, description = "Member's user id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn change_role(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, user)): Path<(String, String)>,
    ApiJson(request): ApiJson<RoleRequest>,
) -> AppResult<StatusCode> {
    members::change_role(
        &Services::of(&state),
        &access,
        member_id(&user)?,
        &request.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (owners and admins; only owners remove owners; never the last owner).
#[utoipa::path(delete, path = "/tenants/{tenant_id}/members/{user_id}", tag = "members",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), ("user_id" = uuid::Uuid, Path, description = "Member's user id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn remove(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, user)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    members::remove(&Services::of(&state), &access, member_id(&user)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws an open invitation (owners and admins; owner invitations only by owners).
#[utoipa::path(delete, path = "/tenants/{tenant_id}/invitations/{invitation_id}", tag = "members",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), ("invitation_id" = uuid::Uuid, Path, description = "Invitation id")),
    responses((status = 204), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn withdraw(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, invitation)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let invitation = invitation.parse().map_err(|_| AppError::NotFound)?;
    invitations::withdraw(&Services::of(&state), &access, invitation).await?;
    Ok(StatusCode::NO_CONTENT)
}
