//! The leads list across clients (issue 13), on both backends: the caller's clients only (a
//! client representative's are left out), each filter alone and together, keyset pages with
//! neither gaps nor repeats across clients, and the CSV of the current filter with formula
//! cells made inert. The fixture is `lead_fixture.rs`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::inbox_seed::{Lead, write};
use crate::lead_fixture::{Setup, setup};
use crate::lead_pipeline::stage_id;
use crate::on_both_backends;

on_both_backends!(
    the_leads_list_filters_across_the_callers_clients_and_pages_without_gaps,
    the_leads_csv_holds_the_current_filter_with_formulas_made_inert,
);

async fn list(s: &Setup, token: &str, query: &str) -> (StatusCode, Value) {
    s.call(token, Method::GET, &format!("/api/v1/leads{query}"), None)
        .await
}

fn emails(page: &Value) -> Vec<String> {
    let mut out: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

async fn more_leads(s: &Setup) {
    let lead = |tenant, id: &str, email: &str, company: &str| Lead {
        tenant,
        id: id.into(),
        email: email.into(),
        first: "Bo".into(),
        last: "Ray".into(),
        company: company.into(),
    };
    let leads = [
        lead(s.a, "lead-a2", "bo@beta.example", "Beta"),
        lead(s.b, "lead-b1", "cy@gamma.example", "=HYPERLINK(\"x\")"),
    ];
    write(&s.app.store, &[], &leads).await;
}

async fn the_leads_list_filters_across_the_callers_clients_and_pages_without_gaps(db: TestDb) {
    let s = setup(&db).await;
    more_leads(&s).await;
    let (status, all) = list(&s, &s.owner, "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        emails(&all),
        ["Ann@Acme.example", "bo@beta.example", "cy@gamma.example"],
        "A's and B's, not C's"
    );
    let (_, only_a) = list(&s, &s.owner, &format!("?tenant={}", s.a)).await;
    assert_eq!(emails(&only_a), ["Ann@Acme.example", "bo@beta.example"]);
    let (_, found) = list(&s, &s.owner, "?q=ACME").await;
    assert_eq!(emails(&found), ["Ann@Acme.example"]);
    let (_, none) = list(&s, &s.owner, "?replied=false").await;
    assert_eq!(emails(&none), Vec::<String>::new());

    let won = stage_id(&s, "Won").await;
    let path = format!("/api/v1/tenants/{}/leads/bo@beta.example", s.a);
    let body = json!({"stage": won, "owner": s.operator_id.to_string(), "value": "12.5"});
    let (status, _) = s.call(&s.operator, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, staged) = list(&s, &s.owner, &format!("?stage={won}&replied=true")).await;
    assert_eq!(emails(&staged), ["bo@beta.example"], "two filters");
    let item = &staged["items"][0];
    assert_eq!(
        (&item["stage_name"], &item["value"]),
        (&json!("Won"), &json!("12.50"))
    );
    let (_, mine) = list(&s, &s.operator, "?owner=me").await;
    assert_eq!(emails(&mine), ["bo@beta.example"]);
    let (_, unowned) = list(&s, &s.owner, "?owner=none").await;
    assert_eq!(emails(&unowned), ["Ann@Acme.example", "cy@gamma.example"]);
    let (_, campaign) = list(&s, &s.owner, "?campaign=nope").await;
    assert_eq!(emails(&campaign), Vec::<String>::new());

    let mut paged = Vec::new();
    let mut query = "?limit=1".to_owned();
    loop {
        let (status, page) = list(&s, &s.owner, &query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        paged.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => query = format!("?limit=1&cursor={next}"),
            None => break,
        }
    }
    let (_, all) = list(&s, &s.owner, "").await;
    assert_eq!(paged, all["items"].as_array().unwrap().clone());

    let (status, body) = list(&s, &s.client, "").await;
    assert_eq!((status, body["items"].clone()), (StatusCode::OK, json!([])));
    let (status, _) = list(&s, &s.owner, &format!("?tenant={}", s.c)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for query in [
        "?stage=x",
        "?owner=someone",
        "?replied=yes",
        "?q=a",
        "?limit=0",
        "?cursor=x",
    ] {
        let (status, _) = list(&s, &s.owner, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    }
    s.app.stop().await;
}

async fn the_leads_csv_holds_the_current_filter_with_formulas_made_inert(db: TestDb) {
    let s = setup(&db).await;
    more_leads(&s).await;
    let response = s
        .app
        .client
        .get(s.app.url(&format!("/api/v1/leads.csv?tenant={}", s.b)))
        .bearer_auth(&s.owner)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert_eq!(&rows[0][1], "cy@gamma.example");
    assert_eq!(&rows[0][4], "'=HYPERLINK(\"x\")", "a formula is text");
    s.app.stop().await;
}
