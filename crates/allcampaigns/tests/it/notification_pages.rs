//! Notifications and reminders in pages, on both backends: "remind me if no reply" set from
//! the thread's panel (a time, or a quick choice), listed with its state and cancelled; a
//! mention written in the note form reaches the named teammate's `/notifications` page and the
//! top bar's count, and is marked read one by one or all at once; the profile's "email me when
//! a teammate mentions me" persists. The role matrix holds the routes too (`page_roles.rs`).

use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::notifications::{MENTION, Notification};
use allcampaigns::store::DynStore;
use chrono::Utc;
use uuid::Uuid;

use crate::helpers::{TestApp, TestDb, Visitor, member};
use crate::on_both_backends;

on_both_backends!(
    a_reminder_is_set_from_the_thread_panel_listed_and_cancelled,
    a_mention_from_the_note_form_reaches_the_teammates_page_and_count_and_is_marked_read,
    the_profile_remembers_whether_mentions_are_mailed,
);

const THREAD: &str = "notify-thread";

/// A client of Ana's (an install admin, so its owner) with one thread from a lead.
async fn client_of_ana(app: &TestApp) -> (Visitor<'_>, TenantId) {
    let mut ana = Visitor::install_admin(app, "ana@a.example").await;
    let created = ana.post("/tenants", &[("name", "A")]).await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap();
    let tenant: TenantId = location.trim_start_matches("/t/").parse().unwrap();
    crate::inbox_api::one_thread(&app.store, tenant, THREAD).await;
    (ana, tenant)
}

/// A notification of `user` in `tenant`, as a mention would leave it.
pub async fn stored_notification(store: &DynStore, tenant: TenantId, user: UserId) -> Uuid {
    let notification = Notification {
        tenant_id: tenant,
        notification_id: Uuid::now_v7(),
        user_id: user,
        kind: MENTION.to_owned(),
        actor_id: None,
        actor_name: Some("Someone".into()),
        lead_email: Some("lead@lead.example".into()),
        thread_id: None,
        note_id: None,
        excerpt: "@you look".into(),
        created_at: Utc::now(),
        read_at: None,
    };
    store
        .insert_notifications(tenant, &[(notification.clone(), None)])
        .await
        .unwrap();
    notification.notification_id
}

async fn text(visitor: &mut Visitor<'_>, path: &str) -> String {
    let response = visitor.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

async fn a_reminder_is_set_from_the_thread_panel_listed_and_cancelled(db: TestDb) {
    let app = crate::helpers::spawn_app(db.config.clone()).await;
    let (mut ana, a) = client_of_ana(&app).await;
    let thread = format!("/inbox/t/{a}/{THREAD}");
    let page = text(&mut ana, &format!("{thread}?view=all")).await;
    assert!(page.contains("id=\"thread-remind\""), "the form is there");
    assert!(page.contains("No reminders on this thread."));

    let at = (Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let back = format!("{thread}?view=all");
    let set = ana
        .post(
            &format!("{thread}/reminders"),
            &[("at", &at), ("back", &back)],
        )
        .await;
    assert_eq!(set.status(), 303);
    assert_eq!(set.headers()["location"], back.as_str());
    let quick = ana
        .post(&format!("{thread}/reminders"), &[("quick", "tomorrow")])
        .await;
    assert_eq!(quick.status(), 303);
    let past = ana
        .post(
            &format!("{thread}/reminders"),
            &[("at", "2001-01-01T09:00")],
        )
        .await;
    assert_eq!(past.status(), 422, "a time in the past is refused");

    let stored = app.store.thread_reminders(a, THREAD).await.unwrap();
    assert_eq!(stored.len(), 2);
    let page = text(&mut ana, &back).await;
    assert_eq!(
        page.matches(">Waiting</span>").count(),
        2,
        "both are listed"
    );
    let first = stored[0].id;
    let cancel = format!("{thread}/reminders/{first}/cancel");
    assert!(page.contains(&cancel), "a waiting one can be cancelled");
    let cancelled = ana.post(&cancel, &[("back", &back)]).await;
    assert_eq!(cancelled.status(), 303);
    let page = text(&mut ana, &back).await;
    assert!(page.contains("Cancelled"));
    assert!(!page.contains(&cancel), "a cancelled one has no Cancel");
    assert_eq!(ana.post(&cancel, &[]).await.status(), 409, "once only");

    // A client representative sees none of it and may set none.
    member(&app, a, "rep@a.example", Role::Client).await;
    let mut rep = Visitor::signed_in(&app, "rep@a.example").await;
    let page = text(&mut rep, &back).await;
    assert!(
        !page.contains("thread-reminders"),
        "no reminders for the client"
    );
    let refused = rep
        .post(&format!("{thread}/reminders"), &[("quick", "week")])
        .await;
    assert_eq!(refused.status(), 403);
    app.stop().await;
}

/// The top bar's unread count on a page.
fn count(page: &str) -> Option<String> {
    let link = page.split("class=\"notifications-link\"").nth(1)?;
    let link = &link[..link.find("</a>")?];
    let count = link.split("class=\"chip count\">").nth(1)?;
    Some(count[..count.find('<')?].to_owned())
}

async fn a_mention_from_the_note_form_reaches_the_teammates_page_and_count_and_is_marked_read(
    db: TestDb,
) {
    let app = crate::helpers::spawn_app(db.config.clone()).await;
    let (mut ana, a) = client_of_ana(&app).await;
    let bob_id = member(&app, a, "bob@a.example", Role::Operator).await;
    let mut bob = Visitor::signed_in(&app, "bob@a.example").await;
    let empty = text(&mut bob, "/notifications").await;
    assert!(empty.contains("mentions you in a note with @"), "{empty}");
    assert_eq!(count(&empty), None);

    let notes = format!("/leads/t/{a}/{THREAD}@lead.example/notes");
    for body in ["@bob can you call them?", "And @bob@a.example, the quote"] {
        let added = ana.post(&notes, &[("body", body)]).await;
        assert_eq!(added.status(), 303);
    }
    let page = text(&mut bob, "/notifications").await;
    assert_eq!(
        count(&page).as_deref(),
        Some("2"),
        "the top bar counts them"
    );
    assert!(page.contains("mentioned you on"));
    assert!(page.contains(&format!("/leads/t/{a}/{THREAD}%40lead.example")));
    assert!(page.contains("@bob can you call them?"));
    assert_eq!(page.matches("Mark read").count(), 2);
    let link = |page: &str| {
        let link = page.split("class=\"notifications-link\"").nth(1)?;
        Some(link[..link.find('>')?].to_owned())
    };
    assert!(
        link(&page).unwrap().contains("aria-current=\"page\""),
        "the current page"
    );
    let inbox = text(&mut bob, "/inbox").await;
    assert_eq!(count(&inbox).as_deref(), Some("2"), "on every page");
    assert!(
        !link(&inbox).unwrap().contains("aria-current"),
        "not the current page"
    );
    assert_eq!(count(&text(&mut ana, "/notifications").await), None);

    let theirs = app
        .store
        .notifications(&[a], bob_id, false, 10)
        .await
        .unwrap();
    let read = format!("/notifications/t/{a}/{}/read", theirs[0].notification_id);
    assert_eq!(ana.post(&read, &[]).await.status(), 404, "not Ana's");
    assert_eq!(bob.post(&read, &[]).await.status(), 303);
    let page = text(&mut bob, "/notifications").await;
    assert_eq!(count(&page).as_deref(), Some("1"));
    assert_eq!(page.matches("Mark read").count(), 1);
    assert_eq!(bob.post("/notifications/read-all", &[]).await.status(), 303);
    let page = text(&mut bob, "/notifications").await;
    assert_eq!(count(&page), None);
    assert!(!page.contains("Mark read") && !page.contains("Mark all read"));
    assert!(
        page.contains("@bob can you call them?"),
        "read ones stay listed"
    );
    app.stop().await;
}

async fn the_profile_remembers_whether_mentions_are_mailed(db: TestDb) {
    let app = crate::helpers::spawn_app(db.config.clone()).await;
    let (mut ana, _) = client_of_ana(&app).await;
    let ana_id = app
        .store
        .user_by_email(&Email::parse("ana@a.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let profile = [
        ("display_name", "Ana"),
        ("avatar_url", ""),
        ("theme", "system"),
        ("locale", "en"),
    ];
    let checked = "name=\"mention_emails\" id=\"mention_emails\" value=\"1\" checked";
    assert!(!text(&mut ana, "/profile").await.contains(checked));
    let mut chosen = profile.to_vec();
    chosen.push(("mention_emails", "1"));
    assert_eq!(ana.post("/profile", &chosen).await.status(), 303);
    assert!(app.store.mention_emails(ana_id).await.unwrap());
    assert!(text(&mut ana, "/profile").await.contains(checked));
    assert_eq!(ana.post("/profile", &profile).await.status(), 303);
    assert!(!app.store.mention_emails(ana_id).await.unwrap());
    assert!(!text(&mut ana, "/profile").await.contains(checked));
    app.stop().await;
}
