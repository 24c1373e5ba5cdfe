//! Speed-to-reply (issue 13) on a fixed scenario worked out by hand, on both backends: a
//! client in Sofia (09:00 to 17:00, Monday to Friday) whose leads replied around the weekend
//! of 28-29 March 2026, when summer time began there (03:00 became 04:00, UTC+2 to UTC+3).
//! Calls logged at set times are the first touches; a client representative's note is none; a
//! reply that is not positive is left out; the summaries are written as the actions happen.

use allcampaigns::domain::TenantId;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::inbox_seed::{Msg, write};
use crate::lead_fixture::{Setup, setup};
use crate::lead_pipeline::stage_id;
use crate::on_both_backends;

on_both_backends!(
    speed_to_reply_counts_wall_and_business_time_across_a_weekend_and_summer_time,
    a_stage_set_by_a_person_makes_a_reply_positive_and_is_its_first_touch,
    speed_to_reply_is_the_agencys_and_other_clients_threads_are_404,
    the_reports_counts_follow_touches_and_leads_turning_negative,
    a_long_report_reads_whole_months_and_its_edge_days_alike,
);

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// A thread whose lead `thread@lead.example` replied at `replied`, with Instantly's status.
async fn replied(s: &Setup, tenant: TenantId, thread: &str, replied: &str, status: i64) -> String {
    let lead = format!("{thread}@lead.example");
    let mut sent = Msg::new(tenant, thread, &format!("{thread}-1"), 0);
    sent.received = false;
    sent.at = at(replied) - chrono::Duration::days(1);
    let mut reply = Msg::new(tenant, thread, &format!("{thread}-2"), 0);
    reply.at = at(replied);
    reply.stage = Some(status);
    let mut auto = Msg::new(tenant, thread, &format!("{thread}-0"), 0);
    auto.at = at(replied) - chrono::Duration::hours(2);
    auto.auto_reply = true;
    for m in [&mut sent, &mut reply, &mut auto] {
        m.lead = Some(lead.clone());
    }
    write(&s.app.store, &[sent, auto, reply], &[]).await;
    lead
}

async fn call_at(s: &Setup, token: &str, lead: &str, when: &str) {
    let path = format!("/api/v1/tenants/{}/leads/{lead}/calls", s.a);
    let body = json!({"at": when, "duration_seconds": 60, "outcome": "connected"});
    let (status, answer) = s.call(token, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

async fn thread_speed(
    s: &Setup,
    token: &str,
    tenant: TenantId,
    thread: &str,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/tenants/{tenant}/threads/{thread}/speed-to-reply");
    s.call(token, Method::GET, &path, None).await
}

async fn report(s: &Setup, query: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/speed-to-reply{query}");
    s.call(&s.owner, Method::GET, &path, None).await
}

async fn in_sofia(s: &Setup) {
    let path = format!("/api/v1/tenants/{}/lead-settings", s.a);
    let body = json!({"time_zone": "Europe/Sofia", "day_starts": "09:00", "day_ends": "17:00",
                      "workdays": ["mon", "tue", "wed", "thu", "fri"]});
    let (status, answer) = s.call(&s.owner, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn speed_to_reply_counts_wall_and_business_time_across_a_weekend_and_summer_time(db: TestDb) {
    let s = setup(&db).await;
    in_sofia(&s).await;
    let friday = replied(&s, s.a, "fri", "2026-03-27T16:00:00+02:00", 1).await;
    let saturday = replied(&s, s.a, "sat", "2026-03-28T11:00:00+02:00", 2).await;
    let waiting = replied(&s, s.a, "tue", "2026-03-31T10:00:00+03:00", 1).await;
    let negative = replied(&s, s.a, "neg", "2026-03-27T10:00:00+02:00", -1).await;

    // Friday 16:00 to Monday 10:30: an hour on Friday and an hour and a half on Monday.
    call_at(&s, &s.operator, &friday, "2026-03-30T10:30:00+03:00").await;
    // Saturday 11:00 to Monday 09:15: a quarter of an hour.
    call_at(&s, &s.operator, &saturday, "2026-03-30T09:15:00+03:00").await;
    call_at(&s, &s.operator, &negative, "2026-03-27T11:00:00+02:00").await;
    // A later touch leaves the first as it was; a client representative's note is no touch.
    call_at(&s, &s.admin, &friday, "2026-03-30T12:00:00+03:00").await;
    s.add_note(&s.client, &waiting, json!({"body": "Any news?"}))
        .await;

    let (status, fri) = thread_speed(&s, &s.owner, s.a, "fri").await;
    assert_eq!(status, StatusCode::OK, "{fri}");
    assert_eq!(
        fri["replied_at"],
        json!(at("2026-03-27T14:00:00Z")),
        "not the auto-reply"
    );
    assert_eq!(
        (&fri["touch_kind"], &fri["positive"]),
        (&json!("call"), &json!(true))
    );
    assert_eq!(fri["touched_by"], s.operator_id.to_string());
    assert_eq!(
        (&fri["wall_seconds"], &fri["business_seconds"]),
        (&json!(235_800), &json!(9_000))
    );
    let (_, sat) = thread_speed(&s, &s.owner, s.a, "sat").await;
    assert_eq!(
        (&sat["wall_seconds"], &sat["business_seconds"]),
        (&json!(162_900), &json!(900))
    );
    let (_, tue) = thread_speed(&s, &s.owner, s.a, "tue").await;
    assert!(tue["first_touch_at"].is_null() && tue["waiting_seconds"].as_i64().unwrap() > 0);
    let (_, neg) = thread_speed(&s, &s.owner, s.a, "neg").await;
    assert_eq!(neg["positive"], false);

    let path = format!(
        "/api/v1/speed-to-reply?tenant={}&from=2026-03-01&to=2026-04-30T00:00:00Z",
        s.a
    );
    let (status, report) = s.call(&s.owner, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let total = &report["total"];
    assert_eq!(
        (&total["replies"], &total["touched"]),
        (&json!(3), &json!(2)),
        "{report}"
    );
    // The report reads buckets: 162,900 s (45 h 15 min) and 235,800 s (65 h 30 min) are
    // beyond a day, so counted at their next hour; 900 s and 9,000 s are edges already.
    assert_eq!(
        (&total["median_seconds"], &total["p90_seconds"]),
        (&json!(165_600), &json!(237_600))
    );
    assert_eq!(
        (
            &total["median_business_seconds"],
            &total["p90_business_seconds"]
        ),
        (&json!(900), &json!(9_000))
    );
    assert_eq!(
        (&total["within_1h"], &total["within_24h"]),
        (&json!(0.0), &json!(0.0))
    );
    assert_eq!(report["clients"].as_array().unwrap().len(), 1);
    assert_eq!(report["clients"][0]["replies"], 3);
    let operators = report["operators"].as_array().unwrap();
    assert_eq!(operators.len(), 1, "{report}");
    assert_eq!(operators[0]["user_id"], s.operator_id.to_string());
    assert_eq!(operators[0]["replies"], 2);

    let path = format!("/api/v1/speed-to-reply/awaiting?tenant={}", s.a);
    let (status, awaiting) = s.call(&s.operator, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let threads: Vec<_> = awaiting["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["thread_id"].clone())
        .collect();
    assert!(threads.contains(&json!("tue")), "{awaiting}");
    assert!(!threads.contains(&json!("fri")) && !threads.contains(&json!("neg")));
    s.app.stop().await;
}

async fn a_stage_set_by_a_person_makes_a_reply_positive_and_is_its_first_touch(db: TestDb) {
    let s = setup(&db).await;
    let lead = replied(&s, s.a, "cold", "2026-11-30T10:00:00Z", 0).await;
    let (_, before) = thread_speed(&s, &s.owner, s.a, "cold").await;
    assert_eq!(before["positive"], false, "out of office is not positive");
    let interested = stage_id(&s, "Interested").await;
    let path = format!("/api/v1/tenants/{}/leads/{lead}", s.a);
    let (status, _) = s
        .call(
            &s.operator,
            Method::PATCH,
            &path,
            Some(json!({"stage": interested})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = thread_speed(&s, &s.owner, s.a, "cold").await;
    assert_eq!(
        (&after["positive"], &after["touch_kind"]),
        (&json!(true), &json!("stage"))
    );
    assert!(after["wall_seconds"].as_i64().unwrap() > 0);
    s.app.stop().await;
}

async fn speed_to_reply_is_the_agencys_and_other_clients_threads_are_404(db: TestDb) {
    let s = setup(&db).await;
    replied(&s, s.c, "other", "2026-11-30T10:00:00Z", 1).await;
    let (status, _) = thread_speed(&s, &s.owner, s.c, "other").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another client's thread");
    let (status, _) = thread_speed(&s, &s.owner, s.a, "other").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another client's thread by this client's path"
    );
    replied(&s, s.a, "mine", "2026-11-30T10:00:00Z", 1).await;
    let (status, _) = thread_speed(&s, &s.client, s.a, "mine").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a client representative");
    let (status, _) = thread_speed(&s, &s.operator, s.a, "mine").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = report(&s, &format!("?tenant={}", s.c)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for query in [
        "?from=yesterday",
        "?from=2026-01-01&to=2025-01-01",
        "?from=2024-01-01",
        "?tenant=nope",
        "?tenant=a&tenant=b",
    ] {
        let (status, body) = report(&s, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
    }
    let (status, body) = report(&s, "").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = body["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("A"), json!("B")],
        "the owner's clients, not C"
    );
    let (status, body) = s
        .call(&s.client, Method::GET, "/api/v1/speed-to-reply", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["clients"],
        json!([]),
        "a client representative's clients are left out"
    );
    s.app.stop().await;
}

async fn the_reports_counts_follow_touches_and_leads_turning_negative(db: TestDb) {
    let s = setup(&db).await;
    let first = replied(&s, s.a, "may1", "2026-05-04T10:00:00Z", 1).await;
    replied(&s, s.a, "may2", "2026-05-05T23:59:59Z", 2).await;
    let may = format!("?tenant={}&from=2026-05-01&to=2026-06-01", s.a);
    let totals = |report: &Value| {
        let t = &report["total"];
        (
            t["replies"].clone(),
            t["touched"].clone(),
            t["median_seconds"].clone(),
        )
    };
    let (status, before) = report(&s, &may).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(totals(&before), (json!(2), json!(0), json!(null)));

    call_at(&s, &s.operator, &first, "2026-05-04T10:29:31Z").await;
    let (_, touched) = report(&s, &may).await;
    assert_eq!(
        totals(&touched),
        (json!(2), json!(1), json!(1_800)),
        "{touched}"
    );
    assert_eq!(touched["total"]["within_1h"], 0.5);
    let day = format!("?tenant={}&from=2026-05-05&to=2026-05-06T00:00:00Z", s.a);
    let (_, one_day) = report(&s, &day).await;
    assert_eq!(one_day["total"]["replies"], 1, "a whole UTC day: {one_day}");

    let negative = stage_id(&s, "Not interested").await;
    let path = format!("/api/v1/tenants/{}/leads/{first}", s.a);
    let body = json!({"stage": negative});
    let (status, _) = s.call(&s.operator, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = report(&s, &may).await;
    assert_eq!(totals(&after), (json!(1), json!(0), json!(null)), "{after}");
    assert_eq!(after["operators"], json!([]));
    s.app.stop().await;
}

/// A report over months reads whole months from the month counts and its edge days from the
/// day counts: each reply is counted once, whichever it falls in, and the month counts follow
/// a day's count growing (two replies one day) and shrinking (a lead turning negative).
async fn a_long_report_reads_whole_months_and_its_edge_days_alike(db: TestDb) {
    let s = setup(&db).await;
    replied(&s, s.a, "jan31", "2026-01-31T23:00:00Z", 1).await;
    let feb = replied(&s, s.a, "feb10a", "2026-02-10T09:00:00Z", 1).await;
    replied(&s, s.a, "feb10b", "2026-02-10T15:00:00Z", 2).await;
    replied(&s, s.a, "mar15", "2026-03-15T12:00:00Z", 1).await;
    replied(&s, s.a, "apr01", "2026-04-01T00:00:00Z", 1).await;
    let count = |from: &str, to: &str| {
        let query = format!("?tenant={}&from={from}&to={to}", s.a);
        let s = &s;
        async move {
            let (status, report) = report(s, &query).await;
            assert_eq!(status, StatusCode::OK, "{report}");
            report["total"]["replies"].as_u64().unwrap()
        }
    };
    // 31 January and 1 April by day, February and March whole.
    assert_eq!(count("2026-01-31", "2026-04-02T00:00:00Z").await, 5);
    assert_eq!(count("2026-02-01", "2026-04-01T00:00:00Z").await, 3);
    assert_eq!(count("2026-02-10", "2026-02-11T00:00:00Z").await, 2);
    assert_eq!(count("2026-01-01", "2027-01-01T00:00:00Z").await, 5);
    assert_eq!(count("2026-03-16", "2026-04-01T00:00:00Z").await, 0);

    let negative = stage_id(&s, "Not interested").await;
    let path = format!("/api/v1/tenants/{}/leads/{feb}", s.a);
    let body = json!({"stage": negative});
    let (status, _) = s.call(&s.operator, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count("2026-02-01", "2026-03-01T00:00:00Z").await, 1);
    assert_eq!(count("2026-01-01", "2027-01-01T00:00:00Z").await, 4);
    assert_eq!(count("2026-02-10", "2026-02-11T00:00:00Z").await, 1);
    s.app.stop().await;
}
