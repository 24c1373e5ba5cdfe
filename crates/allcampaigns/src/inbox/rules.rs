//! Who may read and triage which threads. Every member of a tenant reads its inbox (a client
//! representative too: read-mostly); triage changes a state the whole team shares, so it takes
//! a role that works leads (owner, admin, operator): a client gets 403. Another tenant's
//! thread is 404, like one that does not exist. Each triage change writes one audit entry per
//! thread, in the transaction that makes it.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::{
    Cursor, InboxView, MAX_BULK, MAX_SNOOZE_DAYS, TabCount, ThreadDetail, ThreadFilter, ThreadPage,
    Triage, is_plausible_id,
};
use crate::audit::{self, AuditAction};
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::leads::write_back;
use crate::live::LiveEvent;
use crate::services::Services;
use crate::text::Problem;

/// The tenants a list covers: every one the caller belongs to (and their token reaches), or
/// just `only`, which must be one of them (else 404).
pub async fn visible_tenants(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
) -> AppResult<Vec<TenantId>> {
    let mut tenants: Vec<TenantId> = current
        .memberships(services.store)
        .await?
        .iter()
        .map(|(tenant, _)| tenant.id)
        .filter(|tenant| current.may_reach(*tenant))
        .collect();
    if let Some(only) = only {
        if !tenants.contains(&only) {
            return Err(AppError::NotFound);
        }
        tenants = vec![only];
    }
    tenants.sort();
    Ok(tenants)
}

/// A page of the caller's inbox.
pub async fn list(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
    filter: &ThreadFilter,
    cursor: Option<&Cursor>,
    limit: u32,
) -> AppResult<ThreadPage> {
    let tenants = visible_tenants(services, current, only).await?;
    if tenants.is_empty() {
        return Ok(ThreadPage {
            items: Vec::new(),
            next: None,
        });
    }
    let page = services
        .store
        .threads(&tenants, filter, cursor, limit, Utc::now())
        .await?;
    Ok(page)
}

/// The count of each tab under the caller's filters.
pub async fn counts(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
    filter: &ThreadFilter,
) -> AppResult<Vec<(InboxView, TabCount)>> {
    let tenants = visible_tenants(services, current, only).await?;
    if tenants.is_empty() {
        return Ok(InboxView::ALL
            .into_iter()
            .map(|view| (view, TabCount::default()))
            .collect());
    }
    Ok(services
        .store
        .tab_counts(&tenants, filter, Utc::now())
        .await?)
}

/// One thread of the tenant the caller reached.
pub async fn thread(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
) -> AppResult<ThreadDetail> {
    if !is_plausible_id(thread_id) {
        return Err(AppError::NotFound);
    }
    services
        .store
        .thread(access.tenant, thread_id, Utc::now())
        .await?
        .ok_or(AppError::NotFound)
}

/// Applies a triage change to threads of one tenant: all of them or, when any is not the
/// tenant's, none (404).
pub async fn triage(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_ids: &[String],
    change: Triage,
) -> AppResult<()> {
    if !access.role.can_work_leads() {
        return Err(AppError::Forbidden);
    }
    check_ids(thread_ids)?;
    if !thread_ids.iter().all(|id| is_plausible_id(id)) {
        return Err(AppError::NotFound);
    }
    let now = Utc::now();
    check_change(services, access, change, now).await?;
    let by = access.current.user.id;
    let entry = audit::entry(Some(by), action(change), None, details(change));
    services
        .store
        .triage(access.tenant, thread_ids, change, by, now, &entry)
        .await?;
    if change == Triage::Read {
        mark_read_in_instantly(services, access.tenant, thread_ids).await?;
    }
    let changed = thread_ids
        .iter()
        .map(|thread_id| LiveEvent::thread_changed(access.tenant, thread_id.clone()));
    services.live.publish_all(changed.collect()).await;
    Ok(())
}

/// Threads read here are marked read in Instantly too, unless the client's writes are off. The
/// jobs are queued once the threads are read: a crash between the two leaves Instantly's mark
/// behind ours, which loses nothing.
async fn mark_read_in_instantly(
    services: &Services<'_>,
    tenant: TenantId,
    thread_ids: &[String],
) -> AppResult<()> {
    if !write_back::writes_on(services.store.as_ref(), tenant).await? {
        return Ok(());
    }
    for thread_id in thread_ids {
        let job = write_back::read_job(thread_id);
        services.store.enqueue_or_advance(tenant, &job).await?;
    }
    Ok(())
}

fn check_ids(thread_ids: &[String]) -> AppResult<()> {
    if thread_ids.is_empty() || thread_ids.len() > MAX_BULK {
        return Err(AppError::Invalid {
            field: "thread_ids",
            problem: Problem::NotExpected {
                input: thread_ids.len().to_string(),
                expected: "a count of threads from 1 to 500",
            },
        });
    }
    Ok(())
}

async fn check_change(
    services: &Services<'_>,
    access: &TenantAccess,
    change: Triage,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match change {
        Triage::Snooze { until } if until <= now => Err(AppError::Invalid {
            field: "until",
            problem: Problem::SnoozeInPast,
        }),
        Triage::Snooze { until } if until > now + Duration::days(MAX_SNOOZE_DAYS) => {
            Err(AppError::Invalid {
                field: "until",
                problem: Problem::SnoozeTooFar,
            })
        }
        Triage::Assign { owner: Some(owner) } => {
            let role = services.store.member_role(access.tenant, owner).await?;
            match role {
                Some(_) => Ok(()),
                None => Err(AppError::Invalid {
                    field: "owner",
                    problem: Problem::NotAMember,
                }),
            }
        }
        _ => Ok(()),
    }
}

fn action(change: Triage) -> AuditAction {
    match change {
        Triage::Read => AuditAction::ThreadRead,
        Triage::Unread => AuditAction::ThreadUnread,
        Triage::Done => AuditAction::ThreadDone,
        Triage::Undone => AuditAction::ThreadUndone,
        Triage::Snooze { .. } => AuditAction::ThreadSnoozed,
        Triage::Unsnooze => AuditAction::ThreadUnsnoozed,
        Triage::Assign { .. } => AuditAction::ThreadAssigned,
    }
}

fn details(change: Triage) -> serde_json::Value {
    match change {
        Triage::Snooze { until } => json!({"until": until}),
        Triage::Assign { owner } => json!({"owner": owner}),
        _ => json!({}),
    }
}
