//! The audit trail: append-only for the app (AUD-01) and one entry per privileged action with
//! its actor, tenant, target, time and request id (AUD-02), on both backends.

use allcampaigns::app::SignInLimits;
use allcampaigns::auth::RateLimiter;
use allcampaigns::crypto::format_key;
use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::keys;
use allcampaigns::store::{
    AuditEntry, AuditFilter, ConnectionStatus, DynStore, NewAuditEntry, TenantProfile,
};
use allcampaigns::sync::link::{Workspace, sealed_link};
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};

use crate::api::{call, token_for};
use crate::catalogue_support::{sqlite_file, tenant_rows};
use crate::helpers::{TestApp, TestDb, secret, spawn_app, spawn_app_with};
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

/// What one privileged action must have written: exactly one entry, with these fields.
struct Expected<'a> {
    action: &'a str,
    actor: Option<UserId>,
    target: Option<&'a str>,
    request_id: Option<&'a str>,
}

/// The single entry for `expected.action`, checked field by field, written in `tenant`
/// between `since` and now.
fn only_entry<'a>(
    entries: &'a [AuditEntry],
    tenant: TenantId,
    since: DateTime<Utc>,
    expected: Expected,
) -> &'a AuditEntry {
    let action = expected.action;
    let matching: Vec<_> = entries.iter().filter(|e| e.action == action).collect();
    assert_eq!(matching.len(), 1, "exactly one {action}: {entries:#?}");
    let entry = matching[0];
    assert_eq!(entry.tenant_id, tenant, "{action} is in its tenant");
    assert_eq!(entry.actor_id, expected.actor, "{action} names its actor");
    assert_eq!(
        entry.target.as_deref(),
        expected.target,
        "{action} names its target"
    );
    assert_eq!(
        entry.request_id.as_deref(),
        expected.request_id,
        "{action} carries the id of the request that wrote it"
    );
    let now = Utc::now();
    // SQLite keeps milliseconds, so `at` may fall just before `since`.
    assert!(entry.at >= since - chrono::Duration::seconds(1) && entry.at <= now);
    entry
}

/// `api::call`, also answering the response's `x-request-id`.
async fn call_with_id(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, String) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, body, request_id)
}

/// AUD-02: each privileged action over the API (tenant created and updated, member invited,
/// role changed, member removed, key added, key removed) writes exactly one entry in its
/// tenant, with the acting person, the target, the time and the id of the request that did it
/// (the `x-request-id` its response carried); the API lists that id too.
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
    let started = Utc::now();
    let (status, tenant, created_id) = call_with_id(
        &app,
        &token,
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "A"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{tenant}");
    let id: TenantId = tenant["id"].as_str().unwrap().parse().unwrap();
    let base = format!("/api/v1/tenants/{id}");
    let member = crate::helpers::member(&app, id, "op@example.com", Role::Operator)
        .await
        .to_string();
    let key = sim.workspaces()[0].api_key.clone();
    let steps = [
        (
            "tenant.updated",
            None,
            Method::PATCH,
            base.clone(),
            Some(json!({"name": "A2"})),
        ),
        (
            "member.invited",
            Some("new@example.com"),
            Method::POST,
            format!("{base}/members"),
            Some(json!({"email": "new@example.com", "role": "client"})),
        ),
        (
            "member.role_changed",
            Some(member.as_str()),
            Method::PATCH,
            format!("{base}/members/{member}"),
            Some(json!({"role": "client"})),
        ),
        (
            "member.removed",
            Some(member.as_str()),
            Method::DELETE,
            format!("{base}/members/{member}"),
            None,
        ),
        (
            "connection.key_added",
            None,
            Method::PUT,
            format!("{base}/connection"),
            Some(json!({"api_key": key})),
        ),
        (
            "connection.key_removed",
            None,
            Method::DELETE,
            format!("{base}/connection"),
            None,
        ),
    ];
    let mut done = vec![("tenant.created", None, created_id)];
    for (action, target, method, path, body) in steps {
        let (status, answer, request_id) =
            call_with_id(&app, &token, method.clone(), &path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        done.push((action, target, request_id));
    }
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let entries = app.store.audit_entries(id, &filter).await.unwrap();
    for (action, target, request_id) in &done {
        let expected = Expected {
            action,
            actor: Some(owner),
            target: *target,
            request_id: Some(request_id),
        };
        only_entry(&entries, id, started, expected);
    }
    assert_eq!(entries.len(), 7, "nothing else was recorded: {entries:#?}");
    let (_, listed) = call(&app, &token, Method::GET, &format!("{base}/audit"), None).await;
    let listed_ids: Vec<&str> = listed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["request_id"].as_str())
        .collect();
    for (_, _, request_id) in &done {
        assert!(listed_ids.contains(&request_id.as_str()), "{listed}");
    }
    app.stop().await;
}

/// AUD-02 for signing in: a mailed link redeemed once writes exactly one `sign_in.succeeded`
/// entry for that person, carrying the sign-in request's id (a second redemption of the same
/// link writes none).
async fn aud_02_a_sign_in_writes_exactly_one_entry_for_the_person(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let email = Email::parse("ana@example.com").unwrap();
    let user = app.store.create_user(&email, "").await.unwrap();
    let mut visitor = crate::helpers::Visitor::arrive(&app).await;
    let asked = visitor.post("/login", &[("email", email.as_str())]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let mail = app.next_mail().await;
    let (_, token) = crate::helpers::sign_in_link(&mail);
    let mut request_ids = Vec::new();
    for expected in [StatusCode::SEE_OTHER, StatusCode::BAD_REQUEST] {
        let answer = visitor.post("/login/confirm", &[("token", &token)]).await;
        assert_eq!(answer.status(), expected);
        request_ids.push(
            answer.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    let entries = app.store.user_audit_entries(user.id).await.unwrap();
    let sign_ins: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "sign_in.succeeded")
        .collect();
    assert_eq!(sign_ins.len(), 1, "{entries:#?}");
    assert_eq!(sign_ins[0].user_id, Some(user.id));
    assert_eq!(
        sign_ins[0].request_id.as_deref(),
        Some(request_ids[0].as_str()),
        "the entry carries the id of the request that signed in"
    );
    app.stop().await;
}

/// AUD-02 for a refused burst of sign-in requests: its one entry, written off the request path,
/// still carries the id of the first refused request.
async fn aud_02_a_refused_sign_in_burst_names_the_refused_request(db: TestDb) {
    let one_per_address = SignInLimits {
        per_email: RateLimiter::new(1, std::time::Duration::from_secs(900)),
        per_ip: RateLimiter::new(1000, std::time::Duration::from_secs(900)),
    };
    let app = spawn_app_with(db.config.clone(), one_per_address).await;
    let email = Email::parse("fay@example.com").unwrap();
    let user = app.store.create_user(&email, "").await.unwrap();
    let mut visitor = crate::helpers::Visitor::arrive(&app).await;
    let mut refused_ids = Vec::new();
    for expected in [200, 429, 429] {
        let response = visitor.post("/login", &[("email", email.as_str())]).await;
        assert_eq!(response.status(), expected);
        if expected == 429 {
            refused_ids.push(
                response.headers()["x-request-id"]
                    .to_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    // Written by a task of its own: wait for it, not for a fixed time.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let bursts = loop {
        let entries = app.store.user_audit_entries(user.id).await.unwrap();
        let bursts: Vec<_> = entries
            .into_iter()
            .filter(|e| e.action == "sign_in.burst_refused")
            .collect();
        if !bursts.is_empty() || std::time::Instant::now() > deadline {
            break bursts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(bursts.len(), 1, "{bursts:#?}");
    assert_eq!(
        bursts[0].request_id.as_deref(),
        Some(refused_ids[0].as_str())
    );
    app.stop().await;
}

/// AUD-02 for key rotation: `keys rotate` writes one `key.rotated` entry in each tenant whose
/// secret moved, by no one (the command line acted), naming the new key, with no request id;
/// a tenant with nothing sealed gets none, and a re-encryption that moves nothing writes none.
async fn aud_02_key_rotation_writes_one_entry_in_each_tenant_whose_secret_moved(db: TestDb) {
    let store = db.store().await;
    let mut config = db.config.clone();
    config.master_key = None; // rotation works on the key file
    config.master_key_file = db.dir.path().join("rotation.key");
    std::fs::write(&config.master_key_file, format_key(1, &[42; 32]).as_str()).unwrap();
    let keyring = keys::load_keyring(&config, &store).await.unwrap();
    let mut tenants = Vec::new();
    for name in ["linked-a", "linked-b", "unlinked"] {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        tenants.push(store.create_tenant(None, &profile).await.unwrap().id);
    }
    for tenant in &tenants[..2] {
        let workspace = Workspace {
            id: None,
            name: None,
        };
        let link = sealed_link(
            &keyring,
            *tenant,
            &secret("sk_rotated"),
            "https://api.instantly.ai",
            workspace,
            ConnectionStatus::Connected,
        );
        store.save_connection(*tenant, &link).await.unwrap();
    }
    let started = Utc::now();
    let (key_id, report) = keys::rotate(&config, &store).await.unwrap();
    assert_eq!((key_id, report.moved), (2, 2));
    let again = keys::load_keyring(&config, &store).await.unwrap();
    assert_eq!(keys::reencrypt_all(&store, &again).await.unwrap().moved, 0);
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    for tenant in &tenants[..2] {
        let entries = store.audit_entries(*tenant, &filter).await.unwrap();
        let expected = Expected {
            action: "key.rotated",
            actor: None,
            target: Some("2"),
            request_id: None,
        };
        let entry = only_entry(&entries, *tenant, started, expected);
        assert_eq!(entry.details.0, json!({"key_id": 2, "secrets": 1}));
    }
    let unlinked = store.audit_entries(tenants[2], &filter).await.unwrap();
    assert!(
        unlinked.iter().all(|e| e.action != "key.rotated"),
        "{unlinked:#?}"
    );
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
    aud_02_key_rotation_writes_one_entry_in_each_tenant_whose_secret_moved,
    aud_02_a_refused_sign_in_burst_names_the_refused_request,
    finding_09_an_audit_date_far_in_the_future_is_refused_not_a_panic,
    aud_01_audit_rows_cannot_be_changed_or_deleted_by_the_app,
    aud_02_each_privileged_action_writes_exactly_one_entry_with_actor_and_target,
);
