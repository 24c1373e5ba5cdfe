//! Magic-link sign-in (RELIABILITY A3): the same answer whether or not an address has an
//! account, links mailed in the background, a confirm page whose POST alone signs in.

use std::net::IpAddr;
use std::time::Instant;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::ui::Ui;
use super::{profile, render};
use crate::app::AppState;
use crate::audit::{self, AuditAction};
use crate::auth::cookies::{self, CookieJar};
use crate::auth::csrf::{self, CsrfToken};
use crate::auth::{CurrentUser, Refusal, hash_token, links, safe_next, session};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::mail::Mail;
use crate::text::{Lang, Problem};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ui: Ui,
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "login_sent.html")]
struct LinkSentPage {
    ui: Ui,
}

#[derive(Template)]
#[template(path = "login_confirm.html")]
struct ConfirmPage {
    ui: Ui,
    /// The address the link signs into (RELIABILITY ML-11); none for a dead link, which the
    /// page says instead of offering the button.
    email: Option<String>,
    csrf: String,
    token: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn form(
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(query.next.as_deref()).unwrap_or_default();
    Ok(render(&LoginPage {
        ui: Ui::anonymous(),
        csrf,
        next,
        email: String::new(),
        error: None,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    #[serde(default)]
    next: String,
}

pub async fn request_link(
    State(state): State<AppState>,
    client: crate::http::ClientIp,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let Ok(email) = Email::parse(&form.email) else {
        let ui = Ui::anonymous();
        let page = LoginPage {
            error: Some(ui.t.say(&Problem::EmailNeeded)),
            ui,
            csrf,
            next: safe_next(Some(&form.next)).unwrap_or_default(),
            email: form.email.chars().take(254).collect(),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let now = Instant::now();
    let limits = &state.sign_in_limits;
    if let Err(refusal) = limits.per_ip.check(&client.limit_key(), now) {
        return Err(refuse(&state, SignInLimit::Ip, &email, client.0, refusal));
    }
    if let Err(refusal) = limits.per_email.check(email.as_str(), now) {
        return Err(refuse(
            &state,
            SignInLimit::Email,
            &email,
            client.0,
            refusal,
        ));
    }
    // Whether the address has an account is decided off the request path, so the answer and
    // its timing are the same either way.
    tokio::spawn(send_link_if_known(
        state,
        email,
        safe_next(Some(&form.next)),
    ));
    Ok(render(&LinkSentPage {
        ui: Ui::anonymous(),
    })?
    .into_response())
}

#[derive(Clone, Copy)]
enum SignInLimit {
    Email,
    Ip,
}

impl SignInLimit {
    fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Ip => "ip",
        }
    }
}

/// Answers a request over a sign-in limit. The first refusal of a burst is audited in the
/// background, so the answer and its timing are those of every other refusal.
fn refuse(
    state: &AppState,
    limit: SignInLimit,
    email: &Email,
    ip: IpAddr,
    refusal: Refusal,
) -> AppError {
    if refusal.first_of_burst {
        // Off the request path, but its entry still names the refused request.
        let entry = record_refused_burst(state.clone(), limit, email.clone(), ip);
        tokio::spawn(audit::in_request(audit::current_request_id(), entry));
    }
    AppError::TooManyRequests {
        retry_after: refusal.retry_after,
    }
}

/// A burst at the email limit is about that account when it has one; a burst at the IP limit
/// is about the address, whatever emails it tried. Unknown emails are never stored.
async fn record_refused_burst(state: AppState, limit: SignInLimit, email: Email, ip: IpAddr) {
    const ACTION: AuditAction = AuditAction::SignInBurstRefused;
    let details = json!({"limit": limit.name(), "ip": ip.to_string()});
    let user = match limit {
        SignInLimit::Email => state.store.user_by_email(&email).await,
        SignInLimit::Ip => Ok(None),
    };
    match user {
        Ok(Some(user)) => audit::record_user(&state.store, user.id, ACTION, details).await,
        Ok(None) => audit::record_without_user(&state.store, ACTION, details).await,
        Err(error) => tracing::error!(error = %error, "could not audit a refused sign-in burst"),
    }
}

async fn send_link_if_known(state: AppState, email: Email, next: Option<String>) {
    let result = async {
        let Some(user) = state.store.user_by_email(&email).await? else {
            return Ok(());
        };
        let link = links::issue_link(
            &state.store,
            &state.config.public_url,
            &email,
            next.as_deref(),
        )
        .await?;
        let texts = Lang::from_code(&user.locale).texts();
        state
            .mailer
            .send(Mail::sign_in(&email, texts, link.as_str())?)
            .await
    };
    if let Err(error) = result.await {
        tracing::error!(
            error = format!("{error:#}"),
            "could not send a sign-in link"
        );
    }
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    #[serde(default)]
    token: String,
    next: Option<String>,
}

/// Mail scanners open links before people do, so opening one only shows this page.
/// It names the account the link opens, so a person sent someone else's link sees whose it is.
pub async fn confirm_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ConfirmQuery>,
) -> AppResult<Response> {
    let next = safe_next(query.next.as_deref()).unwrap_or_default();
    let email = links::peek(&state.store, &query.token, Utc::now()).await?;
    let mut response = render(&ConfirmPage {
        email: email.map(|e| e.to_string()),
        ui: Ui::anonymous(),
        csrf,
        token: query.token,
        next,
    })?
    .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    token: String,
    #[serde(default)]
    next: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let now = Utc::now();
    let email = links::redeem(&state.store, &form.token, now)
        .await?
        .ok_or(AppError::LinkUsed)?;
    let user = state
        .store
        .user_by_email(&email)
        .await?
        .ok_or(AppError::LinkUsed)?;
    let jar = CookieJar::new(state.config.is_https());
    if let Some(previous) = jar.get(&headers, cookies::SESSION) {
        state.store.delete_session(&hash_token(&previous)).await?;
    }
    let target = safe_next(Some(&form.next)).unwrap_or_else(|| "/".into());
    let response = session::sign_in(&state, &user, now, &target).await?;
    audit::record_user(
        &state.store,
        user.id,
        AuditAction::SignInSucceeded,
        json!({}),
    )
    .await;
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, current: CurrentUser) -> AppResult<Response> {
    state.store.delete_session(&current.session_hash).await?;
    audit::record_user(
        &state.store,
        current.user.id,
        AuditAction::SignOut,
        json!({}),
    )
    .await;
    Ok(signed_out(&state))
}

#[derive(Deserialize)]
pub struct EverywhereForm {
    /// Also revoke every personal access token (security review finding 5).
    #[serde(default)]
    revoke_tokens: Option<String>,
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    current: CurrentUser,
    Form(form): Form<EverywhereForm>,
) -> AppResult<Response> {
    let ended = state.store.delete_user_sessions(current.user.id).await?;
    audit::record_user(
        &state.store,
        current.user.id,
        AuditAction::SignOutEverywhere,
        json!({}),
    )
    .await;
    tracing::info!(sessions = ended, "signed out everywhere");
    if form.revoke_tokens.is_some() {
        profile::revoke_all_tokens(&state, current.user.id).await?;
    }
    Ok(signed_out(&state))
}

fn signed_out(state: &AppState) -> Response {
    let jar = CookieJar::new(state.config.is_https());
    let mut response = Redirect::to("/login").into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, jar.clear(cookies::SESSION));
    // Security review finding 18: the next person at this browser gets a new CSRF token.
    headers.append(header::SET_COOKIE, csrf::fresh_cookie(&jar));
    response
}
