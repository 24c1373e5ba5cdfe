//! Streams are typed (`domain::Stream`) but keep their stored names everywhere a person or a
//! program reads them (code review 2.2 / change 3).

use serde_json::{Value, json};

use crate::helpers::{TestDb, spawn_app};

/// The names in `sync_streams.stream` of every existing install, in cycle order.
const STORED: [&str; 12] = [
    "workspace",
    "campaigns",
    "mailboxes",
    "lead_lists",
    "lead_labels",
    "custom_tags",
    "custom_tag_mappings",
    "campaign_analytics",
    "mailbox_analytics",
    "emails",
    "leads",
    "leads_reconcile",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_the_stored_stream_names() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(db.config.clone()).await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let schemas = &document["components"]["schemas"];
    assert_eq!(schemas["Stream"]["enum"], json!(STORED), "{schemas:#}");
    assert_eq!(
        schemas["StreamStatus"]["properties"]["stream"]["$ref"],
        "#/components/schemas/Stream"
    );
    app.stop().await;
}
