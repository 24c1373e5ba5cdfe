//! What people may write on a lead, over the JSON API on both backends: a markdown and XSS
//! corpus in notes and call notes renders inert (only the light tags, links with http, https
//! or mailto addresses and our `rel`, no image, frame, style or script, no event handler), and
//! refused input answers 4xx naming the field, never 500. The renderer's own corpus is in
//! `allcampaigns/src/leads/markdown/tests.rs`.

use regex::Regex;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::lead_fixture::{calls, hours_ago, notes, setup};
use crate::on_both_backends;

on_both_backends!(
    a_hostile_markdown_corpus_renders_inert_in_notes_and_call_notes,
    refused_input_answers_4xx_naming_the_field,
);

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "**<img src=x onerror=alert(1)>**",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<style>body{background:url(https://t.example/x)}</style>",
    "<a href=\"javascript:alert(1)\" onclick=\"alert(1)\">x</a>",
    "<div onmouseover=\"alert(1)\">x</div>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](//evil.example/)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x](http://ok.example/\"onmouseover=\"alert(1))",
    "<javascript:alert(1)>",
    "![x](http://evil.example/i.png)",
    "![x](javascript:alert(1))",
    "[![x](http://evil.example/i.png)](javascript:alert(1))",
    "* <script>alert(1)</script>\n* [y](data:text/html,x)",
    "```\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
];

const TAGS: &[&str] = &["a", "br", "em", "li", "ol", "p", "strong", "ul"];

/// Where rendered markup breaks the policy, read as text: every `<` opens an allowed tag whose
/// only attributes are a quoted http(s)/mailto `href`, our `rel` and a list's `start`.
fn violation(html: &str) -> Option<String> {
    let tag = Regex::new(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^<>]*)>").unwrap();
    let attribute = Regex::new(r#"\s*([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)""#).unwrap();
    if tag.find_iter(html).count() != html.matches('<').count() {
        return Some("a `<` that opens no tag".into());
    }
    for found in tag.captures_iter(html) {
        let name = found[2].to_ascii_lowercase();
        if !TAGS.contains(&name.as_str()) {
            return Some(format!("tag {name}"));
        }
        if !attribute.replace_all(&found[3], "").trim().is_empty() {
            return Some(format!("an unquoted attribute in {}", &found[0]));
        }
        for pair in attribute.captures_iter(&found[3]) {
            let value = pair[2].to_ascii_lowercase();
            let safe = match &pair[1] {
                "href" => ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|scheme| value.starts_with(scheme)),
                "rel" => value == "noopener noreferrer nofollow",
                "start" => value.chars().all(|c| c.is_ascii_digit()),
                _ => false,
            };
            if !safe {
                return Some(format!("{}={value:?}", &pair[1]));
            }
        }
    }
    None
}

async fn a_hostile_markdown_corpus_renders_inert_in_notes_and_call_notes(db: TestDb) {
    let s = setup(&db).await;
    let mut note_ids = Vec::new();
    for source in HOSTILE {
        let note = s
            .add_note(&s.client, "lead-a", json!({"body": source}))
            .await;
        assert_eq!(note["body"], source.trim(), "the source is kept as written");
        let html = note["html"].as_str().unwrap();
        assert_eq!(violation(html), None, "{source:?}: {html}");
        note_ids.push(note["note_id"].clone());
        let log = json!({"at": hours_ago(1), "duration_seconds": 1, "outcome": "connected",
            "notes": source});
        let path = calls(s.a, "lead-a");
        let (status, call) = s.call(&s.operator, Method::POST, &path, Some(log)).await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        let html = call["notes_html"].as_str().unwrap();
        assert_eq!(violation(html), None, "call notes {source:?}: {html}");
    }
    // As stored and read back, for the team and for the client.
    for token in [&s.owner, &s.client] {
        let path = format!("{}?limit=100", notes(s.a, "lead-a"));
        let (_, list) = s.call(token, Method::GET, &path, None).await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), HOSTILE.len());
        for item in items {
            assert_eq!(violation(item["html"].as_str().unwrap()), None, "{item}");
        }
    }
    let (_, list) = s
        .call(
            &s.owner,
            Method::GET,
            &format!("{}?limit=100", calls(s.a, "lead-a")),
            None,
        )
        .await;
    for item in list["items"].as_array().unwrap() {
        assert_eq!(
            violation(item["notes_html"].as_str().unwrap()),
            None,
            "{item}"
        );
    }
    s.app.stop().await;
}

async fn refused_input_answers_4xx_naming_the_field(db: TestDb) {
    let s = setup(&db).await;
    let (note_path, call_path) = (notes(s.a, "lead-a"), calls(s.a, "lead-a"));
    let (n, c) = (note_path.as_str(), call_path.as_str());
    let fine = || json!({"at": hours_ago(1), "duration_seconds": 60, "outcome": "connected"});
    let with = |field: &str, value: Value| {
        let mut body = fine();
        body[field] = value;
        body
    };
    let long = "x".repeat(10_001);
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (n, json!({"body": ""}), 422, "body:"),
        (n, json!({"body": " \n\t "}), 422, "body:"),
        (n, json!({"body": long}), 422, "body:"),
        (n, json!({"body": "a\u{0}b"}), 422, "body:"),
        (n, json!({}), 400, "body"),
        (n, json!({"body": 5}), 400, "body"),
        (n, json!({"body": "x", "shared": "yes"}), 400, "shared"),
        (n, json!({"body": "x", "pinned": true}), 400, "pinned"),
        (c, with("outcome", json!("answered")), 422, "outcome:"),
        (
            c,
            with("duration_seconds", json!(-1)),
            422,
            "duration_seconds:",
        ),
        (
            c,
            with("duration_seconds", json!(86_401)),
            422,
            "duration_seconds:",
        ),
        (
            c,
            with("duration_seconds", json!("long")),
            400,
            "duration_seconds",
        ),
        (
            c,
            with("duration_seconds", json!(1e30)),
            400,
            "duration_seconds",
        ),
        (c, with("at", json!("yesterday")), 422, "at:"),
        (c, with("at", json!("2026-11-30T10:00:00")), 422, "at:"),
        (c, with("at", json!("2999-01-01T00:00:00Z")), 422, "at:"),
        (c, with("at", json!(null)), 400, "at"),
        (c, with("notes", json!("x".repeat(10_001))), 422, "notes:"),
        (
            c,
            with("call_back_at", json!(hours_ago(-5))),
            422,
            "call_back_at:",
        ),
    ];
    for (path, body, status, named) in cases {
        let (got, answer) = s
            .call(&s.owner, Method::POST, path, Some(body.clone()))
            .await;
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert_eq!(got.as_u16(), status, "{body}: {answer}");
        assert!(message.contains(named), "{body}: `{message}` names {named}");
    }
    let back = with("outcome", json!("call_back"));
    let mut back = back;
    back["call_back_at"] = json!(hours_ago(3));
    let (status, answer) = s.call(&s.owner, Method::POST, &call_path, Some(back)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a call back before the call"
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("call_back_at:")
    );
    let ok = json!({"body": "x".repeat(10_000)});
    let (status, _) = s.call(&s.owner, Method::POST, &note_path, Some(ok)).await;
    assert_eq!(status, StatusCode::CREATED, "10,000 characters fit");
    for path in [&note_path, &call_path] {
        let response = s
            .app
            .client
            .post(s.app.url(path))
            .bearer_auth(&s.owner)
            .header("content-type", "application/json")
            .body("{\"body\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "malformed JSON");
        for (query, named) in [
            ("limit=0", "limit:"),
            ("limit=x", "limit:"),
            ("cursor=zz", "cursor:"),
        ] {
            let (status, answer) = s
                .call(&s.owner, Method::GET, &format!("{path}?{query}"), None)
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(named),
                "{answer}"
            );
        }
    }
    let note = s
        .add_note(&s.owner, "lead-a", json!({"body": "keep"}))
        .await;
    let one = format!("{note_path}/{}", note["note_id"].as_str().unwrap());
    for (change, named) in [
        (json!({"body": ""}), "body:"),
        (json!({"body": "x".repeat(10_001)}), "body:"),
    ] {
        let (status, answer) = s.call(&s.owner, Method::PATCH, &one, Some(change)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(named)
        );
    }
    let (_, kept) = s.call(&s.owner, Method::GET, &one, None).await;
    assert_eq!(kept["body"], "keep");
    // Hostile lead ids never fail the server.
    for lead in [
        "%00",
        "a%00%40b",
        "%40",
        &"x".repeat(5000),
        "a%40b%40c",
        "..%2F..",
        "%E2%80%AE",
    ] {
        for path in [notes(s.a, lead), calls(s.a, lead)] {
            let (status, _) = s.call(&s.owner, Method::GET, &path, None).await;
            assert!(status.is_client_error(), "{path}: {status}");
        }
    }
    s.app.stop().await;
}
