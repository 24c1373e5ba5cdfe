//! Every answer the client can receive from the simulator, for every operation of the OpenAPI
//! subset, validates against that operation's documented schema for its status code.

mod support;

use std::collections::BTreeSet;

use instantly_sim::{RateLimitConfig, Scale, SimConfig, Simulator};
use reqwest::Method;
use serde_json::{Value, json};
use support::checker::Checker;
use support::spec::{Spec, compile};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_simulator_answer_matches_the_openapi_subset() {
    let Some(spec) = Spec::load() else {
        return;
    };
    let config = SimConfig {
        seed: 11,
        scale: Scale::Small,
        workspaces: 2,
        rate_limits: false,
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let key = sim.workspaces()[0].api_key.clone();
    let mut c = Checker {
        spec,
        http: reqwest::Client::new(),
        base: sim.base_url(),
        key,
        seen: BTreeSet::new(),
    };

    check_workspace_and_campaigns(&mut c).await;
    check_accounts(&mut c).await;
    check_leads(&mut c).await;
    check_emails(&mut c).await;
    check_small_lists(&mut c).await;
    check_webhooks(&mut c, &sim.base_url()).await;

    // Every operation answers 401 without a key, and 402 for a workspace without a paid plan,
    // in Instantly's shape.
    let workspace = sim.workspaces()[0].id.clone();
    for paid in [true, false] {
        sim.set_paid(&workspace, paid);
        let (key, expected) = if paid {
            (None, 401)
        } else {
            (Some(c.key.clone()), 402)
        };
        for (method, path) in c.spec.operations() {
            let url = path
                .replace("{id}", "0199d1a0-0000-7000-8000-000000000000")
                .replace("{email}", "a@b.example")
                .replace("{thread_id}", "x");
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let body = (method == Method::POST).then(|| json!({}));
            let (status, _) = c
                .check_with_key(method, &path, &url, body, key.clone())
                .await;
            assert_eq!(status, expected);
        }
    }
    sim.set_paid(&workspace, true);

    // 429 with Instantly's body once the (tightened) budget is spent.
    sim.set_rate_limits(RateLimitConfig {
        enabled: true,
        per_second: 100,
        per_minute: 6_000,
        email_list_per_minute: 1,
    });
    c.check(Method::GET, "/api/v2/emails", "/api/v2/emails", None)
        .await;
    let (status, _) = c
        .check(Method::GET, "/api/v2/emails", "/api/v2/emails", None)
        .await;
    assert_eq!(status, 429);

    let missing: Vec<_> = c
        .spec
        .operations()
        .into_iter()
        .filter(|(m, p)| {
            !c.seen
                .iter()
                .any(|(sm, sp, s)| sm == m && sp == p && (200..300).contains(s))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a validated success answer: {missing:?}"
    );
    sim.shutdown().await;
}

async fn check_workspace_and_campaigns(c: &mut Checker) {
    c.check(
        Method::GET,
        "/api/v2/workspaces/current",
        "/api/v2/workspaces/current",
        None,
    )
    .await;
    let campaigns = c.walk("/api/v2/campaigns", "/api/v2/campaigns").await;
    assert!(campaigns.len() >= 2);
    let id = campaigns[0]["id"].as_str().unwrap().to_owned();
    c.check(
        Method::GET,
        "/api/v2/campaigns/{id}",
        &format!("/api/v2/campaigns/{id}"),
        None,
    )
    .await;
    let (status, _) = c
        .check(
            Method::GET,
            "/api/v2/campaigns/{id}",
            "/api/v2/campaigns/0199d1a0-0000-7000-8000-000000000000",
            None,
        )
        .await;
    assert_eq!(status, 404);
    for path in [
        "/api/v2/campaigns/analytics",
        "/api/v2/campaigns/analytics/overview",
        "/api/v2/campaigns/analytics/daily",
        "/api/v2/campaigns/analytics/steps",
    ] {
        let (status, body) = c.check(Method::GET, path, path, None).await;
        assert_eq!(status, 200);
        assert!(body.is_array() || body.is_object());
        let filtered = format!(
            "{path}?campaign_id={id}&id={id}&start_date=2026-08-01&end_date=2026-10-31&include_opportunities_count=true"
        );
        c.check(Method::GET, path, &filtered, None).await;
        let (status, _) = c
            .check(
                Method::GET,
                path,
                &format!("{path}?start_date=2026-10-02&end_date=2026-10-01"),
                None,
            )
            .await;
        assert_eq!(
            status, 400,
            "analytics reject a reversed date range with {{message}}"
        );
    }
}

async fn check_accounts(c: &mut Checker) {
    let accounts = c.walk("/api/v2/accounts", "/api/v2/accounts").await;
    let email = accounts[0]["email"].as_str().unwrap().to_owned();
    c.check(
        Method::GET,
        "/api/v2/accounts/{email}",
        &format!("/api/v2/accounts/{email}"),
        None,
    )
    .await;
    let (status, _) = c
        .check(
            Method::GET,
            "/api/v2/accounts/{email}",
            "/api/v2/accounts/nobody@nowhere.example",
            None,
        )
        .await;
    assert_eq!(status, 404);
    check_include_tags_quirk(c).await;
    let body = json!({ "emails": [email] });
    c.check(
        Method::POST,
        "/api/v2/accounts/warmup-analytics",
        "/api/v2/accounts/warmup-analytics",
        Some(body),
    )
    .await;
    let path = "/api/v2/accounts/analytics/daily";
    c.check(
        Method::GET,
        path,
        &format!("{path}?start_date=2026-09-01&end_date=2026-10-31&emails={email}"),
        None,
    )
    .await;
    let (status, _) = c
        .check(
            Method::GET,
            path,
            &format!("{path}?start_date=2026-10-31&end_date=2026-09-01"),
            None,
        )
        .await;
    assert_eq!(status, 400);
    let path = "/api/v2/accounts/test/vitals";
    c.check(
        Method::POST,
        path,
        path,
        Some(json!({ "accounts": [email] })),
    )
    .await;
    let (status, _) = c
        .check(
            Method::POST,
            path,
            path,
            Some(json!({ "accounts": ["nobody@nowhere.example"] })),
        )
        .await;
    assert_eq!(status, 400, "vitals reject unknown accounts with {{error}}");
}

/// The spec's quirk: `GET /accounts` items are `allOf: [Account, {tags}]`, but `Account` has
/// `additionalProperties: false`, so no item carrying `tags` can pass strict validation. The
/// test proves that this is the only disagreement, then validates the account part against
/// `Account` and `tags` against the second branch.
async fn check_include_tags_quirk(c: &mut Checker) {
    let url = format!("{}/api/v2/accounts?limit=100&include_tags=true", c.base);
    let body: Value = c
        .http
        .get(url)
        .bearer_auth(&c.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let strict = c.spec.errors("GET", "/api/v2/accounts", 200, &body);
    assert!(
        !strict.is_empty(),
        "items with tags are expected to trip Account's additionalProperties"
    );
    assert!(
        strict.iter().all(|e| e.contains("tags")),
        "only `tags` may disagree: {strict:#?}"
    );

    let list = c
        .spec
        .response_schema("GET", "/api/v2/accounts", 200)
        .unwrap();
    let branches = &list["properties"]["items"]["items"]["allOf"];
    let mut account = branches[0].clone();
    account["components"] = list["components"].clone();
    let (account, tags) = (compile(&account), compile(&branches[1]));
    let mut tagged = 0;
    for item in body["items"].as_array().unwrap() {
        let mut without_tags = item.clone();
        let tags_value = without_tags.as_object_mut().unwrap().remove("tags");
        tagged += usize::from(
            tags_value
                .as_ref()
                .is_some_and(|t| t.as_array().is_some_and(|a| !a.is_empty())),
        );
        assert!(account.is_valid(&without_tags), "account part of {item:#}");
        assert!(
            tags.is_valid(&json!({ "tags": tags_value })),
            "tags of {item:#}"
        );
    }
    assert!(tagged > 0, "some accounts carry tags");
}

async fn check_leads(c: &mut Checker) {
    let path = "/api/v2/leads/list";
    let mut cursor: Option<String> = None;
    let mut leads = Vec::new();
    loop {
        let mut body = json!({ "limit": 100 });
        if let Some(cursor) = &cursor {
            body["starting_after"] = json!(cursor);
        }
        let (_, page) = c.check(Method::POST, path, path, Some(body)).await;
        let items = page["items"].as_array().unwrap().clone();
        cursor = page["next_starting_after"].as_str().map(str::to_owned);
        let done = items.is_empty() || cursor.is_none();
        leads.extend(items);
        if done {
            break;
        }
    }
    assert!(leads.iter().any(|l| l.get("lt_interest_status").is_some()));
    let (status, _) = c
        .check(Method::POST, path, path, Some(json!({ "limit": 500 })))
        .await;
    assert_eq!(status, 400);
    let id = leads[0]["id"].as_str().unwrap().to_owned();
    c.check(
        Method::GET,
        "/api/v2/leads/{id}",
        &format!("/api/v2/leads/{id}"),
        None,
    )
    .await;
    let (status, _) = c
        .check(
            Method::GET,
            "/api/v2/leads/{id}",
            "/api/v2/leads/0199d1a0-0000-7000-8000-000000000000",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let path = "/api/v2/leads/update-interest-status";
    let email = leads[1]["email"].as_str().unwrap();
    let (status, _) = c
        .check(
            Method::POST,
            path,
            path,
            Some(json!({ "lead_email": email, "interest_value": 1 })),
        )
        .await;
    assert_eq!(status, 202);
    let (status, _) = c
        .check(
            Method::POST,
            path,
            path,
            Some(json!({ "lead_email": "nobody@nowhere.example", "interest_value": 1 })),
        )
        .await;
    assert_eq!(status, 400, "unknown lead answers {{error}}");
}

async fn check_emails(c: &mut Checker) {
    let emails = c
        .walk("/api/v2/emails", "/api/v2/emails?sort_order=asc")
        .await;
    assert!(emails.len() > 100);
    let received = emails.iter().find(|e| e["ue_type"] == 2).unwrap().clone();
    for filters in [
        "email_type=received&is_unread=true",
        "latest_of_thread=true&sort_order=desc",
        "min_timestamp_created=2026-10-01T00:00:00.000Z",
    ] {
        c.walk("/api/v2/emails", &format!("/api/v2/emails?{filters}"))
            .await;
    }
    let thread = received["thread_id"].as_str().unwrap();
    c.walk(
        "/api/v2/emails",
        &format!("/api/v2/emails?search=thread:{thread}"),
    )
    .await;
    let id = received["id"].as_str().unwrap();
    c.check(
        Method::GET,
        "/api/v2/emails/{id}",
        &format!("/api/v2/emails/{id}"),
        None,
    )
    .await;
    let (status, _) = c
        .check(
            Method::GET,
            "/api/v2/emails/{id}",
            "/api/v2/emails/0199d1a0-0000-7000-8000-000000000000",
            None,
        )
        .await;
    assert_eq!(status, 404);
    c.check(
        Method::GET,
        "/api/v2/emails/unread/count",
        "/api/v2/emails/unread/count",
        None,
    )
    .await;
    let path = "/api/v2/emails/threads/{thread_id}/mark-as-read";
    c.check(
        Method::POST,
        path,
        &format!("/api/v2/emails/threads/{thread}/mark-as-read"),
        None,
    )
    .await;
    let (status, _) = c
        .check(
            Method::POST,
            path,
            "/api/v2/emails/threads/unknown/mark-as-read",
            None,
        )
        .await;
    assert_eq!(status, 404);
    let reply = json!({
        "eaccount": received["eaccount"], "reply_to_uuid": id, "subject": "Re: hello",
        "body": { "text": "Thanks!", "html": "<p>Thanks!</p>" },
    });
    let (status, sent) = c
        .check(
            Method::POST,
            "/api/v2/emails/reply",
            "/api/v2/emails/reply",
            Some(reply),
        )
        .await;
    assert_eq!((status, sent["ue_type"].clone()), (200, json!(3)));
}

async fn check_small_lists(c: &mut Checker) {
    for path in [
        "/api/v2/lead-lists",
        "/api/v2/lead-labels",
        "/api/v2/custom-tags",
        "/api/v2/custom-tag-mappings",
    ] {
        let items = c.walk(path, path).await;
        assert!(!items.is_empty(), "{path} has items");
    }
}

async fn check_webhooks(c: &mut Checker, base: &str) {
    let path = "/api/v2/webhooks";
    let body = json!({ "target_hook_url": format!("{base}/hook"), "event_type": "reply_received", "headers": { "X-Secret": "s" } });
    let (status, _) = c.check(Method::POST, path, path, Some(body)).await;
    assert_eq!(status, 200);
    let (status, _) = c
        .check(
            Method::POST,
            path,
            path,
            Some(json!({ "target_hook_url": "ftp://nope" })),
        )
        .await;
    assert_eq!(status, 400);
    let hooks = c.walk(path, path).await;
    assert_eq!(hooks.len(), 1);
    c.check(
        Method::GET,
        "/api/v2/webhooks/event-types",
        "/api/v2/webhooks/event-types",
        None,
    )
    .await;
}

#[test]
fn the_spec_validators_reject_answers_that_break_the_contract() {
    let Some(mut spec) = Spec::load() else {
        return;
    };
    let campaign =
        json!({ "id": "not-a-uuid", "status": 1, "campaign_schedule": { "schedules": [] } });
    let errors = spec.errors("GET", "/api/v2/campaigns/{id}", 200, &campaign);
    assert!(errors.iter().any(|e| e.contains("name")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("uuid")),
        "formats are checked: {errors:?}"
    );
    let list = json!({ "items": [], "next_starting_after": 5 });
    assert!(!spec.errors("GET", "/api/v2/emails", 200, &list).is_empty());
    let wrong_401 = json!({ "message": "Unauthorized" });
    assert!(
        !spec
            .errors("GET", "/api/v2/campaigns", 401, &wrong_401)
            .is_empty()
    );
}
