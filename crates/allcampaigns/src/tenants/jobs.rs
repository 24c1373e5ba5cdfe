//! Background work that needs attention (`/t/{id}/jobs`, `/api/v1/tenants/{id}/jobs`): a
//! tenant's dead jobs, which failed their last attempt, for its owners and admins to retry or
//! cancel. Each retry and cancel writes one audit entry naming the job.

use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, JobState};
use crate::services::Services;
use crate::store::StoreError;
use crate::text::Problem;

/// The most jobs one list shows, the latest change first.
pub const LIST_LIMIT: i64 = 200;

/// The state a list asks for by its exact name; none means dead, the jobs that need someone.
pub fn parse_state(name: Option<&str>) -> AppResult<JobState> {
    match name {
        None => Ok(JobState::Dead),
        Some(name) => JobState::from_name(name).ok_or_else(|| AppError::Invalid {
            field: "state",
            problem: Problem::NotAJobState {
                input: name.chars().take(40).collect(),
            },
        }),
    }
}

/// The tenant's jobs in `state` (owners and admins).
pub async fn list(
    services: &Services<'_>,
    access: &TenantAccess,
    state: JobState,
) -> AppResult<Vec<Job>> {
    access.require_admin()?;
    let jobs = services
        .store
        .jobs_in_state(access.tenant, state, LIST_LIMIT)
        .await?;
    Ok(jobs)
}

/// Queues a dead job again with fresh attempts; writes `job.retried`. Refused with a conflict
/// when the job is not dead, or when its unique key already has a live job.
pub async fn retry(services: &Services<'_>, access: &TenantAccess, id: Uuid) -> AppResult<Job> {
    access.require_admin()?;
    let job = find(services, access, id).await?;
    if job.state != JobState::Dead {
        return Err(AppError::Conflict(Problem::JobNotDead));
    }
    match services.store.retry_dead_job(access.tenant, id).await {
        // Retried or cancelled by someone else since it was read.
        Err(StoreError::NotFound) => return Err(AppError::Conflict(Problem::JobNotDead)),
        Err(StoreError::Conflict(_)) => return Err(AppError::Conflict(Problem::JobAlreadyQueued)),
        other => other?,
    }
    let details = json!({"kind": job.kind.as_str(), "attempts": job.attempts});
    record(services, access, AuditAction::JobRetried, &job, details).await;
    find(services, access, id).await
}

/// Cancels a queued, running or dead job (a running holder loses its lease); writes
/// `job.cancelled`. A finished or cancelled job is a conflict.
pub async fn cancel(services: &Services<'_>, access: &TenantAccess, id: Uuid) -> AppResult<Job> {
    access.require_admin()?;
    let job = find(services, access, id).await?;
    if matches!(job.state, JobState::Done | JobState::Cancelled) {
        return Err(AppError::Conflict(Problem::JobFinished));
    }
    match services.store.cancel_queued_job(access.tenant, id).await {
        // Finished or cancelled since it was read.
        Err(StoreError::NotFound) => return Err(AppError::Conflict(Problem::JobFinished)),
        other => other?,
    }
    let details = json!({"kind": job.kind.as_str(), "was": job.state.as_str()});
    record(services, access, AuditAction::JobCancelled, &job, details).await;
    find(services, access, id).await
}

/// The tenant's job; another tenant's (or no) job is `NotFound`.
async fn find(services: &Services<'_>, access: &TenantAccess, id: Uuid) -> AppResult<Job> {
    services
        .store
        .queued_job(access.tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn record(
    services: &Services<'_>,
    access: &TenantAccess,
    action: AuditAction,
    job: &Job,
    details: serde_json::Value,
) {
    let actor = access.current.user.id;
    let target = Some(job.id.to_string());
    audit::record(
        services.store,
        access.tenant,
        actor,
        action,
        target,
        details,
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_asks_for_dead_jobs_unless_it_names_a_state_exactly() {
        assert_eq!(parse_state(None).unwrap(), JobState::Dead);
        assert_eq!(parse_state(Some("queued")).unwrap(), JobState::Queued);
        for wrong in ["", "DEAD", " dead", "gone"] {
            let error = parse_state(Some(wrong)).unwrap_err();
            assert!(
                matches!(error, AppError::Invalid { field: "state", .. }),
                "{wrong:?}"
            );
        }
    }
}
