//! Pipelines, written once for both backends, in the tenant's scope; each change and its
//! audit entry (its target the stage's id) in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit::audit_args;
use crate::domain::TenantId;
use crate::leads::stages::{PipelineStore, Sentiment, Stage};
use crate::store::db::{Args, Scope, SqlBacked};
use crate::store::pipeline_sql as q;
use crate::store::{NewAuditEntry, Result, StoreError, sql};

#[async_trait]
impl<S: SqlBacked> PipelineStore for S {
    #[tracing::instrument(name = "store.pipeline_stages", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn pipeline_stages(&self, tenant: TenantId) -> Result<Vec<Stage>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<StageRow> = tx.fetch_all(q::STAGES, Args::new().bind(tenant)).await?;
        Ok(rows.into_iter().filter_map(StageRow::into_stage).collect())
    }

    #[tracing::instrument(name = "store.seed_pipeline", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn seed_pipeline(&self, tenant: TenantId, stages: &[Stage]) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        for stage in stages {
            tx.execute(q::SEED_STAGE, stage_args(tenant, stage)).await?;
        }
        tx.commit().await
    }

    #[tracing::instrument(name = "store.insert_stage", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn insert_stage(
        &self,
        tenant: TenantId,
        stage: &Stage,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(q::INSERT_STAGE, stage_args(tenant, stage))
            .await?;
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.update_stages", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn update_stages(
        &self,
        tenant: TenantId,
        stages: &[Stage],
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        for stage in stages {
            let args = Args::new()
                .bind(tenant)
                .bind(stage.id)
                .bind(&stage.name)
                .bind(stage.position)
                .bind(&stage.colour)
                .bind(stage.sentiment.as_str())
                .bind(stage.archived_at);
            if tx.execute(q::UPDATE_STAGE, args).await? != 1 {
                return Err(StoreError::NotFound);
            }
        }
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await
    }
}

fn stage_args(tenant: TenantId, stage: &Stage) -> Args {
    Args::new()
        .bind(tenant)
        .bind(stage.id)
        .bind(&stage.name)
        .bind(stage.position)
        .bind(&stage.colour)
        .bind(stage.sentiment.as_str())
        .bind(stage.instantly_status)
        .bind(stage.archived_at)
        .bind(stage.created_at)
}

#[derive(sqlx::FromRow)]
struct StageRow {
    stage_id: Uuid,
    name: String,
    position: i64,
    colour: String,
    sentiment: String,
    instantly_status: Option<i64>,
    archived_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl StageRow {
    /// `None` for a sentiment this version does not know (the table's check admits none).
    fn into_stage(self) -> Option<Stage> {
        Some(Stage {
            id: self.stage_id,
            name: self.name,
            position: self.position,
            colour: self.colour,
            sentiment: Sentiment::from_name(&self.sentiment)?,
            instantly_status: self.instantly_status,
            archived_at: self.archived_at,
            created_at: self.created_at,
        })
    }
}
