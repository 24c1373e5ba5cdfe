//! The audit trail of one tenant, for its owners and admins, with filters.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::store::{AuditEntry, AuditFilter, Member};
use crate::text::Problem;

const PAGE_SIZE: i64 = 200;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ui: Ui,
    tenant: TenantId,
    tenant_name: String,
    entries: Vec<(AuditEntry, String)>,
    members: Vec<Member>,
    query: AuditQuery,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this action, e.g. `member.invited`.
    #[serde(default)]
    action: String,
    /// Only this person's actions (user id).
    #[serde(default)]
    actor: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    from: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    to: String,
}

impl AuditQuery {
    pub fn filter(&self) -> Result<AuditFilter, AppError> {
        let invalid = |text: &str, field: &'static str| AppError::Invalid {
            field,
            problem: Problem::NotADate { input: text.into() },
        };
        // Years beyond four digits parse, but the day after `NaiveDate::MAX` does not exist
        // (security review finding 9): such dates are refused, never added to.
        let day = |text: &str, field: &'static str| -> Result<Option<NaiveDate>, AppError> {
            if text.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|d| (1970..=9999).contains(&d.year()))
                .map(Some)
                .ok_or_else(|| invalid(text, field))
        };
        let day_after = |d: NaiveDate| {
            d.checked_add_days(chrono::Days::new(1))
                .ok_or_else(|| invalid(&self.to, "to"))
        };
        let start =
            |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"));
        Ok(AuditFilter {
            action: Some(self.action.trim().to_string()).filter(|a| !a.is_empty()),
            actor: if self.actor.is_empty() {
                None
            } else {
                Some(self.actor.parse().map_err(|_| AppError::Invalid {
                    field: "actor",
                    problem: Problem::UnknownPerson,
                })?)
            },
            since: day(&self.from, "from")?.map(start),
            until: day(&self.to, "to")?.map(day_after).transpose()?.map(start),
            limit: PAGE_SIZE,
        })
    }
}

pub async fn list(
    State(state): State<AppState>,
    access: TenantAccess,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    access.require_admin()?;
    let tenant = state
        .store
        .tenant(access.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = state.store.members(access.tenant).await?;
    let ui = Ui::of_access(&state, &access).await?;
    let t = &ui.t.audit;
    let entries = state
        .store
        .audit_entries(access.tenant, &query.filter()?)
        .await?
        .into_iter()
        .map(|entry| {
            let actor = entry
                .actor_id
                .and_then(|id| {
                    members
                        .iter()
                        .find(|m| m.user_id == id)
                        .map(|m| m.email.to_string())
                })
                .unwrap_or_else(|| {
                    entry
                        .actor_id
                        .map_or(t.system.into(), |id| (t.former_member)(&id.to_string()))
                });
            (entry, actor)
        })
        .collect();
    let page = AuditPage {
        ui,
        tenant: access.tenant,
        tenant_name: tenant.name,
        entries,
        members,
        query,
    };
    Ok(render(&page)?.into_response())
}
