//! One change to many leads of a client: the leads list's bulk actions. The change is checked
//! against the client once, before anything is written (a refused field refuses the whole
//! request); then each lead is changed as by its own `PATCH`, in its own transaction, with its
//! own history, audit entry and write-back to Instantly, so a lead is never half changed. A
//! lead the client does not have is reported, not fatal.

use super::change::{CheckedChange, LeadChange};
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::text::Problem;

/// The most leads one request changes.
pub const MAX_BULK: usize = 500;

/// What a bulk change did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkOutcome {
    /// The leads changed (or already so), by address.
    pub changed: Vec<String>,
    /// The leads asked for that the client does not have, as given.
    pub not_found: Vec<String>,
}

pub async fn change_all(
    services: &Services<'_>,
    access: &TenantAccess,
    leads: &[String],
    change: LeadChange,
) -> AppResult<BulkOutcome> {
    if leads.is_empty() || leads.len() > MAX_BULK {
        return Err(AppError::Invalid {
            field: "leads",
            problem: Problem::NotExpected {
                input: leads.len().to_string(),
                expected: "a count of leads from 1 to 500",
            },
        });
    }
    let checked = CheckedChange::check(services, access, &change).await?;
    let mut outcome = BulkOutcome::default();
    for lead in leads {
        match checked.apply(services, access, lead).await {
            Ok(state) if !outcome.changed.contains(&state.lead_email) => {
                outcome.changed.push(state.lead_email);
            }
            Ok(_) => {}
            Err(AppError::NotFound) => outcome.not_found.push(lead.clone()),
            Err(error) => return Err(error),
        }
    }
    Ok(outcome)
}
