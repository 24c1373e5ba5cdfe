//! The shell (issue 12): every signed-in page carries the sidebar of the product's areas, each
//! area answers a page (the ones not built yet say what is coming, never 404), the current area
//! is marked for screen readers, and nobody signed out gets past the sign-in page.

use crate::helpers::{TestApp, TestDb, Visitor, spawn_app};

crate::on_both_backends!(every_area_of_the_sidebar_answers_and_marks_itself_current);

const AREAS: [&str; 5] = ["/inbox", "/leads", "/analytics", "/connections", "/clients"];

async fn every_area_of_the_sidebar_answers_and_marks_itself_current(db: TestDb) {
    let app: TestApp = spawn_app(db.config.clone()).await;
    for area in AREAS {
        let refused = app.get(area).await;
        assert_eq!(refused.status(), 303, "{area}");
        let to = refused.headers()["location"].to_str().unwrap();
        assert!(to.starts_with("/login"), "{area} → {to}");
    }

    let mut ana = Visitor::install_admin(&app, "ana@example.com").await;
    let client = ana.post("/tenants", &[("name", "Acme")]).await;
    let client = client.headers()["location"].to_str().unwrap().to_string();
    for (area, current) in AREAS
        .iter()
        .map(|area| (area.to_string(), *area))
        .chain([(client, "/clients")])
    {
        let page = ana.get(&area).await;
        assert_eq!(page.status(), 200, "{area}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains(r#"<nav class="sidebar" aria-label="Areas">"#),
            "{area}"
        );
        for link in AREAS {
            assert!(
                html.contains(&format!(r#"href="{link}""#)),
                "{area}: {link}"
            );
        }
        let marked = format!(r#"<a href="{current}" aria-current="page">"#);
        assert!(html.contains(&marked), "{area}: {current} is current");
    }
    let start = ana.get("/").await;
    assert_eq!(start.status(), 303, "a signed-in person lands on the inbox");
    assert_eq!(start.headers()["location"], "/inbox");
    let leads = ana.get("/leads").await.text().await.unwrap();
    assert!(leads.contains("<h1>Leads</h1>"), "the leads list");
    app.stop().await;
}
