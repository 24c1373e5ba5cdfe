//! Mentions, notifications and "remind me if no reply" (issue 13), on both backends: a note's
//! @mention notifies the named teammate (never the author, never a client representative from
//! an internal note) and mails them once if they chose it; notifications are each person's own
//! (another's answers 404) and are marked read; a reminder notifies its owner when its time
//! comes unless the lead wrote first, in which case it cancelled itself; refused input names
//! its field; an edit notifies only whom it newly names or newly lets read the note. The role
//! and isolation matrices hold the routes too (`api.rs`).

use std::sync::Arc;

use allcampaigns::jobs::runner::Runner;
use allcampaigns::mail::Mailer;
use allcampaigns::notifications::mail::MentionMailer;
use allcampaigns::notifications::reminders::Reminders;
use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::inbox_seed::{Msg, write};
use crate::lead_fixture::{Setup, setup};
use crate::on_both_backends;

on_both_backends!(
    a_mention_notifies_the_named_teammate_and_mails_them_once_if_they_chose_it,
    notifications_are_each_persons_own_and_are_marked_read,
    a_reminder_notifies_unless_the_lead_wrote_first_and_can_be_cancelled,
    an_edit_notifies_only_whom_it_newly_names_or_newly_lets_read,
);

const LEAD: &str = "t-A@lead.example";

impl Setup {
    async fn note(&self, token: &str, body: &str, shared: bool) {
        let path = format!("/api/v1/tenants/{}/leads/{LEAD}/notes", self.a);
        let note = json!({"body": body, "shared": shared});
        let (status, answer) = self.call(token, Method::POST, &path, Some(note)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }

    async fn notifications(&self, token: &str, query: &str) -> Vec<Value> {
        let path = format!("/api/v1/notifications{query}");
        let (status, list) = self.call(token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["items"].as_array().unwrap().clone()
    }

    fn runner(&self, mailer: Mailer) -> Runner {
        let store = self.app.store.clone();
        let url = "http://product.example/".parse().unwrap();
        Runner::new(store.clone())
            .with_handler(Arc::new(MentionMailer::new(store.clone(), mailer, url)))
            .with_handler(Arc::new(Reminders::new(store)))
    }
}

async fn run_due(runner: &Runner, ahead: chrono::Duration) -> usize {
    let mut ran = 0;
    while let Some(outcome) = runner.run_once_at(Utc::now() + ahead).await.unwrap() {
        outcome.result.expect("the handler does not fail");
        ran += 1;
        assert!(ran < 20, "jobs never settle");
    }
    ran
}

async fn a_mention_notifies_the_named_teammate_and_mails_them_once_if_they_chose_it(db: TestDb) {
    let s = setup(&db).await;
    s.note(
        &s.operator,
        "@admin can you call Ann? I'm (@op) out.",
        false,
    )
    .await;
    let got = s.notifications(&s.admin, "").await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (&got[0]["kind"], &got[0]["lead_email"], &got[0]["read_at"]),
        (&json!("mention"), &json!("t-a@lead.example"), &Value::Null)
    );
    assert!(
        got[0]["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("@admin can you call Ann?")
    );
    assert!(
        s.notifications(&s.operator, "").await.is_empty(),
        "not the author"
    );
    assert!(s.notifications(&s.owner, "").await.is_empty(), "not named");

    // An internal note never reaches a client representative; a shared one does.
    s.note(&s.operator, "@rep see the thread", false).await;
    assert!(s.notifications(&s.client, "").await.is_empty());
    s.note(&s.operator, "@rep see the thread", true).await;
    assert_eq!(s.notifications(&s.client, "").await.len(), 1);

    // Mails only for who chose them, once.
    let (mailer, mut mails) = Mailer::capture();
    let runner = s.runner(mailer);
    assert_eq!(
        run_due(&runner, chrono::Duration::zero()).await,
        0,
        "nobody chose mails"
    );
    let path = "/api/v1/me/notification-settings";
    let (status, chosen) = s
        .call(
            &s.admin,
            Method::PUT,
            path,
            Some(json!({"mention_emails": true})),
        )
        .await;
    assert_eq!(
        (status, &chosen["mention_emails"]),
        (StatusCode::OK, &json!(true))
    );
    s.note(&s.operator, "Thanks @ADMIN@agency.example!", false)
        .await;
    assert_eq!(run_due(&runner, chrono::Duration::zero()).await, 1);
    let mail = mails.try_recv().expect("one mail");
    assert_eq!(mail.to, "admin@agency.example");
    assert!(
        mail.text.contains("Thanks @ADMIN@agency.example!"),
        "{}",
        mail.text
    );
    let link = format!("http://product.example/leads/t/{}/t-a@lead.example", s.a);
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(mails.try_recv().is_err(), "and only one");
    // The job's claim holds: the notification is never mailed again.
    let latest = &s.notifications(&s.admin, "").await[0];
    let id: uuid::Uuid = latest["notification_id"].as_str().unwrap().parse().unwrap();
    assert!(
        !s.app
            .store
            .claim_notification_mail(s.a, id, Utc::now())
            .await
            .unwrap()
    );
    s.app.stop().await;
}

async fn notifications_are_each_persons_own_and_are_marked_read(db: TestDb) {
    let s = setup(&db).await;
    s.note(&s.operator, "@admin one", false).await;
    s.note(&s.operator, "@admin two", false).await;
    let got = s.notifications(&s.admin, "?unread=true").await;
    assert_eq!(got.len(), 2);
    let id = got[0]["notification_id"].as_str().unwrap();
    let read = |tenant| format!("/api/v1/tenants/{tenant}/notifications/{id}/read");
    for (token, tenant) in [(&s.operator, s.a), (&s.owner, s.a), (&s.admin, s.b)] {
        let (status, _) = s.call(token, Method::POST, &read(tenant), None).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "another person's, or client's"
        );
    }
    let (status, _) = s.call(&s.admin, Method::POST, &read(s.a), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let unread = s.notifications(&s.admin, "?unread=true").await;
    assert_eq!(unread.len(), 1);
    let (status, marked) = s
        .call(
            &s.admin,
            Method::POST,
            "/api/v1/notifications/read-all",
            None,
        )
        .await;
    assert_eq!((status, &marked["marked"]), (StatusCode::OK, &json!(1)));
    assert!(s.notifications(&s.admin, "?unread=true").await.is_empty());
    assert_eq!(s.notifications(&s.admin, "").await.len(), 2);
    let (status, _) = s
        .call(
            &s.admin,
            Method::GET,
            "/api/v1/notifications?unread=maybe",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    s.app.stop().await;
}

async fn a_reminder_notifies_unless_the_lead_wrote_first_and_can_be_cancelled(db: TestDb) {
    let s = setup(&db).await;
    let path = format!("/api/v1/tenants/{}/threads/t-A/reminders", s.a);
    let in_hours = |h: i64| (Utc::now() + chrono::Duration::hours(h)).to_rfc3339();
    let remind = |token: &str, at: String| {
        let token = token.to_owned();
        let path = path.clone();
        let s = &s;
        async move {
            s.call(&token, Method::POST, &path, Some(json!({ "at": at })))
                .await
        }
    };
    let runner = s.runner(Mailer::capture().0);

    let (status, first) = remind(&s.operator, in_hours(1)).await;
    assert_eq!(
        (status, &first["state"]),
        (StatusCode::CREATED, &json!("waiting")),
        "{first}"
    );
    assert_eq!(
        run_due(&runner, chrono::Duration::zero()).await,
        0,
        "not yet"
    );
    assert_eq!(run_due(&runner, chrono::Duration::hours(2)).await, 1);
    let got = s.notifications(&s.operator, "").await;
    assert_eq!(
        (&got[0]["kind"], &got[0]["thread_id"], &got[0]["lead_email"]),
        (
            &json!("reminder"),
            &json!("t-A"),
            &json!("t-a@lead.example")
        )
    );

    // The lead writes after the reminder is set: it cancels itself.
    let (_, second) = remind(&s.operator, in_hours(1)).await;
    let mut answer = Msg::new(s.a, "t-A", "t-A-3", 60);
    answer.lead = Some(LEAD.into());
    write(&s.app.store, &[answer], &[]).await;
    let (_, listed) = s.call(&s.operator, Method::GET, &path, None).await;
    assert_eq!(listed["items"][0]["state"], "answered", "{listed}");
    assert_eq!(run_due(&runner, chrono::Duration::hours(2)).await, 1);
    assert_eq!(
        s.notifications(&s.operator, "").await.len(),
        1,
        "no second notification"
    );
    let (_, listed) = s.call(&s.operator, Method::GET, &path, None).await;
    let states: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["state"])
        .collect();
    assert_eq!(states, [&json!("answered"), &json!("reminded")]);
    assert_eq!(listed["items"][0]["reminder_id"], second["reminder_id"]);

    // Cancelled by its owner (or an admin), once; another operator may not.
    let (_, third) = remind(&s.operator, in_hours(1)).await;
    let cancel = format!("{path}/{}/cancel", third["reminder_id"].as_str().unwrap());
    let (status, _) = s.call(&s.other_operator, Method::POST, &cancel, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, cancelled) = s.call(&s.admin, Method::POST, &cancel, None).await;
    assert_eq!(
        (status, &cancelled["state"]),
        (StatusCode::OK, &json!("cancelled"))
    );
    let (status, _) = s.call(&s.operator, Method::POST, &cancel, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        run_due(&runner, chrono::Duration::hours(2)).await,
        0,
        "its job went with it"
    );

    // Refused input and roles.
    for at in [
        "tomorrow",
        &(Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
    ] {
        let (status, error) = remind(&s.operator, at.to_owned()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("at")
        );
    }
    let (status, _) = remind(&s.client, in_hours(1)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = format!("/api/v1/tenants/{}/threads/t-C/reminders", s.c);
    let (status, _) = s.call(&s.operator, Method::GET, &other, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.app.stop().await;
}

async fn an_edit_notifies_only_whom_it_newly_names_or_newly_lets_read(db: TestDb) {
    let s = setup(&db).await;
    let path = format!("/api/v1/tenants/{}/leads/{LEAD}/notes", s.a);
    let body = json!({"body": "Called, no answer.", "shared": false});
    let (status, note) = s.call(&s.operator, Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    let note_path = format!("{path}/{}", note["note_id"].as_str().unwrap());
    let edit = |body: Value| async {
        let (status, answer) = s
            .call(&s.operator, Method::PATCH, &note_path, Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    };

    edit(json!({"body": "Called, no answer. @admin @rep can you try?"})).await;
    assert_eq!(
        s.notifications(&s.admin, "").await.len(),
        1,
        "a mention added"
    );
    assert!(
        s.notifications(&s.client, "").await.is_empty(),
        "an internal note names a client representative in vain"
    );
    edit(json!({"body": "Called twice, no answer. @admin @rep can you try?"})).await;
    assert_eq!(
        s.notifications(&s.admin, "").await.len(),
        1,
        "named already"
    );
    edit(json!({"shared": true})).await;
    assert_eq!(
        s.notifications(&s.client, "").await.len(),
        1,
        "shared now with the representative it names"
    );
    assert_eq!(s.notifications(&s.admin, "").await.len(), 1);
    assert!(
        s.notifications(&s.operator, "").await.is_empty(),
        "not the author"
    );
    s.app.stop().await;
}
