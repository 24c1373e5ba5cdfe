//! The inbox's statements, built from the constant fragments below and `$N` placeholders only
//! (no input is ever part of the text). Each tenant's part of a list is one range of the index
//! whose order is the list's; several tenants' parts can share one statement ([`merged`]).
//!
//! Triage state is derived, never stored as a flag that sync could leave stale: a thread is
//! done while no received message arrived after it was marked (`received_count` against
//! `done_through`); likewise snoozed (and its time not yet come) and read.

use super::Backend;
use super::db::{Args, Param};
use crate::domain::TenantId;
use crate::inbox::{COUNT_CAP, Cursor, InboxView, OwnerFilter, SearchQuery, ThreadFilter, Triage};

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

/// Collects the parameters of a statement as its text is built.
struct Builder {
    backend: Backend,
    plan: SearchPlan,
    tenant: TenantId,
    /// How the statement starts: set by a search that drives it.
    driver: Driver,
    args: Args,
    /// The tenant's placeholder, which the view and search fragments name.
    tenant_param: String,
    clauses: Vec<String>,
}

impl Builder {
    fn new(backend: Backend, plan: SearchPlan, tenant: TenantId) -> Self {
        Self::after_args(backend, plan, tenant, Args::new())
    }

    /// A builder whose placeholders follow those already in `args` (one select of several in
    /// a statement).
    fn after_args(backend: Backend, plan: SearchPlan, tenant: TenantId, args: Args) -> Self {
        let mut builder = Self {
            backend,
            plan,
            tenant,
            driver: Driver::Threads,
            args,
            tenant_param: String::new(),
            clauses: Vec::new(),
        };
        builder.tenant_param = builder.param(tenant);
        let clause = format!("t.tenant_id = {}", builder.tenant_param);
        builder.clauses.push(clause);
        builder
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
            (Backend::Postgres, _) => POSTGRES_MATCHES.replace("{tenant}", &self.tenant_param),
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
                "g.tenant_id = {} AND g.snoozed_until IS NOT NULL AND {snoozed}",
                self.tenant_param
            ),
            InboxView::Done => format!(
                "g.tenant_id = {} AND g.done_at IS NOT NULL AND {DONE}",
                self.tenant_param
            ),
            InboxView::All => return,
        };
        self.clauses.push(clause);
    }

    /// Rows of `tenant` that come after `cursor` in the list order.
    fn after(&mut self, tenant: TenantId, cursor: &Cursor) {
        let at = self.time(cursor.at);
        let clause = match tenant.cmp(&cursor.tenant) {
            std::cmp::Ordering::Less => format!("t.last_message_at <= {at}"),
            std::cmp::Ordering::Greater => format!("t.last_message_at < {at}"),
            std::cmp::Ordering::Equal => {
                let thread = self.param(&cursor.thread);
                let column = self.thread_column();
                format!(
                    "(t.last_message_at < {at} OR (t.last_message_at = {at} AND {column} < {thread}))"
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
    /// Read the index's matches, then their threads: PostgreSQL when few documents match
    /// ([`FEW_HITS`]); SQLite's counts.
    Matches,
    /// Walk the list's threads and look each one up in the index: PostgreSQL when many
    /// match; SQLite's done and snoozed lists, which start from our few triage rows.
    Probe,
    /// SQLite's lists: the threads behind these document keys, which the store read from the
    /// index newest first ([`SEARCH_KEYS`]).
    Keys(Vec<i64>),
}

/// Below this many matching documents (counted no further) a PostgreSQL search is
/// [`SearchPlan::Matches`].
pub const FEW_HITS: i64 = 1000;

/// SQLite: a search for `terms` (FTS5 phrases) within one tenant's documents.
pub fn sqlite_match(tenant: TenantId, terms: &str) -> String {
    format!(
        "tenant : \"t{}\" AND words : ({terms})",
        tenant.as_uuid().simple()
    )
}

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
                .bind(sqlite_match(tenant, &search.fts5()))
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
    "t.thread_id IN (SELECT s.thread_id FROM thread_search s WHERE s.tenant_id = {tenant})";
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

/// Several tenants' parts of a list page in one statement: each tenant's first `range.limit`
/// rows (its own index range, as [`page`] reads it), then the first `range.limit` of them all
/// in the list order. One statement instead of one per tenant: a statement's round trip cost
/// more than its rows.
pub fn merged(
    backend: Backend,
    parts: &[(TenantId, SearchPlan)],
    filter: &ThreadFilter,
    range: &Range<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Query {
    let mut args = Args::new();
    let mut selects = Vec::with_capacity(parts.len());
    for (i, (tenant, plan)) in parts.iter().enumerate() {
        let mut b = Builder::after_args(backend, plan.clone(), *tenant, args);
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
        b.after(b.tenant, cursor);
    }
    if let Some(floor) = range.floor {
        let floor = b.time(floor);
        b.clauses.push(format!("t.last_message_at >= {floor}"));
    }
    let limit = b.param(i64::from(range.limit));
    format!(
        "SELECT {columns} {from} WHERE {conditions} \
         ORDER BY t.last_message_at DESC, {thread} DESC LIMIT {limit}",
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
        "SELECT COUNT(*) {from} WHERE {conditions} AND g.tenant_id = {tenant} \
         AND t.category = {category} \
         AND (COALESCE({DONE}, false) OR COALESCE({snoozed}, false))",
        from = b.from(InboxView::Done),
        conditions = b.conditions(),
        tenant = b.tenant_param,
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

pub const THREAD_MESSAGES: &str = "SELECT instantly_id AS id, direction, mailbox, from_address, \
         to_addresses, cc_addresses, subject, body_text, body_html, attachments, is_auto_reply, \
         timestamp_created AS at, step \
     FROM messages WHERE tenant_id = $1 AND thread_id = $2 \
     ORDER BY timestamp_created, instantly_id";

const LEAD_COLUMNS: &str = "SELECT instantly_id AS id, email, first_name, last_name, \
         company_name, job_title, phone, website, interest_status, campaign_id, open_count, \
         click_count, reply_count, last_contact_at, replied_step, replied_variant, \
         CAST(custom_variables AS TEXT) AS custom_variables \
     FROM leads WHERE tenant_id = $1 AND deleted_at IS NULL";

/// The thread's lead: by its Instantly id when the messages name one, else the newest by
/// address; `None` when they name neither. Two statements, not one with an `OR`: SQLite (no
/// statistics) read the client's whole `leads_by_email` range for the `OR`.
pub fn thread_lead(tenant: TenantId, lead_id: Option<&str>, email: Option<&str>) -> Option<Query> {
    let (sql, key) = match (lead_id, email) {
        (Some(id), _) => (format!("{LEAD_COLUMNS} AND instantly_id = $2"), id),
        (None, Some(email)) => (
            format!("{LEAD_COLUMNS} AND email = $2 ORDER BY timestamp_updated DESC LIMIT 1"),
            email,
        ),
        (None, None) => return None,
    };
    let args = Args::new().bind(tenant).bind(key);
    Some(Query { sql, args })
}

/// The person's other threads in the tenant (`$2` the address, `$3` this thread, `$4` the
/// limit), newest first, by `threads_by_lead_email`.
pub const LEAD_THREADS: &str = "SELECT thread_id, subject, campaign_id, mailbox, last_message_at \
     FROM threads WHERE tenant_id = $1 AND lead_email = $2 AND thread_id <> $3 \
     ORDER BY last_message_at DESC, thread_id DESC LIMIT $4";

/// The names of the live leads with these `(tenant, address)` pairs (two placeholders a
/// pair), by `leads_by_email`; duplicates oldest first. The pairs drive the join (`CROSS
/// JOIN` keeps SQLite's order): as `(tenant_id, email) IN (VALUES …)`, SQLite chose to scan
/// every lead once a page named 50 (3.5 s on agency-L).
pub fn lead_names(leads: &[(TenantId, String)]) -> Query {
    let mut args = Args::new();
    let mut pairs = Vec::with_capacity(leads.len());
    for (i, (tenant, email)) in leads.iter().enumerate() {
        args = args.bind(*tenant).bind(email.as_str());
        pairs.push(format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
    }
    let sql = format!(
        "SELECT l.tenant_id, l.email, l.first_name, l.last_name, l.company_name \
         FROM (VALUES {pairs}) w CROSS JOIN leads l \
         WHERE l.tenant_id = w.column1 AND l.email = w.column2 AND l.deleted_at IS NULL \
         ORDER BY l.tenant_id, l.email, l.timestamp_updated",
        pairs = pairs.join(", ")
    );
    Query { sql, args }
}

/// The live tags of `tenants`' campaigns and mailboxes, by resource: one placeholder a
/// tenant.
pub fn tags(tenants: &[TenantId]) -> Query {
    let (args, list) = Args::new().bind_list(tenants);
    let sql = format!(
        "SELECT m.tenant_id, m.resource_id, c.label FROM custom_tag_mappings m \
         JOIN custom_tags c ON c.tenant_id = m.tenant_id AND c.instantly_id = m.tag_id \
         WHERE m.tenant_id IN ({list}) AND m.deleted_at IS NULL AND c.deleted_at IS NULL \
         ORDER BY c.label"
    );
    Query { sql, args }
}

/// A triage change of one thread: `$1` tenant, `$2` thread, `$3` now, `$4` who, and `$5` the
/// value of a change that carries one ([`triage_value`]). Inserts the triage row from the thread's row, so a thread that is not the
/// tenant's changes nothing.
/// The stored snooze of a thread, unless a reply has reopened it since.
pub const SNOOZED_UNTIL: &str = "SELECT g.snoozed_until FROM thread_triage g \
     JOIN threads t ON t.tenant_id = g.tenant_id AND t.thread_id = g.thread_id \
     WHERE g.tenant_id = $1 AND g.thread_id = $2 AND t.received_count <= g.snoozed_through";

pub fn triage(change: Triage) -> &'static str {
    match change {
        Triage::Read => TRIAGE_READ,
        Triage::Unread => TRIAGE_UNREAD,
        Triage::Done => TRIAGE_DONE,
        Triage::Undone => TRIAGE_UNDONE,
        Triage::Snooze { .. } => TRIAGE_SNOOZE,
        Triage::Unsnooze => TRIAGE_UNSNOOZE,
        Triage::Assign { .. } => TRIAGE_ASSIGN,
    }
}

/// The value `$5` of a triage statement, for the changes that carry one.
pub fn triage_value(change: Triage) -> Option<Param> {
    match change {
        Triage::Snooze { until } => Some(Param::SyncTime(until)),
        Triage::Assign { owner } => Some(owner.into()),
        _ => None,
    }
}

macro_rules! triage_sql {
    ($columns:literal, $values:literal, $set:literal) => {
        concat!(
            "INSERT INTO thread_triage (tenant_id, thread_id, updated_at, updated_by, ",
            $columns,
            ") SELECT t.tenant_id, t.thread_id, $3, $4, ",
            $values,
            " FROM threads t WHERE t.tenant_id = $1 AND t.thread_id = $2 \
             ON CONFLICT (tenant_id, thread_id) DO UPDATE SET updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by, ",
            $set
        )
    };
}

const TRIAGE_READ: &str = triage_sql!(
    "read_through, marked_unread",
    "t.received_count, false",
    "read_through = excluded.read_through, marked_unread = false"
);
const TRIAGE_UNREAD: &str = triage_sql!(
    "marked_unread",
    "true",
    "read_through = NULL, marked_unread = true"
);
const TRIAGE_DONE: &str = triage_sql!(
    "done_at, done_through",
    "$3, t.received_count",
    "done_at = excluded.done_at, done_through = excluded.done_through, \
     snoozed_until = NULL, snoozed_through = NULL"
);
// Clearing needs no inserted value: a new row takes the defaults (`marked_unread` is named
// only because the list of columns may not be empty).
const TRIAGE_UNDONE: &str = triage_sql!(
    "marked_unread",
    "false",
    "done_at = NULL, done_through = NULL"
);
const TRIAGE_SNOOZE: &str = triage_sql!(
    "snoozed_until, snoozed_through",
    "$5, t.received_count",
    "snoozed_until = excluded.snoozed_until, snoozed_through = excluded.snoozed_through, \
     done_at = NULL, done_through = NULL"
);
const TRIAGE_UNSNOOZE: &str = triage_sql!(
    "marked_unread",
    "false",
    "snoozed_until = NULL, snoozed_through = NULL"
);
const TRIAGE_ASSIGN: &str = triage_sql!("owner_id", "$5", "owner_id = excluded.owner_id");

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::{Backend, Query};
    use crate::domain::TenantId;
    use crate::inbox::{InboxView, ThreadFilter};

    async fn migrated() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        crate::store::sqlite::MIGRATOR.run(&mut conn).await.unwrap();
        conn
    }

    /// SQLite's plan of a statement, one step a line.
    async fn plan_of(conn: &mut SqliteConnection, query: Query) -> String {
        let explain = format!("EXPLAIN QUERY PLAN {}", query.sql);
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as_with(
            sqlx::AssertSqlSafe(explain),
            query.args.sqlite_args().unwrap(),
        )
        .fetch_all(conn)
        .await
        .unwrap();
        let steps: Vec<String> = plan.into_iter().map(|(_, _, _, step)| step).collect();
        steps.join("\n")
    }

    fn page_of(filter: &ThreadFilter) -> Query {
        let tenant = TenantId::new();
        let plan = super::SearchPlan::Matches;
        let range = super::Range {
            after: None,
            floor: Some(chrono::Utc::now()),
            limit: 51,
        };
        super::page(
            Backend::Sqlite,
            plan,
            tenant,
            filter,
            &range,
            chrono::Utc::now(),
        )
    }

    /// Each list reads the one index range meant for it, newest first, with no sort and
    /// without stepping over other tabs' threads (SQLite has no statistics to choose by).
    #[tokio::test]
    async fn each_sqlite_list_reads_its_own_index() {
        let mut conn = migrated().await;
        let primary = ThreadFilter::default();
        let plan = plan_of(&mut conn, page_of(&primary)).await;
        assert!(plan.contains("USING INDEX threads_by_tab "), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");

        let staged = ThreadFilter {
            stage: Some(1),
            unread: Some(true),
            ..ThreadFilter::default()
        };
        let plan = plan_of(&mut conn, page_of(&staged)).await;
        assert!(plan.contains("USING INDEX threads_by_tab_stage "), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");

        for view in [InboxView::Done, InboxView::Snoozed] {
            let filter = ThreadFilter {
                view,
                ..ThreadFilter::default()
            };
            let plan = plan_of(&mut conn, page_of(&filter)).await;
            let first = plan.lines().next().unwrap_or_default();
            assert!(first.contains("thread_triage_"), "{view:?}: {plan}");
        }
    }

    /// Several tenants in one statement: each still reads its own index range with its own
    /// limit; SQLite then sorts each part's few rows (the list order names the tenant too)
    /// and merges them.
    #[tokio::test]
    async fn a_merged_sqlite_page_reads_each_tenants_range() {
        let mut conn = migrated().await;
        let plan = super::SearchPlan::Matches;
        let parts: Vec<_> = (0..3).map(|_| (TenantId::new(), plan.clone())).collect();
        let range = super::Range {
            after: None,
            floor: None,
            limit: 51,
        };
        let filter = ThreadFilter::default();
        let now = chrono::Utc::now();
        let query = super::merged(Backend::Sqlite, &parts, &filter, &range, now);
        let plan = plan_of(&mut conn, query).await;
        assert_eq!(
            plan.matches("USING INDEX threads_by_tab ").count(),
            3,
            "{plan}"
        );
        assert!(!plan.contains("SCAN t"), "{plan}");
    }

    /// The page's lead names are one read of key look-ups, whatever the clients.
    #[tokio::test]
    async fn lead_names_look_each_pair_up() {
        let mut conn = migrated().await;
        for pairs in [1, 3, 50, 100] {
            let leads: Vec<_> = (0..pairs)
                .map(|i| (TenantId::new(), format!("{i}@example.com")))
                .collect();
            let plan = plan_of(&mut conn, super::lead_names(&leads)).await;
            assert!(plan.contains("SEARCH l USING INDEX"), "{pairs}: {plan}");
            assert!(!plan.contains("SCAN l "), "{pairs}: {plan}");
        }
    }

    /// The thread view finds its lead by key and the person's other threads in order.
    #[tokio::test]
    async fn the_sqlite_thread_view_reads_by_key() {
        let mut conn = migrated().await;
        let tenant = TenantId::new();
        for (id, email) in [(Some("lead"), Some("a@b.c")), (None, Some("a@b.c"))] {
            let query = super::thread_lead(tenant, id, email).unwrap();
            let plan = plan_of(&mut conn, query).await;
            assert!(plan.contains("SEARCH leads USING"), "{plan}");
            assert!(plan.contains("=? AND "), "{plan}");
        }
        assert!(super::thread_lead(tenant, None, None).is_none());
        let args = crate::store::db::Args::new()
            .bind(tenant)
            .bind("a@b.c")
            .bind("thread")
            .bind(20i64);
        let query = Query {
            sql: super::LEAD_THREADS.to_owned(),
            args,
        };
        let plan = plan_of(&mut conn, query).await;
        assert!(plan.contains("threads_by_lead_email"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    /// A SQLite search list reads its threads by the document keys it found, and a count
    /// reads the tenant's matches first, never every thread with a look-up each.
    #[tokio::test]
    async fn a_sqlite_search_reads_documents_then_their_threads() {
        let mut conn = migrated().await;
        let tenant = TenantId::new();
        let filter = ThreadFilter {
            search: crate::inbox::SearchQuery::parse("word"),
            ..ThreadFilter::default()
        };
        let now = chrono::Utc::now();
        let keys = super::SearchPlan::Keys(vec![3, 2, 1]);
        let range = super::Range {
            after: None,
            floor: None,
            limit: 51,
        };
        let page = super::page(Backend::Sqlite, keys, tenant, &filter, &range, now);
        let plan = plan_of(&mut conn, page).await;
        assert!(plan.contains("threads_by_search_key"), "{plan}");

        let view = InboxView::Primary;
        let matches = super::SearchPlan::Matches;
        let count = super::count(Backend::Sqlite, matches, tenant, &filter, view, now);
        let plan = plan_of(&mut conn, count).await;
        let first = plan
            .lines()
            .find(|step| step.starts_with("SCAN") || step.starts_with("SEARCH"))
            .unwrap_or_default();
        assert!(first.contains("SCAN s VIRTUAL TABLE"), "{plan}");
    }
}
