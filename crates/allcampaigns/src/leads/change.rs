//! Changing a lead's stage, value, owner and tags. A change is checked against the client once
//! ([`CheckedChange::check`]: role, stage, value, owner, tags) and then applied to one lead or
//! to many (the leads list's bulk actions), each lead in its own transaction with its history
//! rows, audit entry, speed-to-reply touch and write-back to Instantly.

use chrono::{SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::speed::{self, TouchKind};
use super::stages::{Sentiment, Stage};
use super::state::{Change, Client, LeadState, Source, StateWrite, Stored, shown};
use super::tags::{self, Tag};
use super::{Author, input::invalid, lead_key, money, write_back};
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::domain::{Role, UserId};
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// What to change; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct LeadChange {
    /// A stage id; cleared, the lead is back at Instantly's status.
    pub stage: Option<Option<String>>,
    /// A decimal amount in the client's currency.
    pub value: Option<Option<String>>,
    /// A member's user id.
    pub owner: Option<Option<String>>,
    /// The tag ids the lead has after the change.
    pub tags: Option<Vec<String>>,
    /// Tag ids to give the lead, and to take off it, after `tags`.
    pub tags_added: Vec<String>,
    pub tags_removed: Vec<String>,
}

/// A change found good for the client, ready for any number of its leads.
pub struct CheckedChange {
    client: Client,
    stage: Option<Option<Uuid>>,
    value_cents: Option<Option<i64>>,
    owner: Option<Option<UserId>>,
    tags: Option<Vec<Uuid>>,
    tags_added: Vec<Uuid>,
    tags_removed: Vec<Uuid>,
}

/// Changes one lead.
pub async fn change(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    change: LeadChange,
) -> AppResult<LeadState> {
    let checked = CheckedChange::check(services, access, &change).await?;
    checked.apply(services, access, lead_id).await
}

impl CheckedChange {
    /// Refuses a client representative (403) and each field the client cannot take (422).
    pub async fn check(
        services: &Services<'_>,
        access: &TenantAccess,
        change: &LeadChange,
    ) -> AppResult<Self> {
        if access.role == Role::Client {
            return Err(AppError::Forbidden);
        }
        let client = Client::load(services, access).await?;
        let stage = match &change.stage {
            Some(Some(id)) => Some(Some(live_stage(&client.stages, id)?)),
            Some(None) => Some(None),
            None => None,
        };
        let value_cents = match &change.value {
            Some(value) => Some(value.as_deref().map(money::cents).transpose()?),
            None => None,
        };
        let owner = match &change.owner {
            Some(Some(id)) => Some(Some(owner_of(services, access, id).await?)),
            Some(None) => Some(None),
            None => None,
        };
        let tags = match &change.tags {
            Some(ids) => Some(tag_ids(&client.tags, "tags", ids)?),
            None => None,
        };
        Ok(Self {
            tags_added: tag_ids(&client.tags, "tags_added", &change.tags_added)?,
            tags_removed: tag_ids(&client.tags, "tags_removed", &change.tags_removed)?,
            client,
            stage,
            value_cents,
            owner,
            tags,
        })
    }

    /// The lead's state after the change.
    fn after(&self, before: &Stored) -> Stored {
        let mut after = before.clone();
        if let Some(stage) = self.stage {
            after.stage = stage.map(|id| (id, Source::Person, None));
        }
        if let Some(value) = self.value_cents {
            after.value_cents = value;
        }
        if let Some(owner) = self.owner {
            after.owner = owner;
        }
        if let Some(tags) = &self.tags {
            after.tags = tags.clone();
        }
        after.tags.retain(|tag| !self.tags_removed.contains(tag));
        for tag in &self.tags_added {
            if !after.tags.contains(tag) {
                after.tags.push(*tag);
            }
        }
        after
    }

    /// Applies the change to one lead (404 when the client has no such lead).
    pub async fn apply(
        &self,
        services: &Services<'_>,
        access: &TenantAccess,
        lead_id: &str,
    ) -> AppResult<LeadState> {
        let lead_email = lead_key::resolve(services, access.tenant, lead_id).await?;
        let store = &services.store;
        let before = store.lead_state(access.tenant, &lead_email).await?;
        let after = self.after(&before);
        let now = Utc::now().trunc_subsecs(6);
        let client = &self.client;
        let changes: Vec<Change> = differences(&before, &after, client)
            .into_iter()
            .map(|(field, from, to)| Change {
                id: Uuid::now_v7(),
                lead_email: lead_email.clone(),
                actor: Some(Author::acting(access)),
                source: Source::Person,
                field: field.into(),
                from,
                to,
                from_label: None,
                to_label: None,
                reason: None,
                at: now,
            })
            .collect();
        if !changes.is_empty() {
            let stage_changed = changes.iter().any(|c| c.field == "stage");
            let sent = stage_changed && client.settings.instantly_writes && after.stage.is_some();
            let write = StateWrite {
                lead_email: &lead_email,
                state: &after,
                changes: &changes,
                positive: stage_changed.then(|| is_positive(&client.stages, &after)),
                send: sent.then(|| write_back::interest_job(&lead_email)),
            };
            let entry = entry(access, &lead_email, &changes);
            store.put_lead_state(access.tenant, &write, &entry).await?;
            if stage_changed {
                speed::touch(services, access, &lead_email, TouchKind::Stage, now).await?;
            }
        }
        shown(services, access, client, lead_email, after).await
    }
}

fn entry(
    access: &TenantAccess,
    lead_email: &str,
    changes: &[Change],
) -> crate::store::NewAuditEntry {
    let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    let details = json!({"lead": lead_email, "fields": fields});
    let actor = Some(access.current.user.id);
    audit::entry(
        actor,
        AuditAction::LeadChanged,
        Some(lead_email.to_owned()),
        details,
    )
}

/// Whether a lead in this state counts as a positive reply: by the sentiment of the stage a
/// person or rule set, else by Instantly's interested family (statuses 1 to 4).
fn is_positive(stages: &[Stage], state: &Stored) -> bool {
    match &state.stage {
        Some((id, _, _)) => stages
            .iter()
            .any(|s| s.id == *id && s.sentiment == Sentiment::Positive),
        None => state.instantly_status.is_some_and(|s| (1..=4).contains(&s)),
    }
}

/// A stage of the tenant that is not archived: an archived stage stays on the leads that have
/// it but is not given to more.
fn live_stage(stages: &[Stage], stage_id: &str) -> AppResult<Uuid> {
    let refused = || {
        invalid(
            "stage",
            stage_id.chars().take(40).collect(),
            "a stage of this client",
        )
    };
    let id: Uuid = stage_id.trim().parse().map_err(|_| refused())?;
    let stage = stages.iter().find(|s| s.id == id).ok_or_else(refused)?;
    if stage.archived_at.is_some() {
        return Err(invalid(
            "stage",
            stage.name.clone(),
            "an active stage (archived ones are given to no more leads)",
        ));
    }
    Ok(stage.id)
}

/// A member of the agency's staff (not a client representative) of the tenant.
async fn owner_of(services: &Services<'_>, access: &TenantAccess, id: &str) -> AppResult<UserId> {
    let refused = || {
        invalid(
            "owner",
            id.chars().take(40).collect(),
            "a member of the agency's staff",
        )
    };
    let uuid: Uuid = id.trim().parse().map_err(|_| refused())?;
    let user = UserId::from_uuid(uuid);
    match services.store.member_role(access.tenant, user).await? {
        Some(role) if role != Role::Client => Ok(user),
        _ => Err(refused()),
    }
}

fn tag_ids(all: &[Tag], field: &'static str, ids: &[String]) -> AppResult<Vec<Uuid>> {
    let mut chosen = Vec::with_capacity(ids.len());
    for id in ids {
        let tag = tags::find_in(all, id)
            .map_err(|_| invalid(field, id.chars().take(40).collect(), "tags of this client"))?;
        if !chosen.contains(&tag.id) {
            chosen.push(tag.id);
        }
    }
    Ok(chosen)
}

/// `(field, from, to)` for each field `after` changes, as the history writes them.
fn differences(
    before: &Stored,
    after: &Stored,
    client: &Client,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let stage_of = |s: &Stored| s.stage.as_ref().map(|(id, _, _)| id.to_string());
    if stage_of(before) != stage_of(after) {
        out.push(("stage", stage_of(before), stage_of(after)));
    }
    let currency = &client.settings.currency;
    let value_of = |s: &Stored| {
        s.value_cents
            .map(|cents| format!("{} {currency}", money::decimal(cents)))
    };
    if before.value_cents != after.value_cents {
        out.push(("value", value_of(before), value_of(after)));
    }
    if before.owner != after.owner {
        let id = |owner: Option<UserId>| owner.map(|o| o.to_string());
        out.push(("owner", id(before.owner), id(after.owner)));
    }
    let name = |id: &Uuid| {
        let tag = client.tags.iter().find(|t| t.id == *id);
        tag.map(|t| t.name.clone())
    };
    for added in after.tags.iter().filter(|t| !before.tags.contains(t)) {
        out.push(("tag_added", None, name(added)));
    }
    for removed in before.tags.iter().filter(|t| !after.tags.contains(t)) {
        out.push(("tag_removed", name(removed), None));
    }
    out
}
