//! A person's display choices (language and theme) and the request slot that carries them to
//! the error layer. They sit beside [`Lang`] so the session extractor, the pages and the error
//! layer all point down to them; they are built from a person's stored codes, not from a store
//! row, so `text` needs nothing from `store`.

use std::sync::{Arc, OnceLock};

use super::Lang;

/// The themes a person can choose; "system" follows the device.
pub const THEMES: [&str; 3] = ["system", "light", "dark"];

/// A signed-in person's display choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prefs {
    pub lang: Lang,
    /// `data-theme` on `<html>`: the chosen theme, or none for "system", where the stylesheet
    /// follows the device's `prefers-color-scheme`.
    pub theme: Option<&'static str>,
}

impl Prefs {
    /// The choices a person saved (their `locale` and `theme`); unknown codes mean English and
    /// the device's theme.
    pub fn chosen(locale: &str, theme: &str) -> Self {
        let theme = THEMES
            .into_iter()
            .find(|known| *known != "system" && *known == theme);
        Self {
            lang: Lang::from_code(locale),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_codes_become_choices_and_unknown_codes_fall_back() {
        let dark = Prefs::chosen("en", "dark");
        assert_eq!(dark.lang, Lang::En);
        assert_eq!(dark.theme, Some("dark"));
        assert_eq!(Prefs::chosen("en", "system").theme, None);
        assert_eq!(Prefs::chosen("xx", "neon"), Prefs::default());
    }

    #[test]
    fn a_slot_answers_the_first_choices_it_was_given_or_the_defaults() {
        let slot = PrefsSlot::default();
        assert_eq!(slot.get(), Prefs::default());
        slot.fill(Prefs::chosen("en", "light"));
        slot.clone().fill(Prefs::chosen("en", "dark"));
        assert_eq!(slot.get().theme, Some("light"));
    }
}
