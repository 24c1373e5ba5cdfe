//! Connecting a tenant to Instantly, against the simulator over real HTTP: key checks, sealed
//! storage, only the last four characters shown (SEC-08), shared workspaces never silent, role
//! rules, and a canary key that never leaks anywhere (SEC-05).

use allcampaigns::domain::{Email, Role};
use allcampaigns::store::{AuditFilter, ConnectionStatus};
use instantly_sim::{RunningSim, Scale, SimConfig, Simulator};

use crate::helpers::{TestApp, TestDb, Visitor, spawn_app};

crate::on_both_backends!(
    an_admin_connects_replaces_and_removes_a_key_and_only_its_last_four_show,
    refused_keys_and_an_unreachable_instantly_store_nothing_and_say_why,
    one_workspace_in_two_tenants_is_never_silent,
    operators_and_clients_see_the_status_but_cannot_change_it,
);

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
    let response = owner.post("/tenants", &[("name", name)]).await;
    response.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/t/")
        .to_string()
}

async fn an_admin_connects_replaces_and_removes_a_key_and_only_its_last_four_show(db: TestDb) {
    let sim = simulator().await;
    let app = app_with(&db, &sim).await;
    let key = sim.workspaces()[0].api_key.clone();
    let mut owner = Visitor::signed_in(&app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    let empty = owner
        .get(&format!("/t/{tenant}/connection"))
        .await
        .text()
        .await
        .unwrap();
    assert!(empty.contains("Not connected yet"));
    let saved = owner
        .post(
            &format!("/t/{tenant}/connection"),
            &[("api_key", &format!("  {key}\n"))],
        )
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

    owner
        .post(&format!("/t/{tenant}/connection"), &[("api_key", &key)])
        .await;
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
    let mut owner = Visitor::signed_in(&app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    let refused = owner
        .post(
            &format!("/t/{tenant}/connection"),
            &[("api_key", "not-a-real-key")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Instantly refused this key")
    );
    let blank = owner
        .post(&format!("/t/{tenant}/connection"), &[("api_key", "   ")])
        .await;
    assert_eq!(blank.status(), 422);
    sim.shutdown().await;
    let key = "sk_unreachable_0000";
    let unreachable = owner
        .post(&format!("/t/{tenant}/connection"), &[("api_key", key)])
        .await;
    assert_eq!(unreachable.status(), 502);
    let text = unreachable.text().await.unwrap();
    assert!(
        text.contains("could not reach Instantly") && !text.contains(key),
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
    let mut owner = Visitor::signed_in(&app, "owner@example.com").await;
    let first = new_client(&mut owner, "First").await;
    let second = new_client(&mut owner, "Second").await;
    assert_eq!(
        owner
            .post(&format!("/t/{first}/connection"), &[("api_key", &key)])
            .await
            .status(),
        303
    );
    let again = owner
        .post(&format!("/t/{second}/connection"), &[("api_key", &key)])
        .await;
    assert_eq!(again.status(), 409);
    let page = again.text().await.unwrap();
    assert!(
        page.contains("already connected to another client")
            && page.contains("allow_shared_workspace")
    );
    assert!(!page.contains("First"), "the other tenant is never named");
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
    let mut owner = Visitor::signed_in(&app, "owner@example.com").await;
    let tenant = new_client(&mut owner, "Acme").await;
    owner
        .post(&format!("/t/{tenant}/connection"), &[("api_key", &key)])
        .await;
    for role in [Role::Operator, Role::Client] {
        let address = format!("{role}@example.com");
        let user = app
            .store
            .create_user(&Email::parse(&address).unwrap(), "")
            .await
            .unwrap();
        app.store
            .add_member(tenant.parse().unwrap(), user.id, role)
            .await
            .unwrap();
        let mut visitor = Visitor::signed_in(&app, &address).await;
        let page = visitor.get(&format!("/t/{tenant}/connection")).await;
        assert_eq!(page.status(), 200, "{role}");
        assert!(
            !page.text().await.unwrap().contains("name=\"api_key\""),
            "{role} gets no key form"
        );
        assert_eq!(
            visitor
                .post(&format!("/t/{tenant}/connection"), &[("api_key", &key)])
                .await
                .status(),
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
