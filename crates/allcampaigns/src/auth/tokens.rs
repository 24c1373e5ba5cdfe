//! Personal access tokens for the JSON API (security review finding 5): shown once, stored as a
//! hash, expiring (90 days unless chosen otherwise), optionally read-only or limited to one
//! tenant. The profile page and `allcampaigns admin token` both make them here.

use chrono::{DateTime, Duration, Utc};

use super::{hash_token, random_token};
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::store::{ApiToken, DynStore};
use crate::text::Problem;

/// Personal access tokens start with this, so leaked ones are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "acpat_";
pub const DEFAULT_DAYS: u32 = 90;
pub const MAX_DAYS: u32 = 365;

/// What a person asks for when making a token.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub days: u32,
    pub read_only: bool,
    pub tenant_scope: Option<TenantId>,
}

/// What a request made with a token may do, beyond what its person may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenGrant {
    pub id: uuid::Uuid,
    pub read_only: bool,
    pub tenant_scope: Option<TenantId>,
}

impl From<&ApiToken> for TokenGrant {
    fn from(token: &ApiToken) -> Self {
        Self {
            id: token.id,
            read_only: token.read_only,
            tenant_scope: token.tenant_scope,
        }
    }
}

/// Makes a token for `user` and returns it with its value, which is never stored.
/// A tenant limit must name a tenant the person belongs to.
pub async fn issue(
    store: &DynStore,
    user: UserId,
    request: &NewToken,
    now: DateTime<Utc>,
) -> AppResult<(ApiToken, String)> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid("name", Problem::TokenName));
    }
    if !crate::domain::is_plain_name(name) {
        let field = crate::text::NameField::TokenName;
        return Err(invalid("name", Problem::HiddenCharacters { field }));
    }
    if !(1..=MAX_DAYS).contains(&request.days) {
        return Err(invalid("days", Problem::TokenDays));
    }
    if let Some(tenant) = request.tenant_scope
        && store.member_role(tenant, user).await?.is_none()
    {
        return Err(invalid("tenant", Problem::TokenTenant));
    }
    let value = format!("{TOKEN_PREFIX}{}", random_token());
    let token = ApiToken {
        id: uuid::Uuid::now_v7(),
        user_id: user,
        name: name.into(),
        last4: value[value.len() - 4..].to_string(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
        expires_at: now + Duration::days(i64::from(request.days)),
        read_only: request.read_only,
        tenant_scope: request.tenant_scope,
    };
    store.create_api_token(&token, &hash_token(&value)).await?;
    Ok((token, value))
}

fn invalid(field: &'static str, problem: Problem) -> AppError {
    AppError::Invalid { field, problem }
}
