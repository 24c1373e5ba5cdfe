//! SEC-05 for the client: a canary API key never appears in captured logs (TRACE level), in
//! errors (Display or Debug) or in the client's Debug output, even when a server echoes it back.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use instantly::{Client, Error, RetryPolicy};
use instantly_sim::{Fault, FaultConfig, Scale};
use support::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A server that puts the Authorization header it received into its error messages.
async fn echo_server() -> String {
    let echo = |headers: HeaderMap| async move {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = serde_json::json!({ "statusCode": 400, "error": "Bad Request", "message": format!("bad header {auth}") });
        (StatusCode::BAD_REQUEST, axum::Json(body))
    };
    let app = axum::Router::new().route("/api/v2/workspaces/current", get(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_never_appears_in_logs_errors_or_debug_output() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let sim = simulator(Scale::Small, 1, false).await;
    let real_key = sim.workspaces()[0].api_key.clone();
    let canary = "canary-4f1c9e7b2a-do-not-leak";
    let mut texts = Vec::new();

    let mut refused = config(&sim, 0);
    refused.api_key = canary.to_owned().into();
    texts.push(format!("{refused:?}"));
    let refused = Client::new(refused).unwrap();
    texts.push(format!("{refused:?}"));
    let error = refused.current_workspace().await.unwrap_err();
    assert!(matches!(error, Error::InvalidCredentials { .. }));
    texts.extend([error.to_string(), format!("{error:?}")]);

    let mut config = config(&sim, 0);
    config.retry = RetryPolicy {
        max_attempts: 2,
        ..quick_retries()
    };
    config.timeout = Duration::from_millis(300);
    let client = Client::new(config.clone()).unwrap();
    sim.set_faults(FaultConfig {
        error_503: 1.0,
        ..FaultConfig::default()
    });
    let error = client.current_workspace().await.unwrap_err();
    texts.extend([error.to_string(), format!("{error:?}")]);
    sim.set_faults(FaultConfig {
        timeout_ms: Some(2_000),
        next: vec![Fault::Timeout, Fault::Reset],
        ..FaultConfig::default()
    });
    let error = client.current_workspace().await.unwrap_err();
    texts.extend([error.to_string(), format!("{error:?}")]);
    sim.clear_faults();
    let error = client
        .lead("0199d1a0-0000-7000-8000-000000000000")
        .await
        .unwrap_err();
    texts.extend([error.to_string(), format!("{error:?}")]);

    let mut echoed = config.clone();
    echoed.base_url = echo_server().await;
    echoed.api_key = canary.to_owned().into();
    let error = Client::new(echoed)
        .unwrap()
        .current_workspace()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::BadRequest { message } if message.contains("[REDACTED]")),
        "{error:?}"
    );
    texts.extend([error.to_string(), format!("{error:?}")]);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying Instantly request"),
        "logs were captured"
    );
    for secret in [canary, real_key.as_str()] {
        assert!(!logs.contains(secret), "the key leaked into the logs");
        for text in &texts {
            assert!(!text.contains(secret), "the key leaked into {text}");
        }
    }
    sim.shutdown().await;
}
