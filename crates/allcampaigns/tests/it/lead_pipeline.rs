//! Each client's pipeline (issue 13) over the JSON API, on both backends: seeded with
//! Instantly's interest statuses on the first read (once, even when first reads race), then
//! added to, renamed, recoloured, reordered, archived and unarchived by owners and admins,
//! never deleted; refused input names its field; another client's stage answers 404. The
//! fixture is `lead_fixture.rs`.

use allcampaigns::store::AuditFilter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::lead_fixture::{Setup, setup};
use crate::on_both_backends;

on_both_backends!(
    the_defaults_are_seeded_once_in_order_and_every_member_reads_them,
    stages_are_added_renamed_reordered_and_archived_but_never_deleted,
    refused_stage_input_names_the_field,
    only_owners_and_admins_change_the_pipeline_and_other_clients_stages_are_404,
);

const DEFAULT_NAMES: [&str; 9] = [
    "Interested",
    "Meeting booked",
    "Meeting completed",
    "Won",
    "Out of office",
    "Not interested",
    "Wrong person",
    "Lost",
    "No show",
];

pub fn pipeline(tenant: allcampaigns::domain::TenantId) -> String {
    format!("/api/v1/tenants/{tenant}/pipeline")
}

/// The stages `token` reads in A's pipeline.
async fn stages(s: &Setup, token: &str) -> Vec<Value> {
    let (status, body) = s.call(token, Method::GET, &pipeline(s.a), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["stages"].as_array().expect("stages").clone()
}

fn names(stages: &[Value]) -> Vec<String> {
    stages
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The id of A's stage named `name`.
pub async fn stage_id(s: &Setup, name: &str) -> String {
    let all = stages(s, &s.owner).await;
    let stage = all.iter().find(|st| st["name"] == name).expect(name);
    stage["stage_id"].as_str().unwrap().to_owned()
}

async fn the_defaults_are_seeded_once_in_order_and_every_member_reads_them(db: TestDb) {
    let s = setup(&db).await;
    let (first, second) = tokio::join!(stages(&s, &s.client), stages(&s, &s.operator));
    assert_eq!(names(&first), DEFAULT_NAMES);
    assert_eq!(first, second, "racing first reads seed once");
    let statuses: Vec<_> = first
        .iter()
        .map(|s| s["instantly_status"].clone())
        .collect();
    assert_eq!(statuses, [1, 2, 3, 4, 0, -1, -2, -3, -4].map(|n| json!(n)));
    let sentiments: Vec<_> = first.iter().map(|s| s["sentiment"].clone()).collect();
    assert_eq!(sentiments[0], "positive");
    assert_eq!(sentiments[4], "neutral");
    assert_eq!(sentiments[8], "negative");
    assert!(first.iter().all(|s| s["archived"] == false));
    assert_eq!(names(&stages(&s, &s.admin).await), DEFAULT_NAMES);
    let (status, b) = s.call(&s.owner, Method::GET, &pipeline(s.b), None).await;
    assert_eq!(status, StatusCode::OK);
    let b_ids: Vec<_> = b["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["stage_id"])
        .collect();
    assert!(
        first.iter().all(|st| !b_ids.contains(&&st["stage_id"])),
        "each client its own"
    );
    s.app.stop().await;
}

async fn stages_are_added_renamed_reordered_and_archived_but_never_deleted(db: TestDb) {
    let s = setup(&db).await;
    let path = format!("{}/stages", pipeline(s.a));
    let demo = json!({"name": " Demo ", "colour": "#A1B2C3", "sentiment": "positive"});
    let (status, added) = s.call(&s.admin, Method::POST, &path, Some(demo)).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        (&added["name"], &added["colour"]),
        (&json!("Demo"), &json!("#a1b2c3"))
    );
    assert_eq!(
        (&added["position"], &added["instantly_status"]),
        (&json!(9), &Value::Null)
    );
    let demo_path = format!("{path}/{}", added["stage_id"].as_str().unwrap());
    let change = json!({"name": "Demo given", "position": 1, "sentiment": "neutral"});
    let (status, moved) = s
        .call(&s.owner, Method::PATCH, &demo_path, Some(change))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (&moved["position"], &moved["sentiment"]),
        (&json!(1), &json!("neutral"))
    );
    let order = names(&stages(&s, &s.owner).await);
    assert_eq!(order[..3], ["Interested", "Demo given", "Meeting booked"]);
    assert_eq!(order.len(), 10);
    let positions: Vec<_> = stages(&s, &s.owner)
        .await
        .iter()
        .map(|s| s["position"].clone())
        .collect();
    assert_eq!(positions, (0..10).map(|n| json!(n)).collect::<Vec<_>>());

    let lost = format!("{path}/{}", stage_id(&s, "Lost").await);
    let archive = Some(json!({"archived": true}));
    let (status, archived) = s.call(&s.admin, Method::PATCH, &lost, archive).await;
    assert_eq!(status, StatusCode::OK, "{archived}");
    assert_eq!(archived["archived"], true);
    assert!(archived["archived_at"].is_string());
    let listed = stages(&s, &s.client).await;
    let shown = listed.iter().find(|st| st["name"] == "Lost").unwrap();
    assert_eq!(
        shown["archived"], true,
        "archived stages are listed, flagged"
    );
    let (status, back) = s
        .call(
            &s.admin,
            Method::PATCH,
            &lost,
            Some(json!({"archived": false})),
        )
        .await;
    assert_eq!((status, &back["archived"]), (StatusCode::OK, &json!(false)));

    let (status, _) = s.call(&s.owner, Method::DELETE, &lost, None).await;
    assert_eq!(
        status,
        StatusCode::METHOD_NOT_ALLOWED,
        "no stage is deleted"
    );
    assert_eq!(stages(&s, &s.owner).await.len(), 10);

    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let entries = s.app.store.audit_entries(s.a, &filter).await.unwrap();
    let mut actions: Vec<&str> = entries
        .iter()
        .filter(|e| e.action.starts_with("pipeline."))
        .map(|e| e.action.as_str())
        .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "pipeline.stage_added",
            "pipeline.stage_changed",
            "pipeline.stage_changed",
            "pipeline.stage_changed"
        ]
    );
    s.app.stop().await;
}

async fn refused_stage_input_names_the_field(db: TestDb) {
    let s = setup(&db).await;
    let path = format!("{}/stages", pipeline(s.a));
    let won = format!("{path}/{}", stage_id(&s, "Won").await);
    let cases = [
        (Method::POST, &path, json!({"name": ""}), "name"),
        (Method::POST, &path, json!({"name": "x".repeat(61)}), "name"),
        (Method::POST, &path, json!({"name": "won"}), "name"),
        (
            Method::POST,
            &path,
            json!({"name": "A", "colour": "red"}),
            "colour",
        ),
        (
            Method::POST,
            &path,
            json!({"name": "A", "sentiment": "happy"}),
            "sentiment",
        ),
        (Method::PATCH, &won, json!({"name": "Lost"}), "name"),
        (Method::PATCH, &won, json!({"colour": "#12345"}), "colour"),
        (Method::PATCH, &won, json!({"position": 9}), "position"),
        (Method::PATCH, &won, json!({"position": -1}), "position"),
    ];
    for (method, path, body, field) in cases {
        let (status, answer) = s.call(&s.owner, method, path, Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{body}: {answer}"
        );
    }
    for body in [
        json!({"name": "A", "delete": true}),
        json!({"name": 5}),
        json!(["A"]),
    ] {
        let (status, _) = s
            .call(&s.owner, Method::POST, &path, Some(body.clone()))
            .await;
        assert!(status.is_client_error(), "{body}: {status}");
    }
    assert_eq!(
        names(&stages(&s, &s.owner).await),
        DEFAULT_NAMES,
        "nothing changed"
    );
    s.app.stop().await;
}

async fn only_owners_and_admins_change_the_pipeline_and_other_clients_stages_are_404(db: TestDb) {
    let s = setup(&db).await;
    let path = format!("{}/stages", pipeline(s.a));
    let won = format!("{path}/{}", stage_id(&s, "Won").await);
    let rename = json!({"name": "Closed"});
    for token in [&s.operator, &s.client] {
        let (status, _) = s
            .call(token, Method::POST, &path, Some(rename.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = s
            .call(token, Method::PATCH, &won, Some(rename.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, c_pipeline) = s.call(&s.stranger, Method::GET, &pipeline(s.c), None).await;
    assert_eq!(status, StatusCode::OK);
    let c_stage = c_pipeline["stages"][0]["stage_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_a = format!("{path}/{c_stage}");
    let in_c = format!("{}/stages/{c_stage}", pipeline(s.c));
    let (status, _) = s
        .call(&s.owner, Method::PATCH, &in_a, Some(rename.clone()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "C's stage under A");
    for (method, path, body) in [
        (Method::GET, pipeline(s.c), None),
        (
            Method::POST,
            format!("{}/stages", pipeline(s.c)),
            Some(rename.clone()),
        ),
        (Method::PATCH, in_c.clone(), Some(rename.clone())),
    ] {
        let (status, _) = s.call(&s.owner, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    for bad in ["nope", "%00", "00000000-0000-0000-0000-000000000000"] {
        let (status, _) = s
            .call(
                &s.owner,
                Method::PATCH,
                &format!("{path}/{bad}"),
                Some(rename.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    let (_, c_after) = s.call(&s.stranger, Method::GET, &pipeline(s.c), None).await;
    assert_eq!(c_after, c_pipeline, "C unchanged");
    assert_eq!(
        names(&stages(&s, &s.owner).await),
        DEFAULT_NAMES,
        "A unchanged"
    );
    s.app.stop().await;
}
