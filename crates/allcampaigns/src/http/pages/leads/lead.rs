//! The lead page, `/leads/t/{tenant_id}/{lead_id}`: the lead panel, the lead's Instantly
//! records, its threads and its timeline a page at a time (`?cursor=` goes older).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use chrono::Utc;

use super::lead_path;
use super::panel::{self, LeadPanel, Viewer};
use super::timeline::{self, Context, EventView};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::auth::csrf::CsrfToken;
use crate::error::AppResult;
use crate::http::pages::inbox::rows::{When, full_name, thread_path};
use crate::http::pages::inbox::thread::{is_web, variables};
use crate::http::pages::render;
use crate::http::pages::shell::Section;
use crate::http::pages::ui::Ui;
use crate::leads::state::{LeadRecord, LeadThread};
use crate::leads::timeline::{self as lead_timeline, TimelineCursor};
use crate::leads::{PageParams, bad_parameter};
use crate::services::Services;
use crate::text::{LeadTexts, Texts};

pub struct RecordView {
    pub name: String,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub campaign: Option<String>,
    pub interest: String,
    pub replied_to: Option<String>,
    pub engagement: String,
    pub variables: Vec<(String, String)>,
}

pub struct ThreadLink {
    pub href: String,
    pub subject: String,
    pub mailbox: String,
    pub when: When,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPageView {
    ui: Ui,
    csrf: String,
    lw: &'static LeadTexts,
    title: String,
    /// The lead's name as Instantly has it, else their address.
    heading: String,
    panel: LeadPanel,
    records: Vec<RecordView>,
    threads: Vec<ThreadLink>,
    events: Vec<EventView>,
    older_href: Option<String>,
    newest_href: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    access: TenantAccess,
    Path((_, lead_id)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
    query: Result<Query<PageParams>, QueryRejection>,
) -> AppResult<Html<String>> {
    let Query(params) = query.map_err(|r| bad_parameter("query", &r.body_text(), "a cursor"))?;
    let (after, limit) = params.read_with(TimelineCursor::decode)?;
    let ui = Ui::of_access(&app, &access)
        .await?
        .in_section(Section::Leads);
    let lw = &ui.t.leads;
    let here = lead_path(access.tenant, &lead_id);
    let viewer = Viewer {
        access: &access,
        back: here.clone(),
        thread: None,
        w: lw,
        t: ui.t,
    };
    let (panel, page) = panel::load(&app, viewer, &lead_id).await?;
    let services = Services::of(&app);
    let events = lead_timeline::page(&services, &access, &lead_id, after.as_ref(), limit).await?;
    let cx = Context {
        tenant: access.tenant,
        viewer: access.role,
        now: Utc::now(),
        w: lw,
        t: ui.t,
    };
    let older_href = events
        .next
        .map(|next| older(&here, &next, params.limit.as_deref()));
    let records: Vec<RecordView> = page.records.iter().map(|r| record(r, ui.t)).collect();
    let named = records
        .iter()
        .map(|r| r.name.clone())
        .find(|n| !n.is_empty());
    render(&LeadPageView {
        title: (lw.page_title)(&panel.lead),
        heading: named.unwrap_or_else(|| panel.lead.clone()),
        csrf,
        lw,
        records,
        threads: page
            .threads
            .iter()
            .map(|t| thread_link(access.tenant, t, &cx))
            .collect(),
        events: events
            .events
            .into_iter()
            .map(|e| timeline::view(e, &cx))
            .collect(),
        older_href,
        newest_href: after.map(|_| here),
        panel,
        ui,
    })
}

/// The next page of the timeline, at the page size asked for.
fn older(here: &str, next: &TimelineCursor, limit: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("cursor", &next.encode());
    if let Some(limit) = limit {
        query.append_pair("limit", limit);
    }
    format!("{here}?{}", query.finish())
}

fn record(r: &LeadRecord, t: &Texts) -> RecordView {
    let t = &t.inbox;
    RecordView {
        name: full_name(r.first_name.as_deref(), r.last_name.as_deref()),
        company: r.company_name.clone(),
        job_title: r.job_title.clone(),
        phone: r.phone.clone(),
        website: r.website.clone().filter(|w| is_web(w)),
        campaign: r.campaign_name.clone().or_else(|| r.campaign_id.clone()),
        interest: (t.stage_name)(r.interest_status),
        replied_to: r
            .replied_step
            .map(|step| (t.step_variant)(step, r.replied_variant)),
        engagement: (t.engagement_counts)(r.open_count, r.click_count, r.reply_count),
        variables: variables(&r.custom_variables),
    }
}

fn thread_link(tenant: crate::domain::TenantId, t: &LeadThread, cx: &Context) -> ThreadLink {
    ThreadLink {
        href: format!("{}?view=all", thread_path(tenant, &t.thread_id)),
        subject: t.subject.clone(),
        mailbox: t.mailbox.clone(),
        when: When::of(t.last_message_at, cx.now, &cx.t.inbox),
        unread: t.unread_count > 0,
    }
}
