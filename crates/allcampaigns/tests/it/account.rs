//! A person's profile and a tenant's audit page, on both backends.

use allcampaigns::domain::{Email, Role};

use crate::helpers::{TestDb, Visitor, spawn_app};

crate::on_both_backends!(
    a_profile_is_edited_and_bad_values_are_named,
    the_chosen_theme_is_on_every_signed_in_page_and_system_follows_the_device,
    admins_read_and_filter_the_audit_log_and_no_one_else_does,
);

async fn a_profile_is_edited_and_bad_values_are_named(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::signed_in(&app, "ana@example.com").await;
    assert!(
        ana.get("/profile")
            .await
            .text()
            .await
            .unwrap()
            .contains("ana@example.com")
    );
    let saved = ana
        .post(
            "/profile",
            &[
                ("display_name", "Ana Ţepeş"),
                ("avatar_url", "https://img.example/a.png"),
                ("theme", "dark"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert!(
        ana.get("/profile?saved=1")
            .await
            .text()
            .await
            .unwrap()
            .contains("Saved.")
    );
    let user = app
        .store
        .user_by_email(&Email::parse("ana@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (user.display_name.as_str(), user.theme.as_str()),
        ("Ana Ţepeş", "dark")
    );
    for (field, value, message) in [
        ("avatar_url", "http://img.example/a.png", "Avatar URL"),
        ("theme", "neon", "theme"),
        ("locale", "xx", "language"),
    ] {
        let mut form = vec![
            ("display_name", "Ana"),
            ("avatar_url", ""),
            ("theme", "light"),
            ("locale", "en"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let refused = ana.post("/profile", &form).await;
        assert_eq!(refused.status(), 422, "{field}");
        assert!(refused.text().await.unwrap().contains(message), "{field}");
    }
    app.stop().await;
}

async fn the_chosen_theme_is_on_every_signed_in_page_and_system_follows_the_device(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@example.com").await;
    let created = ana.post("/tenants", &[("name", "Acme")]).await;
    let tenant = created.headers()["location"].to_str().unwrap().to_string();
    let pages = [
        "/inbox".to_string(),
        "/clients".into(),
        "/profile".into(),
        "/tenants/new".into(),
        tenant.clone(),
        format!("{tenant}/members"),
        format!("{tenant}/connection"),
        format!("{tenant}/audit"),
    ];
    for (theme, attribute) in [
        ("system", None),
        ("dark", Some(r#"<html lang="en" data-theme="dark">"#)),
        ("light", Some(r#"<html lang="en" data-theme="light">"#)),
    ] {
        let form = [
            ("display_name", ""),
            ("avatar_url", ""),
            ("theme", theme),
            ("locale", "en"),
        ];
        assert_eq!(ana.post("/profile", &form).await.status(), 303);
        // Error pages of a signed-in person wear their theme too: a client that is not theirs,
        // and an address that does not exist.
        let missing = [
            "/t/01900000-0000-7000-8000-000000000000".to_string(),
            "/no-such-page".to_string(),
        ];
        for path in pages.iter().chain(&missing) {
            let page = ana.get(path).await;
            let expected = if missing.contains(path) { 404 } else { 200 };
            assert_eq!(page.status(), expected, "{path}");
            let html = page.text().await.unwrap();
            match attribute {
                Some(attribute) => assert!(html.contains(attribute), "{theme} on {path}"),
                None => assert!(
                    html.contains(r#"<html lang="en">"#),
                    "system leaves the theme to the device on {path}"
                ),
            }
        }
    }
    let signed_out = app.get("/login").await.text().await.unwrap();
    assert!(signed_out.contains(r#"<html lang="en">"#));
    app.stop().await;
}

async fn admins_read_and_filter_the_audit_log_and_no_one_else_does(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let created = owner.post("/tenants", &[("name", "Acme")]).await;
    let tenant = created.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/t/")
        .to_string();
    owner
        .post(&format!("/t/{tenant}/settings"), &[("name", "Acme Ltd")])
        .await;
    let all = owner
        .get(&format!("/t/{tenant}/audit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        all.contains("tenant.created")
            && all.contains("tenant.updated")
            && all.contains("owner@example.com")
    );
    let filtered = owner
        .get(&format!("/t/{tenant}/audit?action=tenant.updated"))
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains("tenant.updated") && !filtered.contains("<td>tenant.created</td>"));
    let future = owner
        .get(&format!("/t/{tenant}/audit?from=2999-01-01"))
        .await
        .text()
        .await
        .unwrap();
    assert!(future.contains("No entries match"));
    let bad = owner
        .get(&format!("/t/{tenant}/audit?from=yesterday"))
        .await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("`yesterday` is not a date like 2026-01-31"),
        "the page quotes what was wrong: {bad}"
    );

    let operator = app
        .store
        .create_user(&Email::parse("op@example.com").unwrap(), "")
        .await
        .unwrap();
    app.store
        .add_member(tenant.parse().unwrap(), operator.id, Role::Operator)
        .await
        .unwrap();
    let mut op = Visitor::signed_in(&app, "op@example.com").await;
    assert_eq!(op.get(&format!("/t/{tenant}/audit")).await.status(), 403);
    let mut stranger = Visitor::signed_in(&app, "stranger@example.com").await;
    assert_eq!(
        stranger.get(&format!("/t/{tenant}/audit")).await.status(),
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn the_first_run_link_creates_the_first_owner_once() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(db.config.clone()).await;
    let public = url::Url::parse("http://127.0.0.1/").unwrap();
    let link = allcampaigns::auth::links::issue_setup_link(&app.store, &public)
        .await
        .unwrap()
        .expect("empty install");
    let token = link
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned();
    let mut visitor = Visitor::arrive(&app).await;
    assert_eq!(
        visitor.get(&format!("/setup?token={token}")).await.status(),
        200
    );
    assert_eq!(
        visitor
            .post("/setup", &[("token", &token), ("email", "not-an-email")])
            .await
            .status(),
        422
    );
    let created = visitor
        .post(
            "/setup",
            &[("token", &token), ("email", "first@example.com")],
        )
        .await;
    assert_eq!(created.status(), 303);
    assert_eq!(created.headers()["location"], "/tenants/new");
    assert_eq!(
        visitor.get("/tenants/new").await.status(),
        200,
        "the first owner is signed in"
    );
    // Security review finding 2: the first owner may create tenants, and the grant is audited.
    let first = allcampaigns::domain::Email::parse("first@example.com").unwrap();
    let first = app.store.user_by_email(&first).await.unwrap().unwrap();
    assert!(app.store.is_install_admin(first.id).await.unwrap());
    let logged = app.store.user_audit_entries(first.id).await.unwrap();
    assert!(logged.iter().any(|e| e.action == "install_admin.granted"));
    let again = Visitor::arrive(&app)
        .await
        .post(
            "/setup",
            &[("token", &token), ("email", "second@example.com")],
        )
        .await;
    assert_eq!(again.status(), 400);
    assert!(
        allcampaigns::auth::links::issue_setup_link(&app.store, &public)
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}
