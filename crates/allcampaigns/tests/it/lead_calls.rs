//! Call logs on a lead (issue 13) over the JSON API, on both backends: logged and listed by
//! when the call happened; another client's lead, note and call answer 404 on every route and
//! stay unchanged (and tokens keep their limits); every change of lead work is audited once,
//! without its text. The fixture is `lead_fixture.rs`.

use allcampaigns::store::AuditFilter;
use chrono::{Duration, SubsecRound, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::lead_fixture::{calls, hours_ago, id_of, ids, notes, setup, token};
use crate::on_both_backends;

on_both_backends!(
    calls_are_logged_and_listed_by_when_they_happened,
    another_clients_lead_note_and_call_answer_404_and_stay_unchanged,
    every_change_is_audited_once_without_its_text,
    a_call_back_snoozes_the_thread_until_then_when_asked,
);

async fn calls_are_logged_and_listed_by_when_they_happened(db: TestDb) {
    let s = setup(&db).await;
    let path = calls(s.a, "lead-a");
    let earlier = json!({"at": hours_ago(5), "duration_seconds": 0, "outcome": "no_answer"});
    let (status, first) = s
        .call(&s.operator, Method::POST, &path, Some(earlier))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let back = (Utc::now() + Duration::days(2)).to_rfc3339();
    let later = json!({
        "at": hours_ago(2), "duration_seconds": 754, "outcome": "call_back",
        "notes": "Asked to call **Thursday**; see [site](https://acme.example)",
        "call_back_at": back,
    });
    let (status, second) = s.call(&s.admin, Method::POST, &path, Some(later)).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(
        (
            &second["outcome"],
            &second["duration_seconds"],
            &second["lead_email"]
        ),
        (&json!("call_back"), &json!(754), &json!("ann@acme.example"))
    );
    assert_eq!(
        second["notes_html"],
        "<p>Asked to call <strong>Thursday</strong>; see <a href=\"https://acme.example\" \
         rel=\"noopener noreferrer nofollow\">site</a></p>\n"
    );
    assert!(second["call_back_at"].is_string());
    assert_eq!(second["author"]["email"], "admin@agency.example");
    // Logged later but made earlier: listed by when the call happened.
    let late = json!({"at": hours_ago(9), "duration_seconds": 30, "outcome": "wrong_number"});
    let (_, third) = s.call(&s.owner, Method::POST, &path, Some(late)).await;
    let (status, list) = s.call(&s.operator, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let expected: Vec<String> = [&second, &first, &third]
        .iter()
        .map(|c| c["call_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids(&list, "call_id"), expected);
    assert_eq!(list["items"][1]["notes"], Value::Null);
    let (_, page) = s
        .call(&s.operator, Method::GET, &format!("{path}?limit=2"), None)
        .await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, rest) = s
        .call(
            &s.operator,
            Method::GET,
            &format!("{path}?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        [ids(&page, "call_id"), ids(&rest, "call_id")].concat(),
        expected
    );
    let one = format!("{path}/{}", expected[0]);
    let (status, shown) = s.call(&s.operator, Method::GET, &one, None).await;
    assert_eq!(
        (status, &shown["outcome"]),
        (StatusCode::OK, &json!("call_back"))
    );
    s.app.stop().await;
}

async fn another_clients_lead_note_and_call_answer_404_and_stay_unchanged(db: TestDb) {
    let s = setup(&db).await;
    let (a, b, c) = (s.a, s.b, s.c);
    let (status, note) = s
        .call(
            &s.stranger,
            Method::POST,
            &notes(c, "lead-c"),
            Some(json!({"body": "C's"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let log = json!({"at": hours_ago(1), "duration_seconds": 1, "outcome": "connected"});
    let (_, call) = s
        .call(
            &s.stranger,
            Method::POST,
            &calls(c, "lead-c"),
            Some(log.clone()),
        )
        .await;
    let (c_note, c_call) = (id_of(&note, "note_id"), id_of(&call, "call_id"));
    let a_note = id_of(
        &s.add_note(&s.owner, "lead-a", json!({"body": "A's"})).await,
        "note_id",
    );
    let edit = Some(json!({"body": "changed"}));
    let mut attempts = Vec::new();
    for (tenant, lead) in [
        (c, "lead-c"),
        (a, "lead-c"),
        (a, "cat%40c.example"),
        (b, "lead-a"),
    ] {
        let note_at = format!("{}/{c_note}", notes(tenant, lead));
        attempts.extend([
            (Method::GET, notes(tenant, lead), None),
            (
                Method::POST,
                notes(tenant, lead),
                Some(json!({"body": "planted"})),
            ),
            (Method::GET, calls(tenant, lead), None),
            (Method::POST, calls(tenant, lead), Some(log.clone())),
            (Method::GET, note_at.clone(), None),
            (Method::PATCH, note_at.clone(), edit.clone()),
            (Method::DELETE, note_at, None),
            (
                Method::GET,
                format!("{}/{c_call}", calls(tenant, lead)),
                None,
            ),
        ]);
    }
    // C's ids under A's own lead, and A's note under another of A's leads.
    attempts.extend([
        (
            Method::GET,
            format!("{}/{c_note}", notes(a, "lead-a")),
            None,
        ),
        (
            Method::PATCH,
            format!("{}/{c_note}", notes(a, "lead-a")),
            edit.clone(),
        ),
        (
            Method::DELETE,
            format!("{}/{c_note}", notes(a, "lead-a")),
            None,
        ),
        (
            Method::GET,
            format!("{}/{c_call}", calls(a, "lead-a")),
            None,
        ),
        (
            Method::PATCH,
            format!("{}/{a_note}", notes(a, "referral@acme.example")),
            edit.clone(),
        ),
        (
            Method::DELETE,
            format!("{}/{a_note}", notes(a, "referral@acme.example")),
            None,
        ),
        (
            Method::GET,
            format!("{}/not-a-uuid", notes(a, "lead-a")),
            None,
        ),
    ]);
    let b_only = token(&s.app, s.owner_id, Some(b)).await;
    for (method, path, body) in attempts {
        let (status, answer) = s.call(&s.owner, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "not_found");
        assert!(!answer.to_string().contains("C's"), "{answer}");
    }
    let (status, _) = s
        .call(&b_only, Method::GET, &notes(a, "lead-a"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a token limited to B");
    let a_only = token(&s.app, s.owner_id, Some(a)).await;
    let (status, _) = s
        .call(&a_only, Method::GET, &notes(a, "lead-a"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "a read-only token reads");
    let (status, _) = s
        .call(
            &a_only,
            Method::POST,
            &notes(a, "lead-a"),
            Some(json!({"body": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "and writes nothing");
    let c_notes = s
        .app
        .store
        .lead_notes(c, "cat@c.example", true, None, 10)
        .await
        .unwrap();
    assert_eq!(c_notes.len(), 1);
    assert_eq!(c_notes[0].body, "C's");
    let c_calls = s
        .app
        .store
        .lead_calls(c, "cat@c.example", None, 10)
        .await
        .unwrap();
    assert_eq!(c_calls.len(), 1);
    let a_notes = s
        .app
        .store
        .lead_notes(a, "ann@acme.example", true, None, 10)
        .await
        .unwrap();
    assert_eq!(a_notes.len(), 1, "nothing planted in A");
    s.app.stop().await;
}

async fn every_change_is_audited_once_without_its_text(db: TestDb) {
    let s = setup(&db).await;
    let secret = "Ann's home number is 555-0199";
    let note = s
        .add_note(&s.operator, "lead-a", json!({"body": secret}))
        .await;
    let path = format!("{}/{}", notes(s.a, "lead-a"), id_of(&note, "note_id"));
    let edit = Some(json!({"body": format!("{secret}!"), "shared": true}));
    let (status, _) = s.call(&s.operator, Method::PATCH, &path, edit).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.call(&s.operator, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let log = json!({"at": hours_ago(1), "duration_seconds": 9, "outcome": "meeting_booked",
        "notes": secret});
    let (_, call) = s
        .call(&s.operator, Method::POST, &calls(s.a, "lead-a"), Some(log))
        .await;
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let entries = s.app.store.audit_entries(s.a, &filter).await.unwrap();
    let lead_entries: Vec<_> = entries
        .iter()
        .filter(|e| e.action.starts_with("lead."))
        .collect();
    let mut actions: Vec<&str> = lead_entries.iter().map(|e| e.action.as_str()).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "lead.call_logged",
            "lead.note_added",
            "lead.note_deleted",
            "lead.note_edited"
        ]
    );
    for entry in &lead_entries {
        assert_eq!(entry.actor_id, Some(s.operator_id), "{}", entry.action);
        assert_eq!(entry.details.0["lead_email"], "ann@acme.example");
        assert!(
            entry.request_id.is_some(),
            "{}: the request's id",
            entry.action
        );
        let expected = if entry.action == "lead.call_logged" {
            &call["call_id"]
        } else {
            &note["note_id"]
        };
        assert_eq!(
            entry.target.as_deref(),
            expected.as_str(),
            "{}",
            entry.action
        );
        let text = serde_json::to_string(&entry.details.0).unwrap();
        assert!(!text.contains("555-0199"), "{}: {text}", entry.action);
    }
    let edited = lead_entries
        .iter()
        .find(|e| e.action == "lead.note_edited")
        .unwrap();
    assert_eq!(
        (
            &edited.details.0["body_changed"],
            &edited.details.0["shared"],
            &edited.details.0["was_shared"]
        ),
        (&json!(true), &json!(true), &json!(false))
    );
    s.app.stop().await;
}

async fn a_call_back_snoozes_the_thread_until_then_when_asked(db: TestDb) {
    let s = setup(&db).await;
    let path = calls(s.a, "t-A@lead.example");
    let back = (Utc::now() + Duration::days(2)).trunc_subsecs(0);
    let call = |snooze_thread: &str, call_back_at: Option<String>| {
        json!({"at": hours_ago(1), "duration_seconds": 60, "outcome": "call_back",
               "call_back_at": call_back_at, "snooze_thread": snooze_thread})
    };
    // Without a time to call back, or with another client's thread, nothing is logged.
    let (status, error) = s
        .call(&s.operator, Method::POST, &path, Some(call("t-A", None)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let later = Some(back.to_rfc3339());
    let (status, _) = s
        .call(
            &s.operator,
            Method::POST,
            &path,
            Some(call("t-C", later.clone())),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = s.call(&s.operator, Method::GET, &path, None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing logged");

    let (status, logged) = s
        .call(&s.operator, Method::POST, &path, Some(call("t-A", later)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{logged}");
    let thread = format!("/api/v1/tenants/{}/threads/t-A", s.a);
    let (_, shown) = s.call(&s.operator, Method::GET, &thread, None).await;
    let until = shown["thread"]["snoozed_until"].as_str().unwrap();
    let until: chrono::DateTime<Utc> = until.parse().unwrap();
    assert_eq!(until, back, "{shown}");
    s.app.stop().await;
}
