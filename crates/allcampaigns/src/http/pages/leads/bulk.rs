//! Bulk changes from the leads list (`POST /leads/bulk`): the checked leads (`lead`, each
//! `tenant/address`) get the chosen stage, owner or added tag, through `leads::state::change`
//! once per lead; the page then says how many changed and which did not, and why.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Html;

use super::words::{EN, LeadWords};
use crate::app::AppState;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::http::pages::inbox::triage::Fields;
use crate::http::pages::render;
use crate::http::pages::shell::Section;
use crate::http::pages::ui::Ui;
use crate::leads::state::{self, LeadChange};
use crate::leads::{MAX_LIMIT, staff_clients};
use crate::services::Services;
use crate::text::Problem;

#[derive(Template)]
#[template(path = "leads_bulk.html")]
struct BulkPage {
    ui: Ui,
    lw: &'static LeadWords,
    changed: String,
    /// The leads not changed, each with the reason in words.
    failed: Vec<(String, String)>,
    back: String,
}

pub async fn apply(
    State(app): State<AppState>,
    current: CurrentUser,
    body: Bytes,
) -> AppResult<Html<String>> {
    let fields = Fields::parse(&body);
    let chosen: Vec<&str> = fields.all("lead").take(MAX_LIMIT as usize).collect();
    let stage = fields.get("stage");
    let owner = fields.get("owner");
    let tag = fields.get("tag");
    if chosen.is_empty() || (stage, owner, tag) == (None, None, None) {
        return Err(AppError::Invalid {
            field: "lead",
            problem: Problem::NotExpected {
                input: String::new(),
                expected: "at least one checked lead and a change",
            },
        });
    }
    let services = Services::of(&app);
    let clients = staff_clients(&services, &current, None).await?;
    let ui = Ui::of_user(&app, &current)
        .await?
        .in_section(Section::Leads);
    let mut failed = Vec::new();
    for key in &chosen {
        let outcome = match access_of(&clients, key) {
            Some((access, lead)) => change_one(&services, access, lead, stage, owner, tag).await,
            None => Err(AppError::NotFound),
        };
        if let Err(error) = outcome {
            let lead = key.split_once('/').map_or(*key, |(_, lead)| lead);
            failed.push((lead.to_owned(), error.words(ui.t)));
        }
    }
    render(&BulkPage {
        lw: &EN,
        changed: (EN.bulk_changed)(chosen.len() - failed.len(), chosen.len()),
        failed,
        back: super::back_to(fields.get("back"), "/leads".into()),
        ui,
    })
}

/// The caller's access to the client a `tenant/address` key names, and the address.
fn access_of<'k>(
    clients: &'k [(TenantAccess, String)],
    key: &'k str,
) -> Option<(&'k TenantAccess, &'k str)> {
    let (tenant, lead) = key.split_once('/')?;
    let tenant: TenantId = tenant.parse().ok()?;
    let (access, _) = clients.iter().find(|(a, _)| a.tenant == tenant)?;
    Some((access, lead))
}

/// One lead's change; an added tag joins the tags the lead has.
async fn change_one(
    services: &Services<'_>,
    access: &TenantAccess,
    lead: &str,
    stage: Option<&str>,
    owner: Option<&str>,
    tag: Option<&str>,
) -> AppResult<()> {
    let mut change = LeadChange {
        stage: stage.map(|s| Some(s.to_owned())),
        owner: owner.map(|o| (o != "none").then(|| o.to_owned())),
        ..Default::default()
    };
    if let Some(tag) = tag {
        let now = state::page(services, access, lead).await?.state;
        let mut tags: Vec<String> = now.tags.iter().map(|t| t.id.to_string()).collect();
        tags.push(tag.to_owned());
        change.tags = Some(tags);
    }
    state::change(services, access, lead, change).await?;
    Ok(())
}
