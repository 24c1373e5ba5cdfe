//! Invitations after the security review: withdrawing (finding 3), invitations that die with
//! their sender's right to grant them (finding 3), an accept page that names the client and
//! address and never switches accounts silently (finding 4), honest audit on accept
//! (finding 17), and rate limits (finding 2), on both backends.

use std::time::Duration;

use allcampaigns::app::InviteLimits;
use allcampaigns::auth::{RateLimiter, hash_token};
use allcampaigns::domain::{Email, Role, TenantId};
use allcampaigns::mail::Mail;
use allcampaigns::store::{AuditFilter, Invitation};
use reqwest::Method;
use serde_json::json;

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, Visitor, member, spawn_app, spawn_app_with_invite_limits};

crate::on_both_backends!(
    finding_3_a_withdrawn_invitation_cannot_be_accepted_and_withdrawing_is_audited,
    finding_3_only_owners_withdraw_owner_invitations,
    finding_3_removing_or_demoting_the_sender_voids_their_invitations,
    finding_3_accepting_rechecks_that_the_sender_may_still_grant_the_role,
    finding_4_the_accept_page_names_client_and_address_and_never_switches_silently,
    finding_4_an_existing_account_joins_but_signs_in_by_a_normal_link,
    finding_17_accepting_as_a_member_already_is_not_audited_as_joining,
    finding_2_invitations_over_a_limit_answer_429_with_retry_after,
);

/// A client named `name`, created by `owner` (an install admin).
pub async fn client(owner: &mut Visitor<'_>, name: &str) -> TenantId {
    owner.new_client(name).await
}

/// The accept link's path and its `tenant` and `token` fields.
fn accept_link(mail: &Mail) -> (String, String, String) {
    let link = mail
        .text
        .lines()
        .find(|l| l.contains("/invitations/accept?"))
        .expect("an accept link")
        .trim();
    let url = url::Url::parse(link).unwrap();
    let field = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .unwrap()
            .1
            .into_owned()
    };
    let path = format!("{}?{}", url.path(), url.query().unwrap());
    (path, field("tenant"), field("token"))
}

async fn invite(visitor: &mut Visitor<'_>, tenant: TenantId, email: &str, role: &str) -> u16 {
    let response = visitor.invite(tenant, email, role).await;
    response.status().as_u16()
}

async fn accept(visitor: &mut Visitor<'_>, tenant: &str, token: &str) -> reqwest::Response {
    visitor
        .post(
            "/invitations/accept",
            &[("tenant", tenant), ("token", token)],
        )
        .await
}

async fn actions(app: &TestApp, tenant: TenantId) -> Vec<String> {
    let filter = AuditFilter {
        limit: 50,
        ..Default::default()
    };
    let entries = app.store.audit_entries(tenant, &filter).await.unwrap();
    entries.into_iter().map(|e| e.action).collect()
}

async fn open_invitation(app: &TestApp, tenant: TenantId, email: &str) -> Invitation {
    let open = app.store.invitations(tenant).await.unwrap();
    open.into_iter()
        .find(|i| i.email.as_str() == email)
        .expect("the invitation is open")
}

async fn finding_3_a_withdrawn_invitation_cannot_be_accepted_and_withdrawing_is_audited(
    db: TestDb,
) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client(&mut owner, "Acme").await;
    assert_eq!(
        invite(&mut owner, tenant, "wrong@example.com", "admin").await,
        303
    );
    let (_, tenant_field, token) = accept_link(&app.next_mail().await);
    let invitation = open_invitation(&app, tenant, "wrong@example.com").await;
    let page = owner.get(&format!("/t/{tenant}/members")).await;
    let page = page.text().await.unwrap();
    let button = format!("/t/{tenant}/invitations/{}/withdraw", invitation.id);
    assert!(page.contains(&button), "the page offers to withdraw it");
    assert_eq!(owner.post(&button, &[]).await.status(), 303);
    let mut guest = Visitor::arrive(&app).await;
    let refused = accept(&mut guest, &tenant_field, &token).await;
    assert_eq!(refused.status(), 400, "a withdrawn invitation is dead");
    assert!(app.store.invitations(tenant).await.unwrap().is_empty());
    assert_eq!(actions(&app, tenant).await[0], "invitation.withdrawn");

    let token_api = token_for(&app, "owner@example.com").await;
    let path = format!("/api/v1/tenants/{tenant}/members");
    let body = json!({"email": "api@example.com", "role": "client"});
    let (status, created) = call(&app, &token_api, Method::POST, &path, Some(body)).await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/tenants/{tenant}/invitations/{id}");
    let (status, _) = call(&app, &token_api, Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, &token_api, Method::DELETE, &path, None).await;
    assert_eq!(status, 404, "gone once withdrawn");
    let (status, _) = call(
        &app,
        &token_api,
        Method::DELETE,
        &format!("/api/v1/tenants/{tenant}/invitations/nope"),
        None,
    )
    .await;
    assert_eq!(status, 404, "a malformed id is simply not found");
    app.stop().await;
}

async fn finding_3_only_owners_withdraw_owner_invitations(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client(&mut owner, "Acme").await;
    member(&app, tenant, "admin@example.com", Role::Admin).await;
    assert_eq!(
        invite(&mut owner, tenant, "boss@example.com", "owner").await,
        303
    );
    let boss = open_invitation(&app, tenant, "boss@example.com").await;
    let mut admin = Visitor::signed_in(&app, "admin@example.com").await;
    let page = admin
        .get(&format!("/t/{tenant}/members"))
        .await
        .text()
        .await
        .unwrap();
    let button = format!("/t/{tenant}/invitations/{}/withdraw", boss.id);
    assert!(!page.contains(&button), "an admin is not offered it");
    assert_eq!(admin.post(&button, &[]).await.status(), 403);
    let admin_token = token_for(&app, "admin@example.com").await;
    let path = format!("/api/v1/tenants/{tenant}/invitations/{}", boss.id);
    let (status, _) = call(&app, &admin_token, Method::DELETE, &path, None).await;
    assert_eq!(status, 403);
    assert_eq!(app.store.invitations(tenant).await.unwrap().len(), 1);
    assert_eq!(owner.post(&button, &[]).await.status(), 303);
    assert!(app.store.invitations(tenant).await.unwrap().is_empty());
    app.stop().await;
}

async fn finding_3_removing_or_demoting_the_sender_voids_their_invitations(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client(&mut owner, "Acme").await;
    let leaver = member(&app, tenant, "leaver@example.com", Role::Admin).await;
    let demoted = member(&app, tenant, "demoted@example.com", Role::Admin).await;
    let mut as_leaver = Visitor::signed_in(&app, "leaver@example.com").await;
    assert_eq!(
        invite(&mut as_leaver, tenant, "alt@evil.example", "admin").await,
        303
    );
    let (_, alt_tenant, alt_token) = accept_link(&app.next_mail().await);
    let mut as_demoted = Visitor::signed_in(&app, "demoted@example.com").await;
    assert_eq!(
        invite(&mut as_demoted, tenant, "friend@example.com", "operator").await,
        303
    );
    let (_, friend_tenant, friend_token) = accept_link(&app.next_mail().await);
    assert_eq!(
        invite(&mut owner, tenant, "kept@example.com", "client").await,
        303
    );
    let promoted = member(&app, tenant, "promoted@example.com", Role::Admin).await;
    let mut as_promoted = Visitor::signed_in(&app, "promoted@example.com").await;
    assert_eq!(
        invite(&mut as_promoted, tenant, "pal@example.com", "client").await,
        303
    );
    let promote = owner.change_role(tenant, &promoted, "owner").await;
    assert_eq!(promote.status(), 303);

    let removed = owner.remove_member(tenant, &leaver).await;
    assert_eq!(removed.status(), 303);
    let demote = owner.change_role(tenant, &demoted, "operator").await;
    assert_eq!(demote.status(), 303);
    let open: Vec<String> = app
        .store
        .invitations(tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.email.to_string())
        .collect();
    assert_eq!(
        open,
        ["kept@example.com", "pal@example.com"],
        "only the invitations of those who may still grant them are left"
    );
    let mut guest = Visitor::arrive(&app).await;
    assert_eq!(
        accept(&mut guest, &alt_tenant, &alt_token).await.status(),
        400
    );
    assert_eq!(
        accept(&mut guest, &friend_tenant, &friend_token)
            .await
            .status(),
        400
    );
    let alt = Email::parse("alt@evil.example").unwrap();
    let alt_user = app.store.user_by_email(&alt).await.unwrap();
    assert!(
        alt_user.is_none(),
        "no account was made for a voided invitation"
    );
    app.stop().await;
}

/// Invitations written straight to the store (as an older version left them) are checked again
/// when accepted: the sender must still hold a role that may grant the invited one.
async fn finding_3_accepting_rechecks_that_the_sender_may_still_grant_the_role(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client(&mut owner, "Acme").await;
    let operator = member(&app, tenant, "op@example.com", Role::Operator).await;
    let admin = member(&app, tenant, "admin@example.com", Role::Admin).await;
    let now = chrono::Utc::now();
    let stale = |email: &str, role: Role, by, token: &str| Invitation {
        id: uuid::Uuid::now_v7(),
        email: Email::parse(email).unwrap(),
        role,
        token_hash: hash_token(token),
        invited_by: Some(by),
        created_at: now,
        expires_at: now + chrono::Duration::days(1),
    };
    let cases = [
        stale("a@example.com", Role::Client, operator, "t-operator"),
        stale("b@example.com", Role::Owner, admin, "t-admin-owner"),
    ];
    for invitation in &cases {
        app.store
            .create_invitation(tenant, invitation)
            .await
            .unwrap();
    }
    let fine = stale("c@example.com", Role::Client, admin, "t-admin-client");
    app.store.create_invitation(tenant, &fine).await.unwrap();
    let mut guest = Visitor::arrive(&app).await;
    let t = tenant.to_string();
    assert_eq!(accept(&mut guest, &t, "t-operator").await.status(), 400);
    assert_eq!(accept(&mut guest, &t, "t-admin-owner").await.status(), 400);
    assert_eq!(accept(&mut guest, &t, "t-admin-client").await.status(), 303);
    let members = app.store.members(tenant).await.unwrap();
    let joined: Vec<&str> = members.iter().map(|m| m.email.as_str()).collect();
    assert!(joined.contains(&"c@example.com"));
    assert!(!joined.contains(&"a@example.com") && !joined.contains(&"b@example.com"));
    app.stop().await;
}

async fn finding_4_the_accept_page_names_client_and_address_and_never_switches_silently(
    db: TestDb,
) {
    let app = spawn_app(db.config.clone()).await;
    let mut mallory = Visitor::install_admin(&app, "mallory@evil.example").await;
    let tenant = client(&mut mallory, "Acme Client Portal").await;
    assert_eq!(
        invite(&mut mallory, tenant, "mallory-alt@evil.example", "owner").await,
        303
    );
    let (path, tenant_field, token) = accept_link(&app.next_mail().await);

    let mut victim = Visitor::signed_in(&app, "victim@a.example").await;
    let old_session = victim.cookie("ac_session").unwrap();
    let page = victim.get(&path).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Acme Client Portal"),
        "the page names the client"
    );
    assert!(
        page.contains("mallory-alt@evil.example"),
        "and the invited address"
    );
    assert!(
        page.contains("signed in as victim@a.example"),
        "and warns: {page}"
    );

    let silent = accept(&mut victim, &tenant_field, &token).await;
    assert_eq!(silent.status(), 409, "no silent switch");
    assert!(silent.headers().get("set-cookie").is_none());
    assert_eq!(
        victim.get("/clients").await.status(),
        200,
        "still the victim"
    );
    assert_eq!(app.store.invitations(tenant).await.unwrap().len(), 1);

    let switched = victim
        .post(
            "/invitations/accept",
            &[
                ("tenant", &tenant_field),
                ("token", &token),
                ("switch", "1"),
            ],
        )
        .await;
    assert_eq!(
        switched.status(),
        303,
        "pressing the button that says so switches"
    );
    let old = app.store.session(&hash_token(&old_session)).await.unwrap();
    assert!(old.is_none(), "the previous session has ended");
    assert_ne!(victim.cookie("ac_session").unwrap(), old_session);
    app.stop().await;
}

async fn finding_4_an_existing_account_joins_but_signs_in_by_a_normal_link(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client(&mut owner, "Acme").await;
    let address = Email::parse("known@example.com").unwrap();
    let known = app.store.create_user(&address, "").await.unwrap();
    assert_eq!(
        invite(&mut owner, tenant, "known@example.com", "operator").await,
        303
    );
    let (_, tenant_field, token) = accept_link(&app.next_mail().await);
    let mut guest = Visitor::arrive(&app).await;
    let joined = accept(&mut guest, &tenant_field, &token).await;
    assert_eq!(joined.status(), 200, "no redirect into the account");
    let sets_session = joined.headers().get_all("set-cookie").iter().any(|c| {
        c.to_str().unwrap().starts_with("ac_session=")
            && !c.to_str().unwrap().starts_with("ac_session=;")
    });
    assert!(
        !sets_session,
        "an invitation does not sign an existing account in"
    );
    let page = joined.text().await.unwrap();
    assert!(page.contains("known@example.com is now a member"), "{page}");
    assert!(page.contains(&format!("/login?next=/t/{tenant}")));
    assert_eq!(
        guest.get(&format!("/t/{tenant}")).await.status(),
        303,
        "not signed in"
    );
    let role = app.store.member_role(tenant, known.id).await.unwrap();
    assert_eq!(role, Some(Role::Operator), "the membership is bound");
    assert_eq!(actions(&app, tenant).await[0], "member.joined");
    app.stop().await;
}

async fn finding_17_accepting_as_a_member_already_is_not_audited_as_joining(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client(&mut owner, "Acme").await;
    let op = member(&app, tenant, "op@example.com", Role::Operator).await;
    assert_eq!(
        invite(&mut owner, tenant, "op@example.com", "admin").await,
        303
    );
    let (_, tenant_field, token) = accept_link(&app.next_mail().await);
    let mut op_visitor = Visitor::signed_in(&app, "op@example.com").await;
    let accepted = accept(&mut op_visitor, &tenant_field, &token).await;
    assert_eq!(
        accepted.status(),
        303,
        "the member's own browser goes to the client"
    );
    let role = app.store.member_role(tenant, op).await.unwrap();
    assert_eq!(
        role,
        Some(Role::Operator),
        "the invited role was not applied"
    );
    let actions = actions(&app, tenant).await;
    assert_eq!(actions[0], "invitation.accepted_existing_member");
    assert!(!actions.contains(&"member.joined".to_string()));
    app.stop().await;
}

async fn finding_2_invitations_over_a_limit_answer_429_with_retry_after(db: TestDb) {
    let hour = Duration::from_secs(3600);
    let limits = InviteLimits {
        per_actor: RateLimiter::new(2, hour),
        per_tenant: RateLimiter::new(2, hour),
        per_address: RateLimiter::new(1, hour),
    };
    let app = spawn_app_with_invite_limits(db.config.clone(), limits).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let first = client(&mut owner, "First").await;
    let second = client(&mut owner, "Second").await;
    assert_eq!(
        invite(&mut owner, first, "same@victim.example", "client").await,
        303
    );
    let again = owner
        .post(
            &format!("/t/{second}/members"),
            &[("email", "same@victim.example"), ("role", "client")],
        )
        .await;
    assert_eq!(again.status(), 429, "one address, across tenants");
    assert!(again.headers().contains_key("retry-after"));
    assert_eq!(
        invite(&mut owner, first, "other@example.com", "client").await,
        429,
        "per actor"
    );
    let token = token_for(&app, "owner@example.com").await;
    let path = format!("/api/v1/tenants/{first}/members");
    let response = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .json(&json!({"email": "api@example.com", "role": "client"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429, "the API is limited too");
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 3600);
    member(&app, first, "a1@example.com", Role::Admin).await;
    member(&app, first, "a2@example.com", Role::Admin).await;
    let mut a1 = Visitor::signed_in(&app, "a1@example.com").await;
    assert_eq!(invite(&mut a1, first, "x@example.com", "client").await, 303);
    let mut a2 = Visitor::signed_in(&app, "a2@example.com").await;
    assert_eq!(
        invite(&mut a2, first, "y@example.com", "client").await,
        429,
        "per tenant"
    );
    assert_eq!(app.store.invitations(first).await.unwrap().len(), 2);
    assert!(app.store.invitations(second).await.unwrap().is_empty());
    app.stop().await;
}
