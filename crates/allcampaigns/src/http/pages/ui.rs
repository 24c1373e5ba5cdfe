//! What every page's layout needs: the person's language and theme, and the client switcher.
//! Page structs carry one `ui` field; `base.html` reads it.

use std::sync::{Arc, OnceLock};

use super::switcher::Switcher;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::store::User;
use crate::text::{Lang, Texts};

/// A signed-in person's display choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prefs {
    pub lang: Lang,
    /// `data-theme` on `<html>`: the chosen theme, or none for "system", where the stylesheet
    /// follows the device's `prefers-color-scheme`.
    pub theme: Option<&'static str>,
}

impl Prefs {
    pub fn of(user: &User) -> Self {
        let theme = super::profile::THEMES
            .into_iter()
            .find(|theme| *theme != "system" && *theme == user.theme);
        Self {
            lang: Lang::from_code(&user.locale),
            theme,
        }
    }
}

/// Put in each request's extensions by the error layer and filled when the request's person
/// is known, so an error page speaks their language in their theme.
#[derive(Debug, Clone, Default)]
pub struct PrefsSlot(Arc<OnceLock<Prefs>>);

impl PrefsSlot {
    pub fn fill(&self, prefs: Prefs) {
        let _ = self.0.set(prefs);
    }

    pub fn get(&self) -> Prefs {
        self.0.get().copied().unwrap_or_default()
    }
}

pub struct Ui {
    pub t: &'static Texts,
    pub theme: Option<&'static str>,
    pub switcher: Option<Switcher>,
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
        }
    }

    /// A signed-in page outside any one client.
    pub async fn of_user(state: &AppState, user: &User) -> AppResult<Self> {
        let switcher = Switcher::load(state, user.id, None).await?;
        Ok(Self::with(Prefs::of(user), Some(switcher)))
    }

    /// A page of the client the person is working in.
    pub async fn of_access(state: &AppState, access: &TenantAccess) -> AppResult<Self> {
        let switcher = Switcher::of_access(state, access).await?;
        Ok(Self::with(Prefs::of(&access.current.user), Some(switcher)))
    }

    pub fn lang(&self) -> &'static str {
        self.t.lang.code()
    }
}
