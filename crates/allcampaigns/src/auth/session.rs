//! Server-side sessions behind an opaque cookie. The cookie holds 256 random bits; the database
//! holds only their hash, so a database leak yields no usable session.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::Method;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use tokio::sync::OnceCell;

use super::cookies::{self, CookieJar};
use super::tokens::TokenGrant;
use super::{csrf, hash_token, random_token};
use crate::app::AppState;
use crate::domain::{Role, TenantId};
use crate::error::AppError;
use crate::http::ClientIp;
use crate::store::{DynStore, Session, StoreError, Tenant, User};
use crate::text::{Prefs, PrefsSlot};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::hours(24);
/// And after this long whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(14);
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Starts a session for `user`; returns the cookie value to set.
pub async fn start(
    state: &AppState,
    user: &User,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = random_token();
    let session = Session {
        id_hash: hash_token(&id),
        user_id: user.id,
        created_at: now,
        last_seen_at: now,
        expires_at: now + ABSOLUTE_TIMEOUT,
    };
    state.store.create_session(&session).await?;
    Ok(id)
}

/// Starts a session for `user` and answers with a redirect to `target` that sets its cookie.
pub async fn sign_in(
    state: &AppState,
    user: &User,
    now: DateTime<Utc>,
    target: &str,
) -> Result<axum::response::Response, StoreError> {
    use axum::response::IntoResponse;
    let id = start(state, user, now).await?;
    let jar = CookieJar::new(state.config.is_https());
    let mut response = axum::response::Redirect::to(target).into_response();
    let cookie = jar.set(cookies::SESSION, &id, ABSOLUTE_TIMEOUT.num_seconds());
    let headers = response.headers_mut();
    headers.append(axum::http::header::SET_COOKIE, cookie);
    // Security review finding 18: a CSRF token seen before sign-in is not the one after.
    headers.append(axum::http::header::SET_COOKIE, csrf::fresh_cookie(&jar));
    Ok(response)
}

pub fn is_live(session: &Session, now: DateTime<Utc>) -> bool {
    now < session.expires_at && now < session.last_seen_at + IDLE_TIMEOUT
}

/// The signed-in user of this request. Pages take the session cookie only; under `/api/` a
/// personal access token in `Authorization: Bearer` is taken too (security review finding 5:
/// a token on a page route is not a sign-in, so it cannot make tokens, create tenants or sign
/// sessions out). Without either, pages redirect to the sign-in form and the API answers 401.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// The session's hash; empty when the request came with an API token.
    pub session_hash: Vec<u8>,
    /// The token's limits when the request came with one.
    pub token: Option<TokenGrant>,
    /// The person's clients and roles, read once per request however many parts ask.
    memberships: Arc<OnceCell<Vec<(Tenant, Role)>>>,
}

impl CurrentUser {
    fn new(user: User, session_hash: Vec<u8>, token: Option<TokenGrant>) -> Self {
        Self {
            user,
            session_hash,
            token,
            memberships: Arc::default(),
        }
    }

    /// The person's clients with their role in each (every membership: a tenant-limited token
    /// is narrowed by [`CurrentUser::may_reach`]), read on first use in this request.
    pub async fn memberships(&self, store: &DynStore) -> Result<&[(Tenant, Role)], StoreError> {
        let read = self
            .memberships
            .get_or_try_init(|| store.tenants_of_user(self.user.id))
            .await?;
        Ok(read)
    }

    /// Whether this request may reach `tenant` at all (a tenant-limited token reaches only its
    /// own); membership is checked apart.
    pub fn may_reach(&self, tenant: TenantId) -> bool {
        self.token
            .and_then(|grant| grant.tenant_scope)
            .is_none_or(|scope| scope == tenant)
    }

    /// Refuses requests made with a tenant-limited token (for actions outside any tenant, like
    /// creating one).
    pub fn require_unlimited(&self) -> Result<(), AppError> {
        match self.token.and_then(|grant| grant.tenant_scope) {
            Some(_) => Err(AppError::Forbidden),
            None => Ok(()),
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if is_api(parts)
            && let Some(token) = bearer(parts)
        {
            return by_token(parts, state, token).await;
        }
        by_session(parts, state).await
    }
}

async fn by_session(parts: &Parts, state: &AppState) -> Result<CurrentUser, AppError> {
    let jar = CookieJar::new(state.config.is_https());
    let id = jar
        .get(&parts.headers, cookies::SESSION)
        .ok_or(AppError::Unauthorized)?;
    let hash = hash_token(&id);
    let session = state
        .store
        .session(&hash)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let now = Utc::now();
    if !is_live(&session, now) {
        state.store.delete_session(&hash).await?;
        return Err(AppError::Unauthorized);
    }
    if now - session.last_seen_at > TOUCH_EVERY {
        state.store.touch_session(&hash, now).await?;
    }
    let user = state
        .store
        .user(session.user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    remember_prefs(parts, &user);
    Ok(CurrentUser::new(user, hash, None))
}

/// A bearer is looked up with a read; only a live token's `last_used_at` is written, at most
/// once a minute (security review finding 15).
async fn by_token(parts: &Parts, state: &AppState, value: &str) -> Result<CurrentUser, AppError> {
    let now = Utc::now();
    let found = state.store.api_token_by_hash(&hash_token(value)).await?;
    let Some(token) = found.filter(|token| token.is_live(now)) else {
        return Err(refuse_bearer(parts, state));
    };
    let Some(user) = state.store.user(token.user_id).await? else {
        return Err(refuse_bearer(parts, state));
    };
    if token.read_only && !matches!(parts.method, Method::GET | Method::HEAD) {
        return Err(AppError::Forbidden);
    }
    if token
        .last_used_at
        .is_none_or(|used| now - used > TOUCH_EVERY)
    {
        state.store.mark_api_token_used(token.id, now).await?;
    }
    remember_prefs(parts, &user);
    Ok(CurrentUser::new(
        user,
        Vec::new(),
        Some(TokenGrant::from(&token)),
    ))
}

/// A failed bearer counts against its client address; past the limit the answer is 429.
fn refuse_bearer(parts: &Parts, state: &AppState) -> AppError {
    let trusted = &state.config.trusted_proxies;
    let address = ClientIp::of(&parts.extensions, &parts.headers, trusted)
        .map(ClientIp::limit_key)
        .unwrap_or_default();
    match state.failed_bearers.check(&address, Instant::now()) {
        Ok(()) => AppError::Unauthorized,
        Err(refusal) => refusal.into(),
    }
}

fn is_api(parts: &Parts) -> bool {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |OriginalUri(uri)| uri);
    uri.path().starts_with("/api/")
}

/// Lets an error page of this request use the person's language and theme.
fn remember_prefs(parts: &Parts, user: &User) {
    if let Some(slot) = parts.extensions.get::<PrefsSlot>() {
        slot.fill(Prefs::chosen(&user.locale, &user.theme));
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value.strip_prefix("Bearer ").map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    #[test]
    fn ml_10_sessions_end_on_idle_and_absolute_timeouts() {
        let start = Utc::now();
        let session = Session {
            id_hash: vec![],
            user_id: UserId::new(),
            created_at: start,
            last_seen_at: start,
            expires_at: start + ABSOLUTE_TIMEOUT,
        };
        assert!(is_live(
            &session,
            start + IDLE_TIMEOUT - Duration::seconds(1)
        ));
        assert!(!is_live(&session, start + IDLE_TIMEOUT));
        let busy = Session {
            last_seen_at: start + ABSOLUTE_TIMEOUT - Duration::minutes(1),
            ..session
        };
        assert!(!is_live(&busy, start + ABSOLUTE_TIMEOUT));
    }
}
