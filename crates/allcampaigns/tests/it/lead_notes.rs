//! Notes on a lead (issue 13) over the JSON API, on both backends: added, listed newest first
//! in keyset pages (tied times too), edited and deleted by their author or a client admin; a
//! lead is reached by its Instantly id or any address it is known by (a lead made here, or one
//! known only from its threads); a client representative sees and adds shared notes only and
//! gets 403 on calls. Calls, isolation and the audit are in `lead_calls.rs`, hostile markdown
//! and refused input in `lead_notes_input.rs`; the role and isolation matrices hold the routes
//! too (`api.rs`, `rls.rs`, `catalogue_rls.rs`).

use allcampaigns::domain::UserId;
use allcampaigns::leads::{Note, PageCursor};
use allcampaigns::store::TenantProfile;
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::lead_fixture::{calls, hours_ago, id_of, ids, notes, setup, time};
use crate::on_both_backends;

on_both_backends!(
    notes_are_added_listed_in_pages_edited_and_deleted_by_their_author_or_an_admin,
    a_lead_is_reached_by_its_instantly_id_or_any_address_it_is_known_by,
    a_client_sees_and_adds_shared_notes_only_and_gets_403_on_calls,
    notes_with_tied_times_page_without_skipping_or_repeating,
);

async fn notes_are_added_listed_in_pages_edited_and_deleted_by_their_author_or_an_admin(
    db: TestDb,
) {
    let s = setup(&db).await;
    let note = s
        .add_note(
            &s.operator,
            "lead-a",
            json!({"body": "  Wants a **demo**\nnext week  "}),
        )
        .await;
    assert_eq!(note["lead_email"], "ann@acme.example");
    assert_eq!(note["tenant_id"], s.a.to_string());
    assert_eq!(note["body"], "Wants a **demo**\nnext week");
    assert_eq!(
        note["html"],
        "<p>Wants a <strong>demo</strong><br>\nnext week</p>\n"
    );
    assert_eq!(note["shared"], false, "internal unless marked shared");
    assert_eq!(note["author"]["user_id"], s.operator_id.to_string());
    assert_eq!(note["author"]["email"], "op@agency.example");
    let first = note["note_id"].as_str().unwrap().to_owned();
    let mut written = vec![first.clone()];
    for n in 0..3 {
        let body = json!({"body": format!("note {n}"), "shared": n == 1});
        let note = s.add_note(&s.owner, "lead-a", body).await;
        written.push(note["note_id"].as_str().unwrap().to_owned());
    }
    written.reverse();
    assert_eq!(
        s.listed(&s.operator, "lead-a").await,
        written,
        "newest first"
    );
    let path = notes(s.a, "lead-a");
    let (_, page) = s
        .call(&s.admin, Method::GET, &format!("{path}?limit=3"), None)
        .await;
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let (_, rest) = s
        .call(
            &s.admin,
            Method::GET,
            &format!("{path}?limit=3&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        [ids(&page, "note_id"), ids(&rest, "note_id")].concat(),
        written
    );
    assert_eq!(rest["next_cursor"], Value::Null);

    let own = format!("{path}/{first}");
    let (status, shown) = s.call(&s.owner, Method::GET, &own, None).await;
    assert_eq!((status, &shown["note_id"]), (StatusCode::OK, &json!(first)));
    let edit = |body: &str| Some(json!({"body": body}));
    let (status, edited) = s
        .call(&s.operator, Method::PATCH, &own, edit("Wants a *call*"))
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["html"], "<p>Wants a <em>call</em></p>\n");
    assert_eq!(edited["shared"], false);
    assert!(time(&edited["updated_at"]) > time(&edited["created_at"]));
    let (status, _) = s
        .call(&s.other_operator, Method::PATCH, &own, edit("mine"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another operator's note");
    let (status, _) = s.call(&s.other_operator, Method::DELETE, &own, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for admin in [&s.admin, &s.owner] {
        let (status, body) = s.call(admin, Method::PATCH, &own, edit("tidied")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, shared) = s
        .call(
            &s.operator,
            Method::PATCH,
            &own,
            Some(json!({"shared": true})),
        )
        .await;
    assert_eq!(
        (status, &shared["shared"], &shared["body"]),
        (StatusCode::OK, &json!(true), &json!("tidied"))
    );
    let (status, _) = s.call(&s.operator, Method::DELETE, &own, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!s.listed(&s.owner, "lead-a").await.contains(&first));
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let (status, _) = s.call(&s.owner, method.clone(), &own, edit("again")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} a deleted note");
    }
    let other = written[0].clone();
    let (status, _) = s
        .call(&s.admin, Method::DELETE, &format!("{path}/{other}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "an admin deletes any note");
    s.app.stop().await;
}

async fn a_lead_is_reached_by_its_instantly_id_or_any_address_it_is_known_by(db: TestDb) {
    let s = setup(&db).await;
    let by_id = s
        .add_note(&s.owner, "lead-a", json!({"body": "by id"}))
        .await;
    let by_address = s
        .add_note(
            &s.owner,
            "ANN%40acme.example",
            json!({"body": "by address"}),
        )
        .await;
    assert_eq!(by_address["lead_email"], "ann@acme.example");
    let both = vec![by_address["note_id"].clone(), by_id["note_id"].clone()];
    for lead in ["lead-a", "ann@acme.example", "Ann@Acme.example"] {
        let listed: Vec<Value> = s
            .listed(&s.owner, lead)
            .await
            .into_iter()
            .map(Value::from)
            .collect();
        assert_eq!(listed, both, "{lead}");
    }
    // A lead made here from a reply, and a thread's lead with no Instantly lead row.
    for (lead, key) in [
        ("referral@acme.example", "referral@acme.example"),
        ("t-A@lead.example", "t-a@lead.example"),
        ("t-a@lead.example", "t-a@lead.example"),
    ] {
        let note = s
            .add_note(&s.operator, lead, json!({"body": "hello"}))
            .await;
        assert_eq!(note["lead_email"], key, "{lead}");
        let path = calls(s.a, lead);
        let body = json!({"at": hours_ago(1), "duration_seconds": 5, "outcome": "voicemail"});
        let (status, call) = s.call(&s.operator, Method::POST, &path, Some(body)).await;
        assert_eq!(
            (status, &call["lead_email"]),
            (StatusCode::CREATED, &json!(key)),
            "{call}"
        );
    }
    for unknown in [
        "nobody@acme.example",
        "lead-zzz",
        "cat@c.example",
        "lead-c",
        "t-C@lead.example",
    ] {
        for path in [notes(s.a, unknown), calls(s.a, unknown)] {
            let (status, body) = s.call(&s.owner, Method::GET, &path, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        }
    }
    s.app.stop().await;
}

async fn a_client_sees_and_adds_shared_notes_only_and_gets_403_on_calls(db: TestDb) {
    let s = setup(&db).await;
    let internal = s
        .add_note(&s.owner, "lead-a", json!({"body": "internal"}))
        .await;
    let shared = s
        .add_note(
            &s.owner,
            "lead-a",
            json!({"body": "for the client", "shared": true}),
        )
        .await;
    let (internal, shared) = (id_of(&internal, "note_id"), id_of(&shared, "note_id"));
    assert_eq!(s.listed(&s.client, "lead-a").await, vec![shared.clone()]);
    let path = notes(s.a, "lead-a");
    let (_, seen) = s
        .call(&s.client, Method::GET, &format!("{path}/{shared}"), None)
        .await;
    assert_eq!(
        seen["author"]["email"],
        Value::Null,
        "staff addresses hidden (finding 21)"
    );
    let body = Some(json!({"body": "x"}));
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let at = format!("{path}/{internal}");
        let (status, _) = s.call(&s.client, method.clone(), &at, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} an internal note");
    }
    let mine = s
        .add_note(&s.client, "lead-a", json!({"body": "From us"}))
        .await;
    assert_eq!(
        (&mine["shared"], &mine["author"]["email"]),
        (&json!(true), &json!("rep@client.example"))
    );
    assert_eq!(mine["author"]["user_id"], s.client_id.to_string());
    s.add_note(&s.client, "lead-a", json!({"body": "also", "shared": true}))
        .await;
    let (status, _) = s
        .call(
            &s.client,
            Method::POST,
            &path,
            Some(json!({"body": "secret", "shared": false})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a client writes no internal note"
    );
    let mine = format!("{path}/{}", id_of(&mine, "note_id"));
    let (status, edited) = s
        .call(
            &s.client,
            Method::PATCH,
            &mine,
            Some(json!({"body": "Edited"})),
        )
        .await;
    assert_eq!(
        (status, &edited["body"]),
        (StatusCode::OK, &json!("Edited"))
    );
    let (status, _) = s
        .call(
            &s.client,
            Method::PATCH,
            &mine,
            Some(json!({"shared": false})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let theirs = format!("{path}/{shared}");
    for method in [Method::PATCH, Method::DELETE] {
        let (status, _) = s
            .call(&s.client, method.clone(), &theirs, body.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{method} the owner's shared note"
        );
    }
    let (status, _) = s.call(&s.client, Method::DELETE, &mine, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, call) = s
        .call(
            &s.owner,
            Method::POST,
            &calls(s.a, "lead-a"),
            Some(json!({"at": hours_ago(1), "duration_seconds": 60, "outcome": "connected"})),
        )
        .await;
    let call_path = format!("{}/{}", calls(s.a, "lead-a"), id_of(&call, "call_id"));
    let log = json!({"at": hours_ago(1), "duration_seconds": 60, "outcome": "connected"});
    for (method, path, body) in [
        (Method::GET, calls(s.a, "lead-a"), None),
        (Method::POST, calls(s.a, "lead-a"), Some(log)),
        (Method::GET, call_path, None),
    ] {
        let (status, _) = s.call(&s.client, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let (_, list) = s
        .call(&s.owner, Method::GET, &calls(s.a, "lead-a"), None)
        .await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "the client logged nothing"
    );
    s.app.stop().await;
}

/// The store's keyset: notes written in the same microsecond page by their ids, newest first,
/// none skipped or repeated, on both backends; the client's view skips internal ones.
async fn notes_with_tied_times_page_without_skipping_or_repeating(db: TestDb) {
    let store = db.store().await;
    let profile = TenantProfile {
        name: "T".into(),
        ..Default::default()
    };
    let tenant = store.create_tenant(None, &profile).await.unwrap().id;
    let at = "2026-11-30T10:00:00.123456Z".parse().unwrap();
    let mut written = Vec::new();
    for n in 0..7 {
        let id = uuid::Uuid::now_v7();
        let note = Note {
            id,
            lead_email: "ann@acme.example".into(),
            author: None,
            body: format!("{n}"),
            html: String::new(),
            shared: n % 2 == 0,
            created_at: if n < 5 { at } else { at + Duration::seconds(1) },
            updated_at: at,
        };
        let entry = crate::inbox::entry(UserId::new());
        let entry = allcampaigns::store::NewAuditEntry {
            actor: None,
            ..entry
        };
        store.insert_lead_note(tenant, &note, &entry).await.unwrap();
        written.push((note.created_at, id, note.shared));
    }
    written.sort_by_key(|(at, id, _)| std::cmp::Reverse((*at, *id)));
    for internal_too in [true, false] {
        let mut seen = Vec::new();
        let mut after: Option<PageCursor> = None;
        loop {
            let page = store
                .lead_notes(tenant, "ann@acme.example", internal_too, after.as_ref(), 2)
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(last.cursor());
            seen.extend(page.iter().map(|n| n.id));
        }
        let expected: Vec<uuid::Uuid> = written
            .iter()
            .filter(|(_, _, shared)| internal_too || *shared)
            .map(|(_, id, _)| *id)
            .collect();
        assert_eq!(seen, expected, "internal too: {internal_too}");
    }
}
