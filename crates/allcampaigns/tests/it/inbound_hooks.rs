//! Instantly's webhooks, received (issue 14), on both backends: an event is stored once however
//! often it comes; a secret or header that names no hook answers 404 and stores nothing, as does
//! an old address after the hook is made again or removed; an oversized body is 413 and a body
//! that is not an event 400, storing nothing; an event posted to one client's address lands in
//! that client only; and the simulator's own deliveries of a new reply are stored, bring sync
//! forward, and the reply reaches the inbox; an install with a public `https` address registers
//! its hook in the client's workspace and removes it with the hook; the log's pruning deletes
//! exactly the events older than its period, in every client, batch after batch. Roles and isolation of the management routes: the
//! API matrix (`api.rs`).

use std::time::Duration;

use allcampaigns::domain::{Role, TenantId};
use allcampaigns::inbound::{HEADER, MAX_EVENT_BYTES};
use instantly_sim::{Scale, TickRequest};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, member, spawn_app};
use crate::on_both_backends;
use crate::sync::{connected, whole_cycles};

on_both_backends!(
    an_event_is_stored_once_however_often_it_is_delivered,
    a_secret_or_header_that_names_no_hook_answers_404_and_stores_nothing,
    an_oversized_or_unreadable_body_is_refused_and_stores_nothing,
    an_event_posted_to_one_clients_address_lands_in_that_client_only,
    the_simulators_reply_events_are_stored_and_bring_the_reply_into_the_inbox,
    an_https_install_registers_its_hook_in_instantly_and_removes_it_with_the_hook,
    the_inbound_log_keeps_exactly_its_retention_period_in_every_client,
    the_webhooks_page_shows_the_secrets_once_lists_events_and_removes_when_confirmed,
);

const OWNER: &str = "owner@agency.example";

/// A hook as made: where to post and the header to send.
struct Hook {
    url: String,
    header: String,
}

async fn make_hook(app: &TestApp, token: &str, tenant: TenantId) -> Hook {
    let path = format!("/api/v1/tenants/{tenant}/inbound-hook");
    let (status, made) = call(app, token, Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["header_name"], HEADER);
    let (status, shown) = call(app, token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let secret = made["header_value"].as_str().unwrap();
    assert!(
        !shown.to_string().contains(secret),
        "the secrets are shown once"
    );
    Hook {
        url: made["url"].as_str().unwrap().to_owned(),
        header: secret.to_owned(),
    }
}

async fn post(
    url: &str,
    header: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(url).body(body);
    if let Some(header) = header {
        request = request.header(HEADER, header);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn events(app: &TestApp, token: &str, tenant: TenantId) -> Vec<Value> {
    let path = format!("/api/v1/tenants/{tenant}/inbound-events?limit=100");
    let (status, page) = call(app, token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn client(app: &TestApp, name: &str) -> (TenantId, String) {
    let tenant = app
        .store
        .create_tenant(
            None,
            &allcampaigns::store::TenantProfile {
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    member(app, tenant, OWNER, Role::Owner).await;
    (tenant, token_for(app, OWNER).await)
}

fn reply_event(email_id: &str) -> String {
    json!({"event_type": "reply_received", "email_id": email_id, "workspace": "w",
        "timestamp": "2026-12-01T10:00:00.000Z", "lead_email": "ann@lead.example",
        "reply_text": "Yes, let's talk"})
    .to_string()
}

async fn an_event_is_stored_once_however_often_it_is_delivered(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let (tenant, token) = client(&app, "Acme").await;
    let hook = make_hook(&app, &token, tenant).await;
    let (status, ack) = post(&hook.url, Some(&hook.header), reply_event("e-1")).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(ack, json!({"stored": true, "duplicate": false}));
    // Again, in order and at once: one event stays.
    let (status, ack) = post(&hook.url, Some(&hook.header), reply_event("e-1")).await;
    assert_eq!((status, &ack["duplicate"]), (StatusCode::OK, &json!(true)));
    let both = futures::future::join_all(
        (0..4).map(|_| post(&hook.url, Some(&hook.header), reply_event("e-1"))),
    )
    .await;
    assert!(both.iter().all(|(s, _)| *s == StatusCode::OK), "{both:?}");
    let stored = events(&app, &token, tenant).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["event_type"], "reply_received");
    assert_eq!(stored[0]["email_id"], "e-1");
    assert_eq!(stored[0]["payload"], reply_event("e-1"), "kept as received");
    // The same email's next event is another event.
    let opened = json!({"event_type": "email_opened", "email_id": "e-1"}).to_string();
    assert_eq!(
        post(&hook.url, Some(&hook.header), opened).await.0,
        StatusCode::OK
    );
    assert_eq!(events(&app, &token, tenant).await.len(), 2);
    app.stop().await;
}

async fn a_secret_or_header_that_names_no_hook_answers_404_and_stores_nothing(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let (tenant, token) = client(&app, "Acme").await;
    let old = make_hook(&app, &token, tenant).await;
    let hook = make_hook(&app, &token, tenant).await;
    let unknown = app.url("/hooks/instantly/nXYZnXYZnXYZnXYZnXYZnXYZnXYZnXYZnXYZnXYZnXY");
    let refused = [
        (unknown.as_str(), Some(hook.header.as_str())),
        (hook.url.as_str(), None),
        (hook.url.as_str(), Some("wrong")),
        (hook.url.as_str(), Some(old.header.as_str())),
        (old.url.as_str(), Some(old.header.as_str())),
        (old.url.as_str(), Some(hook.header.as_str())),
    ];
    for (url, header) in refused {
        let (status, body) = post(url, header, reply_event("e-1")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url} {header:?}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    assert!(events(&app, &token, tenant).await.is_empty());
    // Removed: its address is gone too.
    let path = format!("/api/v1/tenants/{tenant}/inbound-hook");
    let (status, _) = call(&app, &token, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = post(&hook.url, Some(&hook.header), reply_event("e-1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, &token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(events(&app, &token, tenant).await.is_empty());
    app.stop().await;
}

async fn an_oversized_or_unreadable_body_is_refused_and_stores_nothing(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let (tenant, token) = client(&app, "Acme").await;
    let hook = make_hook(&app, &token, tenant).await;
    let mut huge = reply_event("e-1").into_bytes();
    huge.truncate(huge.len() - 1);
    let padding = format!(r#","pad":"{}"}}"#, "x".repeat(MAX_EVENT_BYTES));
    huge.extend_from_slice(padding.as_bytes());
    let (status, _) = post(&hook.url, Some(&hook.header), huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    for (body, named) in [
        ("not json", "not valid JSON"),
        ("[1]", "object"),
        (r#"{"email_id":"e-1"}"#, "event_type"),
    ] {
        let (status, refusal) = post(&hook.url, Some(&hook.header), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = refusal["error"]["message"].as_str().unwrap();
        assert!(message.contains(named), "{body}: {message}");
    }
    assert!(events(&app, &token, tenant).await.is_empty());
    app.stop().await;
}

async fn an_event_posted_to_one_clients_address_lands_in_that_client_only(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let (a, token) = client(&app, "A").await;
    let (b, _) = client(&app, "B").await;
    let hook_a = make_hook(&app, &token, a).await;
    let hook_b = make_hook(&app, &token, b).await;
    let (status, _) = post(&hook_b.url, Some(&hook_b.header), reply_event("e-b")).await;
    assert_eq!(status, StatusCode::OK);
    // A's header on B's address, and B's on A's: neither proves anything.
    for (url, header) in [(&hook_b.url, &hook_a.header), (&hook_a.url, &hook_b.header)] {
        let (status, _) = post(url, Some(header), reply_event("e-x")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert!(events(&app, &token, a).await.is_empty());
    let in_b = events(&app, &token, b).await;
    assert_eq!(in_b.len(), 1);
    assert_eq!(in_b[0]["email_id"], "e-b");
    app.stop().await;
}

async fn the_simulators_reply_events_are_stored_and_bring_the_reply_into_the_inbox(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    s.drain().await;
    let app = spawn_app(s.db.config.clone()).await;
    member(&app, s.tenant, OWNER, Role::Owner).await;
    let token = token_for(&app, OWNER).await;
    let hook = make_hook(&app, &token, s.tenant).await;
    let api_key = s.sim.workspaces()[0].api_key.clone();
    let subscription = reqwest::Client::new()
        .post(format!("{}/api/v2/webhooks", s.sim.base_url()))
        .bearer_auth(&api_key)
        .json(
            &json!({"target_hook_url": hook.url, "event_type": "reply_received",
            "headers": {HEADER: hook.header}}),
        )
        .send()
        .await
        .unwrap();
    assert!(subscription.status().is_success());
    let report = s.sim.tick(&TickRequest {
        new_replies: 3,
        ..TickRequest::default()
    });
    let replies: Vec<String> = report.workspaces[0]
        .new_emails
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(replies.len(), 3, "{report:?}");
    // Each delivery is answered once its event is stored and sync brought forward: wait for
    // the simulator to have every answer, not only for the events to show.
    let deliveries = format!("{}/__sim/webhook-deliveries", s.sim.base_url());
    wait_for(|| async {
        let log: Value = reqwest::get(&deliveries)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let answered = log.as_array().map_or(0, |all| {
            all.iter().filter(|d| d["success"] == json!(true)).count()
        });
        (answered >= replies.len()).then_some(())
    })
    .await;
    let stored = events(&app, &token, s.tenant).await;
    let mut ids: Vec<&str> = stored
        .iter()
        .map(|e| e["email_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected: Vec<&str> = replies.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // The events brought the tenant's sync forward: it is due now, and its cycle copies them.
    let job = allcampaigns::sync::live_job(&s.store, s.tenant)
        .await
        .unwrap()
        .unwrap();
    assert!(job.run_at <= chrono::Utc::now(), "{job:?}");
    s.drain().await;
    for id in &replies {
        let found = s
            .rows(&format!(
                "SELECT instantly_id FROM messages WHERE tenant_id = $1 AND instantly_id = '{id}'"
            ))
            .await;
        assert_eq!(found.len(), 1, "{id} is in the inbox");
    }
    app.stop().await;
}

async fn wait_for<T, F, Fut>(mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..200 {
        if let Some(found) = probe().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not within 10 s");
}

/// The simulator's subscriptions: (id, target, header value).
async fn subscriptions(
    sim: &instantly_sim::RunningSim,
    api_key: &str,
) -> Vec<(String, String, String)> {
    let listed: Value = reqwest::Client::new()
        .get(format!("{}/api/v2/webhooks", sim.base_url()))
        .bearer_auth(api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    items
        .iter()
        .map(|w| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                text(&w["id"]),
                text(&w["target_hook_url"]),
                text(&w["headers"][HEADER]),
            )
        })
        .collect()
}

async fn an_https_install_registers_its_hook_in_instantly_and_removes_it_with_the_hook(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let api_key = s.sim.workspaces()[0].api_key.clone();
    // Not https: made, not registered, and the person is told to do it by hand.
    let app = spawn_app(s.db.config.clone()).await;
    member(&app, s.tenant, OWNER, Role::Owner).await;
    let token = token_for(&app, OWNER).await;
    let path = format!("/api/v1/tenants/{}/inbound-hook", s.tenant);
    let (_, made) = call(&app, &token, Method::POST, &path, None).await;
    assert_eq!(made["registration"], json!({"state": "not_https"}));
    assert!(subscriptions(&s.sim, &api_key).await.is_empty());
    app.stop().await;

    let mut config = s.db.config.clone();
    config.public_url = "https://campaigns.agency.example/".parse().unwrap();
    // The same database: the token made above works here too.
    let app = spawn_app(config).await;
    let (status, first) = call(&app, &token, Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let url = first["url"].as_str().unwrap();
    assert!(
        url.starts_with("https://campaigns.agency.example/hooks/instantly/"),
        "{url}"
    );
    let registered = subscriptions(&s.sim, &api_key).await;
    assert_eq!(registered.len(), 1);
    assert_eq!(first["registration"]["state"], "registered");
    assert_eq!(first["registration"]["detail"], registered[0].0.as_str());
    assert_eq!(
        (registered[0].1.as_str(), registered[0].2.as_str()),
        (url, first["header_value"].as_str().unwrap())
    );
    let (_, shown) = call(&app, &token, Method::GET, &path, None).await;
    assert_eq!(shown["instantly_webhook_id"], registered[0].0.as_str());
    // Made again: the new address replaces the old one in Instantly too.
    let (_, second) = call(&app, &token, Method::POST, &path, None).await;
    let registered = subscriptions(&s.sim, &api_key).await;
    assert_eq!(registered.len(), 1, "{registered:?}");
    assert_eq!(registered[0].1, second["url"].as_str().unwrap());
    // Removed: gone from Instantly as well.
    let (status, _) = call(&app, &token, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(subscriptions(&s.sim, &api_key).await.is_empty());
    app.stop().await;
}

async fn the_inbound_log_keeps_exactly_its_retention_period_in_every_client(db: TestDb) {
    use allcampaigns::inbound::{InboundEvent, prune_in_batches};
    let store = db.store().await;
    let now = chrono::Utc::now();
    let cutoff = now - chrono::Duration::days(7);
    let ages = [
        chrono::Duration::days(30),
        chrono::Duration::days(8),
        chrono::Duration::days(7) + chrono::Duration::seconds(1),
        chrono::Duration::days(7) - chrono::Duration::seconds(1),
        chrono::Duration::hours(1),
    ];
    let mut tenants = Vec::new();
    for name in ["A", "B"] {
        let profile = allcampaigns::store::TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        let tenant = store.create_tenant(None, &profile).await.unwrap().id;
        for (n, age) in ages.iter().enumerate() {
            let body = format!(r#"{{"event_type":"email_opened","email_id":"e{n}"}}"#);
            let mut event = InboundEvent::parse(tenant, body.as_bytes(), now).unwrap();
            event.received_at = now - *age;
            assert!(store.record_inbound_event(&event).await.unwrap());
        }
        tenants.push(tenant);
    }
    // Batches of two: three deleted in each client takes two statements there.
    assert_eq!(prune_in_batches(&store, cutoff, 2).await.unwrap(), 6);
    for tenant in tenants {
        let kept = store.inbound_events(tenant, None, 100).await.unwrap();
        let kept: Vec<&str> = kept
            .iter()
            .map(|e| e.email_id.as_deref().unwrap())
            .collect();
        assert_eq!(kept, ["e4", "e3"], "newer than seven days, newest first");
    }
    assert_eq!(prune_in_batches(&store, cutoff, 2).await.unwrap(), 0);
}

async fn the_webhooks_page_shows_the_secrets_once_lists_events_and_removes_when_confirmed(
    db: TestDb,
) {
    use crate::helpers::Visitor;
    let app = spawn_app(db.config.clone()).await;
    let (tenant, _) = client(&app, "Acme").await;
    let mut owner = Visitor::signed_in(&app, OWNER).await;
    let page = format!("/t/{tenant}/webhooks");
    let empty = owner.get(&page).await.text().await.unwrap();
    assert!(empty.contains("no webhook address yet"), "{empty}");
    assert!(empty.contains("No events received yet"));
    let made = owner.post(&page, &[]).await;
    assert_eq!(made.status(), StatusCode::OK);
    let made = made.text().await.unwrap();
    let url = between(&made, "<code class=\"secret\">", "</code>");
    assert!(url.contains("/hooks/instantly/"), "{made}");
    let header = made
        .split("<code class=\"secret\">")
        .nth(2)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap()
        .to_owned();
    assert!(
        made.contains("not https"),
        "the page says why it is not registered"
    );
    let event = json!({"event_type": "reply_received", "email_id": "e-page",
        "lead_email": "ann@lead.example"});
    let (status, _) = post(&url, Some(&header), event.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    let shown = owner.get(&page).await.text().await.unwrap();
    assert!(
        !shown.contains(&header) && !shown.contains(&url),
        "shown once only"
    );
    assert!(
        shown.contains("e-page") && shown.contains("ann@lead.example"),
        "{shown}"
    );
    // Removal needs its box ticked.
    let refused = owner.post(&format!("{page}/remove"), &[]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let (status, _) = post(&url, Some(&header), event.to_string()).await;
    assert_eq!(status, StatusCode::OK, "still there");
    let removed = owner
        .post(&format!("{page}/remove"), &[("confirm", "on")])
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let (status, _) = post(&url, Some(&header), event.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text.find(start).expect(start) + start.len();
    let to = text[from..].find(end).expect(end) + from;
    text[from..to].to_owned()
}
