//! Row-level security on PostgreSQL (RLS-01 to RLS-06; RLS-08 to RLS-12 in `catalogue_rls.rs`), run as the real app role.
//! Skipped without `TEST_DATABASE_URL` (and failing in CI without it).

use allcampaigns::domain::{Email, Role, TenantId};
use allcampaigns::store::postgres::PgStore;
use allcampaigns::store::*;
use secrecy::ExposeSecret;
use sqlx::{Connection, PgConnection, Row};

use crate::helpers::{APP_ROLE, TestDb};

/// Tables with a `tenant_id` column: every one must be guarded.
async fn tenant_tables(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.table_name::text FROM information_schema.columns c \
         JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' \
         ORDER BY 1",
    )
    .fetch_all(conn)
    .await
    .unwrap()
}

/// Two tenants with a row in every tenant table.
pub(crate) async fn seeded() -> Option<(TestDb, DynStore, TenantId, TenantId)> {
    let db = TestDb::postgres().await?;
    let store = db.store().await;
    let mut tenants = Vec::new();
    for name in ["a", "b"] {
        let owner = store
            .create_user(&Email::parse(&format!("{name}@example.com")).unwrap(), "")
            .await
            .unwrap();
        let tenant = store
            .create_tenant(
                Some(owner.id),
                &TenantProfile {
                    name: name.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .id;
        let invitation = Invitation {
            id: uuid::Uuid::now_v7(),
            email: Email::parse("guest@example.com").unwrap(),
            role: Role::Client,
            token_hash: b"token".to_vec(),
            invited_by: Some(owner.id),
            created_at: chrono::Utc::now(),
            expires_at: chrono::Utc::now(),
        };
        store.create_invitation(tenant, &invitation).await.unwrap();
        let entry = NewAuditEntry {
            actor: None,
            action: "seed".into(),
            target: None,
            details: serde_json::json!({}),
            request_id: None,
        };
        store.append_audit(tenant, &entry).await.unwrap();
        store
            .save_connection(tenant, &crate::storage::new_connection(b"sealed", 1))
            .await
            .unwrap();
        seed_synced_rows(&store, tenant).await;
        let thread = ["x".to_owned()];
        let done = allcampaigns::inbox::Triage::Done;
        let now = chrono::Utc::now();
        store
            .triage(tenant, &thread, done, owner.id, now, &entry)
            .await
            .unwrap();
        crate::saved_views::shared_view(&store, tenant, owner.id, "seed").await;
        crate::other_senders::seed_rows(&store, tenant, owner.id).await;
        crate::lead_fixture::seed_rows(&store, tenant, owner.id).await;
        tenants.push(tenant);
    }
    Some((db, store, tenants[0], tenants[1]))
}

/// One row in every table sync writes, plus a thread, a daily sum, a suppression, a sync job
/// and another queued job.
async fn seed_synced_rows(store: &DynStore, tenant: TenantId) {
    use allcampaigns::store::{ALL_TABLES, Kind, Write, shape};
    let mut writes: Vec<Write> = ALL_TABLES
        .iter()
        .map(|table| {
            let shape = shape(*table);
            let mut row = serde_json::Map::new();
            for key in shape.key {
                let value = match *key {
                    "step" | "variant" if shape.name == "campaign_steps" => serde_json::json!(1),
                    "day" => serde_json::json!("2026-11-01"),
                    _ => serde_json::json!("k"),
                };
                row.insert((*key).into(), value);
            }
            for (column, kind) in shape.columns {
                let value = match (*column, kind) {
                    ("direction", _) => serde_json::json!("received"),
                    ("campaign_id", _) => serde_json::json!("k"),
                    (_, Kind::Text) => serde_json::json!("x"),
                    (_, Kind::Int) => serde_json::json!(1),
                    (_, Kind::Real) => serde_json::json!(1.5),
                    (_, Kind::Bool) => serde_json::json!(true),
                    (_, Kind::Time) => serde_json::json!("2026-11-01T10:00:00.000Z"),
                    (_, Kind::Day) => serde_json::json!("2026-11-01"),
                };
                row.insert((*column).into(), value);
            }
            Write::Upsert {
                table: *table,
                rows: serde_json::Value::Array(vec![serde_json::Value::Object(row)]),
            }
        })
        .collect();
    writes.push(Write::RefreshThreads {
        thread_ids: vec!["x".into()],
    });
    writes.push(Write::RefreshTenantDaily {
        from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    });
    let state = allcampaigns::store::StreamState::new("seed");
    store.apply(tenant, None, &writes, &state).await.unwrap();
    store.add_suppression(tenant, b"hash").await.unwrap();
    allcampaigns::sync::SyncWorker::request(store, tenant)
        .await
        .unwrap();
    let job =
        allcampaigns::jobs::NewJob::now(allcampaigns::jobs::JobKind::Sync, serde_json::json!({}));
    allcampaigns::jobs::JobStore::enqueue(&**store, tenant, &job)
        .await
        .unwrap();
}

async fn as_app(db: &TestDb) -> PgConnection {
    let allcampaigns::config::DatabaseConfig::Postgres { url, .. } = &db.config.database else {
        unreachable!()
    };
    PgConnection::connect(url.expose_secret()).await.unwrap()
}

/// The tenant context, and a search that matches every seeded search document: `thread_search`
/// shows the app role only the documents that match its transaction's search.
async fn set_tenant(conn: &mut PgConnection, value: &str) {
    sqlx::query(
        "SELECT set_config('app.tenant_ids', $1, true), set_config('app.search', 'x', true)",
    )
    .bind(value)
    .execute(conn)
    .await
    .unwrap();
}

#[tokio::test]
async fn rls_01_every_tenant_table_forces_row_security_with_real_policies() {
    let Some((db, _store, _, _)) = seeded().await else {
        return;
    };
    let mut owner = db.superuser().await;
    let tables = tenant_tables(&mut owner).await;
    assert!(tables.len() >= 5, "{tables:?}");
    for table in &tables {
        let (enabled, forced): (bool, bool) = sqlx::query_as(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1::regclass",
        )
        .bind(table)
        .fetch_one(&mut owner)
        .await
        .unwrap();
        assert!(
            enabled && forced,
            "{table}: RLS enabled={enabled} forced={forced}"
        );
        let policies =
            sqlx::query("SELECT cmd, qual, with_check FROM pg_policies WHERE tablename = $1")
                .bind(table)
                .fetch_all(&mut owner)
                .await
                .unwrap();
        assert!(!policies.is_empty(), "{table} has no policy");
        for policy in policies {
            let (cmd, qual, check): (String, Option<String>, Option<String>) =
                (policy.get(0), policy.get(1), policy.get(2));
            assert!(
                qual.as_deref().is_some_and(|q| q.trim() != "true"),
                "{table}: USING {qual:?}"
            );
            if cmd == "ALL" {
                assert!(
                    check
                        .as_deref()
                        .is_some_and(|c| c.contains("app_allowed_tenants")),
                    "{table}: WITH CHECK {check:?}"
                );
            }
        }
    }
    let unsafe_views: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'v' \
         AND NOT COALESCE('security_invoker=true' = ANY(c.reloptions), false)",
    )
    .fetch_one(&mut owner)
    .await
    .unwrap();
    assert_eq!(unsafe_views, 0);
    let definers: Vec<(String, Option<Vec<String>>)> = sqlx::query_as(
        "SELECT p.proname::text, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = 'public' AND p.prosecdef",
    )
    .fetch_all(&mut owner)
    .await
    .unwrap();
    // Only these may run as their owner: each answers ids or yes/no, never tenant data
    // (`app_claim_job` leases a job and answers its ids; the payload is read in tenant scope;
    // `app_prune_finished_jobs` deletes finished jobs and answers how many; `app_index_*`
    // keep `thread_search`, and answer nothing; `app_inbound_hook` answers the tenant id and
    // header digest an inbound address's secret names).
    let allowed = [
        "app_claim_job",
        "app_inbound_hook",
        "app_index_lead",
        "app_index_threads",
        "app_instantly_workspace_in_use",
        "app_prune_finished_jobs",
        "app_secret_key_usage",
        "app_tenant_directory",
    ];
    let mut names: Vec<&str> = definers.iter().map(|(name, _)| name.as_str()).collect();
    names.sort();
    assert_eq!(names, allowed, "{definers:?}");
    for (name, config) in &definers {
        let pinned = config
            .as_ref()
            .is_some_and(|c| c.iter().any(|s| s.starts_with("search_path=")));
        assert!(pinned, "{name} must pin its search_path");
    }
}

#[tokio::test]
async fn rls_02_the_app_role_cannot_bypass_row_security_and_the_app_refuses_one_that_can() {
    let Some((db, _store, _, _)) = seeded().await else {
        return;
    };
    let mut app = as_app(&db).await;
    let (role, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "SELECT rolname::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut app)
    .await
    .unwrap();
    assert_eq!(role, APP_ROLE);
    assert!(!superuser && !bypass);
    let owned: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = current_user",
    )
    .fetch_one(&mut app)
    .await
    .unwrap();
    assert_eq!(owned, 0);
    let member_of_owner: bool = sqlx::query_scalar(
        "SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'tenants'::regclass), 'MEMBER')",
    )
    .fetch_one(&mut app)
    .await
    .unwrap();
    assert!(!member_of_owner);

    let owner_url = secrecy::SecretString::from(db.owner_url.clone().unwrap());
    let as_owner = PgStore::connect(&owner_url, 1).await.unwrap();
    let refusal = as_owner
        .refuse_privileged_role()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refusal.contains("owns the tables") && refusal.contains("app role"),
        "{refusal}"
    );
}

#[tokio::test]
async fn rls_03_as_tenant_a_no_statement_reads_or_changes_tenant_b_rows() {
    let Some((db, _store, a, b)) = seeded().await else {
        return;
    };
    let mut app = as_app(&db).await;
    let tables = tenant_tables(&mut db.superuser().await).await;
    for table in &tables {
        let mut tx = app.begin().await.unwrap();
        set_tenant(&mut tx, &a.to_string()).await;
        let scan: Vec<uuid::Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT tenant_id FROM {table}"
        )))
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        assert!(
            !scan.is_empty() && scan.iter().all(|t| *t == a.as_uuid()),
            "{table}: scan saw {scan:?}"
        );
        let by_id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE tenant_id = $1"
        )))
        .bind(b)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        assert_eq!(by_id, 0, "{table}: read B by id");
        let update = format!("UPDATE {table} SET tenant_id = tenant_id WHERE tenant_id = $1");
        match sqlx::query(sqlx::AssertSqlSafe(update))
            .bind(b)
            .execute(&mut *tx)
            .await
        {
            Ok(done) => assert_eq!(done.rows_affected(), 0, "{table}: update of B's rows"),
            Err(error) => assert!(table.contains("audit_log"), "{table}: {error}"),
        }
        tx.rollback().await.unwrap();
    }
    let mut owner = db.superuser().await;
    for table in &tables {
        let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE tenant_id = $1"
        )))
        .bind(b)
        .fetch_one(&mut owner)
        .await
        .unwrap();
        assert!(left > 0, "{table}: B's rows are intact");
    }
}

#[tokio::test]
async fn rls_03_deletes_as_tenant_a_never_touch_tenant_b() {
    let Some((db, _store, a, b)) = seeded().await else {
        return;
    };
    let mut app = as_app(&db).await;
    for table in tenant_tables(&mut db.superuser().await).await {
        let mut tx = app.begin().await.unwrap();
        set_tenant(&mut tx, &a.to_string()).await;
        let result = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE tenant_id = $1"
        )))
        .bind(b)
        .execute(&mut *tx)
        .await;
        match result {
            Ok(done) => assert_eq!(done.rows_affected(), 0, "{table}"),
            Err(error) => assert!(
                table.contains("audit_log") && error.to_string().contains("permission denied"),
                "{table}: {error}"
            ),
        }
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn rls_04_rows_cannot_be_written_into_or_moved_to_another_tenant() {
    let Some((db, _store, a, b)) = seeded().await else {
        return;
    };
    let mut app = as_app(&db).await;
    let mut owner = db.superuser().await;
    for table in tenant_tables(&mut owner).await {
        let mut tx = app.begin().await.unwrap();
        set_tenant(&mut tx, &a.to_string()).await;
        // Every stored column (generated ones, such as search vectors, cannot be written).
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' \
             ORDER BY ordinal_position",
        )
        .bind(&table)
        .fetch_all(&mut owner)
        .await
        .unwrap();
        let values: Vec<String> = columns
            .iter()
            .map(|c| match c.as_str() {
                "tenant_id" => "$1::uuid".to_owned(),
                other => other.to_owned(),
            })
            .collect();
        let insert = format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {table} x LIMIT 1",
            columns.join(", "),
            values.join(", ")
        );
        let error = sqlx::query(sqlx::AssertSqlSafe(insert))
            .bind(b)
            .execute(&mut *tx)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("row-level security"),
            "{table}: insert: {error}"
        );
        tx.rollback().await.unwrap();

        let mut tx = app.begin().await.unwrap();
        set_tenant(&mut tx, &a.to_string()).await;
        let update = format!("UPDATE {table} SET tenant_id = $1 WHERE tenant_id = $2");
        let error = sqlx::query(sqlx::AssertSqlSafe(update))
            .bind(b)
            .bind(a)
            .execute(&mut *tx)
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("row-level security")
                || (table.contains("audit_log") && text.contains("permission denied")),
            "{table}: update: {text}"
        );
        tx.rollback().await.unwrap();
    }
}

/// Private saved views carry no tenant: their policy admits only the transaction's person
/// (`app.user_id`), and no person admits nothing.
#[tokio::test]
async fn personal_views_show_each_person_only_their_own_rows() {
    let Some((db, store, a, b)) = seeded().await else {
        return;
    };
    let a_owner = store.members(a).await.unwrap()[0].user_id;
    let b_owner = store.members(b).await.unwrap()[0].user_id;
    for owner in [a_owner, b_owner] {
        let now = chrono::Utc::now();
        let view = allcampaigns::inbox::views::SavedView {
            id: uuid::Uuid::now_v7(),
            name: "mine".into(),
            filter: Default::default(),
            visibility: allcampaigns::inbox::views::Visibility::Private { owner },
            created_at: now,
            updated_at: now,
        };
        let entry = NewAuditEntry {
            actor: Some(owner),
            action: "view.created".into(),
            target: None,
            details: serde_json::json!({}),
            request_id: None,
        };
        store.insert_view(&view, &entry).await.unwrap();
    }
    let mut app = as_app(&db).await;
    let count = "SELECT COUNT(*) FROM personal_views";
    let mut tx = app.begin().await.unwrap();
    set_tenant(&mut tx, &format!("{a},{b}")).await;
    let seen: i64 = sqlx::query_scalar(count).fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 0, "tenants are no person");
    tx.rollback().await.unwrap();
    let mut tx = app.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.user_id', $1, true)")
        .bind(a_owner.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let owners: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT user_id FROM personal_views")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(owners, [a_owner.as_uuid()]);
    let moved = sqlx::query("UPDATE personal_views SET name = 'x' WHERE user_id = $1")
        .bind(b_owner)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected(), 0);
    let error = sqlx::query("UPDATE personal_views SET user_id = $1")
        .bind(b_owner)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("row-level security"), "{error}");
    tx.rollback().await.unwrap();
    let mut tx = app.begin().await.unwrap();
    let insert = "INSERT INTO personal_views (user_id, view_id, name, filter, created_at, \
         updated_at) VALUES ($1, $2, 'planted', '{}', now(), now())";
    let error = sqlx::query(insert)
        .bind(b_owner)
        .bind(uuid::Uuid::now_v7())
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("row-level security"), "{error}");
}

#[tokio::test]
async fn rls_05_no_empty_or_malformed_tenant_context_sees_nothing() {
    let Some((db, _store, a, _)) = seeded().await else {
        return;
    };
    let mut app = as_app(&db).await;
    let tables = tenant_tables(&mut db.superuser().await).await;
    for table in &tables {
        let count = format!("SELECT COUNT(*) FROM {table}");
        let none: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone()))
            .fetch_one(&mut app)
            .await
            .unwrap();
        assert_eq!(none, 0, "{table} without context");
        let mut tx = app.begin().await.unwrap();
        set_tenant(&mut tx, "").await;
        let empty: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone()))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(empty, 0, "{table} with an empty context");
        tx.rollback().await.unwrap();
        let mut tx = app.begin().await.unwrap();
        set_tenant(&mut tx, "'; DROP TABLE tenants; --").await;
        let malformed = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count.clone()))
            .fetch_one(&mut *tx)
            .await;
        assert!(
            malformed.is_err(),
            "{table} with a malformed context must fail"
        );
        tx.rollback().await.unwrap();
        // A context set in one transaction is gone after it.
        let mut tx = app.begin().await.unwrap();
        set_tenant(&mut tx, &a.to_string()).await;
        tx.commit().await.unwrap();
        let after: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
            .fetch_one(&mut app)
            .await
            .unwrap();
        assert_eq!(after, 0, "{table} after the transaction ended");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rls_06_a_pool_of_two_never_leaks_tenant_context_across_1000_interleaved_requests() {
    let Some((db, _store, a, b)) = seeded().await else {
        return;
    };
    let allcampaigns::config::DatabaseConfig::Postgres { url, .. } = &db.config.database else {
        unreachable!()
    };
    let store = std::sync::Arc::new(PgStore::connect(url, 2).await.unwrap());
    interleave_requests(store, a, b).await;
}

/// RLS-06's body: 1,000 requests for two tenants through `store`'s pool, one in ten failing
/// mid-transaction and some panicking. Each request sees its own tenant only, and afterwards
/// no connection it can get carries a tenant setting.
pub(crate) async fn interleave_requests(store: std::sync::Arc<PgStore>, a: TenantId, b: TenantId) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000usize {
        let store = store.clone();
        let (mine, theirs) = if i % 2 == 0 { (a, b) } else { (b, a) };
        tasks.spawn(async move {
            if i % 10 == 3 {
                let mut tx = store.scoped(&[mine]).await.unwrap();
                assert!(sqlx::query("SELECT 1 / 0").execute(&mut *tx).await.is_err());
            } else if i % 37 == 5 {
                let _tx = store.scoped(&[mine]).await.unwrap();
                panic!("handler failed mid-transaction");
            }
            let seen = store
                .audit_entries(
                    mine,
                    &AuditFilter {
                        limit: 100,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert!(seen.iter().all(|e| e.tenant_id == mine));
            let connection = store.connection(mine).await.unwrap().unwrap();
            assert_eq!(connection.tenant_id, mine);
            // An unscoped transaction: a pooler may hand it any server connection.
            let mut unscoped = store.pool().begin().await.unwrap();
            let leaked: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM instantly_connections WHERE tenant_id = $1",
            )
            .bind(theirs)
            .fetch_one(&mut *unscoped)
            .await
            .unwrap();
            assert_eq!(leaked, 0);
            assert_eq!(tenant_setting(&mut unscoped).await, None, "request {i}");
            unscoped.commit().await.unwrap();
        });
    }
    let mut panics = 0;
    while let Some(result) = tasks.join_next().await {
        match result {
            Ok(()) => {}
            Err(error) if error.is_panic() => panics += 1,
            Err(error) => panic!("{error}"),
        }
    }
    assert_eq!(
        panics,
        (0..1000).filter(|i| i % 10 != 3 && i % 37 == 5).count()
    );
    for _ in 0..4 {
        let mut tx = store.pool().begin().await.unwrap();
        assert_eq!(tenant_setting(&mut tx).await, None);
        tx.commit().await.unwrap();
    }
}

async fn tenant_setting(conn: &mut PgConnection) -> Option<String> {
    sqlx::query_scalar("SELECT NULLIF(current_setting('app.tenant_ids', true), '')")
        .fetch_one(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn rls_04_a_membership_naming_another_tenant_is_refused_by_with_check() {
    let Some((db, store, a, b)) = seeded().await else {
        return;
    };
    let b_owner = store.members(b).await.unwrap()[0].user_id;
    // B's owner exists, but A cannot add a membership row pointing at tenant B.
    let mut app = as_app(&db).await;
    let mut tx = app.begin().await.unwrap();
    set_tenant(&mut tx, &a.to_string()).await;
    let error = sqlx::query("INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, 'owner', now())")
        .bind(b)
        .bind(b_owner)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("row-level security"));
}
