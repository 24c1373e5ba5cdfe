//! The JSON shapes of a lead's state, its tags, the client's lead settings and the lead's
//! timeline, each with its schema for the OpenAPI document.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::leads_types::{AuthorItem, CallItem, NoteItem};
use super::pipeline::StageItem;
use super::replies_types::ReplyItem;
use crate::domain::{Role, TenantId};
use crate::leads::settings::{LeadSettings, SettingsChange, clock};
use crate::leads::state::{
    Change, LeadChange, LeadPage, LeadRecord, LeadState, LeadThread, ThreadSuggestion,
};
use crate::leads::tags::{Tag, TagInput};
use crate::leads::timeline::{Event, TimelinePage};
use crate::leads::{money, state::Source};

/// A field given, possibly as null: `Some(None)`; absent, it stays `None` (`#[serde(default)]`).
fn given<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An amount as a JSON number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Amount {
    Number(serde_json::Number),
    Text(String),
}

/// What to change of a lead; what is absent stays, and null clears.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadChangeRequest {
    /// A stage id of the client's pipeline (not archived). Null: back to the stage of
    /// Instantly's interest status.
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub stage: Option<Option<String>>,
    /// The deal value in the client's currency, such as `1250.50`, at most two decimals.
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>, example = "1250.50")]
    pub value: Option<Option<Amount>>,
    /// A user id of a member of the agency's staff.
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub owner: Option<Option<String>>,
    /// The tag ids the lead has after the change (the client's own tags).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Tag ids to give the lead, keeping its others.
    #[serde(default)]
    pub tags_added: Vec<String>,
    /// Tag ids to take off the lead, keeping its others.
    #[serde(default)]
    pub tags_removed: Vec<String>,
}

impl From<LeadChangeRequest> for LeadChange {
    fn from(request: LeadChangeRequest) -> Self {
        let text = |amount: Amount| match amount {
            Amount::Number(n) => n.to_string(),
            Amount::Text(t) => t,
        };
        Self {
            stage: request.stage,
            value: request.value.map(|v| v.map(text)),
            owner: request.owner,
            tags: request.tags,
            tags_added: request.tags_added,
            tags_removed: request.tags_removed,
        }
    }
}

/// One change to many leads of the client: each lead changed as by its own `PATCH`, in its
/// own transaction and with its own timeline entries.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadBulkRequest {
    /// 1 to 500 Instantly lead ids or addresses.
    pub leads: Vec<String>,
    /// What to change of each, as a lead's `PATCH` takes it.
    pub change: LeadChangeRequest,
}

/// What a bulk change did.
#[derive(Serialize, ToSchema)]
pub struct LeadBulkResult {
    /// The leads changed (or already so), by address.
    pub changed: Vec<String>,
    /// The leads asked for that the client does not have, as given.
    pub not_found: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TagItem {
    pub tag_id: uuid::Uuid,
    pub name: String,
    pub colour: String,
    pub created_at: DateTime<Utc>,
}

impl From<Tag> for TagItem {
    fn from(tag: Tag) -> Self {
        Self {
            tag_id: tag.id,
            name: tag.name,
            colour: tag.colour,
            created_at: tag.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TagList {
    pub items: Vec<TagItem>,
}

/// A tag to add (`name` needed) or what to change of one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagRequest {
    /// 1 to 40 characters, unique within the client in any case.
    #[serde(default)]
    pub name: Option<String>,
    /// `#rrggbb`.
    #[serde(default)]
    pub colour: Option<String>,
}

impl From<TagRequest> for TagInput {
    fn from(request: TagRequest) -> Self {
        Self {
            name: request.name,
            colour: request.colour,
        }
    }
}

/// A lead's stage, value, owner and tags. A client representative gets no owner and no tags.
#[derive(Serialize, ToSchema)]
pub struct LeadItem {
    pub tenant_id: uuid::Uuid,
    /// The lead's address, lower-cased: the lead's key.
    pub lead_email: String,
    pub stage: Option<StageItem>,
    /// Where the stage came from: `person`, `rule` or `instantly`.
    pub stage_source: Option<String>,
    /// For a rule's stage: why.
    pub stage_reason: Option<String>,
    /// Instantly's interest status, as last synced.
    pub instantly_status: Option<i64>,
    /// The deal value, two decimals.
    pub value: Option<String>,
    pub currency: String,
    pub owner: Option<AuthorItem>,
    pub tags: Vec<TagItem>,
}

impl LeadItem {
    pub fn new(tenant: TenantId, viewer: Role, state: LeadState) -> Self {
        let (stage, source, reason) = match state.stage {
            Some((stage, source, reason)) => (Some(stage.into()), Some(source), reason),
            None => (None, None, None),
        };
        Self {
            tenant_id: tenant.as_uuid(),
            lead_email: state.lead_email,
            stage,
            stage_source: source.map(|s: Source| s.as_str().to_owned()),
            stage_reason: reason,
            instantly_status: state.instantly_status,
            value: state.value_cents.map(money::decimal),
            currency: state.currency,
            owner: state.owner.map(|o| AuthorItem::seen_by(viewer, o)),
            tags: state.tags.into_iter().map(TagItem::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeadSettingsItem {
    pub tenant_id: uuid::Uuid,
    /// ISO 4217.
    pub currency: String,
    /// IANA time zone.
    pub time_zone: String,
    /// Business hours, local time, `HH:MM`.
    pub day_starts: String,
    pub day_ends: String,
    /// Business days: `mon` … `sun`.
    pub workdays: Vec<String>,
    /// Replies and stage statuses are sent to Instantly.
    pub instantly_writes: bool,
    /// Null while the client has the defaults.
    pub updated_at: Option<DateTime<Utc>>,
}

impl LeadSettingsItem {
    pub fn new(tenant: TenantId, settings: LeadSettings) -> Self {
        Self {
            tenant_id: tenant.as_uuid(),
            workdays: settings
                .workday_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            currency: settings.currency,
            time_zone: settings.time_zone.name().to_owned(),
            day_starts: clock(settings.day_starts),
            day_ends: clock(settings.day_ends),
            instantly_writes: settings.instantly_writes,
            updated_at: settings.updated_at,
        }
    }
}

/// What to change of the client's lead settings; what is absent stays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadSettingsRequest {
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub day_starts: Option<String>,
    #[serde(default)]
    pub day_ends: Option<String>,
    #[serde(default)]
    pub workdays: Option<Vec<String>>,
    #[serde(default)]
    pub instantly_writes: Option<bool>,
}

impl From<LeadSettingsRequest> for SettingsChange {
    fn from(r: LeadSettingsRequest) -> Self {
        Self {
            currency: r.currency,
            time_zone: r.time_zone,
            day_starts: r.day_starts,
            day_ends: r.day_ends,
            workdays: r.workdays,
            instantly_writes: r.instantly_writes,
        }
    }
}

/// A change of the lead's state: who (null for Instantly or a rule), when, from, to.
#[derive(Serialize, ToSchema)]
pub struct ChangeItem {
    pub change_id: uuid::Uuid,
    pub actor: Option<AuthorItem>,
    /// `person`, `rule` or `instantly`.
    pub source: String,
    /// `stage`, `value`, `owner`, `tag_added`, `tag_removed` or `instantly_status`.
    pub field: String,
    /// As stored: a stage or owner id, a value with its currency, a tag name, a status number.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The same named for people: a stage's or owner's name, a status's stage.
    pub from_label: Option<String>,
    pub to_label: Option<String>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl ChangeItem {
    fn new(viewer: Role, change: Change) -> Self {
        Self {
            change_id: change.id,
            actor: change.actor.map(|a| AuthorItem::seen_by(viewer, a)),
            source: change.source.as_str().to_owned(),
            field: change.field,
            from: change.from,
            to: change.to,
            from_label: change.from_label,
            to_label: change.to_label,
            reason: change.reason,
            at: change.at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageItem {
    pub message_id: String,
    pub thread_id: String,
    /// `sent` or `received`.
    pub direction: String,
    pub from_address: Option<String>,
    pub subject: String,
    /// The start of the message's text.
    pub preview: String,
    pub at: DateTime<Utc>,
}

/// One event of the timeline; `kind` says which of the other fields is set.
#[derive(Serialize, ToSchema)]
pub struct TimelineItem {
    /// `change`, `call`, `note`, `reply` (one of ours not yet sent) or `message`.
    pub kind: &'static str,
    pub at: DateTime<Utc>,
    pub change: Option<ChangeItem>,
    pub call: Option<CallItem>,
    pub note: Option<NoteItem>,
    pub reply: Option<ReplyItem>,
    pub message: Option<MessageItem>,
}

impl TimelineItem {
    fn new(tenant: TenantId, viewer: Role, event: Event) -> Self {
        let mut item = Self {
            kind: "change",
            at: event.at(),
            change: None,
            call: None,
            note: None,
            reply: None,
            message: None,
        };
        match event {
            Event::Change(c) => item.change = Some(ChangeItem::new(viewer, c)),
            Event::Call(c) => {
                item.kind = "call";
                item.call = Some(CallItem::new(tenant, viewer, c));
            }
            Event::Note(n) => {
                item.kind = "note";
                item.note = Some(NoteItem::new(tenant, viewer, n));
            }
            Event::Reply(r) => {
                item.kind = "reply";
                item.reply = Some(ReplyItem::new(tenant, viewer, r));
            }
            Event::Message(m) => {
                item.kind = "message";
                item.message = Some(MessageItem {
                    message_id: m.id,
                    thread_id: m.thread_id,
                    direction: m.direction,
                    from_address: m.from_address,
                    subject: m.subject,
                    preview: m.preview,
                    at: m.at,
                });
            }
        }
        item
    }
}

/// A lead's timeline, newest first.
#[derive(Serialize, ToSchema)]
pub struct TimelineList {
    pub items: Vec<TimelineItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl TimelineList {
    pub fn new(tenant: TenantId, viewer: Role, page: TimelinePage) -> Self {
        Self {
            items: page
                .events
                .into_iter()
                .map(|e| TimelineItem::new(tenant, viewer, e))
                .collect(),
            next_cursor: page.next.map(|c| c.encode()),
        }
    }
}

/// One of the lead's Instantly records: the lead in one campaign or list, as last synced.
#[derive(Serialize, ToSchema)]
pub struct LeadRecordItem {
    pub instantly_id: String,
    pub campaign_id: Option<String>,
    pub campaign_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub job_title: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub personalization: Option<String>,
    /// Instantly's custom variables.
    #[schema(value_type = Object)]
    pub custom_variables: serde_json::Value,
    /// Instantly's lead status and interest status.
    pub status: i64,
    pub interest_status: Option<i64>,
    /// The campaign step and variant the lead last replied to.
    pub replied_step: Option<i64>,
    pub replied_variant: Option<i64>,
    pub open_count: i64,
    pub reply_count: i64,
    pub click_count: i64,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub last_reply_at: Option<DateTime<Utc>>,
}

impl From<LeadRecord> for LeadRecordItem {
    fn from(r: LeadRecord) -> Self {
        let custom_variables =
            serde_json::from_str(&r.custom_variables).unwrap_or_else(|_| serde_json::json!({}));
        Self {
            instantly_id: r.instantly_id,
            campaign_id: r.campaign_id,
            campaign_name: r.campaign_name,
            first_name: r.first_name,
            last_name: r.last_name,
            company_name: r.company_name,
            job_title: r.job_title,
            phone: r.phone,
            website: r.website,
            personalization: r.personalization,
            custom_variables,
            status: r.status,
            interest_status: r.interest_status,
            replied_step: r.replied_step,
            replied_variant: r.replied_variant,
            open_count: r.open_count,
            reply_count: r.reply_count,
            click_count: r.click_count,
            last_contact_at: r.last_contact_at,
            last_reply_at: r.last_reply_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeadThreadItem {
    pub thread_id: String,
    pub subject: String,
    pub mailbox: String,
    pub message_count: i64,
    pub unread_count: i64,
    pub last_message_at: DateTime<Utc>,
    /// `sent` or `received`.
    pub last_direction: String,
}

impl From<LeadThread> for LeadThreadItem {
    fn from(t: LeadThread) -> Self {
        Self {
            thread_id: t.thread_id,
            subject: t.subject,
            mailbox: t.mailbox,
            message_count: t.message_count,
            unread_count: t.unread_count,
            last_message_at: t.last_message_at,
            last_direction: t.last_direction,
        }
    }
}

/// A label suggested by a local rule for a thread's latest reply; applied only by a person.
#[derive(Serialize, ToSchema)]
pub struct SuggestionItem {
    pub thread_id: String,
    pub message_id: String,
    /// `out_of_office`, `unsubscribe`, `wrong_person` or `not_interested`.
    pub label: String,
    /// The words the rule read, as written (or "an automatic reply").
    pub reason: String,
    /// For an out-of-office reply: the day the writer says they are back.
    pub until: Option<chrono::NaiveDate>,
    /// The stage that stands for the label, to set with `PATCH` if a person agrees.
    pub stage: Option<StageItem>,
}

impl From<ThreadSuggestion> for SuggestionItem {
    fn from(t: ThreadSuggestion) -> Self {
        Self {
            thread_id: t.thread_id,
            message_id: t.message_id,
            label: t.suggestion.label.as_str().to_owned(),
            reason: t.suggestion.reason,
            until: t.suggestion.until,
            stage: t.stage.map(StageItem::from),
        }
    }
}

/// The lead page: its state, its Instantly records, its threads and the labels suggested.
#[derive(Serialize, ToSchema)]
pub struct LeadPageItem {
    #[serde(flatten)]
    pub lead: LeadItem,
    pub records: Vec<LeadRecordItem>,
    pub threads: Vec<LeadThreadItem>,
    pub suggestions: Vec<SuggestionItem>,
}

impl LeadPageItem {
    pub fn new(tenant: TenantId, viewer: Role, page: LeadPage) -> Self {
        Self {
            lead: LeadItem::new(tenant, viewer, page.state),
            records: page.records.into_iter().map(LeadRecordItem::from).collect(),
            threads: page.threads.into_iter().map(LeadThreadItem::from).collect(),
            suggestions: page
                .suggestions
                .into_iter()
                .map(SuggestionItem::from)
                .collect(),
        }
    }
}
