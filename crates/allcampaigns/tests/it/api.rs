//! The JSON API: personal access tokens, tenants and members, the role matrix, and the OpenAPI
//! document, on both backends.

use allcampaigns::domain::{Email, Role};
use allcampaigns::jobs::JobState;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dead_jobs::dead_job;
use crate::helpers::{TestApp, TestDb, Visitor, install_admin, spawn_app};

crate::on_both_backends!(
    a_token_is_shown_once_works_as_bearer_and_stops_when_revoked,
    tenants_are_created_read_updated_and_deleted_over_json,
    bad_json_is_refused_with_a_message_naming_the_problem,
    every_endpoint_gives_each_role_exactly_its_access_and_other_tenants_404,
    the_openapi_document_covers_every_endpoint,
);

/// Creates a token on the profile page for `address` and returns its value.
pub async fn token_for(app: &TestApp, address: &str) -> String {
    let mut visitor = Visitor::signed_in(app, address).await;
    let page = visitor
        .post("/profile/tokens", &[("name", "script")])
        .await
        .text()
        .await
        .unwrap();
    let start = page.find("acpat_").expect("the new token is shown");
    page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

pub async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn a_token_is_shown_once_works_as_bearer_and_stops_when_revoked(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let token = token_for(&app, "ana@example.com").await;
    assert_eq!(token.len(), "acpat_".len() + 43);
    let (status, me) = call(&app, &token, reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(
        (status, me["email"].as_str()),
        (StatusCode::OK, Some("ana@example.com"))
    );
    let mut visitor = Visitor::signed_in(&app, "ana@example.com").await;
    let profile = visitor.get("/profile").await.text().await.unwrap();
    assert!(!profile.contains(&token), "the token is never shown again");
    assert!(profile.contains(&token[token.len() - 4..]));
    let (status, body) = call(
        &app,
        "acpat_wrong",
        reqwest::Method::GET,
        "/api/v1/me",
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let no_auth = app.get("/api/v1/me").await;
    assert_eq!(
        no_auth.status(),
        401,
        "the API never redirects to a sign-in page"
    );
    let user = app
        .store
        .user_by_email(&Email::parse("ana@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    let listed = app.store.api_tokens(user.id).await.unwrap();
    assert!(listed[0].last_used_at.is_some());
    visitor
        .post(&format!("/profile/tokens/{}/revoke", listed[0].id), &[])
        .await;
    let (status, _) = call(&app, &token, reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn tenants_are_created_read_updated_and_deleted_over_json(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    install_admin(&app, "ana@example.com").await;
    let token = token_for(&app, "ana@example.com").await;
    use reqwest::Method as M;
    let (status, created) = call(
        &app,
        &token,
        M::POST,
        "/api/v1/tenants",
        Some(json!({"name": "Acme", "website": "https://acme.example"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (created["role"].as_str(), created["website"].as_str()),
        (Some("owner"), Some("https://acme.example"))
    );
    let id = created["id"].as_str().unwrap().to_string();
    let (_, list) = call(&app, &token, M::GET, "/api/v1/tenants", None).await;
    assert_eq!(list["tenants"].as_array().unwrap().len(), 1);
    let (status, bad) = call(
        &app,
        &token,
        M::PATCH,
        &format!("/api/v1/tenants/{id}"),
        Some(json!({"name": "Acme", "accent_colour": "red"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("accent_colour:"),
        "{bad}"
    );
    let (status, updated) = call(
        &app,
        &token,
        M::PATCH,
        &format!("/api/v1/tenants/{id}"),
        Some(json!({"name": "Acme Ltd"})),
    )
    .await;
    assert_eq!(
        (status, updated["name"].as_str()),
        (StatusCode::OK, Some("Acme Ltd"))
    );
    let (status, _) = call(
        &app,
        &token,
        M::DELETE,
        &format!("/api/v1/tenants/{id}?confirm_name=Acme"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        &token,
        M::DELETE,
        &format!("/api/v1/tenants/{id}?confirm_name=Acme%20Ltd"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, &token, M::GET, &format!("/api/v1/tenants/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn bad_json_is_refused_with_a_message_naming_the_problem(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let token = token_for(&app, "ana@example.com").await;
    let post = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/api/v1/tenants"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
    };
    for (body, content_type, words) in [
        ("{\"name\": ", "application/json", "not valid JSON"),
        ("{\"name\": 5}", "application/json", "expected shape"),
        (
            "name=Acme",
            "application/x-www-form-urlencoded",
            "Content-Type: application/json",
        ),
    ] {
        let response = post(body, content_type).send().await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(
            error["error"]["message"].as_str().unwrap().contains(words),
            "{error}"
        );
    }
    assert!(
        app.store
            .tenants_of_user(
                app.store
                    .user_by_email(&Email::parse("ana@example.com").unwrap())
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            )
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

/// The endpoints, and which roles may use each (in tenant A). Every one answers 404 on tenant B.
fn endpoints(
    tenant: &str,
    member: &str,
    invitation: &str,
    job: &str,
    thread: &str,
    views: [&str; 2],
    work: &LeadWork,
) -> Vec<(reqwest::Method, String, Option<Value>, [bool; 4])> {
    let [view, doomed_view] = views;
    let notes = format!("/api/v1/tenants/{tenant}/leads/{}/notes", work.lead);
    let calls = format!("/api/v1/tenants/{tenant}/leads/{}/calls", work.lead);
    let pipeline = format!("/api/v1/tenants/{tenant}/pipeline");
    let lead = format!("/api/v1/tenants/{tenant}/leads/{}", work.lead);
    let tags = format!("/api/v1/tenants/{tenant}/lead-tags");
    let settings = format!("/api/v1/tenants/{tenant}/lead-settings");
    let replies = format!("/api/v1/tenants/{tenant}/threads/{thread}/replies");
    let signature = format!("/api/v1/tenants/{tenant}/mailboxes/sender@agency.example/signature");
    let hook = format!("/api/v1/tenants/{tenant}/inbound-hook");
    let call = json!({"at": crate::lead_fixture::hours_ago(1), "duration_seconds": 60,
        "outcome": "connected"});
    use reqwest::Method as M;
    //                                                            owner  admin  operator client
    vec![
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}"),
            None,
            [true, true, true, true],
        ),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/members"),
            None,
            [true, true, true, true],
        ),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/invitations"),
            None,
            [true, true, false, false],
        ),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/audit"),
            None,
            [true, true, false, false],
        ),
        (
            M::PATCH,
            format!("/api/v1/tenants/{tenant}"),
            Some(json!({"name": "A"})),
            [true, true, false, false],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/members"),
            Some(json!({"email": "x@example.com", "role": "client"})),
            [true, true, false, false],
        ),
        (
            M::PATCH,
            format!("/api/v1/tenants/{tenant}/members/{member}"),
            Some(json!({"role": "client"})),
            [true, true, false, false],
        ),
        (
            M::DELETE,
            format!("/api/v1/tenants/{tenant}/invitations/{invitation}"),
            None,
            [true, true, false, false],
        ),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/sync"),
            None,
            [true, true, true, true],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/sync"),
            None,
            [true, true, false, false],
        ),
        // Issue 11: the Instantly link, and its deprecated old path (an empty key: 422).
        (
            M::PUT,
            format!("/api/v1/tenants/{tenant}/instantly-link"),
            Some(json!({"api_key": ""})),
            [true, true, false, false],
        ),
        (
            M::PUT,
            format!("/api/v1/tenants/{tenant}/connection"),
            Some(json!({"api_key": ""})),
            [true, true, false, false],
        ),
        // Issue 11: dead jobs, retried then cancelled (a fresh dead job for each role).
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/jobs"),
            None,
            [true, true, false, false],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/jobs/{job}/retry"),
            None,
            [true, true, false, false],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/jobs/{job}/cancel"),
            None,
            [true, true, false, false],
        ),
        // Issue 12: the inbox. Every member reads it; triage takes a role that works leads.
        (
            M::GET,
            format!("/api/v1/threads?tenant={tenant}"),
            None,
            [true, true, true, true],
        ),
        (
            M::GET,
            format!("/api/v1/threads/counts?tenant={tenant}"),
            None,
            [true, true, true, true],
        ),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/threads/{thread}"),
            None,
            [true, true, true, true],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/threads/{thread}/triage"),
            Some(json!({"action": "read"})),
            [true, true, true, false],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/triage"),
            Some(json!({"thread_ids": [thread], "action": "done"})),
            [true, true, true, false],
        ),
        // A reply from someone other than the lead: attached or made a lead by a role that
        // works leads (this thread has none, so allowed roles get 422).
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/threads/{thread}/senders"),
            Some(json!({"action": "attach", "address": "someone@else.example"})),
            [true, true, true, false],
        ),
        // Saved views shared with the client's team: made by a role that works leads; changed
        // by their maker (here the owner) or an admin. Another client's: 404.
        (
            M::POST,
            "/api/v1/views".into(),
            Some(json!({"name": "Team", "shared_with": tenant})),
            [true, true, true, false],
        ),
        (
            M::PATCH,
            format!("/api/v1/views/{view}"),
            Some(json!({"name": "Renamed"})),
            [true, true, false, false],
        ),
        (
            M::DELETE,
            format!("/api/v1/views/{doomed_view}"),
            None,
            [true, true, false, false],
        ),
        // Issue 13: notes on a lead, read and added by every member (a client's are shared);
        // a note changed by its author (here the owner) or an admin. Calls: roles that work
        // leads.
        (M::GET, notes.clone(), None, [true, true, true, true]),
        (
            M::POST,
            notes.clone(),
            Some(json!({"body": "Matrix", "shared": true})),
            [true, true, true, true],
        ),
        (
            M::GET,
            format!("{notes}/{}", work.note),
            None,
            [true, true, true, true],
        ),
        (
            M::PATCH,
            format!("{notes}/{}", work.note),
            Some(json!({"body": "Edited"})),
            [true, true, false, false],
        ),
        (
            M::DELETE,
            format!("{notes}/{}", work.doomed_note),
            None,
            [true, true, false, false],
        ),
        (M::GET, calls.clone(), None, [true, true, true, false]),
        (
            M::POST,
            calls.clone(),
            Some(call),
            [true, true, true, false],
        ),
        (
            M::GET,
            format!("{calls}/{}", work.call),
            None,
            [true, true, true, false],
        ),
        // The pipeline: read by every member, changed by owners and admins; no DELETE.
        (M::GET, pipeline.clone(), None, [true, true, true, true]),
        (
            M::POST,
            format!("{pipeline}/stages"),
            Some(json!({"name": "Matrix"})),
            [true, true, false, false],
        ),
        (
            M::PATCH,
            format!("{pipeline}/stages/{}", work.stage),
            Some(json!({"colour": "#123456"})),
            [true, true, false, false],
        ),
        // A lead's state: read by every member (a client's without owner and tags), changed
        // by roles that work leads; its timeline read by every member. Tags: read by staff,
        // managed by owners and admins; lead settings read by all, changed by them too.
        (M::GET, lead.clone(), None, [true, true, true, true]),
        (
            M::PATCH,
            lead.clone(),
            Some(json!({"value": "100", "tags": [work.tag]})),
            [true, true, true, false],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/leads/bulk"),
            Some(json!({"leads": [work.lead], "change": {"value": "100"}})),
            [true, true, true, false],
        ),
        (
            M::GET,
            format!("{lead}/timeline"),
            None,
            [true, true, true, true],
        ),
        (M::GET, tags.clone(), None, [true, true, true, false]),
        (
            M::POST,
            tags.clone(),
            Some(json!({"name": "Matrix"})),
            [true, true, false, false],
        ),
        (
            M::PATCH,
            format!("{tags}/{}", work.tag),
            Some(json!({"colour": "#123456"})),
            [true, true, false, false],
        ),
        (
            M::DELETE,
            format!("{tags}/{}", work.doomed_tag),
            None,
            [true, true, false, false],
        ),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/threads/{thread}/speed-to-reply"),
            None,
            [true, true, true, false],
        ),
        (M::GET, settings.clone(), None, [true, true, true, true]),
        (
            M::PATCH,
            settings.clone(),
            Some(json!({"currency": "EUR"})),
            [true, true, false, false],
        ),
        // Reminders on a thread: the agency's roles.
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/threads/{thread}/reminders"),
            None,
            [true, true, true, false],
        ),
        (
            M::POST,
            format!("/api/v1/tenants/{tenant}/threads/{thread}/reminders"),
            Some(json!({"at": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()})),
            [true, true, true, false],
        ),
        // Replies sent through Instantly, and the outbox: roles that work leads.
        (M::GET, replies.clone(), None, [true, true, true, false]),
        (
            M::POST,
            replies.clone(),
            Some(json!({"body": "Matrix"})),
            [true, true, true, false],
        ),
        (
            M::POST,
            format!("{replies}/{}/cancel", work.reply),
            None,
            [true, true, true, false],
        ),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/outbox"),
            None,
            [true, true, true, false],
        ),
        (M::GET, signature.clone(), None, [true, true, true, false]),
        (
            M::PUT,
            signature,
            Some(json!({"body": "Matrix"})),
            [true, true, true, false],
        ),
        // The inbound hook for Instantly's webhooks: owners and admins; its log, the agency.
        (M::POST, hook.clone(), None, [true, true, false, false]),
        (M::GET, hook.clone(), None, [true, true, false, false]),
        (
            M::GET,
            format!("/api/v1/tenants/{tenant}/inbound-events"),
            None,
            [true, true, true, false],
        ),
        (M::DELETE, hook, None, [true, true, false, false]),
        (
            M::DELETE,
            format!("/api/v1/tenants/{tenant}?confirm_name=nope"),
            None,
            [true, false, false, false],
        ),
    ]
}

/// A lead of the matrix's tenant with a shared note, a note to delete and a call.
struct LeadWork {
    lead: String,
    note: String,
    doomed_note: String,
    call: String,
    /// A stage of the tenant's pipeline (seeded).
    stage: String,
    /// A tag of the tenant, and one to delete.
    tag: String,
    doomed_tag: String,
    /// A scheduled reply in the thread.
    reply: String,
}

impl LeadWork {
    async fn seed(
        app: &TestApp,
        tenant: &str,
        by: allcampaigns::domain::UserId,
        thread: &str,
    ) -> Self {
        use crate::lead_fixture::{stored_call, stored_note, stored_tag};
        let tenant = tenant.parse().unwrap();
        let lead = format!("{thread}@lead.example");
        Self {
            stage: crate::lead_fixture::seeded_stage(&app.store, tenant).await,
            note: stored_note(&app.store, tenant, by, &lead, true).await,
            doomed_note: stored_note(&app.store, tenant, by, &lead, true).await,
            call: stored_call(&app.store, tenant, by, &lead).await,
            tag: stored_tag(&app.store, tenant, by).await,
            doomed_tag: stored_tag(&app.store, tenant, by).await,
            reply: crate::lead_fixture::stored_reply(&app.store, tenant, by, thread).await,
            lead,
        }
    }
}

async fn every_endpoint_gives_each_role_exactly_its_access_and_other_tenants_404(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    install_admin(&app, "owner@a.example").await;
    install_admin(&app, "owner@b.example").await;
    let owner_token = token_for(&app, "owner@a.example").await;
    let (_, a) = call(
        &app,
        &owner_token,
        reqwest::Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "A"})),
    )
    .await;
    let a = a["id"].as_str().unwrap().to_string();
    let b_token = token_for(&app, "owner@b.example").await;
    let (_, b) = call(
        &app,
        &b_token,
        reqwest::Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "B"})),
    )
    .await;
    let b = b["id"].as_str().unwrap().to_string();
    let target = app
        .store
        .create_user(&Email::parse("target@a.example").unwrap(), "")
        .await
        .unwrap();
    app.store
        .add_member(a.parse().unwrap(), target.id, Role::Operator)
        .await
        .unwrap();
    let b_owner = app.store.members(b.parse().unwrap()).await.unwrap()[0]
        .user_id
        .to_string();
    let a_owner = app.store.members(a.parse().unwrap()).await.unwrap()[0].user_id;
    let b_invitation = open_invitation(&app, &b, b_owner.parse().unwrap(), "open@b.example").await;
    let spare_admin = install_admin(&app, "spare@x.example").await.to_string();
    let b_job = dead_job(&app.store, b.parse().unwrap(), "failed")
        .await
        .to_string();
    crate::inbox_api::one_thread(&app.store, a.parse().unwrap(), "thread-a").await;
    crate::inbox_api::one_thread(&app.store, b.parse().unwrap(), "thread-b").await;
    let shared_view = crate::saved_views::shared_view;
    let a_view = shared_view(&app.store, a.parse().unwrap(), a_owner, "A's").await;
    let b_owner_id = b_owner.parse().unwrap();
    let b_view = shared_view(&app.store, b.parse().unwrap(), b_owner_id, "B's").await;
    let b_doomed = shared_view(&app.store, b.parse().unwrap(), b_owner_id, "B's too").await;
    let b_work = LeadWork::seed(&app, &b, b_owner_id, "thread-b").await;

    for (index, role) in Role::ALL.into_iter().enumerate() {
        let address = format!("{role}@a.example");
        let token = if role == Role::Owner {
            owner_token.clone()
        } else {
            let token = token_for(&app, &address).await;
            let user = app
                .store
                .user_by_email(&Email::parse(&address).unwrap())
                .await
                .unwrap()
                .unwrap();
            app.store
                .add_member(a.parse().unwrap(), user.id, role)
                .await
                .unwrap();
            token
        };
        let open = format!("open-{role}@a.example");
        let invitation = open_invitation(&app, &a, a_owner, &open).await;
        let job = dead_job(&app.store, a.parse().unwrap(), "failed").await;
        let target_id = target.id.to_string();
        let doomed = format!("doomed by {role}");
        let doomed = shared_view(&app.store, a.parse().unwrap(), a_owner, &doomed).await;
        let views = [a_view.as_str(), doomed.as_str()];
        let job = job.to_string();
        let work = LeadWork::seed(&app, &a, a_owner, "thread-a").await;
        let a_endpoints = endpoints(&a, &target_id, &invitation, &job, "thread-a", views, &work);
        let all = a_endpoints
            .into_iter()
            .chain(install_endpoints(&spare_admin));
        for (method, path, body, allowed) in all {
            let (status, _) = call(&app, &token, method.clone(), &path, body.clone()).await;
            let expected_denial = StatusCode::FORBIDDEN;
            if allowed[index] {
                assert!(
                    status.is_success()
                        || status == StatusCode::UNPROCESSABLE_ENTITY
                        || status == StatusCode::CONFLICT,
                    "{role} {method} {path}: {status}"
                );
            } else {
                assert_eq!(status, expected_denial, "{role} {method} {path}");
            }
        }
        let b_views = [b_view.as_str(), b_doomed.as_str()];
        let b_endpoints = endpoints(
            &b,
            &b_owner,
            &b_invitation,
            &b_job,
            "thread-b",
            b_views,
            &b_work,
        );
        for (method, path, body, _) in b_endpoints {
            let (status, body) = call(&app, &token, method.clone(), &path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{role} {method} {path}");
            assert_eq!(body["error"]["code"], "not_found");
        }
        // B's job through A's path: not found for those who may act on A's jobs.
        for action in ["retry", "cancel"] {
            let path = format!("/api/v1/tenants/{a}/jobs/{b_job}/{action}");
            let (status, _) = call(&app, &token, reqwest::Method::POST, &path, None).await;
            let expected = if index < 2 { 404 } else { 403 };
            assert_eq!(status.as_u16(), expected, "{role} {path}");
        }
    }
    let b_job = app
        .store
        .queued_job(b.parse().unwrap(), b_job.parse().unwrap())
        .await;
    assert_eq!(b_job.unwrap().unwrap().state, JobState::Dead);
    assert_eq!(
        app.store
            .tenant(b.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .name,
        "B"
    );
    app.stop().await;
}

/// Endpoints of the install, not of a tenant (security review finding 2): only install admins
/// may use them. In the matrix the owner is the only install admin, so only they pass.
fn install_endpoints(
    spare_admin: &str,
) -> Vec<(reqwest::Method, String, Option<Value>, [bool; 4])> {
    use reqwest::Method as M;
    let only_install_admins = [true, false, false, false];
    vec![
        (
            M::POST,
            "/api/v1/tenants".into(),
            Some(json!({"name": "New"})),
            only_install_admins,
        ),
        (M::GET, "/api/v1/admins".into(), None, only_install_admins),
        (
            M::POST,
            "/api/v1/admins".into(),
            Some(json!({"email": "nobody@x.example"})),
            only_install_admins,
        ),
        (
            M::DELETE,
            format!("/api/v1/admins/{spare_admin}"),
            None,
            only_install_admins,
        ),
    ]
}

/// An open client invitation to `tenant` sent by `by`, for the withdraw endpoint to act on.
async fn open_invitation(
    app: &TestApp,
    tenant: &str,
    by: allcampaigns::domain::UserId,
    address: &str,
) -> String {
    let now = chrono::Utc::now();
    let invitation = allcampaigns::store::Invitation {
        id: uuid::Uuid::now_v7(),
        email: Email::parse(address).unwrap(),
        role: Role::Client,
        token_hash: allcampaigns::auth::hash_token(address),
        invited_by: Some(by),
        created_at: now,
        expires_at: now + chrono::Duration::days(1),
    };
    let tenant = tenant.parse().unwrap();
    app.store
        .create_invitation(tenant, &invitation)
        .await
        .unwrap();
    invitation.id.to_string()
}

async fn the_openapi_document_covers_every_endpoint(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().unwrap();
    let expected: &[(&str, &[&str])] = &[
        ("/api/v1/me", &["get"]),
        ("/api/v1/tenants", &["get", "post"]),
        ("/api/v1/tenants/{tenant_id}", &["get", "patch", "delete"]),
        ("/api/v1/tenants/{tenant_id}/members", &["get", "post"]),
        (
            "/api/v1/tenants/{tenant_id}/members/{user_id}",
            &["patch", "delete"],
        ),
        ("/api/v1/tenants/{tenant_id}/invitations", &["get"]),
        (
            "/api/v1/tenants/{tenant_id}/invitations/{invitation_id}",
            &["delete"],
        ),
        ("/api/v1/admins", &["get", "post"]),
        ("/api/v1/admins/{user_id}", &["delete"]),
        ("/api/v1/tenants/{tenant_id}/audit", &["get"]),
        (
            "/api/v1/tenants/{tenant_id}/instantly-link",
            &["get", "put", "delete"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/connection",
            &["get", "put", "delete"],
        ),
        ("/api/v1/tenants/{tenant_id}/sync", &["get", "post"]),
        ("/api/v1/tenants/{tenant_id}/jobs", &["get"]),
        ("/api/v1/tenants/{tenant_id}/jobs/{job_id}/retry", &["post"]),
        (
            "/api/v1/tenants/{tenant_id}/jobs/{job_id}/cancel",
            &["post"],
        ),
        ("/api/v1/threads", &["get"]),
        ("/api/v1/threads/counts", &["get"]),
        ("/api/v1/tenants/{tenant_id}/threads/{thread_id}", &["get"]),
        (
            "/api/v1/tenants/{tenant_id}/threads/{thread_id}/triage",
            &["post"],
        ),
        ("/api/v1/tenants/{tenant_id}/triage", &["post"]),
        (
            "/api/v1/tenants/{tenant_id}/threads/{thread_id}/senders",
            &["post"],
        ),
        ("/api/v1/views", &["get", "post"]),
        ("/api/v1/views/{view_id}", &["patch", "delete"]),
        (
            "/api/v1/tenants/{tenant_id}/leads/{lead_id}/notes",
            &["get", "post"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/leads/{lead_id}/notes/{note_id}",
            &["get", "patch", "delete"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/leads/{lead_id}/calls",
            &["get", "post"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/leads/{lead_id}/calls/{call_id}",
            &["get"],
        ),
        ("/api/v1/tenants/{tenant_id}/pipeline", &["get"]),
        ("/api/v1/tenants/{tenant_id}/pipeline/stages", &["post"]),
        (
            "/api/v1/tenants/{tenant_id}/pipeline/stages/{stage_id}",
            &["patch"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/leads/{lead_id}",
            &["get", "patch"],
        ),
        ("/api/v1/tenants/{tenant_id}/leads/bulk", &["post"]),
        (
            "/api/v1/tenants/{tenant_id}/leads/{lead_id}/timeline",
            &["get"],
        ),
        ("/api/v1/tenants/{tenant_id}/lead-tags", &["get", "post"]),
        (
            "/api/v1/tenants/{tenant_id}/lead-tags/{tag_id}",
            &["patch", "delete"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/lead-settings",
            &["get", "patch"],
        ),
        ("/api/v1/leads", &["get"]),
        ("/api/v1/leads.csv", &["get"]),
        ("/api/v1/speed-to-reply", &["get"]),
        ("/api/v1/speed-to-reply/awaiting", &["get"]),
        (
            "/api/v1/tenants/{tenant_id}/threads/{thread_id}/speed-to-reply",
            &["get"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/threads/{thread_id}/replies",
            &["get", "post"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/threads/{thread_id}/replies/{reply_id}/cancel",
            &["post"],
        ),
        ("/api/v1/tenants/{tenant_id}/outbox", &["get"]),
        (
            "/api/v1/tenants/{tenant_id}/mailboxes/{email}/signature",
            &["get", "put"],
        ),
        ("/api/v1/notifications", &["get"]),
        ("/api/v1/notifications/read-all", &["post"]),
        (
            "/api/v1/tenants/{tenant_id}/notifications/{notification_id}/read",
            &["post"],
        ),
        ("/api/v1/me/notification-settings", &["get", "put"]),
        (
            "/api/v1/tenants/{tenant_id}/threads/{thread_id}/reminders",
            &["get", "post"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/threads/{thread_id}/reminders/{reminder_id}/cancel",
            &["post"],
        ),
        (
            "/api/v1/tenants/{tenant_id}/inbound-hook",
            &["get", "post", "delete"],
        ),
        ("/api/v1/tenants/{tenant_id}/inbound-events", &["get"]),
    ];
    assert_eq!(
        paths.len(),
        expected.len(),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (path, methods) in expected {
        let operations = paths.get(*path).unwrap_or_else(|| panic!("{path} missing"));
        for method in *methods {
            assert!(operations.get(*method).is_some(), "{method} {path} missing");
        }
    }
    // A path parameter is one the path names; every other parameter is a query parameter
    // (the audit filters and the delete confirmation were once documented as path parameters).
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let named = path.contains(&format!("{{{name}}}"));
                let place = if named { "path" } else { "query" };
                assert_eq!(parameter["in"], place, "{method} {path}: {name}");
            }
        }
    }
    // Issue 11: the old path of the Instantly link is an alias, documented as deprecated.
    for method in ["get", "put", "delete"] {
        let old = &paths["/api/v1/tenants/{tenant_id}/connection"][method];
        let new = &paths["/api/v1/tenants/{tenant_id}/instantly-link"][method];
        assert_eq!(old["deprecated"], true, "{method} /connection");
        assert_ne!(new["deprecated"], true, "{method} /instantly-link");
    }
    let schemes = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(schemes["scheme"], "bearer");
    for schema in [
        "TenantBody",
        "TenantInput",
        "MemberList",
        "ErrorEnvelope",
        "AuditList",
        "SyncStatus",
        "StreamStatus",
        "InstantlyLinkBody",
        "InstantlyLinkRequest",
        "JobList",
        "JobBody",
        "JobStateName",
        "ThreadList",
        "ThreadItem",
        "ThreadBody",
        "TabCounts",
        "TriageRequest",
        "BulkTriageRequest",
        "SenderRequest",
        "SenderItem",
        "NoteList",
        "NoteItem",
        "NoteRequest",
        "NoteChangeRequest",
        "AuthorItem",
        "CallList",
        "CallItem",
        "CallRequest",
        "CallOutcome",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "{schema} missing"
        );
    }
    app.stop().await;
}
