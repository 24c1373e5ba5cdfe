//! Members through the pages: invitations by email, acceptance, role changes, removal, and
//! who may do which, on both backends.

use allcampaigns::domain::{Email, Role};
use allcampaigns::store::AuditFilter;

use crate::helpers::{TestApp, TestDb, Visitor, member, spawn_app, spawn_app_with_failing_mail};

crate::on_both_backends!(
    an_invited_person_accepts_by_link_and_is_signed_in_with_the_role,
    operators_and_clients_cannot_manage_members_and_admins_cannot_make_owners,
    roles_change_and_members_leave_but_the_last_owner_stays,
    a_second_open_invitation_for_the_same_address_is_refused,
    an_invitation_whose_mail_cannot_be_sent_is_not_kept_and_the_page_says_so,
);

async fn client_of(app: &TestApp, owner: &mut Visitor<'_>) -> String {
    let response = owner.post("/tenants", &[("name", "Acme")]).await;
    let id = response.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/t/")
        .to_string();
    assert!(
        app.store
            .tenant(id.parse().unwrap())
            .await
            .unwrap()
            .is_some()
    );
    id
}

async fn join(app: &TestApp, tenant: &str, address: &str, role: Role) {
    member(app, tenant.parse().unwrap(), address, role).await;
}

async fn user_id(app: &TestApp, address: &str) -> String {
    app.store
        .user_by_email(&Email::parse(address).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

async fn an_invited_person_accepts_by_link_and_is_signed_in_with_the_role(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client_of(&app, &mut owner).await;
    let invited = owner
        .invite(&tenant, "New.Person@Example.com", "operator")
        .await;
    assert_eq!(invited.status(), 303);
    let page = owner
        .get(&format!("/t/{tenant}/members"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("new.person@example.com"),
        "the open invitation is listed"
    );
    let mail = app.next_mail().await;
    assert_eq!(mail.to, "new.person@example.com");
    let link = mail
        .text
        .lines()
        .find(|l| l.contains("/invitations/accept?"))
        .unwrap()
        .trim()
        .to_string();
    let path = link
        .split_once("://")
        .unwrap()
        .1
        .split_once('/')
        .map(|(_, p)| format!("/{p}"))
        .unwrap();

    let mut guest = Visitor::arrive(&app).await;
    for _ in 0..2 {
        assert_eq!(
            guest.get(&path).await.status(),
            200,
            "opening the link changes nothing"
        );
    }
    assert!(
        app.store
            .user_by_email(&Email::parse("new.person@example.com").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let url = url::Url::parse(&link).unwrap();
    let field = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .unwrap()
            .1
            .into_owned()
    };
    let (tenant_field, token) = (field("tenant"), field("token"));
    let accepted = guest
        .post(
            "/invitations/accept",
            &[("tenant", &tenant_field), ("token", &token)],
        )
        .await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(
        accepted.headers()["location"],
        format!("/t/{tenant}").as_str()
    );
    let seen = guest.get(&format!("/t/{tenant}")).await;
    assert_eq!(seen.status(), 200, "accepting signs the person in");
    let new_user = app
        .store
        .user_by_email(&Email::parse("new.person@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.store
            .member_role(tenant.parse().unwrap(), new_user.id)
            .await
            .unwrap(),
        Some(Role::Operator)
    );
    let again = Visitor::arrive(&app)
        .await
        .post(
            "/invitations/accept",
            &[("tenant", &tenant_field), ("token", &token)],
        )
        .await;
    assert_eq!(again.status(), 400, "an invitation works once");
    let actions: Vec<String> = app
        .store
        .audit_entries(
            tenant.parse().unwrap(),
            &AuditFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["member.joined", "member.invited", "tenant.created"]
    );
    app.stop().await;
}

async fn operators_and_clients_cannot_manage_members_and_admins_cannot_make_owners(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client_of(&app, &mut owner).await;
    for role in [Role::Operator, Role::Client] {
        let address = format!("{role}@example.com");
        join(&app, &tenant, &address, role).await;
        let mut visitor = Visitor::signed_in(&app, &address).await;
        assert_eq!(
            visitor.get(&format!("/t/{tenant}/members")).await.status(),
            403,
            "{role}"
        );
        let invite = visitor.invite(&tenant, "x@example.com", "operator").await;
        assert_eq!(invite.status(), 403, "{role}");
    }
    join(&app, &tenant, "admin@example.com", Role::Admin).await;
    let mut admin = Visitor::signed_in(&app, "admin@example.com").await;
    assert_eq!(
        admin.get(&format!("/t/{tenant}/members")).await.status(),
        200
    );
    let owner_invite = admin.invite(&tenant, "boss@example.com", "owner").await;
    assert_eq!(owner_invite.status(), 403);
    let owner_id = user_id(&app, "owner@example.com").await;
    let demote = admin.change_role(&tenant, &owner_id, "client").await;
    assert_eq!(demote.status(), 403, "an admin cannot unmake an owner");
    let remove = admin.remove_member(&tenant, &owner_id).await;
    assert_eq!(remove.status(), 403);
    assert!(
        app.mail_within(std::time::Duration::from_millis(200))
            .await
            .is_none(),
        "no invitation was sent"
    );
    app.stop().await;
}

async fn roles_change_and_members_leave_but_the_last_owner_stays(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client_of(&app, &mut owner).await;
    join(&app, &tenant, "op@example.com", Role::Operator).await;
    let op = user_id(&app, "op@example.com").await;
    let me = user_id(&app, "owner@example.com").await;
    assert_eq!(owner.change_role(&tenant, &op, "admin").await.status(), 303);
    let last = owner.change_role(&tenant, &me, "admin").await;
    assert_eq!(last.status(), 409);
    assert!(last.text().await.unwrap().contains("at least one owner"));
    assert_eq!(owner.remove_member(&tenant, &me).await.status(), 409);
    assert_eq!(
        owner.change_role(&tenant, &op, "wizard").await.status(),
        422
    );
    assert_eq!(owner.remove_member(&tenant, &op).await.status(), 303);
    let members = app.store.members(tenant.parse().unwrap()).await.unwrap();
    assert_eq!(
        members.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(),
        ["owner@example.com"]
    );
    app.stop().await;
}

async fn a_second_open_invitation_for_the_same_address_is_refused(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client_of(&app, &mut owner).await;
    let form = [("email", "twice@example.com"), ("role", "client")];
    assert_eq!(
        owner
            .post(&format!("/t/{tenant}/members"), &form)
            .await
            .status(),
        303
    );
    let second = owner.post(&format!("/t/{tenant}/members"), &form).await;
    assert_eq!(second.status(), 409);
    assert!(
        second
            .text()
            .await
            .unwrap()
            .contains("already has an open invitation")
    );
    app.stop().await;
}

async fn an_invitation_whose_mail_cannot_be_sent_is_not_kept_and_the_page_says_so(db: TestDb) {
    let app = spawn_app_with_failing_mail(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let tenant = client_of(&app, &mut owner).await;
    let form = [("email", "ben@example.com"), ("role", "operator")];
    for attempt in 1..=2 {
        let refused = owner.post(&format!("/t/{tenant}/members"), &form).await;
        assert_eq!(refused.status(), 502, "attempt {attempt}");
        let page = refused.text().await.unwrap();
        assert!(
            page.contains("could not be sent, so no invitation was made"),
            "attempt {attempt} is told the same, not that ben is already invited: {page}"
        );
        let open = app
            .store
            .invitations(tenant.parse().unwrap())
            .await
            .unwrap();
        assert!(open.is_empty(), "attempt {attempt} leaves no invitation");
    }
    // The invitation and its audit entry were written together; the audit says it was taken
    // back.
    let filter = AuditFilter {
        limit: 10,
        ..Default::default()
    };
    let actions: Vec<String> = app
        .store
        .audit_entries(tenant.parse().unwrap(), &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions[..4],
        [
            "invitation.not_sent",
            "member.invited",
            "invitation.not_sent",
            "member.invited"
        ]
    );
    app.stop().await;
}
