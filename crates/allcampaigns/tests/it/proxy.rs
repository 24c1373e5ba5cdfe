//! Behind a reverse proxy (security review finding 6): the client address comes from
//! `X-Forwarded-For` only when the TCP peer is a trusted proxy, and the sign-in limit and the
//! request log both use it.

use std::time::Duration;

use allcampaigns::app::SignInLimits;
use allcampaigns::auth::RateLimiter;
use allcampaigns::config::Config;
use reqwest::header::COOKIE;
use sqlx::Connection;

use crate::helpers::{TestDb, Visitor, spawn_app_with};
use crate::on_both_backends;

on_both_backends!(
    finding_6_behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_limit,
    finding_6_an_untrusted_peer_cannot_spoof_x_forwarded_for,
    finding_6_the_request_log_records_the_forwarded_address,
    aud_02_only_a_trusted_proxy_chooses_the_request_id,
);

fn behind_loopback_proxy(db: &TestDb) -> Config {
    let mut config = db.config.clone();
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    config
}

/// Two link requests per client address, whatever the email.
fn two_per_client() -> SignInLimits {
    SignInLimits {
        per_email: RateLimiter::new(1000, Duration::from_secs(900)),
        per_ip: RateLimiter::new(2, Duration::from_secs(900)),
    }
}

/// `POST /login` for a fresh address, as relayed for `forwarded_for`.
async fn ask_for_link(visitor: &Visitor<'_>, forwarded_for: &str) -> u16 {
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    let form = [
        ("email", email),
        ("csrf", visitor.cookie("ac_csrf").unwrap_or_default()),
    ];
    visitor
        .app
        .client
        .post(visitor.app.url("/login"))
        .header(COOKIE, visitor.cookie_header())
        .header("x-forwarded-for", forwarded_for)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn finding_6_behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_limit(
    db: TestDb,
) {
    let app = spawn_app_with(behind_loopback_proxy(&db), two_per_client()).await;
    let visitor = Visitor::arrive(&app).await;
    for expected in [200, 200, 429] {
        assert_eq!(ask_for_link(&visitor, "203.0.113.1").await, expected);
    }
    // Another client behind the same proxy is not locked out by the first.
    assert_eq!(ask_for_link(&visitor, "203.0.113.2").await, 200);
    // A spoofed hop left of the real client changes nothing.
    assert_eq!(ask_for_link(&visitor, "9.9.9.9, 203.0.113.1").await, 429);
    // IPv6 clients count per /64.
    assert_eq!(ask_for_link(&visitor, "2001:db8:0:1::1").await, 200);
    assert_eq!(ask_for_link(&visitor, "2001:db8:0:1::2").await, 200);
    assert_eq!(ask_for_link(&visitor, "2001:db8:0:1:ffff::3").await, 429);
    assert_eq!(ask_for_link(&visitor, "2001:db8:0:2::1").await, 200);
    app.stop().await;
}

async fn finding_6_an_untrusted_peer_cannot_spoof_x_forwarded_for(db: TestDb) {
    let mut config = db.config.clone();
    config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let app = spawn_app_with(config, two_per_client()).await;
    let visitor = Visitor::arrive(&app).await;
    assert_eq!(ask_for_link(&visitor, "203.0.113.1").await, 200);
    assert_eq!(ask_for_link(&visitor, "203.0.113.2").await, 200);
    // The peer (127.0.0.1) is not a trusted proxy: every claim is the same client.
    assert_eq!(ask_for_link(&visitor, "203.0.113.3").await, 429);
    app.stop().await;
}

async fn finding_6_the_request_log_records_the_forwarded_address(db: TestDb) {
    let app = spawn_app_with(behind_loopback_proxy(&db), SignInLimits::default()).await;
    let forwarded = app
        .client
        .get(app.url("/healthz"))
        .header("x-forwarded-for", "198.51.100.7, 127.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(forwarded.status(), 200);
    let direct = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(direct.status(), 200);
    app.stop().await; // graceful stop flushes the request log
    let mut logged = logged_ips(&db).await;
    logged.sort();
    assert_eq!(
        logged,
        [
            ("/healthz".to_string(), "198.51.100.7".to_string()),
            ("/readyz".to_string(), "127.0.0.1".to_string()),
        ]
    );
}

/// `(route, ip)` of every request-log line, read from the database itself.
async fn logged_ips(db: &TestDb) -> Vec<(String, String)> {
    let query = "SELECT route, ip FROM request_log";
    if db.is_postgres() {
        let mut owner = db.owner().await;
        sqlx::query_as(query).fetch_all(&mut owner).await.unwrap()
    } else {
        let path = db.dir.path().join("allcampaigns.db");
        let mut sqlite = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query_as(query).fetch_all(&mut sqlite).await.unwrap()
    }
}

/// AUD-02: audit entries carry the request id, so a client must not pick it; a trusted proxy
/// may (it passes its own id through for tracing).
async fn aud_02_only_a_trusted_proxy_chooses_the_request_id(db: TestDb) {
    let ask = |app: &crate::helpers::TestApp| {
        app.client
            .get(app.url("/login"))
            .header("x-request-id", "chosen-by-the-client")
            .send()
    };
    let direct = crate::helpers::spawn_app(db.config.clone()).await;
    let response = ask(&direct).await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, "chosen-by-the-client");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    direct.stop().await;
    let proxied = crate::helpers::spawn_app(behind_loopback_proxy(&db)).await;
    let response = ask(&proxied).await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "chosen-by-the-client");
}
