//! The leads list across the caller's clients: every Instantly lead record (a lead in one
//! campaign or list), filtered by client, campaign, stage, owner, tag, whether the lead
//! replied, and text in its address, name or company; the most recently updated first, a keyset
//! page at a time.
//!
//! Each client is read on its own (`limit + 1` past the cursor) and the pages merged by
//! (updated, client, id): the first `limit` of the merge are the first of the whole. A stage or
//! tag belongs to one client, so filtering by one reads only that client. For the agency's
//! roles: a client representative's clients are left out.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::stages::Stage;
use super::{pipeline, settings};
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{TenantId, UserId};
use crate::error::AppResult;
use crate::inbox::{decode_token, encode_token};
use crate::services::Services;
use crate::store::Result;

/// Whose leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerFilter {
    Any,
    Nobody,
    User(UserId),
}

/// The filters as asked, ids not yet checked against the clients.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub tenant: Option<TenantId>,
    pub campaign: Option<String>,
    pub stage: Option<Uuid>,
    pub owner: OwnerFilter,
    pub tag: Option<Uuid>,
    pub replied: Option<bool>,
    /// Lower-cased text to find in the address, the name or the company.
    pub text: Option<String>,
}

/// The filters of one client, resolved: a stage with the Instantly status it stands for.
#[derive(Debug, Clone)]
pub struct TenantFilter {
    pub campaign: Option<String>,
    pub stage: Option<(Uuid, Option<i64>)>,
    pub owner: OwnerFilter,
    pub tag: Option<Uuid>,
    pub replied: Option<bool>,
    pub text: Option<String>,
}

/// A row of the list, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListedLead {
    pub tenant_id: TenantId,
    pub instantly_id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub campaign_id: Option<String>,
    pub interest_status: Option<i64>,
    pub reply_count: i64,
    pub last_reply_at: Option<DateTime<Utc>>,
    pub timestamp_updated: DateTime<Utc>,
    pub stage_id: Option<Uuid>,
    pub value_cents: Option<i64>,
    pub owner_id: Option<UserId>,
}

impl ListedLead {
    fn key(&self) -> ListCursor {
        ListCursor {
            at: self.timestamp_updated,
            tenant: self.tenant_id.as_uuid(),
            id: self.instantly_id.clone(),
        }
    }
}

/// Where a page starts: past this row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ListCursor {
    #[serde(rename = "a")]
    pub at: DateTime<Utc>,
    #[serde(rename = "t")]
    pub tenant: Uuid,
    #[serde(rename = "i")]
    pub id: String,
}

impl ListCursor {
    pub fn encode(&self) -> String {
        encode_token(self)
    }

    pub fn decode(text: &str) -> Option<Self> {
        decode_token(text, 512)
    }
}

/// A row as shown: its stage as the client's pipeline names it, its value's currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub lead: ListedLead,
    pub stage: Option<Stage>,
    pub currency: String,
}

pub struct ListPage {
    pub rows: Vec<Row>,
    pub next: Option<ListCursor>,
}

#[async_trait]
pub trait LeadListStore {
    /// Up to `limit` of the tenant's lead records that pass `filter`, past `after` in the
    /// list's order (updated, then client, then id, all descending).
    async fn listed_leads(
        &self,
        tenant: TenantId,
        filter: &TenantFilter,
        after: Option<&ListCursor>,
        limit: u32,
    ) -> Result<Vec<ListedLead>>;
}

pub async fn page(
    services: &Services<'_>,
    current: &CurrentUser,
    filter: &ListFilter,
    after: Option<&ListCursor>,
    limit: u32,
) -> AppResult<ListPage> {
    let mut rows: Vec<(ListedLead, TenantId)> = Vec::new();
    let mut pipelines: Vec<(TenantId, Vec<Stage>, String)> = Vec::new();
    for (access, _) in super::staff_clients(services, current, filter.tenant).await? {
        let stages = pipeline::list(services, &access).await?;
        let Some(resolved) = resolve(services, &access, filter, &stages).await? else {
            continue;
        };
        let found = services
            .store
            .listed_leads(access.tenant, &resolved, after, limit + 1)
            .await?;
        if found.is_empty() {
            continue;
        }
        rows.extend(found.into_iter().map(|lead| (lead, access.tenant)));
        let currency = settings::load(services, &access).await?.currency;
        pipelines.push((access.tenant, stages, currency));
    }
    rows.sort_by_cached_key(|(lead, _)| std::cmp::Reverse(lead.key()));
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = more
        .then(|| rows.last().map(|(lead, _)| lead.key()))
        .flatten();
    let rows = rows
        .into_iter()
        .map(|(lead, tenant)| shown(lead, tenant, &pipelines))
        .collect();
    Ok(ListPage { rows, next })
}

fn shown(lead: ListedLead, tenant: TenantId, pipelines: &[(TenantId, Vec<Stage>, String)]) -> Row {
    let (stages, currency) = pipelines
        .iter()
        .find(|(t, _, _)| *t == tenant)
        .map(|(_, stages, currency)| (stages.as_slice(), currency.clone()))
        .unwrap_or((&[], String::new()));
    let stage = match lead.stage_id {
        Some(id) => stages.iter().find(|s| s.id == id),
        None => lead
            .interest_status
            .and_then(|status| stages.iter().find(|s| s.instantly_status == Some(status))),
    };
    Row {
        stage: stage.cloned(),
        currency,
        lead,
    }
}

/// The filters for one client; `None` when a stage or tag of another client rules it out.
async fn resolve(
    services: &Services<'_>,
    access: &TenantAccess,
    filter: &ListFilter,
    stages: &[Stage],
) -> AppResult<Option<TenantFilter>> {
    let stage = match filter.stage {
        None => None,
        Some(id) => match stages.iter().find(|s| s.id == id) {
            Some(stage) => Some((stage.id, stage.instantly_status)),
            None => return Ok(None),
        },
    };
    if let Some(tag) = filter.tag {
        let tags = services.store.lead_tags(access.tenant).await?;
        if !tags.iter().any(|t| t.id == tag) {
            return Ok(None);
        }
    }
    Ok(Some(TenantFilter {
        campaign: filter.campaign.clone(),
        stage,
        owner: filter.owner,
        tag: filter.tag,
        replied: filter.replied,
        text: filter.text.clone(),
    }))
}
