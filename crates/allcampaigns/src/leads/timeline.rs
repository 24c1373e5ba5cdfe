//! One timeline of a lead: its messages, notes, calls and every change of its state (ours and
//! Instantly's), newest first, a page at a time.
//!
//! Each kind is read from its own index, `limit + 1` past the cursor, and the pages merged: the
//! first `limit` of the merge are the first `limit` of the whole, since each kind's next item
//! is among those read. Ties in time fall back to the kind, then the id, so the cursor (`at`,
//! kind, id) names one place. A client representative sees the messages, the shared notes and
//! the changes of stage, value and Instantly's status; not calls, replies, owners or tags.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::replies::Reply;
use super::state::Change;
use super::{Call, Note, PageCursor, lead_key};
use crate::auth::TenantAccess;
use crate::domain::{Role, TenantId};
use crate::error::AppResult;
use crate::inbox::{decode_token, encode_token};
use crate::services::Services;
use crate::store::Result;

/// A message of one of the lead's threads.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: String,
    pub thread_id: String,
    /// `sent` or `received`.
    pub direction: String,
    pub from_address: Option<String>,
    pub subject: String,
    /// The start of its text.
    pub preview: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Change(Change),
    Call(Call),
    Note(Note),
    /// A reply of ours not yet sent (scheduled, sending, not confirmed, failed or undone); a
    /// sent one is on the timeline as its message once sync stores it.
    Reply(Reply),
    Message(Message),
}

impl Event {
    pub fn at(&self) -> DateTime<Utc> {
        self.key().at
    }

    /// Its place: newer first, then by kind, then by id (all descending).
    fn key(&self) -> Key {
        match self {
            Event::Change(c) => Key::new(c.at, 0, c.id.to_string()),
            Event::Call(c) => Key::new(c.at, 1, c.id.to_string()),
            Event::Note(n) => Key::new(n.created_at, 2, n.id.to_string()),
            Event::Reply(r) => Key::new(r.created_at, 3, r.id.to_string()),
            Event::Message(m) => Key::new(m.at, MESSAGE, m.id.clone()),
        }
    }
}

/// The kind of a message in a [`Key`]: the last, so the first of an instant's events.
const MESSAGE: u8 = 4;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Key {
    #[serde(rename = "a")]
    at: DateTime<Utc>,
    #[serde(rename = "k")]
    kind: u8,
    #[serde(rename = "i")]
    id: String,
}

impl Key {
    fn new(at: DateTime<Utc>, kind: u8, id: String) -> Self {
        Self { at, kind, id }
    }
}

/// Where a page starts: past the event of this key.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineCursor(Key);

impl TimelineCursor {
    pub fn encode(&self) -> String {
        encode_token(&self.0)
    }

    /// `None` for anything that is not a cursor this code made.
    pub fn decode(text: &str) -> Option<Self> {
        decode_token::<Key>(text, 512)
            .filter(|k| k.kind <= MESSAGE)
            .map(Self)
    }

    /// The cursor a kind's own page reads past: its ties in time come before the cursor when
    /// the kind sorts before it, after it when after.
    fn for_kind(&self, kind: u8) -> PageCursor {
        let Key {
            at,
            kind: at_kind,
            id,
        } = &self.0;
        let id = match kind.cmp(at_kind) {
            std::cmp::Ordering::Less => Uuid::max(),
            std::cmp::Ordering::Greater => Uuid::nil(),
            std::cmp::Ordering::Equal => id.parse().unwrap_or(Uuid::nil()),
        };
        PageCursor { at: *at, id }
    }

    /// The message cursor: `(at, id)` with the id compared as text. Messages sort first among
    /// their instant's events, so past any other kind every message of the instant was shown.
    fn for_messages(&self) -> (DateTime<Utc>, String) {
        let Key { at, kind, id } = &self.0;
        let id = if *kind == MESSAGE {
            id.clone()
        } else {
            String::new()
        };
        (*at, id)
    }
}

pub struct TimelinePage {
    pub events: Vec<Event>,
    pub next: Option<TimelineCursor>,
}

/// Storage the timeline reads besides notes and calls.
#[async_trait]
pub trait TimelineStore {
    /// Up to `limit` messages of the lead's threads (by `threads.lead_email` in any case)
    /// older than `before` (`(at, id)`, the id compared as text, so an empty id leaves out
    /// every message of that instant), newest first.
    async fn lead_messages(
        &self,
        tenant: TenantId,
        lead_email: &str,
        before: Option<&(DateTime<Utc>, String)>,
        limit: u32,
    ) -> Result<Vec<Message>>;
    /// Up to `limit` changes of the lead past `after`, newest first; of stage, value and
    /// Instantly's status only unless `all_fields`.
    async fn lead_changes(
        &self,
        tenant: TenantId,
        lead_email: &str,
        all_fields: bool,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<Change>>;
}

pub async fn page(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    after: Option<&TimelineCursor>,
    limit: u32,
) -> AppResult<TimelinePage> {
    let lead = lead_key::resolve(services, access.tenant, lead_id).await?;
    let (tenant, staff) = (access.tenant, access.role != Role::Client);
    let read = limit + 1;
    let store = services.store;
    let [changes_at, calls_at, notes_at, replies_at] =
        [0, 1, 2, 3].map(|kind| after.map(|c| c.for_kind(kind)));
    let mut events: Vec<Event> = Vec::new();
    let changes = store.lead_changes(tenant, &lead, staff, changes_at.as_ref(), read);
    events.extend(changes.await?.into_iter().map(Event::Change));
    if staff {
        let calls = store.lead_calls(tenant, &lead, calls_at.as_ref(), read);
        events.extend(calls.await?.into_iter().map(Event::Call));
        let replies = store.lead_replies(tenant, &lead, replies_at.as_ref(), read);
        events.extend(replies.await?.into_iter().map(Event::Reply));
    }
    let notes = store.lead_notes(tenant, &lead, staff, notes_at.as_ref(), read);
    events.extend(notes.await?.into_iter().map(Event::Note));
    let before = after.map(TimelineCursor::for_messages);
    let messages = store.lead_messages(tenant, &lead, before.as_ref(), read);
    events.extend(messages.await?.into_iter().map(Event::Message));
    let mut page = merged(events, limit);
    label(services, access, &mut page.events).await?;
    Ok(page)
}

/// Names the stages, owners and statuses the changes hold by id or number.
async fn label(
    services: &Services<'_>,
    access: &TenantAccess,
    events: &mut [Event],
) -> AppResult<()> {
    let changes = || {
        events.iter().filter_map(|e| match e {
            Event::Change(c) => Some(c),
            _ => None,
        })
    };
    if changes().next().is_none() {
        return Ok(());
    }
    let stages = super::pipeline::list(services, access).await?;
    let owners = changes().any(|c| c.field == "owner");
    let members = if owners {
        services.store.members(access.tenant).await?
    } else {
        Vec::new()
    };
    let name = |field: &str, value: &Option<String>| -> Option<String> {
        let value = value.as_deref()?;
        match field {
            "stage" => stages
                .iter()
                .find(|s| s.id.to_string() == value)
                .map(|s| s.name.clone()),
            "instantly_status" => {
                let status: i64 = value.parse().ok()?;
                stages
                    .iter()
                    .find(|s| s.instantly_status == Some(status))
                    .map(|s| s.name.clone())
            }
            "owner" => members
                .iter()
                .find(|m| m.user_id.to_string() == value)
                .map(|m| m.display_name.clone()),
            _ => Some(value.to_owned()),
        }
    };
    for event in events.iter_mut() {
        if let Event::Change(c) = event {
            c.from_label = name(&c.field, &c.from);
            c.to_label = name(&c.field, &c.to);
        }
    }
    Ok(())
}

/// The first `limit` of `events`, newest first, and the cursor past them when more remain.
fn merged(mut events: Vec<Event>, limit: u32) -> TimelinePage {
    events.sort_by_cached_key(|e| std::cmp::Reverse(e.key()));
    let more = events.len() > limit as usize;
    events.truncate(limit as usize);
    let next = if more {
        events.last().map(|e| TimelineCursor(e.key()))
    } else {
        None
    };
    TimelinePage { events, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str, at: &str) -> Event {
        Event::Message(Message {
            id: id.into(),
            thread_id: "t".into(),
            direction: "received".into(),
            from_address: None,
            subject: String::new(),
            preview: String::new(),
            at: at.parse().unwrap(),
        })
    }

    #[test]
    fn cursors_round_trip_and_order_ties_by_kind() {
        let at: DateTime<Utc> = "2026-12-02T08:00:00.123456Z".parse().unwrap();
        let cursor = TimelineCursor(Key::new(at, 2, Uuid::nil().to_string()));
        assert_eq!(TimelineCursor::decode(&cursor.encode()).unwrap(), cursor);
        assert_eq!(cursor.for_kind(1).id, Uuid::max());
        assert_eq!(cursor.for_kind(3).id, Uuid::nil());
        assert_eq!(cursor.for_kind(4).id, Uuid::nil());
        assert!(TimelineCursor::decode("not a cursor").is_none());
        assert_eq!(cursor.for_messages(), (at, String::new()));
        // Past a message, the instant's messages after it still come; past a reply (which sorts
        // after the instant's messages), none of them.
        let message = TimelineCursor(Key::new(at, MESSAGE, "m-7".into()));
        assert_eq!(message.for_messages(), (at, "m-7".to_owned()));
        let reply = TimelineCursor(Key::new(at, 3, Uuid::nil().to_string()));
        assert_eq!(reply.for_messages(), (at, String::new()));
    }

    #[test]
    fn a_merge_keeps_the_newest_and_says_where_to_go_on() {
        let events = vec![
            message("a", "2026-12-01T10:00:00Z"),
            message("c", "2026-12-01T12:00:00Z"),
            message("b", "2026-12-01T11:00:00Z"),
        ];
        let page = merged(events, 2);
        let ids: Vec<_> = page
            .events
            .iter()
            .map(|e| match e {
                Event::Message(m) => m.id.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(ids, ["c", "b"]);
        assert_eq!(page.next.unwrap().0.id, "b");
    }
}
