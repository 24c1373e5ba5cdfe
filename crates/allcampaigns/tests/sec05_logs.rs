//! SEC-05 for the connection flow: a canary Instantly key never reaches the logs (captured at
//! TRACE, as JSON), HTTP responses, error bodies or the audit log. A binary of its own, because
//! the capture installs the process-wide log subscriber.

// Shared fixtures; this binary uses only some of them.
#[allow(dead_code)]
#[path = "it/helpers.rs"]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};

use allcampaigns::store::AuditFilter;
use serde_json::{Value, json};

use helpers::{TestDb, Visitor, spawn_app};

async fn simulator() -> instantly_sim::RunningSim {
    let config = instantly_sim::SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: 11,
        scale: instantly_sim::Scale::Small,
        workspaces: 2,
        rate_limits: false,
    };
    instantly_sim::Simulator::start(config)
        .await
        .expect("the simulator starts")
}

/// Everything written to the log, at TRACE.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_05_a_canary_key_never_reaches_logs_responses_errors_or_the_audit_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .json()
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this binary");

    let db = TestDb::sqlite().await;
    let sim = simulator().await;
    let mut config = db.config.clone();
    config.instantly_url = url::Url::parse(&sim.base_url()).unwrap();
    let app = spawn_app(config).await;
    let canary = sim.workspaces()[1].api_key.clone();
    let mut seen = String::new();
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let created = owner.post("/tenants", &[("name", "Acme")]).await;
    let tenant = created.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/t/")
        .to_string();
    for key in [canary.clone(), format!("{canary}x"), canary.clone()] {
        let response = owner
            .post(&format!("/t/{tenant}/connection"), &[("api_key", &key)])
            .await;
        seen.push_str(&format!("{:?}", response.headers()));
        seen.push_str(&response.text().await.unwrap());
    }
    seen.push_str(
        &owner
            .get(&format!("/t/{tenant}/connection"))
            .await
            .text()
            .await
            .unwrap(),
    );
    seen.push_str(
        &owner
            .get(&format!("/t/{tenant}/audit"))
            .await
            .text()
            .await
            .unwrap(),
    );
    let token_page = owner
        .post("/profile/tokens", &[("name", "scan")])
        .await
        .text()
        .await
        .unwrap();
    let start = token_page.find("acpat_").unwrap();
    let token: String = token_page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    for (method, body) in [
        (reqwest::Method::GET, None),
        (
            reqwest::Method::PUT,
            Some(json!({"api_key": format!("{canary}y")})),
        ),
    ] {
        let mut request = app
            .client
            .request(
                method,
                app.url(&format!("/api/v1/tenants/{tenant}/connection")),
            )
            .bearer_auth(&token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let body: Value = response.json().await.unwrap();
        seen.push_str(&body.to_string());
    }
    let audit = app
        .store
        .audit_entries(
            tenant.parse().unwrap(),
            &AuditFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    seen.push_str(&format!("{audit:?}"));
    app.stop().await;
    sim.shutdown().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.len() > 1000,
        "the capture saw the run ({} bytes)",
        logs.len()
    );
    assert!(
        logs.contains("/t/{tenant_id}/connection"),
        "the connection requests were traced"
    );
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "the capture ran at TRACE"
    );
    assert!(!logs.contains(&canary), "the key leaked into the logs");
    assert!(
        !seen.contains(&canary),
        "the key leaked into a response or the audit log"
    );
}
