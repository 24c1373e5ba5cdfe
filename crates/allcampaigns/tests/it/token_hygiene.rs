//! Security review findings 15 (bearers read before they write, at most one `last_used_at`
//! write a minute, failed bearers limited), 18 (CSRF cookie rotation) and 22 (pruning), on
//! both backends.

use std::time::Duration;

use allcampaigns::auth::{hash_token, links, random_token};
use allcampaigns::domain::{Email, Role};
use allcampaigns::store::{Invitation, Session, SignInToken};
use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

use crate::helpers::{TestApp, TestDb, Visitor, spawn_app};
use crate::tokens::{me, stored_token, tenant_of, user_id};

crate::on_both_backends!(
    finding_15_an_unknown_bearer_writes_nothing,
    finding_15_last_used_at_is_written_at_most_once_a_minute,
    finding_15_failed_bearers_are_limited_per_address,
    finding_18_the_csrf_cookie_changes_at_sign_in_and_sign_out,
    finding_22_pruning_removes_expired_rows_and_keeps_live_ones,
);

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
