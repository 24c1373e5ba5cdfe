//! One tenant's share of an inbox list or count, as the store reads it (and the benchmark's
//! statements alone, which call these same functions on a held connection).
//!
//! A search on SQLite reads matching documents from the full-text index newest first, a chunk
//! at a time, and keeps the threads of each chunk that pass the list's filters until the page
//! is full: a word in every other thread fills a page from its first chunk, a rare word is one
//! chunk. A chunk always ends at the start of a second (document keys count seconds, migration
//! 0019), so the exact order within a second is the list's own and chunks never split it. A
//! person who sees most clients searches every client's documents at once (one walk of the
//! word's entries); otherwise each client's, named by its token. PostgreSQL chooses from a
//! sample whether to probe the threads it walks or read the matches, and reads a person's
//! matches at once on the same condition.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::domain::TenantId;
use crate::inbox::{
    COUNT_CAP, Cursor, InboxLead, InboxView, LeadThread, MAX_LEAD_THREADS, SearchQuery,
    ThreadFilter, ThreadSummary,
};
use crate::store::db::{Args, Row, Tx};
use crate::store::inbox_sql::{self, KEY_SPAN, Query, Scope, SearchPlan};
use crate::store::{Backend, Result};

/// The most document keys one chunk of a SQLite search reads (chunks grow fourfold to it).
const MAX_CHUNK: i64 = 4096;

/// PostgreSQL reads search matches through `thread_search`'s policy, which takes the search
/// from the transaction (see migration 0019); SQLite names it in each statement.
pub(crate) async fn set_search(tx: &mut Tx, filter: &ThreadFilter) -> Result<()> {
    if let (Backend::Postgres, Some(search)) = (tx.backend(), &filter.search) {
        let args = Args::new().bind(search.plain());
        let query: String = tx.scalar(inbox_sql::SEARCH_QUERY, args).await?;
        tx.execute(inbox_sql::SET_SEARCH, Args::new().bind(query))
            .await?;
        tx.execute(inbox_sql::CUSTOM_PLANS, Args::new()).await?;
    }
    Ok(())
}

/// The first `want` threads of `tenants` after `after`, newest first: each tenant's share,
/// merged. Once `want` rows are in hand, later tenants read only what is at least as new as
/// the last of them (the `floor`). A list reads [`TENANTS_PER_STATEMENT`] tenants in one
/// statement: its index reads cost less than a round trip each. A search reads one tenant at
/// a time, where the floor saves more than the round trips cost.
pub(crate) async fn merged_page(
    tx: &mut Tx,
    tenants: &[TenantId],
    filter: &ThreadFilter,
    after: Option<&Cursor>,
    want: u32,
    now: DateTime<Utc>,
) -> Result<Vec<ThreadSummary>> {
    let backend = tx.backend();
    if let (Some(search), Backend::Sqlite) = (&filter.search, backend)
        && search_at_once(tx, tenants, filter.view).await?
    {
        let page = Page {
            after,
            floor: None,
            want,
        };
        let scope = Scope::Many(tenants);
        return sqlite_search_page(tx, scope, filter, search, &page, now).await;
    }
    let plans = Plans::of(tx, tenants, filter).await?;
    let plan = plans.for_view(filter.view);
    // PostgreSQL: asked only when the sample chose to read the matches.
    if (backend, &plan) == (Backend::Postgres, &SearchPlan::Matches)
        && filter.search.is_some()
        && search_at_once(tx, tenants, filter.view).await?
    {
        let range = inbox_sql::Range {
            after,
            floor: None,
            limit: want,
        };
        return fetch(tx, inbox_sql::matches_page(tenants, filter, &range, now)).await;
    }
    let mut rows: Vec<ThreadSummary> = Vec::new();
    let per_statement = tenants_per_statement(filter, &plan);
    for group in tenants.chunks(per_statement) {
        let last = (want as usize).checked_sub(1).and_then(|i| rows.get(i));
        let floor = last.map(|row| row.last_message_at);
        let page = Page { after, floor, want };
        rows.extend(group_page(tx, group, filter, &plans, &page, now).await?);
        rows.sort_by(|a, b| order_key(b).cmp(&order_key(a)));
        rows.truncate(want as usize);
    }
    Ok(rows)
}

/// At most this many tenants' selects in one statement (SQLite allows 500 in a compound).
const TENANTS_PER_STATEMENT: usize = 50;

/// How many tenants one statement of a list reads. A search that reads its matches reads one
/// client a statement: inside one `UNION ALL` PostgreSQL planned each client's matches
/// subquery worse (a rare word took 300 ms, not 44), and on SQLite the floor between clients
/// saves more than the round trips cost. A PostgreSQL search that probes reads them all at
/// once: the merge of the clients' walks takes each client's next row only when the page needs
/// it, so the page probes about as many threads as one client's walk would, not one walk per
/// client (a word in 4 % of threads: 1,300 probes, not 13,000).
fn tenants_per_statement(filter: &ThreadFilter, plan: &SearchPlan) -> usize {
    match (&filter.search, plan) {
        (None, _) | (Some(_), SearchPlan::Probe) => TENANTS_PER_STATEMENT,
        (Some(_), _) => 1,
    }
}

/// Whether a search reads every client's documents at once: when the person sees at least
/// half of the install's clients, so that most of what the read holds is theirs. On SQLite
/// one walk of a word's entries in time order costs about what one client's walk does (its
/// token's entries and the word's, about 5 ms for a word in a third of all threads on
/// agency-L); on PostgreSQL, when it reads the matches, one read of the words' entries of the
/// GIN index replaces one read of each client's entry (about 6.5 ms a client on agency-L).
async fn search_at_once(tx: &mut Tx, tenants: &[TenantId], view: InboxView) -> Result<bool> {
    if tenants.len() < 2 || from_triage(view) {
        return Ok(false);
    }
    let install: i64 = tx.scalar(inbox_sql::TENANT_COUNT, Args::new()).await?;
    Ok(tenants.len() as i64 * 2 >= install)
}

/// The list order: newest first, then by tenant and thread id (bytes), descending.
fn order_key(row: &ThreadSummary) -> (DateTime<Utc>, TenantId, &[u8]) {
    (row.last_message_at, row.tenant_id, row.thread_id.as_bytes())
}

/// What one tenant's share of a page asks for.
struct Page<'a> {
    after: Option<&'a Cursor>,
    /// Rows older than this cannot make the page.
    floor: Option<DateTime<Utc>>,
    want: u32,
}

impl Page<'_> {
    fn range(&self, limit: u32) -> inbox_sql::Range<'_> {
        inbox_sql::Range {
            after: self.after,
            floor: self.floor,
            limit,
        }
    }
}

/// At most `page.want` of the tenants' threads, newest first.
async fn group_page(
    tx: &mut Tx,
    tenants: &[TenantId],
    filter: &ThreadFilter,
    plans: &Plans,
    page: &Page<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<ThreadSummary>> {
    let backend = tx.backend();
    if let (Backend::Sqlite, Some(search), [tenant]) = (backend, &filter.search, tenants)
        && !from_triage(filter.view)
    {
        return sqlite_search_page(tx, Scope::One(*tenant), filter, search, page, now).await;
    }
    let plan = plans.for_view(filter.view);
    let range = page.range(page.want);
    let query = match tenants {
        [tenant] => inbox_sql::page(backend, plan, *tenant, filter, &range, now),
        _ => inbox_sql::merged(backend, &plan, tenants, filter, &range, now),
    };
    fetch(tx, query).await
}

async fn sqlite_search_page(
    tx: &mut Tx,
    scope: Scope<'_>,
    filter: &ThreadFilter,
    search: &SearchQuery,
    page: &Page<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<ThreadSummary>> {
    let query = inbox_sql::sqlite_match(scope.one(), &search.fts5());
    let mut below = page
        .after
        .map_or(i64::MAX, |cursor| second_after(cursor.at));
    let lowest = page.floor.map_or(i64::MIN, first_key_of);
    let mut chunk = i64::from(page.want).saturating_mul(8).clamp(1, MAX_CHUNK);
    let mut rows: Vec<ThreadSummary> = Vec::new();
    loop {
        let args = Args::new()
            .bind(&query)
            .bind(below)
            .bind(lowest)
            .bind(chunk);
        let mut keys: Vec<i64> = tx.scalars(inbox_sql::SEARCH_KEYS, args).await?;
        let Some(&last) = keys.last() else { break };
        let exhausted = (keys.len() as i64) < chunk;
        let second = last.div_euclid(KEY_SPAN) * KEY_SPAN;
        if !exhausted {
            let args = Args::new().bind(&query).bind(second).bind(last);
            keys.extend(
                tx.scalars::<i64>(inbox_sql::SEARCH_KEYS_BETWEEN, args)
                    .await?,
            );
        }
        let range = page.range(page.want.saturating_sub(rows.len() as u32));
        let found = inbox_sql::found_page(scope, keys, filter, &range, now);
        rows.extend(fetch::<ThreadSummary>(tx, found).await?);
        if exhausted || rows.len() >= page.want as usize {
            break;
        }
        below = second;
        chunk = (chunk * 4).min(MAX_CHUNK);
    }
    Ok(rows)
}

/// The thread's lead and the person's other threads in the tenant, as the thread view shows
/// them.
pub(crate) async fn lead_and_threads(
    tx: &mut Tx,
    tenant: TenantId,
    summary: &ThreadSummary,
) -> Result<(Option<InboxLead>, Vec<LeadThread>)> {
    let (lead_id, email) = (summary.lead_id.as_deref(), summary.lead_email.as_deref());
    let lead = match inbox_sql::thread_lead(tenant, lead_id, email) {
        Some(query) => fetch(tx, query).await?.pop(),
        None => None,
    };
    let others = match email {
        Some(email) => {
            let args = Args::new()
                .bind(tenant)
                .bind(email)
                .bind(&summary.thread_id)
                .bind(MAX_LEAD_THREADS);
            tx.fetch_all(inbox_sql::LEAD_THREADS, args).await?
        }
        None => Vec::new(),
    };
    Ok((lead, others))
}

/// Fills each row's tags from its campaign's and mailbox's: one read for every tenant on the
/// page.
pub(crate) async fn add_tags(tx: &mut Tx, rows: &mut [ThreadSummary]) -> Result<()> {
    let mut tenants: Vec<TenantId> = rows.iter().map(|row| row.tenant_id).collect();
    tenants.sort();
    tenants.dedup();
    if tenants.is_empty() {
        return Ok(());
    }
    let tags: Vec<(TenantId, String, String)> = fetch(tx, inbox_sql::tags(&tenants)).await?;
    let mut by_resource: HashMap<(TenantId, &str), Vec<&str>> = HashMap::new();
    for (tenant, resource, label) in &tags {
        by_resource
            .entry((*tenant, resource))
            .or_default()
            .push(label);
    }
    if by_resource.is_empty() {
        return Ok(());
    }
    for row in rows.iter_mut() {
        let resources = [row.campaign_id.as_deref(), Some(row.mailbox.as_str())];
        let mut labels: Vec<String> = resources
            .into_iter()
            .flatten()
            .filter_map(|resource| by_resource.get(&(row.tenant_id, resource)))
            .flatten()
            .map(|label| (*label).to_owned())
            .collect();
        labels.sort();
        labels.dedup();
        row.tags = labels;
    }
    Ok(())
}

/// The first document key past the second of `at`.
fn second_after(at: DateTime<Utc>) -> i64 {
    at.timestamp()
        .checked_add(1)
        .and_then(|second| second.checked_mul(KEY_SPAN))
        .unwrap_or(i64::MAX)
}

/// The first document key of the second of `at`.
fn first_key_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().checked_mul(KEY_SPAN).unwrap_or(i64::MIN)
}

/// Done and snoozed lists start from our triage rows (few), so a search looks each one up.
fn from_triage(view: InboxView) -> bool {
    matches!(view, InboxView::Done | InboxView::Snoozed)
}

/// How the statements of one read find a search's threads, whatever the view.
pub(crate) struct Plans {
    /// PostgreSQL's choice for every view and tenant, made once from a sample.
    postgres: Option<SearchPlan>,
}

/// PostgreSQL probes each thread it walks when at least this share (percent) of the newest
/// threads sampled match; below it, it reads the matches. The probes of all clients are one
/// merged walk, so a page costs about 60 / share probes (about 12 µs each on agency-L) however
/// many clients it spans, while reading matches costs every client's matches: at 2 % a page
/// probes about 3,000 threads, and ten clients' matches are about 15,000 documents.
const PROBE_FROM_PERCENT: i64 = 2;
/// The newest threads sampled across all of a read's tenants, at least
/// [`MIN_SAMPLE_PER_TENANT`] each: enough that 2 % is five hits (about 3 ms of probes).
const SAMPLE: usize = 250;
const MIN_SAMPLE_PER_TENANT: usize = 4;

impl Plans {
    /// The plan of a read over `tenants`. PostgreSQL samples the newest threads of each tenant
    /// and probes them: a count of matches through the GIN index (as before) cost about 10 ms
    /// a client for a word in a third of all threads, since a bitmap scan reads every match
    /// before its first row.
    pub(crate) async fn of(
        tx: &mut Tx,
        tenants: &[TenantId],
        filter: &ThreadFilter,
    ) -> Result<Self> {
        let postgres = match (tx.backend(), &filter.search) {
            (Backend::Postgres, Some(_)) if !tenants.is_empty() => {
                let each = (SAMPLE / tenants.len()).max(MIN_SAMPLE_PER_TENANT);
                let query = inbox_sql::sample_hits(tenants, each as i64);
                let (sampled, hits): (i64, i64) =
                    tx.fetch_one(AssertSqlSafe(query.sql), query.args).await?;
                Some(plan_from_sample(sampled, hits))
            }
            _ => None,
        };
        Ok(Self { postgres })
    }

    /// SQLite counts from the index's matches, except the lists that start from triage rows.
    pub(crate) fn for_view(&self, view: InboxView) -> SearchPlan {
        match &self.postgres {
            Some(plan) => plan.clone(),
            None if from_triage(view) => SearchPlan::Probe,
            None => SearchPlan::Matches,
        }
    }
}

/// PostgreSQL's plan for a search that `hits` of `sampled` newest threads match.
fn plan_from_sample(sampled: i64, hits: i64) -> SearchPlan {
    match sampled > 0 && hits * 100 >= sampled * PROBE_FROM_PERCENT {
        true => SearchPlan::Probe,
        false => SearchPlan::Matches,
    }
}

/// One tenant's count of one tab, up to one past [`COUNT_CAP`]. With no filter or search,
/// Primary, Others and All count the tab's index range alone and subtract the done and
/// snoozed threads (few, from triage rows): a count walked and joined 10,001 threads a tab.
pub(crate) async fn tenant_count(
    tx: &mut Tx,
    plans: &Plans,
    tenant: TenantId,
    filter: &ThreadFilter,
    view: InboxView,
    now: DateTime<Utc>,
) -> Result<i64> {
    let backend = tx.backend();
    let plain = *filter
        == ThreadFilter {
            view: filter.view,
            ..ThreadFilter::default()
        };
    if !plain || from_triage(view) {
        let query = inbox_sql::count(backend, plans.for_view(view), tenant, filter, view, now);
        return tx.scalar(AssertSqlSafe(query.sql), query.args).await;
    }
    let hidden: i64 = match view {
        InboxView::All => 0,
        _ => {
            let query = inbox_sql::count_hidden(backend, tenant, view, now);
            tx.scalar(AssertSqlSafe(query.sql), query.args).await?
        }
    };
    let query = inbox_sql::count_in_tab(tenant, view, COUNT_CAP + 1 + hidden);
    let total: i64 = tx.scalar(AssertSqlSafe(query.sql), query.args).await?;
    Ok(total - hidden)
}

/// The tenant's documents matching `search`, counted up to `cap` (PostgreSQL: after
/// [`set_search`]).
pub(crate) async fn count_hits(
    tx: &mut Tx,
    tenant: TenantId,
    search: &SearchQuery,
    cap: i64,
) -> Result<i64> {
    let query = inbox_sql::count_hits(tx.backend(), tenant, search, cap);
    tx.scalar(AssertSqlSafe(query.sql), query.args).await
}

pub(crate) async fn fetch<T: Row>(tx: &mut Tx, query: Query) -> Result<Vec<T>> {
    tx.fetch_all(AssertSqlSafe(query.sql), query.args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_that_reads_matches_reads_one_client_a_statement() {
        let plain = ThreadFilter::default();
        let matches = SearchPlan::Matches;
        assert_eq!(
            tenants_per_statement(&plain, &matches),
            TENANTS_PER_STATEMENT
        );
        let search = ThreadFilter {
            search: SearchQuery::parse("last"),
            ..ThreadFilter::default()
        };
        assert_eq!(tenants_per_statement(&search, &matches), 1);
        assert_eq!(tenants_per_statement(&search, &SearchPlan::Keys(vec![])), 1);
        let probe = SearchPlan::Probe;
        assert_eq!(
            tenants_per_statement(&search, &probe),
            TENANTS_PER_STATEMENT
        );
    }

    #[test]
    fn postgresql_probes_from_two_percent_of_the_sample() {
        assert_eq!(plan_from_sample(250, 4), SearchPlan::Matches);
        assert_eq!(plan_from_sample(250, 5), SearchPlan::Probe);
        assert_eq!(plan_from_sample(100, 2), SearchPlan::Probe);
        assert_eq!(plan_from_sample(100, 1), SearchPlan::Matches);
        assert_eq!(plan_from_sample(0, 0), SearchPlan::Matches);
    }
}
