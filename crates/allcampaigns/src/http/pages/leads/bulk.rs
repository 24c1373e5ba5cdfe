//! Bulk changes from the leads list (`POST /leads/bulk`): the checked leads (`lead`, each
//! `tenant/address`) get the chosen stage, owner or added tag: the change is checked once per
//! client and applied to each lead in its own transaction (`leads::change`); the page then says
//! how many changed and which did not, and why.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Html;

use crate::app::AppState;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::http::pages::inbox::triage::Fields;
use crate::http::pages::render;
use crate::http::pages::shell::Section;
use crate::http::pages::ui::Ui;
use crate::leads::change::{CheckedChange, LeadChange};
use crate::leads::{MAX_LIMIT, staff_clients};
use crate::services::Services;
use crate::text::{LeadTexts, Problem};

#[derive(Template)]
#[template(path = "leads_bulk.html")]
struct BulkPage {
    ui: Ui,
    lw: &'static LeadTexts,
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
    let change = LeadChange {
        stage: stage.map(|s| Some(s.to_owned())),
        owner: owner.map(|o| (o != "none").then(|| o.to_owned())),
        tags_added: tag.into_iter().map(str::to_owned).collect(),
        ..Default::default()
    };
    let mut failed = Vec::new();
    let mut checked: Vec<(TenantId, Result<CheckedChange, String>)> = Vec::new();
    for key in &chosen {
        let lead = key.split_once('/').map_or(*key, |(_, lead)| lead);
        let Some((access, lead)) = access_of(&clients, key) else {
            failed.push((lead.to_owned(), AppError::NotFound.words(ui.t)));
            continue;
        };
        if !checked.iter().any(|(t, _)| *t == access.tenant) {
            let check = CheckedChange::check(&services, access, &change).await;
            checked.push((access.tenant, check.map_err(|e| e.words(ui.t))));
        }
        let outcome = match checked.iter().find(|(t, _)| *t == access.tenant) {
            Some((_, Ok(change))) => change
                .apply(&services, access, lead)
                .await
                .map_err(|e| e.words(ui.t)),
            Some((_, Err(words))) => Err(words.clone()),
            None => Err(AppError::NotFound.words(ui.t)),
        };
        if let Err(words) = outcome {
            failed.push((lead.to_owned(), words));
        }
    }
    render(&BulkPage {
        lw: &ui.t.leads,
        changed: (ui.t.leads.bulk_changed)(chosen.len() - failed.len(), chosen.len()),
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
