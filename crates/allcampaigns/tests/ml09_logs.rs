//! ML-09's "token never logged": a whole magic-link sign-in (request, mail, confirm page,
//! confirm POST, first page) captured at TRACE as JSON, with the token absent from every line
//! and from the redirect. A binary of its own, because the capture installs the process-wide
//! log subscriber.

// Shared fixtures; this binary uses only some of them.
#[allow(dead_code)]
#[path = "it/helpers.rs"]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};

use helpers::{TestDb, Visitor, spawn_app};

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

/// Signs in by mail and returns the token and every response header and body seen after it.
async fn sign_in(db: TestDb) -> (String, String) {
    let app = spawn_app(db.config.clone()).await;
    let address = "ml09@example.com";
    app.store
        .create_user(&allcampaigns::domain::Email::parse(address).unwrap(), "")
        .await
        .unwrap();
    let mut visitor = Visitor::arrive(&app).await;
    assert_eq!(
        visitor.post("/login", &[("email", address)]).await.status(),
        200
    );
    let mail = app.next_mail().await;
    let (_, token) = helpers::sign_in_link(&mail);
    let confirm = visitor.get(&format!("/login/confirm?token={token}")).await;
    assert_eq!(confirm.status(), 200);
    assert_eq!(confirm.headers()["referrer-policy"], "no-referrer");
    let signed_in = visitor.post("/login/confirm", &[("token", &token)]).await;
    assert_eq!(signed_in.status(), 303);
    let mut seen = format!("{:?}", signed_in.headers());
    let home = visitor.get("/inbox").await;
    assert_eq!(home.status(), 200);
    seen.push_str(&format!("{:?}", home.headers()));
    seen.push_str(&home.text().await.unwrap());
    app.stop().await;
    (token, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ml_09_the_sign_in_token_never_reaches_the_logs_or_the_redirect() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .json()
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber of this binary");
    let mut runs = vec![sign_in(TestDb::sqlite().await).await];
    if let Some(db) = TestDb::postgres().await {
        runs.push(sign_in(db).await);
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.len() > 1000,
        "the capture saw the run ({} bytes)",
        logs.len()
    );
    assert!(
        logs.contains("/login/confirm"),
        "the confirm requests were traced"
    );
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"));
    for (token, seen) in runs {
        // Also a prefix, in case a log line cuts or encodes it.
        for needle in [token.as_str(), &token[..20]] {
            assert!(
                !logs.contains(needle),
                "the sign-in token leaked into the logs"
            );
            assert!(!seen.contains(needle), "the token is in a later response");
        }
    }
}
