//! Sync confirms replies that were not confirmed: after each cycle, a `not_confirmed` reply
//! becomes `sent` (`confirmed_by_sync`) when sync has stored a message that is surely it:
//! - in the same tenant and thread, sent from the reply's mailbox (`eaccount`);
//! - created after the message it answered, both times on Instantly's clock (ours may differ
//!   from Instantly's by any amount, so our `attempted_at` is not compared with its times);
//! - whose text holds the text we sent (whitespace and case aside; Instantly may quote the
//!   earlier mail below it), or the text of the HTML we sent;
//! - and not already the email of another outbox entry, so two identical replies each take
//!   their own message.
//!
//! It never sends anything: a reply Instantly did not send stays `not_confirmed`.

use chrono::Utc;
use serde_json::json;

use super::{Reply, ReplyChange, ReplyState, SentMessage};
use crate::audit::{self, AuditAction};
use crate::domain::TenantId;
use crate::store::{Result, Store};
use crate::sync::sanitize::html_to_text;

/// The most unconfirmed replies one cycle looks at.
const PER_CYCLE: i64 = 100;

/// Confirms the tenant's unconfirmed replies that sync has found; answers how many.
pub async fn by_sync(store: &dyn Store, tenant: TenantId) -> Result<u32> {
    let waiting = store
        .outbox(tenant, Some(ReplyState::NotConfirmed), PER_CYCLE)
        .await?;
    let mut confirmed = 0;
    for reply in waiting {
        let sent = store
            .unclaimed_sent_messages(tenant, &reply.thread_id, &reply.eaccount)
            .await?;
        let Some(message) = sent.iter().find(|m| is_the_reply(&reply, m)) else {
            continue;
        };
        let mut change = ReplyChange::new(ReplyState::NotConfirmed, ReplyState::Sent, Utc::now());
        change.instantly_email_id = Some(message.id.clone());
        change.confirmed_by_sync = true;
        let details = json!({
            "thread_id": reply.thread_id,
            "lead_email": reply.lead_email,
            "instantly_email_id": message.id,
        });
        let target = Some(reply.id.to_string());
        let entry = audit::entry(None, AuditAction::ReplyConfirmed, target, details);
        if store
            .change_reply(tenant, reply.id, &change, Some(&entry))
            .await?
        {
            confirmed += 1;
            let at = reply.attempted_at.unwrap_or(message.at);
            super::send::first_touch(store, tenant, &reply, at).await;
        }
    }
    Ok(confirmed)
}

/// Whether a stored sent message is this reply (the rule above; thread and mailbox are the
/// store's filter).
pub fn is_the_reply(reply: &Reply, message: &SentMessage) -> bool {
    if message.at < reply.reply_to_at {
        return false;
    }
    let stored = plain(&message.body_text);
    [plain(&reply.body), plain(&html_to_text(&reply.html))]
        .iter()
        .any(|sent| !sent.is_empty() && stored.contains(sent.as_str()))
}

/// Words separated by single spaces, lower-cased.
fn plain(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration};
    use uuid::Uuid;

    use super::*;

    fn reply(body: &str, html: &str, at: DateTime<Utc>) -> Reply {
        Reply {
            id: Uuid::now_v7(),
            thread_id: "t".into(),
            lead_email: "ann@example.com".into(),
            author: None,
            eaccount: "me@agency.example".into(),
            reply_to_uuid: "m1".into(),
            reply_to_at: at,
            subject: "Re: hi".into(),
            body: body.into(),
            html: html.into(),
            send_at: at,
            state: ReplyState::NotConfirmed,
            error: None,
            instantly_email_id: None,
            confirmed_by_sync: false,
            attempted_at: None,
            sent_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn message(text: &str, at: DateTime<Utc>) -> SentMessage {
        SentMessage {
            id: "e1".into(),
            body_text: text.into(),
            at,
        }
    }

    #[test]
    fn a_later_message_holding_our_text_is_the_reply() {
        let at: DateTime<Utc> = "2026-11-01T10:00:00Z".parse().unwrap();
        let ours = reply(
            "Thanks **Ann**,\nTuesday works.",
            "<p>Thanks <strong>Ann</strong>,<br>\nTuesday works.</p>\n",
            at,
        );
        let later = at + Duration::seconds(1);
        let quoted = "Thanks **Ann**, Tuesday works.\n\nOn Monday Ann wrote:\n> Hi";
        assert!(is_the_reply(&ours, &message(quoted, later)));
        assert!(is_the_reply(
            &ours,
            &message("thanks ann,\n tuesday works.", later)
        ));
        assert!(!is_the_reply(&ours, &message("Tuesday works.", later)));
        assert!(!is_the_reply(
            &ours,
            &message(quoted, at - Duration::seconds(1))
        ));
        assert!(!is_the_reply(&reply("", "", at), &message("", later)));
    }
}
