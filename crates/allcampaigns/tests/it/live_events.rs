//! Live events (issue 12): `GET /events` streams the changes of the clients a person may see,
//! fixed when it opens; another client's events never travel on it, asking for another client
//! answers 404, events published on one node reach pages open on another (PostgreSQL `NOTIFY`),
//! and an open stream does not hold up shutdown.

use std::time::Duration;

use allcampaigns::domain::{Role, TenantId};
use allcampaigns::live::{Change, LiveEvent, PresenceState};
use reqwest::header::COOKIE;

use crate::helpers::{TestApp, TestDb, Visitor, spawn_app};

crate::on_both_backends!(
    a_stream_carries_only_its_persons_clients_and_ends_at_shutdown,
    triage_tells_every_open_page_of_the_client_once_per_thread,
    presence_reaches_the_clients_pages_by_display_name_and_never_crosses_clients,
);

/// An open event stream, read line by line.
struct Events {
    body: reqwest::Response,
    unread: String,
}

impl Events {
    async fn open(app: &TestApp, cookies: &str, query: &str) -> reqwest::Response {
        app.client
            .get(app.url(&format!("/events{query}")))
            .header(COOKIE, cookies)
            .send()
            .await
            .unwrap()
    }

    fn of(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            body: response,
            unread: String::new(),
        }
    }

    /// The next event's name and data, skipping keep-alive comments; `None` when the stream
    /// ended or nothing came within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.unread.find("\n\n") {
                let block: String = self.unread.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|line| line.strip_prefix(name))
                        .map(|value| value.trim_start().to_string())
                };
                if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                    return Some((event, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.chunk())
                .await
                .ok()?;
            let chunk = chunk.ok()??;
            self.unread.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

fn thread_changed(tenant: TenantId, thread: &str) -> LiveEvent {
    LiveEvent {
        tenant_id: tenant,
        change: Change::Thread {
            thread_id: thread.into(),
        },
    }
}

async fn a_stream_carries_only_its_persons_clients_and_ends_at_shutdown(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut admin = Visitor::install_admin(&app, "ana@example.com").await;
    let mut ids = Vec::new();
    for name in ["Acme", "Zeta"] {
        let created = admin.post("/tenants", &[("name", name)]).await;
        let path = created.headers()["location"].to_str().unwrap().to_string();
        ids.push(path.trim_start_matches("/t/").parse::<TenantId>().unwrap());
    }
    let (acme, zeta) = (ids[0], ids[1]);
    // Bo is a client representative of Acme only.
    crate::helpers::member(&app, acme, "bo@example.com", Role::Client).await;
    let bo = Visitor::signed_in(&app, "bo@example.com").await;
    let cookies = bo.cookie_header();

    let refused = Events::open(&app, &cookies, &format!("?tenant={zeta}")).await;
    assert_eq!(refused.status(), 404, "another client's stream");
    let anonymous = app.get("/events").await;
    assert_ne!(anonymous.status(), 200);

    let mut all = Events::of(Events::open(&app, &cookies, "").await);
    let mut one = Events::of(Events::open(&app, &cookies, &format!("?tenant={acme}")).await);
    app.live.publish(thread_changed(zeta, "z-1")).await;
    app.live.publish(thread_changed(acme, "a-1")).await;
    for events in [&mut all, &mut one] {
        let (name, data) = events.next(Duration::from_secs(5)).await.expect("an event");
        assert_eq!(name, "thread");
        let event: LiveEvent = serde_json::from_str(&data).unwrap();
        assert_eq!(
            event,
            thread_changed(acme, "a-1"),
            "Zeta's event never arrives"
        );
    }
    let stopping = tokio::time::timeout(Duration::from_secs(10), app.stop());
    stopping
        .await
        .expect("open streams do not hold up shutdown");
    assert_eq!(
        all.next(Duration::from_secs(5)).await,
        None,
        "the stream ended"
    );
}

/// Two nodes on one PostgreSQL: a change published on one reaches a page open on the other.
#[tokio::test]
async fn events_published_on_one_node_reach_pages_open_on_another() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (one, two) = (
        spawn_app(db.config.clone()).await,
        spawn_app(db.config.clone()).await,
    );
    let mut ana = Visitor::install_admin(&one, "ana@example.com").await;
    let created = ana.post("/tenants", &[("name", "Acme")]).await;
    let path = created.headers()["location"].to_str().unwrap().to_string();
    let acme: TenantId = path.trim_start_matches("/t/").parse().unwrap();
    let mut on_two = Events::of(Events::open(&two, &ana.cookie_header(), "").await);
    // The other node's listener may still be connecting: publish until it hears.
    let mut heard = None;
    for _ in 0..20 {
        one.live.publish(thread_changed(acme, "a-1")).await;
        heard = on_two.next(Duration::from_millis(500)).await;
        if heard.is_some() {
            break;
        }
    }
    let (name, data) = heard.expect("an event from the other node");
    assert_eq!(name, "thread");
    let event: LiveEvent = serde_json::from_str(&data).unwrap();
    assert_eq!(event, thread_changed(acme, "a-1"));
    one.stop().await;
    two.stop().await;
}

/// Triage (one thread, then two at once) reaches a teammate's open page as `thread` events,
/// one per thread changed, after the change is stored.
async fn triage_tells_every_open_page_of_the_client_once_per_thread(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let token = crate::api::token_for(&app, "ops@agency.example").await;
    let ops = app
        .store
        .user_by_email(&allcampaigns::domain::Email::parse("ops@agency.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let profile = allcampaigns::store::TenantProfile {
        name: "Acme".into(),
        ..Default::default()
    };
    let acme = app
        .store
        .create_tenant(Some(ops.id), &profile)
        .await
        .unwrap()
        .id;
    for thread in ["t-1", "t-2", "t-3"] {
        crate::inbox_api::one_thread(&app.store, acme, thread).await;
    }
    crate::helpers::member(&app, acme, "mia@agency.example", Role::Operator).await;
    let mia = Visitor::signed_in(&app, "mia@agency.example").await;
    let mut page = Events::of(Events::open(&app, &mia.cookie_header(), "").await);

    let one = format!("/api/v1/tenants/{acme}/threads/t-1/triage");
    let body = serde_json::json!({"action": "done"});
    let (status, _) = crate::api::call(&app, &token, reqwest::Method::POST, &one, Some(body)).await;
    assert_eq!(status, 200);
    let bulk = format!("/api/v1/tenants/{acme}/triage");
    let body = serde_json::json!({"thread_ids": ["t-2", "t-3"], "action": "read"});
    let (status, _) =
        crate::api::call(&app, &token, reqwest::Method::POST, &bulk, Some(body)).await;
    assert_eq!(status, 200);

    let mut told = Vec::new();
    while let Some((name, data)) = page.next(Duration::from_secs(3)).await {
        assert_eq!(name, "thread");
        told.push(serde_json::from_str::<LiveEvent>(&data).unwrap());
        if told.len() == 3 {
            break;
        }
    }
    let expected: Vec<LiveEvent> = ["t-1", "t-2", "t-3"]
        .into_iter()
        .map(|thread| thread_changed(acme, thread))
        .collect();
    assert_eq!(told, expected);
    assert_eq!(
        page.next(Duration::from_millis(300)).await,
        None,
        "once each"
    );
    app.stop().await;
}

/// "Who is on it": a page that has a thread open says so; the client's other open pages (a
/// client representative's too) hear it under the person's display name, never an address.
/// Another client's thread, an unknown thread and an unknown state are refused, and nothing
/// reaches a page of another client.
async fn presence_reaches_the_clients_pages_by_display_name_and_never_crosses_clients(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let acme = ana.new_client("Acme").await;
    let zeta = ana.new_client("Zeta").await;
    crate::inbox_api::one_thread(&app.store, acme, "a-1").await;
    crate::inbox_api::one_thread(&app.store, zeta, "z-1").await;
    let saved = ana
        .post(
            "/profile",
            &[
                ("display_name", "Ana Petrova"),
                ("theme", "system"),
                ("locale", "en"),
            ],
        )
        .await;
    assert!(saved.status().is_redirection(), "{}", saved.status());
    crate::helpers::member(&app, acme, "bo@client.example", Role::Client).await;
    crate::helpers::member(&app, acme, "mia@agency.example", Role::Operator).await;
    let bo = Visitor::signed_in(&app, "bo@client.example").await;
    let mut mia = Visitor::signed_in(&app, "mia@agency.example").await;
    let mut bo_page = Events::of(Events::open(&app, &bo.cookie_header(), "").await);

    let path = format!("/inbox/t/{acme}/a-1/presence");
    assert_eq!(ana.post(&path, &[("state", "viewing")]).await.status(), 204);
    let (name, data) = bo_page
        .next(Duration::from_secs(5))
        .await
        .expect("presence");
    assert_eq!(name, "presence");
    let event: LiveEvent = serde_json::from_str(&data).unwrap();
    let Change::Presence {
        thread_id,
        name,
        state,
        ..
    } = event.change
    else {
        panic!("{data}");
    };
    assert_eq!((event.tenant_id, thread_id.as_str()), (acme, "a-1"));
    assert_eq!(
        (name.as_str(), state),
        ("Ana Petrova", PresenceState::Viewing)
    );

    // Mia set no display name: her address stays out of the event.
    assert_eq!(mia.post(&path, &[("state", "writing")]).await.status(), 204);
    let (_, data) = bo_page
        .next(Duration::from_secs(5))
        .await
        .expect("presence");
    assert!(!data.contains("mia@"), "{data}");
    assert!(data.contains(r#""state":"writing""#), "{data}");

    let zeta_thread = format!("/inbox/t/{zeta}/z-1/presence");
    assert_eq!(
        mia.post(&zeta_thread, &[("state", "viewing")])
            .await
            .status(),
        404
    );
    let unknown = format!("/inbox/t/{acme}/no-such-thread/presence");
    assert_eq!(
        mia.post(&unknown, &[("state", "viewing")]).await.status(),
        404
    );
    assert_eq!(mia.post(&path, &[("state", "dancing")]).await.status(), 422);
    // Ana is on Zeta's thread too; Bo's page (Acme only) never hears of it.
    let on_zeta = ana.post(&zeta_thread, &[("state", "viewing")]).await;
    assert_eq!(on_zeta.status(), 204);
    assert_eq!(bo_page.next(Duration::from_millis(500)).await, None);
    app.stop().await;
}
