//! Connecting a tenant to Instantly, against the simulator over real HTTP: key checks, sealed
//! storage, only the last four characters shown (SEC-08), shared workspaces never silent, role
//! rules, a canary key that never leaks anywhere (SEC-05), and the sync status and "sync now"
//! on the page and in the API.

use std::sync::Arc;

use allcampaigns::domain::{Role, TenantId};
use allcampaigns::mail::Mailer;
use allcampaigns::store::{AuditFilter, ConnectionCheck, ConnectionStatus};
use allcampaigns::sync::{Hooks, SyncOptions, SyncWorker};
use allcampaigns::text::SyncFault;
use instantly_sim::{RunningSim, Scale, SimConfig, Simulator};
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, TestDb, Visitor, member, spawn_app};

crate::on_both_backends!(
    an_admin_connects_replaces_and_removes_a_key_and_only_its_last_four_show,
    refused_keys_and_an_unreachable_instantly_store_nothing_and_say_why,
    one_workspace_in_two_tenants_is_never_silent,
    operators_and_clients_see_the_status_but_cannot_change_it,
    the_page_and_the_api_show_each_stream_after_a_sync_and_sync_now_schedules_one,
    only_owners_and_admins_may_sync_now_and_a_refused_key_is_shown_with_what_to_do,
    finding_23_key_checks_are_limited_per_client,
);

/// Security review finding 23: every key save asks Instantly, so a client's saves are limited
/// and the server is no key-testing oracle; other clients are not held back.
async fn finding_23_key_checks_are_limited_per_client(db: TestDb) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    let other = new_client(&mut owner, "Globex").await;
    let save = format!("/t/{tenant}/connection");
    for _ in 0..allcampaigns::app::KEY_CHECKS_PER_WINDOW {
        let refused = owner.post(&save, &[("api_key", "guess")]).await;
        assert_eq!(refused.status(), 422);
    }
    let limited = owner.post(&save, &[("api_key", "guess")]).await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    let token = crate::api::token_for(&app, "owner@example.com").await;
    let (status, body) = crate::api::call(
        &app,
        &token,
        reqwest::Method::PUT,
        &format!("/api/v1/tenants/{tenant}/connection"),
        Some(serde_json::json!({"api_key": "guess"})),
    )
    .await;
    assert_eq!(
        (status.as_u16(), &body["error"]["code"]),
        (429, &serde_json::json!("rate_limited"))
    );
    let elsewhere = owner.save_instantly_key(&other, "guess").await;
    assert_eq!(elsewhere.status(), 422);
    app.stop().await;
    sim.shutdown().await;
}

pub async fn simulator() -> RunningSim {
    let config = SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: 11,
        scale: Scale::Small,
        workspaces: 2,
        rate_limits: false,
    };
    Simulator::start(config)
        .await
        .expect("the simulator starts")
}

async fn app_with(db: &TestDb, sim: &RunningSim) -> TestApp {
    let mut config = db.config.clone();
    config.instantly_url = url::Url::parse(&sim.base_url()).unwrap();
    spawn_app(config).await
}

async fn new_client(owner: &mut Visitor<'_>, name: &str) -> String {
    owner.new_client(name).await.to_string()
}

async fn an_admin_connects_replaces_and_removes_a_key_and_only_its_last_four_show(db: TestDb) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let key = sim.workspaces()[0].api_key.clone();
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    let empty = owner
        .get(&format!("/t/{tenant}/connection"))
        .await
        .text()
        .await
        .unwrap();
    assert!(empty.contains("Not connected yet"));
    let saved = owner
        .save_instantly_key(&tenant, &format!("  {key}\n"))
        .await;
    assert_eq!(saved.status(), 303);
    let page = owner
        .get(&format!("/t/{tenant}/connection"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&sim.workspaces()[0].name) && page.contains(&key[key.len() - 4..]));
    assert!(
        !page.contains(&key[..key.len() - 4]),
        "SEC-08: only the last four characters are shown"
    );
    let stored = app
        .store
        .connection(tenant.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ConnectionStatus::Connected);
    assert_eq!(
        stored.workspace_id.as_deref(),
        Some(sim.workspaces()[0].id.as_str())
    );
    assert!(!String::from_utf8_lossy(&stored.api_key_envelope).contains(&key));

    owner.save_instantly_key(&tenant, &key).await;
    owner
        .post(
            &format!("/t/{tenant}/connection/remove"),
            &[("confirm", "on")],
        )
        .await;
    assert!(
        app.store
            .connection(tenant.parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let filter = AuditFilter {
        limit: 20,
        ..Default::default()
    };
    let actions: Vec<String> = app
        .store
        .audit_entries(tenant.parse().unwrap(), &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions[..3],
        [
            "connection.key_removed",
            "connection.key_replaced",
            "connection.key_added"
        ]
    );
    app.stop().await;
    sim.shutdown().await;
}

async fn refused_keys_and_an_unreachable_instantly_store_nothing_and_say_why(db: TestDb) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    let refused = owner.save_instantly_key(&tenant, "not-a-real-key").await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Instantly refused this key")
    );
    let blank = owner.save_instantly_key(&tenant, "   ").await;
    assert_eq!(blank.status(), 422);
    sim.shutdown().await;
    let key = "sk_unreachable_0000";
    let unreachable = owner.save_instantly_key(&tenant, key).await;
    assert_eq!(unreachable.status(), 502);
    let text = unreachable.text().await.unwrap();
    assert!(
        text.contains("Could not reach Instantly") && !text.contains(key),
        "{text}"
    );
    assert!(
        app.store
            .connection(tenant.parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}

async fn one_workspace_in_two_tenants_is_never_silent(db: TestDb) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let key = sim.workspaces()[0].api_key.clone();
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let first = new_client(&mut owner, "First").await;
    let second = new_client(&mut owner, "Second").await;
    assert_eq!(owner.save_instantly_key(&first, &key).await.status(), 303);
    let again = owner.save_instantly_key(&second, &key).await;
    assert_eq!(again.status(), 409);
    let page = again.text().await.unwrap();
    assert!(
        page.contains("already connected to another client")
            && page.contains("allow_shared_workspace")
    );
    // The owner belongs to both, so the layout's client switcher lists "First"; the page's
    // own content must not name it.
    let content = &page[page.find("<main").unwrap()..];
    assert!(
        !content.contains("First"),
        "the other tenant is never named"
    );
    let forced = owner
        .post(
            &format!("/t/{second}/connection"),
            &[("api_key", &key), ("allow_shared_workspace", "on")],
        )
        .await;
    assert_eq!(forced.status(), 303);
    app.stop().await;
    sim.shutdown().await;
}

async fn operators_and_clients_see_the_status_but_cannot_change_it(db: TestDb) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let key = sim.workspaces()[0].api_key.clone();
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    owner.save_instantly_key(&tenant, &key).await;
    for role in [Role::Operator, Role::Client] {
        let address = format!("{role}@example.com");
        member(&app, tenant.parse().unwrap(), &address, role).await;
        let mut visitor = Visitor::signed_in(&app, &address).await;
        let page = visitor.get(&format!("/t/{tenant}/connection")).await;
        assert_eq!(page.status(), 200, "{role}");
        assert!(
            !page.text().await.unwrap().contains("name=\"api_key\""),
            "{role} gets no key form"
        );
        assert_eq!(
            visitor.save_instantly_key(&tenant, &key).await.status(),
            403
        );
        assert_eq!(
            visitor
                .post(
                    &format!("/t/{tenant}/connection/remove"),
                    &[("confirm", "on")]
                )
                .await
                .status(),
            403
        );
    }
    assert!(
        app.store
            .connection(tenant.parse().unwrap())
            .await
            .unwrap()
            .is_some()
    );
    app.stop().await;
    sim.shutdown().await;
}

/// A worker over the app's own store that reads whole workspaces in one cycle.
async fn whole_cycle_worker(db: &TestDb, app: &TestApp) -> SyncWorker {
    let keyring = allcampaigns::keys::load_keyring(&db.config, &app.store)
        .await
        .unwrap();
    let options = SyncOptions {
        pages_per_slice: u64::MAX,
        ..Default::default()
    };
    SyncWorker::new(
        app.store.clone(),
        Arc::new(keyring),
        instantly::BudgetConfig::unlimited(),
        options,
        Mailer::capture().0,
    )
}

/// 1234567 → "1,234,567", as the page writes counts.
fn with_separators(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

async fn page_text(visitor: &mut Visitor<'_>, path: &str) -> String {
    let response = visitor.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// A client named Acme, connected to the simulator's first workspace by `owner@example.com`.
async fn connected_client<'a>(app: &'a TestApp, sim: &RunningSim) -> (Visitor<'a>, TenantId) {
    let mut owner = Visitor::install_admin(app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    let key = sim.workspaces()[0].api_key.clone();
    let saved = owner.save_instantly_key(&tenant, &key).await;
    assert_eq!(saved.status(), 303);
    (owner, tenant.parse().unwrap())
}

async fn the_page_and_the_api_show_each_stream_after_a_sync_and_sync_now_schedules_one(db: TestDb) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let (mut owner, tenant) = connected_client(&app, &sim).await;
    let path = format!("/t/{tenant}/connection");
    let before = page_text(&mut owner, &path).await;
    assert!(
        before.contains("The first sync starts within a minute") && !before.contains("<table"),
        "{before}"
    );

    let report = whole_cycle_worker(&db, &app)
        .await
        .sync_tenant(tenant, Hooks::default())
        .await
        .expect("one cycle runs");
    assert!(report.failed().next().is_none(), "{report:?}");
    let status = allcampaigns::sync::status::tenant_status(&app.store, tenant)
        .await
        .unwrap();
    let page = page_text(&mut owner, &path).await;
    for stream in &status.streams {
        let label = match stream.stream.as_str() {
            "emails" => "Unibox messages",
            "leads" => "Leads",
            "leads_reconcile" => "Lead reconciliation",
            "campaign_analytics" => "Campaign analytics",
            _ => continue,
        };
        assert!(
            page.contains(&format!("<th scope=\"row\">{label}</th>")),
            "{label}"
        );
        if stream.stream != "leads_reconcile" {
            let stored = stream.stored.expect("a stored count");
            assert!(stored > 0, "{label} stored nothing");
            let cell = format!("<td class=\"num\">{}</td>", with_separators(stored));
            assert!(page.contains(&cell), "{label}: {cell} missing");
        }
    }
    assert!(
        page.contains("complete") && page.contains("Next run:"),
        "{page}"
    );
    assert!(!page.contains("The first sync starts"));

    let requested = owner.post(&format!("{path}/sync"), &[]).await;
    assert_eq!(requested.status(), 303);
    let back = requested.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(back, format!("{path}?notice=sync_requested"));
    let job = allcampaigns::sync::live_job(&app.store, tenant)
        .await
        .unwrap()
        .expect("a job");
    assert!(job.run_at <= chrono::Utc::now(), "{job:?}");
    assert!(
        page_text(&mut owner, &back)
            .await
            .contains("Sync requested")
    );
    let filter = AuditFilter {
        limit: 1,
        ..Default::default()
    };
    let latest = app.store.audit_entries(tenant, &filter).await.unwrap();
    assert_eq!(latest[0].action, "sync.requested");
    assert!(latest[0].actor_id.is_some());

    let token = crate::api::token_for(&app, "owner@example.com").await;
    let api = format!("/api/v1/tenants/{tenant}/sync");
    let (status_code, body) = crate::api::call(&app, &token, Method::GET, &api, None).await;
    assert_eq!(status_code, StatusCode::OK);
    let streams = body["streams"].as_array().unwrap();
    assert_eq!(streams.len(), status.streams.len());
    let emails = streams.iter().find(|s| s["stream"] == "emails").unwrap();
    assert!(emails["stored"].as_i64().unwrap() > 0, "{emails}");
    assert_eq!(emails["backfilled"], true);
    let (status_code, body) = crate::api::call(&app, &token, Method::POST, &api, None).await;
    assert_eq!(status_code, StatusCode::ACCEPTED);
    let next: chrono::DateTime<chrono::Utc> =
        body["next_run_at"].as_str().unwrap().parse().unwrap();
    assert!(next <= chrono::Utc::now());
    app.stop().await;
    sim.shutdown().await;
}

async fn only_owners_and_admins_may_sync_now_and_a_refused_key_is_shown_with_what_to_do(
    db: TestDb,
) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let (mut owner, tenant) = connected_client(&app, &sim).await;
    let path = format!("/t/{tenant}/connection");
    assert!(page_text(&mut owner, &path).await.contains("Sync now"));
    for role in [Role::Admin, Role::Operator, Role::Client] {
        let address = format!("{role}@example.com");
        member(&app, tenant, &address, role).await;
        let mut visitor = Visitor::signed_in(&app, &address).await;
        let page = page_text(&mut visitor, &path).await;
        let status = visitor.post(&format!("{path}/sync"), &[]).await.status();
        if role == Role::Admin {
            assert!(page.contains("Sync now"));
            assert_eq!(status, 303);
        } else {
            assert!(!page.contains("Sync now"), "{role} gets no button");
            assert_eq!(status, 403, "{role}");
        }
    }
    let mut stranger = Visitor::signed_in(&app, "stranger@example.com").await;
    let refused = stranger.post(&format!("{path}/sync"), &[]).await;
    assert_eq!(refused.status(), 404, "a non-member learns nothing");

    // Kept as a code, worded for the reader.
    let detail = "Instantly refused the API key. Paste a new key on the Instantly link page.";
    let check = ConnectionCheck {
        status: ConnectionStatus::NeedsAttention,
        detail: Some(SyncFault::KeyRefused.stored()),
        checked_at: chrono::Utc::now(),
    };
    app.store
        .set_connection_status(tenant, &check)
        .await
        .unwrap();
    let page = page_text(&mut owner, &path).await;
    assert!(
        page.contains("Sync has stopped")
            && page.contains(detail)
            && page.contains("role=\"alert\""),
        "{page}"
    );
    assert!(
        !page.contains("Sync now"),
        "no button while the key is refused"
    );
    let refused = owner.post(&format!("{path}/sync"), &[]).await;
    assert_eq!(refused.status(), 409);
    app.stop().await;
    sim.shutdown().await;
}
