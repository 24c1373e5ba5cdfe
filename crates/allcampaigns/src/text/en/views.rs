//! English: saved views.

use super::*;

pub const VIEWS: ViewsTexts = ViewsTexts {
    list_label: "Saved views",
    shared_mark: "team",
    shared_title: "Shared with the client's team",
    save: "Save this view",
    name: "Name",
    share_with: |client| format!("Share with the team of {client}"),
    share_needs_client: "To share a view with a client's team, choose the client in the \
                         filters first.",
    save_button: "Save view",
    save_heading: "Save this view",
    field_name: "Name",
    field_shared: "Share with the team",
    field_filter: "Filters",
    name_taken: "You already have a view of that name here; choose another name.",
    delete: |name| format!("Delete the view “{name}”"),
    delete_heading: "Delete this saved view?",
    delete_confirm: |name| {
        format!(
            "“{name}” leaves the sidebar of everyone who sees it. The threads it shows stay as \
             they are."
        )
    },
    delete_button: "Delete view",
    cancel: "Cancel",
};
