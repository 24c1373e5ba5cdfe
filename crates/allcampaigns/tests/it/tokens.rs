//! Personal access tokens after the security review (finding 5): bearer only under `/api/`,
//! expiry, read-only and tenant-limited tokens, and revoking them all, on both backends.
//! Findings 15, 18 and 22 are in `token_hygiene.rs`.

use allcampaigns::auth::{hash_token, random_token};
use allcampaigns::domain::{Email, TenantId, TenantInput, UserId};
use allcampaigns::store::ApiToken;
use chrono::Utc;
use reqwest::{Method, StatusCode};
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
);

pub async fn user_id(app: &TestApp, address: &str) -> UserId {
    let email = Email::parse(address).unwrap();
    match app.store.user_by_email(&email).await.unwrap() {
        Some(user) => user.id,
        None => app.store.create_user(&email, "").await.unwrap().id,
    }
}

pub async fn tenant_of(app: &TestApp, owner: UserId, name: &str) -> TenantId {
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
pub async fn stored_token(
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

pub async fn me(app: &TestApp, token: &str) -> StatusCode {
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
    // Security review finding 10: token names reach the audit log and pages.
    for name in ["script\nACTION NEEDED", "\u{202e}tpircs"] {
        let response = visitor.post("/profile/tokens", &[("name", name)]).await;
        assert_eq!(response.status(), 422, "{name:?}");
    }
    assert_eq!(app.store.api_tokens(user).await.unwrap().len(), 2);
    app.stop().await;
}
