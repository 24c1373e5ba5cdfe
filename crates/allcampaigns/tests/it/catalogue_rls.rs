//! Tenant isolation beyond `rls.rs`: jobs for one tenant leave another's rows alone (RLS-09),
//! cross-tenant composite keys (RLS-08), synced tables on SQLite (RLS-10) and index shape on a
//! large PostgreSQL table (RLS-12), the reply outbox's reads included.

use std::sync::Arc;

use allcampaigns::domain::TenantId;
use allcampaigns::mail::Mailer;
use allcampaigns::store::{StreamState, Table, TenantProfile, Write};
use allcampaigns::sync::{Hooks, SyncOptions, SyncWorker};
use instantly::BudgetConfig;
use instantly_sim::{RunningSim, Scale, SimConfig, Simulator};
use serde_json::json;
use sqlx::{Connection, PgConnection};

use crate::catalogue_support::{row_for, tenant_rows};
use crate::helpers::TestDb;
use crate::on_both_backends;

/// Two tenants, each connected to its own simulator workspace, and one worker for both.
struct TwoTenants {
    sim: RunningSim,
    worker: SyncWorker,
    a: TenantId,
    b: TenantId,
}

async fn two_connected_tenants(db: &TestDb) -> TwoTenants {
    let config = SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: 11,
        scale: Scale::Small,
        workspaces: 2,
        rate_limits: false,
    };
    let sim = Simulator::start(config).await.expect("simulator starts");
    let store = db.store().await;
    let keyring = Arc::new(
        allcampaigns::keys::load_keyring(&db.config, &store)
            .await
            .unwrap(),
    );
    let mut tenants = Vec::new();
    for (name, ws) in ["A", "B"].into_iter().zip(sim.workspaces()) {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        let tenant = store.create_tenant(None, &profile).await.unwrap().id;
        crate::instantly_link::link_as_operator(
            &store,
            &keyring,
            tenant,
            &ws.api_key,
            &sim.base_url(),
        )
        .await;
        tenants.push(tenant);
    }
    let options = SyncOptions {
        reconcile_every: chrono::Duration::zero(),
        ..crate::sync::whole_cycles()
    };
    let (mailer, _inbox) = Mailer::capture();
    let worker = SyncWorker::new(
        store.clone(),
        keyring,
        BudgetConfig::unlimited(),
        options,
        mailer,
    );
    TwoTenants {
        sim,
        worker,
        a: tenants[0],
        b: tenants[1],
    }
}

/// RLS-09: syncing tenant A (backfill, then new replies, status changes and a reconciliation)
/// with tenant B's synced data present leaves every one of B's rows byte for byte unchanged.
/// The sync worker connects as the app role (no bypass role exists: RLS-02).
async fn rls_09_syncing_one_tenant_leaves_the_other_tenants_rows_unchanged(db: TestDb) {
    let t = two_connected_tenants(&db).await;
    let report = t.worker.sync_tenant(t.b, Hooks::default()).await.unwrap();
    assert_eq!(report.failed().count(), 0, "{report:?}");
    let before = tenant_rows(&db, t.b).await;
    for table in ["messages", "leads", "threads", "campaigns", "sync_streams"] {
        assert!(!before[table].is_empty(), "B has {table} to protect");
    }
    t.worker.sync_tenant(t.a, Hooks::default()).await.unwrap();
    t.sim.tick(&instantly_sim::TickRequest {
        new_replies: 20,
        status_changes: 10,
        mailbox_changes: 2,
        ..Default::default()
    });
    let report = t.worker.sync_tenant(t.a, Hooks::default()).await.unwrap();
    assert_eq!(report.failed().count(), 0, "{report:?}");
    assert!(report.written() > 0, "A's second cycle wrote something");
    let after = tenant_rows(&db, t.b).await;
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &before {
        assert!(rows == &after[table], "A's sync changed B's {table}");
    }
    let a_rows = tenant_rows(&db, t.a).await;
    assert!(!a_rows["messages"].is_empty(), "A was synced");
}

/// RLS-08 (cross-tenant composite foreign key): tenant A cannot hang a campaign step on a
/// campaign that exists only in tenant B; the error carries no database text, and B is unchanged.
async fn rls_08_a_cross_tenant_composite_foreign_key_is_refused(db: TestDb) {
    let store = db.store().await;
    let mut tenants = Vec::new();
    for name in ["A", "B"] {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        tenants.push(store.create_tenant(None, &profile).await.unwrap().id);
    }
    let (a, b) = (tenants[0], tenants[1]);
    let state = StreamState::new("rls_08");
    let campaign = Write::Upsert {
        table: Table::Campaigns,
        rows: json!([campaign_row("only-in-b")]),
    };
    store.apply(b, None, &[campaign], &state).await.unwrap();
    let b_before = tenant_rows(&db, b).await;
    let step = Write::Upsert {
        table: Table::CampaignSteps,
        rows: json!([step_row("only-in-b")]),
    };
    let error = store
        .apply(a, None, &[step], &state)
        .await
        .expect_err("a step of another tenant's campaign is refused");
    let text = format!("{error} {error:?}");
    for leak in ["FOREIGN KEY", "foreign key", "violates", "campaign_steps"] {
        assert!(!error.to_string().contains(leak), "{leak} in {text}");
    }
    assert_eq!(tenant_rows(&db, b).await, b_before);
    let a_rows = tenant_rows(&db, a).await;
    assert!(a_rows["campaign_steps"].is_empty(), "{a_rows:?}");
    if db.is_postgres() {
        // The same through SQL as the app role, with A's context: the key itself refuses it.
        let mut conn = app_connection(&db).await;
        let mut tx = conn.begin().await.unwrap();
        set_tenants(&mut tx, &a.to_string()).await;
        let refused = sqlx::query(
            "INSERT INTO campaign_steps (tenant_id, campaign_id, step, variant, kind, delay, \
             subject, body, disabled) VALUES ($1, 'only-in-b', 1, 1, 'email', 0, 's', 'b', false)",
        )
        .bind(a)
        .execute(&mut *tx)
        .await
        .unwrap_err();
        assert!(refused.to_string().contains("foreign key"), "{refused}");
    }
}

fn campaign_row(id: &str) -> serde_json::Value {
    row_for(Table::Campaigns, &[("instantly_id", json!(id))])
}

fn step_row(campaign: &str) -> serde_json::Value {
    row_for(
        Table::CampaignSteps,
        &[
            ("campaign_id", json!(campaign)),
            ("step", json!(1)),
            ("variant", json!(1)),
        ],
    )
}

/// RLS-10 for synced tables: on either backend, the store's reads and writes for one tenant
/// never see or change another's synced rows, and a row that names another tenant in its data
/// is still stored under the writing tenant (the tenant comes from the caller, never the row).
async fn rls_10_synced_tables_keep_tenants_apart_through_the_store(db: TestDb) {
    let store = db.store().await;
    let mut tenants = Vec::new();
    for name in ["A", "B"] {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        tenants.push(store.create_tenant(None, &profile).await.unwrap().id);
    }
    let (a, b) = (tenants[0], tenants[1]);
    let state = StreamState::new("rls_10");
    let same_keys = |tenant: TenantId| -> Vec<Write> {
        [Table::Campaigns, Table::Leads, Table::Messages]
            .into_iter()
            .map(|table| {
                let mut row = row_for(table, &[("instantly_id", json!("shared-id"))]);
                row["tenant_id"] = json!(tenant.to_string());
                Write::Upsert {
                    table,
                    rows: json!([row]),
                }
            })
            .collect()
    };
    store.apply(b, None, &same_keys(b), &state).await.unwrap();
    let b_before = tenant_rows(&db, b).await;
    // A writes the same natural keys, with B's id forged into each row's data.
    store.apply(a, None, &same_keys(b), &state).await.unwrap();
    assert_eq!(tenant_rows(&db, b).await, b_before, "B's rows unchanged");
    let a_rows = tenant_rows(&db, a).await;
    for table in ["campaigns", "leads", "messages"] {
        assert_eq!(a_rows[table].len(), 1, "A has its own {table} row");
    }
    let counts_a = store.stored_counts(a).await.unwrap();
    let counts_b = store.stored_counts(b).await.unwrap();
    assert_eq!(
        counts_a, counts_b,
        "each sees exactly its own one row per table"
    );
}

on_both_backends!(
    rls_09_syncing_one_tenant_leaves_the_other_tenants_rows_unchanged,
    rls_08_a_cross_tenant_composite_foreign_key_is_refused,
    rls_10_synced_tables_keep_tenants_apart_through_the_store,
);

async fn app_connection(db: &TestDb) -> PgConnection {
    use secrecy::ExposeSecret;
    let allcampaigns::config::DatabaseConfig::Postgres { url, .. } = &db.config.database else {
        unreachable!()
    };
    PgConnection::connect(url.expose_secret()).await.unwrap()
}

async fn set_tenants(conn: &mut PgConnection, value: &str) {
    sqlx::query("SELECT set_config('app.tenant_ids', $1, true)")
        .bind(value)
        .execute(conn)
        .await
        .unwrap();
}

const FIXTURE_TENANTS: i64 = 50;
/// Rows per table. The catalogue names 1M; 60k across 50 tenants already makes a sequential
/// scan cost 50 times an index scan, and keeps the fixture to seconds (200k took 37 s on the
/// shared 2-core CI box, most of it maintaining the full-text indexes).
const FIXTURE_ROWS: i64 = 60_000;

/// Tenant number `n` of the fixture, as SQL.
const TENANT: &str = "('00000000-0000-0000-0000-' || lpad(to_hex(i % 50 + 1), 12, '0'))::uuid";

async fn large_fixture(conn: &mut PgConnection) {
    let statements = [
        format!(
            "INSERT INTO tenants (tenant_id, name, created_at, updated_at) \
             SELECT ('00000000-0000-0000-0000-' || lpad(to_hex(t), 12, '0'))::uuid, 't' || t, \
             now(), now() FROM generate_series(1, {FIXTURE_TENANTS}) t"
        ),
        // The functions that index threads for search run as the owner, whom row-level
        // security binds: this session may write every fixture tenant.
        "SELECT set_config('app.tenant_ids', string_agg(tenant_id::text, ','), false) \
         FROM tenants"
            .to_string(),
        format!(
            "INSERT INTO audit_log (tenant_id, id, at, action) SELECT {TENANT}, gen_random_uuid(), \
             now() - i * interval '1 second', 'seed' FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        format!(
            "INSERT INTO messages (tenant_id, instantly_id, thread_id, lead_email, mailbox, \
             direction, to_addresses, subject, body_text, blocked_remote, is_unread, \
             is_auto_reply, timestamp_created, message_id, fingerprint) \
             SELECT {TENANT}, 'm' || i, 't' || (i / 4), 'p' || i || '@example.com', 'mb', \
             'received', 'x', 's', 'b', false, false, false, now() - i * interval '1 second', \
             'id' || i, 0 FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        format!(
            "INSERT INTO threads (tenant_id, thread_id, mailbox, subject, message_count, \
             unread_count, last_message_id, last_message_at, last_direction, last_preview) \
             SELECT {TENANT}, 't' || i, 'mb', 's', 1, 0, 'm' || i, \
             now() - i * interval '1 second', 'received', 'p' FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        format!(
            "INSERT INTO leads (tenant_id, instantly_id, email, company_domain, custom_variables, \
             status, open_count, reply_count, click_count, timestamp_created, timestamp_updated, \
             fingerprint) SELECT {TENANT}, 'l' || i, 'p' || i || '@example.com', 'd', '{{}}', 1, \
             0, (i % 7 = 0)::int, 0, now(), now() - i * interval '1 second', 0 \
             FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        // Issue 13: a third of the leads have a state, with a value.
        format!(
            "INSERT INTO lead_states (tenant_id, lead_email, value_cents, updated_at) \
             SELECT {TENANT}, 'p' || i || '@example.com', i, now() \
             FROM generate_series(1, {FIXTURE_ROWS}) i WHERE i % 3 = 0"
        ),
        // Issue 13: notes and calls, 60 on each of 1,000 leads.
        format!(
            "INSERT INTO lead_notes (tenant_id, note_id, lead_email, body, html, shared, \
             created_at, updated_at) SELECT {TENANT}, gen_random_uuid(), \
             'p' || (i % 1000) || '@example.com', 'b', '<p>b</p>', i % 2 = 0, \
             now() - i * interval '1 second', now() FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        format!(
            "INSERT INTO lead_calls (tenant_id, call_id, lead_email, at, duration_seconds, \
             outcome, created_at) SELECT {TENANT}, gen_random_uuid(), \
             'p' || (i % 1000) || '@example.com', now() - i * interval '1 second', 60, \
             'connected', now() FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        // Issue 13: changes of lead state, 60 on each of 1,000 leads.
        format!(
            "INSERT INTO lead_changes (tenant_id, change_id, lead_email, source, field, \
             to_value, at) SELECT {TENANT}, gen_random_uuid(), \
             'p' || (i % 1000) || '@example.com', 'person', 'value', '1.00 USD', \
             now() - i * interval '1 second' FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        // Issue 13: the reply outbox, one unconfirmed reply in a hundred.
        format!(
            "INSERT INTO reply_outbox (tenant_id, reply_id, thread_id, lead_email, eaccount, \
             reply_to_uuid, reply_to_at, subject, body, html, send_at, state, \
             instantly_email_id, created_at, updated_at) SELECT {TENANT}, gen_random_uuid(), \
             't' || (i / 4), 'p' || (i % 1000) || '@example.com', 'mb', 'm' || i, now(), 's', \
             'b', '<p>b</p>', now(), CASE WHEN i % 100 = 0 THEN 'not_confirmed' ELSE 'sent' END, \
             CASE WHEN i % 100 = 0 THEN NULL ELSE 'e' || i END, now() - i * interval '1 second', \
             now() FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        // Issue 13: speed-to-reply counts, each on its own day and bucket.
        format!(
            "INSERT INTO speed_days (tenant_id, day, measure, touched_by, bucket_seconds, \
             replies) SELECT {TENANT}, to_char(now() - i * interval '1 hour', 'YYYY-MM-DD'), \
             'wall', app_nobody(), i, 1 FROM generate_series(1, {FIXTURE_ROWS}) i"
        ),
        // Sync writes each thread's search document when it refreshes the thread.
        "SELECT app_index_threads(tenant_id, array_agg(thread_id)) FROM threads \
         GROUP BY tenant_id"
            .to_string(),
        "VACUUM ANALYZE".to_string(),
    ];
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// The hot queries, with the product's shapes and one tenant's values.
fn hot_queries(tenant: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "audit page",
            format!(
                "SELECT id, at, action FROM audit_log WHERE tenant_id = '{tenant}' \
                 ORDER BY at DESC, id DESC LIMIT 50"
            ),
        ),
        (
            "thread refresh probe",
            format!(
                "SELECT c.n, m.instantly_id FROM (SELECT DISTINCT jsonb_array_elements_text( \
                 '[\"t7\", \"t57\"]'::jsonb) AS thread_id) t \
                 CROSS JOIN LATERAL (SELECT COUNT(*) AS n FROM messages \
                     WHERE tenant_id = '{tenant}' AND thread_id = t.thread_id) c \
                 CROSS JOIN LATERAL (SELECT instantly_id FROM messages \
                     WHERE tenant_id = '{tenant}' AND thread_id = t.thread_id \
                     ORDER BY timestamp_created DESC, instantly_id DESC LIMIT 1) m"
            ),
        ),
        (
            "message by id (upsert conflict)",
            format!(
                "SELECT fingerprint FROM messages WHERE tenant_id = '{tenant}' AND instantly_id = 'm7'"
            ),
        ),
        (
            "inbox: threads by last message",
            format!(
                "SELECT thread_id FROM threads WHERE tenant_id = '{tenant}' \
                 ORDER BY last_message_at DESC LIMIT 50"
            ),
        ),
        (
            "lead by address",
            format!(
                "SELECT instantly_id FROM leads WHERE tenant_id = '{tenant}' \
                 AND email = 'p7@example.com'"
            ),
        ),
        (
            "a lead's notes, a client's page",
            format!(
                "SELECT note_id FROM lead_notes WHERE tenant_id = '{tenant}' \
                 AND lead_email = 'p6@example.com' AND (shared OR false) \
                 ORDER BY created_at DESC, note_id DESC LIMIT 51"
            ),
        ),
        (
            "a lead's calls, the next page",
            format!(
                "SELECT call_id FROM lead_calls WHERE tenant_id = '{tenant}' \
                 AND lead_email = 'p6@example.com' \
                 AND (at, call_id) < (now(), '00000000-0000-0000-0000-000000000000') \
                 ORDER BY at DESC, call_id DESC LIMIT 51"
            ),
        ),
        (
            "a lead's changes, a client's page",
            format!(
                "SELECT change_id FROM lead_changes WHERE tenant_id = '{tenant}' \
                 AND lead_email = 'p6@example.com' \
                 AND (false OR field IN ('stage', 'value', 'instantly_status')) \
                 ORDER BY at DESC, change_id DESC LIMIT 51"
            ),
        ),
        (
            "a lead's messages for its timeline",
            format!(
                "SELECT m.instantly_id FROM messages m WHERE m.tenant_id = '{tenant}' \
                 AND m.thread_id IN (SELECT t.thread_id FROM threads t \
                     WHERE t.tenant_id = '{tenant}' AND lower(t.lead_email) = 'p6@example.com') \
                 ORDER BY m.timestamp_created DESC, m.instantly_id DESC LIMIT 51"
            ),
        ),
        (
            "leads list: a client's replied leads nobody owns, the latest first",
            format!(
                "SELECT l.instantly_id, s.value_cents FROM leads l LEFT JOIN lead_states s \
                 ON s.tenant_id = l.tenant_id AND s.lead_email = lower(l.email) \
                 WHERE l.tenant_id = '{tenant}' AND l.deleted_at IS NULL \
                 AND s.owner_id IS NULL AND l.reply_count > 0 \
                 ORDER BY l.timestamp_updated DESC, l.instantly_id DESC LIMIT 51"
            ),
        ),
        (
            "speed-to-reply: a client's counts of a month",
            format!(
                "SELECT tenant_id, measure, touched_by, bucket_seconds, \
                 CAST(sum(replies) AS BIGINT) FROM speed_days \
                 WHERE tenant_id IN ('{tenant}') AND day >= '2026-11-01' AND day < '2026-12-01' \
                 GROUP BY tenant_id, measure, touched_by, bucket_seconds HAVING sum(replies) > 0"
            ),
        ),
        (
            "a thread's replies",
            format!(
                "SELECT reply_id FROM reply_outbox WHERE tenant_id = '{tenant}' \
                 AND thread_id = 't7' ORDER BY created_at DESC, reply_id DESC LIMIT 200"
            ),
        ),
        (
            "a lead's replies, for its timeline",
            format!(
                "SELECT reply_id FROM reply_outbox WHERE tenant_id = '{tenant}' \
                 AND lead_email = 'p6@example.com' ORDER BY created_at DESC LIMIT 51"
            ),
        ),
        (
            "replies sync may confirm",
            format!(
                "SELECT reply_id FROM reply_outbox WHERE tenant_id = '{tenant}' \
                 AND state = 'not_confirmed' ORDER BY created_at DESC, reply_id DESC LIMIT 100"
            ),
        ),
        (
            "a thread's sent messages no reply claims",
            format!(
                "SELECT m.instantly_id FROM messages m WHERE m.tenant_id = '{tenant}' \
                 AND m.thread_id = 't7' AND m.direction = 'sent' AND lower(m.mailbox) = 'mb' \
                 AND NOT EXISTS (SELECT 1 FROM reply_outbox r WHERE r.tenant_id = m.tenant_id \
                     AND r.instantly_email_id = m.instantly_id) \
                 ORDER BY m.timestamp_created, m.instantly_id"
            ),
        ),
        (
            "sync counts",
            format!(
                "SELECT COUNT(*) FROM leads WHERE tenant_id = '{tenant}' AND deleted_at IS NULL"
            ),
        ),
    ]
}

/// Every plan node that reads a table, as (node type, relation, index).
fn scans(plan: &serde_json::Value, out: &mut Vec<(String, String, Option<String>)>) {
    if let Some(relation) = plan["Relation Name"].as_str() {
        out.push((
            plan["Node Type"].as_str().unwrap().to_owned(),
            relation.to_owned(),
            plan["Index Name"].as_str().map(str::to_owned),
        ));
    }
    if let Some(index) = plan["Index Name"].as_str()
        && plan["Relation Name"].is_null()
    {
        // Bitmap index scans name the index but not the table.
        out.push((
            plan["Node Type"].as_str().unwrap().to_owned(),
            String::new(),
            Some(index.to_owned()),
        ));
    }
    for child in plan["Plans"].as_array().into_iter().flatten() {
        scans(child, out);
    }
}

/// RLS-12: on a 60k-row-per-table PostgreSQL fixture, the hot queries, run as the app role
/// under RLS, read through indexes whose first column is `tenant_id`, with no sequential scan.
#[tokio::test]
async fn rls_12_hot_queries_use_indexes_that_lead_with_tenant_id() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    drop(db.store().await);
    let mut su = db.superuser().await;
    let started = std::time::Instant::now();
    large_fixture(&mut su).await;
    eprintln!("RLS-12 fixture built in {:?}", started.elapsed());
    let leading: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.relname::text, a.attname::text FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] \
         JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = 'public'",
    )
    .fetch_all(&mut su)
    .await
    .unwrap();
    let leads_with_tenant = |index: &str| {
        leading
            .iter()
            .any(|(name, column)| name == index && column == "tenant_id")
    };
    let tenant = "00000000-0000-0000-0000-000000000007";
    let mut app = app_connection(&db).await;
    for (name, query) in hot_queries(tenant) {
        let mut tx = app.begin().await.unwrap();
        set_tenants(&mut tx, tenant).await;
        let explain = format!("EXPLAIN (FORMAT JSON) {query}");
        let plan: serde_json::Value = sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
            .fetch_one(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        tx.rollback().await.unwrap();
        let mut found = Vec::new();
        scans(&plan[0]["Plan"], &mut found);
        assert!(!found.is_empty(), "{name}: no table read in {plan}");
        for (node, relation, index) in found {
            assert!(
                node != "Seq Scan",
                "{name}: sequential scan of {relation}: {plan}"
            );
            if node == "Bitmap Heap Scan" {
                continue; // Reads what its Bitmap Index Scan child (checked too) found.
            }
            let index = index.unwrap_or_else(|| panic!("{name}: {node} without an index: {plan}"));
            assert!(
                leads_with_tenant(&index),
                "{name}: {index} does not lead with tenant_id: {plan}"
            );
        }
    }
}

/// RLS-07: the tenant context is only ever set with `set_config(name, $1, true)` (a bound value,
/// transaction-local), never by SQL text built with `format!` or a `SET` of an `app.` setting.
#[test]
fn rls_07_the_tenant_context_is_set_only_through_a_bound_transaction_local_set_config() {
    let mut files = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    let mut calls = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for (number, line) in source.lines().enumerate() {
            let at = format!("{}:{}", path.display(), number + 1);
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let upper = code.to_uppercase();
            assert!(
                !(upper.contains("SET APP.")
                    || upper.contains("SET LOCAL APP.")
                    || upper.contains("SET SESSION APP.")),
                "{at}: a SET of an app setting: {code}"
            );
            if code.contains("set_config(") {
                calls += 1;
                assert!(
                    code.contains("SELECT set_config('app.")
                        && code.contains("', $1, true)")
                        && !code.contains("format!"),
                    "{at}: set_config must bind its value and be transaction-local: {code}"
                );
            }
        }
    }
    assert!(
        calls >= 2,
        "the tenant and user context are set somewhere ({calls})"
    );
}

/// Issue 12 (PERFORMANCE.md: under RLS every `@@` search was a sequential scan of all
/// messages): on the same fixture, as the app role, an inbox search reads `thread_search`
/// through its GIN index, since the match is the condition of a restrictive policy, which is
/// evaluated first; a page of threads for the search probes it per thread or joins its hits.
#[tokio::test]
async fn rls_12_inbox_search_reads_the_gin_index_under_row_level_security() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    drop(db.store().await);
    large_fixture(&mut db.superuser().await).await;
    let tenant = "00000000-0000-0000-0000-000000000007";
    let mut app = app_connection(&db).await;
    let documents = format!("SELECT thread_id FROM thread_search WHERE tenant_id = '{tenant}'");
    // The two shapes of an inbox page with a search (`store/inbox_sql.rs`): few matching
    // documents are read through the index and their threads joined; with many, each thread
    // walked is probed.
    let page = |search: &str| {
        format!(
            "SELECT t.thread_id FROM threads t LEFT JOIN thread_triage g \
               ON g.tenant_id = t.tenant_id AND g.thread_id = t.thread_id \
             WHERE t.tenant_id = '{tenant}' AND {search} \
             ORDER BY t.last_message_at DESC, t.thread_id COLLATE \"C\" DESC LIMIT 51"
        )
    };
    let few = page(&format!(
        "t.thread_id IN (SELECT s.thread_id FROM thread_search s WHERE s.tenant_id = '{tenant}')"
    ));
    let many = page(
        "(SELECT 1 FROM thread_search s \
           WHERE s.tenant_id = t.tenant_id AND s.thread_id = t.thread_id LIMIT 1) IS NOT NULL",
    );
    for (name, query, term) in [
        ("documents, a rare word", &documents, "p7"),
        ("documents, a word in none", &documents, "nowhere"),
        ("a page, a rare word", &few, "p7"),
        ("a page, a word in every message", &many, "example"),
    ] {
        let mut tx = app.begin().await.unwrap();
        set_tenants(&mut tx, tenant).await;
        sqlx::query("SELECT set_config('app.search', $1, true)")
            .bind(term)
            .execute(&mut *tx)
            .await
            .unwrap();
        let explain = format!("EXPLAIN (ANALYZE, FORMAT JSON) {query}");
        let plan: serde_json::Value = sqlx::query_scalar(sqlx::AssertSqlSafe(explain))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let mut found = Vec::new();
        scans(&plan[0]["Plan"], &mut found);
        eprintln!("{name}: {found:?}, {} ms", plan[0]["Execution Time"]);
        assert!(
            found.iter().all(|(node, _, _)| node != "Seq Scan"),
            "{name}: {plan}"
        );
        let gin = found
            .iter()
            .any(|(_, _, index)| index.as_deref() == Some("thread_search_words"));
        // Probing a thread's document reads it by its key, not through the GIN index.
        assert!(
            gin || query == &many,
            "{name}: the GIN index is not read: {plan}"
        );
    }
}
