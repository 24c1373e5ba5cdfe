//! The role matrix of the pages: every page route of a client, for each role, answers exactly
//! that role's access; every route of another client answers 404. (The JSON API has its own
//! matrix in `api.rs`.)

use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::jobs::JobState;
use allcampaigns::store::Invitation;
use reqwest::Method;

use crate::dead_jobs::dead_job;
use crate::helpers::{TestApp, TestDb, Visitor, install_admin, member};

crate::on_both_backends!(every_page_route_gives_each_role_exactly_its_access_and_other_clients_404);

/// Which roles may use a route, in `Role::ALL` order: owner, admin, operator, client.
type Allowed = [bool; 4];
const EVERYONE: Allowed = [true, true, true, true];
const ADMINS: Allowed = [true, true, false, false];
const OWNERS: Allowed = [true, false, false, false];
/// Roles that work leads (triage the inbox).
const WORKERS: Allowed = [true, true, true, false];

struct Route {
    method: Method,
    path: String,
    form: Vec<(&'static str, String)>,
    allowed: Allowed,
}

fn get(path: String, allowed: Allowed) -> Route {
    Route {
        method: Method::GET,
        path,
        form: Vec::new(),
        allowed,
    }
}

fn post(path: String, form: &[(&'static str, &str)], allowed: Allowed) -> Route {
    Route {
        method: Method::POST,
        path,
        form: form.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        allowed,
    }
}

/// Every page route under `/t/{tenant}`. Forms are ones an allowed role could send without
/// destroying what the next role needs: a wrong confirmation name, an empty key, and a member
/// and a dead job of its own (`target`, `job`) to change, remove, retry and cancel.
fn routes(tenant: &str, target: &str, invitee: &str, invitation: &str, job: &str) -> Vec<Route> {
    let t = format!("/t/{tenant}");
    vec![
        get(t.clone(), EVERYONE),
        get(format!("{t}/connection"), EVERYONE),
        get(format!("{t}/settings"), ADMINS),
        get(format!("{t}/members"), ADMINS),
        get(format!("{t}/audit"), ADMINS),
        post(format!("{t}/settings"), &[("name", "A")], ADMINS),
        post(format!("{t}/delete"), &[("confirm_name", "nope")], OWNERS),
        post(
            format!("{t}/members"),
            &[("email", invitee), ("role", "client")],
            ADMINS,
        ),
        post(
            format!("{t}/members/{target}/role"),
            &[("role", "client")],
            ADMINS,
        ),
        post(format!("{t}/members/{target}/remove"), &[], ADMINS),
        post(
            format!("{t}/invitations/{invitation}/withdraw"),
            &[],
            ADMINS,
        ),
        post(format!("{t}/connection"), &[("api_key", "")], ADMINS),
        post(
            format!("{t}/connection/remove"),
            &[("confirm", "on")],
            ADMINS,
        ),
        post(format!("{t}/connection/sync"), &[], ADMINS),
        get(format!("{t}/jobs"), ADMINS),
        get(format!("/inbox/t/{tenant}/{THREAD}?view=all"), EVERYONE),
        get(format!("/inbox/t/{tenant}/{THREAD}?images=1"), EVERYONE),
        post(
            format!("/inbox/t/{tenant}/{THREAD}/triage"),
            &[("action", "read"), ("back", "view=all")],
            WORKERS,
        ),
        post(
            format!("/inbox/t/{tenant}/{THREAD}/presence"),
            &[("state", "viewing")],
            EVERYONE,
        ),
        post(
            format!("/inbox/t/{tenant}/{THREAD}/senders"),
            &[("action", "attach"), ("address", "someone@else.example")],
            WORKERS,
        ),
        post(format!("{t}/jobs/{job}/retry"), &[], ADMINS),
        post(
            format!("{t}/jobs/{job}/cancel"),
            &[("confirm", "on")],
            ADMINS,
        ),
    ]
}

/// The thread each client has, for the inbox routes.
const THREAD: &str = "roles-thread";

/// Routes of the install, not of a client (security review finding 2): only install admins may
/// use them. In this matrix the owner is the only install admin, so they follow `OWNERS`.
fn install_routes(spare_admin: &str) -> Vec<Route> {
    // (The inbox list answers every signed-in person; its bulk triage is checked per client
    // in `inbox_web.rs`.)
    vec![
        get("/tenants/new".into(), OWNERS),
        post("/tenants".into(), &[("name", "New")], OWNERS),
        get("/admins".into(), OWNERS),
        post("/admins".into(), &[("email", "nobody@x.example")], OWNERS),
        post(format!("/admins/{spare_admin}/revoke"), &[], OWNERS),
    ]
}

/// An open client invitation to `tenant` sent by `by`, for a withdraw route to act on.
async fn open_invitation(app: &TestApp, tenant: TenantId, by: UserId, address: &str) -> String {
    let now = chrono::Utc::now();
    let invitation = Invitation {
        id: uuid::Uuid::now_v7(),
        email: Email::parse(address).unwrap(),
        role: Role::Client,
        token_hash: allcampaigns::auth::hash_token(address),
        invited_by: Some(by),
        created_at: now,
        expires_at: now + chrono::Duration::days(1),
    };
    app.store
        .create_invitation(tenant, &invitation)
        .await
        .unwrap();
    invitation.id.to_string()
}

/// A signed image-proxy address of a loopback image, which the proxy refuses to fetch.
async fn proxied_loopback(
    app: &TestApp,
    config: &allcampaigns::config::Config,
    address: &str,
) -> String {
    let url = url::Url::parse("http://127.0.0.1:9/x.png").unwrap();
    let grant = crate::image_proxy::grant_of(app, address).await;
    crate::image_proxy::image_signer(config).proxy_path(&url, grant)
}

async fn send(visitor: &mut Visitor<'_>, route: &Route) -> reqwest::StatusCode {
    let response = if route.method == Method::GET {
        visitor.get(&route.path).await
    } else {
        let form: Vec<(&str, &str)> = route.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        visitor.post(&route.path, &form).await
    };
    response.status()
}

async fn client_named(visitor: &mut Visitor<'_>, name: &str) -> TenantId {
    let created = visitor.post("/tenants", &[("name", name)]).await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap();
    location.trim_start_matches("/t/").parse().unwrap()
}

async fn every_page_route_gives_each_role_exactly_its_access_and_other_clients_404(db: TestDb) {
    let app = crate::helpers::spawn_app(db.config.clone()).await;
    let mut owner_b = Visitor::install_admin(&app, "owner@b.example").await;
    let b = client_named(&mut owner_b, "B").await;
    let b_target = member(&app, b, "target@b.example", Role::Operator).await;
    let b_owner = app.store.members(b).await.unwrap()[0].user_id;
    let b_invitation = open_invitation(&app, b, b_owner, "invited@b.example").await;
    let b_job = dead_job(&app.store, b, "failed").await.to_string();
    crate::inbox_api::one_thread(&app.store, b, THREAD).await;
    let mut owner_a = Visitor::install_admin(&app, "owner@a.example").await;
    let a = client_named(&mut owner_a, "A").await;
    let a_owner = app.store.members(a).await.unwrap()[0].user_id;
    crate::inbox_api::one_thread(&app.store, a, THREAD).await;
    let spare_admin = install_admin(&app, "spare@x.example").await.to_string();

    for (index, role) in Role::ALL.into_iter().enumerate() {
        let mut visitor = if role == Role::Owner {
            Visitor::signed_in(&app, "owner@a.example").await
        } else {
            member(&app, a, &format!("{role}@a.example"), role).await;
            Visitor::signed_in(&app, &format!("{role}@a.example")).await
        };
        let target = member(&app, a, &format!("target-{role}@a.example"), Role::Operator).await;
        let invitee = format!("invitee-{role}@a.example");
        let invitation = open_invitation(&app, a, a_owner, &format!("open-{role}@a.example")).await;
        let job = dead_job(&app.store, a, "failed").await.to_string();
        let a_routes = routes(
            &a.to_string(),
            &target.to_string(),
            &invitee,
            &invitation,
            &job,
        );
        for route in a_routes.into_iter().chain(install_routes(&spare_admin)) {
            let status = send(&mut visitor, &route).await;
            let (method, path) = (&route.method, &route.path);
            if route.allowed[index] {
                assert!(
                    matches!(status.as_u16(), 200 | 204 | 303 | 409 | 422),
                    "{role} {method} {path}: {status}"
                );
            } else {
                assert_eq!(status, 403, "{role} {method} {path}");
            }
        }
        // The image proxy is for every person it signed an address for: past its door, a
        // signed address of loopback is refused by the egress rules (502), before any
        // connection.
        let address = if role == Role::Owner {
            "owner@a.example".to_string()
        } else {
            format!("{role}@a.example")
        };
        let image = proxied_loopback(&app, &db.config, &address).await;
        assert_eq!(
            send(&mut visitor, &get("/inbox".into(), EVERYONE)).await,
            200
        );
        let bulk = [("action", "read"), ("thread", &*format!("{a}/{THREAD}"))];
        let status = send(&mut visitor, &post("/inbox/triage".into(), &bulk, WORKERS)).await;
        let expected = if WORKERS[index] { 303 } else { 403 };
        assert_eq!(status, expected, "{role} bulk triage");
        let bulk_b = [("action", "read"), ("thread", &*format!("{b}/{THREAD}"))];
        let status = send(
            &mut visitor,
            &post("/inbox/triage".into(), &bulk_b, WORKERS),
        )
        .await;
        assert_eq!(status, 404, "{role} bulk triage of another client");
        let status = send(&mut visitor, &get(image, EVERYONE)).await;
        assert_eq!(status, 502, "{role} GET /image-proxy");
        let b_routes = routes(
            &b.to_string(),
            &b_target.to_string(),
            &invitee,
            &b_invitation,
            &b_job,
        );
        for route in b_routes {
            let status = send(&mut visitor, &route).await;
            assert_eq!(
                status, 404,
                "{role} {} {} of another client",
                route.method, route.path
            );
        }
        // B's job through A's path: not found for those who may act on A's jobs.
        for action in ["retry", "cancel"] {
            let path = format!("/t/{a}/jobs/{b_job}/{action}");
            let status = visitor.post(&path, &[("confirm", "on")]).await.status();
            let expected = if ADMINS[index] { 404 } else { 403 };
            assert_eq!(status, expected, "{role} {path}");
        }
    }
    let b_job = app.store.queued_job(b, b_job.parse().unwrap()).await;
    assert_eq!(b_job.unwrap().unwrap().state, JobState::Dead);
    let b_after = app.store.tenant(b).await.unwrap().unwrap();
    assert_eq!(b_after.name, "B");
    assert_eq!(app.store.members(b).await.unwrap().len(), 2);
    let b_open = app.store.invitations(b).await.unwrap();
    assert_eq!(
        b_open.len(),
        1,
        "B's invitation was neither withdrawn nor joined by another"
    );
    app.stop().await;
}
