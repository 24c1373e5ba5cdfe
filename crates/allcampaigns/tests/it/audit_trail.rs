//! The audit trail: append-only for the app (AUD-01) and one entry per privileged action with
//! its actor and target (AUD-02), on both backends.

use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::store::{AuditEntry, AuditFilter, DynStore, NewAuditEntry, TenantProfile};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::{Connection, PgConnection};

use crate::api::{call, token_for};
use crate::catalogue_support::{sqlite_file, tenant_rows};
use crate::helpers::{TestDb, spawn_app};
use crate::on_both_backends;

async fn tenant_with_audit(store: &DynStore) -> TenantId {
    let profile = TenantProfile {
        name: "Audited".into(),
        ..Default::default()
    };
    let tenant = store.create_tenant(None, &profile).await.unwrap().id;
    let entry = NewAuditEntry {
        actor: None,
        action: "seed".into(),
        target: Some("t".into()),
        details: json!({}),
        request_id: None,
    };
    store.append_audit(tenant, &entry).await.unwrap();
    let user = store
        .create_user(&Email::parse("audited@example.com").unwrap(), "")
        .await
        .unwrap();
    allcampaigns::audit::record_user(
        store,
        user.id,
        allcampaigns::audit::AuditAction::SignInSucceeded,
        json!({}),
    )
    .await;
    tenant
}

const CHANGES: [&str; 5] = [
    "UPDATE audit_log SET action = 'forged'",
    "DELETE FROM audit_log",
    "UPDATE user_audit_log SET action = 'forged'",
    "DELETE FROM user_audit_log",
    "TRUNCATE audit_log",
];

/// AUD-01: as the app (the app role with its tenant context on PostgreSQL; any connection on
/// SQLite, where triggers guard the table), UPDATE and DELETE of audit rows are refused and the
/// rows stay as written. Deleting the whole tenant still takes its audit rows with it.
async fn aud_01_audit_rows_cannot_be_changed_or_deleted_by_the_app(db: TestDb) {
    let store = db.store().await;
    let tenant = tenant_with_audit(&store).await;
    let before = tenant_rows(&db, tenant).await;
    let user_audit_before = user_audit(&db).await;
    for change in CHANGES {
        let error = if db.is_postgres() {
            let mut conn = app_connection(&db).await;
            let mut tx = conn.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.tenant_ids', $1, true)")
                .bind(tenant.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(change))
                .execute(&mut *tx)
                .await
                .expect_err(change)
        } else if change.starts_with("TRUNCATE") {
            continue; // SQLite has no TRUNCATE; `DELETE FROM` is its form, refused above.
        } else {
            let mut conn = sqlite_file(&db).await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(change))
                .execute(&mut conn)
                .await
                .expect_err(change)
        };
        let text = error.to_string();
        assert!(
            text.contains("permission denied") || text.contains("append-only"),
            "{change}: {text}"
        );
    }
    assert_eq!(tenant_rows(&db, tenant).await, before);
    assert_eq!(user_audit(&db).await, user_audit_before);
    store.delete_tenant(tenant).await.unwrap();
    let gone = tenant_rows(&db, tenant).await;
    assert!(
        gone["audit_log"].is_empty(),
        "the tenant's audit went with it"
    );
}

async fn user_audit(db: &TestDb) -> Vec<String> {
    let sql = "SELECT action || '|' || COALESCE(details, '') FROM (SELECT action, \
               CAST(details AS TEXT) AS details, id FROM user_audit_log) x ORDER BY id";
    if db.is_postgres() {
        let mut conn = db.superuser().await;
        sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlite_file(db).await;
        sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
    }
}

async fn app_connection(db: &TestDb) -> PgConnection {
    use secrecy::ExposeSecret;
    let allcampaigns::config::DatabaseConfig::Postgres { url, .. } = &db.config.database else {
        unreachable!()
    };
    PgConnection::connect(url.expose_secret()).await.unwrap()
}

/// The single entry for `action`, checked for the actor and the target.
fn only_entry<'a>(
    entries: &'a [AuditEntry],
    action: &str,
    actor: UserId,
    target: Option<&str>,
) -> &'a AuditEntry {
    let matching: Vec<_> = entries.iter().filter(|e| e.action == action).collect();
    assert_eq!(matching.len(), 1, "exactly one {action}: {entries:#?}");
    let entry = matching[0];
    assert_eq!(entry.actor_id, Some(actor), "{action} names its actor");
    assert_eq!(entry.target.as_deref(), target, "{action} names its target");
    entry
}

/// AUD-02: each privileged action over the API (tenant created and updated, member invited,
/// role changed, member removed, key added, key removed) writes exactly one entry in its
/// tenant, with the acting person, the target and the time.
async fn aud_02_each_privileged_action_writes_exactly_one_entry_with_actor_and_target(db: TestDb) {
    let sim = crate::sync::simulator(instantly_sim::Scale::Small).await;
    let mut config = db.config.clone();
    config.instantly_url = sim.base_url().parse().unwrap();
    let app = spawn_app(config).await;
    crate::helpers::install_admin(&app, "owner@example.com").await;
    let token = token_for(&app, "owner@example.com").await;
    let owner = app
        .store
        .user_by_email(&Email::parse("owner@example.com").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let started = chrono::Utc::now();
    let (status, tenant) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "A"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{tenant}");
    let id = tenant["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/tenants/{id}");
    let member =
        crate::helpers::member(&app, id.parse().unwrap(), "op@example.com", Role::Operator)
            .await
            .to_string();
    let key = sim.workspaces()[0].api_key.clone();
    let steps = [
        (Method::PATCH, base.clone(), Some(json!({"name": "A2"}))),
        (
            Method::POST,
            format!("{base}/members"),
            Some(json!({"email": "new@example.com", "role": "client"})),
        ),
        (
            Method::PATCH,
            format!("{base}/members/{member}"),
            Some(json!({"role": "client"})),
        ),
        (Method::DELETE, format!("{base}/members/{member}"), None),
        (
            Method::PUT,
            format!("{base}/connection"),
            Some(json!({"api_key": key})),
        ),
        (Method::DELETE, format!("{base}/connection"), None),
    ];
    for (method, path, body) in steps {
        let (status, answer) = call(&app, &token, method.clone(), &path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
    }
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let entries = app
        .store
        .audit_entries(id.parse().unwrap(), &filter)
        .await
        .unwrap();
    only_entry(&entries, "tenant.created", owner, None);
    only_entry(&entries, "tenant.updated", owner, None);
    only_entry(&entries, "member.invited", owner, Some("new@example.com"));
    only_entry(&entries, "member.role_changed", owner, Some(&member));
    only_entry(&entries, "member.removed", owner, Some(&member));
    only_entry(&entries, "connection.key_added", owner, None);
    only_entry(&entries, "connection.key_removed", owner, None);
    assert_eq!(entries.len(), 7, "nothing else was recorded: {entries:#?}");
    let now = chrono::Utc::now();
    for entry in &entries {
        assert_eq!(entry.tenant_id.to_string(), id);
        assert!(entry.at >= started - chrono::Duration::seconds(1) && entry.at <= now);
    }
    app.stop().await;
}

/// AUD-02 for signing in: a mailed link redeemed once writes exactly one `sign_in.succeeded`
/// entry for that person (and a second redemption of the same link writes none).
async fn aud_02_a_sign_in_writes_exactly_one_entry_for_the_person(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let email = Email::parse("ana@example.com").unwrap();
    let user = app.store.create_user(&email, "").await.unwrap();
    let mut visitor = crate::helpers::Visitor::arrive(&app).await;
    let asked = visitor.post("/login", &[("email", email.as_str())]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let mail = app.next_mail().await;
    let link = mail
        .text
        .lines()
        .find(|l| l.contains("/login/confirm?token="))
        .expect("a link in the mail")
        .trim()
        .to_string();
    let token = url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned();
    for expected in [StatusCode::SEE_OTHER, StatusCode::BAD_REQUEST] {
        let answer = visitor.post("/login/confirm", &[("token", &token)]).await;
        assert_eq!(answer.status(), expected);
    }
    let entries = app.store.user_audit_entries(user.id).await.unwrap();
    let sign_ins: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "sign_in.succeeded")
        .collect();
    assert_eq!(sign_ins.len(), 1, "{entries:#?}");
    assert_eq!(sign_ins[0].user_id, Some(user.id));
    app.stop().await;
}

/// Security review finding 9: an audit filter date whose next day does not exist (chrono's
/// last date) answered 500 from a panic; now it and any year outside 1970–9999 answer 422
/// naming the field, on the API and on the page.
async fn finding_09_an_audit_date_far_in_the_future_is_refused_not_a_panic(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    crate::helpers::install_admin(&app, "owner@example.com").await;
    let token = token_for(&app, "owner@example.com").await;
    let (_, tenant) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "A"})),
    )
    .await;
    let tenant = tenant["id"].as_str().unwrap().to_string();
    for (field, value) in [
        ("to", "%2B262142-12-31"),
        ("from", "%2B262142-12-31"),
        ("to", "10000-01-01"),
        ("to", "1969-12-31"),
    ] {
        let path = format!("/api/v1/tenants/{tenant}/audit?{field}={value}");
        let (status, body) = call(&app, &token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}: ")), "{message}");
    }
    let (status, _) = call(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/tenants/{tenant}/audit?to=9999-12-31&from=1970-01-01"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the last accepted day works");
    let mut owner = crate::helpers::Visitor::signed_in(&app, "owner@example.com").await;
    let page = owner
        .get(&format!("/t/{tenant}/audit?to=%2B262142-12-31"))
        .await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

on_both_backends!(
    aud_02_a_sign_in_writes_exactly_one_entry_for_the_person,
    finding_09_an_audit_date_far_in_the_future_is_refused_not_a_panic,
    aud_01_audit_rows_cannot_be_changed_or_deleted_by_the_app,
    aud_02_each_privileged_action_writes_exactly_one_entry_with_actor_and_target,
);
