//! The JSON API under `/api/v1`, authenticated by a personal access token
//! (`Authorization: Bearer …`) or a session cookie. Its OpenAPI document is generated from the
//! same route registrations, so no endpoint can be left out of it.

mod admins;
mod inbound;
mod inbox;
mod inbox_types;
mod instantly_link;
mod jobs;
mod json;
mod lead_list;
mod lead_state;
mod lead_state_types;
mod leads;
mod leads_types;
mod members;
mod notifications;
mod pipeline;
mod replies;
mod replies_types;
mod speed;
mod sync;
mod tenants;
mod types;
mod views;
mod views_types;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use json::{ApiJson, JsonObject};

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "All Campaigns API", description = "Tenants, members, audit, Instantly links, sync, background jobs, the inbox (with saved views) and lead work (notes, call logs, each client's pipeline, tags and settings, each lead's stage, value, owner, tags and timeline, speed-to-reply, replies sent through Instantly with their outbox and mailbox signatures, bulk changes, thread reminders and notifications) and the inbound hooks that receive Instantly's webhooks of an All Campaigns install."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = Http::builder()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A personal access token from the profile page"))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

// The old `/connection` path is registered on purpose, deprecated in the document.
#[allow(deprecated)]
pub fn routes() -> Router<AppState> {
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tenants::me))
        .routes(routes!(tenants::list, tenants::create))
        .routes(routes!(tenants::show, tenants::update, tenants::delete))
        .routes(routes!(tenants::audit))
        .routes(routes!(members::list, members::invite))
        .routes(routes!(members::change_role, members::remove))
        .routes(routes!(members::invitations))
        .routes(routes!(members::withdraw))
        .routes(routes!(admins::list, admins::grant))
        .routes(routes!(admins::revoke))
        .routes(routes!(
            instantly_link::show,
            instantly_link::save,
            instantly_link::remove
        ))
        .routes(routes!(
            instantly_link::show_old,
            instantly_link::save_old,
            instantly_link::remove_old
        ))
        .routes(routes!(sync::show, sync::request))
        .routes(routes!(jobs::list))
        .routes(routes!(jobs::retry))
        .routes(routes!(jobs::cancel))
        .routes(routes!(inbox::list))
        .routes(routes!(inbox::counts))
        .routes(routes!(inbox::show))
        .routes(routes!(inbox::triage))
        .routes(routes!(inbox::senders))
        .routes(routes!(inbox::bulk_triage))
        .routes(routes!(views::list, views::create))
        .routes(routes!(views::update, views::delete))
        .routes(routes!(leads::list_notes, leads::create_note))
        .routes(routes!(
            leads::show_note,
            leads::update_note,
            leads::delete_note
        ))
        .routes(routes!(leads::list_calls, leads::create_call))
        .routes(routes!(leads::show_call))
        .routes(routes!(pipeline::show))
        .routes(routes!(pipeline::add_stage))
        .routes(routes!(pipeline::change_stage))
        .routes(routes!(lead_state::show, lead_state::change))
        .routes(routes!(lead_state::change_many))
        .routes(routes!(lead_state::timeline))
        .routes(routes!(lead_state::list_tags, lead_state::add_tag))
        .routes(routes!(lead_state::change_tag, lead_state::delete_tag))
        .routes(routes!(
            lead_state::show_settings,
            lead_state::change_settings
        ))
        .routes(routes!(speed::report))
        .routes(routes!(speed::awaiting))
        .routes(routes!(speed::of_thread))
        .routes(routes!(lead_list::list))
        .routes(routes!(lead_list::export))
        .routes(routes!(replies::list, replies::create))
        .routes(routes!(replies::cancel))
        .routes(routes!(replies::outbox))
        .routes(routes!(replies::show_signature, replies::save_signature))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(
            notifications::settings,
            notifications::set_settings
        ))
        .routes(routes!(
            notifications::thread_reminders,
            notifications::remind
        ))
        .routes(routes!(notifications::cancel_reminder))
        .routes(routes!(inbound::show, inbound::make, inbound::remove))
        .routes(routes!(inbound::events));
    let (router, openapi) = OpenApiRouter::new().nest("/api/v1", api).split_for_parts();
    let document = openapi
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    router.route(
        "/api/v1/openapi.json",
        get(move || async move {
            (
                [(header::CONTENT_TYPE, "application/json")],
                document.clone(),
            )
                .into_response()
        }),
    )
}
