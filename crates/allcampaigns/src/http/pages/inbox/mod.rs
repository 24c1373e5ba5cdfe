//! The inbox page (`/inbox`, the signed-in landing page) and a thread opened beside it
//! (`/inbox/t/{tenant_id}/{thread_id}`): server-rendered, working without JavaScript. The
//! list's tabs, filters, search and page live in the query string, which every link, the
//! thread and each triage form keep. Reading takes any member; triage (`triage.rs`) takes a
//! role that works leads.

mod body;
mod filters;
pub mod presence;
mod query;
pub(crate) mod rows;
pub mod senders;
pub(crate) mod thread;
pub mod triage;
pub mod views;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use chrono::Utc;

use self::filters::Filters;
use self::query::ListQuery;
use self::rows::{Client, Names, Row, Tab};
use self::thread::{PaneContext, ThreadPane, person_name};
use super::leads::panel::LeadPanel;
use super::leads::thread::{self as lead_thread, ReplyPanel, SpeedView};
use super::reminders::{self, RemindersPanel};
use super::render;
use super::shell::Section;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::csrf::CsrfToken;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{TenantId, UserId};
use crate::error::AppResult;
use crate::inbox::params::ListRequest;
use crate::inbox::senders::MessageSender;
use crate::inbox::{
    InboxView, LeadName, TabCount, ThreadDetail, ThreadPage, ThreadSummary, rules, sender_rules,
};
use crate::services::Services;
use crate::store::{Member, TenantMember};
use crate::text::LeadTexts;

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    ui: Ui,
    csrf: String,
    /// The list's query, for forms to return to.
    back: String,
    view: &'static str,
    /// The person's id, so the script ignores word of their own presence.
    me: UserId,
    tab_name: &'static str,
    /// The page title, with the unread count on this page when there is one.
    title: String,
    tabs: Vec<Tab>,
    filters: Filters,
    has_clients: bool,
    any_triage: bool,
    rows: Vec<Row>,
    older_href: Option<String>,
    newest_href: Option<String>,
    thread: Option<ThreadPane>,
    /// The lead work beside the opened thread (`pages::leads`).
    lw: &'static LeadTexts,
    lead_panel: Option<LeadPanel>,
    reply: Option<ReplyPanel>,
    speed: Option<SpeedView>,
    /// "Remind me if no reply" beside the opened thread (staff only).
    reminders: Option<RemindersPanel>,
}

pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    RawQuery(raw): RawQuery,
) -> AppResult<Html<String>> {
    let query = ListQuery::parse(raw.as_deref());
    page(&state, &current, csrf, query, None).await
}

pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
    RawQuery(raw): RawQuery,
) -> AppResult<Html<String>> {
    let query = ListQuery::parse(raw.as_deref());
    let current = access.current.clone();
    page(&state, &current, csrf, query, Some((&access, &thread_id))).await
}

/// What one inbox page shows, read.
struct Loaded {
    request: ListRequest,
    clients: Vec<Client>,
    page: ThreadPage,
    counts: Vec<(InboxView, TabCount)>,
    detail: Option<ThreadDetail>,
    /// The sender of each message of the opened thread.
    senders: Vec<Option<MessageSender>>,
    leads: HashMap<(TenantId, String), LeadName>,
    people: HashMap<UserId, String>,
    /// The members of the opened thread's client.
    members: Vec<Member>,
    /// The members of the one client the list is narrowed to, if it is.
    team: Vec<(UserId, String)>,
}

async fn load(
    state: &AppState,
    current: &CurrentUser,
    query: &ListQuery,
    open: Option<(&TenantAccess, &str)>,
) -> AppResult<Loaded> {
    let services = Services::of(state);
    let request = query.params().read(current.user.id)?;
    let clients = clients(state, current).await?;
    let (tenant, filter) = (request.tenant, &request.filter);
    let page = rules::list(
        &services,
        current,
        tenant,
        filter,
        request.cursor.as_ref(),
        request.limit,
    )
    .await?;
    let counts = rules::counts(&services, current, tenant, filter).await?;
    let detail = match open {
        Some((access, id)) => Some(rules::thread(&services, access, id).await?),
        None => None,
    };
    let senders = match (&detail, open) {
        (Some(detail), Some((access, _))) => {
            sender_rules::thread_senders(&services, access.tenant, detail).await?
        }
        _ => Vec::new(),
    };
    let mut tenants: Vec<TenantId> = page.items.iter().map(|t| t.tenant_id).collect();
    tenants.extend(detail.iter().map(|d| d.summary.tenant_id));
    let leads = lead_names(state, &page.items).await?;
    let (people, members) = people(state, tenants, open.map(|(a, _)| a.tenant)).await?;
    let team = match tenant {
        Some(tenant) => state
            .store
            .members(tenant)
            .await?
            .iter()
            .map(|m| (m.user_id, person_name(m)))
            .collect(),
        None => Vec::new(),
    };
    Ok(Loaded {
        request,
        clients,
        page,
        counts,
        detail,
        senders,
        leads,
        people,
        members,
        team,
    })
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    csrf: String,
    query: ListQuery,
    open: Option<(&TenantAccess, &str)>,
) -> AppResult<Html<String>> {
    let Loaded {
        request,
        clients,
        page,
        counts,
        detail,
        senders,
        leads,
        people,
        members,
        team,
    } = load(state, current, &query, open).await?;
    let names = Names {
        clients: &clients,
        people: &people,
        leads: &leads,
    };
    let ui = Ui::of_user(state, current)
        .await?
        .in_section(Section::Inbox);
    let saved = views::sidebar(state, current, &query, &clients, ui.t).await?;
    let ui = ui.with_views(saved);
    let t = &ui.t.inbox;
    let now = Utc::now();
    let open_key = open.map(|(a, id)| (a.tenant, id));
    let (work, reminders) = match (open, &detail) {
        (Some((access, id)), Some(detail)) => {
            let back = query.href(&rows::thread_path(access.tenant, id));
            let lead = detail.summary.lead_email.as_deref();
            let n = &ui.t.notify;
            let reminders = reminders::load(state, access, id, &members, back.clone(), n).await?;
            let work = lead_thread::load(state, access, id, lead, back, &ui.t.leads, ui.t).await?;
            (work, reminders)
        }
        _ => (None, None),
    };
    let (lead_panel, reply, speed) = match work {
        Some(work) => (Some(work.panel), work.reply, work.speed),
        None => (None, None, None),
    };
    let thread = detail.map(|detail| {
        let cx = PaneContext {
            names: &names,
            query: &query,
            texts: ui.t,
            origin: &state.config.public_url.origin().ascii_serialization(),
            instantly: &state.config.instantly_url,
            signer: &state.image_proxy.urls,
            me: current.user.id,
            now,
        };
        ThreadPane::new(detail, senders, members, &cx)
    });
    let rows: Vec<Row> = page
        .items
        .into_iter()
        .map(|item| Row::new(item, &names, &query, open_key, ui.t, now))
        .collect();
    let older_href = page
        .next
        .map(|next| query.with("cursor", Some(&next.encode())).href("/inbox"));
    let newest_href = query
        .get("cursor")
        .map(|_| query.with("cursor", None).href("/inbox"));
    let view = request.filter.view;
    render(&InboxPage {
        csrf,
        back: query.encode(),
        view: view.as_str(),
        me: current.user.id,
        tab_name: rows::tab_name(view, t),
        title: match rows.iter().filter(|r| r.unread).count() {
            0 => t.title.to_owned(),
            unread => (t.title_unread)(unread as i64),
        },
        tabs: rows::tabs(&counts, view, &query, t),
        filters: Filters::new(&query, &clients, &team, view, t),
        has_clients: !clients.is_empty(),
        any_triage: clients.iter().any(|c| c.role.can_work_leads()),
        rows,
        older_href,
        newest_href,
        thread,
        lw: &ui.t.leads,
        lead_panel,
        reply,
        speed,
        reminders,
        ui,
    })
}

/// The clients the person works in and reaches (a token limited to one reaches only it).
pub(super) async fn clients(state: &AppState, current: &CurrentUser) -> AppResult<Vec<Client>> {
    Ok(current
        .memberships(&state.store)
        .await?
        .iter()
        .filter(|(tenant, _)| current.may_reach(tenant.id))
        .map(|(tenant, role)| Client {
            id: tenant.id,
            name: tenant.name.clone(),
            role: *role,
        })
        .collect())
}

/// The names and companies of the page's leads, in one read.
async fn lead_names(
    state: &AppState,
    threads: &[ThreadSummary],
) -> AppResult<HashMap<(TenantId, String), LeadName>> {
    let mut wanted: Vec<(TenantId, String)> = threads
        .iter()
        .filter_map(|thread| Some((thread.tenant_id, thread.lead_email.clone()?)))
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut found = HashMap::new();
    for lead in state.store.lead_names(&wanted).await? {
        // The newest of duplicates wins (the store orders them oldest first).
        found.insert((lead.tenant_id, lead.email.clone()), lead);
    }
    Ok(found)
}

/// The names of the members of `tenants`, and the members of the opened thread's client.
async fn people(
    state: &AppState,
    mut tenants: Vec<TenantId>,
    open: Option<TenantId>,
) -> AppResult<(HashMap<UserId, String>, Vec<Member>)> {
    tenants.sort();
    tenants.dedup();
    let mut names = HashMap::new();
    let mut opened = Vec::new();
    for TenantMember { tenant_id, member } in state.store.members_of_tenants(&tenants).await? {
        names.insert(member.user_id, person_name(&member));
        if open == Some(tenant_id) {
            opened.push(member);
        }
    }
    Ok((names, opened))
}
