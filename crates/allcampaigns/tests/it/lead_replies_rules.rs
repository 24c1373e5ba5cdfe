//! What a reply must be and who may send one (issue 13), on both backends: each refused field
//! is a 422 naming it, a thread with nothing from the lead cannot be answered, a client
//! representative gets 403 on every outbox and signature route, and another tenant's threads
//! and replies answer 404; `send_at: business_hours` waits for the client's next opening. The role and isolation matrices hold the routes too (`api.rs`, `rls.rs`).

use allcampaigns::domain::Role;
use allcampaigns::store::TenantProfile;
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestDb, member};
use crate::lead_replies::{OWNER, replying};
use crate::on_both_backends;

on_both_backends!(
    each_refused_field_is_a_422_naming_it,
    a_client_representative_gets_403_on_every_outbox_route,
    another_tenants_threads_and_replies_answer_404,
    a_client_with_instantly_writes_off_refuses_replies_with_words,
    a_reply_sent_at_business_hours_waits_for_the_clients_next_opening,
);

const CLIENT: &str = "rep@client.example";

fn field_of(body: &Value) -> String {
    let message = body["error"]["message"].as_str().unwrap();
    message.split(':').next().unwrap().to_owned()
}

async fn each_refused_field_is_a_422_naming_it(db: TestDb) {
    let r = replying(db).await;
    let path = r.replies(r.s.tenant, &r.thread);
    let in_days = |days: i64| (Utc::now() + chrono::Duration::days(days)).to_rfc3339();
    let refusals = [
        (json!({"body": ""}), "body"),
        (json!({"body": " \n "}), "body"),
        (json!({"body": "x".repeat(10_001)}), "body"),
        (json!({"body": "a\u{0}b"}), "body"),
        (json!({"body": "Hi", "send_at": in_days(-1)}), "send_at"),
        (json!({"body": "Hi", "send_at": in_days(91)}), "send_at"),
        (json!({"body": "Hi", "send_at": "tomorrow"}), "send_at"),
    ];
    for (body, field) in refusals {
        let (status, answer) = call(&r.app, &r.token, Method::POST, &path, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_of(&answer), field, "{answer}");
    }
    let (status, _) = call(&r.app, &r.token, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(status.as_u16() / 100, 4);
    // A thread with only our own sends has nothing to answer.
    let ours = r
        .s
        .rows("SELECT thread_id FROM threads WHERE tenant_id = $1 AND received_count = 0 LIMIT 1")
        .await;
    let ours = r.replies(r.s.tenant, &ours[0]);
    let body = Some(json!({"body": "Hi"}));
    let (status, answer) = call(&r.app, &r.token, Method::POST, &ours, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_of(&answer), "thread_id");
    let ahead = r.reply(json!({"body": "Hi", "send_at": in_days(89)})).await;
    assert_eq!(ahead["state"], "scheduled");
    let outbox = format!("/api/v1/tenants/{}/outbox?state=lost", r.s.tenant);
    let (status, _) = call(&r.app, &r.token, Method::GET, &outbox, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(r.actions().await == ["lead.reply_queued"]);
}

async fn a_client_representative_gets_403_on_every_outbox_route(db: TestDb) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Hi"})).await;
    member(&r.app, r.s.tenant, CLIENT, Role::Client).await;
    let client = token_for(&r.app, CLIENT).await;
    let replies = r.replies(r.s.tenant, &r.thread);
    let cancel = format!("{replies}/{}/cancel", reply["reply_id"].as_str().unwrap());
    let outbox = format!("/api/v1/tenants/{}/outbox", r.s.tenant);
    let eaccount = reply["eaccount"].as_str().unwrap();
    let signature = format!(
        "/api/v1/tenants/{}/mailboxes/{eaccount}/signature",
        r.s.tenant
    );
    for (method, path, body) in [
        (Method::POST, replies.clone(), Some(json!({"body": "Hi"}))),
        (Method::GET, replies.clone(), None),
        (Method::POST, cancel, None),
        (Method::GET, outbox, None),
        (Method::GET, signature.clone(), None),
        (Method::PUT, signature, Some(json!({"body": "Hi"}))),
    ] {
        let (status, answer) = call(&r.app, &client, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
    }
    assert_eq!(r.now(&reply).await["state"], "scheduled");
}

async fn another_tenants_threads_and_replies_answer_404(db: TestDb) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Hi"})).await;
    let id = reply["reply_id"].as_str().unwrap();
    // B is the same owner's other client, with a thread of its own.
    let address = allcampaigns::domain::Email::parse(OWNER).unwrap();
    let owner = r.app.store.user_by_email(&address).await.unwrap();
    let owner = owner.unwrap().id;
    let profile = TenantProfile {
        name: "B".into(),
        ..Default::default()
    };
    let b = r
        .app
        .store
        .create_tenant(Some(owner), &profile)
        .await
        .unwrap()
        .id;
    crate::inbox_api::one_thread(&r.app.store, b, "thread-b").await;
    let a_thread_in_b = r.replies(b, &r.thread);
    let b_thread_in_a = r.replies(r.s.tenant, "thread-b");
    let body = Some(json!({"body": "Hi"}));
    let mut refused = vec![
        (Method::POST, a_thread_in_b.clone(), body.clone()),
        (Method::GET, a_thread_in_b.clone(), None),
        (Method::POST, format!("{a_thread_in_b}/{id}/cancel"), None),
        (Method::POST, b_thread_in_a.clone(), body),
        (Method::GET, b_thread_in_a.clone(), None),
        (Method::POST, format!("{b_thread_in_a}/{id}/cancel"), None),
    ];
    let a_replies = r.replies(r.s.tenant, &r.thread);
    for unknown in [uuid::Uuid::now_v7().to_string(), "not-an-id".into()] {
        refused.push((Method::POST, format!("{a_replies}/{unknown}/cancel"), None));
    }
    for (method, path, body) in refused {
        let (status, answer) = call(&r.app, &r.token, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "not_found");
    }
    let b_outbox = format!("/api/v1/tenants/{b}/outbox");
    let (status, listed) = call(&r.app, &r.token, Method::GET, &b_outbox, None).await;
    assert_eq!(
        (status, listed["items"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    assert_eq!(r.now(&reply).await["state"], "scheduled");
}

async fn a_client_with_instantly_writes_off_refuses_replies_with_words(db: TestDb) {
    let r = replying(db).await;
    let settings = format!("/api/v1/tenants/{}/lead-settings", r.s.tenant);
    let off = Some(json!({"instantly_writes": false}));
    let (status, _) = call(&r.app, &r.token, Method::PATCH, &settings, off).await;
    assert_eq!(status, StatusCode::OK);
    let path = r.replies(r.s.tenant, &r.thread);
    let body = Some(json!({"body": "Hi"}));
    let (status, answer) = call(&r.app, &r.token, Method::POST, &path, body.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("switched off")
    );
    assert!(r.listed().await.is_empty(), "nothing was queued");
    let on = Some(json!({"instantly_writes": true}));
    call(&r.app, &r.token, Method::PATCH, &settings, on).await;
    let (status, _) = call(&r.app, &r.token, Method::POST, &path, body).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn a_reply_sent_at_business_hours_waits_for_the_clients_next_opening(db: TestDb) {
    let r = replying(db).await;
    // The only workday is the day after tomorrow (UTC), 09:00 to 17:00: whenever the test
    // runs, the next opening is that day at 09:00.
    let day = (Utc::now() + chrono::Duration::days(2)).date_naive();
    let weekday = day.format("%a").to_string().to_lowercase();
    let settings = format!("/api/v1/tenants/{}/lead-settings", r.s.tenant);
    let hours = json!({"time_zone": "UTC", "day_starts": "09:00", "day_ends": "17:00",
                       "workdays": [weekday]});
    let (status, body) = call(&r.app, &r.token, Method::PATCH, &settings, Some(hours)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reply = r
        .reply(json!({"body": "Hi", "send_at": "business_hours"}))
        .await;
    let send_at: chrono::DateTime<Utc> = reply["send_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        send_at,
        day.and_hms_opt(9, 0, 0).unwrap().and_utc(),
        "{reply}"
    );
    assert_eq!(reply["state"], "scheduled");
}
