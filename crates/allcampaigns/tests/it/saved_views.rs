//! Saved views over the JSON API on both backends: private views (a client representative
//! may keep them too) and views shared with a client's team (a role that works leads makes
//! them; their maker or a client admin changes them), listed with their counts over the
//! clients the caller sees, refused input named, every change audited. Another person's private
//! view and another client's shared view answer 404. The role matrix is in `api.rs`.

use allcampaigns::auth::tokens::{NewToken, issue};
use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::inbox::views::{SavedView, ViewFilter, Visibility};
use allcampaigns::store::{AuditFilter, DynStore, NewAuditEntry, TenantProfile};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, member, spawn_app};
use crate::inbox_api::one_thread;
use crate::on_both_backends;

on_both_backends!(
    views_are_listed_with_counts_kept_private_or_shared_and_audited,
    roles_decide_who_shares_and_changes_and_strangers_get_404,
    refused_views_name_their_problem,
);

/// A view shared with `tenant`'s team, written straight to the store (the matrix's fixture).
pub async fn shared_view(store: &DynStore, tenant: TenantId, by: UserId, name: &str) -> String {
    let now = chrono::Utc::now();
    let view = SavedView {
        id: uuid::Uuid::now_v7(),
        name: name.into(),
        filter: ViewFilter::default(),
        visibility: Visibility::Shared {
            tenant,
            created_by: Some(by),
        },
        created_at: now,
        updated_at: now,
    };
    let entry = NewAuditEntry {
        actor: Some(by),
        action: "view.created".into(),
        target: None,
        details: json!({}),
        request_id: None,
    };
    store.insert_view(&view, &entry).await.unwrap();
    view.id.to_string()
}

struct Setup {
    app: TestApp,
    /// Owns A and B.
    ops: String,
    ops_id: UserId,
    /// A client representative of A.
    rep: String,
    /// An operator of A.
    operator: String,
    /// Owns C only.
    stranger: String,
    a: TenantId,
    b: TenantId,
}

async fn setup(db: &TestDb) -> Setup {
    let app = spawn_app(db.config.clone()).await;
    let ops = token_for(&app, "ops@agency.example").await;
    let stranger = token_for(&app, "other@else.example").await;
    let ops_id = user(&app, "ops@agency.example").await;
    let stranger_id = user(&app, "other@else.example").await;
    let mut tenants = Vec::new();
    for (name, owner) in [("A", ops_id), ("B", ops_id), ("C", stranger_id)] {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        let tenant = app
            .store
            .create_tenant(Some(owner), &profile)
            .await
            .unwrap();
        one_thread(&app.store, tenant.id, &format!("t-{name}")).await;
        tenants.push(tenant.id);
    }
    let rep = token_for(&app, "rep@client.example").await;
    member(&app, tenants[0], "rep@client.example", Role::Client).await;
    let operator = token_for(&app, "op@agency.example").await;
    member(&app, tenants[0], "op@agency.example", Role::Operator).await;
    Setup {
        app,
        ops,
        ops_id,
        rep,
        operator,
        stranger,
        a: tenants[0],
        b: tenants[1],
    }
}

async fn user(app: &TestApp, address: &str) -> UserId {
    let email = Email::parse(address).unwrap();
    app.store.user_by_email(&email).await.unwrap().unwrap().id
}

impl Setup {
    async fn create(&self, token: &str, body: Value) -> (StatusCode, Value) {
        call(&self.app, token, Method::POST, "/api/v1/views", Some(body)).await
    }

    /// The caller's views by name: (visibility, count).
    async fn list(&self, token: &str) -> Vec<(String, String, i64)> {
        let (status, body) = call(&self.app, token, Method::GET, "/api/v1/views", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut views: Vec<(String, String, i64)> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let name = v["name"].as_str().unwrap().to_owned();
                let visibility = v["visibility"].as_str().unwrap().to_owned();
                (name, visibility, v["count"].as_i64().unwrap())
            })
            .collect();
        views.sort();
        views
    }

    async fn change(&self, token: &str, method: Method, id: &str) -> StatusCode {
        let path = format!("/api/v1/views/{id}");
        let body = (method == Method::PATCH).then(|| json!({"name": format!("Renamed {id}")}));
        call(&self.app, token, method, &path, body).await.0
    }
}

fn id(body: &Value) -> String {
    body["view_id"].as_str().unwrap().to_owned()
}

async fn views_are_listed_with_counts_kept_private_or_shared_and_audited(db: TestDb) {
    let s = setup(&db).await;
    let all = json!({"name": "Everything", "filter": {"view": "all"}});
    let (status, everything) = s.create(&s.ops, all).await;
    assert_eq!(status, StatusCode::CREATED, "{everything}");
    assert_eq!(everything["visibility"], "private");
    assert_eq!(everything["filter"], json!({"view": "all"}));
    let only_a = json!({"name": "Only A", "filter": {"view": "all", "tenant": s.a.to_string()}});
    let (_, only_a) = s.create(&s.ops, only_a).await;
    let team = json!({"name": "Team A", "shared_with": s.a.to_string(),
        "filter": {"q": "интересно", "unread": "true"}});
    let (status, team) = s.create(&s.ops, team).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    assert_eq!(team["tenant_id"], s.a.to_string());
    let none = json!({"name": "Nothing", "filter": {"q": "nowhere"}});
    assert_eq!(s.create(&s.ops, none).await.0, StatusCode::CREATED);
    // Counts run over the clients the caller sees: A and B, never C.
    let expected = |rows: &[(&str, &str, i64)]| -> Vec<(String, String, i64)> {
        rows.iter()
            .map(|(n, v, c)| ((*n).into(), (*v).into(), *c))
            .collect()
    };
    assert_eq!(
        s.list(&s.ops).await,
        expected(&[
            ("Everything", "private", 2),
            ("Nothing", "private", 0),
            ("Only A", "private", 1),
            ("Team A", "shared", 1),
        ])
    );
    // The client representative sees the team's view, not ops' private ones, and may keep
    // their own.
    let mine = json!({"name": "Mine", "filter": {"view": "done"}});
    assert_eq!(s.create(&s.rep, mine).await.0, StatusCode::CREATED);
    assert_eq!(
        s.list(&s.rep).await,
        expected(&[("Mine", "private", 0), ("Team A", "shared", 1)])
    );
    assert!(s.list(&s.stranger).await.is_empty());
    // Renamed and refiltered, then deleted.
    let path = format!("/api/v1/views/{}", id(&only_a));
    let change = json!({"name": "Just A", "filter": {"view": "done", "tenant": s.a.to_string()}});
    let (status, changed) = call(&s.app, &s.ops, Method::PATCH, &path, Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "Just A");
    assert_eq!(
        s.change(&s.ops, Method::DELETE, &id(&everything)).await,
        204
    );
    let names: Vec<String> = s.list(&s.ops).await.into_iter().map(|v| v.0).collect();
    assert_eq!(names, ["Just A", "Nothing", "Team A"]);
    // Shared views are audited in their client's trail, private ones in the person's.
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    let audit = s.app.store.audit_entries(s.a, &filter).await.unwrap();
    let team_id = id(&team);
    assert!(
        audit
            .iter()
            .any(|e| e.action == "view.created" && e.target.as_deref() == Some(&team_id))
    );
    let trail = s.app.store.user_audit_entries(s.ops_id).await.unwrap();
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("view."))
        .collect();
    let created = ["view.created"; 3];
    assert_eq!(
        actions,
        [&created[..], &["view.updated", "view.deleted"]].concat()
    );
}

async fn roles_decide_who_shares_and_changes_and_strangers_get_404(db: TestDb) {
    let s = setup(&db).await;
    let shared =
        |name: &str, tenant: TenantId| json!({"name": name, "shared_with": tenant.to_string()});
    let (_, team) = s.create(&s.ops, shared("Team A", s.a)).await;
    let (_, private) = s.create(&s.ops, json!({"name": "Private"})).await;
    let (_, in_b) = s.create(&s.ops, shared("Team B", s.b)).await;
    // A client representative may not share, nor change the team's views.
    assert_eq!(
        s.create(&s.rep, shared("Rep's", s.a)).await.0,
        StatusCode::FORBIDDEN
    );
    for method in [Method::PATCH, Method::DELETE] {
        assert_eq!(s.change(&s.rep, method, &id(&team)).await, 403);
    }
    // An operator shares and changes their own view; not one an admin made; the admin
    // changes theirs.
    let (status, op_view) = s.create(&s.operator, shared("Operator's", s.a)).await;
    assert_eq!(status, StatusCode::CREATED, "{op_view}");
    assert_eq!(
        s.change(&s.operator, Method::PATCH, &id(&op_view)).await,
        200
    );
    assert_eq!(s.change(&s.operator, Method::PATCH, &id(&team)).await, 403);
    assert_eq!(s.change(&s.ops, Method::PATCH, &id(&op_view)).await, 200);
    assert_eq!(s.change(&s.ops, Method::DELETE, &id(&op_view)).await, 204);
    // Another person's private view and another client's shared view: 404, like none.
    let nobody = uuid::Uuid::now_v7().to_string();
    for view in [
        id(&private),
        id(&in_b),
        id(&team),
        nobody,
        "not-an-id".into(),
    ] {
        for method in [Method::PATCH, Method::DELETE] {
            assert_eq!(s.change(&s.stranger, method.clone(), &view).await, 404);
        }
    }
    for view in [id(&private), id(&in_b)] {
        assert_eq!(s.change(&s.operator, Method::PATCH, &view).await, 404);
    }
    // Naming a client one does not see, to share with or to filter by: 404.
    assert_eq!(s.create(&s.stranger, shared("X", s.a)).await.0, 404);
    let filter_a = json!({"name": "X", "filter": {"tenant": s.a.to_string()}});
    assert_eq!(s.create(&s.stranger, filter_a).await.0, 404);
    assert_eq!(s.list(&s.ops).await.len(), 3);
    // A token limited to A: A's shared views and the person's private ones; private views are
    // not A's, so not its to save or change.
    let grant = NewToken {
        name: "a only".into(),
        days: 1,
        read_only: false,
        tenant_scope: Some(s.a),
    };
    let now = chrono::Utc::now();
    let (_, limited) = issue(&s.app.store, s.ops_id, &grant, now).await.unwrap();
    let names: Vec<String> = s.list(&limited).await.into_iter().map(|v| v.0).collect();
    assert_eq!(names, ["Private", "Team A"]);
    assert_eq!(s.create(&limited, json!({"name": "P2"})).await.0, 403);
    assert_eq!(s.change(&limited, Method::PATCH, &id(&private)).await, 403);
    assert_eq!(s.create(&limited, shared("Limited", s.a)).await.0, 201);
    assert_eq!(s.create(&limited, shared("Limited", s.b)).await.0, 404);
    assert_eq!(s.change(&limited, Method::PATCH, &id(&in_b)).await, 404);
}

async fn refused_views_name_their_problem(db: TestDb) {
    let s = setup(&db).await;
    let cases = [
        (
            json!({"name": "x", "filter": {"unread": "yes"}}),
            400,
            "unread",
        ),
        (
            json!({"name": "x", "filter": {"view": "inbox"}}),
            400,
            "view",
        ),
        (
            json!({"name": "x", "filter": {"colour": "red"}}),
            400,
            "colour",
        ),
        (json!({"name": "  "}), 422, "name"),
        (json!({"name": "x".repeat(81)}), 422, "name"),
        (
            json!({"name": "x", "shared_with": s.a.to_string(),
                "filter": {"tenant": s.b.to_string()}}),
            422,
            "filter.tenant",
        ),
    ];
    for (body, status, named) in cases {
        let (got, answer) = s.create(&s.ops, body.clone()).await;
        assert_eq!(got.as_u16(), status, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{body}: {message}");
    }
    assert_eq!(s.create(&s.ops, json!({"name": "Twice"})).await.0, 201);
    let (status, answer) = s.create(&s.ops, json!({"name": "Twice"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    // The same name may be shared: the private one is another owner's row.
    let shared = json!({"name": "Twice", "shared_with": s.a.to_string()});
    assert_eq!(s.create(&s.ops, shared).await.0, 201);
    assert!(s.list(&s.ops).await.iter().all(|v| v.0 == "Twice"));
}
