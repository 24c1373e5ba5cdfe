//! The inbox's JSON API on both backends: the list shows only the clients the caller may see
//! (a tenant-limited token only its tenant), every route answers 404 for another client's
//! thread, bad parameters answer 400 naming themselves, and triage persists, is audited and
//! is refused to client representatives. The role matrix is in `api.rs`.

use allcampaigns::auth::tokens::{NewToken, issue};
use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::store::{AuditFilter, DynStore, TenantProfile};
use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, member, spawn_app};
use crate::inbox_seed::{Msg, write};
use crate::on_both_backends;

on_both_backends!(
    the_list_shows_only_visible_clients_and_names_bad_parameters,
    another_clients_thread_answers_404_on_every_route,
    triage_over_json_persists_is_audited_and_is_refused_to_clients,
    hostile_search_text_and_ids_never_fail_the_server,
);

/// One thread with a real reply in `tenant`, written as sync writes it.
pub async fn one_thread(store: &DynStore, tenant: TenantId, thread: &str) {
    let mut sent = Msg::new(tenant, thread, &format!("{thread}-1"), 0);
    sent.received = false;
    let mut reply = Msg::new(tenant, thread, &format!("{thread}-2"), 30);
    reply.body = "Здравейте, интересно ми е".into();
    reply.unread = true;
    for m in [&mut sent, &mut reply] {
        m.lead = Some(format!("{thread}@lead.example"));
    }
    write(store, &[sent, reply], &[]).await;
}

struct Setup {
    app: TestApp,
    token: String,
    me: UserId,
    tenants: [TenantId; 3],
}

/// The caller owns A and B; C belongs to someone else. Each has one thread.
async fn setup(db: &TestDb) -> Setup {
    let app = spawn_app(db.config.clone()).await;
    let token = token_for(&app, "ops@agency.example").await;
    let me = user(&app, "ops@agency.example").await;
    let stranger = app
        .store
        .create_user(&Email::parse("other@else.example").unwrap(), "")
        .await
        .unwrap()
        .id;
    let mut tenants = Vec::new();
    for (name, owner) in [("A", me), ("B", me), ("C", stranger)] {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        let tenant = app
            .store
            .create_tenant(Some(owner), &profile)
            .await
            .unwrap();
        one_thread(&app.store, tenant.id, &format!("t-{name}")).await;
        tenants.push(tenant.id);
    }
    Setup {
        app,
        token,
        me,
        tenants: [tenants[0], tenants[1], tenants[2]],
    }
}

async fn user(app: &TestApp, address: &str) -> UserId {
    let email = Email::parse(address).unwrap();
    app.store.user_by_email(&email).await.unwrap().unwrap().id
}

fn thread_ids(list: &Value) -> Vec<String> {
    let items = list["items"].as_array().expect("items");
    let mut ids: Vec<String> = items
        .iter()
        .map(|i| i["thread_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn the_list_shows_only_visible_clients_and_names_bad_parameters(db: TestDb) {
    let s = setup(&db).await;
    let get = async |path: String| call(&s.app, &s.token, Method::GET, &path, None).await;
    let (status, list) = get("/api/v1/threads".into()).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(thread_ids(&list), ["t-A", "t-B"]);
    assert_eq!(list["next_cursor"], Value::Null);
    let item = &list["items"][0];
    for field in [
        "tenant_id",
        "thread_id",
        "lead_email",
        "subject",
        "snippet",
        "last_message_at",
        "message_count",
        "unread",
        "done",
        "snoozed_until",
        "owner",
        "stage",
        "tags",
    ] {
        assert!(item.get(field).is_some(), "{field} missing: {item}");
    }
    assert_eq!(
        (item["unread"].as_bool(), item["message_count"].as_i64()),
        (Some(true), Some(2))
    );
    let (_, found) =
        get("/api/v1/threads?q=%D0%97%D0%94%D0%A0%D0%90%D0%92%D0%95%D0%99%D0%A2%D0%95".into())
            .await;
    assert_eq!(thread_ids(&found), ["t-A", "t-B"], "ЗДРАВЕЙТЕ, never C's");
    let (a, c) = (s.tenants[0], s.tenants[2]);
    let (_, only_a) = get(format!("/api/v1/threads?tenant={a}&view=all")).await;
    assert_eq!(thread_ids(&only_a), ["t-A"]);
    let (status, body) = get(format!("/api/v1/threads?tenant={c}")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    for (query, parameter) in [
        ("tenant=acme", "tenant"),
        ("view=inbox", "view"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("cursor=xyz", "cursor"),
        ("owner=someone", "owner"),
        ("unread=yes", "unread"),
        ("stage=hot", "stage"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
        ("q=%21%21", "q"),
        ("view=all&view=done", "query"),
    ] {
        let (status, body) = get(format!("/api/v1/threads?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{parameter}:")),
            "{query}: {message}"
        );
    }
    let (_, first) = get("/api/v1/threads?limit=1".into()).await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(format!("/api/v1/threads?limit=1&cursor={cursor}")).await;
    let mut both = [thread_ids(&first), thread_ids(&second)].concat();
    both.sort();
    assert_eq!(both, ["t-A", "t-B"]);
    assert_eq!(second["next_cursor"], Value::Null);
    let (status, counts) = get("/api/v1/threads/counts".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        counts["tabs"][0],
        json!({"view": "primary", "count": 2, "capped": false})
    );
    // A token limited to A lists A alone.
    let grant = NewToken {
        name: "a only".into(),
        days: 1,
        read_only: true,
        tenant_scope: Some(a),
    };
    let (_, limited) = issue(&s.app.store, s.me, &grant, chrono::Utc::now())
        .await
        .unwrap();
    let (_, listed) = call(&s.app, &limited, Method::GET, "/api/v1/threads", None).await;
    assert_eq!(thread_ids(&listed), ["t-A"]);
    s.app.stop().await;
}

async fn another_clients_thread_answers_404_on_every_route(db: TestDb) {
    let s = setup(&db).await;
    let (a, c) = (s.tenants[0], s.tenants[2]);
    let read = json!({"action": "done"});
    let attempts = [
        (
            Method::GET,
            format!("/api/v1/tenants/{c}/threads/t-C"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/tenants/{a}/threads/t-C"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/tenants/{a}/threads/t-B"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/tenants/{c}/threads/t-C/triage"),
            Some(read.clone()),
        ),
        (
            Method::POST,
            format!("/api/v1/tenants/{a}/threads/t-C/triage"),
            Some(read.clone()),
        ),
        (
            Method::POST,
            format!("/api/v1/tenants/{c}/triage"),
            Some(json!({"thread_ids": ["t-C"], "action": "done"})),
        ),
        (
            Method::POST,
            format!("/api/v1/tenants/{a}/triage"),
            Some(json!({"thread_ids": ["t-A", "t-C"], "action": "done"})),
        ),
        (Method::GET, format!("/api/v1/threads?tenant={c}"), None),
        (
            Method::GET,
            format!("/api/v1/threads/counts?tenant={c}"),
            None,
        ),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = call(&s.app, &s.token, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "not_found", "{method} {path}");
        assert!(!answer.to_string().contains("Здравейте"), "{answer}");
    }
    let now = chrono::Utc::now();
    for (tenant, thread) in [(a, "t-A"), (c, "t-C")] {
        let row = s
            .app
            .store
            .thread(tenant, thread, now)
            .await
            .unwrap()
            .unwrap();
        assert!(!row.summary.done, "{thread} unchanged");
    }
    s.app.stop().await;
}

async fn triage_over_json_persists_is_audited_and_is_refused_to_clients(db: TestDb) {
    let s = setup(&db).await;
    let a = s.tenants[0];
    let post = async |path: String, body: Value| {
        call(&s.app, &s.token, Method::POST, &path, Some(body)).await
    };
    let triage = format!("/api/v1/tenants/{a}/threads/t-A/triage");
    let (status, item) = post(triage.clone(), json!({"action": "done"})).await;
    assert_eq!(
        (status, item["done"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{item}"
    );
    let (_, primary) = call(&s.app, &s.token, Method::GET, "/api/v1/threads", None).await;
    assert_eq!(thread_ids(&primary), ["t-B"]);
    let (_, done) = call(
        &s.app,
        &s.token,
        Method::GET,
        "/api/v1/threads?view=done",
        None,
    )
    .await;
    assert_eq!(thread_ids(&done), ["t-A"]);
    let me = s.me.to_string();
    let (_, item) = post(triage.clone(), json!({"action": "assign", "owner": me})).await;
    assert_eq!(item["owner"].as_str(), Some(me.as_str()));
    let (_, mine) = call(
        &s.app,
        &s.token,
        Method::GET,
        "/api/v1/threads?view=all&owner=me",
        None,
    )
    .await;
    assert_eq!(thread_ids(&mine), ["t-A"]);
    let until = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let (_, item) = post(triage.clone(), json!({"action": "snooze", "until": until})).await;
    assert!(
        item["snoozed_until"].is_string() && item["done"] == false,
        "{item}"
    );
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let stranger = uuid::Uuid::now_v7().to_string();
    for (body, field) in [
        (json!({"action": "snooze"}), "until"),
        (json!({"action": "snooze", "until": past}), "until"),
        (
            json!({"action": "snooze", "until": "9999-12-31T00:00:00Z"}),
            "until",
        ),
        (json!({"action": "assign", "owner": stranger}), "owner"),
    ] {
        let (status, answer) = post(triage.clone(), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}:")), "{message}");
    }
    let (status, _) = post(triage.clone(), json!({"action": "explode"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let bulk = json!({"thread_ids": ["t-A"], "action": "unsnooze"});
    let (status, answer) = post(format!("/api/v1/tenants/{a}/triage"), bulk).await;
    assert_eq!(
        (status, answer["changed"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let audit = s.app.store.audit_entries(a, &filter).await.unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|e| e.target.as_deref() == Some("t-A"))
        .map(|e| e.action.as_str())
        .collect();
    for action in [
        "thread.done",
        "thread.assigned",
        "thread.snoozed",
        "thread.unsnoozed",
    ] {
        assert_eq!(
            actions.iter().filter(|x| **x == action).count(),
            1,
            "{action}: {actions:?}"
        );
    }
    let by_api = audit.iter().filter(|e| e.target.as_deref() == Some("t-A"));
    assert!(
        by_api
            .clone()
            .all(|e| e.actor_id == Some(s.me) && e.request_id.is_some())
    );
    // A client representative reads the thread but may not triage it.
    member(&s.app, a, "rep@client.example", Role::Client).await;
    let rep = token_for(&s.app, "rep@client.example").await;
    let path = format!("/api/v1/tenants/{a}/threads/t-A");
    let (status, thread) = call(&s.app, &rep, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(thread["messages"].as_array().unwrap().len(), 2);
    assert_eq!(thread["messages"][1]["direction"], "received");
    let (status, _) = call(
        &s.app,
        &rep,
        Method::POST,
        &triage,
        Some(json!({"action": "read"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    s.app.stop().await;
}

async fn hostile_search_text_and_ids_never_fail_the_server(db: TestDb) {
    let s = setup(&db).await;
    let long = "ж".repeat(3000);
    for q in [
        "\"",
        "\"\"",
        "*",
        "NEAR(a b)",
        "a AND",
        "-x",
        "x:y",
        "^x",
        "ʰ",
        "\u{301}",
        "😀 здравейте",
        "a\u{0}b",
        "'; DROP TABLE threads; --",
        "x²",
        "ﬁ",
        &long,
    ] {
        let path = format!("/api/v1/threads?view=all&q={}", urlencoding(q));
        let (status, body) = call(&s.app, &s.token, Method::GET, &path, None).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{q:?}: {status} {body}"
        );
    }
    let a = s.tenants[0];
    for (method, path) in [
        (Method::GET, format!("/api/v1/tenants/{a}/threads/t%00A")),
        (
            Method::POST,
            format!("/api/v1/tenants/{a}/threads/t%00A/triage"),
        ),
    ] {
        let body = (method == Method::POST).then(|| json!({"action": "read"}));
        let (status, _) = call(&s.app, &s.token, method, &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let bulk = json!({"thread_ids": ["t-A", "t\u{0}A"], "action": "read"});
    let (status, _) = call(
        &s.app,
        &s.token,
        Method::POST,
        &format!("/api/v1/tenants/{a}/triage"),
        Some(bulk),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &s.app,
        &s.token,
        Method::GET,
        "/api/v1/threads?campaign=c%001",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    s.app.stop().await;
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
