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
use crate::audit;
use crate::auth::csrf::CsrfToken;
use crate::auth::{CurrentUser, hash_token, random_token};
use crate::error::{AppError, AppResult};
use crate::store::{ApiToken, Profile, User};
use crate::text::{Lang, Problem};

pub const THEMES: [&str; 3] = ["system", "light", "dark"];
/// Personal access tokens start with this, so leaked ones are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "acpat_";

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    ui: Ui,
    csrf: String,
    email: String,
    form: ProfileForm,
    error: Option<String>,
    saved: bool,
    tokens: Vec<ApiToken>,
    /// A token just created: shown this once.
    new_token: Option<String>,
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
}

impl ProfileForm {
    fn of(user: &User) -> Self {
        Self {
            display_name: user.display_name.clone(),
            avatar_url: user.avatar_url.clone().unwrap_or_default(),
            theme: user.theme.clone(),
            locale: user.locale.clone(),
        }
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
    user: &User,
    csrf: String,
    form: ProfileForm,
) -> AppResult<ProfilePage> {
    Ok(ProfilePage {
        ui: Ui::of_user(state, user).await?,
        csrf,
        email: user.email.to_string(),
        form,
        error: None,
        saved: false,
        tokens: state.store.api_tokens(user.id).await?,
        new_token: None,
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
        ..page(&state, user, csrf, ProfileForm::of(user)).await?
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
            let page = page(&state, &current.user, csrf, form).await?;
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
    audit::record_user(
        &state.store,
        current.user.id,
        "profile.updated",
        serde_json::json!({}),
    )
    .await;
    Ok(Redirect::to("/profile?saved=1").into_response())
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    name: String,
}

/// Creates a personal access token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<NewTokenForm>,
) -> AppResult<Response> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::Invalid {
            field: "name",
            problem: Problem::TokenName,
        });
    }
    let user = &current.user;
    let value = format!("{TOKEN_PREFIX}{}", random_token());
    let token = ApiToken {
        id: uuid::Uuid::now_v7(),
        user_id: user.id,
        name: name.into(),
        last4: value[value.len() - 4..].to_string(),
        created_at: Utc::now(),
        last_used_at: None,
        revoked_at: None,
    };
    state
        .store
        .create_api_token(&token, &hash_token(&value))
        .await?;
    audit::record_user(
        &state.store,
        current.user.id,
        "api_token.created",
        serde_json::json!({}),
    )
    .await;
    let page = ProfilePage {
        new_token: Some(value),
        ..page(&state, user, csrf, ProfileForm::of(user)).await?
    };
    let mut response = render(&page)?.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
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
        "api_token.revoked",
        serde_json::json!({}),
    )
    .await;
    Ok(Redirect::to("/profile").into_response())
}
