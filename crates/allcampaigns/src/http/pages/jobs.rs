//! A client's failed background work (`/t/{id}/jobs`): dead jobs with Retry and Cancel, for
//! owners and admins. Cancelling asks for a ticked confirmation.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::auth::csrf::CsrfToken;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::jobs::{Job, JobKind, JobState};
use crate::services::Services;
use crate::tenants::jobs;
use crate::text::{JobsTexts, Problem, Texts};

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    ui: Ui,
    csrf: String,
    tenant: TenantId,
    tenant_name: String,
    rows: Vec<JobRow>,
    /// The list stopped at its limit: older dead jobs exist beyond it.
    at_limit: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// One dead job as the table shows it.
struct JobRow {
    id: Uuid,
    work: &'static str,
    attempts: String,
    /// The last failure in words, escaped by the template like every value.
    error: Option<String>,
    failed_at: String,
}

impl JobRow {
    fn new(job: Job, texts: &Texts) -> Self {
        let t = &texts.jobs;
        Self {
            id: job.id,
            work: work(job.kind, t),
            attempts: (t.attempts_of)(job.attempts, job.max_attempts),
            error: job.last_error.map(|error| texts.stored_fault(&error)),
            failed_at: job.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// What a job of `kind` does, in words; a new kind must be worded here.
fn work(kind: JobKind, t: &JobsTexts) -> &'static str {
    match kind {
        JobKind::Sync => t.kind_sync,
        JobKind::Ping => t.kind_ping,
        JobKind::SnoozeWake => t.kind_snooze_wake,
        JobKind::SendReply => t.kind_send_reply,
        JobKind::SendInterest => t.kind_send_interest,
        JobKind::MarkThreadRead => t.kind_mark_thread_read,
        JobKind::ThreadReminder => t.kind_thread_reminder,
        JobKind::MentionMail => t.kind_mention_mail,
    }
}

async fn page(state: &AppState, access: &TenantAccess, csrf: String) -> AppResult<JobsPage> {
    let dead = jobs::list(&Services::of(state), access, JobState::Dead).await?;
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let ui = Ui::of_access(state, access).await?;
    let at_limit = i64::try_from(dead.len()).is_ok_and(|n| n >= jobs::LIST_LIMIT);
    Ok(JobsPage {
        rows: dead.into_iter().map(|job| JobRow::new(job, ui.t)).collect(),
        ui,
        csrf,
        tenant: access.tenant,
        tenant_name: tenant.name,
        at_limit,
        notice: None,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The notices a redirect back to the page may ask for, by name (never free text).
fn notice_text(name: Option<&str>, t: &'static JobsTexts) -> Option<&'static str> {
    match name? {
        "retried" => Some(t.retried),
        "cancelled" => Some(t.cancelled),
        _ => None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    let page = page(&state, &access, csrf).await?;
    let page = JobsPage {
        notice: notice_text(query.notice.as_deref(), &page.ui.t.jobs),
        ..page
    };
    Ok(render(&page)?.into_response())
}

/// Back to the list with a notice, or the list again with a refusal a person can act on.
async fn outcome(
    state: &AppState,
    access: &TenantAccess,
    csrf: String,
    result: AppResult<Job>,
    notice: &str,
) -> AppResult<Response> {
    match result {
        Ok(_) => {
            let back = format!("/t/{}/jobs?notice={notice}", access.tenant);
            Ok(Redirect::to(&back).into_response())
        }
        Err(error @ (AppError::Conflict(_) | AppError::Invalid { .. })) => {
            let page = page(state, access, csrf).await?;
            let page = JobsPage {
                error: Some(error.words(page.ui.t)),
                ..page
            };
            Ok((error.status(), render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

fn job_id(id: &str) -> AppResult<Uuid> {
    id.parse().map_err(|_| AppError::NotFound)
}

pub async fn retry(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, job)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let result = jobs::retry(&Services::of(&state), &access, job_id(&job)?).await;
    outcome(&state, &access, csrf, result, "retried").await
}

#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn cancel(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, job)): Path<(String, String)>,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let id = job_id(&job)?;
    let result = if form.confirm.as_deref() == Some("on") {
        jobs::cancel(&Services::of(&state), &access, id).await
    } else {
        // Roles first: an unconfirmed cancel by someone who may not cancel is still 403.
        access.require_admin()?;
        Err(AppError::Invalid {
            field: "confirm",
            problem: Problem::CancelUnconfirmed,
        })
    };
    outcome(&state, &access, csrf, result, "cancelled").await
}
