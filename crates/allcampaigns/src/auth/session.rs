//! Server-side sessions behind an opaque cookie. The cookie holds 256 random bits; the database
//! holds only their hash, so a database leak yields no usable session.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};

use super::cookies::{self, CookieJar};
use super::{hash_token, random_token};
use crate::app::AppState;
use crate::error::AppError;
use crate::http::pages::ui::{Prefs, PrefsSlot};
use crate::store::{Session, StoreError, User};

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
    response
        .headers_mut()
        .append(axum::http::header::SET_COOKIE, cookie);
    Ok(response)
}

pub fn is_live(session: &Session, now: DateTime<Utc>) -> bool {
    now < session.expires_at && now < session.last_seen_at + IDLE_TIMEOUT
}

/// The signed-in user of this request, by session cookie or (for the API) by a personal access
/// token in `Authorization: Bearer`. Without either, pages redirect to the sign-in form and the
/// API answers 401.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// The session's hash; empty when the request came with an API token.
    pub session_hash: Vec<u8>,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts) {
            let used = state
                .store
                .use_api_token(&hash_token(token), Utc::now())
                .await?;
            let token = used.ok_or(AppError::Unauthorized)?;
            let user = state
                .store
                .user(token.user_id)
                .await?
                .ok_or(AppError::Unauthorized)?;
            remember_prefs(parts, &user);
            return Ok(Self {
                user,
                session_hash: Vec::new(),
            });
        }
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
        Ok(Self {
            user,
            session_hash: hash,
        })
    }
}

/// Lets an error page of this request use the person's language and theme.
fn remember_prefs(parts: &Parts, user: &User) {
    if let Some(slot) = parts.extensions.get::<PrefsSlot>() {
        slot.fill(Prefs::of(user));
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
