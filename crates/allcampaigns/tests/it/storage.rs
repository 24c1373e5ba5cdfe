//! The storage suite, run against SQLite always and PostgreSQL when `TEST_DATABASE_URL` is set.
//! The isolation tests here are RLS-10: the same expectations as PostgreSQL's RLS, through the
//! storage interface, on both backends.

use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::store::*;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::TestDb;

crate::on_both_backends!(
    users_are_created_found_and_updated,
    an_email_address_belongs_to_one_user,
    creating_a_tenant_makes_its_creator_the_owner,
    a_tenant_profile_can_be_edited_and_the_tenant_deleted,
    the_last_owner_can_be_neither_removed_nor_demoted,
    an_invitation_is_taken_once,
    audit_entries_are_filtered_newest_first,
    connections_are_saved_replaced_checked_and_removed,
    a_newer_sign_in_link_voids_older_ones_and_each_is_used_once,
    sessions_are_found_touched_and_ended,
    the_request_log_is_written_in_batches_and_pruned,
    rls_10_one_tenant_never_reads_or_changes_another_through_the_store,
    rls_08_the_same_natural_key_may_exist_in_two_tenants,
    store_errors_never_carry_database_text,
);

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn profile(name: &str) -> TenantProfile {
    TenantProfile {
        name: name.into(),
        ..TenantProfile::default()
    }
}

async fn user(store: &DynStore, address: &str) -> UserId {
    store.create_user(&email(address), "").await.unwrap().id
}

async fn users_are_created_found_and_updated(db: TestDb) {
    let store = db.store().await;
    let created = store
        .create_user(&email("Ana@Example.com"), "Ana")
        .await
        .unwrap();
    assert_eq!(created.email.as_str(), "ana@example.com");
    assert_eq!(store.user(created.id).await.unwrap(), Some(created.clone()));
    assert_eq!(
        store
            .user_by_email(&email("ana@example.com"))
            .await
            .unwrap()
            .unwrap()
            .id,
        created.id
    );
    let updated = store
        .update_profile(
            created.id,
            &Profile {
                display_name: "Ana Ţepeş 🌍".into(),
                avatar_url: Some("https://example.com/a.png".into()),
                theme: "dark".into(),
                locale: "en".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.display_name, "Ana Ţepeş 🌍");
    assert_eq!(updated.theme, "dark");
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(matches!(
        store
            .update_profile(
                UserId::new(),
                &Profile {
                    display_name: String::new(),
                    avatar_url: None,
                    theme: "light".into(),
                    locale: "en".into()
                }
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn an_email_address_belongs_to_one_user(db: TestDb) {
    let store = db.store().await;
    user(&store, "bo@example.com").await;
    let again = store.create_user(&email("BO@example.com"), "").await;
    assert!(matches!(
        again,
        Err(StoreError::Conflict(ConflictKind::EmailTaken))
    ));
}

async fn creating_a_tenant_makes_its_creator_the_owner(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "owner@example.com").await;
    let zeta = store
        .create_tenant(Some(owner), &profile("zeta"))
        .await
        .unwrap();
    let alpha = store
        .create_tenant(Some(owner), &profile("Alpha"))
        .await
        .unwrap();
    assert_eq!(
        store.member_role(zeta.id, owner).await.unwrap(),
        Some(Role::Owner)
    );
    let mine = store.tenants_of_user(owner).await.unwrap();
    let names: Vec<_> = mine.iter().map(|(t, _)| t.name.as_str()).collect();
    assert_eq!(names, ["Alpha", "zeta"]);
    assert!(mine.iter().all(|(_, role)| *role == Role::Owner));
    let mut directory = store.tenant_directory().await.unwrap();
    directory.sort();
    let mut expected = vec![zeta.id, alpha.id];
    expected.sort();
    assert_eq!(directory, expected);
}

async fn a_tenant_profile_can_be_edited_and_the_tenant_deleted(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let tenant = store
        .create_tenant(Some(owner), &profile("Acme"))
        .await
        .unwrap();
    let edited = TenantProfile {
        name: "Acme Ltd".into(),
        client_name: Some("Acme".into()),
        website: Some("https://acme.example".into()),
        accent_colour: Some("#ff8800".into()),
        logo_url: Some("https://acme.example/logo.svg".into()),
    };
    let updated = store.update_tenant(tenant.id, &edited).await.unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.accent_colour.as_deref()),
        ("Acme Ltd", Some("#ff8800"))
    );
    store.delete_tenant(tenant.id).await.unwrap();
    assert_eq!(store.tenant(tenant.id).await.unwrap(), None);
    assert!(store.tenants_of_user(owner).await.unwrap().is_empty());
    assert!(matches!(
        store.delete_tenant(tenant.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn the_last_owner_can_be_neither_removed_nor_demoted(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let operator = user(&store, "op@example.com").await;
    let tenant = store
        .create_tenant(Some(owner), &profile("T"))
        .await
        .unwrap()
        .id;
    store
        .add_member(tenant, operator, Role::Operator)
        .await
        .unwrap();
    assert!(matches!(
        store.add_member(tenant, operator, Role::Client).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.remove_member(tenant, owner, Role::Owner).await,
        Err(StoreError::LastOwner)
    ));
    assert!(matches!(
        store
            .set_member_role(tenant, owner, Role::Admin, Role::Owner)
            .await,
        Err(StoreError::LastOwner)
    ));
    store
        .set_member_role(tenant, operator, Role::Owner, Role::Owner)
        .await
        .unwrap();
    store
        .set_member_role(tenant, owner, Role::Admin, Role::Owner)
        .await
        .unwrap();
    store
        .remove_member(tenant, owner, Role::Owner)
        .await
        .unwrap();
    let members = store.members(tenant).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(
        (members[0].user_id, members[0].role),
        (operator, Role::Owner)
    );
    assert!(matches!(
        store.remove_member(tenant, owner, Role::Owner).await,
        Err(StoreError::NotFound)
    ));
}

fn invitation(address: &str, token: &[u8]) -> Invitation {
    Invitation {
        id: uuid::Uuid::now_v7(),
        email: email(address),
        role: Role::Operator,
        token_hash: token.to_vec(),
        invited_by: None,
        created_at: Utc::now(),
        expires_at: Utc::now() + Duration::days(7),
    }
}

async fn an_invitation_is_taken_once(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let tenant = store
        .create_tenant(Some(owner), &profile("T"))
        .await
        .unwrap()
        .id;
    store
        .create_invitation(tenant, &invitation("new@example.com", b"hash-1"))
        .await
        .unwrap();
    assert_eq!(store.invitations(tenant).await.unwrap().len(), 1);
    let taken = store
        .take_invitation(tenant, b"hash-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.email.as_str(), "new@example.com");
    assert_eq!(
        store.take_invitation(tenant, b"hash-1").await.unwrap(),
        None
    );
}

fn audit(action: &str, actor: Option<UserId>) -> NewAuditEntry {
    NewAuditEntry {
        actor,
        action: action.into(),
        target: Some("member:x".into()),
        details: json!({"role": "admin"}),
        request_id: Some("req-1".into()),
    }
}

async fn audit_entries_are_filtered_newest_first(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let tenant = store
        .create_tenant(Some(owner), &profile("T"))
        .await
        .unwrap()
        .id;
    store
        .append_audit(tenant, &audit("tenant.created", Some(owner)))
        .await
        .unwrap();
    store
        .append_audit(tenant, &audit("member.invited", Some(owner)))
        .await
        .unwrap();
    store
        .append_audit(tenant, &audit("member.invited", None))
        .await
        .unwrap();
    let all = store
        .audit_entries(
            tenant,
            &AuditFilter {
                limit: 50,
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(
        all.windows(2)
            .all(|w| (w[0].at, w[0].id) >= (w[1].at, w[1].id))
    );
    assert_eq!(all[0].details.0, json!({"role": "admin"}));
    let invited = AuditFilter {
        action: Some("member.invited".into()),
        actor: Some(owner),
        limit: 50,
        ..AuditFilter::default()
    };
    assert_eq!(
        store.audit_entries(tenant, &invited).await.unwrap().len(),
        1
    );
    let future = AuditFilter {
        since: Some(Utc::now() + Duration::hours(1)),
        limit: 50,
        ..AuditFilter::default()
    };
    assert!(
        store
            .audit_entries(tenant, &future)
            .await
            .unwrap()
            .is_empty()
    );
}

pub fn new_connection(envelope: &[u8], key_id: u32) -> NewConnection {
    NewConnection {
        api_key_envelope: envelope.to_vec(),
        key_id,
        key_last4: "wxyz".into(),
        base_url: "https://api.instantly.ai".into(),
        workspace_id: Some("ws_1".into()),
        workspace_name: Some("Client One".into()),
        status: ConnectionStatus::Connected,
    }
}

async fn connections_are_saved_replaced_checked_and_removed(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let tenant = store
        .create_tenant(Some(owner), &profile("T"))
        .await
        .unwrap()
        .id;
    assert_eq!(store.connection(tenant).await.unwrap(), None);
    store
        .save_connection(tenant, &new_connection(b"sealed-1", 1))
        .await
        .unwrap();
    let replaced = store
        .save_connection(tenant, &new_connection(b"sealed-2", 1))
        .await
        .unwrap();
    assert_eq!(replaced.api_key_envelope, b"sealed-2");
    let check = ConnectionCheck {
        status: ConnectionStatus::NeedsAttention,
        detail: Some("key refused".into()),
        checked_at: Utc::now(),
    };
    store.set_connection_status(tenant, &check).await.unwrap();
    let stored = store.connection(tenant).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.status_detail.as_deref()),
        (ConnectionStatus::NeedsAttention, Some("key refused"))
    );
    assert_eq!(store.secret_key_usage().await.unwrap(), vec![(1, 1)]);
    store.delete_connection(tenant).await.unwrap();
    assert_eq!(store.connection(tenant).await.unwrap(), None);
}

fn sign_in(address: &str, hash: &[u8], expires_in: Duration) -> SignInToken {
    SignInToken {
        token_hash: hash.to_vec(),
        email: address.into(),
        purpose: "sign_in".into(),
        created_at: Utc::now(),
        expires_at: Utc::now() + expires_in,
    }
}

async fn a_newer_sign_in_link_voids_older_ones_and_each_is_used_once(db: TestDb) {
    let store = db.store().await;
    let now = Utc::now();
    store
        .create_sign_in_token(&sign_in("a@example.com", b"first", Duration::minutes(15)))
        .await
        .unwrap();
    store
        .create_sign_in_token(&sign_in("a@example.com", b"second", Duration::minutes(15)))
        .await
        .unwrap();
    assert_eq!(
        store.consume_sign_in_token(b"first", now).await.unwrap(),
        None
    );
    assert!(
        store
            .consume_sign_in_token(b"second", now)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.consume_sign_in_token(b"second", now).await.unwrap(),
        None
    );
    store
        .create_sign_in_token(&sign_in("b@example.com", b"stale", Duration::minutes(-1)))
        .await
        .unwrap();
    assert_eq!(
        store.consume_sign_in_token(b"stale", now).await.unwrap(),
        None
    );
}

async fn sessions_are_found_touched_and_ended(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let now = Utc::now();
    for hash in [b"s1", b"s2"] {
        let session = Session {
            id_hash: hash.to_vec(),
            user_id: owner,
            created_at: now,
            last_seen_at: now,
            expires_at: now + Duration::days(1),
        };
        store.create_session(&session).await.unwrap();
    }
    let later = now + Duration::minutes(5);
    store.touch_session(b"s1", later).await.unwrap();
    let found = store.session(b"s1").await.unwrap().unwrap();
    assert_eq!(found.user_id, owner);
    assert!(found.last_seen_at > now);
    store.delete_session(b"s1").await.unwrap();
    assert_eq!(store.session(b"s1").await.unwrap(), None);
    assert_eq!(store.delete_user_sessions(owner).await.unwrap(), 1);
}

async fn the_request_log_is_written_in_batches_and_pruned(db: TestDb) {
    let store = db.store().await;
    let line = |days_ago: i64| RequestLogEntry {
        at: Utc::now() - Duration::days(days_ago),
        ip: Some("203.0.113.9".into()),
        user_agent: Some("curl/8".into()),
        method: "GET".into(),
        route: "/healthz".into(),
        status: 200,
        duration_ms: 3,
    };
    let batch: Vec<_> = (0..300)
        .map(|i| line(if i < 100 { 31 } else { 1 }))
        .collect();
    store.insert_request_log(&batch).await.unwrap();
    assert_eq!(store.count_request_log().await.unwrap(), 300);
    assert_eq!(
        store
            .prune_request_log(Utc::now() - Duration::days(30))
            .await
            .unwrap(),
        100
    );
    assert_eq!(store.count_request_log().await.unwrap(), 200);
}

async fn rls_10_one_tenant_never_reads_or_changes_another_through_the_store(db: TestDb) {
    let store = db.store().await;
    let (ana, bo) = (
        user(&store, "ana@a.example").await,
        user(&store, "bo@b.example").await,
    );
    let a = store
        .create_tenant(Some(ana), &profile("A"))
        .await
        .unwrap()
        .id;
    let b = store
        .create_tenant(Some(bo), &profile("B"))
        .await
        .unwrap()
        .id;
    store
        .create_invitation(b, &invitation("x@b.example", b"b-token"))
        .await
        .unwrap();
    store
        .append_audit(b, &audit("tenant.created", Some(bo)))
        .await
        .unwrap();
    store
        .save_connection(b, &new_connection(b"b-secret", 1))
        .await
        .unwrap();

    // Reads scoped to A see nothing of B.
    assert!(
        store
            .members(a)
            .await
            .unwrap()
            .iter()
            .all(|m| m.user_id != bo)
    );
    assert!(store.invitations(a).await.unwrap().is_empty());
    assert!(
        store
            .audit_entries(
                a,
                &AuditFilter {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.connection(a).await.unwrap(), None);
    assert_eq!(store.member_role(a, bo).await.unwrap(), None);
    assert!(store.secrets_not_under(a, 99).await.unwrap().is_empty());
    // Writes scoped to A cannot reach B's rows.
    assert_eq!(store.take_invitation(a, b"b-token").await.unwrap(), None);
    assert!(matches!(
        store
            .set_member_role(a, bo, Role::Client, Role::Owner)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.remove_member(a, bo, Role::Owner).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_connection(a).await,
        Err(StoreError::NotFound)
    ));
    let b_secret = store.secrets_not_under(b, 99).await.unwrap().remove(0);
    let forged = StoredSecret {
        tenant: a,
        ..b_secret
    };
    assert!(!store.replace_secret(&forged, b"forged", 2).await.unwrap());
    // B is intact.
    assert_eq!(store.member_role(b, bo).await.unwrap(), Some(Role::Owner));
    assert_eq!(store.invitations(b).await.unwrap().len(), 1);
    assert_eq!(
        store.connection(b).await.unwrap().unwrap().api_key_envelope,
        b"b-secret"
    );
    assert_eq!(store.tenants_of_user(ana).await.unwrap().len(), 1);
}

async fn rls_08_the_same_natural_key_may_exist_in_two_tenants(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let a = store
        .create_tenant(Some(owner), &profile("Same name"))
        .await
        .unwrap()
        .id;
    let b = store
        .create_tenant(Some(owner), &profile("Same name"))
        .await
        .unwrap()
        .id;
    for tenant in [a, b] {
        store
            .create_invitation(tenant, &invitation("same@example.com", b"same-token"))
            .await
            .unwrap();
        store
            .save_connection(tenant, &new_connection(b"same-envelope", 1))
            .await
            .unwrap();
    }
    let dup = store
        .create_invitation(a, &invitation("same@example.com", b"other-token"))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let unknown_user = store.add_member(a, UserId::new(), Role::Operator).await;
    assert!(matches!(
        unknown_user,
        Err(StoreError::Conflict(ConflictKind::MissingReference))
    ));
}

async fn store_errors_never_carry_database_text(db: TestDb) {
    let store = db.store().await;
    let owner = user(&store, "o@example.com").await;
    let missing_tenant = TenantId::new();
    let error = store
        .add_member(missing_tenant, owner, Role::Operator)
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    for leak in [
        "violates",
        "constraint",
        "memberships_",
        "FOREIGN KEY",
        "SQLITE",
    ] {
        assert!(!text.contains(leak), "{text}");
    }
}
