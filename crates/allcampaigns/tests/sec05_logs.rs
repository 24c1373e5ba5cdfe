//! SEC-05: canaries (Instantly keys and a magic-link sign-in token) never reach the logs
//! (captured at TRACE, as JSON), HTTP responses, error bodies, mails about them or the audit
//! log, across the flows that handle them: linking a key (page and API), sync through the
//! worker (including a key Instantly refuses with 401), signing in, and a panic in a request
//! handler or a task. A binary of its own, because the capture installs the process-wide log
//! subscriber; every test reads the whole capture, which holds every other test's lines too.

// Shared fixtures; this binary uses only some of them.
#[allow(dead_code)]
#[path = "it/helpers.rs"]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use allcampaigns::domain::{Email, Role, TenantId};
use allcampaigns::mail::Mailer;
use allcampaigns::store::{AuditFilter, ConnectionStatus, DynStore, TenantProfile};
use allcampaigns::sync::link::{Workspace, sealed_link};
use allcampaigns::sync::{SyncOptions, SyncWorker};
use serde_json::{Value, json};

use helpers::{TestDb, Visitor, secret, spawn_app};

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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// The capture, installed as the process's subscriber by whichever test asks first.
fn capture() -> Captured {
    static CAPTURE: OnceLock<Captured> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .json()
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("the only subscriber of this binary");
            captured
        })
        .clone()
}

/// A fresh SQLite database, and a PostgreSQL one when a server is at hand.
async fn both_backends() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite().await];
    dbs.extend(TestDb::postgres().await);
    dbs
}

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

/// Asserts that no canary appears in the captured logs or in what the test saw.
fn assert_absent(logs: &str, seen: &str, canaries: &[&str]) {
    for canary in canaries {
        assert!(!logs.contains(canary), "a canary leaked into the logs");
        assert!(
            !seen.contains(canary),
            "a canary leaked into a response, error, mail or the audit log"
        );
    }
}

async fn audit_of(store: &DynStore, tenant: TenantId) -> String {
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    format!("{:?}", store.audit_entries(tenant, &filter).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_05_a_canary_key_never_reaches_logs_responses_errors_or_the_audit_log() {
    let captured = capture();
    for db in both_backends().await {
        let (canary, seen) = link_flow(db).await;
        let logs = captured.text();
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
        assert_absent(&logs, &seen, &[&canary]);
    }
}

/// Links, refuses and replaces a canary key through the page and the API; answers the key and
/// everything the flow showed.
async fn link_flow(db: TestDb) -> (String, String) {
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
    for page in ["connection", "audit"] {
        let response = owner.get(&format!("/t/{tenant}/{page}")).await;
        seen.push_str(&response.text().await.unwrap());
    }
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
        (reqwest::Method::GET, None),
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
    let audit_api = app
        .client
        .get(app.url(&format!("/api/v1/tenants/{tenant}/audit")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    seen.push_str(&audit_api.text().await.unwrap());
    seen.push_str(&audit_of(&app.store, tenant.parse().unwrap()).await);
    app.stop().await;
    sim.shutdown().await;
    (canary, seen)
}

/// A key no Instantly workspace has: every call with it is refused with 401.
const REFUSED_CANARY: &str = "sk_refused_canary_5e8b0c2f7a914d36";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_05_sync_through_the_worker_with_a_good_and_a_refused_key_leaks_neither() {
    let captured = capture();
    for db in both_backends().await {
        let (canary, seen) = sync_flow(db).await;
        let logs = captured.text();
        assert!(logs.contains("store.apply"), "the sync was traced");
        assert_absent(&logs, &seen, &[&canary, REFUSED_CANARY]);
    }
}

/// Two tenants synced by the worker: one with a good key (a full cycle), one whose key
/// Instantly refuses (401: the link needs attention and its owner is told). Answers the good
/// key and everything the flow produced: outcomes, errors, the links' status, mails, audit.
async fn sync_flow(db: TestDb) -> (String, String) {
    let sim = simulator().await;
    let store = db.store().await;
    let keyring = allcampaigns::keys::load_keyring(&db.config, &store)
        .await
        .unwrap();
    let canary = sim.workspaces()[0].api_key.clone();
    let good = new_tenant(&store, "Good").await;
    let refused = new_tenant(&store, "Refused").await;
    let owner = store
        .create_user(&Email::parse("owner@example.com").unwrap(), "")
        .await
        .unwrap();
    store
        .add_member(refused, owner.id, Role::Owner)
        .await
        .unwrap();
    for (tenant, key) in [(good, canary.as_str()), (refused, REFUSED_CANARY)] {
        let workspace = Workspace {
            id: None,
            name: None,
        };
        let link = sealed_link(
            &keyring,
            tenant,
            &secret(key),
            &sim.base_url(),
            workspace,
            ConnectionStatus::Connected,
        );
        store.save_connection(tenant, &link).await.unwrap();
        SyncWorker::request(&store, tenant).await.unwrap();
    }
    let (mailer, mut inbox) = Mailer::capture();
    let options = SyncOptions {
        pages_per_slice: u64::MAX,
        ..SyncOptions::default()
    };
    let worker = SyncWorker::new(
        store.clone(),
        Arc::new(keyring),
        instantly::BudgetConfig::unlimited(),
        options,
        mailer,
    );
    let mut seen = String::new();
    let mut runs = 0;
    // Until nothing is due: the good tenant's next cycle waits for the interval, and the
    // refused one is never asked again.
    while let Some(outcome) = worker.run_once().await.unwrap() {
        runs += 1;
        assert!(runs < 100, "sync never settles");
        match &outcome.result {
            Ok(report) => seen.push_str(&format!("{report:?}")),
            Err(error) => seen.push_str(&format!("{error} {error:#} {error:?}")),
        }
    }
    let refused_link = store.connection(refused).await.unwrap().unwrap();
    assert_eq!(refused_link.status.as_str(), "needs_attention");
    let good_link = store.connection(good).await.unwrap().unwrap();
    assert_eq!(good_link.status.as_str(), "connected");
    seen.push_str(&format!("{refused_link:?} {good_link:?}"));
    let mail = inbox
        .try_recv()
        .expect("the owner is told the key was refused");
    seen.push_str(&format!("{} {}", mail.text, mail.html));
    for tenant in [good, refused] {
        seen.push_str(&audit_of(&store, tenant).await);
    }
    sim.shutdown().await;
    (canary, seen)
}

async fn new_tenant(store: &DynStore, name: &str) -> TenantId {
    let profile = TenantProfile {
        name: name.into(),
        ..Default::default()
    };
    store.create_tenant(None, &profile).await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_05_a_magic_link_token_reaches_only_its_mail_and_the_page_it_opens() {
    let captured = capture();
    for db in both_backends().await {
        let (token, seen) = sign_in_flow(db).await;
        let logs = captured.text();
        assert!(logs.contains("/login/confirm"), "the sign-in was traced");
        assert_absent(&logs, &seen, &[&token]);
    }
}

/// Asks for a sign-in link, opens it (the confirm page, which must carry the token to post it,
/// is the one response allowed to hold it), signs in, redeems it again, tries it as a bearer
/// token and with a letter changed, and looks around. Answers the token and everything else
/// the flow showed.
async fn sign_in_flow(db: TestDb) -> (String, String) {
    let app = spawn_app(db.config.clone()).await;
    let email = Email::parse("ana@example.com").unwrap();
    let user = app.store.create_user(&email, "").await.unwrap();
    let mut visitor = Visitor::arrive(&app).await;
    let mut seen = String::new();
    let asked = visitor.post("/login", &[("email", email.as_str())]).await;
    seen.push_str(&format!("{:?}", asked.headers()));
    seen.push_str(&asked.text().await.unwrap());
    let mail = app.next_mail().await;
    let (_, token) = helpers::sign_in_link(&mail);
    let confirm_page = visitor
        .get(&format!("/login/confirm?token={token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm_page.contains(&token), "the page posts the token on");
    let altered = format!("{}x", &token[..token.len() - 1]);
    for attempt in [&token, &token, &altered] {
        let response = visitor.post("/login/confirm", &[("token", attempt)]).await;
        seen.push_str(&format!("{} {:?}", response.status(), response.headers()));
        seen.push_str(&response.text().await.unwrap());
    }
    for page in ["/", "/profile"] {
        seen.push_str(&visitor.get(page).await.text().await.unwrap());
    }
    let as_bearer = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    seen.push_str(&as_bearer.text().await.unwrap());
    let entries = app.store.user_audit_entries(user.id).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "sign_in.succeeded"));
    seen.push_str(&format!("{entries:?}"));
    app.stop().await;
    (token, seen)
}

/// A canary only a panic's message holds.
const PANIC_CANARY: &str = "sk_panic_canary_0d7f3b9e21c4a586";

async fn panicking_handler() -> &'static str {
    panic!("a handler holding {PANIC_CANARY}");
}

/// A handler that panics behind the app's own layers answers a plain 500, and the panic is
/// logged (by the product's panic hook, which replaces the one that prints the message)
/// without its message; a panicking task is reported the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sec_05_a_panic_in_a_handler_or_task_answers_500_and_logs_no_secret() {
    let captured = capture();
    let db = TestDb::sqlite().await;
    let (mailer, _inbox) = Mailer::capture();
    let app = allcampaigns::app::App::build_with_mailer(db.config.clone(), mailer)
        .await
        .unwrap();
    let routes = axum::Router::new()
        .route("/boom", axum::routing::get(panicking_handler))
        .route("/api/v1/boom", axum::routing::get(panicking_handler));
    let router = allcampaigns::http::with_layers(routes, app.state().clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let previous = std::panic::take_hook();
    allcampaigns::observability::install_panic_hook();
    let client = reqwest::Client::new();
    let mut seen = String::new();
    for path in ["/boom", "/api/v1/boom"] {
        let response = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        let status = response.status();
        seen.push_str(&format!("{:?}", response.headers()));
        seen.push_str(&response.text().await.unwrap());
        assert_eq!(status, reqwest::StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
    let task = tokio::spawn(async { panic!("a task holding {PANIC_CANARY}") });
    assert!(task.await.unwrap_err().is_panic());
    std::panic::set_hook(previous);
    server.abort();

    let logs = captured.text();
    assert!(logs.contains("a request handler panicked"), "{logs}");
    assert!(
        logs.matches("a thread panicked").count() >= 2,
        "the hook logged both panics"
    );
    assert!(logs.contains("sec05_logs.rs"), "the hook says where");
    assert_absent(&logs, &seen, &[PANIC_CANARY]);
}
