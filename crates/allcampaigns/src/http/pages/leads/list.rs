//! The leads list, `/leads`: the caller's clients' leads through `leads::list` (the agency's
//! roles; a client representative's list is empty, as in the API), filtered in the query
//! string, a keyset page at a time, with a CSV link to `/api/v1/leads.csv` (which takes the
//! session cookie) under the same filters, and bulk changes of the checked rows (`bulk.rs`).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;

use super::lead_path;
use super::query::LeadQuery;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::domain::{TenantId, UserId};
use crate::error::AppResult;
use crate::http::pages::inbox::rows::full_name;
use crate::http::pages::render;
use crate::http::pages::shell::Section;
use crate::http::pages::ui::Ui;
use crate::leads::list::{self, ListCursor, ListFilter, OwnerFilter, Row};
use crate::leads::{DEFAULT_LIMIT, bad_parameter, money, pipeline, staff_clients, tags};
use crate::services::Services;
use crate::text::LeadTexts;

/// One option of a filter's list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct LeadRow {
    /// `tenant/address`, the bulk form's value.
    pub key: String,
    pub href: String,
    pub name: String,
    pub email: String,
    pub company: Option<String>,
    pub client: String,
    pub campaign: Option<String>,
    pub stage: Option<String>,
    pub value: Option<String>,
    pub replies: i64,
}

/// The choices of the one client the list is narrowed to (stages, owners and tags are a
/// client's own), for its filters and for bulk changes.
#[derive(Default)]
pub struct ClientChoices {
    pub stages: Vec<Choice>,
    pub owners: Vec<Choice>,
    pub tags: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    ui: Ui,
    csrf: String,
    lw: &'static LeadTexts,
    back: String,
    q: String,
    campaign: String,
    clients: Vec<Choice>,
    replied: Vec<Choice>,
    one_client: Option<ClientChoices>,
    has_clients: bool,
    filtered: bool,
    rows: Vec<LeadRow>,
    csv_href: String,
    older_href: Option<String>,
    newest_href: Option<String>,
}

pub async fn page(
    State(app): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    RawQuery(raw): RawQuery,
) -> AppResult<Html<String>> {
    let query = LeadQuery::parse(raw.as_deref());
    let filter = read_filter(&query, current.user.id)?;
    let after = read_cursor(&query)?;
    let services = Services::of(&app);
    let clients = staff_clients(&services, &current, None).await?;
    let page = list::page(&services, &current, &filter, after.as_ref(), DEFAULT_LIMIT).await?;
    let ui = Ui::of_user(&app, &current)
        .await?
        .in_section(Section::Leads);
    let lw = &ui.t.leads;
    let one_client = match clients
        .iter()
        .find(|(a, _)| Some(a.tenant) == filter.tenant)
    {
        Some((access, _)) => Some(client_choices(&app, access, &query, lw).await?),
        None => None,
    };
    let names: Vec<(TenantId, String)> =
        clients.iter().map(|(a, n)| (a.tenant, n.clone())).collect();
    let unpaged = query.with("cursor", None);
    render(&LeadsPage {
        csrf,
        lw,
        back: query.href("/leads"),
        q: query.get("q").unwrap_or_default().to_owned(),
        campaign: query.get("campaign").unwrap_or_default().to_owned(),
        clients: choices(
            &query,
            "tenant",
            lw.every_client,
            names
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
        ),
        replied: choices(
            &query,
            "replied",
            lw.replied_any,
            [
                ("true".to_owned(), lw.replied_yes.to_owned()),
                ("false".to_owned(), lw.replied_no.to_owned()),
            ],
        ),
        one_client,
        has_clients: !clients.is_empty(),
        filtered: unpaged.is_filtered(),
        rows: page.rows.into_iter().map(|r| row(r, &names)).collect(),
        csv_href: unpaged.href("/api/v1/leads.csv"),
        older_href: page
            .next
            .map(|next| query.with("cursor", Some(&next.encode())).href("/leads")),
        newest_href: after.map(|_| unpaged.href("/leads")),
        ui,
    })
}

fn read_cursor(query: &LeadQuery) -> AppResult<Option<ListCursor>> {
    let Some(text) = query.get("cursor") else {
        return Ok(None);
    };
    let cursor =
        ListCursor::decode(text).ok_or_else(|| bad_parameter("cursor", text, "a cursor"))?;
    Ok(Some(cursor))
}

/// The list's filters from the page's query: the same parameters as `/api/v1/leads`.
fn read_filter(query: &LeadQuery, me: UserId) -> AppResult<ListFilter> {
    let id = |name: &'static str| -> AppResult<Option<uuid::Uuid>> {
        query
            .get(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| bad_parameter(name, v, "an id"))
            })
            .transpose()
    };
    let owner = match query.get("owner") {
        None => OwnerFilter::Any,
        Some("me") => OwnerFilter::User(me),
        Some("none") => OwnerFilter::Nobody,
        Some(_) => OwnerFilter::User(UserId::from_uuid(id("owner")?.unwrap_or_default())),
    };
    let replied = match query.get("replied") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => return Err(bad_parameter("replied", other, "true or false")),
    };
    let text = match query.get("q").map(str::trim) {
        None | Some("") => None,
        Some(q) if (2..=100).contains(&q.chars().count()) => Some(q.to_lowercase()),
        Some(q) => return Err(bad_parameter("q", q, "2 to 100 characters")),
    };
    Ok(ListFilter {
        tenant: id("tenant")?.map(TenantId::from_uuid),
        campaign: query.get("campaign").map(str::to_owned),
        stage: id("stage")?,
        owner,
        tag: id("tag")?,
        replied,
        text,
    })
}

async fn client_choices(
    app: &AppState,
    access: &crate::auth::TenantAccess,
    query: &LeadQuery,
    lw: &LeadTexts,
) -> AppResult<ClientChoices> {
    let services = Services::of(app);
    let stages = pipeline::list(&services, access).await?;
    let tags = tags::list(&services, access).await?;
    let members = app.store.members(access.tenant).await?;
    let owners = [
        ("me".to_owned(), lw.owner_me.to_owned()),
        ("none".to_owned(), lw.nobody.to_owned()),
    ]
    .into_iter()
    .chain(
        members
            .iter()
            .filter(|m| m.role.can_work_leads())
            .map(|m| (m.user_id.to_string(), super::person_name(m))),
    );
    Ok(ClientChoices {
        stages: choices(
            query,
            "stage",
            lw.any_stage,
            stages
                .iter()
                .filter(|s| s.archived_at.is_none())
                .map(|s| (s.id.to_string(), s.name.clone())),
        ),
        owners: choices(query, "owner", lw.anyone, owners),
        tags: choices(
            query,
            "tag",
            lw.any_tag,
            tags.iter().map(|t| (t.id.to_string(), t.name.clone())),
        ),
    })
}

/// A filter's options: "any" first (an empty value), then `options`, the query's selected.
fn choices(
    query: &LeadQuery,
    name: &str,
    any: &str,
    options: impl IntoIterator<Item = (String, String)>,
) -> Vec<Choice> {
    let current = query.get(name).unwrap_or_default();
    std::iter::once((String::new(), any.to_owned()))
        .chain(options)
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

fn row(row: Row, clients: &[(TenantId, String)]) -> LeadRow {
    let lead = row.lead;
    let email = lead.email.clone().unwrap_or_default();
    let name = full_name(lead.first_name.as_deref(), lead.last_name.as_deref());
    LeadRow {
        key: format!("{}/{}", lead.tenant_id, email),
        href: lead_path(lead.tenant_id, &email),
        name: if name.is_empty() { email.clone() } else { name },
        email,
        company: lead.company_name,
        client: clients
            .iter()
            .find(|(id, _)| *id == lead.tenant_id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default(),
        campaign: lead.campaign_id,
        stage: row.stage.map(|s| s.name),
        value: lead
            .value_cents
            .map(|cents| format!("{} {}", money::decimal(cents), row.currency)),
        replies: lead.reply_count,
    }
}
