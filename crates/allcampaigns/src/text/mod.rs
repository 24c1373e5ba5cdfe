//! Every word a person reads in pages, mails and error messages, in one place per language.
//!
//! A language is one value of [`Texts`] (English in `en/`); adding one means filling a new
//! value, and the compiler lists whatever is missing. Code never writes user-facing words
//! itself: pages read fields of their [`Texts`], and errors carry a [`Problem`] that the
//! language words when it is shown. Logs and the command line stay in English.

mod en;
mod inbox;
mod leads;
mod mails;
mod notify;
mod pages;
mod prefs;
mod problem;
mod shortcuts;
mod views;

pub use inbox::InboxTexts;
pub use leads::LeadTexts;
pub use mails::*;
pub use notify::{NotifyTexts, WithTwo};
pub use pages::*;
pub use prefs::{Prefs, PrefsSlot, THEMES};
pub use problem::{BodyFault, ImageFault, NameField, Problem, SyncFault, TenantUrl};
pub use shortcuts::ShortcutTexts;
pub use views::ViewsTexts;

use crate::domain::Role;

/// A language a person can choose on their profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
}

impl Lang {
    pub const ALL: [Lang; 1] = [Lang::En];

    /// The stored code's language (a person's `locale`); unknown codes fall back to English.
    pub fn from_code(code: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|lang| lang.code() == code)
            .unwrap_or_default()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
        }
    }

    /// The language's name in itself, as the language menu shows it.
    pub fn name(self) -> &'static str {
        self.texts().language_name
    }

    pub const fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &en::EN,
        }
    }
}

/// The words of one language.
pub struct Texts {
    pub lang: Lang,
    pub language_name: &'static str,
    pub brand: &'static str,
    pub layout: Layout,
    pub shell: Shell,
    pub sign_in: SignIn,
    pub setup: Setup,
    pub home: Home,
    pub tenant: TenantTexts,
    pub tenant_form: TenantForm,
    pub members: Members,
    pub admins: AdminsTexts,
    pub invitation: InvitationTexts,
    pub profile: ProfileTexts,
    pub connection: ConnectionTexts,
    pub hooks: HookTexts,
    pub sync: SyncTexts,
    pub audit: AuditTexts,
    pub jobs: JobsTexts,
    pub inbox: InboxTexts,
    pub leads: LeadTexts,
    pub shortcuts: ShortcutTexts,
    pub views: ViewsTexts,
    pub notify: NotifyTexts,
    pub error_page: ErrorPage,
    pub mail: MailTexts,
    role_name: fn(Role) -> &'static str,
    role_duty: fn(Role) -> &'static str,
    theme_name: fn(&str) -> &'static str,
    say: fn(&Problem) -> String,
}

impl Texts {
    /// A role as people call it.
    pub fn role(&self, role: &Role) -> &'static str {
        (self.role_name)(*role)
    }

    /// A role and what it may do, for the invitation form.
    pub fn role_duty(&self, role: &Role) -> &'static str {
        (self.role_duty)(*role)
    }

    /// `system`, `light` or `dark` in words.
    pub fn theme(&self, theme: &str) -> &'static str {
        (self.theme_name)(theme)
    }

    /// A problem in words a person can act on.
    pub fn say(&self, problem: &Problem) -> String {
        (self.say)(problem)
    }

    /// A stored sync fault in words; text stored before faults had codes is shown as it is.
    pub fn stored_fault(&self, stored: &str) -> String {
        match SyncFault::from_stored(stored) {
            Some(fault) => self.say(&Problem::Sync(fault)),
            None => stored.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
