//! A tenant's background jobs under `/tenants/{tenant_id}/jobs`: the dead ones by default,
//! with retry and cancel (owners and admins).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::types::{ErrorEnvelope, JobBody, JobList, JobStateName};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::tenants::jobs;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// Which jobs to list: `dead` (the default) are those that failed their last attempt.
    #[serde(default)]
    #[param(value_type = JobStateName, required = false)]
    state: Option<String>,
}

fn job_id(id: &str) -> AppResult<Uuid> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// The tenant's jobs in one state, the latest change first, at most 200 (owners and admins).
#[utoipa::path(get, path = "/tenants/{tenant_id}/jobs", tag = "jobs",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), JobsQuery),
    responses((status = 200, body = JobList), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
    Query(query): Query<JobsQuery>,
) -> AppResult<Json<JobList>> {
    let wanted = jobs::parse_state(query.state.as_deref())?;
    let listed = jobs::list(&Services::of(&state), &access, wanted).await?;
    Ok(Json(JobList {
        jobs: listed.into_iter().map(Into::into).collect(),
    }))
}

/// Queues a dead job again with fresh attempts (owners and admins). 409 when the job is not
/// dead, or when the same work is already queued or running.
#[utoipa::path(post, path = "/tenants/{tenant_id}/jobs/{job_id}/retry", tag = "jobs",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), ("job_id" = uuid::Uuid, Path, description = "Job id")),
    responses((status = 200, body = JobBody), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn retry(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, job)): Path<(String, String)>,
) -> AppResult<Json<JobBody>> {
    let job = jobs::retry(&Services::of(&state), &access, job_id(&job)?).await?;
    Ok(Json(job.into()))
}

/// Cancels a queued, running or dead job so it never runs again (owners and admins). 409 when
/// it has already finished or was cancelled.
#[utoipa::path(post, path = "/tenants/{tenant_id}/jobs/{job_id}/cancel", tag = "jobs",
    params(("tenant_id" = uuid::Uuid, Path, description = "Tenant id"), ("job_id" = uuid::Uuid, Path, description = "Job id")),
    responses((status = 200, body = JobBody), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn cancel(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, job)): Path<(String, String)>,
) -> AppResult<Json<JobBody>> {
    let job = jobs::cancel(&Services::of(&state), &access, job_id(&job)?).await?;
    Ok(Json(job.into()))
}
