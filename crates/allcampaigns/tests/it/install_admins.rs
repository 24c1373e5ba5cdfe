//! Who may create tenants (security review finding 2): install admins only, on the pages and
//! the API; install admins grant and revoke the right on `/admins` and `/api/v1/admins`, audited
//! in both people's user audit log; an upgraded install keeps its first tenant's owners as
//! install admins. On both backends.

use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::store::DynStore;
use allcampaigns::store::sqlite::{MIGRATOR as SQLITE_MIGRATOR, SqliteStore};
use reqwest::Method;
use serde_json::json;

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, Visitor, member, spawn_app};
use crate::invitations::client;

crate::on_both_backends!(
    finding_2_people_who_are_not_install_admins_get_403_on_creating_tenants,
    finding_2_install_admins_grant_and_revoke_the_right_and_it_is_audited,
    finding_2_the_upgrade_makes_the_earliest_tenants_owners_install_admins,
);

async fn user_id(app: &TestApp, address: &str) -> UserId {
    let email = Email::parse(address).unwrap();
    app.store.user_by_email(&email).await.unwrap().unwrap().id
}

async fn finding_2_people_who_are_not_install_admins_get_403_on_creating_tenants(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut agency = Visitor::install_admin(&app, "owner@agency.example").await;
    let tenant = client(&mut agency, "Agency client").await;
    let home = agency.get("/clients").await.text().await.unwrap();
    assert!(home.contains(r#"href="/tenants/new""#) && home.contains(r#"href="/admins""#));
    for role in [Role::Admin, Role::Operator, Role::Client] {
        let address = format!("{role}@client.example");
        member(&app, tenant, &address, role).await;
        let mut visitor = Visitor::signed_in(&app, &address).await;
        assert_eq!(visitor.get("/tenants/new").await.status(), 403, "{role}");
        let created = visitor.post("/tenants", &[("name", "Mine")]).await;
        assert_eq!(created.status(), 403, "{role}");
        let home = visitor.get("/clients").await.text().await.unwrap();
        assert!(!home.contains("/tenants/new"), "{role}: the link is hidden");
        assert!(!home.contains(r#"href="/admins""#), "{role}");
        assert_eq!(visitor.get("/admins").await.status(), 403, "{role}");
        let grant = visitor.post("/admins", &[("email", &address)]).await;
        assert_eq!(grant.status(), 403, "{role}");
        let token = token_for(&app, &address).await;
        let body = json!({"name": "Mine"});
        let (status, error) = call(&app, &token, Method::POST, "/api/v1/tenants", Some(body)).await;
        assert_eq!(
            (status.as_u16(), error["error"]["code"].as_str()),
            (403, Some("forbidden"))
        );
        let (status, _) = call(&app, &token, Method::GET, "/api/v1/admins", None).await;
        assert_eq!(status, 403, "{role}");
        let body = json!({"email": address});
        let (status, _) = call(&app, &token, Method::POST, "/api/v1/admins", Some(body)).await;
        assert_eq!(status, 403, "{role}");
        let me = user_id(&app, &address).await;
        assert!(!app.store.is_install_admin(me).await.unwrap(), "{role}");
    }
    let owned = app
        .store
        .tenants_of_user(user_id(&app, "client@client.example").await);
    assert_eq!(owned.await.unwrap().len(), 1, "the client made no tenant");
    app.stop().await;
}

async fn finding_2_install_admins_grant_and_revoke_the_right_and_it_is_audited(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut first = Visitor::install_admin(&app, "first@agency.example").await;
    let tenant = client(&mut first, "Acme").await;
    let rep = member(&app, tenant, "rep@client.example", Role::Client).await;
    let mut rep_visitor = Visitor::signed_in(&app, "rep@client.example").await;
    assert_eq!(
        rep_visitor
            .post("/tenants", &[("name", "Mine")])
            .await
            .status(),
        403
    );

    assert_eq!(first.get("/admins").await.status(), 200);
    let unknown = first
        .post("/admins", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(unknown.status(), 422);
    assert!(unknown.text().await.unwrap().contains("has no account yet"));
    let granted = first
        .post("/admins", &[("email", "rep@client.example")])
        .await;
    assert_eq!(granted.status(), 303);
    let page = first.get("/admins").await.text().await.unwrap();
    assert!(page.contains("rep@client.example"));
    assert_eq!(
        rep_visitor
            .post("/tenants", &[("name", "Mine")])
            .await
            .status(),
        303
    );

    let revoked = first.post(&format!("/admins/{rep}/revoke"), &[]).await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(
        rep_visitor
            .post("/tenants", &[("name", "Again")])
            .await
            .status(),
        403
    );
    let me = user_id(&app, "first@agency.example").await;
    let last = first.post(&format!("/admins/{me}/revoke"), &[]).await;
    assert_eq!(last.status(), 409, "the last install admin stays");
    assert_eq!(
        first.post("/admins/not-a-user/revoke", &[]).await.status(),
        404
    );

    for user in [me, rep] {
        let entries = app.store.user_audit_entries(user).await.unwrap();
        let logged: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert!(logged.contains(&"install_admin.granted"), "{logged:?}");
        assert!(logged.contains(&"install_admin.revoked"), "{logged:?}");
    }

    let token = token_for(&app, "first@agency.example").await;
    let body = json!({"email": "rep@client.example"});
    let (status, _) = call(&app, &token, Method::POST, "/api/v1/admins", Some(body)).await;
    assert_eq!(status, 204);
    let (status, list) = call(&app, &token, Method::GET, "/api/v1/admins", None).await;
    assert_eq!(status, 200);
    assert_eq!(list["admins"].as_array().unwrap().len(), 2);
    let body = json!({"email": "not an email"});
    let (status, error) = call(&app, &token, Method::POST, "/api/v1/admins", Some(body)).await;
    assert_eq!(status, 422);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("email:")
    );
    let path = format!("/api/v1/admins/{rep}");
    let (status, _) = call(&app, &token, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &app,
        &token,
        Method::DELETE,
        &format!("/api/v1/admins/{me}"),
        None,
    )
    .await;
    assert_eq!(status, 409);
    let body = json!({"name": "Made by API"});
    let (status, _) = call(&app, &token, Method::POST, "/api/v1/tenants", Some(body)).await;
    assert_eq!(status, 201, "an install admin creates over the API");
    app.stop().await;
}

/// Two owners of the first tenant, and a later tenant whose owner is also a client of the
/// first (a macro: the statements are the same on both backends, the connection types differ).
macro_rules! seed_old_install {
    ($conn:expr) => {{
        let conn = $conn;
        let ids = [UserId::new(), UserId::new(), UserId::new()];
        let now = chrono::Utc::now();
        for (n, id) in ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO users (id, email, display_name, created_at, updated_at) \
                 VALUES ($1, $2, '', $3, $3)",
            )
            .bind(*id)
            .bind(format!("u{n}@example.com"))
            .bind(now)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        let (first, later) = (TenantId::new(), TenantId::new());
        for (tenant, age) in [(first, 2), (later, 1)] {
            sqlx::query(
                "INSERT INTO tenants (tenant_id, name, created_at, updated_at) \
                 VALUES ($1, 'T', $2, $2)",
            )
            .bind(tenant)
            .bind(now - chrono::Duration::days(age))
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        for (tenant, user, role) in [
            (first, ids[0], "owner"),
            (first, ids[1], "owner"),
            (first, ids[2], "client"),
            (later, ids[2], "owner"),
        ] {
            sqlx::query(
                "INSERT INTO memberships (tenant_id, user_id, role, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(tenant)
            .bind(user)
            .bind(role)
            .bind(now)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        Before {
            first_owners: [ids[0], ids[1]],
            later_owner: ids[2],
        }
    }};
}

/// Rows as an install from before migration 0007 held them.
struct Before {
    first_owners: [UserId; 2],
    later_owner: UserId,
}

const LAST_BEFORE_INSTALL_ADMINS: i64 = 6;

async fn finding_2_the_upgrade_makes_the_earliest_tenants_owners_install_admins(db: TestDb) {
    let before = if db.is_postgres() {
        let mut owner = db.owner().await;
        allcampaigns::store::postgres::MIGRATOR
            .run_to(LAST_BEFORE_INSTALL_ADMINS, &mut owner)
            .await
            .unwrap();
        // Seeded past row-level security, as the app would have written it tenant by tenant.
        seed_old_install!(&mut db.superuser().await)
    } else {
        let allcampaigns::config::DatabaseConfig::Sqlite { path } = &db.config.database else {
            unreachable!("a SQLite test database")
        };
        let old = SqliteStore::open(path, 1).await.unwrap();
        SQLITE_MIGRATOR
            .run_to(LAST_BEFORE_INSTALL_ADMINS, old.pool())
            .await
            .unwrap();
        let mut conn = old.pool().acquire().await.unwrap();
        seed_old_install!(&mut *conn)
    };
    let store: DynStore = db.store().await;
    for owner in before.first_owners {
        assert!(store.is_install_admin(owner).await.unwrap());
    }
    assert!(!store.is_install_admin(before.later_owner).await.unwrap());
    assert_eq!(store.install_admins().await.unwrap().len(), 2);
}

#[tokio::test]
async fn finding_2_the_command_line_makes_an_install_admin_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        ["admin", "create-user", "plain@example.com", ""],
        [
            "admin",
            "create-user",
            "boss@example.com",
            "--install-admin",
        ],
    ] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
            .args(&args)
            .current_dir(dir.path())
            .env_clear()
            .output()
            .expect("the binary runs");
        assert!(output.status.success(), "{output:?}");
    }
    let path = dir.path().join("data/allcampaigns.db");
    let store: DynStore = std::sync::Arc::new(SqliteStore::open(&path, 1).await.unwrap());
    let admins = store.install_admins().await.unwrap();
    let emails: Vec<&str> = admins.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(emails, ["boss@example.com"]);
}
