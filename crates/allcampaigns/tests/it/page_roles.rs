//! The role matrix of the pages: every page route of a client, for each role, answers exactly
//! that role's access; every route of another client answers 404. (The JSON API has its own
//! matrix in `api.rs`.)

use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::jobs::JobState;
use allcampaigns::store::Invitation;
use reqwest::Method;
use uuid::Uuid;

use crate::dead_jobs::dead_job;
use crate::helpers::{TestApp, TestDb, Visitor, install_admin, member};
use crate::lead_fixture::stored_reply;
use crate::notification_pages::stored_notification;

crate::on_both_backends!(
    every_page_route_gives_each_role_exactly_its_access_and_other_clients_404,
    a_client_representative_sees_the_stage_the_value_and_shared_notes_and_adds_shared_notes,
    bulk_changes_say_which_leads_changed_and_never_reach_another_client,
);

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
fn routes(
    tenant: &str,
    target: &str,
    invitee: &str,
    invitation: &str,
    job: &str,
    reply: &str,
    reminder: &str,
) -> Vec<Route> {
    let t = format!("/t/{tenant}");
    let lead = format!("/leads/t/{tenant}/{THREAD}@lead.example");
    let called_at = (chrono::Utc::now() - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let replies = format!("/inbox/t/{tenant}/{THREAD}/replies");
    let reminders = format!("/inbox/t/{tenant}/{THREAD}/reminders");
    vec![
        get(lead.clone(), EVERYONE),
        post(
            format!("{lead}/state"),
            &[("set", "value"), ("value", "12.50")],
            WORKERS,
        ),
        post(format!("{lead}/notes"), &[("body", "A note")], EVERYONE),
        post(
            format!("{lead}/calls"),
            &[
                ("minutes", "3"),
                ("outcome", "connected"),
                ("at", &called_at),
            ],
            WORKERS,
        ),
        post(replies.clone(), &[("body", "Thanks!")], WORKERS),
        post(format!("{replies}/{reply}/cancel"), &[], WORKERS),
        post(reminders.clone(), &[("quick", "week")], WORKERS),
        // The client owner's reminder: an operator may cancel only their own.
        post(format!("{reminders}/{reminder}/cancel"), &[], ADMINS),
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
        // The inbound hook: its log for the agency, making and removing it for admins.
        get(format!("{t}/webhooks"), WORKERS),
        post(format!("{t}/webhooks"), &[], ADMINS),
        post(format!("{t}/webhooks/remove"), &[("confirm", "on")], ADMINS),
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

/// The pages across clients: the leads list, speed-to-reply and the replies awaiting a first
/// touch answer everyone (a client representative's are empty, as in the API); a bulk change
/// reaches the caller's own client's lead when their role works leads, and never another
/// client's.
async fn lead_lists(visitor: &mut Visitor<'_>, role: Role, a: TenantId, b: TenantId) {
    for path in ["/leads", "/speed-to-reply", "/inbox/awaiting"] {
        assert_eq!(visitor.get(path).await.status(), 200, "{role} GET {path}");
    }
    let works = role.can_work_leads();
    for (tenant, changed) in [(a, works), (b, false)] {
        let lead = format!("{tenant}/{THREAD}@lead.example");
        let form = [("lead", lead.as_str()), ("owner", "none")];
        let response = visitor.post("/leads/bulk", &form).await;
        assert_eq!(response.status(), 200, "{role} bulk change of {tenant}");
        let said = if changed {
            "Changed 1 of 1"
        } else {
            "Changed 0 of 1"
        };
        let page = response.text().await.unwrap();
        assert!(
            page.contains(said),
            "{role} bulk change of {tenant}: {said}"
        );
    }
}

/// A waiting reminder its client's owner set from the thread's form.
async fn reminder_of(owner: &mut Visitor<'_>, app: &TestApp, tenant: TenantId) -> String {
    let path = format!("/inbox/t/{tenant}/{THREAD}/reminders");
    let set = owner.post(&path, &[("quick", "week")]).await;
    assert_eq!(set.status(), 303, "{tenant}'s owner sets a reminder");
    let reminders = app.store.thread_reminders(tenant, THREAD).await.unwrap();
    reminders[0].id.to_string()
}

/// The notifications page and "mark all read" answer everyone; marking another person's
/// notification (in the caller's client or another) answers 404 and leaves it unread.
async fn notification_pages(visitor: &mut Visitor<'_>, role: Role, others: &[(TenantId, Uuid)]) {
    assert_eq!(visitor.get("/notifications").await.status(), 200, "{role}");
    let all = visitor.post("/notifications/read-all", &[]).await;
    assert_eq!(all.status(), 303, "{role} marks all read");
    for (tenant, id) in others {
        let path = format!("/notifications/t/{tenant}/{id}/read");
        let status = visitor.post(&path, &[]).await.status();
        assert_eq!(status, 404, "{role} marks another's notification read");
    }
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
    let b_reply = stored_reply(&app.store, b, b_owner, THREAD).await;
    let b_reminder = reminder_of(&mut owner_b, &app, b).await;
    let b_notification = stored_notification(&app.store, b, b_owner).await;
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
        let reply = stored_reply(&app.store, a, a_owner, THREAD).await;
        let reminder = reminder_of(&mut owner_a, &app, a).await;
        let a_routes = routes(
            &a.to_string(),
            &target.to_string(),
            &invitee,
            &invitation,
            &job,
            &reply,
            &reminder,
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
        lead_lists(&mut visitor, role, a, b).await;
        let others = [
            (a, stored_notification(&app.store, a, target).await),
            (b, b_notification),
        ];
        notification_pages(&mut visitor, role, &others).await;
        let b_routes = routes(
            &b.to_string(),
            &b_target.to_string(),
            &invitee,
            &b_invitation,
            &b_job,
            &b_reply,
            &b_reminder,
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
    let b_reminders = app.store.thread_reminders(b, THREAD).await.unwrap();
    assert_eq!(b_reminders.len(), 1, "no reminder reached B's thread");
    assert_eq!(
        b_reminders[0].state.as_str(),
        "waiting",
        "B's is still waiting"
    );
    let b_unread = app.store.notifications(&[b], b_owner, true, 10).await;
    assert_eq!(b_unread.unwrap().len(), 1, "B's notification is unread");
    let b_job = app.store.queued_job(b, b_job.parse().unwrap()).await;
    assert_eq!(b_job.unwrap().unwrap().state, JobState::Dead);
    let b_after = app.store.tenant(b).await.unwrap().unwrap();
    assert_eq!(b_after.name, "B");
    assert_eq!(app.store.members(b).await.unwrap().len(), 2);
    let b_lead = format!("{THREAD}@lead.example");
    let b_state = app.store.lead_state(b, &b_lead).await.unwrap();
    assert_eq!(b_state.value_cents, None, "B's lead was not changed");
    let b_notes = app
        .store
        .lead_notes(b, &b_lead, true, None, 10)
        .await
        .unwrap();
    assert!(b_notes.is_empty(), "no note reached B's lead");
    let b_open = app.store.invitations(b).await.unwrap();
    assert_eq!(
        b_open.len(),
        1,
        "B's invitation was neither withdrawn nor joined by another"
    );
    app.stop().await;
}

/// The lead of each client's thread, as the lead pages name it.
fn lead_of_thread(tenant: TenantId) -> String {
    format!("/leads/t/{tenant}/{THREAD}@lead.example")
}

/// Ana (owner) works A's lead through the forms; its client representative then sees the
/// stage, the value and the shared note on the thread and the lead page, and none of the
/// internal note, the call, the tag, the owner or the reply form; the note they add is shared.
async fn a_client_representative_sees_the_stage_the_value_and_shared_notes_and_adds_shared_notes(
    db: TestDb,
) {
    let app = crate::helpers::spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@a.example").await;
    let a = client_named(&mut ana, "A").await;
    crate::inbox_api::one_thread(&app.store, a, THREAD).await;
    let ana_id = app.store.members(a).await.unwrap()[0].user_id;
    let tag = crate::lead_fixture::stored_tag(&app.store, a, ana_id).await;
    let lead = lead_of_thread(a);
    let stage = app.store.pipeline_stages(a).await.unwrap();
    let stage = match stage.first() {
        Some(stage) => stage.id.to_string(),
        None => crate::lead_fixture::seeded_stage(&app.store, a).await,
    };
    let called_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string();
    let forms: [(&str, Vec<(&str, &str)>); 6] = [
        ("state", vec![("set", "stage"), ("stage", &stage)]),
        ("state", vec![("set", "value"), ("value", "99.50")]),
        ("state", vec![("set", "tags"), ("tag", &tag)]),
        (
            "notes",
            vec![("body", "Shared: budget approved"), ("shared", "1")],
        ),
        ("notes", vec![("body", "Internal: haggle hard")]),
        (
            "calls",
            vec![
                ("minutes", "4"),
                ("outcome", "voicemail"),
                ("at", &called_at),
            ],
        ),
    ];
    for (action, form) in &forms {
        let sent = ana.post(&format!("{lead}/{action}"), form).await;
        assert_eq!(sent.status(), 303, "{action} {form:?}");
    }
    member(&app, a, "rep@a.example", Role::Client).await;
    let mut rep = Visitor::signed_in(&app, "rep@a.example").await;
    let tag_name = app.store.lead_tags(a).await.unwrap()[0].name.clone();
    for path in [format!("/inbox/t/{a}/{THREAD}?view=all"), lead.clone()] {
        let page = rep.get(&path).await.text().await.unwrap();
        for shown in ["99.50 USD", "Shared: budget approved", "lead-stage"] {
            assert!(page.contains(shown), "{path} shows {shown}");
        }
        for hidden in [
            "Internal: haggle hard",
            "Voicemail",
            tag_name.as_str(),
            "stage-form",
            "value-form",
            "owner-form",
            "call-form",
            "reply-form",
            "name=\"shared\"",
        ] {
            assert!(!page.contains(hidden), "{path} hides {hidden}");
        }
        assert!(
            page.contains("note-form"),
            "{path} lets the client add a note"
        );
    }
    let added = rep
        .post(&format!("{lead}/notes"), &[("body", "From the client")])
        .await;
    assert_eq!(added.status(), 303);
    let lead_email = format!("{THREAD}@lead.example");
    let notes = app.store.lead_notes(a, &lead_email, true, None, 10).await;
    let theirs = notes
        .unwrap()
        .into_iter()
        .find(|n| n.body == "From the client");
    assert!(
        theirs.expect("the client's note").shared,
        "a client's note is shared"
    );
    for (action, form) in &forms[..3] {
        let refused = rep.post(&format!("{lead}/{action}"), form).await;
        assert_eq!(
            refused.status(),
            403,
            "the client may not {action} {form:?}"
        );
    }
    app.stop().await;
}

/// A bulk stage change over A's two leads and B's lead (another client's, by its key) changes
/// A's, reports B's as not found, and leaves B's lead as it was; the CSV of the same filters
/// answers the session.
async fn bulk_changes_say_which_leads_changed_and_never_reach_another_client(db: TestDb) {
    let app = crate::helpers::spawn_app(db.config.clone()).await;
    let mut owner_b = Visitor::install_admin(&app, "owner@b.example").await;
    let b = client_named(&mut owner_b, "B").await;
    crate::inbox_api::one_thread(&app.store, b, THREAD).await;
    let mut ana = Visitor::install_admin(&app, "ana@a.example").await;
    let a = client_named(&mut ana, "A").await;
    crate::inbox_api::one_thread(&app.store, a, THREAD).await;
    crate::inbox_api::one_thread(&app.store, a, "second").await;
    let stage = crate::lead_fixture::seeded_stage(&app.store, a).await;
    let leads = [
        format!("{a}/{THREAD}@lead.example"),
        format!("{a}/second@lead.example"),
        format!("{b}/{THREAD}@lead.example"),
    ];
    let mut form: Vec<(&str, &str)> = leads.iter().map(|l| ("lead", l.as_str())).collect();
    form.push(("stage", &stage));
    let response = ana.post("/leads/bulk", &form).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("Changed 2 of 3"), "{page}");
    assert!(page.contains(&format!("{THREAD}@lead.example</strong>: ")));
    for lead in [
        format!("{THREAD}@lead.example"),
        "second@lead.example".into(),
    ] {
        let state = app.store.lead_state(a, &lead).await.unwrap();
        let set = state.stage.map(|(id, _, _)| id.to_string());
        assert_eq!(set.as_deref(), Some(stage.as_str()), "{lead}");
    }
    let b_state = app
        .store
        .lead_state(b, &format!("{THREAD}@lead.example"))
        .await;
    assert_eq!(b_state.unwrap().stage, None, "B's lead is as it was");
    let ana_id = app.store.members(a).await.unwrap()[0].user_id;
    let tag = crate::lead_fixture::stored_tag(&app.store, a, ana_id).await;
    let mut form: Vec<(&str, &str)> = leads[..2].iter().map(|l| ("lead", l.as_str())).collect();
    form.push(("tag", &tag));
    let tagged = ana.post("/leads/bulk", &form).await.text().await.unwrap();
    assert!(tagged.contains("Changed 2 of 2"), "{tagged}");
    let tagged = app
        .store
        .lead_state(a, "second@lead.example")
        .await
        .unwrap();
    assert_eq!(tagged.tags, [tag.parse::<uuid::Uuid>().unwrap()]);
    let csv = ana.get(&format!("/api/v1/leads.csv?tenant={a}")).await;
    assert_eq!(csv.status(), 200, "the CSV link answers the session");
    app.stop().await;
}
