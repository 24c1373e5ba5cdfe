//! A client's pipeline: the stages a lead moves through, seeded from Instantly's interest
//! statuses and then the client's own to rename, recolour, reorder and archive (never delete:
//! a lead's history names its stages). Rules: [`super::pipeline`]; storage: `PipelineStore`,
//! in `store/shared/pipeline.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::TenantId;
use crate::store::{NewAuditEntry, Result};

/// The most stages one client's pipeline holds, archived ones included.
pub const MAX_STAGES: usize = 50;
/// The longest stage name, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// How a stage reads for the agency's reports. The stored names never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub const ALL: [Self; 3] = [Self::Positive, Self::Neutral, Self::Negative];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Neutral => "neutral",
            Self::Negative => "negative",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub id: Uuid,
    pub name: String,
    /// Its place in the pipeline, from 0; ties (never made here) fall back to the id.
    pub position: i64,
    /// `#rrggbb`, lower-case.
    pub colour: String,
    pub sentiment: Sentiment,
    /// The Instantly interest status it stands for, if any (one stage per status).
    pub instantly_status: Option<i64>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Instantly's interest statuses, in the order a new pipeline shows them.
const DEFAULTS: [(&str, i64, Sentiment, &str); 9] = [
    ("Interested", 1, Sentiment::Positive, "#22c55e"),
    ("Meeting booked", 2, Sentiment::Positive, "#16a34a"),
    ("Meeting completed", 3, Sentiment::Positive, "#15803d"),
    ("Won", 4, Sentiment::Positive, "#166534"),
    ("Out of office", 0, Sentiment::Neutral, "#9ca3af"),
    ("Not interested", -1, Sentiment::Negative, "#f87171"),
    ("Wrong person", -2, Sentiment::Negative, "#ef4444"),
    ("Lost", -3, Sentiment::Negative, "#dc2626"),
    ("No show", -4, Sentiment::Negative, "#b91c1c"),
];

/// The stages a client's pipeline starts with, made at `now`.
pub fn defaults(now: DateTime<Utc>) -> Vec<Stage> {
    DEFAULTS
        .iter()
        .zip(0..)
        .map(|(&(name, status, sentiment, colour), position)| Stage {
            id: Uuid::now_v7(),
            name: name.into(),
            position,
            colour: colour.into(),
            sentiment,
            instantly_status: Some(status),
            archived_at: None,
            created_at: now,
        })
        .collect()
}

/// Storage of pipelines, each statement filtered by its tenant; each change writes its audit
/// entry in its transaction.
#[async_trait]
pub trait PipelineStore {
    /// The tenant's stages in pipeline order, archived ones too.
    async fn pipeline_stages(&self, tenant: TenantId) -> Result<Vec<Stage>>;
    /// Inserts each of `stages` whose Instantly status the tenant has no stage for yet: safe
    /// when two first reads race.
    async fn seed_pipeline(&self, tenant: TenantId, stages: &[Stage]) -> Result<()>;
    async fn insert_stage(
        &self,
        tenant: TenantId,
        stage: &Stage,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    /// Writes each stage's name, position, colour, sentiment and archiving; `NotFound` when
    /// one is gone.
    async fn update_stages(
        &self,
        tenant: TenantId,
        stages: &[Stage],
        entry: &NewAuditEntry,
    ) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_instantly_statuses_in_order() {
        let stages = defaults(Utc::now());
        let statuses: Vec<_> = stages.iter().filter_map(|s| s.instantly_status).collect();
        assert_eq!(statuses, [1, 2, 3, 4, 0, -1, -2, -3, -4]);
        let positions: Vec<_> = stages.iter().map(|s| s.position).collect();
        assert_eq!(positions, (0..9).collect::<Vec<_>>());
        assert!(
            stages
                .iter()
                .all(|s| super::super::pipeline::is_colour(&s.colour))
        );
    }
}
