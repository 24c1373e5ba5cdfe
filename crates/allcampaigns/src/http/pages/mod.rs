//! Server-rendered pages, one file per area.

pub mod admins;
pub mod audit;
pub mod connection;
pub mod events;
pub mod home;
pub mod hooks;
pub mod inbox;
pub mod invitation;
pub mod jobs;
pub mod leads;
pub mod login;
pub mod members;
pub mod notifications;
pub mod profile;
pub mod reminders;
pub mod setup;
pub mod shell;
pub mod switcher;
pub mod sync_status;
pub mod tenants;
pub mod ui;

use askama::Template;
use axum::Router;
use axum::response::Html;
use axum::routing::{get, post};

use crate::app::AppState;
use crate::error::AppResult;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::start))
        .route("/clients", get(home::home))
        .route("/events", get(events::events))
        .route("/inbox", get(inbox::list))
        .route("/inbox/triage", post(inbox::triage::bulk))
        .route("/inbox/awaiting", get(leads::speed::awaiting))
        .route("/inbox/views", post(inbox::views::save))
        .route("/inbox/views/{view_id}/delete", post(inbox::views::delete))
        .route("/inbox/t/{tenant_id}/{thread_id}", get(inbox::show))
        .route(
            "/inbox/t/{tenant_id}/{thread_id}/triage",
            post(inbox::triage::one),
        )
        .route(
            "/inbox/t/{tenant_id}/{thread_id}/presence",
            post(inbox::presence::announce),
        )
        .route(
            "/inbox/t/{tenant_id}/{thread_id}/senders",
            post(inbox::senders::act),
        )
        .route(
            "/inbox/t/{tenant_id}/{thread_id}/replies",
            post(leads::forms::reply),
        )
        .route(
            "/inbox/t/{tenant_id}/{thread_id}/replies/{reply_id}/cancel",
            post(leads::forms::cancel_reply),
        )
        .route(
            "/inbox/t/{tenant_id}/{thread_id}/reminders",
            post(reminders::set),
        )
        .route(
            "/inbox/t/{tenant_id}/{thread_id}/reminders/{reminder_id}/cancel",
            post(reminders::cancel),
        )
        .route("/notifications", get(notifications::page))
        .route(
            "/notifications/read-all",
            post(notifications::mark_all_read),
        )
        .route(
            "/notifications/t/{tenant_id}/{notification_id}/read",
            post(notifications::mark_read),
        )
        .route("/leads", get(leads::list::page))
        .route("/leads/bulk", post(leads::bulk::apply))
        .route("/leads/t/{tenant_id}/{lead_id}", get(leads::lead::show))
        .route(
            "/leads/t/{tenant_id}/{lead_id}/state",
            post(leads::forms::set_state),
        )
        .route(
            "/leads/t/{tenant_id}/{lead_id}/notes",
            post(leads::forms::add_note),
        )
        .route(
            "/leads/t/{tenant_id}/{lead_id}/calls",
            post(leads::forms::log_call),
        )
        .route("/analytics", get(shell::analytics))
        .route("/speed-to-reply", get(leads::speed::report))
        .route("/connections", get(shell::connections))
        .route("/login", get(login::form).post(login::request_link))
        .route(
            "/login/confirm",
            get(login::confirm_page).post(login::confirm),
        )
        .route("/logout", post(login::logout))
        .route("/logout/everywhere", post(login::logout_everywhere))
        .route("/profile", get(profile::show).post(profile::update))
        .route("/profile/tokens", post(profile::create_token))
        .route("/profile/tokens/revoke-all", post(profile::revoke_all))
        .route("/profile/tokens/{id}/revoke", post(profile::revoke_token))
        .route("/setup", get(setup::form).post(setup::create_owner))
        .route("/admins", get(admins::list).post(admins::grant))
        .route("/admins/{user_id}/revoke", post(admins::revoke))
        .route("/tenants", post(tenants::create))
        .route("/tenants/new", get(tenants::new_form))
        .route("/t/{tenant_id}", get(tenants::show))
        .route(
            "/t/{tenant_id}/settings",
            get(tenants::edit_form).post(tenants::update),
        )
        .route("/t/{tenant_id}/delete", post(tenants::delete))
        .route(
            "/t/{tenant_id}/members",
            get(members::list).post(members::invite),
        )
        .route(
            "/t/{tenant_id}/members/{user_id}/role",
            post(members::change_role),
        )
        .route(
            "/t/{tenant_id}/members/{user_id}/remove",
            post(members::remove),
        )
        .route(
            "/t/{tenant_id}/invitations/{invitation_id}/withdraw",
            post(members::withdraw),
        )
        .route("/t/{tenant_id}/audit", get(audit::list))
        .route("/t/{tenant_id}/jobs", get(jobs::list))
        .route("/t/{tenant_id}/jobs/{job_id}/retry", post(jobs::retry))
        .route("/t/{tenant_id}/jobs/{job_id}/cancel", post(jobs::cancel))
        .route(
            "/t/{tenant_id}/connection",
            get(connection::show).post(connection::save),
        )
        .route("/t/{tenant_id}/connection/remove", post(connection::remove))
        .route("/t/{tenant_id}/connection/sync", post(connection::sync_now))
        .route(
            "/t/{tenant_id}/webhooks",
            get(hooks::show).post(hooks::make),
        )
        .route("/t/{tenant_id}/webhooks/remove", post(hooks::remove))
        .route(
            "/invitations/accept",
            get(invitation::accept_page).post(invitation::accept),
        )
}

pub fn render(page: &impl Template) -> AppResult<Html<String>> {
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}
