//! Speed-to-reply: for each thread's first reply from a positive lead, the time to the first
//! thing a person of the agency did about the lead after it (a reply sent, a call logged, a
//! stage set, a note), in wall time and in the client's business hours.
//!
//! The summaries are kept as things happen: sync's trigger makes a row per thread at its first
//! reply (`reply_touches`), and [`touch`] writes the first touch with both durations and their
//! [`bucket`]s when the action is taken; triggers count each client's positive replies and
//! touches per UTC day, operator and bucket (`speed_days`), and the report reads those counts,
//! so its cost follows the days, clients and operators it covers, not the replies. A client
//! representative's actions do not count, and the report is for the agency's roles.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

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

/// A first touch to write; the store keeps each duration's [`bucket`] beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Touch {
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub kind: TouchKind,
    pub wall_seconds: i64,
    pub business_seconds: i64,
}

/// The bucket a duration is counted in: its upper edge, the duration rounded up to the second
/// below a minute, to the minute below an hour, to five minutes below a day, to the hour below
/// a week and to the day beyond. An hour and a day are edges, so the shares answered within
/// them are exact; a percentile is reported as its bucket's edge, within the precision a person
/// reads it at. Migration 0029 gave the rows before it their buckets by the same rule.
pub fn bucket(seconds: i64) -> i64 {
    let seconds = seconds.max(0);
    let step = match seconds {
        ..=60 => 1,
        61..=3_600 => 60,
        3_601..=86_400 => 300,
        86_401..=604_800 => 3_600,
        _ => 86_400,
    };
    (seconds + step - 1) / step * step
}

/// What a count of `speed_days` counts. The stored names never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Positive first replies (bucket 0, nobody).
    Replied,
    /// Touched replies by wall-time bucket.
    Wall,
    /// Touched replies by business-time bucket.
    Business,
}

impl Measure {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "replied" => Some(Self::Replied),
            "wall" => Some(Self::Wall),
            "business" => Some(Self::Business),
            _ => None,
        }
    }
}

/// The replies of a client in a period, counted by what and by whom (the operator who touched
/// first; none for the replies themselves and for accounts since deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct SpeedCount {
    pub tenant: TenantId,
    pub measure: Measure,
    pub touched_by: Option<UserId>,
    pub bucket_seconds: i64,
    pub replies: u64,
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
    /// The counts of the tenants' positive first replies of the UTC days `from..to`, summed
    /// over the days.
    async fn speed_counts(
        &self,
        tenants: &[TenantId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SpeedCount>>;
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

/// The whole UTC days a period covers: from the day of `from` to the day that holds the end of
/// the period (`to` excluded, so a `to` at midnight ends the day before).
pub fn days_of(from: DateTime<Utc>, to: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let last = to - Duration::nanoseconds(1);
    (from.date_naive(), last.date_naive() + Duration::days(1))
}

/// Speed-to-reply of the positive first replies of the whole UTC days of `from..to`
/// ([`days_of`]); the report's own `from` and `to` are those days' bounds.
pub async fn report(
    services: &Services<'_>,
    current: &CurrentUser,
    only: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Report> {
    let (first, end) = days_of(from, to);
    let tenants = staff_tenants(services, current, only).await?;
    let ids: Vec<TenantId> = tenants.iter().map(|(id, _)| *id).collect();
    let counts = if ids.is_empty() {
        Vec::new()
    } else {
        services.store.speed_counts(&ids, first, end).await?
    };
    let mut total = Tally::default();
    let mut per_client: BTreeMap<TenantId, Tally> = BTreeMap::new();
    let mut per_operator: BTreeMap<UserId, Tally> = BTreeMap::new();
    for count in &counts {
        total.add(count);
        per_client.entry(count.tenant).or_default().add(count);
        if let Some(user) = count.touched_by {
            per_operator.entry(user).or_default().add_operators(count);
        }
    }
    let clients = tenants
        .into_iter()
        .map(|(id, name)| {
            let tally = per_client.remove(&id).unwrap_or_default();
            (id, name, tally.summary())
        })
        .collect();
    let members = if per_operator.is_empty() {
        Vec::new()
    } else {
        services.store.members_of_tenants(&ids).await?
    };
    let operators = per_operator
        .into_iter()
        .map(|(user, tally)| {
            let name = members
                .iter()
                .find(|m| m.member.user_id == user)
                .map(|m| m.member.display_name.clone())
                .unwrap_or_default();
            (user, name, tally.summary())
        })
        .collect();
    let midnight = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
    Ok(Report {
        from: midnight(first),
        to: midnight(end),
        total: total.summary(),
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

/// Counts added up: replies, and touched replies per duration bucket.
#[derive(Debug, Default)]
struct Tally {
    replies: u64,
    wall: BTreeMap<i64, u64>,
    business: BTreeMap<i64, u64>,
}

impl Tally {
    fn add(&mut self, count: &SpeedCount) {
        match count.measure {
            Measure::Replied => self.replies += count.replies,
            Measure::Wall => *self.wall.entry(count.bucket_seconds).or_default() += count.replies,
            Measure::Business => {
                *self.business.entry(count.bucket_seconds).or_default() += count.replies
            }
        }
    }

    /// An operator's replies are the ones they touched first.
    fn add_operators(&mut self, count: &SpeedCount) {
        match count.measure {
            Measure::Replied => {}
            Measure::Wall => {
                self.replies += count.replies;
                self.add(count);
            }
            Measure::Business => self.add(count),
        }
    }

    fn summary(&self) -> Summary {
        let touched = self.wall.values().sum();
        let within = |limit: i64| {
            let counted: u64 = self.wall.range(..=limit).map(|(_, n)| n).sum();
            if self.replies == 0 {
                0.0
            } else {
                counted as f64 / self.replies as f64
            }
        };
        Summary {
            replies: self.replies,
            touched,
            median_seconds: rank(&self.wall, 50),
            p90_seconds: rank(&self.wall, 90),
            median_business_seconds: rank(&self.business, 50),
            p90_business_seconds: rank(&self.business, 90),
            within_1h: within(3_600),
            within_24h: within(86_400),
        }
    }
}

/// The nearest-rank `percent`th percentile of counted buckets: the edge of the bucket that
/// holds it.
fn rank(buckets: &BTreeMap<i64, u64>, percent: u64) -> Option<i64> {
    let all: u64 = buckets.values().sum();
    if all == 0 {
        return None;
    }
    let place = (percent * all).div_ceil(100).max(1);
    let mut seen = 0;
    buckets.iter().find_map(|(&edge, &n)| {
        seen += n;
        (seen >= place).then_some(edge)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(measure: Measure, bucket_seconds: i64, replies: u64) -> SpeedCount {
        SpeedCount {
            tenant: TenantId::from_uuid(uuid::Uuid::nil()),
            measure,
            touched_by: None,
            bucket_seconds,
            replies,
        }
    }

    #[test]
    fn buckets_round_up_finer_the_shorter_the_wait() {
        let cases = [
            (-5, 0),
            (0, 0),
            (59, 59),
            (60, 60),
            (61, 120),
            (3_600, 3_600),
            (3_601, 3_900),
            (86_400, 86_400),
            (86_401, 90_000),
            (604_800, 604_800),
            (604_801, 691_200),
        ];
        for (seconds, edge) in cases {
            assert_eq!(bucket(seconds), edge, "{seconds} s");
        }
    }

    #[test]
    fn percentiles_are_nearest_rank_over_buckets_and_shares_count_the_untouched() {
        assert_eq!(rank(&BTreeMap::new(), 50), None);
        let ten: BTreeMap<i64, u64> = (1..=10).map(|s| (s, 1)).collect();
        assert_eq!((rank(&ten, 50), rank(&ten, 90)), (Some(5), Some(9)));
        let mut tally = Tally::default();
        for c in [
            count(Measure::Replied, 0, 5),
            count(Measure::Wall, 600, 1),
            count(Measure::Wall, 3_600, 1),
            count(Measure::Wall, 7_200, 1),
            count(Measure::Wall, 90_000, 1),
            count(Measure::Business, 300, 2),
            count(Measure::Business, 1_800, 2),
        ] {
            tally.add(&c);
        }
        let summary = tally.summary();
        assert_eq!((summary.replies, summary.touched), (5, 4));
        assert_eq!(summary.median_seconds, Some(3_600));
        assert_eq!(summary.p90_seconds, Some(90_000));
        assert_eq!(summary.median_business_seconds, Some(300));
        assert!((summary.within_1h - 0.4).abs() < 1e-9);
        assert!((summary.within_24h - 0.6).abs() < 1e-9);
    }

    #[test]
    fn a_period_covers_whole_utc_days() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        assert_eq!(
            days_of(at("2026-03-01T00:00:00Z"), at("2026-04-30T00:00:00Z")),
            (day("2026-03-01"), day("2026-04-30"))
        );
        assert_eq!(
            days_of(at("2026-03-01T18:00:00Z"), at("2026-03-02T00:00:01Z")),
            (day("2026-03-01"), day("2026-03-03"))
        );
    }
}
