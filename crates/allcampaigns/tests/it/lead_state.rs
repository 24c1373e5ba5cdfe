//! A lead's stage, value, owner and tags, the client's tags and lead settings, and the lead's
//! timeline (issue 13) over the JSON API, on both backends: each change lands on the timeline
//! with who, when, from and to; Instantly's status changes land there too, and a person's stage
//! wins over them (the conflict rule of docs/ARCHITECTURE.md); a client representative sees
//! stage and value only; refused input names its field. The fixture is `lead_fixture.rs`.

use allcampaigns::domain::TenantId;
use allcampaigns::store::{DynStore, StreamState, Table, Write};
use allcampaigns::sync::rows;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::lead_fixture::{Setup, hours_ago, setup};
use crate::lead_pipeline::stage_id;
use crate::on_both_backends;

on_both_backends!(
    a_lead_is_staged_valued_owned_and_tagged_and_each_change_is_on_its_timeline,
    a_persons_stage_wins_over_instantlys_later_status_and_the_timeline_shows_both,
    refused_lead_input_names_the_field,
    a_client_representative_sees_stage_value_and_shared_work_only,
    the_timeline_pages_without_gaps_or_repeats,
    a_deleted_tag_leaves_its_leads_and_its_name_in_their_history,
    labels_are_suggested_by_local_rules_and_never_applied_by_themselves,
    a_bulk_change_applies_to_each_lead_and_a_refused_field_changes_none,
);

const THREAD_LEAD: &str = "t-A@lead.example";

fn lead(tenant: TenantId, lead: &str) -> String {
    format!("/api/v1/tenants/{tenant}/leads/{lead}")
}

impl Setup {
    async fn patch_lead(&self, token: &str, lead_id: &str, body: Value) -> (StatusCode, Value) {
        self.call(token, Method::PATCH, &lead(self.a, lead_id), Some(body))
            .await
    }

    async fn add_tag(&self, name: &str) -> String {
        let path = format!("/api/v1/tenants/{}/lead-tags", self.a);
        let body = json!({"name": name, "colour": "#F97316"});
        let (status, tag) = self
            .call(&self.owner, Method::POST, &path, Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{tag}");
        assert_eq!(tag["colour"], "#f97316");
        tag["tag_id"].as_str().unwrap().to_owned()
    }

    async fn timeline(&self, token: &str, lead_id: &str, query: &str) -> Value {
        let path = format!("{}/timeline{query}", lead(self.a, lead_id));
        let (status, page) = self.call(token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page
    }
}

/// The changes on a timeline page as `field: from_label -> to_label`, newest first.
fn changes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "change")
        .map(|e| {
            let c = &e["change"];
            // An owner by whether there is one: names are the fixture's, not the test's.
            let owner = c["field"] == "owner";
            let label = |v: &Value| match v.as_str() {
                Some(_) if owner => "someone".to_owned(),
                Some(text) => text.to_owned(),
                None => "-".to_owned(),
            };
            format!(
                "{}: {} -> {}",
                c["field"].as_str().unwrap(),
                label(&c["from_label"]),
                label(&c["to_label"])
            )
        })
        .collect()
}

fn kinds(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Writes the Instantly lead `id` as a sync page would, with this interest status.
pub async fn synced_status(store: &DynStore, tenant: TenantId, id: &str, email: &str, status: i64) {
    let lead: instantly::Lead = serde_json::from_value(json!({
        "id": id, "email": email, "organization": "org", "status": 1,
        "timestamp_created": "2026-11-01T08:00:00.000Z",
        "timestamp_updated": chrono::Utc::now(),
        "timestamp_last_interest_change": chrono::Utc::now(),
        "lt_interest_status": status,
        "email_open_count": 0, "email_reply_count": 1, "email_click_count": 0,
        "company_domain": "example.com", "status_summary": {},
    }))
    .unwrap();
    let writes = [Write::Upsert {
        table: Table::Leads,
        rows: json!([rows::lead(&lead)]),
    }];
    let state = StreamState::new("leads");
    store.apply(tenant, None, &writes, &state).await.unwrap();
}

async fn a_lead_is_staged_valued_owned_and_tagged_and_each_change_is_on_its_timeline(db: TestDb) {
    let s = setup(&db).await;
    let hot = s.add_tag("Hot").await;
    let budget = s.add_tag("Budget").await;
    let settings = format!("/api/v1/tenants/{}/lead-settings", s.a);
    let (status, body) = s
        .call(
            &s.owner,
            Method::PATCH,
            &settings,
            Some(json!({"currency": "eur"})),
        )
        .await;
    assert_eq!((status, &body["currency"]), (StatusCode::OK, &json!("EUR")));
    let booked = stage_id(&s, "Meeting booked").await;
    let (status, state) = s
        .patch_lead(
            &s.operator,
            THREAD_LEAD,
            json!({"stage": booked, "value": 1250.5, "owner": s.operator_id.to_string(),
                   "tags": [hot, hot]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["lead_email"], "t-a@lead.example");
    assert_eq!(state["stage"]["name"], "Meeting booked");
    assert_eq!(state["stage_source"], "person");
    assert_eq!(
        (&state["value"], &state["currency"]),
        (&json!("1250.50"), &json!("EUR"))
    );
    assert_eq!(state["owner"]["user_id"], s.operator_id.to_string());
    assert_eq!(state["tags"][0]["name"], "Hot");
    assert_eq!(
        state["tags"].as_array().unwrap().len(),
        1,
        "a tag given twice is one"
    );

    let body = json!({"tags": [budget], "value": null, "owner": null});
    let (status, state) = s.patch_lead(&s.admin, THREAD_LEAD, body).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert!(state["value"].is_null() && state["owner"].is_null());
    let (_, shown) = s
        .call(&s.owner, Method::GET, &lead(s.a, THREAD_LEAD), None)
        .await;
    assert_eq!(shown["tags"][0]["name"], "Budget");
    assert_eq!(shown["threads"][0]["thread_id"], "t-A", "{shown}");
    assert_eq!(shown["threads"][0]["message_count"], 2);
    assert_eq!(
        shown["records"],
        json!([]),
        "no Instantly record of a thread's lead"
    );
    let (_, ann) = s
        .call(&s.client, Method::GET, &lead(s.a, "ann@acme.example"), None)
        .await;
    let record = &ann["records"][0];
    assert_eq!(record["instantly_id"], "lead-a", "{ann}");
    assert_eq!(
        (&record["replied_step"], &record["replied_variant"]),
        (&json!(2), &json!(2))
    );
    assert_eq!(
        (&record["first_name"], &record["company_name"]),
        (&json!("Ann"), &json!("Acme"))
    );
    assert!(record["custom_variables"].is_object());
    assert_eq!(shown["stage"]["name"], "Meeting booked");

    let (status, unchanged) = s
        .patch_lead(&s.admin, THREAD_LEAD, json!({"tags": [budget]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{unchanged}");
    s.add_note(&s.operator, THREAD_LEAD, json!({"body": "Called back"}))
        .await;
    let page = s.timeline(&s.owner, THREAD_LEAD, "").await;
    let mut seen = changes(&page);
    seen.sort();
    let mut expected = vec![
        "stage: - -> Meeting booked",
        "value: - -> 1250.50 EUR",
        "value: 1250.50 EUR -> -",
        "owner: - -> someone",
        "owner: someone -> -",
        "tag_added: - -> Hot",
        "tag_added: - -> Budget",
        "tag_removed: Hot -> -",
    ];
    expected.sort();
    assert_eq!(seen, expected, "{page}");
    let kinds = kinds(&page);
    assert_eq!(kinds[0], "note", "the newest first");
    assert_eq!(
        kinds.iter().filter(|k| *k == "message").count(),
        2,
        "{page}"
    );
    let first_change = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "change")
        .unwrap();
    assert_eq!(first_change["change"]["source"], "person");
    assert!(first_change["change"]["actor"]["user_id"].is_string());

    let filter = allcampaigns::store::AuditFilter {
        limit: 200,
        ..Default::default()
    };
    let audit = s.app.store.audit_entries(s.a, &filter).await.unwrap();
    let changed = audit.iter().filter(|e| e.action == "lead.changed").count();
    assert_eq!(changed, 2, "one entry per change that changed something");
    s.app.stop().await;
}

async fn a_persons_stage_wins_over_instantlys_later_status_and_the_timeline_shows_both(db: TestDb) {
    let s = setup(&db).await;
    let store = &s.app.store;
    synced_status(store, s.a, "lead-a", "Ann@Acme.example", 1).await;
    let (_, state) = s
        .call(&s.owner, Method::GET, &lead(s.a, "lead-a"), None)
        .await;
    assert_eq!(state["stage"]["name"], "Interested", "{state}");
    assert_eq!(state["stage_source"], "instantly");

    synced_status(store, s.a, "lead-a", "Ann@Acme.example", 2).await;
    let (_, state) = s
        .call(&s.owner, Method::GET, &lead(s.a, "lead-a"), None)
        .await;
    assert_eq!(
        state["stage"]["name"], "Meeting booked",
        "Instantly's moves an unset stage"
    );

    let won = stage_id(&s, "Won").await;
    let (status, _) = s
        .patch_lead(&s.operator, "lead-a", json!({"stage": won}))
        .await;
    assert_eq!(status, StatusCode::OK);
    synced_status(store, s.a, "lead-a", "Ann@Acme.example", -1).await;
    let (_, state) = s
        .call(&s.owner, Method::GET, &lead(s.a, "lead-a"), None)
        .await;
    assert_eq!(state["stage"]["name"], "Won", "the person's choice wins");
    assert_eq!(state["stage_source"], "person");
    assert_eq!(
        state["instantly_status"], -1,
        "Instantly's own is shown beside"
    );

    let page = s.timeline(&s.owner, "ann@acme.example", "").await;
    assert_eq!(
        changes(&page),
        [
            "instantly_status: Meeting booked -> Not interested",
            "stage: - -> Won",
            "instantly_status: Interested -> Meeting booked",
            "instantly_status: - -> Interested",
        ],
        "{page}"
    );
    let newest = &page["items"][0]["change"];
    assert_eq!(
        (&newest["source"], &newest["actor"]),
        (&json!("instantly"), &Value::Null)
    );

    // Cleared, the lead is back at Instantly's status.
    let (_, state) = s
        .patch_lead(&s.operator, "lead-a", json!({"stage": null}))
        .await;
    assert_eq!(state["stage"]["name"], "Not interested");
    assert_eq!(state["stage_source"], "instantly");
    s.app.stop().await;
}

async fn refused_lead_input_names_the_field(db: TestDb) {
    let s = setup(&db).await;
    let won = stage_id(&s, "Won").await;
    let path = format!("/api/v1/tenants/{}/pipeline/stages/{won}", s.a);
    let (status, _) = s
        .call(
            &s.owner,
            Method::PATCH,
            &path,
            Some(json!({"archived": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let client = s.client_id.to_string();
    let cases = [
        (json!({"stage": won}), "stage"),
        (json!({"stage": uuid::Uuid::now_v7()}), "stage"),
        (json!({"stage": "nope"}), "stage"),
        (json!({"value": "1,000"}), "value"),
        (json!({"value": -5}), "value"),
        (json!({"value": 1.234}), "value"),
        (json!({"value": "99999999999999"}), "value"),
        (json!({"owner": client}), "owner"),
        (json!({"owner": uuid::Uuid::now_v7()}), "owner"),
        (json!({"tags": ["nope"]}), "tags"),
    ];
    for (body, field) in cases {
        let (status, answer) = s.patch_lead(&s.operator, "lead-a", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body}: {answer}"
        );
    }
    for body in [json!({"stage": 5}), json!({"colour": "#000000"}), json!([])] {
        let (status, _) = s.patch_lead(&s.operator, "lead-a", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let settings = format!("/api/v1/tenants/{}/lead-settings", s.a);
    for (body, field) in [
        (json!({"currency": "EURO"}), "currency"),
        (json!({"time_zone": "Mars/Base"}), "time_zone"),
        (json!({"day_starts": "18:00"}), "day_ends"),
        (json!({"day_ends": "25:00"}), "day_ends"),
        (json!({"workdays": ["someday"]}), "workdays"),
    ] {
        let (status, answer) = s
            .call(&s.owner, Method::PATCH, &settings, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body}: {answer}"
        );
    }
    let tags = format!("/api/v1/tenants/{}/lead-tags", s.a);
    s.add_tag("Hot").await;
    for body in [
        json!({"name": "HOT"}),
        json!({"name": ""}),
        json!({"name": "x", "colour": "red"}),
    ] {
        let (status, _) = s
            .call(&s.owner, Method::POST, &tags, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let (status, _) = s
        .patch_lead(&s.operator, "nobody@nowhere.example", json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .call(
            &s.owner,
            Method::PATCH,
            &lead(s.c, "lead-c"),
            Some(json!({"value": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another client's lead");
    s.app.stop().await;
}

async fn a_client_representative_sees_stage_value_and_shared_work_only(db: TestDb) {
    let s = setup(&db).await;
    let hot = s.add_tag("Hot").await;
    let booked = stage_id(&s, "Meeting booked").await;
    let body = json!({"stage": booked, "value": "10", "owner": s.operator_id.to_string(),
                      "tags": [hot]});
    let (status, _) = s.patch_lead(&s.operator, THREAD_LEAD, body).await;
    assert_eq!(status, StatusCode::OK);
    s.add_note(&s.operator, THREAD_LEAD, json!({"body": "internal"}))
        .await;
    s.add_note(
        &s.operator,
        THREAD_LEAD,
        json!({"body": "shared", "shared": true}),
    )
    .await;
    let calls = format!("{}/calls", lead(s.a, THREAD_LEAD));
    let call = json!({"at": hours_ago(1), "duration_seconds": 5, "outcome": "no_answer"});
    let (status, _) = s.call(&s.operator, Method::POST, &calls, Some(call)).await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, state) = s
        .call(&s.client, Method::GET, &lead(s.a, THREAD_LEAD), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["stage"]["name"], "Meeting booked");
    assert_eq!(state["value"], "10.00");
    assert!(
        state["owner"].is_null() && state["tags"] == json!([]),
        "{state}"
    );
    let (status, _) = s
        .patch_lead(&s.client, THREAD_LEAD, json!({"value": 1}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let tags = format!("/api/v1/tenants/{}/lead-tags", s.a);
    let (status, _) = s.call(&s.client, Method::GET, &tags, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let page = s.timeline(&s.client, THREAD_LEAD, "").await;
    let mut seen = changes(&page);
    seen.sort();
    assert_eq!(
        seen,
        ["stage: - -> Meeting booked", "value: - -> 10.00 USD"]
    );
    let kinds = kinds(&page);
    assert!(!kinds.contains(&"call".to_owned()), "{page}");
    let notes: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "note")
        .map(|e| e["note"]["body"].clone())
        .collect();
    assert_eq!(notes, [json!("shared")]);
    let staff = s.timeline(&s.operator, THREAD_LEAD, "").await;
    assert_eq!(
        changes(&staff).len(),
        4,
        "staff see owner and tag changes too"
    );
    s.app.stop().await;
}

async fn the_timeline_pages_without_gaps_or_repeats(db: TestDb) {
    let s = setup(&db).await;
    let stages = ["Interested", "Meeting booked", "Won"];
    for (i, name) in stages.iter().enumerate() {
        let id = stage_id(&s, name).await;
        let body = json!({"stage": id, "value": i + 1});
        let (status, _) = s.patch_lead(&s.operator, THREAD_LEAD, body).await;
        assert_eq!(status, StatusCode::OK);
        s.add_note(&s.operator, THREAD_LEAD, json!({"body": format!("n{i}")}))
            .await;
    }
    let calls = format!("{}/calls", lead(s.a, THREAD_LEAD));
    for hours in [1, 2] {
        let call = json!({"at": hours_ago(hours), "duration_seconds": 5, "outcome": "voicemail"});
        s.call(&s.operator, Method::POST, &calls, Some(call)).await;
    }
    let whole = s.timeline(&s.owner, THREAD_LEAD, "?limit=100").await;
    let all = whole["items"].as_array().unwrap().clone();
    assert_eq!(all.len(), 6 + 3 + 2 + 2, "changes, notes, calls, messages");
    assert!(whole["next_cursor"].is_null());
    let mut paged = Vec::new();
    let mut query = "?limit=4".to_owned();
    loop {
        let page = s.timeline(&s.owner, THREAD_LEAD, &query).await;
        paged.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => query = format!("?limit=4&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(paged, all);
    let ats: Vec<&str> = all.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let times: Vec<chrono::DateTime<chrono::Utc>> =
        ats.iter().map(|a| a.parse().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{ats:?}");
    let path = format!("{}/timeline?cursor=garbage", lead(s.a, THREAD_LEAD));
    let (status, body) = s.call(&s.owner, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    s.app.stop().await;
}

async fn a_deleted_tag_leaves_its_leads_and_its_name_in_their_history(db: TestDb) {
    let s = setup(&db).await;
    let doomed = s.add_tag("Doomed").await;
    let (status, _) = s
        .patch_lead(&s.operator, "lead-a", json!({"tags": [doomed]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let path = format!("/api/v1/tenants/{}/lead-tags/{doomed}", s.a);
    let (status, _) = s.call(&s.operator, Method::DELETE, &path, None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "operators do not manage tags"
    );
    let (status, _) = s
        .call(
            &s.admin,
            Method::PATCH,
            &path,
            Some(json!({"name": "Gone"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.call(&s.admin, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, state) = s
        .call(&s.owner, Method::GET, &lead(s.a, "lead-a"), None)
        .await;
    assert_eq!(state["tags"], json!([]));
    let page = s.timeline(&s.owner, "lead-a", "").await;
    assert_eq!(changes(&page), ["tag_added: - -> Doomed"]);
    let (status, _) = s.call(&s.admin, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.app.stop().await;
}

async fn labels_are_suggested_by_local_rules_and_never_applied_by_themselves(db: TestDb) {
    use crate::inbox_seed::{Msg, write};
    let s = setup(&db).await;
    let address = "busy@lead.example";
    let mut older = Msg::new(s.a, "ooo", "ooo-1", 10);
    older.body = "Please remove me from your list.".into();
    let mut latest = Msg::new(s.a, "ooo", "ooo-2", 20);
    latest.body = "I am out of the office until 14 November, with limited access to email.".into();
    latest.auto_reply = true;
    let mut other = Msg::new(s.a, "unsub", "unsub-1", 30);
    other.body = "Please REMOVE ME from your list.".into();
    let mut fine = Msg::new(s.a, "fine", "fine-1", 40);
    fine.body = "Sounds good, call me Tuesday.".into();
    for m in [&mut older, &mut latest, &mut other, &mut fine] {
        m.lead = Some(address.into());
    }
    write(&s.app.store, &[older, latest, other, fine], &[]).await;
    let (status, page) = s
        .call(&s.operator, Method::GET, &lead(s.a, address), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let suggestions = page["suggestions"].as_array().unwrap();
    assert_eq!(
        suggestions.len(),
        2,
        "one per thread, from its latest reply: {page}"
    );
    let by_thread = |thread: &str| {
        suggestions
            .iter()
            .find(|x| x["thread_id"] == thread)
            .unwrap_or_else(|| panic!("{thread}: {page}"))
    };
    let ooo = by_thread("ooo");
    assert_eq!(
        (&ooo["label"], &ooo["until"]),
        (&json!("out_of_office"), &json!("2026-11-14"))
    );
    assert_eq!(ooo["reason"], "out of the office");
    assert_eq!(ooo["stage"]["name"], "Out of office");
    let unsub = by_thread("unsub");
    assert_eq!(
        (&unsub["label"], &unsub["reason"]),
        (&json!("unsubscribe"), &json!("REMOVE ME"))
    );
    assert_eq!(unsub["stage"]["name"], "Not interested");
    assert!(
        page["stage"].is_null(),
        "a suggestion is not applied: {page}"
    );
    assert_eq!(
        page["threads"].as_array().unwrap().len(),
        3,
        "no reply is hidden"
    );
    s.app.stop().await;
}

async fn a_bulk_change_applies_to_each_lead_and_a_refused_field_changes_none(db: TestDb) {
    let s = setup(&db).await;
    let store = &s.app.store;
    synced_status(store, s.a, "lead-a", "Ann@Acme.example", 1).await;
    synced_status(store, s.a, "lead-b", "bo@acme.example", 1).await;
    let hot = s.add_tag("Hot").await;
    let cold = s.add_tag("Cold").await;
    s.patch_lead(&s.operator, "lead-b", json!({"tags": [cold]}))
        .await;
    let bulk = format!("/api/v1/tenants/{}/leads/bulk", s.a);
    let won = stage_id(&s, "Won").await;

    // A refused field (a tag of no one) refuses all, and nothing changed.
    let body = json!({"leads": ["lead-a", "lead-b"],
                      "change": {"stage": won, "tags_added": ["nope"]}});
    let (status, error) = s.call(&s.operator, Method::POST, &bulk, Some(body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("tags_added")
    );
    let (_, a) = s
        .call(&s.owner, Method::GET, &lead(s.a, "lead-a"), None)
        .await;
    assert_eq!(a["stage_source"], "instantly", "unchanged: {a}");

    let body = json!({"leads": ["lead-a", "bo@acme.example", "ghost@acme.example", "lead-a"],
                      "change": {"stage": won, "tags_added": [hot], "tags_removed": [cold]}});
    let (status, done) = s.call(&s.operator, Method::POST, &bulk, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        done["changed"],
        json!(["ann@acme.example", "bo@acme.example"])
    );
    assert_eq!(done["not_found"], json!(["ghost@acme.example"]));
    for id in ["lead-a", "lead-b"] {
        let (_, state) = s.call(&s.owner, Method::GET, &lead(s.a, id), None).await;
        assert_eq!(state["stage"]["name"], "Won", "{state}");
        let tags: Vec<&Value> = state["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["name"])
            .collect();
        assert_eq!(tags, [&json!("Hot")], "{state}");
        let page = s.timeline(&s.owner, id, "").await;
        assert!(
            changes(&page).contains(&"stage: - -> Won".to_owned()),
            "{page}"
        );
    }
    // A client representative changes nothing; nor does an empty or oversized list.
    let body = json!({"leads": ["lead-a"], "change": {"value": "5"}});
    let (status, _) = s.call(&s.client, Method::POST, &bulk, Some(body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let many: Vec<String> = (0..501).map(|i| format!("l{i}@acme.example")).collect();
    for leads in [json!([]), json!(many)] {
        let body = json!({"leads": leads, "change": {"value": "5"}});
        let (status, _) = s.call(&s.operator, Method::POST, &bulk, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    s.app.stop().await;
}
