//! A signature per mailbox of ours, appended to each reply sent from it when the reply leaves
//! (so a changed signature applies to replies still waiting). Keyed by the tenant and the
//! mailbox's address, lower-cased; any address may hold one (a mailbox Instantly has not
//! listed yet too). Owners, admins and operators read and set it, as they reply; a client
//! representative gets 403. Light markdown, rendered as notes are; an empty body clears it.
//! Each change is audited in its transaction, by mailbox and never with its text.

use chrono::{SubsecRound, Utc};
use serde_json::json;

use super::Signature;
use super::rules::require_replier;
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::leads::input::{self, invalid};
use crate::services::Services;

/// The longest signature, in characters.
pub const MAX_CHARS: usize = 2_000;

/// The mailbox's signature; an empty one when none was saved.
pub async fn show(
    services: &Services<'_>,
    access: &TenantAccess,
    mailbox: &str,
) -> AppResult<Signature> {
    require_replier(access)?;
    let mailbox = address(mailbox)?;
    let stored = services
        .store
        .mailbox_signature(access.tenant, &mailbox)
        .await?;
    Ok(stored.unwrap_or_else(|| Signature {
        mailbox,
        body: String::new(),
        html: String::new(),
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }))
}

pub async fn save(
    services: &Services<'_>,
    access: &TenantAccess,
    mailbox: &str,
    body: &str,
) -> AppResult<Signature> {
    require_replier(access)?;
    let mailbox = address(mailbox)?;
    let (body, html) = text(body)?;
    let signature = Signature {
        mailbox,
        body,
        html,
        updated_at: Utc::now().trunc_subsecs(6),
    };
    let details = json!({"mailbox": signature.mailbox, "cleared": signature.body.is_empty()});
    let by = Some(access.current.user.id);
    let target = Some(signature.mailbox.clone());
    let entry = audit::entry(by, AuditAction::SignatureChanged, target, details);
    services
        .store
        .save_mailbox_signature(access.tenant, &signature, by, &entry)
        .await?;
    Ok(signature)
}

/// A reply's text and HTML with the signature below, as they leave.
pub fn appended(body: &str, html: &str, signature: Option<&Signature>) -> (String, String) {
    match signature.filter(|s| !s.body.is_empty()) {
        Some(signature) => (
            format!("{body}\n\n{}", signature.body),
            format!("{html}{}", signature.html),
        ),
        None => (body.to_owned(), html.to_owned()),
    }
}

/// A mailbox named by the path is an address; anything else is no mailbox (404).
fn address(mailbox: &str) -> AppResult<String> {
    let email = Email::parse(mailbox).map_err(|_| AppError::NotFound)?;
    Ok(email.to_string().to_lowercase())
}

/// Empty clears the signature; otherwise light markdown of at most 2,000 characters.
fn text(body: &str) -> AppResult<(String, String)> {
    let count = body.trim().chars().count();
    if count == 0 {
        return Ok((String::new(), String::new()));
    }
    if count > MAX_CHARS {
        let given = format!("{count} characters");
        return Err(invalid("body", given, "a text of at most 2,000 characters"));
    }
    input::text("body", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature(body: &str, html: &str) -> Signature {
        Signature {
            mailbox: "me@agency.example".into(),
            body: body.into(),
            html: html.into(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_signature_goes_below_the_reply_and_an_empty_one_adds_nothing() {
        let sig = signature("Ann\n*Acme*", "<p>Ann<br>\n<em>Acme</em></p>\n");
        let (text, html) = appended("Hi", "<p>Hi</p>\n", Some(&sig));
        assert_eq!(text, "Hi\n\nAnn\n*Acme*");
        assert_eq!(html, "<p>Hi</p>\n<p>Ann<br>\n<em>Acme</em></p>\n");
        let none = ("Hi".to_owned(), "<p>Hi</p>\n".to_owned());
        assert_eq!(appended("Hi", "<p>Hi</p>\n", None), none);
        assert_eq!(
            appended("Hi", "<p>Hi</p>\n", Some(&signature("", ""))),
            none
        );
    }

    #[test]
    fn a_signature_is_bounded_and_may_be_cleared() {
        assert_eq!(text("  ").unwrap(), (String::new(), String::new()));
        assert!(text(&"x".repeat(MAX_CHARS)).is_ok());
        for refused in ["x".repeat(MAX_CHARS + 1), "a\0b".to_owned()] {
            assert!(matches!(
                text(&refused),
                Err(AppError::Invalid { field: "body", .. })
            ));
        }
        assert!(matches!(address("not a mailbox"), Err(AppError::NotFound)));
        assert_eq!(address("Me@Agency.Example").unwrap(), "me@agency.example");
    }
}
