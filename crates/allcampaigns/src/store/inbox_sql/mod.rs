//! The inbox's statements, built from the constant fragments below and `$N` placeholders only
//! (no input is ever part of the text). Each tenant's part of a list is one range of the index
//! whose order is the list's; several tenants' parts can share one statement ([`merged`]).
//!
//! Triage state is derived, never stored as a flag that sync could leave stale: a thread is
//! done while no received message arrived after it was marked (`received_count` against
//! `done_through`); likewise snoozed (and its time not yet come) and read.

use std::cmp::Ordering;

use super::Backend;
use super::db::{Args, Param};
use crate::domain::TenantId;
use crate::inbox::{COUNT_CAP, Cursor, InboxView, OwnerFilter, SearchQuery, ThreadFilter};

/// Unread: marked unread, or a received message after the read mark; with no mark, what
/// Instantly says.
const UNREAD: &str = "(COALESCE(g.marked_unread, false) \
     OR (g.read_through IS NOT NULL AND t.received_count > g.read_through) \
     OR (g.read_through IS NULL AND t.unread_count > 0))";
const DONE: &str = "(g.done_at IS NOT NULL AND t.received_count <= g.done_through)";
/// `{now}` is the placeholder of the current time.
const SNOOZED: &str = "(g.snoozed_until IS NOT NULL AND g.snoozed_until > {now} \
     AND t.received_count <= g.snoozed_through)";

/// Where a statement's rows start (see [`Builder::from`]).
enum Driver {
    Threads,
    /// SQLite: the document keys bound at this parameter.
    Keys(String),
    /// SQLite: the full-text index's matches.
    Matches,
}

/// A statement and its parameters.
pub struct Query {
    pub sql: String,
    pub args: Args,
}

/// Which tenants a statement reads.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// One tenant: its own index ranges, and on SQLite its token in each search.
    One(TenantId),
    /// Several tenants read by one search: the threads a SQLite search found by document key
    /// ([`found_page`]), or PostgreSQL's matches of all of them ([`matches_page`]).
    Many(&'a [TenantId]),
}

impl Scope<'_> {
    /// The tenant of a one-tenant scope.
    pub fn one(&self) -> Option<TenantId> {
        match self {
            Scope::One(tenant) => Some(*tenant),
            Scope::Many(_) => None,
        }
    }
}

/// Collects the parameters of a statement as its text is built.
struct Builder {
    backend: Backend,
    plan: SearchPlan,
    /// The one tenant read, if one.
    tenant: Option<TenantId>,
    /// How the statement starts: set by a search that drives it.
    driver: Driver,
    args: Args,
    /// What follows a `tenant_id` column to keep the scope's tenants (`= $1`, `IN ($1, $2)`),
    /// which the view and search fragments name.
    tenants: String,
    clauses: Vec<String>,
}

impl Builder {
    fn new(backend: Backend, plan: SearchPlan, tenant: TenantId) -> Self {
        Self::after_args(backend, plan, Scope::One(tenant), Args::new())
    }

    /// A builder whose placeholders follow those already in `args` (one select of several in
    /// a statement).
    fn after_args(backend: Backend, plan: SearchPlan, scope: Scope<'_>, args: Args) -> Self {
        let (args, tenants) = match scope {
            Scope::One(tenant) => {
                let args = args.bind(tenant);
                let tenants = format!("= ${}", args.len());
                (args, tenants)
            }
            Scope::Many(tenants) => {
                let (args, list) = args.bind_list(tenants);
                (args, format!("IN ({list})"))
            }
        };
        let clauses = vec![format!("t.tenant_id {tenants}")];
        Self {
            backend,
            plan,
            tenant: scope.one(),
            driver: Driver::Threads,
            args,
            tenants,
            clauses,
        }
    }

    fn param(&mut self, value: impl Into<Param>) -> String {
        self.args = std::mem::take(&mut self.args).bind(value);
        format!("${}", self.args.len())
    }

    fn time(&mut self, value: chrono::DateTime<chrono::Utc>) -> String {
        self.param(Param::SyncTime(value))
    }

    /// The thread id compared and ordered in byte order on both backends.
    fn thread_column(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "t.thread_id",
            Backend::Postgres => "t.thread_id COLLATE \"C\"",
        }
    }

    fn filter(&mut self, filter: &ThreadFilter) {
        if let Some(unread) = filter.unread {
            let value = self.param(unread);
            self.clauses
                .push(format!("COALESCE({UNREAD}, false) = {value}"));
        }
        match filter.owner {
            Some(OwnerFilter::Nobody) => self.clauses.push("g.owner_id IS NULL".into()),
            Some(OwnerFilter::User(user)) => {
                let user = self.param(user);
                self.clauses.push(format!("g.owner_id = {user}"));
            }
            None => {}
        }
        self.equal("t.interest_status", filter.stage.map(Param::from));
        self.equal("t.campaign_id", filter.campaign.as_deref().map(Param::from));
        self.equal("t.mailbox", filter.mailbox.as_deref().map(Param::from));
        if let Some(tag) = &filter.tag {
            let tag = self.param(tag);
            self.clauses.push(format!(
                "EXISTS (SELECT 1 FROM custom_tag_mappings m WHERE m.tenant_id = t.tenant_id \
                 AND m.tag_id = {tag} AND m.deleted_at IS NULL \
                 AND (m.resource_id = t.campaign_id OR m.resource_id = t.mailbox))"
            ));
        }
        if let Some(from) = filter.from {
            let from = self.time(from);
            self.clauses.push(format!("t.last_message_at >= {from}"));
        }
        if let Some(to) = filter.to {
            let to = self.time(to);
            self.clauses.push(format!("t.last_message_at < {to}"));
        }
        if let Some(clause) = self.search(filter) {
            self.clauses.push(clause);
        }
    }

    /// How this statement finds the search's threads: a condition, or
    /// none where its `FROM` already starts from the search's keys.
    fn search(&mut self, filter: &ThreadFilter) -> Option<String> {
        let terms = filter.search.as_ref()?.fts5();
        let clause = match (self.backend, &self.plan) {
            (Backend::Sqlite, SearchPlan::Keys(keys)) => {
                let keys = self.param(Param::Json(serde_json::Value::from(keys.clone())));
                self.driver = Driver::Keys(keys);
                return None;
            }
            (Backend::Sqlite, SearchPlan::Probe) => {
                let query = self.param(sqlite_match(self.tenant, &terms));
                format!(
                    "EXISTS (SELECT 1 FROM thread_search s \
                     WHERE s.thread_search MATCH {query} AND s.rowid = t.search_key)"
                )
            }
            // The count drives from the index (see `from`).
            (Backend::Sqlite, SearchPlan::Matches) => {
                let query = self.param(sqlite_match(self.tenant, &terms));
                self.driver = Driver::Matches;
                format!("s.thread_search MATCH {query}")
            }
            // The words are in `app.search` (see `SET_SEARCH`).
            (Backend::Postgres, SearchPlan::Probe) => POSTGRES_PROBE.to_owned(),
            (Backend::Postgres, _) if self.tenant.is_none() => POSTGRES_MATCHES_ALL.to_owned(),
            (Backend::Postgres, _) => POSTGRES_MATCHES.replace("{tenants}", &self.tenants),
        };
        Some(clause)
    }

    fn equal(&mut self, column: &str, value: Option<Param>) {
        if let Some(value) = value {
            let value = self.param(value);
            self.clauses.push(format!("{column} = {value}"));
        }
    }

    fn view(&mut self, view: InboxView, now: &str) {
        let snoozed = SNOOZED.replace("{now}", now);
        let open = format!("NOT COALESCE({DONE}, false) AND NOT COALESCE({snoozed}, false)");
        let clause = match view {
            InboxView::Primary => format!("t.category = 'primary' AND {open}"),
            InboxView::Others => format!("t.category = 'others' AND {open}"),
            // These name the partial indexes' own conditions.
            InboxView::Snoozed => format!(
                "g.tenant_id {} AND g.snoozed_until IS NOT NULL AND {snoozed}",
                self.tenants
            ),
            InboxView::Done => format!(
                "g.tenant_id {} AND g.done_at IS NOT NULL AND {DONE}",
                self.tenants
            ),
            InboxView::All => return,
        };
        self.clauses.push(clause);
    }

    /// Rows that come after `cursor` in the list order (one tenant's: a simpler range of its
    /// index).
    fn after(&mut self, cursor: &Cursor) {
        let at = self.time(cursor.at);
        let clause = match self.tenant.map(|tenant| tenant.cmp(&cursor.tenant)) {
            Some(Ordering::Less) => format!("t.last_message_at <= {at}"),
            Some(Ordering::Greater) => format!("t.last_message_at < {at}"),
            Some(Ordering::Equal) => {
                let thread = self.param(&cursor.thread);
                let column = self.thread_column();
                format!(
                    "(t.last_message_at < {at} OR (t.last_message_at = {at} AND {column} < {thread}))"
                )
            }
            None => {
                let tenant = self.param(cursor.tenant);
                let thread = self.param(&cursor.thread);
                let column = self.thread_column();
                format!(
                    "(t.last_message_at < {at} OR (t.last_message_at = {at} \
                     AND (t.tenant_id < {tenant} OR (t.tenant_id = {tenant} AND {column} < {thread}))))"
                )
            }
        };
        self.clauses.push(clause);
    }

    /// The statement's `FROM`. Done and snoozed threads start from our triage rows
    /// (`thread_triage_done`, `thread_triage_snoozed`), never from a walk of every thread (an
    /// empty Done tab walked all of a client's threads); a SQLite search starts from its
    /// document keys or the index's matches. `CROSS JOIN` keeps that order on SQLite;
    /// PostgreSQL plans it itself.
    fn from(&self, view: InboxView) -> String {
        const TRIAGE: &str = "LEFT JOIN thread_triage g \
             ON g.tenant_id = t.tenant_id AND g.thread_id = t.thread_id";
        let triaged = matches!(view, InboxView::Snoozed | InboxView::Done);
        let join = match self.backend {
            Backend::Sqlite => "CROSS JOIN",
            Backend::Postgres => "JOIN",
        };
        match &self.driver {
            _ if triaged => format!(
                "FROM thread_triage g {join} threads t \
                 ON t.tenant_id = g.tenant_id AND t.thread_id = g.thread_id"
            ),
            Driver::Keys(keys) => format!(
                "FROM json_each({keys}) k CROSS JOIN threads t ON t.search_key = k.value {TRIAGE}"
            ),
            Driver::Matches => {
                format!(
                    "FROM thread_search s CROSS JOIN threads t ON t.search_key = s.rowid {TRIAGE}"
                )
            }
            Driver::Threads => format!("FROM threads t {TRIAGE}"),
        }
    }

    fn conditions(&self) -> String {
        self.clauses.join(" AND ")
    }
}

/// How a statement finds a search's threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPlan {
    /// Read the index's matches, then their threads: PostgreSQL when few of the newest
    /// threads match; SQLite's counts.
    Matches,
    /// Walk the list's threads and look each one up in the index: PostgreSQL when many
    /// match; SQLite's done and snoozed lists, which start from our few triage rows.
    Probe,
    /// SQLite's lists: the threads behind these document keys, which the store read from the
    /// index newest first ([`SEARCH_KEYS`]).
    Keys(Vec<i64>),
}

/// PostgreSQL: of the newest `limit` threads of each of these tenants (one placeholder a
/// tenant, then the limit), how many were sampled and how many match the search
/// (`app.search`), each by one probe.
pub fn sample_hits(tenants: &[TenantId], limit: i64) -> Query {
    let mut args = Args::new();
    let mut rows = Vec::with_capacity(tenants.len());
    for &tenant in tenants {
        args = args.bind(tenant);
        rows.push(format!("(${}::uuid)", args.len()));
    }
    let args = args.bind(limit);
    let sql = format!(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE {POSTGRES_PROBE}) \
         FROM (VALUES {rows}) u (tenant_id) CROSS JOIN LATERAL (\
             SELECT t.tenant_id, t.thread_id FROM threads t WHERE t.tenant_id = u.tenant_id \
             ORDER BY t.last_message_at DESC LIMIT ${limit}) t",
        rows = rows.join(", "),
        limit = args.len(),
    );
    Query { sql, args }
}

/// SQLite: a search for `terms` (FTS5 phrases) within one tenant's documents, or every
/// tenant's (the statement then keeps its tenants' threads).
pub fn sqlite_match(tenant: Option<TenantId>, terms: &str) -> String {
    match tenant {
        Some(tenant) => format!(
            "tenant : \"t{}\" AND words : ({terms})",
            tenant.as_uuid().simple()
        ),
        None => format!("words : ({terms})"),
    }
}

/// How many clients the install holds.
pub const TENANT_COUNT: &str = "SELECT COUNT(*) FROM tenants";

/// SQLite: the tenant's newest matching documents with keys in `[$3, $2)`, at most `$4` (`$1`
/// is [`sqlite_match`]). FTS5 reads its rowids in order and stops at the limit.
pub const SEARCH_KEYS: &str = "SELECT rowid FROM thread_search \
     WHERE thread_search MATCH $1 AND rowid < $2 AND rowid >= $3 ORDER BY rowid DESC LIMIT $4";
/// SQLite: the rest of the matches of one second, `$2 <= key < $3`.
pub const SEARCH_KEYS_BETWEEN: &str = "SELECT rowid FROM thread_search \
     WHERE thread_search MATCH $1 AND rowid >= $2 AND rowid < $3 ORDER BY rowid DESC";
/// A document key's second occupies `[second * KEY_SPAN, (second + 1) * KEY_SPAN)`
/// (migration 0019).
pub const KEY_SPAN: i64 = 1 << 31;

/// The tenant's matching documents, counted up to `cap` (PostgreSQL: the search set in the
/// transaction).
pub fn count_hits(backend: Backend, tenant: TenantId, search: &SearchQuery, cap: i64) -> Query {
    let (sql, args) = match backend {
        Backend::Postgres => (
            "SELECT COUNT(*) FROM (SELECT 1 FROM thread_search WHERE tenant_id = $1 LIMIT $2) x",
            Args::new().bind(tenant).bind(cap),
        ),
        Backend::Sqlite => (
            "SELECT COUNT(*) FROM (SELECT 1 FROM thread_search \
             WHERE thread_search MATCH $1 LIMIT $2) x",
            Args::new()
                .bind(sqlite_match(Some(tenant), &search.fts5()))
                .bind(cap),
        ),
    };
    Query {
        sql: sql.to_owned(),
        args,
    }
}

/// `thread_search` shows only the documents that match `app.search` (its restrictive policy,
/// which the GIN index serves), so a document read is a match.
const POSTGRES_MATCHES: &str =
    "t.thread_id IN (SELECT s.thread_id FROM thread_search s WHERE s.tenant_id {tenants})";
/// The matches of every tenant the transaction allows, which the statement then keeps to its
/// own: the GIN index reads the words' entries alone, once (migration 0022).
const POSTGRES_MATCHES_ALL: &str =
    "(t.tenant_id, t.thread_id) IN (SELECT s.tenant_id, s.thread_id FROM thread_search s)";
/// One primary-key probe per thread walked. A `LIMIT 1` subquery stays a probe; `EXISTS`
/// became a semi join that read every match first (37,211 for a common word, 130 ms a client).
const POSTGRES_PROBE: &str = "(SELECT 1 FROM thread_search s \
     WHERE s.tenant_id = t.tenant_id AND s.thread_id = t.thread_id LIMIT 1) IS NOT NULL";

/// PostgreSQL: the words as a tsquery, folded as the documents are.
pub const SEARCH_QUERY: &str = "SELECT plainto_tsquery('simple', app_fold($1))::text";
/// PostgreSQL: the search of this transaction, which `thread_search`'s policy reads.
pub const SET_SEARCH: &str = "SELECT set_config('app.search', $1, true)";
/// PostgreSQL: a search transaction's statements are planned for their own values. A generic
/// plan (cached after five runs) cannot know a client or a search, and walked every thread of
/// the tab (23-250 ms a client).
pub const CUSTOM_PLANS: &str = "SET LOCAL plan_cache_mode = force_custom_plan";

fn summary_columns(now: &str) -> String {
    let snoozed = SNOOZED.replace("{now}", now);
    format!(
        "t.tenant_id, t.thread_id, t.lead_id, t.lead_email, t.campaign_id, t.mailbox, \
         t.subject, t.last_preview AS snippet, t.last_message_at, t.last_direction, \
         t.message_count, t.category, COALESCE({UNREAD}, false) AS unread, \
         COALESCE({DONE}, false) AS done, \
         CASE WHEN COALESCE({snoozed}, false) THEN g.snoozed_until END AS snoozed_until, \
         g.owner_id, t.interest_status AS stage"
    )
}

/// Which rows of a tenant a list statement reads.
pub struct Range<'a> {
    /// The cursor: rows after it in the list order.
    pub after: Option<&'a Cursor>,
    /// No row older than this (it could not make the merged page).
    pub floor: Option<chrono::DateTime<chrono::Utc>>,
    pub limit: u32,
}

/// One tenant's part of a list page: at most `range.limit` rows, newest first.
pub fn page(
    backend: Backend,
    plan: SearchPlan,
    tenant: TenantId,
    filter: &ThreadFilter,
    range: &Range<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let mut b = Builder::new(backend, plan, tenant);
    let sql = page_select(&mut b, filter, range, now);
    Query { sql, args: b.args }
}

/// SQLite: the threads behind these document keys (newest first, [`SEARCH_KEYS`]) that are
/// the scope's and pass the filter: at most `range.limit`, in the list order.
pub fn found_page(
    scope: Scope<'_>,
    keys: Vec<i64>,
    filter: &ThreadFilter,
    range: &Range<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let plan = SearchPlan::Keys(keys);
    let mut b = Builder::after_args(Backend::Sqlite, plan, scope, Args::new());
    let sql = page_select(&mut b, filter, range, now);
    Query { sql, args: b.args }
}

/// PostgreSQL: a page of the search's matches of all these tenants in one statement, newest
/// first (a person who sees most clients; see [`POSTGRES_MATCHES_ALL`]).
pub fn matches_page(
    tenants: &[TenantId],
    filter: &ThreadFilter,
    range: &Range<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let scope = Scope::Many(tenants);
    let mut b = Builder::after_args(Backend::Postgres, SearchPlan::Matches, scope, Args::new());
    let sql = page_select(&mut b, filter, range, now);
    Query { sql, args: b.args }
}

/// Several tenants' parts of a list page in one statement: each tenant's first `range.limit`
/// rows (its own index range, as [`page`] reads it), then the first `range.limit` of them all
/// in the list order. One statement instead of one per tenant: a statement's round trip cost
/// more than its rows.
pub fn merged(
    backend: Backend,
    plan: &SearchPlan,
    tenants: &[TenantId],
    filter: &ThreadFilter,
    range: &Range<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let mut args = Args::new();
    let mut selects = Vec::with_capacity(tenants.len());
    for (i, tenant) in tenants.iter().enumerate() {
        let mut b = Builder::after_args(backend, plan.clone(), Scope::One(*tenant), args);
        let select = page_select(&mut b, filter, range, now);
        selects.push(format!("SELECT * FROM ({select}) p{i}"));
        args = b.args;
    }
    let (args, limit) = args.bind_list(&[i64::from(range.limit)]);
    let thread = match backend {
        Backend::Sqlite => "u.thread_id",
        Backend::Postgres => "u.thread_id COLLATE \"C\"",
    };
    let sql = format!(
        "SELECT * FROM ({selects}) u \
         ORDER BY u.last_message_at DESC, u.tenant_id DESC, {thread} DESC LIMIT {limit}",
        selects = selects.join(" UNION ALL "),
    );
    Query { sql, args }
}

fn page_select(
    b: &mut Builder,
    filter: &ThreadFilter,
    range: &Range<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let now = b.time(now);
    b.filter(filter);
    b.view(filter.view, &now);
    if let Some(cursor) = range.after {
        b.after(cursor);
    }
    if let Some(floor) = range.floor {
        let floor = b.time(floor);
        b.clauses.push(format!("t.last_message_at >= {floor}"));
    }
    let limit = b.param(i64::from(range.limit));
    // One tenant's rows need no tenant in their order (its index range has none).
    let tenant = match b.tenant {
        Some(_) => "",
        None => "t.tenant_id DESC, ",
    };
    format!(
        "SELECT {columns} {from} WHERE {conditions} \
         ORDER BY t.last_message_at DESC, {tenant}{thread} DESC LIMIT {limit}",
        columns = summary_columns(&now),
        from = b.from(filter.view),
        conditions = b.conditions(),
        thread = b.thread_column(),
    )
}

/// One tenant's count of one tab, stopping one past the cap.
pub fn count(
    backend: Backend,
    plan: SearchPlan,
    tenant: TenantId,
    filter: &ThreadFilter,
    view: InboxView,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let mut b = Builder::new(backend, plan, tenant);
    let now = b.time(now);
    b.filter(filter);
    b.view(view, &now);
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 {from} WHERE {conditions} LIMIT {limit}) x",
        from = b.from(view),
        conditions = b.conditions(),
        limit = COUNT_CAP + 1,
    );
    Query { sql, args: b.args }
}

/// A plain tab's count from the index alone (`threads_by_tab`; every thread for All), up to
/// `limit`: `$1` the tenant, `$2` the category, `$3` the limit (`$2` absent for All).
pub fn count_in_tab(tenant: TenantId, view: InboxView, limit: i64) -> Query {
    let (sql, args) = match category(view) {
        Some(category) => (
            "SELECT COUNT(*) FROM (SELECT 1 FROM threads t \
             WHERE t.tenant_id = $1 AND t.category = $2 LIMIT $3) x",
            Args::new().bind(tenant).bind(category).bind(limit),
        ),
        None => (
            "SELECT COUNT(*) FROM (SELECT 1 FROM threads t WHERE t.tenant_id = $1 LIMIT $2) x",
            Args::new().bind(tenant).bind(limit),
        ),
    };
    Query {
        sql: sql.to_owned(),
        args,
    }
}

/// The threads of a tab's category that are done or snoozed, which the tab leaves out: read
/// from our triage rows.
pub fn count_hidden(
    backend: Backend,
    tenant: TenantId,
    view: InboxView,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let mut b = Builder::new(backend, SearchPlan::Matches, tenant);
    let now = b.time(now);
    let category = b.param(category(view).unwrap_or_default());
    let snoozed = SNOOZED.replace("{now}", &now);
    let sql = format!(
        "SELECT COUNT(*) {from} WHERE {conditions} AND g.tenant_id {tenants} \
         AND t.category = {category} \
         AND (COALESCE({DONE}, false) OR COALESCE({snoozed}, false))",
        from = b.from(InboxView::Done),
        conditions = b.conditions(),
        tenants = b.tenants,
    );
    Query { sql, args: b.args }
}

/// The category a tab shows (All shows every thread; Done and Snoozed are not by category).
fn category(view: InboxView) -> Option<&'static str> {
    match view {
        InboxView::Primary => Some("primary"),
        InboxView::Others => Some("others"),
        _ => None,
    }
}

/// One thread of a tenant, as a list row.
pub fn summary(
    backend: Backend,
    tenant: TenantId,
    thread_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let mut b = Builder::new(backend, SearchPlan::Matches, tenant);
    let now = b.time(now);
    let thread = b.param(thread_id);
    let sql = format!(
        "SELECT {columns} {from} WHERE {conditions} AND t.thread_id = {thread}",
        columns = summary_columns(&now),
        from = b.from(InboxView::All),
        conditions = b.conditions(),
    );
    Query { sql, args: b.args }
}

mod thread;
mod triage;

pub use thread::*;
pub use triage::*;

#[cfg(test)]
mod tests;
