//! The invitation link (security review finding 4). Opening it only shows a page naming the
//! client, the role and the invited address, and warning when this browser is signed in as
//! someone else; its POST accepts. Accepting never switches accounts silently: a browser
//! signed in as another person must confirm, and that session ends. A new account is signed in
//! straight away; an existing account joins and then signs in with a normal short-lived link.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::cookies::{self, CookieJar};
use crate::auth::csrf::CsrfToken;
use crate::auth::{hash_token, session};
use crate::domain::{Role, TenantId};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::User;
use crate::tenants::invitations;
use crate::text::Prefs;

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    ui: Ui,
    csrf: String,
    tenant: String,
    token: String,
    /// `None` for a used, withdrawn or expired invitation.
    open: Option<OpenInvitation>,
    joined: Option<Joined>,
}

struct OpenInvitation {
    tenant_name: String,
    email: String,
    role: Role,
    /// The account this browser is signed in as, when it is not the invited one.
    signed_in_as: Option<String>,
}

struct Joined {
    email: String,
    tenant_name: String,
    tenant_id: TenantId,
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    token: String,
    /// Set by the button that signs the browser's other account out.
    #[serde(default)]
    switch: String,
}

/// The browser's signed-in account and its session hash, if any (cookie sessions only).
async fn signed_in(state: &AppState, headers: &HeaderMap) -> AppResult<Option<(User, Vec<u8>)>> {
    let jar = CookieJar::new(state.config.is_https());
    let Some(id) = jar.get(headers, cookies::SESSION) else {
        return Ok(None);
    };
    let hash = hash_token(&id);
    let Some(live) = state
        .store
        .session(&hash)
        .await?
        .filter(|s| session::is_live(s, Utc::now()))
    else {
        return Ok(None);
    };
    Ok(state
        .store
        .user(live.user_id)
        .await?
        .map(|user| (user, hash)))
}

/// The page for an open invitation, or for a dead one.
async fn open_page(
    state: &AppState,
    headers: &HeaderMap,
    csrf: String,
    form: &AcceptForm,
) -> AppResult<InvitationPage> {
    let current = signed_in(state, headers).await?;
    let ui = match &current {
        Some((user, _)) => Ui::with(Prefs::chosen(&user.locale, &user.theme), None),
        None => Ui::anonymous(),
    };
    let open = match form.tenant.parse::<TenantId>() {
        Ok(tenant) => match invitations::peek(&Services::of(state), tenant, &form.token).await {
            Ok(invitation) => {
                let tenant = state
                    .store
                    .tenant(tenant)
                    .await?
                    .ok_or(AppError::LinkUsed)?;
                let signed_in_as = current
                    .filter(|(user, _)| user.email != invitation.email)
                    .map(|(user, _)| user.email.to_string());
                Some(OpenInvitation {
                    tenant_name: tenant.name,
                    email: invitation.email.to_string(),
                    role: invitation.role,
                    signed_in_as,
                })
            }
            Err(AppError::LinkUsed) => None,
            Err(other) => return Err(other),
        },
        Err(_) => None,
    };
    Ok(InvitationPage {
        ui,
        csrf,
        tenant: form.tenant.clone(),
        token: form.token.clone(),
        open,
        joined: None,
    })
}

fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Like a sign-in link, opening an invitation only shows a page; its POST accepts.
pub async fn accept_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<AcceptForm>,
) -> AppResult<Response> {
    let page = open_page(&state, &headers, csrf, &query).await?;
    Ok(private(render(&page)?.into_response()))
}

pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<AcceptForm>,
) -> AppResult<Response> {
    let tenant: TenantId = form.tenant.parse().map_err(|_| AppError::LinkUsed)?;
    let page = open_page(&state, &headers, csrf, &form).await?;
    let Some(open) = &page.open else {
        return Err(AppError::LinkUsed);
    };
    if open.signed_in_as.is_some() && form.switch != "1" {
        // Never switch accounts without the person pressing the button that says so.
        return Ok(private(
            (StatusCode::CONFLICT, render(&page)?).into_response(),
        ));
    }
    let accepted = invitations::accept(&Services::of(&state), tenant, &form.token).await?;
    let current = signed_in(&state, &headers).await?;
    let target = format!("/t/{tenant}");
    if let Some((user, hash)) = &current {
        if user.id == accepted.user.id {
            return Ok(Redirect::to(&target).into_response());
        }
        state.store.delete_session(hash).await?;
    }
    if accepted.new_account {
        return Ok(session::sign_in(&state, &accepted.user, Utc::now(), &target).await?);
    }
    let joined = InvitationPage {
        ui: Ui::anonymous(),
        joined: Some(Joined {
            email: accepted.user.email.to_string(),
            tenant_name: open.tenant_name.clone(),
            tenant_id: tenant,
        }),
        open: None,
        ..page
    };
    let mut response = private(render(&joined)?.into_response());
    if current.is_some() {
        let jar = CookieJar::new(state.config.is_https());
        response
            .headers_mut()
            .append(header::SET_COOKIE, jar.clear(cookies::SESSION));
    }
    Ok(response)
}
