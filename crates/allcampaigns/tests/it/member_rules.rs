//! Rules about members and names after the security review: owners are touched only by owners
//! inside the changing transaction (finding 16), names refuse control characters and bidi
//! overrides (finding 10), and clients do not see agency staff's addresses (finding 21). On
//! both backends.

use allcampaigns::domain::{Email, Role};
use allcampaigns::store::{Profile, StoreError, TenantProfile};
use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestDb, Visitor, member, spawn_app};
use crate::invitations::client;

crate::on_both_backends!(
    finding_16_the_store_refuses_owner_changes_by_non_owners_inside_its_transaction,
    finding_10_names_with_control_characters_or_bidi_overrides_answer_422_naming_the_field,
    finding_21_clients_see_names_and_roles_of_agency_staff_but_not_their_addresses,
    finding_10_a_name_saved_before_the_check_puts_no_line_break_into_the_invitation_mail,
);

async fn finding_16_the_store_refuses_owner_changes_by_non_owners_inside_its_transaction(
    db: TestDb,
) {
    let store = db.store().await;
    let user = |address: &'static str| {
        let store = store.clone();
        async move {
            let email = Email::parse(address).unwrap();
            store.create_user(&email, "").await.unwrap().id
        }
    };
    let (owner, other_owner, op) = (
        user("o@x.example").await,
        user("o2@x.example").await,
        user("op@x.example").await,
    );
    let profile = TenantProfile {
        name: "T".into(),
        ..Default::default()
    };
    let tenant = store.create_tenant(Some(owner), &profile).await.unwrap().id;
    store
        .add_member(tenant, other_owner, Role::Owner)
        .await
        .unwrap();
    store.add_member(tenant, op, Role::Operator).await.unwrap();
    let forbidden = |result: Result<Role, StoreError>| matches!(result, Err(StoreError::Forbidden));
    assert!(forbidden(
        store
            .set_member_role(tenant, other_owner, Role::Client, Role::Admin)
            .await
    ));
    assert!(forbidden(
        store.remove_member(tenant, other_owner, Role::Admin).await
    ));
    assert!(forbidden(
        store
            .set_member_role(tenant, op, Role::Owner, Role::Admin)
            .await
    ));
    assert_eq!(
        store.member_role(tenant, other_owner).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(
        store.member_role(tenant, op).await.unwrap(),
        Some(Role::Operator)
    );
    let previous = store
        .set_member_role(tenant, op, Role::Client, Role::Admin)
        .await;
    assert_eq!(
        previous.unwrap(),
        Role::Operator,
        "an admin changes a non-owner"
    );
    let previous = store.remove_member(tenant, other_owner, Role::Owner).await;
    assert_eq!(previous.unwrap(), Role::Owner, "an owner removes an owner");
}

async fn finding_10_names_with_control_characters_or_bidi_overrides_answer_422_naming_the_field(
    db: TestDb,
) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@example.com").await;
    let token = token_for(&app, "owner@example.com").await;
    for (body, field) in [
        (
            json!({"name": "Acme\n\nACTION NEEDED: https://evil.example/login"}),
            "name",
        ),
        (json!({"name": "Acme\r"}), "name"),
        (json!({"name": "Ac\tme"}), "name"),
        (json!({"name": "\u{202e}emcA"}), "name"),
        (
            json!({"name": "Acme", "client_name": "Evil\u{2066}Corp"}),
            "client_name",
        ),
    ] {
        let (status, error) = call(
            &app,
            &token,
            Method::POST,
            "/api/v1/tenants",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}:")), "{message}");
        assert!(message.contains("line breaks"), "{message}");
    }
    let page = owner.post("/tenants", &[("name", "Acme\nEvil")]).await;
    assert_eq!(page.status(), 422);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("The name cannot contain line breaks")
    );
    let tenant = client(&mut owner, "Acme").await;
    let path = format!("/api/v1/tenants/{tenant}");
    let (status, _) = call(
        &app,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"name": "A\u{202d}B"})),
    )
    .await;
    assert_eq!(status, 422);
    let profile = owner
        .post(
            "/profile",
            &[
                ("display_name", "Bob\u{202e}"),
                ("theme", "system"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(profile.status(), 422);
    assert!(
        profile
            .text()
            .await
            .unwrap()
            .contains("The display name cannot contain")
    );
    let user = app
        .store
        .user_by_email(&Email::parse("owner@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.display_name, "", "nothing was stored");
    assert_eq!(app.store.tenants_of_user(user.id).await.unwrap().len(), 1);
    app.stop().await;
}

async fn finding_21_clients_see_names_and_roles_of_agency_staff_but_not_their_addresses(
    db: TestDb,
) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "olga@agency.example").await;
    let tenant = client(&mut owner, "Acme").await;
    let olga = app
        .store
        .user_by_email(&Email::parse("olga@agency.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let named = Profile {
        display_name: "Olga Owner".into(),
        avatar_url: None,
        theme: "system".into(),
        locale: "en".into(),
    };
    app.store.update_profile(olga.id, &named).await.unwrap();
    member(&app, tenant, "op@agency.example", Role::Operator).await;
    member(&app, tenant, "rep@client.example", Role::Client).await;
    member(&app, tenant, "rep2@client.example", Role::Client).await;

    let mut rep = Visitor::signed_in(&app, "rep@client.example").await;
    let page = rep.get(&format!("/t/{tenant}")).await.text().await.unwrap();
    assert!(
        page.contains("rep2@client.example"),
        "a client sees other client members"
    );
    assert!(page.contains("Olga Owner") && page.contains("agency team member"));
    for hidden in ["olga@agency.example", "op@agency.example"] {
        assert!(!page.contains(hidden), "a client does not see {hidden}");
    }
    let emails = |body: &Value| -> Vec<Option<String>> {
        body["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().map(String::from))
            .collect()
    };
    let path = format!("/api/v1/tenants/{tenant}/members");
    let rep_token = token_for(&app, "rep@client.example").await;
    let (status, body) = call(&app, &rep_token, Method::GET, &path, None).await;
    assert_eq!(status, 200);
    let seen = emails(&body);
    assert_eq!(seen.len(), 4, "every member is listed, with role");
    assert_eq!(seen.iter().filter(|e| e.is_none()).count(), 2, "{body}");
    assert!(!body.to_string().contains("@agency.example"), "{body}");
    for role in ["owner", "operator", "client"] {
        assert!(body.to_string().contains(role));
    }
    let op_token = token_for(&app, "op@agency.example").await;
    let (_, body) = call(&app, &op_token, Method::GET, &path, None).await;
    assert!(
        emails(&body).iter().all(Option::is_some),
        "agency staff see every address"
    );
    let op_page = Visitor::signed_in(&app, "op@agency.example")
        .await
        .get(&format!("/t/{tenant}"))
        .await;
    assert!(
        op_page
            .text()
            .await
            .unwrap()
            .contains("olga@agency.example")
    );
    app.stop().await;
}

async fn finding_10_a_name_saved_before_the_check_puts_no_line_break_into_the_invitation_mail(
    db: TestDb,
) {
    let app = spawn_app(db.config.clone()).await;
    let owner = crate::helpers::install_admin(&app, "owner@example.com").await;
    let old = TenantProfile {
        name: "Acme\r\n\nACTION NEEDED: https://evil.example/login\u{202e}".into(),
        ..Default::default()
    };
    let tenant = app.store.create_tenant(Some(owner), &old).await.unwrap().id;
    let mut visitor = Visitor::signed_in(&app, "owner@example.com").await;
    let form = [("email", "new@example.com"), ("role", "client")];
    let sent = visitor.post(&format!("/t/{tenant}/members"), &form).await;
    assert_eq!(sent.status(), 303);
    let mail = app.next_mail().await;
    assert!(
        !mail.subject.contains(['\r', '\n', '\u{202e}']),
        "{:?}",
        mail.subject
    );
    let first_lines: Vec<&str> = mail.text.lines().take(2).collect();
    assert!(
        first_lines[0].contains("AcmeACTION NEEDED"),
        "{first_lines:?}"
    );
    assert!(!mail.text.contains("\nACTION NEEDED"), "{:?}", mail.text);
    app.stop().await;
}
