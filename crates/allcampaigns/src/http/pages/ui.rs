//! What every page's layout needs: the person's language and theme ([`Prefs`]), the client
//! switcher and the sidebar (its saved views on the inbox's pages).
//! Page structs carry one `ui` field; `base.html` reads it.

use super::shell::{SavedViews, Section, SidebarView};
use super::switcher::Switcher;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::text::{Prefs, Texts};

pub struct Ui {
    pub t: &'static Texts,
    pub theme: Option<&'static str>,
    pub switcher: Option<Switcher>,
    /// The sidebar's current area, if the page is in one.
    pub section: Option<Section>,
    /// Saved views, listed under the Inbox (loaded by the inbox's pages only).
    pub views: SavedViews,
}

impl Ui {
    /// Pages before sign-in: English, following the device's theme.
    pub fn anonymous() -> Self {
        Self::with(Prefs::default(), None)
    }

    pub fn with(prefs: Prefs, switcher: Option<Switcher>) -> Self {
        Self {
            t: prefs.lang.texts(),
            theme: prefs.theme,
            switcher,
            section: None,
            views: SavedViews::default(),
        }
    }

    pub fn in_section(mut self, section: Section) -> Self {
        self.section = Some(section);
        self
    }

    pub fn sections(&self) -> &'static [Section] {
        &Section::ALL
    }

    pub fn is_current(&self, section: &Section) -> bool {
        self.section == Some(*section)
    }

    pub fn with_views(mut self, views: SavedViews) -> Self {
        self.views = views;
        self
    }

    /// The saved views listed under `section` (only the Inbox has them).
    pub fn views_under(&self, section: &Section) -> &[SidebarView] {
        match section {
            Section::Inbox => &self.views.items,
            _ => &[],
        }
    }

    /// `aria-current` of a section's entry: the page, or (when one of its saved views is the
    /// page) the area the page is in.
    pub fn current_mark(&self, section: &Section) -> Option<&'static str> {
        if !self.is_current(section) {
            None
        } else if self.views_under(section).iter().any(|view| view.current) {
            Some("true")
        } else {
            Some("page")
        }
    }

    /// A signed-in page outside any one client.
    pub async fn of_user(state: &AppState, current: &CurrentUser) -> AppResult<Self> {
        let user = &current.user;
        let switcher = Switcher::of(current.memberships(&state.store).await?, None);
        Ok(Self::with(
            Prefs::chosen(&user.locale, &user.theme),
            Some(switcher),
        ))
    }

    /// A page of the client the person is working in.
    pub async fn of_access(state: &AppState, access: &TenantAccess) -> AppResult<Self> {
        let switcher = Switcher::of_access(state, access).await?;
        let user = &access.current.user;
        let ui = Self::with(Prefs::chosen(&user.locale, &user.theme), Some(switcher));
        Ok(ui.in_section(Section::Clients))
    }

    pub fn lang(&self) -> &'static str {
        self.t.lang.code()
    }
}
