//! `/metrics` (security review finding 7): bounded method labels, an optional bearer token and
//! an optional listener of its own.

use std::collections::BTreeSet;

use allcampaigns::app::App;
use allcampaigns::mail::Mailer;
use rand::Rng;
use reqwest::Method;
use sqlx::Connection;

use crate::helpers::{TestDb, secret, spawn_app};

const TOKEN: &str = "scraper-token-0123456789";

fn random_method(rng: &mut impl Rng) -> Method {
    const TOKEN_CHARS: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~";
    let length = rng.random_range(1..=40);
    let name: Vec<u8> = (0..length)
        .map(|_| TOKEN_CHARS[rng.random_range(0..TOKEN_CHARS.len())])
        .collect();
    Method::from_bytes(&name).unwrap()
}

fn method_labels(metrics: &str) -> BTreeSet<String> {
    metrics
        .split("method=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_7_a_thousand_random_methods_make_at_most_eight_method_labels() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(db.config.clone()).await;
    let mut rng = rand::rng();
    for _ in 0..1000 {
        let method = random_method(&mut rng);
        app.client
            .request(method, app.url("/healthz"))
            .send()
            .await
            .unwrap();
    }
    app.client.delete(app.url("/healthz")).send().await.unwrap();
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let labels = method_labels(&metrics);
    assert!(labels.len() <= 8, "{labels:?}");
    assert!(
        labels.contains("other") && labels.contains("DELETE"),
        "{labels:?}"
    );
    app.stop().await;
    // The request log stores the same bounded names.
    let path = db.dir.path().join("allcampaigns.db");
    let mut sqlite = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let logged: Vec<String> = sqlx::query_scalar("SELECT DISTINCT method FROM request_log")
        .fetch_all(&mut sqlite)
        .await
        .unwrap();
    assert!(logged.len() <= 8, "{logged:?}");
    assert!(logged.iter().all(|m| m.len() <= 7), "{logged:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_7_with_a_token_metrics_answer_only_its_bearer() {
    let db = TestDb::sqlite().await;
    let mut config = db.config.clone();
    config.metrics_token = Some(secret(TOKEN));
    let app = spawn_app(config).await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let scrape = |token: &str| {
        app.client
            .get(app.url("/metrics"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(scrape("not-the-token-at-all").await.unwrap().status(), 401);
    let answered = scrape(TOKEN).await.unwrap();
    assert_eq!(answered.status(), 200);
    let text = answered.text().await.unwrap();
    assert!(text.contains("allcampaigns_http_requests_total"), "{text}");
    assert!(!text.contains(TOKEN));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_7_metrics_can_have_a_listener_of_their_own() {
    let db = TestDb::sqlite().await;
    let mut config = db.config.clone();
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let (mailer, _inbox) = Mailer::capture();
    let app = App::build_with_mailer(config, mailer).await.unwrap();
    let main = app.local_addr();
    let metrics = app.metrics_addr().expect("a metrics listener");
    assert_ne!(main, metrics);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let get =
        |addr: std::net::SocketAddr, path: &str| client.get(format!("http://{addr}{path}")).send();
    assert_eq!(get(main, "/healthz").await.unwrap().status(), 200);
    assert_eq!(get(main, "/metrics").await.unwrap().status(), 404);
    let scraped = get(metrics, "/metrics").await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.unwrap().contains("route=\"/healthz\""));
    assert_eq!(get(metrics, "/login").await.unwrap().status(), 404);
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}
