//! PostgreSQL as the README sets it up: a non-superuser owner runs migrations and owns the
//! tables, and row-level security binds it too (security review findings 1, 11 and 12).

use allcampaigns::keys;
use allcampaigns::store::TenantProfile;
use allcampaigns::store::postgres::PgStore;
use instantly_sim::Scale;
use sqlx::Connection;

use crate::helpers::{APP_ROLE, OWNER_ROLE, TestDb};
use crate::sync::{connected, whole_cycles};

/// The suite proves the documented setup only while its owner really is an ordinary role.
#[tokio::test]
async fn finding_01_the_test_databases_owner_is_neither_superuser_nor_bypassrls() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    db.store().await;
    let (superuser, bypass, owns_db, owns_tenants): (bool, bool, bool, bool) = sqlx::query_as(
        "SELECT rolsuper, rolbypassrls, \
           (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()) = current_user, \
           (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'tenants'::regclass) = current_user \
         FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut db.owner().await)
    .await
    .unwrap();
    assert!(!superuser && !bypass && owns_db && owns_tenants);
}

#[tokio::test]
async fn finding_01_a_worker_claims_and_finishes_a_sync_job() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let synced = connected(db, Scale::Small, whole_cycles()).await;
    let outcome = synced
        .worker
        .run_once()
        .await
        .unwrap()
        .expect("the queued first sync is claimed");
    assert_eq!(outcome.tenant, synced.tenant);
    let report = outcome.result.expect("the cycle succeeds");
    assert!(!report.more() && report.failed().next().is_none());
    let streams: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sync_streams WHERE tenant_id = $1 AND last_success_at IS NOT NULL",
    )
    .bind(synced.tenant)
    .fetch_one(&mut synced.db.superuser().await)
    .await
    .unwrap();
    assert!(streams > 5, "{streams} streams synced");
    assert!(
        synced.worker.run_once().await.unwrap().is_none(),
        "the finished job waits for its next interval"
    );
}

#[tokio::test]
async fn finding_01_the_directory_and_the_shared_workspace_guard_see_every_tenant() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store = db.store().await;
    let mut created = Vec::new();
    for name in ["a", "b", "c"] {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        created.push(store.create_tenant(None, &profile).await.unwrap().id);
    }
    created.sort();
    assert_eq!(store.tenant_directory().await.unwrap(), created);

    let mut su = db.superuser().await;
    sqlx::query(
        "INSERT INTO instantly_connections (tenant_id, api_key, key_id, key_last4, base_url, \
           workspace_id, status, created_at, updated_at) \
         VALUES ($1, '\\x00', 1, 'abcd', 'http://sim', 'ws-1', 'connected', now(), now())",
    )
    .bind(created[0])
    .execute(&mut su)
    .await
    .unwrap();
    assert!(
        store
            .workspace_connected_elsewhere(created[1], "ws-1")
            .await
            .unwrap()
    );
    assert!(
        !store
            .workspace_connected_elsewhere(created[0], "ws-1")
            .await
            .unwrap()
    );
    assert_eq!(store.secret_key_usage().await.unwrap(), vec![(1, 1)]);
}

/// If the counting function ever ran as a role that row-level security binds, it would see
/// nothing; it raises instead, and `keys retire` keeps the key.
#[tokio::test]
async fn finding_01_retire_is_refused_when_key_usage_cannot_be_proven() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store = db.store().await;
    let mut config = db.config.clone();
    config.master_key = None;
    config.master_key_file = db.dir.path().join("two.key");
    let text = format!(
        "{}\n{}\n",
        allcampaigns::crypto::format_key(1, &[42; 32]).as_str(),
        allcampaigns::crypto::format_key(2, &[7; 32]).as_str()
    );
    std::fs::write(&config.master_key_file, text).unwrap();
    keys::load_keyring(&config, &store).await.unwrap();
    let mut su = db.superuser().await;
    sqlx::raw_sql(
        "DO $$ BEGIN CREATE ROLE ac_test_stranger NOLOGIN; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    )
    .execute(&mut su)
    .await
    .unwrap();
    sqlx::raw_sql("ALTER FUNCTION app_secret_key_usage() OWNER TO ac_test_stranger")
        .execute(&mut su)
        .await
        .unwrap();
    let refused = keys::retire(&config, &store, 1).await.unwrap_err();
    let message = format!("{refused:#}");
    assert!(
        message.contains("cannot prove that key 1 is unused"),
        "{message}"
    );
    let keyring = keys::load_keyring(&config, &store).await.unwrap();
    assert_eq!(keyring.key_ids(), vec![1, 2], "the key file is untouched");
}

#[tokio::test]
async fn finding_11_only_the_app_role_may_call_the_definer_functions() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    db.store().await;
    let rows: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT p.oid::regprocedure::text, \
           has_function_privilege('public', p.oid, 'EXECUTE'), \
           has_function_privilege($1, p.oid, 'EXECUTE') \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = 'public' AND p.prosecdef",
    )
    .bind(APP_ROLE)
    .fetch_all(&mut db.superuser().await)
    .await
    .unwrap();
    assert_eq!(rows.len(), 8, "{rows:?}");
    for (function, public, app) in rows {
        assert!(
            !public && app,
            "{function}: PUBLIC {public}, app role {app}"
        );
    }
}

#[tokio::test]
async fn finding_12_an_app_role_that_is_a_member_of_the_owner_is_refused() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    db.store().await;
    let member = "ac_test_owner_member";
    let mut su = db.superuser().await;
    let create = format!(
        "DO $$ BEGIN CREATE ROLE {member} LOGIN NOSUPERUSER NOBYPASSRLS; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(create))
        .execute(&mut su)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "GRANT {OWNER_ROLE} TO {member}"
    )))
    .execute(&mut su)
    .await
    .unwrap();
    su.close().await.ok();
    let mut url = url::Url::parse(db.owner_url.as_deref().unwrap()).unwrap();
    url.set_username(member).unwrap();
    let store = PgStore::connect(&url.to_string().into(), 1).await.unwrap();
    let refusal = store
        .refuse_privileged_role()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refusal.contains("member of the role that owns the tables"),
        "{refusal}"
    );
}
