//! Inbox reads kept between changes (`inbox_cache_ms`): a kept page or count never outlives a
//! change made through the same process, nor one another node tells of; a change only another
//! process saw shows once the kept read's period ends.

use std::time::Duration;

use allcampaigns::domain::{Email, TenantId};
use allcampaigns::store::TenantProfile;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::inbox_api::one_thread;

crate::on_both_backends!(
    a_kept_page_ends_with_the_change_that_made_it_stale,
    another_processs_change_shows_when_the_period_ends,
);

/// A client of `owner` with the threads given.
async fn client(app: &TestApp, owner: &str, threads: &[&str]) -> TenantId {
    let email = Email::parse(owner).unwrap();
    let user = app.store.user_by_email(&email).await.unwrap().unwrap();
    let profile = TenantProfile {
        name: "Acme".into(),
        ..Default::default()
    };
    let tenant = app
        .store
        .create_tenant(Some(user.id), &profile)
        .await
        .unwrap()
        .id;
    for thread in threads {
        one_thread(&app.store, tenant, thread).await;
    }
    tenant
}

async fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let (status, body) = call(app, token, Method::GET, "/api/v1/threads", None).await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["thread_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn primary_count(app: &TestApp, token: &str) -> Value {
    let (status, body) = call(app, token, Method::GET, "/api/v1/threads/counts", None).await;
    assert_eq!(status, 200, "{body}");
    let tabs = body["tabs"].as_array().unwrap();
    let primary = tabs.iter().find(|tab| tab["view"] == "primary").unwrap();
    primary["count"].clone()
}

async fn mark_done(app: &TestApp, token: &str, tenant: TenantId, thread: &str) {
    let path = format!("/api/v1/tenants/{tenant}/threads/{thread}/triage");
    let body = Some(json!({"action": "done"}));
    let (status, _) = call(app, token, Method::POST, &path, body).await;
    assert_eq!(status, 200);
}

fn kept_for_a_minute(db: &TestDb) -> allcampaigns::config::Config {
    let mut config = db.config.clone();
    config.inbox_cache = Duration::from_secs(60);
    config
}

/// Read twice (the second answer kept), then changed by triage and by sync through this
/// process: the next read shows each change at once.
async fn a_kept_page_ends_with_the_change_that_made_it_stale(db: TestDb) {
    let app = spawn_app(kept_for_a_minute(&db)).await;
    let token = token_for(&app, "ops@agency.example").await;
    let acme = client(&app, "ops@agency.example", &["t-1"]).await;
    assert_eq!(listed(&app, &token).await, ["t-1"]);
    assert_eq!(listed(&app, &token).await, ["t-1"]);
    assert_eq!(primary_count(&app, &token).await, 1);

    mark_done(&app, &token, acme, "t-1").await;
    assert!(listed(&app, &token).await.is_empty(), "done leaves Primary");
    assert_eq!(primary_count(&app, &token).await, 0);

    one_thread(&app.store, acme, "t-2").await;
    assert_eq!(listed(&app, &token).await, ["t-2"], "a synced thread shows");
    assert_eq!(primary_count(&app, &token).await, 1);
    app.stop().await;
}

/// A second store on the same database stands for another process (a separate sync worker):
/// its change shows once the kept read's period (here 300 ms) ends, not before the next read
/// after it.
async fn another_processs_change_shows_when_the_period_ends(db: TestDb) {
    let mut config = db.config.clone();
    config.inbox_cache = Duration::from_millis(300);
    let app = spawn_app(config).await;
    let token = token_for(&app, "ops@agency.example").await;
    let acme = client(&app, "ops@agency.example", &["t-1"]).await;
    assert_eq!(listed(&app, &token).await, ["t-1"]);
    let other_process = db.store().await;
    one_thread(&other_process, acme, "t-2").await;
    tokio::time::sleep(Duration::from_millis(650)).await;
    assert_eq!(listed(&app, &token).await, ["t-2", "t-1"]);
    app.stop().await;
}

/// Two nodes on one PostgreSQL, each keeping reads for a minute: a change made on one ends the
/// other's kept page as soon as the other hears of it (the live event), not a minute later.
#[tokio::test]
async fn a_change_on_one_node_ends_the_pages_another_kept() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (one, two) = (
        spawn_app(kept_for_a_minute(&db)).await,
        spawn_app(kept_for_a_minute(&db)).await,
    );
    let token = token_for(&one, "ops@agency.example").await;
    let acme = client(&one, "ops@agency.example", &["t-1"]).await;
    assert_eq!(listed(&two, &token).await, ["t-1"]);
    mark_done(&one, &token, acme, "t-1").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !listed(&two, &token).await.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the other node still shows a done thread 5 s later"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    one.stop().await;
    two.stop().await;
}
