//! Attachments listed in the thread view and the JSON thread (both backends): each file's name,
//! size and type as Instantly listed it, synced through sync's own write path; a download link
//! only for an `https` address; a hostile name shown as text.

use serde_json::json;

use crate::helpers::{TestDb, Visitor, spawn_app};
use crate::inbox_seed::{Msg, write};

crate::on_both_backends!(attachments_are_listed_with_https_links_only_and_names_as_text);

async fn attachments_are_listed_with_https_links_only_and_names_as_text(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let tenant = ana.new_client("Acme").await;
    let mut reply = Msg::new(tenant, "files", "files-1", 0);
    reply.lead = Some("lead@example.com".into());
    reply.attachments = Some(json!({"files": [
        {"filename": "offer.pdf", "size": 1927, "type": "application/pdf",
         "url": "https://cdn.example.com/offer.pdf"},
        {"filename": "<script>alert(1)</script>.txt", "size": 12, "url": "javascript:alert(1)"},
    ]}));
    let mut plain = Msg::new(tenant, "files", "files-2", 5);
    plain.lead = reply.lead.clone();
    write(&app.store, &[reply, plain], &[]).await;

    let page = ana.get(&format!("/inbox/t/{tenant}/files?view=all")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert_eq!(
        html.matches(r#"class="attachments""#).count(),
        1,
        "one message has files"
    );
    assert!(html.contains(
        r#"<a href="https://cdn.example.com/offer.pdf" rel="noopener noreferrer" target="_blank">offer.pdf</a> <span class="muted">(1.9 KB, application/pdf)</span>"#
    ), "{html}");
    assert!(
        html.contains("<li>&#60;script&#62;alert(1)&#60;/script&#62;.txt <span class=\"muted\">(12 bytes)</span></li>"),
        "the name is text, never markup"
    );
    assert!(
        !html.contains("javascript:alert"),
        "no link to a javascript: address"
    );

    let token = crate::api::token_for(&app, "ana@agency.example").await;
    let path = format!("/api/v1/tenants/{tenant}/threads/files");
    let (status, body) = crate::api::call(&app, &token, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 200);
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(
        messages[0]["attachments"],
        json!([
            {"filename": "offer.pdf", "size": 1927, "type": "application/pdf",
             "url": "https://cdn.example.com/offer.pdf"},
            {"filename": "<script>alert(1)</script>.txt", "size": 12, "type": null, "url": null},
        ])
    );
    assert_eq!(messages[1]["attachments"], json!([]));
    app.stop().await;
}
