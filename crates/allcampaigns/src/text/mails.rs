//! The words of the mails. `templates/mail/` lays them out, once as HTML and once as plain
//! text, so a language writes words and never markup. Words around a value people should
//! notice (a client's name) come as the text before it and the text after it.

use super::{With, Words};

pub struct MailTexts {
    pub sign_in: SignInMail,
    pub invitation: InvitationMail,
    pub sync_stopped: SyncStoppedMail,
    pub mention: MentionMail,
}

pub struct SignInMail {
    pub subject: Words,
    pub open_link: Words,
    /// The link's own words in the HTML part.
    pub link: Words,
    pub note: Words,
}

pub struct InvitationMail {
    /// With the client's name.
    pub subject: With,
    pub invited_before: Words,
    /// With the role, as [`super::Texts::role`] words it.
    pub invited_after: With,
    /// Above the bare link in the text part.
    pub accept_here: Words,
    /// The link's own words in the HTML part.
    pub accept_link: Words,
    pub expires: Words,
}

pub struct SyncStoppedMail {
    /// With the client's name.
    pub subject: With,
    pub stopped_before: Words,
    pub stopped_after: Words,
    pub fix: Words,
    /// The HTML part's short form of [`SyncStoppedMail::stays_stopped_why`].
    pub stays_stopped: Words,
    pub stays_stopped_why: Words,
}

pub struct MentionMail {
    /// With the author's name.
    pub subject: With,
    /// With the author's name, before the lead's address.
    pub mentioned_you: With,
    /// Above the bare link in the text part.
    pub open_here: Words,
    /// The link's own words in the HTML part.
    pub open_link: Words,
    pub why: Words,
}
