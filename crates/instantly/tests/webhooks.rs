//! Webhooks: subscriptions made through the client receive Instantly's flat payload with their
//! custom headers, under the delivered event names (`email_link_clicked` subscriptions receive
//! `link_clicked`), and failed deliveries are retried.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use instantly::{NewWebhook, WebhookQuery};
use instantly_sim::{Scale, TickRequest};
use serde_json::Value;
use support::*;

type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// Records deliveries; the very first one fails with 500 to force a retry.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let hook = |State(received): State<Received>, headers: HeaderMap, body: axum::Json<Value>| async move {
        let mut all = received.lock().unwrap();
        let secret = headers
            .get("x-hook-secret")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        all.push((secret, body.0));
        if all.len() == 1 {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    };
    let app = axum::Router::new()
        .route("/hook", post(hook))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_and_status_changes_are_delivered_to_matching_subscriptions() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    let (url, received) = receiver().await;
    let headers = BTreeMap::from([("X-Hook-Secret".to_owned(), "s3cret".to_owned())]);
    for event_type in ["reply_received", "lead_interested", "email_link_clicked"] {
        let hook = NewWebhook {
            target_hook_url: url.clone(),
            event_type: Some(event_type.into()),
            headers: Some(headers.clone()),
            ..Default::default()
        };
        client.create_webhook(&hook).await.unwrap();
    }
    assert_eq!(
        collect(client.webhooks(WebhookQuery::default()))
            .await
            .len(),
        3
    );
    let types = client.webhook_event_types().await.unwrap();
    assert!(types.iter().any(|t| t.id == "email_link_clicked"));

    let workspace = sim.workspaces()[0].id.clone();
    let report = sim.tick(&TickRequest {
        workspace_id: Some(workspace.clone()),
        new_replies: 8,
        status_changes: 12,
        clicks: 3,
        ..Default::default()
    });
    let changes = &report.workspaces[0];
    let replies = changes.new_emails.iter().filter(|e| !e.auto_reply).count();
    let interested = changes
        .status_changes
        .iter()
        .filter(|c| c.to == Some(1))
        .count();
    let clicks = changes.clicks.len();
    assert!(clicks > 0);
    let expected = replies + interested + clicks + 1; // plus the retry of the failed first delivery

    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while received.lock().unwrap().len() < expected && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), expected, "{received:#?}");
    for (secret, payload) in &received {
        assert_eq!(secret, "s3cret");
        assert_eq!(payload["workspace"], workspace.as_str());
        let event = payload["event_type"].as_str().unwrap();
        assert!(
            ["reply_received", "lead_interested", "link_clicked"].contains(&event),
            "{event}"
        );
        assert!(
            payload["lead_email"].is_string()
                && payload["campaign_id"].is_string()
                && payload["timestamp"].is_string()
        );
        assert!(
            payload["firstName"].is_string(),
            "lead variables are merged into the payload"
        );
        if event == "reply_received" {
            let email = client
                .email(payload["email_id"].as_str().unwrap())
                .await
                .unwrap();
            assert_eq!(email.ue_type, Some(instantly::ue_type::RECEIVED));
            assert!(payload["reply_text"].is_string() && payload["step"].as_u64() >= Some(1));
        }
        if event == "link_clicked" {
            let clicked = changes
                .clicks
                .iter()
                .find(|c| c.email_id == payload["email_id"]);
            let lead = client.lead(&clicked.unwrap().lead_id).await.unwrap();
            assert!(lead.email_click_count > 0 && lead.timestamp_last_click.is_some());
        }
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_whose_deliveries_keep_failing_is_disabled() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    let failing =
        axum::Router::new().route("/hook", post(|| async { StatusCode::SERVICE_UNAVAILABLE }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, failing).await.unwrap() });
    let hook = NewWebhook {
        target_hook_url: url,
        event_type: Some("all_events".into()),
        ..Default::default()
    };
    let created = client.create_webhook(&hook).await.unwrap();
    assert_eq!(created.status, Some(1));

    sim.tick(&TickRequest {
        new_replies: 3,
        ..Default::default()
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let hooks = collect(client.webhooks(WebhookQuery::default())).await;
        if hooks[0].status == Some(-1) {
            assert!(hooks[0].timestamp_error.is_some());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still active: {hooks:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let log: Vec<Value> = reqwest::get(format!("{}/__sim/webhook-deliveries", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        log.len(),
        3 * 4,
        "each event: one attempt and three retries"
    );
    assert!(
        log.iter()
            .all(|d| d["success"] == false && d["status_code"] == 503)
    );
    sim.shutdown().await;
}
