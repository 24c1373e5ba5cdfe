use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::switcher::Switcher;
use super::{render, theme_of};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::domain::Role;
use crate::error::AppResult;
use crate::store::Tenant;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    /// The person's chosen theme, if not "system" (see [`super::theme_of`]).
    theme: Option<&'static str>,
    switcher: Switcher,
    csrf: String,
    email: String,
    tenants: Vec<(Tenant, Role)>,
}

/// The signed-in start page: the tenants this person works in.
pub async fn home(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Html<String>> {
    let tenants = state.store.tenants_of_user(current.user.id).await?;
    render(&HomePage {
        theme: theme_of(&current.user),
        switcher: Switcher::all_clients(&tenants),
        csrf,
        email: current.user.email.to_string(),
        tenants,
    })
}
