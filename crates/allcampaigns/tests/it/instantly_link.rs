//! Issue 11: the Instantly key is "the Instantly link" in the API, at
//! `/api/v1/tenants/{id}/instantly-link`; the old `/connection` path answers the same.

use allcampaigns::app::{InviteLimits, failed_bearer_limit};
use allcampaigns::crypto::Keyring;
use allcampaigns::domain::TenantId;
use allcampaigns::mail::Mailer;
use allcampaigns::services::Services;
use allcampaigns::store::DynStore;
use allcampaigns::tenants::instantly::{self, LinkRequest, Linker};
use reqwest::Method;
use serde_json::json;

use crate::api::{call, token_for};
use crate::connection::simulator;
use crate::helpers::{TestDb, Visitor, spawn_app};

crate::on_both_backends!(the_new_path_and_the_deprecated_old_one_are_the_same_link);

async fn the_new_path_and_the_deprecated_old_one_are_the_same_link(db: TestDb) {
    let sim = simulator().await;
    let mut config = db.config.clone();
    config.instantly_url = url::Url::parse(&sim.base_url()).unwrap();
    let app = spawn_app(config).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let created = owner.post("/tenants", &[("name", "Acme")]).await;
    let tenant = created.headers()["location"].to_str().unwrap()[3..].to_string();
    let token = token_for(&app, "owner@example.com").await;
    let new = format!("/api/v1/tenants/{tenant}/instantly-link");
    let old = format!("/api/v1/tenants/{tenant}/connection");
    let key = sim.workspaces()[0].api_key.clone();

    let (status, _) = call(&app, &token, Method::GET, &new, None).await;
    assert_eq!(status, 404, "no link yet");
    let (status, saved) = call(
        &app,
        &token,
        Method::PUT,
        &new,
        Some(json!({"api_key": key})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["key_last4"], key[key.len() - 4..]);
    assert_eq!(saved["workspace_name"], sim.workspaces()[0].name);
    let (_, by_new) = call(&app, &token, Method::GET, &new, None).await;
    let (_, by_old) = call(&app, &token, Method::GET, &old, None).await;
    assert_eq!(by_new, saved);
    assert_eq!(by_old, saved);

    let (status, _) = call(&app, &token, Method::DELETE, &old, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, &token, Method::GET, &new, None).await;
    assert_eq!(
        status, 404,
        "removed through the old path, gone on the new one"
    );
    let (status, _) = call(
        &app,
        &token,
        Method::PUT,
        &old,
        Some(json!({"api_key": key})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(&app, &token, Method::DELETE, &new, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, &token, Method::GET, &old, None).await;
    assert_eq!(status, 404);
    app.stop().await;
    sim.shutdown().await;
}

/// Links `api_key` to `tenant` as the operator would (no person, no limits): for tests that
/// need a linked tenant without a web tier.
pub async fn link_as_operator(
    store: &DynStore,
    keyring: &Keyring,
    tenant: TenantId,
    api_key: &str,
    base_url: &str,
) {
    let (mailer, public_url) = (Mailer::Log, url::Url::parse("http://localhost").unwrap());
    let (invite_limits, key_checks) = (InviteLimits::default(), failed_bearer_limit());
    let services = Services {
        store,
        keyring,
        mailer: &mailer,
        public_url: &public_url,
        invite_limits: &invite_limits,
        key_checks: &key_checks,
        live: &allcampaigns::live::Live::new(store.clone(), Default::default()),
    };
    let request = LinkRequest {
        api_key: api_key.to_string().into(),
        base_url,
        allow_shared_workspace: false,
    };
    let linker = Linker::Operator {
        tenant,
        actor: None,
    };
    instantly::link(&services, linker, request).await.unwrap();
}
