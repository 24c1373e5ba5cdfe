//! The mails the product sends, laid out by `templates/mail/` (an HTML part, auto-escaped, and
//! a plain text part) with the reader's language's words.

use askama::Template;

use super::Mail;
use crate::domain::Role;
use crate::text::{InvitationMail, MentionMail, SignInMail, SyncStoppedMail, Texts};

#[derive(Template)]
#[template(path = "mail/sign_in.html")]
struct SignInHtml<'a> {
    t: &'a SignInMail,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/sign_in.txt")]
struct SignInText<'a> {
    t: &'a SignInMail,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    t: &'a InvitationMail,
    tenant: &'a str,
    role: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    t: &'a InvitationMail,
    tenant: &'a str,
    role: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/sync_stopped.html")]
struct SyncStoppedHtml<'a> {
    t: &'a SyncStoppedMail,
    tenant: &'a str,
    detail: &'a str,
}

#[derive(Template)]
#[template(path = "mail/sync_stopped.txt")]
struct SyncStoppedText<'a> {
    t: &'a SyncStoppedMail,
    tenant: &'a str,
    detail: &'a str,
}

#[derive(Template)]
#[template(path = "mail/mention.html")]
struct MentionHtml<'a> {
    t: &'a MentionMail,
    mentioned: &'a str,
    lead: &'a str,
    excerpt: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/mention.txt")]
struct MentionText<'a> {
    t: &'a MentionMail,
    mentioned: &'a str,
    lead: &'a str,
    excerpt: &'a str,
    link: &'a str,
}

/// What a mention mail tells.
pub struct Mention<'a> {
    pub author: &'a str,
    pub lead: &'a str,
    /// The note's first words.
    pub excerpt: &'a str,
    /// The lead's page.
    pub link: &'a str,
}

impl Mail {
    /// A sign-in link for `to`.
    pub fn sign_in(to: impl ToString, texts: &Texts, link: &str) -> anyhow::Result<Self> {
        let t = &texts.mail.sign_in;
        Ok(Self {
            to: to.to_string(),
            subject: t.subject.to_owned(),
            text: SignInText { t, link }.render()?,
            html: SignInHtml { t, link }.render()?,
        })
    }

    /// An invitation to join `tenant` as `role`, accepted at `link`.
    pub fn invitation(
        to: impl ToString,
        texts: &Texts,
        tenant: &str,
        role: Role,
        link: &str,
    ) -> anyhow::Result<Self> {
        let t = &texts.mail.invitation;
        let role = texts.role(&role);
        Ok(Self {
            to: to.to_string(),
            subject: (t.subject)(tenant),
            text: InvitationText {
                t,
                tenant,
                role,
                link,
            }
            .render()?,
            html: InvitationHtml {
                t,
                tenant,
                role,
                link,
            }
            .render()?,
        })
    }

    /// Tells a member that a teammate mentioned them in a note.
    pub fn mention(to: impl ToString, texts: &Texts, m: &Mention<'_>) -> anyhow::Result<Self> {
        let t = &texts.mail.mention;
        let mentioned = (t.mentioned_you)(m.author);
        let (lead, excerpt, link) = (m.lead, m.excerpt, m.link);
        Ok(Self {
            to: to.to_string(),
            subject: (t.subject)(m.author),
            text: MentionText {
                t,
                mentioned: &mentioned,
                lead,
                excerpt,
                link,
            }
            .render()?,
            html: MentionHtml {
                t,
                mentioned: &mentioned,
                lead,
                excerpt,
                link,
            }
            .render()?,
        })
    }

    /// Tells an admin that `tenant`'s sync stopped, and why (`detail`, already in words).
    pub fn sync_stopped(
        to: impl ToString,
        texts: &Texts,
        tenant: &str,
        detail: &str,
    ) -> anyhow::Result<Self> {
        let t = &texts.mail.sync_stopped;
        Ok(Self {
            to: to.to_string(),
            subject: (t.subject)(tenant),
            text: SyncStoppedText { t, tenant, detail }.render()?,
            html: SyncStoppedHtml { t, tenant, detail }.render()?,
        })
    }
}

#[cfg(test)]
mod tests;
