//! English: the invitation page and the install admins page.

use super::*;

pub const INVITATION: InvitationTexts = InvitationTexts {
    title: "Invitation",
    heading: "Join a client on All Campaigns",
    joining: |tenant, role| format!("You are invited to join \u{201c}{tenant}\u{201d} as {role}."),
    for_address: |email| format!("The invitation is for {email}."),
    body: "A new account is signed in straight away. An account that already exists joins the \
           client, then signs in with an emailed link as usual.",
    submit: "Accept invitation",
    signed_in_as_other: |current, invited| {
        format!(
            "This browser is signed in as {current}, not {invited}. Accepting signs {current} \
             out on this browser."
        )
    },
    switch_submit: |current| format!("Sign {current} out and accept"),
    dead: "This invitation has expired, was withdrawn or was already used. Ask for a new one.",
    joined_heading: "Invitation accepted",
    joined: |email, tenant| format!("{email} is now a member of \u{201c}{tenant}\u{201d}."),
    sign_in_next: "To open it, sign in as that address: we email you a link.",
    sign_in_link: "Sign in",
};

pub const ADMINS: AdminsTexts = AdminsTexts {
    title: "Install admins",
    intro: "Install admins may create clients and grant or revoke this right. Members of each \
            client are managed on the client's own pages.",
    email: "Email",
    since: "Since",
    you: "(you)",
    revoke: "Revoke",
    grant_heading: "Grant to someone",
    email_label: "Email address of an existing account",
    grant: "Grant",
    back: "Back to the start page",
};
