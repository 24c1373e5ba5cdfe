use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use crate::domain::{Email, Role, TenantId, UserId};

/// Kept here so code that names the store's types finds it; it lives in `domain`.
pub use crate::domain::TenantProfile;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    #[sqlx(try_from = "String")]
    pub email: Email,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub theme: String,
    pub locale: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub theme: String,
    pub locale: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignInToken {
    pub token_hash: Vec<u8>,
    pub email: String,
    pub purpose: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub id_hash: Vec<u8>,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct UserAuditEntry {
    pub user_id: Option<UserId>,
    pub action: String,
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}

/// A `user_audit_log` row as both backends read it.
pub(crate) type UserAuditRow = (
    Option<UserId>,
    String,
    sqlx::types::Json<serde_json::Value>,
    Option<String>,
);

pub(crate) fn user_audit_entry(row: UserAuditRow) -> UserAuditEntry {
    let (user_id, action, details, request_id) = row;
    UserAuditEntry {
        user_id,
        action,
        details: details.0,
        request_id,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Tenant {
    #[sqlx(rename = "tenant_id")]
    pub id: TenantId,
    pub name: String,
    pub client_name: Option<String>,
    pub website: Option<String>,
    pub accent_colour: Option<String>,
    pub logo_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A tenant with the role of the person who asked.
#[derive(Debug, sqlx::FromRow)]
pub struct TenantWithRole {
    #[sqlx(flatten)]
    pub tenant: Tenant,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Member {
    pub user_id: UserId,
    #[sqlx(try_from = "String")]
    pub email: Email,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

/// A member of one of several tenants.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TenantMember {
    pub tenant_id: TenantId,
    #[sqlx(flatten)]
    pub member: Member,
}

/// Someone who may create tenants and grant that to others (security review finding 2).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InstallAdmin {
    pub user_id: UserId,
    #[sqlx(try_from = "String")]
    pub email: Email,
    pub display_name: String,
    pub granted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub id: uuid::Uuid,
    #[sqlx(try_from = "String")]
    pub email: Email,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub token_hash: Vec<u8>,
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub actor: Option<UserId>,
    pub action: String,
    pub target: Option<String>,
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: uuid::Uuid,
    pub tenant_id: TenantId,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub target: Option<String>,
    pub details: Json<serde_json::Value>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<UserId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// One line of the operational request log (kept for the configured retention, 30 days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLogEntry {
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub method: String,
    pub route: String,
    pub status: u16,
    pub duration_ms: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Pending,
    Connected,
    NeedsAttention,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Connected => "connected",
            Self::NeedsAttention => "needs_attention",
        }
    }
}

impl TryFrom<String> for ConnectionStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.as_str() {
            "pending" => Ok(Self::Pending),
            "connected" => Ok(Self::Connected),
            "needs_attention" => Ok(Self::NeedsAttention),
            other => Err(format!("unknown connection status `{other}`")),
        }
    }
}

/// A connection to be saved: the key arrives already sealed.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub api_key_envelope: Vec<u8>,
    pub key_id: u32,
    pub key_last4: String,
    pub base_url: String,
    pub workspace_id: Option<String>,
    pub workspace_name: Option<String>,
    pub status: ConnectionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Connection {
    pub tenant_id: TenantId,
    #[sqlx(rename = "api_key")]
    pub api_key_envelope: Vec<u8>,
    pub key_last4: String,
    pub base_url: String,
    pub workspace_id: Option<String>,
    pub workspace_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: ConnectionStatus,
    pub status_detail: Option<String>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ConnectionCheck {
    pub status: ConnectionStatus,
    pub detail: Option<String>,
    pub checked_at: DateTime<Utc>,
}

/// The proof that a master key is the one this database was written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCheck {
    pub key_id: u32,
    pub check_envelope: Vec<u8>,
}

/// A sealed secret wherever it lives, for re-encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub tenant: TenantId,
    pub purpose: crate::crypto::Purpose,
    /// The row, as bound into the associated data.
    pub row: String,
    pub envelope: Vec<u8>,
}

/// A personal access token as listed (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: uuid::Uuid,
    #[serde(skip)]
    pub user_id: UserId,
    pub name: String,
    /// The last four characters, to tell tokens apart.
    pub last4: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// After this the token answers 401 (security review finding 5).
    pub expires_at: DateTime<Utc>,
    /// Only GET and HEAD requests.
    pub read_only: bool,
    /// Only this tenant; others answer 404 as for a non-member.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub tenant_scope: Option<TenantId>,
}

impl ApiToken {
    /// Unrevoked and not yet expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// What the hourly clean-up removed (security review finding 22).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub sessions: u64,
    pub sign_in_tokens: u64,
    pub invitations: u64,
    pub api_tokens: u64,
}
