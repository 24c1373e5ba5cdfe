//! What a connection is: a trigger, filters, a field mapping and a destination, per client.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{TenantId, UserId};

/// What starts a run. The names are the API's and are stored; they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    ReplyReceived,
    PositiveReply,
    StageChanged,
    MeetingBooked,
    OwnerAssigned,
    NoteAdded,
    CallLogged,
    Bounced,
    Unsubscribed,
    MailboxError,
    AlertRaised,
}

impl Trigger {
    pub const ALL: [Self; 11] = [
        Self::ReplyReceived,
        Self::PositiveReply,
        Self::StageChanged,
        Self::MeetingBooked,
        Self::OwnerAssigned,
        Self::NoteAdded,
        Self::CallLogged,
        Self::Bounced,
        Self::Unsubscribed,
        Self::MailboxError,
        Self::AlertRaised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReplyReceived => "reply_received",
            Self::PositiveReply => "positive_reply",
            Self::StageChanged => "stage_changed",
            Self::MeetingBooked => "meeting_booked",
            Self::OwnerAssigned => "owner_assigned",
            Self::NoteAdded => "note_added",
            Self::CallLogged => "call_logged",
            Self::Bounced => "bounced",
            Self::Unsubscribed => "unsubscribed",
            Self::MailboxError => "mailbox_error",
            Self::AlertRaised => "alert_raised",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Which events of the trigger a connection takes; every filter given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The sending mailbox, as Instantly names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
    /// For `stage_changed`: the stage changed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>)]
    pub owner: Option<UserId>,
}

/// The body a destination receives: the chosen fields of the event, renamed, and constants.
/// No fields chosen: every field of the event, as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub fields: Vec<MappedField>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub constants: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappedField {
    /// The event's field.
    pub from: String,
    /// Its name in the body; the event's name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// Where a run goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Destination {
    /// An HTTPS endpoint, signed per Standard Webhooks.
    Webhook { url: String },
    /// A chat incoming webhook (Slack-compatible message blocks).
    Chat { url: String },
    /// Mail to a list of addresses.
    Email { to: Vec<String> },
}

impl Destination {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Webhook { .. } => "webhook",
            Self::Chat { .. } => "chat",
            Self::Email { .. } => "email",
        }
    }
}

/// A stored connection. Its destination's secrets (the signing secret, a chat URL) are sealed
/// and never part of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub tenant: TenantId,
    pub id: Uuid,
    pub name: String,
    pub trigger: Trigger,
    pub filters: Filters,
    pub mapping: Mapping,
    /// What kind of destination, and where, with any secret part left out.
    pub destination_kind: String,
    pub destination_shown: String,
    pub enabled: bool,
    /// Why it stopped itself (410, failure over a day), when it did.
    pub disabled_reason: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn trigger_names_are_the_apis_and_read_back() {
        let names: Vec<&str> = Trigger::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            names,
            [
                "reply_received",
                "positive_reply",
                "stage_changed",
                "meeting_booked",
                "owner_assigned",
                "note_added",
                "call_logged",
                "bounced",
                "unsubscribed",
                "mailbox_error",
                "alert_raised"
            ]
        );
        for t in Trigger::ALL {
            assert_eq!(Trigger::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        }
        assert_eq!(Trigger::parse("reply"), None);
    }

    #[test]
    fn destinations_read_the_issues_shapes_and_refuse_others() {
        let read = |v: serde_json::Value| serde_json::from_value::<Destination>(v);
        let webhook = read(json!({"kind": "webhook", "url": "https://x.example/h"})).unwrap();
        assert_eq!(webhook.kind(), "webhook");
        let chat = read(json!({"kind": "chat", "url": "https://chat.example/h"})).unwrap();
        assert_eq!(chat.kind(), "chat");
        let email = read(json!({"kind": "email", "to": ["a@x.example"]})).unwrap();
        assert_eq!(email.kind(), "email");
        assert!(read(json!({"kind": "sms", "to": "1"})).is_err());
        assert!(read(json!({"kind": "webhook"})).is_err());
        assert!(read(json!({"kind": "webhook", "url": "https://x", "extra": 1})).is_err());
    }
}
