//! A client's inbound hook for Instantly's webhooks (`/t/{tenant_id}/webhooks`): whether it has
//! one and whether Instantly has it, the address and header shown once when made, making a new
//! one or removing it (owners and admins, each confirmed), and the latest events it received
//! (the agency's roles). Rules: `inbound::rules`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::inbox::rows::When;
use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::auth::csrf::CsrfToken;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::inbound::registration::Registration;
use crate::inbound::{InboundEvent, InboundHook, rules};
use crate::services::Services;
use crate::text::Texts;

/// Events the page lists (the API pages through the rest).
const SHOWN: u32 = 50;

/// The secrets of a hook just made, shown on the answer to the form and never again.
pub struct Made {
    pub url: String,
    pub header_name: &'static str,
    pub header_value: String,
    pub registration: Registration,
}

pub struct EventRow {
    pub when: When,
    pub event_type: String,
    pub lead: String,
    pub email_id: String,
}

#[derive(Template)]
#[template(path = "hooks.html")]
struct HooksPage {
    ui: Ui,
    csrf: String,
    tenant: TenantId,
    tenant_name: String,
    can_change: bool,
    hook: Option<InboundHook>,
    made: Option<Made>,
    /// Why Instantly has the made hook or not, in words.
    registration: Option<String>,
    events: Vec<EventRow>,
}

async fn page(
    state: &AppState,
    access: &TenantAccess,
    csrf: String,
    made: Option<Made>,
) -> AppResult<HooksPage> {
    if !access.role.can_work_leads() {
        return Err(AppError::Forbidden);
    }
    let services = Services::of(state);
    let tenant = state.store.tenant(access.tenant).await?;
    let tenant = tenant.ok_or(AppError::NotFound)?;
    let hook = state.store.inbound_hook(access.tenant).await?;
    let events = rules::events(&services, access, None, SHOWN).await?;
    let ui = Ui::of_access(state, access).await?;
    let now = chrono::Utc::now();
    let events = events.into_iter().map(|e| row(e, now, ui.t)).collect();
    let registration = made
        .as_ref()
        .map(|m| registration_words(&m.registration, ui.t));
    Ok(HooksPage {
        registration,
        csrf,
        tenant: access.tenant,
        tenant_name: tenant.name,
        can_change: access.role.can_administer(),
        hook,
        made,
        events,
        ui,
    })
}

fn row(e: InboundEvent, now: chrono::DateTime<chrono::Utc>, t: &Texts) -> EventRow {
    EventRow {
        when: When::of(e.received_at, now, &t.inbox),
        event_type: e.event_type,
        lead: e.lead_email.unwrap_or_default(),
        email_id: e.email_id.unwrap_or_default(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    Ok(render(&page(&state, &access, csrf, None).await?)?.into_response())
}

/// Makes the hook (a new one in place of the old) and answers with its secrets, this once.
pub async fn make(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let made = rules::make(&Services::of(&state), &access).await?;
    let made = Made {
        url: made.url.expose_secret().to_owned(),
        header_name: made.header_name,
        header_value: made.header_value.expose_secret().to_owned(),
        registration: made.registration,
    };
    let page = page(&state, &access, csrf, Some(made)).await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    confirm: Option<String>,
}

/// Removes the hook once confirmed; a second press finds nothing and comes back all the same.
pub async fn remove(
    State(state): State<AppState>,
    access: TenantAccess,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    access.require_admin()?;
    if form.confirm.is_none() {
        return Err(AppError::BadRequest(
            crate::text::Problem::RemoveUnconfirmed,
        ));
    }
    match rules::remove(&Services::of(&state), &access).await {
        Ok(()) | Err(AppError::NotFound) => {}
        Err(other) => return Err(other),
    }
    Ok(Redirect::to(&format!("/t/{}/webhooks", access.tenant)).into_response())
}

fn registration_words(registration: &Registration, t: &Texts) -> String {
    let w = &t.hooks;
    match registration {
        Registration::Registered(_) => w.registered.to_owned(),
        Registration::NotHttps => w.not_https.to_owned(),
        Registration::NoLink => w.no_link.to_owned(),
        Registration::Failed(why) => (w.registration_failed)(why),
    }
}
