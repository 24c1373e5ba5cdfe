//! Replies from someone other than the lead (issue 12), on both backends, with the
//! simulator's colleague replies synced for real: such a reply is marked on the thread page and
//! in the JSON thread; attaching its address to the lead unmarks it in every thread of that
//! lead, survives a re-sync and hides no later reply; a lead made of it shows as that person's
//! and survives re-syncs and Instantly listing (then dropping) a lead with the same address;
//! both are idempotent, audited once and need a role that triages; another client's thread
//! answers 404. The role and isolation matrices hold the routes too (`page_roles.rs`,
//! `api.rs`, `rls.rs`).

use allcampaigns::domain::{Role, TenantId, UserId};
use allcampaigns::inbox::senders::{Attachment, OwnLead};
use allcampaigns::store::{AuditFilter, DynStore};
use allcampaigns::sync::SyncOptions;
use chrono::Utc;
use instantly_sim::{Scale, TickRequest};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, Visitor, member, spawn_app};
use crate::inbox_seed::{Lead, Msg, write};
use crate::on_both_backends;
use crate::sync::{Synced, connected, whole_cycles};

on_both_backends!(
    a_colleagues_reply_is_marked_on_the_page_and_in_the_json_thread,
    attaching_unmarks_the_sender_in_every_thread_of_the_lead_and_hides_no_later_reply,
    a_new_lead_shows_as_that_person_and_outlives_resyncs_and_instantlys_own_lead,
    both_actions_are_idempotent_audited_once_and_need_a_role_that_triages,
    another_clients_thread_answers_404_and_keeps_nothing,
);

const OWNER: &str = "owner@agency.example";
const CLIENT: &str = "client@acme.example";

/// A tenant synced from the simulator after a colleague answered in one lead's thread.
struct Replied {
    s: Synced,
    app: TestApp,
    thread: String,
    /// The colleague's reply.
    message: String,
    /// As the message gives it (with capitals).
    address: String,
    name: String,
    lead_email: String,
}

async fn replied(db: TestDb, options: SyncOptions) -> Replied {
    let s = connected(db, Scale::Small, options).await;
    s.cycle().await;
    let tick = s.sim.tick(&TickRequest {
        colleague_replies: 1,
        ..Default::default()
    });
    let new = tick.workspaces[0].new_emails[0].clone();
    assert!(new.colleague);
    s.cycle().await;
    let app = spawn_app(s.db.config.clone()).await;
    member(&app, s.tenant, OWNER, Role::Owner).await;
    member(&app, s.tenant, CLIENT, Role::Client).await;
    let token = token_for(&app, OWNER).await;
    let body = thread_json(&app, &token, s.tenant, &new.thread_id).await;
    let lead_email = body["thread"]["lead_email"].as_str().unwrap().to_owned();
    let reply = message(&body, &new.id);
    let sender = &reply["sender"];
    Replied {
        address: sender["address"].as_str().unwrap().to_owned(),
        name: sender["name"].as_str().expect("the From name").to_owned(),
        thread: new.thread_id,
        message: new.id,
        lead_email,
        s,
        app,
    }
}

async fn thread_json(app: &TestApp, token: &str, tenant: TenantId, thread: &str) -> Value {
    let path = format!("/api/v1/tenants/{tenant}/threads/{thread}");
    let (status, body) = call(app, token, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn message<'a>(body: &'a Value, id: &str) -> &'a Value {
    let messages = body["messages"].as_array().unwrap();
    messages
        .iter()
        .find(|m| m["id"] == id)
        .expect("the message")
}

fn relation(body: &Value, id: &str) -> String {
    message(body, id)["sender"]["relation"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn page(visitor: &mut Visitor<'_>, path: &str) -> String {
    let response = visitor.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// A thread of another campaign with the same lead, where the colleague wrote too (written
/// as sync writes).
async fn second_thread(r: &Replied) -> String {
    let mut ours = Msg::new(r.s.tenant, "second", "second-1", 0);
    ours.received = false;
    let mut theirs = Msg::new(r.s.tenant, "second", "second-2", 30);
    theirs.from = Some(r.address.to_lowercase());
    for m in [&mut ours, &mut theirs] {
        m.lead = Some(r.lead_email.clone());
    }
    write(&r.s.store, &[ours, theirs], &[]).await;
    "second".into()
}

async fn a_colleagues_reply_is_marked_on_the_page_and_in_the_json_thread(db: TestDb) {
    let r = replied(db, whole_cycles()).await;
    let token = token_for(&r.app, OWNER).await;
    let body = thread_json(&r.app, &token, r.s.tenant, &r.thread).await;
    let reply = message(&body, &r.message);
    assert_eq!(reply["from_other"], true);
    assert_eq!(reply["sender"]["relation"], "other");
    assert_ne!(r.address.to_lowercase(), r.lead_email.to_lowercase());
    assert_eq!(
        r.address.split('@').nth(1),
        r.lead_email.split('@').nth(1),
        "a colleague at the lead's company"
    );
    for m in body["messages"].as_array().unwrap() {
        if m["id"] == r.message.as_str() {
            continue;
        }
        assert_eq!(m["from_other"], false, "only the colleague's reply: {m}");
        if m["direction"] == "received" && !m["sender"].is_null() {
            assert_eq!(m["sender"]["relation"], "lead", "{m}");
        }
    }
    let mut owner = Visitor::signed_in(&r.app, OWNER).await;
    let path = format!("/inbox/t/{}/{}?view=all", r.s.tenant, r.thread);
    let html = page(&mut owner, &path).await;
    let marked = "From someone other than the lead: ";
    assert_eq!(html.matches(marked).count(), 1, "one marked reply");
    let at = html.find(marked).unwrap();
    let note: String = html[at..].chars().take(200).collect();
    assert!(note.contains(&r.address), "its address: {note}");
    assert!(html.contains(r#"class="notice from-other" role="note""#));
    assert!(
        html.contains(r#"data-shortcut="attach""#) && html.contains(r#"data-shortcut="new-lead""#)
    );
    assert!(html.contains(&format!(r#"name="address" value="{}""#, r.address)));
    // A client representative sees the mark, not the actions.
    let mut client = Visitor::signed_in(&r.app, CLIENT).await;
    let html = page(&mut client, &path).await;
    assert_eq!(html.matches(marked).count(), 1);
    assert!(!html.contains(r#"data-shortcut="attach""#));
}

async fn attaching_unmarks_the_sender_in_every_thread_of_the_lead_and_hides_no_later_reply(
    db: TestDb,
) {
    let r = replied(db, whole_cycles()).await;
    let second = second_thread(&r).await;
    let token = token_for(&r.app, OWNER).await;
    let before = thread_json(&r.app, &token, r.s.tenant, &second).await;
    assert_eq!(relation(&before, "second-2"), "other");

    let mut owner = Visitor::signed_in(&r.app, OWNER).await;
    let path = format!("/inbox/t/{}/{}", r.s.tenant, r.thread);
    let fields = [
        ("action", "attach"),
        ("address", &*r.address),
        ("back", "view=all"),
    ];
    let response = owner.post(&format!("{path}/senders"), &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], format!("{path}?view=all"));

    let check = |body: Value, id: &str| {
        assert_eq!(relation(&body, id), "attached", "{id}");
        assert_eq!(message(&body, id)["from_other"], false);
    };
    check(
        thread_json(&r.app, &token, r.s.tenant, &r.thread).await,
        &r.message,
    );
    check(
        thread_json(&r.app, &token, r.s.tenant, &second).await,
        "second-2",
    );
    let html = page(&mut owner, &format!("{path}?view=all")).await;
    assert!(html.contains("From another address of this lead: "));
    assert!(!html.contains("From someone other than the lead") && !html.contains("data-shortcut"));

    // Sync writes the thread again, and the colleague writes once more: still the lead's,
    // and the new reply reopens the thread like any reply.
    r.s.cycle().await;
    check(
        thread_json(&r.app, &token, r.s.tenant, &r.thread).await,
        &r.message,
    );
    let tick = r.s.sim.tick(&TickRequest {
        colleague_replies: 1,
        colleague_thread: Some(r.thread.clone()),
        ..Default::default()
    });
    let later = tick.workspaces[0].new_emails[0].id.clone();
    r.s.cycle().await;
    let body = thread_json(&r.app, &token, r.s.tenant, &r.thread).await;
    check(body.clone(), &later);
    assert_eq!(body["thread"]["unread"], true);
    assert_eq!(body["thread"]["category"], "primary");
}

async fn a_new_lead_shows_as_that_person_and_outlives_resyncs_and_instantlys_own_lead(db: TestDb) {
    // Every cycle reads all leads again, so one Instantly no longer lists is marked deleted.
    let options = SyncOptions {
        reconcile_every: chrono::Duration::zero(),
        ..whole_cycles()
    };
    let r = replied(db, options).await;
    let token = token_for(&r.app, OWNER).await;
    let path = format!(
        "/api/v1/tenants/{}/threads/{}/senders",
        r.s.tenant, r.thread
    );
    let request = json!({"action": "new_lead", "address": r.address.to_uppercase()});
    let (status, body) = call(&r.app, &token, Method::POST, &path, Some(request)).await;
    assert_eq!(status, 200, "{body}");
    let reply = message(&body, &r.message);
    assert_eq!(reply["sender"]["relation"], "new_lead");
    assert_eq!(reply["sender"]["name"], r.name.as_str());
    assert_eq!(reply["from_other"], false);
    let email = r.address.to_lowercase();
    let made =
        r.s.store
            .own_lead(r.s.tenant, &email)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(made.name.as_deref(), Some(r.name.as_str()));
    assert_eq!(made.thread_id, r.thread);

    let mut owner = Visitor::signed_in(&r.app, OWNER).await;
    let html = page(&mut owner, &format!("/inbox/t/{}/{}", r.s.tenant, r.thread)).await;
    assert!(html.contains("From a lead made here: "));

    r.s.cycle().await;
    // Instantly later lists a lead with that address (as sync writes it): both stand, and
    // the reply stays that person's.
    let instantly_lead = Lead {
        tenant: r.s.tenant,
        id: "instantly-colleague".into(),
        email: email.clone(),
        first: "From".into(),
        last: "Instantly".into(),
        company: "Acme".into(),
    };
    write(&r.s.store, &[], &[instantly_lead]).await;
    let body = thread_json(&r.app, &token, r.s.tenant, &r.thread).await;
    assert_eq!(relation(&body, &r.message), "new_lead");
    // The next cycle reads every lead again and marks that one deleted: ours stays.
    r.s.cycle().await;
    let gone =
        r.s.rows(
            "SELECT instantly_id FROM leads WHERE tenant_id = $1 \
             AND instantly_id = 'instantly-colleague' AND deleted_at IS NOT NULL",
        )
        .await;
    assert_eq!(
        gone.len(),
        1,
        "sync dropped the lead Instantly no longer lists"
    );
    let kept = r.s.store.own_lead(r.s.tenant, &email).await.unwrap();
    assert_eq!(kept, Some(made));
    let body = thread_json(&r.app, &token, r.s.tenant, &r.thread).await;
    assert_eq!(relation(&body, &r.message), "new_lead");
}

async fn entries(store: &DynStore, tenant: TenantId, action: &str) -> Vec<Value> {
    let filter = AuditFilter {
        action: Some(action.into()),
        limit: 100,
        ..Default::default()
    };
    let found = store.audit_entries(tenant, &filter).await.unwrap();
    found
        .into_iter()
        .map(|e| json!({"target": e.target, "details": e.details.0, "actor": e.actor_id}))
        .collect()
}

async fn both_actions_are_idempotent_audited_once_and_need_a_role_that_triages(db: TestDb) {
    let r = replied(db, whole_cycles()).await;
    let (tenant, store) = (r.s.tenant, &r.s.store);
    let path = format!("/inbox/t/{tenant}/{}/senders", r.thread);
    let api = format!("/api/v1/tenants/{tenant}/threads/{}/senders", r.thread);
    let attach = [("action", "attach"), ("address", &*r.address)];

    // A client representative reads; acting is 403 by form and by API, and records nothing.
    let mut client = Visitor::signed_in(&r.app, CLIENT).await;
    assert_eq!(client.post(&path, &attach).await.status(), 403);
    let client_token = token_for(&r.app, CLIENT).await;
    let request = json!({"action": "new_lead", "address": r.address});
    let (status, _) = call(
        &r.app,
        &client_token,
        Method::POST,
        &api,
        Some(request.clone()),
    )
    .await;
    assert_eq!(status, 403);

    let operator = "operator@agency.example";
    let operator_id = member(&r.app, tenant, operator, Role::Operator).await;
    let mut visitor = Visitor::signed_in(&r.app, operator).await;
    for _ in 0..2 {
        assert_eq!(visitor.post(&path, &attach).await.status(), 303);
    }
    let token = token_for(&r.app, operator).await;
    for _ in 0..2 {
        let (status, body) = call(&r.app, &token, Method::POST, &api, Some(request.clone())).await;
        assert_eq!(status, 200, "{body}");
    }
    let attached = entries(store, tenant, "lead.address_attached").await;
    let address = r.address.to_lowercase();
    let lead_email = r.lead_email.to_lowercase();
    assert_eq!(
        attached,
        [json!({"target": r.thread, "actor": operator_id,
                "details": {"address": address, "lead_email": lead_email}})]
    );
    let made = entries(store, tenant, "lead.made_from_reply").await;
    assert_eq!(
        made,
        [json!({"target": r.thread, "actor": operator_id,
                "details": {"email": address, "name": r.name}})]
    );

    // Only a sender of a reply here who is not the lead, and only these two actions.
    for (action, address) in [
        ("attach", r.lead_email.as_str()),
        ("attach", "stranger@nowhere.example"),
        ("attach", "not an address\u{0}"),
        ("explode", r.address.as_str()),
    ] {
        let status = visitor
            .post(&path, &[("action", action), ("address", address)])
            .await
            .status();
        assert_eq!(status, 422, "{action} {address}");
    }
    let (status, _) = call(
        &r.app,
        &token,
        Method::POST,
        &api,
        Some(json!({"action": "attach"})),
    )
    .await;
    assert_eq!(status, 400, "an address is required");
}

async fn another_clients_thread_answers_404_and_keeps_nothing(db: TestDb) {
    let r = replied(db, whole_cycles()).await;
    let other = crate::inbox_fixture::tenant(&r.app.store, "Other").await;
    let mut theirs = Msg::new(other, "theirs", "theirs-1", 0);
    theirs.lead = Some("lead@other.example".into());
    theirs.from = Some("colleague@other.example".into());
    write(&r.app.store, &[theirs], &[]).await;
    let token = token_for(&r.app, OWNER).await;
    let mut owner = Visitor::signed_in(&r.app, OWNER).await;
    let fields = [("action", "attach"), ("address", "colleague@other.example")];
    let request = json!({"action": "new_lead", "address": "colleague@other.example"});
    // Their thread by its own client's path, and by ours.
    for tenant in [other, r.s.tenant] {
        let path = format!("/inbox/t/{tenant}/theirs/senders");
        assert_eq!(owner.post(&path, &fields).await.status(), 404, "{path}");
        let api = format!("/api/v1/tenants/{tenant}/threads/theirs/senders");
        let (status, _) = call(&r.app, &token, Method::POST, &api, Some(request.clone())).await;
        assert_eq!(status, 404, "{api}");
    }
    let path = format!("/api/v1/tenants/{other}/threads/theirs");
    assert_eq!(
        call(&r.app, &token, Method::GET, &path, None).await.0,
        StatusCode::NOT_FOUND
    );
    let kept = r.app.store.own_lead(other, "colleague@other.example").await;
    assert_eq!(kept.unwrap(), None);
}

/// One attached address and one lead made here, for the row-level security checks.
pub async fn seed_rows(store: &DynStore, tenant: TenantId, by: UserId) {
    let entry = crate::inbox::entry(by);
    let attachment = Attachment {
        lead_email: "lead@example.com".into(),
        address: "colleague@example.com".into(),
        thread_id: "x".into(),
        by,
        at: Utc::now(),
    };
    assert!(
        store
            .attach_address(tenant, &attachment, &entry)
            .await
            .unwrap()
    );
    let lead = OwnLead {
        email: "referral@example.com".into(),
        name: Some("Referral".into()),
        thread_id: "x".into(),
        created_by: Some(by),
        created_at: Utc::now(),
    };
    assert!(store.add_own_lead(tenant, &lead, &entry).await.unwrap());
}
