//! Speed-to-reply: for each thread's first reply from a positive lead, the time to the first
//! thing a person of the agency did about the lead after it (a reply sent, a call logged, a
//! stage set, a note), in wall time and in the client's business hours.
//!
//! The summaries are kept as things happen: sync's trigger makes a row per thread at its first
//! reply (`reply_touches`), and [`touch`] writes the first touch with both durations when the
//! action is taken, so the report only reads rows. A client representative's actions do not
//! count, and the report is for the agency's roles.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::business_hours::business_seconds;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::{Result, Store};

/// What the first touch was. The stored names never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TouchKind {
    Reply,
    Call,
    Stage,
    Note,
}

impl TouchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Call => "call",
            Self::Stage => "stage",
            Self::Note => "note",
        }
    }
}

/// A thread's first reply and its first touch, as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyTouch {
    pub tenant: TenantId,
    pub thread_id: String,
    pub lead_email: String,
    pub replied_at: DateTime<Utc>,
    pub positive: bool,
    pub first_touch_at: Option<DateTime<Utc>>,
    pub touched_by: Option<UserId>,
    pub touch_kind: Option<String>,
    pub wall_seconds: Option<i64>,
    pub business_seconds: Option<i64>,
}

/// A first touch to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Touch {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub kind: TouchKind,
    pub wall_seconds: i64,
    pub business_seconds: i64,
}

#[async_trait]
pub trait SpeedStore {
    /// The lead's threads whose first reply came at or before `at` and nobody touched yet:
    /// `(thread_id, replied_at)`.
    async fn untouched_replies(
        &self,
        tenant: TenantId,
        lead_email: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>>;
    /// Writes the first touch of the thread unless one is there already.
    async fn record_touch(&self, tenant: TenantId, thread_id: &str, touch: &Touch) -> Result<()>;
    /// The positive first replies of the tenants in `from..to`, oldest first.
    async fn positive_replies(
        &self,
        tenants: &[TenantId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ReplyTouch>>;
    /// Up to `limit` positive first replies nobody touched yet, oldest first.
    async fn awaiting_first_touch(
        &self,
        tenants: &[TenantId],
        limit: u32,
    ) -> Result<Vec<ReplyTouch>>;
    async fn thread_touch(&self, tenant: TenantId, thread_id: &str) -> Result<Option<ReplyTouch>>;
}

/// Records `kind`, done now by the member of `access` on the lead, as the first touch of each
/// of the lead's replies nobody touched yet. Client representatives' actions do not count.
pub async fn touch(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_email: &str,
    kind: TouchKind,
    at: DateTime<Utc>,
) -> AppResult<()> {
    if !access.role.can_work_leads() {
        return Ok(());
    }
    let by = access.current.user.id;
    touch_by(&**services.store, access.tenant, lead_email, by, kind, at).await?;
    Ok(())
}

/// The same for work done by `by`, a member of the agency's staff, outside a request (a
/// reply the sender job sent on their behalf).
pub async fn touch_by(
    store: &dyn Store,
    tenant: TenantId,
    lead_email: &str,
    by: UserId,
    kind: TouchKind,
    at: DateTime<Utc>,
) -> Result<()> {
    let untouched = store.untouched_replies(tenant, lead_email, at).await?;
    if untouched.is_empty() {
        return Ok(());
    }
    let settings = store.lead_settings(tenant).await?.unwrap_or_default();
    for (thread_id, replied_at) in untouched {
        let touch = Touch {
            at,
            by,
            kind,
            wall_seconds: (at - replied_at).num_seconds().max(0),
            business_seconds: business_seconds(&settings, replied_at, at),
        };
        store.record_touch(tenant, &thread_id, &touch).await?;
    }
    Ok(())
}

/// The report of a period: all together, per client and per operator (the person who
/// touched first).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub total: Summary,
    pub clients: Vec<(TenantId, String, Summary)>,
    pub operators: Vec<(UserId, String, Summary)>,
}

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 366;

/// The staff member's clients (or just `only`): ids and names.
async fn staff_tenants(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
) -> AppResult<Vec<(TenantId, String)>> {
    let clients = super::staff_clients(services, current, only).await?;
    Ok(clients
        .into_iter()
        .map(|(access, name)| (access.tenant, name))
        .collect())
}

/// Speed-to-reply of the positive first replies in `from..to`.
pub async fn report(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Report> {
    let tenants = staff_tenants(services, current, only).await?;
    let ids: Vec<TenantId> = tenants.iter().map(|(id, _)| *id).collect();
    let rows = if ids.is_empty() {
        Vec::new()
    } else {
        services.store.positive_replies(&ids, from, to).await?
    };
    let clients = tenants
        .into_iter()
        .map(|(id, name)| {
            (
                id,
                name,
                Summary::of(rows.iter().filter(|r| r.tenant == id)),
            )
        })
        .collect();
    let mut by: Vec<UserId> = rows.iter().filter_map(|r| r.touched_by).collect();
    by.sort();
    by.dedup();
    let members = if by.is_empty() {
        Vec::new()
    } else {
        services.store.members_of_tenants(&ids).await?
    };
    let operators = by
        .into_iter()
        .map(|user| {
            let name = members
                .iter()
                .find(|m| m.member.user_id == user)
                .map(|m| m.member.display_name.clone())
                .unwrap_or_default();
            let theirs = rows.iter().filter(|r| r.touched_by == Some(user));
            (user, name, Summary::of(theirs))
        })
        .collect();
    Ok(Report {
        from,
        to,
        total: Summary::of(&rows),
        clients,
        operators,
    })
}

/// The positive first replies nobody touched yet, oldest first.
pub async fn awaiting(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
    limit: u32,
) -> AppResult<Vec<ReplyTouch>> {
    let tenants = staff_tenants(services, current, only).await?;
    let ids: Vec<TenantId> = tenants.iter().map(|(id, _)| *id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(services.store.awaiting_first_touch(&ids, limit).await?)
}

/// A thread's first reply and first touch; 404 when it has none, 403 to a client
/// representative.
pub async fn of_thread(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
) -> AppResult<ReplyTouch> {
    if !access.role.can_work_leads() {
        return Err(AppError::Forbidden);
    }
    let found = services
        .store
        .thread_touch(access.tenant, thread_id)
        .await?;
    found.ok_or(AppError::NotFound)
}

/// Median, 90th percentile and shares of a set of first replies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Positive first replies in the period.
    pub replies: u64,
    /// Of them, touched.
    pub touched: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub median_business_seconds: Option<i64>,
    pub p90_business_seconds: Option<i64>,
    /// Shares of all the replies (untouched ones count as not within).
    pub within_1h: f64,
    pub within_24h: f64,
}

impl Summary {
    pub fn of<'r>(rows: impl IntoIterator<Item = &'r ReplyTouch>) -> Self {
        let rows: Vec<&ReplyTouch> = rows.into_iter().collect();
        let mut wall: Vec<i64> = rows.iter().filter_map(|r| r.wall_seconds).collect();
        let mut business: Vec<i64> = rows.iter().filter_map(|r| r.business_seconds).collect();
        wall.sort_unstable();
        business.sort_unstable();
        let share = |limit: i64| {
            if rows.is_empty() {
                0.0
            } else {
                wall.iter().filter(|s| **s <= limit).count() as f64 / rows.len() as f64
            }
        };
        Self {
            replies: rows.len() as u64,
            touched: wall.len() as u64,
            median_seconds: rank(&wall, 50),
            p90_seconds: rank(&wall, 90),
            median_business_seconds: rank(&business, 50),
            p90_business_seconds: rank(&business, 90),
            within_1h: share(3600),
            within_24h: share(24 * 3600),
        }
    }
}

/// The nearest-rank `percent`th percentile of sorted values.
fn rank(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let place = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(place - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(wall: Option<i64>) -> ReplyTouch {
        ReplyTouch {
            tenant: TenantId::new(),
            thread_id: String::new(),
            lead_email: String::new(),
            replied_at: Utc::now(),
            positive: true,
            first_touch_at: None,
            touched_by: None,
            touch_kind: None,
            wall_seconds: wall,
            business_seconds: wall.map(|w| w / 2),
        }
    }

    #[test]
    fn percentiles_are_nearest_rank_and_shares_count_the_untouched() {
        assert_eq!(rank(&[], 50), None);
        assert_eq!(rank(&[7], 90), Some(7));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!((rank(&ten, 50), rank(&ten, 90)), (Some(5), Some(9)));
        let rows = [
            row(Some(600)),
            row(Some(3_600)),
            row(Some(7_200)),
            row(Some(90_000)),
            row(None),
        ];
        let summary = Summary::of(&rows);
        assert_eq!((summary.replies, summary.touched), (5, 4));
        assert_eq!(summary.median_seconds, Some(3_600));
        assert_eq!(summary.p90_seconds, Some(90_000));
        assert_eq!(summary.median_business_seconds, Some(1_800));
        assert!((summary.within_1h - 0.4).abs() < 1e-9);
        assert!((summary.within_24h - 0.6).abs() < 1e-9);
    }
}
