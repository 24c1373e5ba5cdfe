//! English: problems in words a person can act on.

use crate::text::{BodyFault, ImageFault, NameField, Problem, SyncFault, TenantUrl};

pub fn say(problem: &Problem) -> String {
    use Problem::*;
    let words = match problem {
        NotFound => "not found",
        MethodNotAllowed => "that method is not allowed here",
        SignInRequired => "sign in to continue",
        NoAccess => "you do not have access to this",
        FormExpired => "this form expired or came from another site; reload the page and try again",
        LinkUsed => "this link has expired or was already used; ask for a new one",
        TooLarge => "the request body is too large",
        TooManyRequests => "too many requests; try again later",
        TookTooLong => "the request took too long",
        NotReady => "the service is not ready or is busy; try again in a moment",
        OurFault => "something went wrong on our side",
        EmailNeeded => "Enter an email address like name@example.com.",
        SetupEmailNeeded => "Enter the email address you will sign in with.",
        NotAnEmail { input } => return format!("`{input}` is not an email address"),
        DisplayNameTooLong => "Keep the display name under 80 characters.",
        AvatarNotAnAddress => "Avatar URL must be a full https:// address.",
        AvatarNotHttps => "Avatar URL must start with https://.",
        UnknownTheme => "Choose a theme: system, light or dark.",
        UnknownLanguage => "Choose a language from the list.",
        TokenName => "Give the token a name of 1 to 80 characters.",
        TokenDays => "Choose how long the token lasts: 1 to 365 days.",
        TokenTenant => "Choose one of your clients, or all of them.",
        TenantName => "Give the tenant a name of 1 to 120 characters.",
        NotAnAddress { field } => {
            return format!(
                "{} must be a full address like https://example.com.",
                url_label(*field)
            );
        }
        NotWebScheme { field } => {
            return format!("{} must start with https:// or http://.", url_label(*field));
        }
        AccentColour => "Accent colour must look like #3554d1.",
        HiddenCharacters { field } => {
            return format!(
                "{} cannot contain line breaks, tabs, other control characters or invisible \
                 text-direction marks.",
                name_label(*field)
            );
        }
        ConfirmName { name } => {
            return format!("Type the name \u{201c}{name}\u{201d} exactly to delete this client.");
        }
        NotARole { input } => {
            return format!("`{input}` is not a role (owner, admin, operator or client)");
        }
        InviteNeedsEmailAndRole => "Enter an email address and choose a role.",
        AlreadyInvited { email } => return format!("{email} already has an open invitation."),
        LastOwnerDemoted => "A client needs at least one owner: make someone else owner first.",
        LastOwnerRemoved => "The last owner cannot be removed.",
        InvitationNotSent => {
            "The invitation mail could not be sent, so no invitation was made. Check the mail \
             settings (or the server log) and try again."
        }
        LastInstallAdmin => "The last install admin cannot be revoked: grant someone else first.",
        NoAccountFor { email } => {
            return format!(
                "{email} has no account yet: invite them to a client first, or create one with \
                 `allcampaigns admin create-user`."
            );
        }
        ApiKeyMissing => "Paste the Instantly API key.",
        KeyRefused => {
            "Instantly refused this key; copy it again from Instantly's settings (API keys)."
        }
        PlanWithoutApi => "This Instantly workspace's plan does not include API access.",
        InstantlyAddress { detail } => {
            return format!("Cannot use that Instantly address: {detail}");
        }
        InstantlyUnreachable { detail } => {
            return format!("Could not reach Instantly to check the key: {detail}");
        }
        WorkspaceElsewhere { workspace } => {
            return format!(
                "The Instantly workspace \u{201c}{workspace}\u{201d} is already connected to \
                 another client. Connect it here too only if that is intended."
            );
        }
        NothingToSync => "Connect Instantly first: there is nothing to sync yet.",
        SyncStopped => "Sync is stopped until the Instantly key is fixed: paste a new key first.",
        NotAJobState { input } => {
            return format!(
                "`{input}` is not a job state (queued, running, done, dead or cancelled)"
            );
        }
        JobNotDead => {
            "Only work that failed its last attempt can be retried, and this job has not: \
             reload the page to see where it stands."
        }
        JobFinished => {
            "This job has already finished or was cancelled; there is nothing to cancel."
        }
        JobAlreadyQueued => {
            "The same work is already queued or running, so this job need not run again: \
             cancel it instead."
        }
        CancelUnconfirmed => "Tick the box to confirm that this work should not run.",
        RemoveUnconfirmed => "Tick the box to confirm the removal.",
        NotADate { input } => return format!("`{input}` is not a date like 2026-01-31"),
        UnknownPerson => "unknown person",
        NotExpected { input, expected } => {
            return format!("`{input}` is not {expected}");
        }
        SnoozeInPast => "a snooze must end in the future",
        SnoozeTooFar => "a snooze must end within ten years",
        NotAMember => "that person is not a member of this client",
        ReplyNotScheduled { state } => {
            return format!(
                "this reply can no longer be undone: it is {}",
                state.replace('_', " ")
            );
        }
        InstantlyWritesOff => {
            "replies to Instantly are switched off for this client: an owner or admin can switch \
             them on in the lead settings"
        }
        ReminderSettled => "this reminder is no longer waiting: it reminded, or the lead answered",
        ViewShareNeedsClient => {
            "to share a view with a client's team, choose that client in the filters first"
        }
        EmailTaken => "that email address is already in use here",
        AlreadyMember => "that person is already a member",
        AlreadyExists => "that already exists",
        MissingReference => "it refers to something that does not exist",
        ValueNotAllowed => "a value is not one of those allowed",
        Body { kind, detail } => return body(*kind, detail),
        Sync(fault) => return sync(fault),
        ImageNotLoaded(fault) => image(*fault),
    };
    words.to_owned()
}

fn image(fault: ImageFault) -> &'static str {
    match fault {
        ImageFault::Refused => "This image's address is not one we load images from.",
        ImageFault::NotAnImage => "This address does not hold an image we can show.",
        ImageFault::TooLarge => "This image is too large to show.",
        ImageFault::Unreachable => "The server of this image did not send it.",
    }
}

fn sync(fault: &SyncFault) -> String {
    let words = match fault {
        SyncFault::KeyRefused => {
            "Instantly refused the API key. Paste a new key on the Instantly link page."
        }
        SyncFault::PlanLapsed => {
            "The Instantly workspace has no active paid plan, so its API is closed."
        }
        SyncFault::SlowDown => {
            "Instantly asked us to slow down; this stream will try again shortly."
        }
        SyncFault::Flaky => {
            "Instantly did not answer properly (timeouts or server errors); will retry."
        }
        SyncFault::WorkspaceChanged => {
            "The API key now opens a different Instantly workspace than the one connected. \
             Paste this client's key again."
        }
        SyncFault::TakenOver => "Another worker took over this tenant's sync.",
        SyncFault::Database => "Our database refused the write; see the server log.",
        SyncFault::Unknown => "Sync failed; the server log has the details.",
        SyncFault::Instantly { detail } => return format!("Instantly: {detail}"),
    };
    words.to_owned()
}

fn url_label(field: TenantUrl) -> &'static str {
    match field {
        TenantUrl::Website => "Website",
        TenantUrl::LogoUrl => "Logo URL",
    }
}

fn name_label(field: NameField) -> &'static str {
    match field {
        NameField::TenantName => "The name",
        NameField::ClientName => "The client name",
        NameField::Website => "The website",
        NameField::AccentColour => "The accent colour",
        NameField::LogoUrl => "The logo URL",
        NameField::DisplayName => "The display name",
        NameField::TokenName => "The token name",
    }
}

fn body(kind: BodyFault, detail: &str) -> String {
    match kind {
        BodyFault::NotJson => "send the body as JSON with Content-Type: application/json".into(),
        BodyFault::BadSyntax => format!("the body is not valid JSON: {detail}"),
        BodyFault::WrongShape => format!("the body does not match the expected shape: {detail}"),
    }
}
