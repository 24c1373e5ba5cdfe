//! A client's pipeline: `/tenants/{tenant_id}/pipeline` and its `stages`. Every member reads
//! it; owners and admins add and change stages. There is no DELETE: a stage is archived.
//! Rules: `leads::pipeline`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::types::ErrorEnvelope;
use super::{ApiJson, JsonObject};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::leads::pipeline::{self, StageChange, StageInput};
use crate::leads::stages::{Sentiment, Stage};
use crate::services::Services;

/// The stages in pipeline order, archived ones too (flagged); seeded with Instantly's
/// interest statuses on the first read.
#[utoipa::path(get, path = "/tenants/{tenant_id}/pipeline", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    responses((status = 200, body = PipelineItem), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
) -> AppResult<Json<PipelineItem>> {
    let stages = pipeline::list(&Services::of(&state), &access).await?;
    Ok(Json(PipelineItem {
        tenant_id: access.tenant.as_uuid(),
        stages: stages.into_iter().map(StageItem::from).collect(),
    }))
}

/// Adds a stage at the end of the pipeline (owners and admins).
#[utoipa::path(post, path = "/tenants/{tenant_id}/pipeline/stages", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id")),
    request_body = StageRequest,
    responses((status = 201, body = StageItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn add_stage(
    State(state): State<AppState>,
    access: TenantAccess,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<StageRequest>>,
) -> AppResult<(StatusCode, Json<StageItem>)> {
    let input = StageInput {
        name: request.name,
        colour: request.colour,
        sentiment: request.sentiment,
    };
    let stage = pipeline::add(&Services::of(&state), &access, input).await?;
    Ok((StatusCode::CREATED, Json(stage.into())))
}

/// Renames, recolours, moves, archives or unarchives a stage (owners and admins).
#[utoipa::path(patch, path = "/tenants/{tenant_id}/pipeline/stages/{stage_id}", tag = "leads",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"),
        ("stage_id" = uuid::Uuid, Path, description = "Stage id")),
    request_body = StageChangeRequest,
    responses((status = 200, body = StageItem), (status = 400, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
pub async fn change_stage(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, stage_id)): Path<(String, String)>,
    ApiJson(JsonObject(request)): ApiJson<JsonObject<StageChangeRequest>>,
) -> AppResult<Json<StageItem>> {
    let change = StageChange {
        name: request.name,
        colour: request.colour,
        sentiment: request.sentiment,
        position: request.position,
        archived: request.archived,
    };
    let stage = pipeline::change(&Services::of(&state), &access, &stage_id, change).await?;
    Ok(Json(stage.into()))
}

/// A stage to add: grey and neutral unless said otherwise.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRequest {
    /// 1 to 60 characters, unique within the client's pipeline in any case.
    pub name: String,
    /// `#rrggbb`.
    #[serde(default)]
    pub colour: Option<String>,
    /// `positive`, `neutral` or `negative`.
    #[serde(default)]
    pub sentiment: Option<String>,
}

/// What to change; what is absent stays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChangeRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub sentiment: Option<String>,
    /// The stage's new place, from 0 (the first) to the number of stages less one.
    #[serde(default)]
    pub position: Option<i64>,
    /// `true` archives the stage (it stays on leads that have it), `false` brings it back.
    #[serde(default)]
    pub archived: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct PipelineItem {
    pub tenant_id: uuid::Uuid,
    pub stages: Vec<StageItem>,
}

#[derive(Serialize, ToSchema)]
pub struct StageItem {
    pub stage_id: uuid::Uuid,
    pub name: String,
    pub position: i64,
    pub colour: String,
    pub sentiment: Sentiment,
    /// The Instantly interest status the stage stands for, if any.
    pub instantly_status: Option<i64>,
    pub archived: bool,
    pub archived_at: Option<DateTime<Utc>>,
}

impl From<Stage> for StageItem {
    fn from(stage: Stage) -> Self {
        Self {
            stage_id: stage.id,
            name: stage.name,
            position: stage.position,
            colour: stage.colour,
            sentiment: stage.sentiment,
            instantly_status: stage.instantly_status,
            archived: stage.archived_at.is_some(),
            archived_at: stage.archived_at,
        }
    }
}
