//! Migration 0013 on a database that sync filled before it: each existing thread gets its tab,
//! its received count and (on PostgreSQL) its search documents, from the stored messages.

use allcampaigns::domain::TenantId;
use allcampaigns::inbox::{InboxView, SearchQuery, ThreadFilter};
use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::helpers::TestDb;
use crate::inbox::all_pages;
use crate::inbox_seed::start;
use crate::on_both_backends;

on_both_backends!(migration_0013_files_threads_synced_before_it_under_their_tabs);

/// The migrations before the inbox's, copied apart, so a database can stop at them.
async fn migrator_before_0013(backend: &str) -> (tempfile::TempDir, sqlx::migrate::Migrator) {
    let dir = tempfile::tempdir().unwrap();
    let source = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < "0013" {
            std::fs::copy(&path, dir.path().join(name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    (dir, migrator)
}

/// (thread, direction, auto-reply, from, subject, body) as sync stored them before 0013.
const MESSAGES: &[(&str, &str, bool, &str, &str, &str)] = &[
    (
        "real",
        "sent",
        false,
        "us@agency.example",
        "Offer",
        "Our offer",
    ),
    (
        "real",
        "received",
        false,
        "lead@x.example",
        "Re: Offer",
        "Bonjour, très intéressant",
    ),
    (
        "ooo",
        "received",
        true,
        "away@x.example",
        "Away",
        "Back on Monday",
    ),
    (
        "bounce",
        "received",
        false,
        "MAILER-DAEMON@x.example",
        "Failure",
        "Undeliverable",
    ),
    (
        "ours",
        "sent",
        false,
        "us@agency.example",
        "Hello",
        "Just us",
    ),
];

/// The rows, with `cast` after each time parameter (`::timestamptz` on PostgreSQL).
fn statements(cast: &str) -> [String; 3] {
    [
        format!(
            "INSERT INTO tenants (tenant_id, name, created_at, updated_at) \
             VALUES ($1, 'T', $2{cast}, $2{cast})"
        ),
        format!(
            "INSERT INTO messages (tenant_id, instantly_id, thread_id, lead_email, mailbox, \
             direction, from_address, to_addresses, subject, body_text, blocked_remote, \
             is_unread, is_auto_reply, timestamp_created, message_id, fingerprint) \
             VALUES ($1, $2 || '-' || $3, $2, 'lead@x.example', 'us@agency.example', $3, $5, \
             'x', $6, $7, false, false, $4, $8{cast}, $2, 0)"
        ),
        format!(
            "INSERT INTO threads (tenant_id, thread_id, lead_email, mailbox, subject, \
             message_count, unread_count, last_message_id, last_message_at, last_direction, \
             last_preview) SELECT tenant_id, thread_id, 'lead@x.example', mailbox, MAX(subject), \
             COUNT(*), 0, MAX(instantly_id), $1{cast}, MAX(direction), 'p' \
             FROM messages GROUP BY tenant_id, thread_id, mailbox"
        ),
    ]
}

macro_rules! fill {
    ($conn:expr, $tenant:expr, $cast:expr, $at:expr) => {{
        let [tenant_row, message_row, thread_rows] = statements($cast);
        sqlx::query(sqlx::AssertSqlSafe(tenant_row))
            .bind($tenant.as_uuid())
            .bind($at)
            .execute(&mut *$conn)
            .await
            .unwrap();
        for (thread, direction, auto, from, subject, body) in MESSAGES {
            sqlx::query(sqlx::AssertSqlSafe(message_row.clone()))
                .bind($tenant.as_uuid())
                .bind(*thread)
                .bind(*direction)
                .bind(*auto)
                .bind(*from)
                .bind(*subject)
                .bind(*body)
                .bind($at)
                .execute(&mut *$conn)
                .await
                .unwrap();
        }
        sqlx::query(sqlx::AssertSqlSafe(thread_rows))
            .bind($at)
            .execute(&mut *$conn)
            .await
            .unwrap();
    }};
}

async fn migration_0013_files_threads_synced_before_it_under_their_tabs(db: TestDb) {
    let tenant = TenantId::new();
    let at = allcampaigns::store::sync_iso(start());
    if db.is_postgres() {
        let (_dir, migrator) = migrator_before_0013("postgres").await;
        let mut owner = db.owner().await;
        migrator.run(&mut owner).await.unwrap();
        let mut su: PgConnection = db.superuser().await;
        fill!(&mut su, tenant, "::timestamptz", &at);
    } else {
        let allcampaigns::config::DatabaseConfig::Sqlite { path } = &db.config.database else {
            unreachable!()
        };
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        let (_dir, migrator) = migrator_before_0013("sqlite").await;
        migrator.run(&mut conn).await.unwrap();
        fill!(&mut conn, tenant, "", &at);
        conn.close().await.unwrap();
    }
    let store = db.store().await;
    let now = start() + chrono::Duration::days(1);
    let view = |view| ThreadFilter {
        view,
        ..ThreadFilter::default()
    };
    let ids = |rows: Vec<allcampaigns::inbox::ThreadSummary>| -> Vec<String> {
        rows.into_iter().map(|r| r.thread_id).collect()
    };
    let primary = all_pages(&store, &[tenant], &view(InboxView::Primary), 10, now).await;
    assert_eq!(ids(primary), ["real"]);
    let mut others = ids(all_pages(&store, &[tenant], &view(InboxView::Others), 10, now).await);
    others.sort();
    assert_eq!(others, ["bounce", "ooo", "ours"]);
    let search = ThreadFilter {
        search: SearchQuery::parse("bonjour absent"),
        ..view(InboxView::All)
    };
    assert!(
        all_pages(&store, &[tenant], &search, 10, now)
            .await
            .is_empty()
    );
    let search = ThreadFilter {
        search: SearchQuery::parse("BONJOUR tres INTÉRESSANT"),
        ..view(InboxView::All)
    };
    let found = all_pages(&store, &[tenant], &search, 10, now).await;
    assert_eq!(
        ids(found),
        ["real"],
        "messages stored before 0013 are found"
    );
}
