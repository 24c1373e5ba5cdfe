use askama::Template;
use axum::extract::State;
use axum::response::{Html, Redirect};

use super::render;
use super::shell::Section;
use super::switcher::Switcher;
use super::ui::{Ui, unread_count};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::domain::Role;
use crate::error::AppResult;
use crate::store::Tenant;
use crate::text::Prefs;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ui: Ui,
    csrf: String,
    email: String,
    tenants: Vec<(Tenant, Role)>,
    /// Install admins create clients and manage who else may (security review finding 2).
    install_admin: bool,
}

/// `/`: a signed-in person lands on the inbox (one who is not is sent to sign in first).
pub async fn start(_current: CurrentUser) -> Redirect {
    Redirect::to("/inbox")
}

/// `/clients`: the tenants this person works in.
pub async fn home(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Html<String>> {
    let tenants = state.store.tenants_of_user(current.user.id).await?;
    let install_admin = state.store.is_install_admin(current.user.id).await?;
    let mut ui = Ui::with(
        Prefs::chosen(&current.user.locale, &current.user.theme),
        Some(Switcher::all_clients(&tenants)),
    )
    .in_section(Section::Clients);
    ui.unread = unread_count(&state, &current, &tenants).await?;
    render(&HomePage {
        ui,
        csrf,
        email: current.user.email.to_string(),
        tenants,
        install_admin,
    })
}
