//! Personal access tokens after the security review (findings 5, 15, 18 and 22): bearer only
//! under `/api/`, expiry, read-only and tenant-limited tokens, revoking them all, reads before
//! writes, failed-bearer limits, CSRF rotation and pruning, on both backends.

use std::time::Duration;

use allcampaigns::auth::{hash_token, links, random_token};
use allcampaigns::domain::{Email, Role, TenantId, TenantInput, UserId};
use allcampaigns::store::{ApiToken, Invitation, Session, SignInToken};
use chrono::Utc;
use reqwest::Method;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::json;

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, Visitor, spawn_app};

crate::on_both_backends!(
    finding_5_a_bearer_on_page_routes_is_not_a_sign_in,
    finding_5_signing_out_everywhere_can_revoke_every_token,
    finding_5_an_expired_token_answers_401,
    finding_5_a_read_only_token_is_refused_on_writes,
    finding_5_a_tenant_limited_token_sees_only_its_tenant,
    finding_5_token_expiry_and_scope_are_chosen_and_listed_on_the_profile,
    finding_15_an_unknown_bearer_writes_nothing,
    finding_15_last_used_at_is_written_at_most_once_a_minute,
    finding_15_failed_bearers_are_limited_per_address,
    finding_18_the_csrf_cookie_changes_at_sign_in_and_sign_out,
    finding_22_pruning_removes_expired_rows_and_keeps_live_ones,
);

async fn user_id(app: &TestApp, address: &str) -> UserId {
    let email = Email::parse(address).unwrap();
    match app.store.user_by_email(&email).await.unwrap() {
        Some(user) => user.id,
        None => app.store.create_user(&email, "").await.unwrap().id,
    }
}

async fn tenant_of(app: &TestApp, owner: UserId, name: &str) -> TenantId {
    let profile = TenantInput {
        name: name.into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    app.store
        .create_tenant(Some(owner), &profile)
        .await
        .unwrap()
        .id
}

/// Stores a token with the given limits directly and returns its value.
async fn stored_token(
    app: &TestApp,
    user: UserId,
    expires_in: chrono::Duration,
    tenant_scope: Option<TenantId>,
) -> String {
    let value = format!("acpat_{}", random_token());
    let now = Utc::now();
    let token = ApiToken {
        id: uuid::Uuid::now_v7(),
        user_id: user,
        name: "stored".into(),
        last4: value[value.len() - 4..].into(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
        expires_at: now + expires_in,
        read_only: false,
        tenant_scope,
    };
    app.store
        .create_api_token(&token, &hash_token(&value))
        .await
        .unwrap();
    value
}

async fn me(app: &TestApp, token: &str) -> StatusCode {
    call(app, token, Method::GET, "/api/v1/me", None).await.0
}

/// A page's refusal of a stranger: 401, or a redirect to the sign-in form.
fn is_refused_as_stranger(response: &reqwest::Response) -> bool {
    let to_sign_in = response
        .headers()
        .get("location")
        .is_some_and(|l| l.to_str().unwrap().starts_with("/login"));
    response.status() == StatusCode::UNAUTHORIZED
        || (response.status().is_redirection() && to_sign_in)
}

async fn finding_5_a_bearer_on_page_routes_is_not_a_sign_in(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let token = token_for(&app, "ana@example.com").await;
    let user = user_id(&app, "ana@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    for (path, form) in [
        ("/profile/tokens", vec![("name", "minted")]),
        ("/tenants", vec![("name", "Minted")]),
        ("/logout/everywhere", vec![("revoke_tokens", "1")]),
        ("/profile/tokens/revoke-all", vec![]),
    ] {
        let response = app
            .client
            .post(app.url(path))
            .bearer_auth(&token)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(
            is_refused_as_stranger(&response),
            "{path}: {}",
            response.status()
        );
        let page = app
            .client
            .get(app.url("/profile"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(is_refused_as_stranger(&page), "GET /profile with a bearer");
    }
    assert_eq!(app.store.api_tokens(user).await.unwrap().len(), 1);
    assert!(app.store.tenants_of_user(user).await.unwrap().is_empty());
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    assert_eq!(
        visitor.get("/profile").await.status(),
        200,
        "the browser's session lives on"
    );
    app.stop().await;
}

async fn finding_5_signing_out_everywhere_can_revoke_every_token(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let first = token_for(&app, "ana@example.com").await;
    let second = token_for(&app, "ana@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    visitor.post("/logout/everywhere", &[]).await;
    assert_eq!(
        me(&app, &first).await,
        StatusCode::OK,
        "unticked, tokens stay"
    );
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    let response = visitor
        .post("/logout/everywhere", &[("revoke_tokens", "1")])
        .await;
    assert_eq!(response.status(), 303);
    for token in [&first, &second] {
        assert_eq!(me(&app, token).await, StatusCode::UNAUTHORIZED);
    }
    // The profile's own button does the same.
    let third = token_for(&app, "ana@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    assert_eq!(
        visitor
            .post("/profile/tokens/revoke-all", &[])
            .await
            .status(),
        303
    );
    assert_eq!(me(&app, &third).await, StatusCode::UNAUTHORIZED);
    let user = user_id(&app, "ana@example.com").await;
    let audited: Vec<_> = app
        .store
        .user_audit_entries(user)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action == "api_token.revoked_all")
        .map(|entry| entry.details["count"].as_u64())
        .collect();
    assert_eq!(audited, vec![Some(2), Some(1)]);
    app.stop().await;
}

async fn finding_5_an_expired_token_answers_401(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let user = user_id(&app, "ana@example.com").await;
    let expired = stored_token(&app, user, chrono::Duration::seconds(-1), None).await;
    let live = stored_token(&app, user, chrono::Duration::minutes(5), None).await;
    assert_eq!(me(&app, &expired).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &live).await, StatusCode::OK);
    app.stop().await;
}

async fn finding_5_a_read_only_token_is_refused_on_writes(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    let page = visitor
        .post(
            "/profile/tokens",
            &[("name", "reports"), ("days", "30"), ("read_only", "1")],
        )
        .await
        .text()
        .await
        .unwrap();
    let start = page.find("acpat_").expect("the new token is shown");
    let token: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    assert_eq!(
        call(&app, &token, Method::GET, "/api/v1/tenants", None)
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "Acme"})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let user = user_id(&app, "ana@example.com").await;
    assert!(app.store.tenants_of_user(user).await.unwrap().is_empty());
    app.stop().await;
}

async fn finding_5_a_tenant_limited_token_sees_only_its_tenant(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let user = user_id(&app, "ana@example.com").await;
    let acme = tenant_of(&app, user, "Acme").await;
    let other = tenant_of(&app, user, "Other").await;
    let token = stored_token(&app, user, chrono::Duration::days(1), Some(acme)).await;
    let get = |path: String| {
        let (app, token) = (&app, token.clone());
        async move { call(app, &token, Method::GET, &path, None).await }
    };
    assert_eq!(
        get(format!("/api/v1/tenants/{acme}")).await.0,
        StatusCode::OK
    );
    for path in [
        format!("/api/v1/tenants/{other}"),
        format!("/api/v1/tenants/{other}/members"),
    ] {
        let (status, body) = get(path.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{path}: like a tenant it is no member of"
        );
    }
    let (_, list) = get("/api/v1/tenants".into()).await;
    let ids: Vec<_> = list["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec![acme.to_string()]);
    let (status, _) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "Third"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

async fn finding_5_token_expiry_and_scope_are_chosen_and_listed_on_the_profile(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let user = user_id(&app, "ana@example.com").await;
    let acme = tenant_of(&app, user, "Acme Widgets").await;
    let stranger = user_id(&app, "bo@example.com").await;
    let foreign = tenant_of(&app, stranger, "Not Ana's").await;
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    let acme_id = acme.to_string();
    let response = visitor
        .post(
            "/profile/tokens",
            &[("name", "acme"), ("days", "7"), ("tenant", &acme_id)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let default = visitor.post("/profile/tokens", &[("name", "plain")]).await;
    assert_eq!(default.status(), 200);
    let tokens = app.store.api_tokens(user).await.unwrap();
    let days = |token: &ApiToken| (token.expires_at - token.created_at).num_days();
    assert_eq!(
        tokens
            .iter()
            .map(|t| (t.name.as_str(), days(t), t.tenant_scope))
            .collect::<Vec<_>>(),
        vec![("plain", 90, None), ("acme", 7, Some(acme))]
    );
    let profile = visitor.get("/profile").await.text().await.unwrap();
    let expiry = tokens[1].expires_at.format("%Y-%m-%d").to_string();
    for shown in [
        expiry.as_str(),
        "Acme Widgets",
        "all your clients",
        "read and write",
    ] {
        assert!(profile.contains(shown), "the list shows {shown}");
    }
    let foreign_id = foreign.to_string();
    for (field, value) in [
        ("days", "0"),
        ("days", "366"),
        ("days", "soon"),
        ("tenant", &foreign_id),
    ] {
        let response = visitor
            .post("/profile/tokens", &[("name", "bad"), (field, value)])
            .await;
        assert_eq!(response.status(), 422, "{field}={value}");
    }
    assert_eq!(app.store.api_tokens(user).await.unwrap().len(), 2);
    app.stop().await;
}

/// Holds a lock that stops writers to `api_tokens` (and, on SQLite, every writer) but lets
/// readers through, until the returned guard's `release`.
enum WriteLock {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    async fn take(db: &TestDb) -> Self {
        if db.is_postgres() {
            let mut owner = db.owner().await;
            sqlx::raw_sql("BEGIN; LOCK TABLE api_tokens IN SHARE MODE")
                .execute(&mut owner)
                .await
                .unwrap();
            Self::Postgres(owner)
        } else {
            let path = db.dir.path().join("allcampaigns.db");
            let store = allcampaigns::store::sqlite::SqliteStore::open(&path, 1)
                .await
                .unwrap();
            let mut connection = store.pool().acquire().await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut *connection)
                .await
                .unwrap();
            Self::Sqlite(connection)
        }
    }

    async fn release(self) {
        match self {
            Self::Sqlite(mut connection) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut *connection)
                    .await
                    .unwrap();
            }
            Self::Postgres(mut connection) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

/// `GET /api/v1/me` with `token`, which must answer within three seconds.
async fn quick_me(app: &TestApp, token: &str) -> StatusCode {
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .expect("an answer without waiting for a write lock");
    response.status()
}

async fn finding_15_an_unknown_bearer_writes_nothing(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let user = user_id(&app, "ana@example.com").await;
    let token = stored_token(&app, user, chrono::Duration::days(1), None).await;
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    let before = app.store.api_tokens(user).await.unwrap();
    // With writers locked out, made-up bearers still get their 401 at once: they only read.
    let lock = WriteLock::take(&db).await;
    for _ in 0..3 {
        let made_up = format!("acpat_{}", random_token());
        assert_eq!(quick_me(&app, &made_up).await, StatusCode::UNAUTHORIZED);
    }
    lock.release().await;
    assert_eq!(app.store.api_tokens(user).await.unwrap(), before);
    app.stop().await;
}

async fn finding_15_last_used_at_is_written_at_most_once_a_minute(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let user = user_id(&app, "ana@example.com").await;
    let token = stored_token(&app, user, chrono::Duration::days(1), None).await;
    let last_used = || async { app.store.api_tokens(user).await.unwrap()[0].last_used_at };
    assert_eq!(last_used().await, None);
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    let first = last_used().await.expect("the first use is recorded");
    // Used again within the minute: nothing to write, so a write lock does not slow it.
    let lock = WriteLock::take(&db).await;
    assert_eq!(quick_me(&app, &token).await, StatusCode::OK);
    lock.release().await;
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    assert_eq!(last_used().await, Some(first));
    // A use more than a minute after the recorded one is recorded.
    let id = app.store.api_tokens(user).await.unwrap()[0].id;
    let backdated = Utc::now() - chrono::Duration::minutes(2);
    app.store.mark_api_token_used(id, backdated).await.unwrap();
    assert_eq!(me(&app, &token).await, StatusCode::OK);
    assert!(last_used().await.unwrap() > backdated + chrono::Duration::minutes(1));
    app.stop().await;
}

async fn finding_15_failed_bearers_are_limited_per_address(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let user = user_id(&app, "ana@example.com").await;
    let token = stored_token(&app, user, chrono::Duration::days(1), None).await;
    for attempt in 0..20 {
        assert_eq!(
            me(&app, "acpat_made_up").await,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let refused = app
        .client
        .get(app.url("/api/v1/tenants"))
        .bearer_auth("acpat_made_up")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(
        me(&app, &token).await,
        StatusCode::OK,
        "only failures are limited"
    );
    app.stop().await;
}

async fn finding_18_the_csrf_cookie_changes_at_sign_in_and_sign_out(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let address = "ana@example.com";
    user_id(&app, address).await;
    let mut visitor = Visitor::arrive(&app).await;
    let before = visitor.cookie("ac_csrf").expect("a CSRF cookie on arrival");
    let link = links::issue_link(
        &app.store,
        &url::Url::parse(&app.url("/")).unwrap(),
        &Email::parse(address).unwrap(),
        None,
    )
    .await
    .unwrap();
    let token = link
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned();
    let response = visitor.post("/login/confirm", &[("token", &token)]).await;
    assert_eq!(response.status(), 303);
    let csrf_cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter(|c| c.to_str().unwrap().starts_with("ac_csrf="))
        .count();
    assert_eq!(csrf_cookies, 1, "one CSRF cookie, set once");
    let signed_in = visitor.cookie("ac_csrf").unwrap();
    assert_ne!(signed_in, before, "rotated at sign-in");
    let session = visitor.cookie("ac_session").unwrap();
    let old_token_with_new_cookie = app
        .client
        .post(app.url("/profile"))
        .header(COOKIE, format!("ac_session={session}; ac_csrf={signed_in}"))
        .form(&[("csrf", before.as_str()), ("display_name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(old_token_with_new_cookie.status(), StatusCode::FORBIDDEN);
    assert_eq!(visitor.post("/logout", &[]).await.status(), 303);
    let signed_out = visitor.cookie("ac_csrf").unwrap();
    assert_ne!(signed_out, signed_in, "rotated at sign-out");
    app.stop().await;
}

async fn finding_22_pruning_removes_expired_rows_and_keeps_live_ones(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let store = &app.store;
    let now = Utc::now();
    let hour = chrono::Duration::hours(1);
    let user = user_id(&app, "ana@example.com").await;
    let session = |name: &str, last_seen, expires_at| Session {
        id_hash: hash_token(name),
        user_id: user,
        created_at: now - chrono::Duration::days(20),
        last_seen_at: last_seen,
        expires_at,
    };
    for s in [
        session("live", now, now + hour),
        session("ended", now - hour, now - hour),
        session("idle", now - chrono::Duration::hours(25), now + hour),
    ] {
        store.create_session(&s).await.unwrap();
    }
    let link = |email: &str, expires_at| SignInToken {
        token_hash: hash_token(email),
        email: email.into(),
        purpose: "sign_in".into(),
        created_at: now - chrono::Duration::days(2),
        expires_at,
    };
    store
        .create_sign_in_token(&link("live@example.com", now + hour))
        .await
        .unwrap();
    store
        .create_sign_in_token(&link("old@example.com", now - hour))
        .await
        .unwrap();
    let tenant = tenant_of(&app, user, "Acme").await;
    let invitation = |email: &str, expires_at| Invitation {
        id: uuid::Uuid::now_v7(),
        email: Email::parse(email).unwrap(),
        role: Role::Operator,
        token_hash: hash_token(email),
        invited_by: Some(user),
        created_at: now - chrono::Duration::days(8),
        expires_at,
    };
    for i in [
        invitation("live@example.com", now + hour),
        invitation("old@example.com", now - hour),
    ] {
        store.create_invitation(tenant, &i).await.unwrap();
    }
    let live_token = stored_token(&app, user, hour, None).await;
    stored_token(&app, user, -hour, None).await;
    let revoked = stored_token(&app, user, hour, None).await;
    let revoked_id = store.api_tokens(user).await.unwrap()[0].id;
    store
        .revoke_api_token(user, revoked_id, now - chrono::Duration::minutes(1))
        .await
        .unwrap();

    let pruned = allcampaigns::auth::prune::prune_expired(store, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        (
            pruned.sessions,
            pruned.sign_in_tokens,
            pruned.invitations,
            pruned.api_tokens
        ),
        (2, 1, 1, 2)
    );
    for (name, kept) in [("live", true), ("ended", false), ("idle", false)] {
        let found = store.session(&hash_token(name)).await.unwrap();
        assert_eq!(found.is_some(), kept, "session {name}");
    }
    let long_ago = now - chrono::Duration::days(3);
    for (email, kept) in [("live@example.com", true), ("old@example.com", false)] {
        let found = store
            .sign_in_token(&hash_token(email), long_ago)
            .await
            .unwrap();
        assert_eq!(found.is_some(), kept, "sign-in link of {email}");
    }
    let invitations: Vec<String> = store
        .invitations(tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.email.to_string())
        .collect();
    assert_eq!(invitations, vec!["live@example.com"]);
    let tokens = store.api_tokens(user).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(me(&app, &live_token).await, StatusCode::OK);
    assert_eq!(me(&app, &revoked).await, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
