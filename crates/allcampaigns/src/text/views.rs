//! The words of saved views: the sidebar's list under the Inbox, the inbox's "save this view"
//! form and the confirmation before one is deleted.

use super::pages::{With, Words};

pub struct ViewsTexts {
    /// The sidebar's list of saved views, for screen readers.
    pub list_label: Words,
    /// Beside a view shared with a client's team.
    pub shared_mark: Words,
    pub shared_title: Words,
    pub save: Words,
    pub name: Words,
    /// "Share with the team of Acme".
    pub share_with: With,
    /// Why sharing is not offered: no one client is filtered on.
    pub share_needs_client: Words,
    pub save_button: Words,
    pub save_heading: Words,
    /// The field a refused form is wrong in.
    pub field_name: Words,
    pub field_shared: Words,
    pub field_filter: Words,
    /// A view of that name is already kept.
    pub name_taken: Words,
    pub delete: With,
    pub delete_heading: Words,
    pub delete_confirm: With,
    pub delete_button: Words,
    pub cancel: Words,
}
