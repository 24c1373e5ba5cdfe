//! A person's own profile: display name, avatar, theme and language.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::error::AppResult;
use crate::store::{Profile, UserAuditEntry};

pub const THEMES: [&str; 3] = ["system", "light", "dark"];
pub const LOCALES: [(&str, &str); 1] = [("en", "English")];

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    csrf: String,
    email: String,
    form: ProfileForm,
    error: Option<String>,
    saved: bool,
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
    fn validate(&self) -> Result<Profile, String> {
        let display_name = self.display_name.trim();
        if display_name.chars().count() > 80 {
            return Err("Keep the display name under 80 characters.".into());
        }
        let avatar_url = Some(self.avatar_url.trim().to_string()).filter(|u| !u.is_empty());
        if let Some(url) = &avatar_url {
            let parsed = url::Url::parse(url)
                .map_err(|_| "Avatar URL must be a full https:// address.".to_string())?;
            if parsed.scheme() != "https" {
                return Err("Avatar URL must start with https://.".into());
            }
        }
        if !THEMES.contains(&self.theme.as_str()) {
            return Err("Choose a theme: system, light or dark.".into());
        }
        if !LOCALES.iter().any(|(code, _)| *code == self.locale) {
            return Err("Choose a language from the list.".into());
        }
        Ok(Profile {
            display_name: display_name.into(),
            avatar_url,
            theme: self.theme.clone(),
            locale: self.locale.clone(),
        })
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let user = current.user;
    let form = ProfileForm {
        display_name: user.display_name,
        avatar_url: user.avatar_url.unwrap_or_default(),
        theme: user.theme,
        locale: user.locale,
    };
    let saved = query.saved.is_some();
    Ok(render(&ProfilePage {
        csrf,
        email: user.email.to_string(),
        form,
        error: None,
        saved,
    })?
    .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let email = current.user.email.to_string();
    let profile = match form.validate() {
        Ok(profile) => profile,
        Err(error) => {
            let page = ProfilePage {
                csrf,
                email,
                form,
                error: Some(error),
                saved: false,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    state
        .store
        .update_profile(current.user.id, &profile)
        .await?;
    let entry = UserAuditEntry {
        user_id: Some(current.user.id),
        action: "profile.updated".into(),
        details: serde_json::json!({}),
        request_id: None,
    };
    if let Err(error) = state.store.append_user_audit(&entry).await {
        tracing::error!(error = %error, "could not write the audit log");
    }
    Ok(Redirect::to("/profile?saved=1").into_response())
}
