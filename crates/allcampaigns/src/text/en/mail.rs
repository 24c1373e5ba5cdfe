//! English: the mails.

use super::*;

pub const MAIL: MailTexts = MailTexts {
    sign_in: SignInMail {
        subject: "Your All Campaigns sign-in link",
        open_link: "Open this link to sign in to All Campaigns:",
        link: "Sign in",
        note: "It works once and expires in 15 minutes. If you did not ask for it, ignore this \
               message.",
    },
    invitation: InvitationMail {
        subject: |tenant| format!("You are invited to {tenant} on All Campaigns"),
        invited_before: "You are invited to join",
        invited_after: |role| format!("on All Campaigns as {role}."),
        accept_here: "Accept here:",
        accept_link: "Accept the invitation",
        expires: "The invitation expires in 7 days.",
    },
    sync_stopped: SyncStoppedMail {
        subject: |tenant| format!("Instantly sync stopped for {tenant}"),
        stopped_before: "Sync for",
        stopped_after: "has stopped:",
        fix: "Open the client's Instantly link page in All Campaigns to fix it.",
        stays_stopped: "Sync stays stopped until then.",
        stays_stopped_why: "Sync stays stopped until then, so Instantly is not asked again with \
                            a refused key.",
    },
    mention: MentionMail {
        subject: |author| format!("{author} mentioned you in a note"),
        mentioned_you: |author| format!("{author} mentioned you in a note on"),
        open_here: "Open the lead:",
        open_link: "Open the lead",
        why: "You get these mails because you chose them on your profile; switch them off there.",
    },
};
