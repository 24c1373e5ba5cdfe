//! A person's own profile: display name, avatar, theme, language, and API tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::audit::{self, AuditAction};
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::auth::tokens::{self, NewToken};
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::store::{ApiToken, Profile, User};
use crate::text::{Lang, Problem};

pub use crate::text::THEMES;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    ui: Ui,
    csrf: String,
    email: String,
    form: ProfileForm,
    error: Option<String>,
    saved: bool,
    tokens: Vec<TokenRow>,
    /// The clients a new token can be limited to: (id, name).
    clients: Vec<(String, String)>,
    /// A token just created: shown this once.
    new_token: Option<String>,
    default_days: u32,
    max_days: u32,
}

/// A token as the list shows it: with its client's name and whether it still works.
struct TokenRow {
    token: ApiToken,
    /// The client it is limited to; none for all the person's clients.
    client: Option<String>,
    expired: bool,
}

#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    avatar_url: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    locale: String,
    /// "Email me when a teammate mentions me": present when checked.
    #[serde(default)]
    mention_emails: Option<String>,
}

impl ProfileForm {
    /// The form as stored: the profile, and whether mentions are mailed.
    async fn of(state: &AppState, user: &User) -> AppResult<Self> {
        let mention_emails = state.store.mention_emails(user.id).await?;
        Ok(Self {
            display_name: user.display_name.clone(),
            avatar_url: user.avatar_url.clone().unwrap_or_default(),
            theme: user.theme.clone(),
            locale: user.locale.clone(),
            mention_emails: mention_emails.then(|| "1".to_owned()),
        })
    }

    fn validate(&self) -> Result<Profile, Problem> {
        let display_name = self.display_name.trim();
        // Security review finding 10: display names reach other people's pages and mails.
        if !crate::domain::is_plain_name(display_name) {
            return Err(Problem::HiddenCharacters {
                field: crate::text::NameField::DisplayName,
            });
        }
        if display_name.chars().count() > 80 {
            return Err(Problem::DisplayNameTooLong);
        }
        let avatar_url = Some(self.avatar_url.trim().to_string()).filter(|u| !u.is_empty());
        if let Some(url) = &avatar_url {
            let parsed = url::Url::parse(url).map_err(|_| Problem::AvatarNotAnAddress)?;
            if parsed.scheme() != "https" {
                return Err(Problem::AvatarNotHttps);
            }
        }
        if !THEMES.contains(&self.theme.as_str()) {
            return Err(Problem::UnknownTheme);
        }
        if !Lang::ALL.iter().any(|lang| lang.code() == self.locale) {
            return Err(Problem::UnknownLanguage);
        }
        Ok(Profile {
            display_name: display_name.into(),
            avatar_url,
            theme: self.theme.clone(),
            locale: self.locale.clone(),
        })
    }
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    csrf: String,
    form: ProfileForm,
) -> AppResult<ProfilePage> {
    let user = &current.user;
    let tenants = current.memberships(&state.store).await?;
    let name_of = |id: TenantId| {
        tenants
            .iter()
            .find(|(tenant, _)| tenant.id == id)
            .map(|(tenant, _)| tenant.name.clone())
    };
    let now = Utc::now();
    let tokens = state
        .store
        .api_tokens(user.id)
        .await?
        .into_iter()
        .map(|token| TokenRow {
            client: token.tenant_scope.and_then(name_of),
            expired: token.expires_at <= now,
            token,
        })
        .collect();
    Ok(ProfilePage {
        ui: Ui::of_user(state, current).await?,
        csrf,
        email: user.email.to_string(),
        form,
        error: None,
        saved: false,
        tokens,
        clients: tenants
            .iter()
            .map(|(tenant, _)| (tenant.id.to_string(), tenant.name.clone()))
            .collect(),
        new_token: None,
        default_days: tokens::DEFAULT_DAYS,
        max_days: tokens::MAX_DAYS,
    })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let user = &current.user;
    let page = ProfilePage {
        saved: query.saved.is_some(),
        ..page(&state, &current, csrf, ProfileForm::of(&state, user).await?).await?
    };
    Ok(render(&page)?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let profile = match form.validate() {
        Ok(profile) => profile,
        Err(problem) => {
            let page = page(&state, &current, csrf, form).await?;
            let page = ProfilePage {
                error: Some(page.ui.t.say(&problem)),
                ..page
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    state
        .store
        .update_profile(current.user.id, &profile)
        .await?;
    let mention_emails = form.mention_emails.is_some();
    state
        .store
        .set_mention_emails(current.user.id, mention_emails, Utc::now())
        .await?;
    audit::record_user(
        &state.store,
        current.user.id,
        AuditAction::ProfileUpdated,
        serde_json::json!({}),
    )
    .await;
    Ok(Redirect::to("/profile?saved=1").into_response())
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    read_only: Option<String>,
    /// A tenant id, or empty for all the person's clients.
    #[serde(default)]
    tenant: String,
}

impl NewTokenForm {
    fn request(&self) -> AppResult<NewToken> {
        let invalid = |field, problem| AppError::Invalid { field, problem };
        let days = match self.days.trim() {
            "" => tokens::DEFAULT_DAYS,
            days => days
                .parse()
                .map_err(|_| invalid("days", Problem::TokenDays))?,
        };
        let tenant_scope = match self.tenant.trim() {
            "" => None,
            id => Some(
                id.parse()
                    .map_err(|_| invalid("tenant", Problem::TokenTenant))?,
            ),
        };
        Ok(NewToken {
            name: self.name.clone(),
            days,
            read_only: self.read_only.is_some(),
            tenant_scope,
        })
    }
}

/// Creates a personal access token and shows it once. Only a signed-in browser can: pages
/// take no bearer tokens, so a token cannot make more of itself.
pub async fn create_token(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<NewTokenForm>,
) -> AppResult<Response> {
    let user = &current.user;
    let request = form.request()?;
    let (token, value) = tokens::issue(&state.store, user.id, &request, Utc::now()).await?;
    audit::record_user(
        &state.store,
        user.id,
        AuditAction::ApiTokenCreated,
        serde_json::json!({
            "days": request.days,
            "read_only": token.read_only,
            "tenant": token.tenant_scope,
        }),
    )
    .await;
    let page = ProfilePage {
        new_token: Some(value),
        ..page(&state, &current, csrf, ProfileForm::of(&state, user).await?).await?
    };
    let mut response = render(&page)?.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Revokes every token of `user` and audits it; returns how many were live.
pub async fn revoke_all_tokens(state: &AppState, user: UserId) -> AppResult<u64> {
    let revoked = state.store.revoke_user_api_tokens(user, Utc::now()).await?;
    audit::record_user(
        &state.store,
        user,
        AuditAction::ApiTokenRevokedAll,
        serde_json::json!({"count": revoked}),
    )
    .await;
    Ok(revoked)
}

pub async fn revoke_all(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Response> {
    revoke_all_tokens(&state, current.user.id).await?;
    Ok(Redirect::to("/profile").into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<uuid::Uuid>,
) -> AppResult<Response> {
    state
        .store
        .revoke_api_token(current.user.id, id, Utc::now())
        .await?;
    audit::record_user(
        &state.store,
        current.user.id,
        AuditAction::ApiTokenRevoked,
        serde_json::json!({}),
    )
    .await;
    Ok(Redirect::to("/profile").into_response())
}
