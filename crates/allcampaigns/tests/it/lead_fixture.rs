//! The fixture of the lead work tests (`lead_notes.rs`, `lead_calls.rs`,
//! `lead_notes_input.rs`): three clients with leads known in each way, a member of each role,
//! their tokens, and notes and calls written straight to the store for the matrices
//! (`api.rs`, `rls.rs`).

use allcampaigns::auth::tokens::{NewToken, issue};
use allcampaigns::domain::{Role, TenantId, UserId};
use allcampaigns::inbox::senders::OwnLead;
use allcampaigns::leads::settings::LeadSettings;
use allcampaigns::leads::state::{Change, Source, StateWrite, Stored};
use allcampaigns::leads::tags::Tag;
use allcampaigns::leads::{Author, Call, CallOutcome, Note};
use allcampaigns::store::{DynStore, TenantProfile};
use chrono::{Duration, FixedOffset, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::api::call;
use crate::helpers::{TestApp, TestDb, member, spawn_app};
use crate::inbox_api::one_thread;
use crate::inbox_seed::{Lead, write};

/// A note written straight to the store (the matrices' fixture); answers its id.
pub async fn stored_note(
    store: &DynStore,
    tenant: TenantId,
    by: UserId,
    lead: &str,
    shared: bool,
) -> String {
    let now = Utc::now();
    let note = Note {
        id: uuid::Uuid::now_v7(),
        lead_email: lead.into(),
        author: Some(author(by)),
        body: "seed".into(),
        html: "<p>seed</p>".into(),
        shared,
        created_at: now,
        updated_at: now,
    };
    let entry = crate::inbox::entry(by);
    store.insert_lead_note(tenant, &note, &entry).await.unwrap();
    note.id.to_string()
}

/// A call written straight to the store; answers its id.
pub async fn stored_call(store: &DynStore, tenant: TenantId, by: UserId, lead: &str) -> String {
    let now = Utc::now();
    let call = Call {
        id: uuid::Uuid::now_v7(),
        lead_email: lead.into(),
        author: Some(author(by)),
        at: now,
        duration_seconds: 60,
        outcome: CallOutcome::Connected,
        notes: None,
        notes_html: None,
        call_back_at: None,
        created_at: now,
    };
    let entry = crate::inbox::entry(by);
    store.insert_lead_call(tenant, &call, &entry).await.unwrap();
    call.id.to_string()
}

/// A tag written straight to the store, named uniquely; answers its id.
pub async fn stored_tag(store: &DynStore, tenant: TenantId, by: UserId) -> String {
    let id = uuid::Uuid::now_v7();
    let tag = Tag {
        id,
        name: format!("tag {id}"),
        colour: "#6366f1".into(),
        created_at: Utc::now(),
    };
    let entry = crate::inbox::entry(by);
    store.insert_lead_tag(tenant, &tag, &entry).await.unwrap();
    id.to_string()
}

/// A scheduled reply in `thread`, written straight to the store with its job; answers its id.
pub async fn stored_reply(store: &DynStore, tenant: TenantId, by: UserId, thread: &str) -> String {
    use allcampaigns::leads::replies::{Reply, ReplyState, send};
    let now = Utc::now();
    let reply = Reply {
        id: uuid::Uuid::now_v7(),
        thread_id: thread.into(),
        lead_email: "lead@example.com".into(),
        author: Some(author(by)),
        eaccount: "sender@agency.example".into(),
        reply_to_uuid: format!("{thread}-2"),
        reply_to_at: now,
        subject: "Re: hello".into(),
        body: "seed".into(),
        html: "<p>seed</p>".into(),
        send_at: now + Duration::hours(1),
        state: ReplyState::Scheduled,
        error: None,
        instantly_email_id: None,
        confirmed_by_sync: false,
        attempted_at: None,
        sent_at: None,
        created_at: now,
        updated_at: now,
    };
    let entry = crate::inbox::entry(by);
    let job = send::job(reply.id, reply.send_at);
    store
        .insert_reply(tenant, &reply, &job, &entry)
        .await
        .unwrap();
    reply.id.to_string()
}

/// One note, one call, the pipeline, a tag, a lead's state with its history, the client's
/// settings, a reply with its speed-to-reply row, an outbox reply and a signature, for the
/// row-level security checks.
pub async fn seed_rows(store: &DynStore, tenant: TenantId, by: UserId) {
    stored_note(store, tenant, by, "lead@example.com", false).await;
    stored_call(store, tenant, by, "lead@example.com").await;
    let stage = seeded_stage(store, tenant).await.parse().unwrap();
    let tag = stored_tag(store, tenant, by).await.parse().unwrap();
    let state = Stored {
        stage: Some((stage, Source::Person, None)),
        value_cents: Some(100),
        owner: Some(by),
        tags: vec![tag],
        instantly_status: None,
    };
    let change = Change {
        id: uuid::Uuid::now_v7(),
        lead_email: "lead@example.com".into(),
        actor: Some(author(by)),
        source: Source::Person,
        field: "value".into(),
        from: None,
        to: Some("1.00 USD".into()),
        from_label: None,
        to_label: None,
        reason: None,
        at: Utc::now(),
    };
    let entry = crate::inbox::entry(by);
    store
        .put_lead_state(
            tenant,
            &StateWrite {
                lead_email: "lead@example.com",
                state: &state,
                changes: &[change],
                positive: Some(true),
                send: None,
            },
            &entry,
        )
        .await
        .unwrap();
    let settings = LeadSettings {
        updated_at: Some(Utc::now()),
        ..Default::default()
    };
    store
        .put_lead_settings(tenant, &settings, &entry)
        .await
        .unwrap();
    // A lead's interested reply, which sync's trigger keeps a speed-to-reply row of, and its
    // triggers a day's count.
    let mut reply = crate::inbox_seed::Msg::new(tenant, "speed", "speed-1", 0);
    reply.lead = Some("speed@lead.example".into());
    reply.stage = Some(1);
    crate::inbox_seed::write(store, &[reply], &[]).await;
    stored_reply(store, tenant, by, "x").await;
    let signature = allcampaigns::leads::replies::Signature {
        mailbox: "sender@agency.example".into(),
        body: "seed".into(),
        html: "<p>seed</p>".into(),
        updated_at: Utc::now(),
    };
    store
        .save_mailbox_signature(tenant, &signature, Some(by), &entry)
        .await
        .unwrap();
    seed_notifications(store, tenant, by).await;
    seed_inbound(store, tenant, by).await;
}

/// An inbound hook and one event it received.
async fn seed_inbound(store: &DynStore, tenant: TenantId, by: UserId) {
    use allcampaigns::inbound::{InboundEvent, InboundHook, NewHook, digest};
    let hook = NewHook {
        path_digest: digest(&format!("path-{tenant}")),
        header_digest: digest("header"),
        hook: InboundHook {
            tenant,
            instantly_webhook_id: None,
            created_by: Some(by),
            created_at: Utc::now(),
        },
    };
    let entry = crate::inbox::entry(by);
    store.put_inbound_hook(&hook, &entry).await.unwrap();
    let body = br#"{"event_type":"reply_received","email_id":"seed"}"#;
    let event = InboundEvent::parse(tenant, body, Utc::now()).unwrap();
    assert!(store.record_inbound_event(&event).await.unwrap());
}

/// A reminder on the `speed` thread, and a notification with its mail job.
async fn seed_notifications(store: &DynStore, tenant: TenantId, by: UserId) {
    use allcampaigns::notifications::{Notification, Reminder, ReminderState, mail, reminders};
    let now = Utc::now();
    let reminder = Reminder {
        id: uuid::Uuid::now_v7(),
        thread_id: "speed".into(),
        user_id: by,
        remind_at: now + Duration::hours(1),
        lead_seen_at: None,
        state: ReminderState::Waiting,
        created_at: now,
        settled_at: None,
    };
    let entry = crate::inbox::entry(by);
    let job = reminders::job(&reminder);
    store
        .insert_reminder(tenant, &reminder, &job, &entry)
        .await
        .unwrap();
    let notification = Notification {
        tenant_id: tenant,
        notification_id: uuid::Uuid::now_v7(),
        user_id: by,
        kind: "mention".into(),
        actor_id: Some(by),
        actor_name: None,
        lead_email: Some("lead@example.com".into()),
        thread_id: None,
        note_id: None,
        excerpt: "seed".into(),
        created_at: now,
        read_at: None,
    };
    let job = Some(mail::job(notification.notification_id));
    store
        .insert_notifications(tenant, &[(notification, job)])
        .await
        .unwrap();
}

/// Seeds the tenant's pipeline straight in the store; answers its first stage's id.
pub async fn seeded_stage(store: &DynStore, tenant: TenantId) -> String {
    use allcampaigns::leads::stages::defaults;
    store
        .seed_pipeline(tenant, &defaults(Utc::now()))
        .await
        .unwrap();
    let stages = store.pipeline_stages(tenant).await.unwrap();
    stages[0].id.to_string()
}

fn author(user: UserId) -> Author {
    Author {
        user_id: user,
        display_name: String::new(),
        email: String::new(),
        role: None,
    }
}

/// An instant `hours` ago, as a person an hour east of UTC writes it.
pub fn hours_ago(hours: i64) -> String {
    let east = FixedOffset::east_opt(3600).unwrap();
    (Utc::now() - Duration::hours(hours))
        .with_timezone(&east)
        .to_rfc3339()
}

pub struct Setup {
    pub app: TestApp,
    /// Owns A and B.
    pub owner: String,
    pub owner_id: UserId,
    /// Of A.
    pub admin: String,
    pub operator: String,
    pub operator_id: UserId,
    pub other_operator: String,
    pub client: String,
    pub client_id: UserId,
    /// Owns C only.
    pub stranger: String,
    pub a: TenantId,
    pub b: TenantId,
    pub c: TenantId,
}

/// A knows the Instantly lead `lead-a` (Ann@Acme.example), the lead of thread `t-A`
/// (t-A@lead.example) and a lead made here (referral@acme.example); C knows `lead-c`
/// (cat@c.example) and the lead of `t-C`.
pub async fn setup(db: &TestDb) -> Setup {
    let app = spawn_app(db.config.clone()).await;
    let owner_id = member_token_less(&app, "ops@agency.example").await;
    let stranger_id = member_token_less(&app, "other@else.example").await;
    let mut tenants = Vec::new();
    for (name, by) in [("A", owner_id), ("B", owner_id), ("C", stranger_id)] {
        let profile = TenantProfile {
            name: name.into(),
            ..Default::default()
        };
        let tenant = app.store.create_tenant(Some(by), &profile).await.unwrap();
        one_thread(&app.store, tenant.id, &format!("t-{name}")).await;
        tenants.push(tenant.id);
    }
    let (a, b, c) = (tenants[0], tenants[1], tenants[2]);
    let lead = |tenant, id: &str, email: &str| Lead {
        tenant,
        id: id.into(),
        email: email.into(),
        first: "Ann".into(),
        last: "Lee".into(),
        company: "Acme".into(),
    };
    let leads = [
        lead(a, "lead-a", "Ann@Acme.example"),
        lead(c, "lead-c", "cat@c.example"),
    ];
    write(&app.store, &[], &leads).await;
    let own = OwnLead {
        email: "referral@acme.example".into(),
        name: None,
        thread_id: "t-A".into(),
        created_by: Some(owner_id),
        created_at: Utc::now(),
    };
    let entry = crate::inbox::entry(owner_id);
    app.store.add_own_lead(a, &own, &entry).await.unwrap();
    let operator_id = member(&app, a, "op@agency.example", Role::Operator).await;
    let client_id = member(&app, a, "rep@client.example", Role::Client).await;
    let admin_id = member(&app, a, "admin@agency.example", Role::Admin).await;
    let other_id = member(&app, a, "op2@agency.example", Role::Operator).await;
    Setup {
        owner: token(&app, owner_id, None).await,
        admin: token(&app, admin_id, None).await,
        operator: token(&app, operator_id, None).await,
        other_operator: token(&app, other_id, None).await,
        client: token(&app, client_id, None).await,
        stranger: token(&app, stranger_id, None).await,
        app,
        owner_id,
        operator_id,
        client_id,
        a,
        b,
        c,
    }
}

async fn member_token_less(app: &TestApp, address: &str) -> UserId {
    let email = allcampaigns::domain::Email::parse(address).unwrap();
    app.store.create_user(&email, "").await.unwrap().id
}

/// A token of `user`, limited to `tenant` and read-only when one is given.
pub async fn token(app: &TestApp, user: UserId, tenant: Option<TenantId>) -> String {
    let grant = NewToken {
        name: "script".into(),
        days: 1,
        read_only: tenant.is_some(),
        tenant_scope: tenant,
    };
    issue(&app.store, user, &grant, Utc::now()).await.unwrap().1
}

impl Setup {
    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(&self.app, token, method, path, body).await
    }

    pub async fn add_note(&self, token: &str, lead: &str, body: Value) -> Value {
        let path = notes(self.a, lead);
        let (status, note) = self.call(token, Method::POST, &path, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{note}");
        note
    }

    /// The ids of the notes `token` lists on A's lead, in order.
    pub async fn listed(&self, token: &str, lead: &str) -> Vec<String> {
        let (status, list) = self
            .call(token, Method::GET, &notes(self.a, lead), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        ids(&list, "note_id")
    }
}

pub fn notes(tenant: TenantId, lead: &str) -> String {
    format!("/api/v1/tenants/{tenant}/leads/{lead}/notes")
}

pub fn calls(tenant: TenantId, lead: &str) -> String {
    format!("/api/v1/tenants/{tenant}/leads/{lead}/calls")
}

pub fn ids(list: &Value, key: &str) -> Vec<String> {
    let items = list["items"].as_array().expect("items");
    items
        .iter()
        .map(|i| i[key].as_str().unwrap().to_owned())
        .collect()
}

pub fn time(value: &Value) -> chrono::DateTime<Utc> {
    value.as_str().expect("a time").parse().expect("RFC 3339")
}

pub fn id_of(item: &Value, key: &str) -> String {
    item[key].as_str().expect("an id").to_owned()
}
