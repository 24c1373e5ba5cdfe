//! Tenants through the pages: creation, metadata, typed-confirmation deletion, and the access
//! rules (another tenant's URL is 404; a weaker role is 403), on both backends.

use allcampaigns::config::DatabaseConfig;
use allcampaigns::domain::{Email, Role, TenantId};
use allcampaigns::store::AuditFilter;

use crate::helpers::{TestDb, Visitor, spawn_app};

crate::on_both_backends!(
    an_install_admin_creates_a_client_and_becomes_its_owner,
    bad_metadata_is_refused_with_a_message_naming_the_field,
    another_tenants_urls_answer_404_for_every_role,
    only_owners_and_admins_change_settings_and_only_owners_delete,
    deleting_needs_the_name_typed_exactly,
    a_member_of_two_clients_switches_between_them_with_the_current_one_marked,
    the_switcher_never_shows_another_persons_clients,
    the_command_lines_tenant_create_is_audited,
);

/// Creates a client through the form and returns its id.
async fn create_client(visitor: &mut Visitor<'_>, name: &str) -> String {
    let response = visitor
        .post(
            "/tenants",
            &[
                ("name", name),
                ("website", "https://acme.example"),
                ("accent_colour", "#ff8800"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    location.trim_start_matches("/t/").to_string()
}

async fn an_install_admin_creates_a_client_and_becomes_its_owner(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@example.com").await;
    let form = ana.get("/tenants/new").await.text().await.unwrap();
    assert!(form.contains("name=\"name\"") && form.contains("name=\"accent_colour\""));
    let id = create_client(&mut ana, "Acme").await;
    let page = ana.get(&format!("/t/{id}")).await.text().await.unwrap();
    assert!(page.contains("Acme") && page.contains("ana@example.com") && page.contains("owner"));
    let home = ana.get("/clients").await.text().await.unwrap();
    assert!(home.contains(&format!("/t/{id}")));
    let entries = app
        .store
        .audit_entries(
            id.parse().unwrap(),
            &AuditFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["tenant.created"]
    );
    app.stop().await;
}

async fn bad_metadata_is_refused_with_a_message_naming_the_field(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@example.com").await;
    for (field, value, message) in [
        ("website", "not a url", "Website"),
        ("logo_url", "ftp://x.example/logo", "Logo URL"),
        ("accent_colour", "orange", "Accent colour"),
        ("name", "", "name"),
    ] {
        let mut form = vec![("name", "Acme"), (field, value)];
        if field == "name" {
            form.remove(0);
        }
        let response = ana.post("/tenants", &form).await;
        assert_eq!(response.status(), 422, "{field}");
        assert!(response.text().await.unwrap().contains(message), "{field}");
    }
    assert!(
        app.store
            .tenants_of_user(
                app.store
                    .user_by_email(&Email::parse("ana@example.com").unwrap())
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            )
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

async fn another_tenants_urls_answer_404_for_every_role(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner_b = Visitor::install_admin(&app, "owner-b@example.com").await;
    let b = create_client(&mut owner_b, "Bravo").await;
    let mut owner_a = Visitor::install_admin(&app, "owner-a@example.com").await;
    let a = create_client(&mut owner_a, "Alpha").await;
    for role in Role::ALL {
        let address = format!("{role}@a.example");
        let user = app
            .store
            .create_user(&Email::parse(&address).unwrap(), "")
            .await
            .unwrap();
        if role != Role::Owner {
            app.store
                .add_member(a.parse().unwrap(), user.id, role)
                .await
                .unwrap();
        }
        let mut visitor = if role == Role::Owner {
            Visitor::signed_in(&app, "owner-a@example.com").await
        } else {
            Visitor::signed_in(&app, &address).await
        };
        for path in [
            format!("/t/{b}"),
            format!("/t/{b}/settings"),
            "/t/not-a-uuid".to_string(),
        ] {
            assert_eq!(visitor.get(&path).await.status(), 404, "{role} GET {path}");
        }
        for path in [format!("/t/{b}/settings"), format!("/t/{b}/delete")] {
            let response = visitor
                .post(&path, &[("name", "Hijacked"), ("confirm_name", "Bravo")])
                .await;
            assert_eq!(response.status(), 404, "{role} POST {path}");
        }
    }
    let bravo = app.store.tenant(b.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(bravo.name, "Bravo");
    app.stop().await;
}

async fn only_owners_and_admins_change_settings_and_only_owners_delete(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let id = create_client(&mut owner, "Acme").await;
    for (role, can_edit) in [
        (Role::Admin, true),
        (Role::Operator, false),
        (Role::Client, false),
    ] {
        let address = format!("{role}@example.com");
        let user = app
            .store
            .create_user(&Email::parse(&address).unwrap(), "")
            .await
            .unwrap();
        app.store
            .add_member(id.parse().unwrap(), user.id, role)
            .await
            .unwrap();
        let mut visitor = Visitor::signed_in(&app, &address).await;
        assert_eq!(
            visitor.get(&format!("/t/{id}")).await.status(),
            200,
            "{role} sees the tenant"
        );
        let expected = if can_edit { 200 } else { 403 };
        assert_eq!(
            visitor.get(&format!("/t/{id}/settings")).await.status(),
            expected,
            "{role}"
        );
        let update = visitor
            .post(
                &format!("/t/{id}/settings"),
                &[("name", &format!("Renamed by {role}"))],
            )
            .await;
        assert_eq!(update.status(), if can_edit { 303 } else { 403 }, "{role}");
        let delete = visitor
            .post(
                &format!("/t/{id}/delete"),
                &[("confirm_name", "Renamed by admin")],
            )
            .await;
        assert_eq!(delete.status(), 403, "{role} may not delete");
    }
    let tenant = app
        .store
        .tenant(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tenant.name, "Renamed by admin");
    app.stop().await;
}

async fn deleting_needs_the_name_typed_exactly(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let id = create_client(&mut owner, "Acme").await;
    let wrong = owner
        .post(&format!("/t/{id}/delete"), &[("confirm_name", "acme")])
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("exactly"));
    assert!(
        app.store
            .tenant(id.parse().unwrap())
            .await
            .unwrap()
            .is_some()
    );
    let right = owner
        .post(&format!("/t/{id}/delete"), &[("confirm_name", "Acme")])
        .await;
    assert_eq!(right.status(), 303);
    assert!(
        app.store
            .tenant(id.parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(owner.get(&format!("/t/{id}")).await.status(), 404);
    app.stop().await;
}

/// The client switcher of a page (the `<nav aria-label="Clients">` of the layout).
fn switcher_of(page: &str) -> &str {
    let start = page
        .find(r#"<nav class="switcher" aria-label="Clients">"#)
        .expect("a client switcher");
    let end = start + page[start..].find("</nav>").expect("a closed nav");
    &page[start..end]
}

async fn a_member_of_two_clients_switches_between_them_with_the_current_one_marked(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@example.com").await;
    let acme = create_client(&mut ana, "Acme").await;
    let globex = create_client(&mut ana, "Globex").await;
    let page = ana.get(&format!("/t/{acme}")).await.text().await.unwrap();
    let switcher = switcher_of(&page);
    assert!(
        switcher.contains(&format!(
            r#"<a href="/t/{acme}" aria-current="page">Acme</a>"#
        )),
        "{switcher}"
    );
    assert!(
        switcher.contains(&format!(r#"<a href="/t/{globex}">Globex</a>"#)),
        "{switcher}"
    );
    assert!(
        switcher.contains(r#"<a href="/clients">All clients</a>"#),
        "{switcher}"
    );
    let home = ana.get("/clients").await.text().await.unwrap();
    assert!(
        switcher_of(&home).contains(r#"<a href="/clients" aria-current="page">All clients</a>"#),
        "on the home page, all clients is the current scope"
    );
    app.stop().await;
}

async fn the_switcher_never_shows_another_persons_clients(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@example.com").await;
    let mut bob = Visitor::install_admin(&app, "bob@example.com").await;
    create_client(&mut ana, "Acme Secret").await;
    let bobs = create_client(&mut bob, "Bobcorp").await;
    for path in [format!("/t/{bobs}"), "/clients".to_string()] {
        let page = bob.get(&path).await.text().await.unwrap();
        let switcher = switcher_of(&page);
        assert!(switcher.contains("Bobcorp"), "{path}: {switcher}");
        assert!(!switcher.contains("Acme Secret"), "{path}: {switcher}");
    }
    app.stop().await;
}

/// The environment that points the real binary at this test's database.
fn binary_env(db: &TestDb) -> Vec<(String, String)> {
    use secrecy::ExposeSecret;
    let mut env = vec![(
        "ALLCAMPAIGNS_DATA_DIR".to_string(),
        db.dir.path().display().to_string(),
    )];
    if let DatabaseConfig::Postgres { url, .. } = &db.config.database {
        env.push(("DATABASE_URL".into(), url.expose_secret().to_string()));
        let owner = db.owner_url.clone().expect("postgres");
        env.push(("ALLCAMPAIGNS_MIGRATE_DATABASE_URL".into(), owner));
        let key = allcampaigns::crypto::format_key(1, &[42; 32]);
        env.push(("ALLCAMPAIGNS_MASTER_KEY".into(), key.to_string()));
    }
    env
}

/// Issue 11: `tenant create` runs the same rule as the page and the API, so it writes
/// `tenant.created` too (by no person, via the command line).
async fn the_command_lines_tenant_create_is_audited(db: TestDb) {
    let env = binary_env(&db);
    let dir = db.dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
            .args([
                "tenant",
                "create",
                "--name",
                "Acme",
                "--owner",
                "ops@example.com",
            ])
            .current_dir(dir)
            .env_clear()
            .envs(env)
            .output()
            .expect("the binary runs")
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let id: TenantId = String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let store = db.store().await;
    let filter = AuditFilter {
        limit: 10,
        ..Default::default()
    };
    let entries = store.audit_entries(id, &filter).await.unwrap();
    let [entry] = entries.as_slice() else {
        panic!("one entry expected, got {entries:?}")
    };
    assert_eq!(entry.action, "tenant.created");
    assert_eq!(entry.actor_id, None);
    assert_eq!(entry.details["name"], "Acme");
    assert_eq!(entry.details["via"], "command_line");
    let owner = store
        .user_by_email(&Email::parse("ops@example.com").unwrap())
        .await
        .unwrap()
        .expect("the owner was made");
    assert_eq!(
        store.member_role(id, owner.id).await.unwrap(),
        Some(Role::Owner)
    );
}
