//! The HTTP skeleton: health, readiness, metrics, headers, errors, limits, the request log.

use std::time::Duration;

use crate::helpers::{TestDb, Visitor, spawn_app, test_config};

crate::on_both_backends!(
    healthz_and_readyz_answer_when_the_database_is_migrated,
    every_response_carries_the_security_headers_and_a_request_id,
    errors_are_json_under_api_and_a_page_elsewhere,
    bodies_over_the_limit_are_refused_with_413,
    metrics_are_exposed_in_prometheus_text,
    responses_are_compressed_when_the_client_accepts_gzip,
    the_request_log_is_written_in_the_background_with_route_templates,
    finding_14_signed_in_pages_and_the_api_are_never_cached,
);

/// Security review finding 14: what a signed-in person sees stays out of browser and proxy
/// caches; public pages and static files may still be cached.
async fn finding_14_signed_in_pages_and_the_api_are_never_cached(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    for path in ["/login", "/static/app.css"] {
        let response = app.get(path).await;
        assert_ne!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{path}"
        );
    }
    assert_eq!(
        app.get("/api/v1/me").await.headers()["cache-control"],
        "no-store"
    );
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    for path in ["/", "/profile", "/missing"] {
        let response = visitor.get(path).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    app.stop().await;
}

async fn healthz_and_readyz_answer_when_the_database_is_migrated(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let health = app.get("/healthz").await;
    assert_eq!(
        (health.status().as_u16(), health.text().await.unwrap()),
        (200, "ok".to_string())
    );
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status().as_u16(), ready.text().await.unwrap()),
        (200, "ready".to_string())
    );
    app.stop().await;
}

async fn every_response_carries_the_security_headers_and_a_request_id(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    for path in ["/", "/login", "/healthz", "/missing", "/static/app.css"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(headers.contains_key("referrer-policy"));
        assert!(headers.contains_key("x-request-id"), "{path}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "no HSTS over plain HTTP"
        );
    }
    app.stop().await;
}

async fn errors_are_json_under_api_and_a_page_elsewhere(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let api = app.get("/api/v1/nothing-here").await;
    assert_eq!(api.status(), 404);
    assert!(
        api.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"error": {"code": "not_found", "message": "not found"}})
    );
    let page = app.get("/nothing-here").await;
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("404") && html.contains("not found") && html.contains("/static/app.css"));
    let wrong_method = app
        .client
        .post(app.url("/healthz"))
        .header("cookie", "ac_csrf=t")
        .header("x-csrf-token", "t");
    assert_eq!(wrong_method.send().await.unwrap().status(), 405);
    app.stop().await;
}

async fn bodies_over_the_limit_are_refused_with_413(db: TestDb) {
    let mut config = db.config.clone();
    config.max_body_bytes = 1024;
    let app = spawn_app(config).await;
    let response = app
        .client
        .post(app.url("/api/v1/anything"))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
    app.stop().await;
}

async fn responses_are_compressed_when_the_client_accepts_gzip(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let response = app
        .client
        .get(app.url("/static/app.css"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    app.stop().await;
}

async fn metrics_are_exposed_in_prometheus_text(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    app.get("/healthz").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("allcampaigns_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""));
    assert!(text.contains("allcampaigns_http_request_duration_seconds_bucket"));
    app.stop().await;
}

async fn the_request_log_is_written_in_the_background_with_route_templates(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    for _ in 0..5 {
        app.client
            .get(app.url("/static/app.css"))
            .header("user-agent", "probe/1")
            .send()
            .await
            .unwrap();
    }
    let store = app.store.clone();
    app.stop().await; // graceful stop flushes the batch
    assert_eq!(store.count_request_log().await.unwrap(), 5);
}

#[tokio::test]
async fn hsts_is_sent_when_users_reach_the_app_over_https() {
    let db = TestDb::sqlite().await;
    let mut config = test_config(&db.dir, None);
    config.public_url = url::Url::parse("https://campaigns.example").unwrap();
    let app = spawn_app(config).await;
    let response = app.get("/healthz").await;
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    app.stop().await;
}

#[tokio::test]
async fn readyz_reports_unavailable_when_the_database_is_gone() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(db.config.clone()).await;
    let path = db.dir.path().join("allcampaigns.db");
    sqlx::query("DROP TABLE _sqlx_migrations")
        .execute(
            &sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    tokio::time::sleep(Duration::from_millis(10)).await;
    app.stop().await;
}
