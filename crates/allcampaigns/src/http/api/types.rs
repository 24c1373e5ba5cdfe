//! The JSON shapes of the API, each with its schema for the OpenAPI document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Role;
use crate::jobs::{Job, JobState};
use crate::store::{AuditEntry, Invitation, Member, Tenant, User};

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub theme: String,
    pub locale: String,
}

impl From<&User> for Me {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.as_uuid(),
            email: user.email.to_string(),
            display_name: user.display_name.clone(),
            theme: user.theme.clone(),
            locale: user.locale.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TenantBody {
    pub id: uuid::Uuid,
    pub name: String,
    pub client_name: Option<String>,
    pub website: Option<String>,
    pub accent_colour: Option<String>,
    pub logo_url: Option<String>,
    /// The caller's role in this tenant.
    #[schema(value_type = String, example = "owner")]
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TenantBody {
    pub fn new(tenant: Tenant, role: Role) -> Self {
        Self {
            id: tenant.id.as_uuid(),
            name: tenant.name,
            client_name: tenant.client_name,
            website: tenant.website,
            accent_colour: tenant.accent_colour,
            logo_url: tenant.logo_url,
            role,
            created_at: tenant.created_at,
            updated_at: tenant.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TenantList {
    pub tenants: Vec<TenantBody>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    pub user_id: uuid::Uuid,
    /// Null when the caller is a client and the member is agency staff.
    pub email: Option<String>,
    pub display_name: String,
    #[schema(value_type = String, example = "operator")]
    pub role: Role,
}

impl MemberBody {
    /// The member as a caller of role `viewer` may see them (security review finding 21).
    pub fn seen_by(viewer: Role, member: Member) -> Self {
        let shown = crate::tenants::members::shows_address(viewer, &member);
        Self {
            email: shown.then(|| member.email.to_string()),
            ..Self::from(member)
        }
    }
}

impl From<Member> for MemberBody {
    fn from(member: Member) -> Self {
        Self {
            user_id: member.user_id.as_uuid(),
            email: Some(member.email.to_string()),
            display_name: member.display_name,
            role: member.role,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberList {
    pub members: Vec<MemberBody>,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationBody {
    pub id: uuid::Uuid,
    pub email: String,
    #[schema(value_type = String, example = "client")]
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<Invitation> for InvitationBody {
    fn from(invitation: Invitation) -> Self {
        Self {
            id: invitation.id,
            email: invitation.email.to_string(),
            role: invitation.role,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    pub invitations: Vec<InvitationBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct InviteRequest {
    pub email: String,
    /// owner, admin, operator or client
    pub role: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RoleRequest {
    /// owner, admin, operator or client
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditBody {
    pub id: uuid::Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<uuid::Uuid>,
    pub action: String,
    pub target: Option<String>,
    pub details: serde_json::Value,
    /// The `x-request-id` of the request that wrote the entry; none for the command line and
    /// background work.
    pub request_id: Option<String>,
}

impl From<AuditEntry> for AuditBody {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            actor_id: entry.actor_id.map(|a| a.as_uuid()),
            action: entry.action,
            target: entry.target,
            details: entry.details.0,
            request_id: entry.request_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub entries: Vec<AuditBody>,
}

/// Every error: `{"error": {"code", "message"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct InstantlyLinkBody {
    /// pending, connected or needs_attention
    pub status: String,
    pub status_detail: Option<String>,
    pub workspace_id: Option<String>,
    pub workspace_name: Option<String>,
    /// The last four characters of the key; the key itself is never returned.
    pub key_last4: String,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<crate::store::Connection> for InstantlyLinkBody {
    fn from(connection: crate::store::Connection) -> Self {
        Self {
            status: connection.status.as_str().to_string(),
            status_detail: connection
                .status_detail
                .map(|detail| crate::text::Lang::En.texts().stored_fault(&detail)),
            workspace_id: connection.workspace_id,
            workspace_name: connection.workspace_name,
            key_last4: connection.key_last4,
            last_checked_at: connection.last_checked_at,
            created_at: connection.created_at,
            updated_at: connection.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct InstantlyLinkRequest {
    /// The Instantly API key of the workspace.
    pub api_key: String,
    /// Link even when another tenant already has this Instantly workspace.
    #[serde(default)]
    pub allow_shared_workspace: bool,
}

/// Where a job is in its life.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStateName {
    Queued,
    Running,
    Done,
    /// Failed its last attempt; waits for an owner or admin to retry or cancel it.
    Dead,
    Cancelled,
}

impl From<JobState> for JobStateName {
    fn from(state: JobState) -> Self {
        match state {
            JobState::Queued => Self::Queued,
            JobState::Running => Self::Running,
            JobState::Done => Self::Done,
            JobState::Dead => Self::Dead,
            JobState::Cancelled => Self::Cancelled,
        }
    }
}

/// A background job of the tenant (its payload stays internal).
#[derive(Serialize, ToSchema)]
pub struct JobBody {
    pub id: uuid::Uuid,
    /// What the job does, such as `sync`.
    #[schema(example = "sync")]
    pub kind: String,
    pub state: JobStateName,
    /// Attempts made since it was queued (or last retried).
    pub attempts: i64,
    pub max_attempts: i64,
    /// The last failure in plain words; never a secret.
    pub last_error: Option<String>,
    /// When it is due (for a queued job, its next attempt).
    pub run_at: DateTime<Utc>,
    /// When it failed its last attempt; only for a dead job.
    pub died_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Job> for JobBody {
    fn from(job: Job) -> Self {
        let dead = job.state == JobState::Dead;
        Self {
            id: job.id,
            kind: job.kind.as_str().to_string(),
            state: job.state.into(),
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            last_error: job
                .last_error
                .map(|error| crate::text::Lang::En.texts().stored_fault(&error)),
            run_at: job.run_at,
            died_at: dead.then_some(job.updated_at),
            created_at: job.created_at,
            updated_at: job.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct JobList {
    /// The latest change first, at most 200.
    pub jobs: Vec<JobBody>,
}
