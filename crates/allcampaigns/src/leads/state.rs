//! A lead's stage, deal value, owner and tags, and every change to them.
//!
//! Owners, admins and operators change them; a client representative reads the stage and
//! the value and nothing else of it (403 on a change). A stage set here is a person's choice
//! and wins over Instantly's later status changes (the conflict rule, docs/ARCHITECTURE.md);
//! a lead without one is at the stage of Instantly's interest status. Every change writes one
//! history row per field changed and one audit entry, in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use super::change::{LeadChange, change};
use super::settings::LeadSettings;
use super::stages::Stage;
use super::suggest::{self, Suggestion};
use super::tags::Tag;
use super::{Author, lead_key, pipeline};
use crate::auth::TenantAccess;
use crate::domain::{Role, TenantId, UserId};
use crate::error::AppResult;
use crate::jobs::NewJob;
use crate::services::Services;
use crate::store::{NewAuditEntry, Result};

/// Where a stage, or a change, came from. The stored names never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Person,
    Rule,
    Instantly,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Rule => "rule",
            Self::Instantly => "instantly",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Person, Self::Rule, Self::Instantly]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// What is stored of a lead's state (all empty for a lead nobody worked yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    /// A stage set by a person or a rule, with that source and a rule's reason.
    pub stage: Option<(Uuid, Source, Option<String>)>,
    pub value_cents: Option<i64>,
    pub owner: Option<UserId>,
    pub tags: Vec<Uuid>,
    /// Instantly's interest status of the lead, as last synced.
    pub instantly_status: Option<i64>,
}

/// A lead's state as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadState {
    pub lead_email: String,
    /// The stage, where it came from, and a rule's reason.
    pub stage: Option<(Stage, Source, Option<String>)>,
    pub instantly_status: Option<i64>,
    pub value_cents: Option<i64>,
    pub currency: String,
    pub owner: Option<Author>,
    pub tags: Vec<Tag>,
}

/// One change of a lead's state, as its history keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: Uuid,
    pub lead_email: String,
    pub actor: Option<Author>,
    pub source: Source,
    /// `stage`, `value`, `owner`, `tag_added`, `tag_removed` or `instantly_status`.
    pub field: String,
    /// As written then: a stage or owner by id, a value with its currency, a tag by name, a
    /// status by number.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The same named for people when read for the timeline: a stage's or owner's name.
    pub from_label: Option<String>,
    pub to_label: Option<String>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// One of the lead's Instantly records: a lead in one campaign or list, as last synced.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LeadRecord {
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
    /// Instantly's custom variables, a JSON object as text.
    pub custom_variables: String,
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

/// One of the lead's threads.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LeadThread {
    pub thread_id: String,
    pub subject: String,
    pub mailbox: String,
    pub message_count: i64,
    pub unread_count: i64,
    pub last_message_at: DateTime<Utc>,
    pub last_direction: String,
}

/// A reply from the lead, as the label rules read it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LatestReply {
    pub thread_id: String,
    pub message_id: String,
    pub body: String,
    pub auto_reply: bool,
    pub at: DateTime<Utc>,
}

/// A label the rules suggest for a thread, from its latest reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSuggestion {
    pub thread_id: String,
    pub message_id: String,
    pub suggestion: Suggestion,
    /// The stage standing for the label's Instantly status, if the pipeline has one.
    pub stage: Option<Stage>,
}

/// Everything the lead page shows but the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadPage {
    pub state: LeadState,
    pub records: Vec<LeadRecord>,
    pub threads: Vec<LeadThread>,
    /// Labels suggested by local rules, one per thread at most, never applied by themselves.
    pub suggestions: Vec<ThreadSuggestion>,
    /// The client's pipeline, tags and settings, as read for the page.
    pub client: Client,
}

/// What one change of a lead's state writes, in one transaction.
#[derive(Debug, Clone)]
pub struct StateWrite<'a> {
    pub lead_email: &'a str,
    pub state: &'a Stored,
    /// One history row per field changed; never empty.
    pub changes: &'a [Change],
    /// When the stage changed: whether the lead's replies now count as positive
    /// (speed-to-reply).
    pub positive: Option<bool>,
    /// The job sending a person's stage to Instantly, enqueued in place of a waiting one.
    pub send: Option<NewJob>,
}

/// Storage of lead state, each statement filtered by its tenant.
#[async_trait]
pub trait LeadStateStore {
    async fn lead_settings(&self, tenant: TenantId) -> Result<Option<LeadSettings>>;
    async fn put_lead_settings(
        &self,
        tenant: TenantId,
        settings: &LeadSettings,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    /// The tenant's tags by name.
    async fn lead_tags(&self, tenant: TenantId) -> Result<Vec<Tag>>;
    async fn insert_lead_tag(
        &self,
        tenant: TenantId,
        tag: &Tag,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    /// `NotFound` when it is gone.
    async fn update_lead_tag(
        &self,
        tenant: TenantId,
        tag: &Tag,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    /// Takes it off every lead too; `NotFound` when it is gone.
    async fn delete_lead_tag(
        &self,
        tenant: TenantId,
        id: Uuid,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    async fn lead_state(&self, tenant: TenantId, lead_email: &str) -> Result<Stored>;
    /// The lead's Instantly records and its threads (by address in any case).
    async fn lead_records(
        &self,
        tenant: TenantId,
        lead_email: &str,
    ) -> Result<(Vec<LeadRecord>, Vec<LeadThread>)>;
    /// The lead's latest replies across its threads, newest first.
    async fn latest_replies(&self, tenant: TenantId, lead_email: &str) -> Result<Vec<LatestReply>>;
    /// Writes the state, its history rows, what follows from them and the audit entry.
    async fn put_lead_state(
        &self,
        tenant: TenantId,
        write: &StateWrite<'_>,
        entry: &NewAuditEntry,
    ) -> Result<()>;
}

/// The lead page: state, Instantly records (fields, custom variables, campaigns with step and
/// variant, engagement) and threads.
pub async fn page(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
) -> AppResult<LeadPage> {
    let lead_email = lead_key::resolve(services, access.tenant, lead_id).await?;
    let stored = services
        .store
        .lead_state(access.tenant, &lead_email)
        .await?;
    let (records, threads) = services
        .store
        .lead_records(access.tenant, &lead_email)
        .await?;
    let replies = services
        .store
        .latest_replies(access.tenant, &lead_email)
        .await?;
    let client = Client::load(services, access).await?;
    let suggestions = suggestions(replies, &client.stages);
    let state = shown(services, access, &client, lead_email, stored).await?;
    Ok(LeadPage {
        state,
        records,
        threads,
        suggestions,
        client,
    })
}

/// The rules' label for each thread's latest reply that they read something in.
fn suggestions(replies: Vec<LatestReply>, stages: &[Stage]) -> Vec<ThreadSuggestion> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for reply in replies {
        if seen.contains(&reply.thread_id) {
            continue;
        }
        seen.push(reply.thread_id.clone());
        let Some(suggestion) = suggest::suggest(&reply.body, reply.auto_reply, reply.at) else {
            continue;
        };
        let status = suggestion.label.instantly_status();
        let stage = stages
            .iter()
            .find(|s| s.instantly_status == Some(status) && s.archived_at.is_none())
            .cloned();
        out.push(ThreadSuggestion {
            thread_id: reply.thread_id,
            message_id: reply.message_id,
            suggestion,
            stage,
        });
    }
    out
}

/// What of the client a lead's state is read against, read once per request.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub stages: Vec<Stage>,
    /// Empty for a client representative, who sees no tags.
    pub tags: Vec<Tag>,
    pub settings: LeadSettings,
}

impl Client {
    pub(super) async fn load(services: &Services<'_>, access: &TenantAccess) -> AppResult<Self> {
        let tags = if access.role == Role::Client {
            Vec::new()
        } else {
            services.store.lead_tags(access.tenant).await?
        };
        Ok(Self {
            stages: pipeline::list(services, access).await?,
            tags,
            settings: super::settings::load(services, access).await?,
        })
    }
}

/// The state as a member of `access`'s role sees it: the stage a person or rule set, else the
/// stage of Instantly's status.
pub(super) async fn shown(
    services: &Services<'_>,
    access: &TenantAccess,
    client: &Client,
    lead_email: String,
    stored: Stored,
) -> AppResult<LeadState> {
    let stages = &client.stages;
    let stage = match &stored.stage {
        Some((id, source, reason)) => stages
            .iter()
            .find(|s| s.id == *id)
            .map(|s| (s.clone(), *source, reason.clone())),
        None => stored.instantly_status.and_then(|status| {
            let stage = stages.iter().find(|s| s.instantly_status == Some(status))?;
            Some((stage.clone(), Source::Instantly, None))
        }),
    };
    let (owner, tags) = if access.role == Role::Client {
        (None, Vec::new())
    } else {
        let tags = client.tags.iter().filter(|t| stored.tags.contains(&t.id));
        let owner = owner_author(services, access, stored.owner).await?;
        (owner, tags.cloned().collect())
    };
    Ok(LeadState {
        lead_email,
        stage,
        instantly_status: stored.instantly_status,
        value_cents: stored.value_cents,
        currency: client.settings.currency.clone(),
        owner,
        tags,
    })
}

async fn owner_author(
    services: &Services<'_>,
    access: &TenantAccess,
    owner: Option<UserId>,
) -> AppResult<Option<Author>> {
    let Some(owner) = owner else { return Ok(None) };
    let members = services.store.members(access.tenant).await?;
    Ok(members
        .into_iter()
        .find(|m| m.user_id == owner)
        .map(|m| Author {
            user_id: m.user_id,
            display_name: m.display_name,
            email: m.email.to_string(),
            role: Some(m.role),
        }))
}
