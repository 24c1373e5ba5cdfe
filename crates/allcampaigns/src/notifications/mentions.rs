//! @mentions in notes. A mention is `@` at the start of a word followed by a member's address
//! (`@ana@agency.example`), the part of it before the `@` when no other member shares it
//! (`@ana`), or their display name written without spaces (`@AnaLopez`), in any case. An
//! address inside a sentence (`write to bob@example.com`) is not a mention. The author is never
//! notified of their own note, and an internal note notifies only the agency's staff: a client
//! representative would otherwise read an internal note's first words. An edit notifies only
//! whom the note names and may be read by now but did not before (a mention added, or an
//! internal note shared with a client representative it names).

use uuid::Uuid;

use super::{MENTION, Notification, excerpt, mail};
use crate::auth::TenantAccess;
use crate::domain::{Role, UserId};
use crate::error::AppResult;
use crate::leads::Note;
use crate::services::Services;
use crate::store::Member;

/// The handles of a text's mentions, lower-cased, each once, in order.
pub fn handles(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (at, c) in chars.iter().enumerate() {
        let starts_word = at == 0 || !chars[at - 1].is_alphanumeric();
        if *c != '@' || !starts_word {
            continue;
        }
        let handle: String = chars[at + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || "._%+-@".contains(**c))
            .collect();
        let handle = handle.trim_end_matches(['.', '-', '@']).to_lowercase();
        if !handle.is_empty() && !out.contains(&handle) {
            out.push(handle);
        }
    }
    out
}

/// The members a handle names: one, or none when it names nobody or is ambiguous.
fn named<'m>(members: &'m [Member], handle: &str) -> Option<&'m Member> {
    let address = |m: &Member| m.email.to_string().to_lowercase();
    if let Some(member) = members.iter().find(|m| address(m) == handle) {
        return Some(member);
    }
    let matching: Vec<&Member> = members
        .iter()
        .filter(|m| {
            let local = address(m).split('@').next().unwrap_or_default().to_owned();
            let name: String = m.display_name.split_whitespace().collect();
            local == handle || (!name.is_empty() && name.to_lowercase() == handle)
        })
        .collect();
    match matching.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Whom a note notifies: the members it names who may read it, but none of `skipped`.
fn recipients(members: &[Member], note: &Note, skipped: &[UserId]) -> Vec<UserId> {
    let mut out = Vec::new();
    for handle in handles(&note.body) {
        let Some(member) = named(members, &handle) else {
            continue;
        };
        let may_read = note.shared || member.role != Role::Client;
        let id = member.user_id;
        if may_read && !skipped.contains(&id) && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Notifies the members a note mentions (and mails those who chose it), once it is stored: all
/// of them for a new note; for an edit (`before`: the note as it was), only those it did not
/// notify before.
pub async fn notify(
    services: &Services<'_>,
    access: &TenantAccess,
    note: &Note,
    before: Option<&Note>,
) -> AppResult<()> {
    if handles(&note.body).is_empty() {
        return Ok(());
    }
    let members = services.store.members(access.tenant).await?;
    let author = access.current.user.id;
    let note_author = note.author.as_ref().map_or(author, |a| a.user_id);
    let mut named_ids = recipients(&members, note, &[author, note_author]);
    if let Some(before) = before {
        let notified = recipients(&members, before, &[note_author]);
        named_ids.retain(|id| !notified.contains(id));
    }
    let mut items = Vec::new();
    for user_id in named_ids {
        let notification = Notification {
            tenant_id: access.tenant,
            notification_id: Uuid::now_v7(),
            user_id,
            kind: MENTION.to_owned(),
            actor_id: Some(author),
            actor_name: Some(access.current.user.display_name.clone()),
            lead_email: Some(note.lead_email.clone()),
            thread_id: None,
            note_id: Some(note.id),
            excerpt: excerpt(&note.body),
            created_at: note.updated_at,
            read_at: None,
        };
        let mailed = services.store.mention_emails(user_id).await?;
        let job = mailed.then(|| mail::job(notification.notification_id));
        items.push((notification, job));
    }
    if !items.is_empty() {
        let store = &services.store;
        store.insert_notifications(access.tenant, &items).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, UserId};

    fn member(email: &str, name: &str, role: Role) -> Member {
        Member {
            user_id: UserId::from_uuid(Uuid::now_v7()),
            email: Email::parse(email).unwrap(),
            display_name: name.into(),
            role,
        }
    }

    #[test]
    fn mentions_start_a_word_and_an_address_in_a_sentence_is_not_one() {
        let text = "@ana, can you call? cc @Bo@Agency.example. Write to bob@example.com. @ana again \
                    (@AnaLopez) @";
        assert_eq!(
            handles(text),
            ["ana", "bo@agency.example", "analopez"],
            "each once, lower-cased, trailing dots dropped"
        );
        assert!(handles("no mentions here").is_empty());
    }

    #[test]
    fn a_handle_names_one_member_by_address_local_part_or_name() {
        let members = [
            member("ana@agency.example", "Ana Lopez", Role::Operator),
            member("ana@client.example", "Ana Client", Role::Client),
            member("bo@agency.example", "Bo", Role::Admin),
        ];
        let id = |handle: &str| named(&members, handle).map(|m| m.email.to_string());
        assert_eq!(id("bo"), Some("bo@agency.example".into()));
        assert_eq!(id("ana"), None, "two members are `ana`");
        assert_eq!(id("ana@client.example"), Some("ana@client.example".into()));
        assert_eq!(id("analopez"), Some("ana@agency.example".into()));
        assert_eq!(id("nobody"), None);
    }
}
