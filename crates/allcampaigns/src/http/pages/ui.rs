//! What every page's layout needs: the person's language and theme ([`Prefs`]), and the client
//! switcher.
//! Page structs carry one `ui` field; `base.html` reads it.

use super::shell::Section;
use super::switcher::Switcher;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::store::User;
use crate::text::{Prefs, Texts};

pub struct Ui {
    pub t: &'static Texts,
    pub theme: Option<&'static str>,
    pub switcher: Option<Switcher>,
    /// The sidebar's current area, if the page is in one.
    pub section: Option<Section>,
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

    /// A signed-in page outside any one client.
    pub async fn of_user(state: &AppState, user: &User) -> AppResult<Self> {
        let switcher = Switcher::load(state, user.id, None).await?;
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
