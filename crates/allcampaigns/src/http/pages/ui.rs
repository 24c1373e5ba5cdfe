//! What every page's layout needs: the person's language and theme ([`Prefs`]), the client
//! switcher and the sidebar (its saved views on the inbox's pages).
//! Page structs carry one `ui` field; `base.html` reads it.

use super::shell::{SavedViews, Section, SidebarView};
use super::switcher::Switcher;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::TenantAccess;
use crate::domain::{Role, TenantId};
use crate::error::AppResult;
use crate::store::Tenant;
use crate::text::{Prefs, Texts};

pub struct Ui {
    pub t: &'static Texts,
    pub theme: Option<&'static str>,
    pub switcher: Option<Switcher>,
    /// The sidebar's current area, if the page is in one.
    pub section: Option<Section>,
    /// Saved views, listed under the Inbox (loaded by the inbox's pages only).
    pub views: SavedViews,
    /// The person's unread notifications, as the top bar's link shows them ("99+" past 99);
    /// none when there are none or nobody is signed in.
    pub unread: Option<String>,
    /// The page is the notifications list (the top bar's link is then the current page).
    pub on_notifications: bool,
}

/// The most unread notifications the top bar counts: one cheap read per page.
const UNREAD_COUNTED: i64 = 100;

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
            unread: None,
            on_notifications: false,
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
        Self::signed_in(state, current, None).await
    }

    /// A page of the client the person is working in.
    pub async fn of_access(state: &AppState, access: &TenantAccess) -> AppResult<Self> {
        let ui = Self::signed_in(state, &access.current, Some(access.tenant)).await?;
        Ok(ui.in_section(Section::Clients))
    }

    /// The switcher (with `tenant` current) and the unread count: the person's memberships,
    /// read once per request, and one read of their unread notifications.
    async fn signed_in(
        state: &AppState,
        current: &CurrentUser,
        tenant: Option<TenantId>,
    ) -> AppResult<Self> {
        let user = &current.user;
        let memberships = current.memberships(&state.store).await?;
        let switcher = Switcher::of(memberships, tenant);
        let mut ui = Self::with(Prefs::chosen(&user.locale, &user.theme), Some(switcher));
        ui.unread = unread_count(state, current, memberships).await?;
        Ok(ui)
    }

    pub fn lang(&self) -> &'static str {
        self.t.lang.code()
    }
}

/// "3", "99+", or none: the person's unread notifications in the clients this request reaches.
pub(super) async fn unread_count(
    state: &AppState,
    current: &CurrentUser,
    memberships: &[(Tenant, Role)],
) -> AppResult<Option<String>> {
    let tenants: Vec<TenantId> = memberships
        .iter()
        .map(|(tenant, _)| tenant.id)
        .filter(|id| current.may_reach(*id))
        .collect();
    if tenants.is_empty() {
        return Ok(None);
    }
    let unread = state
        .store
        .notifications(&tenants, current.user.id, true, UNREAD_COUNTED)
        .await?
        .len();
    Ok(shown_count(unread))
}

fn shown_count(unread: usize) -> Option<String> {
    match unread {
        0 => None,
        n if n > 99 => Some("99+".to_owned()),
        n => Some(n.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::shown_count;

    #[test]
    fn the_unread_count_stops_at_99_plus() {
        assert_eq!(shown_count(0), None);
        assert_eq!(shown_count(7).as_deref(), Some("7"));
        assert_eq!(shown_count(99).as_deref(), Some("99"));
        assert_eq!(shown_count(100).as_deref(), Some("99+"));
    }
}
