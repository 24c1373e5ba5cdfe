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
    let tenants: Vec<_> = (0..3).map(|_| TenantId::new()).collect();
    let range = super::Range {
        after: None,
        floor: None,
        limit: 51,
    };
    let filter = ThreadFilter::default();
    let now = chrono::Utc::now();
    let query = super::merged(Backend::Sqlite, &plan, &tenants, &filter, &range, now);
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
    // Every client's keys at once: still one look-up a key, whatever the clients.
    let tenants = [tenant, TenantId::new(), TenantId::new()];
    let scope = super::Scope::Many(&tenants);
    let page = super::found_page(scope, vec![3, 2, 1], &filter, &range, now);
    let plan = plan_of(&mut conn, page).await;
    assert!(plan.contains("threads_by_search_key"), "{plan}");
    assert!(!plan.contains("SCAN t"), "{plan}");

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

/// PostgreSQL's page of every client's matches names no tenant in its read of the documents,
/// so the GIN index reads the words alone (migration 0022); the threads stay the clients'.
#[test]
fn a_postgresql_page_of_all_clients_matches_reads_the_words_alone() {
    let tenants = [TenantId::new(), TenantId::new(), TenantId::new()];
    let filter = ThreadFilter {
        search: crate::inbox::SearchQuery::parse("pricing"),
        ..ThreadFilter::default()
    };
    let range = super::Range {
        after: None,
        floor: None,
        limit: 50,
    };
    let sql = super::matches_page(&tenants, &filter, &range, chrono::Utc::now()).sql;
    assert!(sql.contains(super::POSTGRES_MATCHES_ALL), "{sql}");
    assert!(!sql.contains("s.tenant_id IN"), "{sql}");
    assert!(sql.contains("t.tenant_id IN ($1, $2, $3)"), "{sql}");
    assert!(
        sql.contains("ORDER BY t.last_message_at DESC, t.tenant_id DESC"),
        "{sql}"
    );
}
