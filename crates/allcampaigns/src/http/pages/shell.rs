//! The shell around every signed-in page: a sidebar with the product's areas (the inbox is
//! `pages::inbox`, the leads `pages::leads`). Areas a later release fills (analytics, lead
//! routing) answer a page that says what is coming there, never a 404, and link what they
//! already hold (speed-to-reply under analytics).

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::text::Texts;

/// An area of the product, as the sidebar lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Inbox,
    Leads,
    Analytics,
    Connections,
    Clients,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Inbox,
        Section::Leads,
        Section::Analytics,
        Section::Connections,
        Section::Clients,
    ];

    pub fn href(self) -> &'static str {
        match self {
            Section::Inbox => "/inbox",
            Section::Leads => "/leads",
            Section::Analytics => "/analytics",
            Section::Connections => "/connections",
            Section::Clients => "/clients",
        }
    }

    pub fn name(self, t: &Texts) -> &'static str {
        let s = &t.shell;
        match self {
            Section::Inbox => s.inbox,
            Section::Leads => s.leads,
            Section::Analytics => s.analytics,
            Section::Connections => s.connections,
            Section::Clients => s.clients,
        }
    }

    /// What the area will hold, for the areas not built yet.
    fn coming(self, t: &Texts) -> &'static str {
        let s = &t.shell;
        match self {
            Section::Inbox => s.inbox_coming,
            Section::Leads => s.leads_coming,
            Section::Analytics => s.analytics_coming,
            Section::Connections => s.connections_coming,
            Section::Clients => "",
        }
    }
}

/// A saved view as the sidebar lists it under the Inbox: a link to the inbox with its filter.
pub struct SidebarView {
    pub name: String,
    pub href: String,
    /// Its threads, capped like the tabs ("10,000+").
    pub count: String,
    /// Shared with a client's team rather than private.
    pub shared: bool,
    /// The inbox shows exactly this view now.
    pub current: bool,
    /// `POST` here to delete it (after a confirmation), when the person may.
    pub delete_action: Option<String>,
}

/// The person's saved views, and what the inbox's "save this view" form offers. Loaded only
/// by the inbox's pages (`pages::inbox::views`); other pages leave it empty.
#[derive(Default)]
pub struct SavedViews {
    pub items: Vec<SidebarView>,
    /// The one client the list is filtered on, when the person may share a view with its team.
    pub share_with: Option<String>,
}

impl SavedViews {
    /// The listed view the inbox shows now, if any.
    pub fn current(&self) -> Option<&SidebarView> {
        self.items.iter().find(|view| view.current)
    }
}

#[derive(Template)]
#[template(path = "coming.html")]
struct ComingPage {
    ui: Ui,
    heading: &'static str,
    body: &'static str,
    /// What the area already holds, as links.
    links: Vec<(&'static str, &'static str)>,
}

async fn coming(
    state: AppState,
    current: CurrentUser,
    section: Section,
) -> AppResult<Html<String>> {
    let ui = Ui::of_user(&state, &current).await?.in_section(section);
    let words = &ui.t.leads;
    let links = match section {
        Section::Analytics => vec![
            ("/speed-to-reply", words.speed_link),
            ("/inbox/awaiting", words.awaiting_link),
        ],
        _ => Vec::new(),
    };
    render(&ComingPage {
        heading: section.name(ui.t),
        body: section.coming(ui.t),
        links,
        ui,
    })
}

pub async fn analytics(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Html<String>> {
    coming(state, current, Section::Analytics).await
}

pub async fn connections(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Html<String>> {
    coming(state, current, Section::Connections).await
}
