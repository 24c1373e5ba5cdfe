//! Replies sent through Instantly (issue 13), on both backends, against the real simulator
//! over HTTP: a reply waits out its undo window and is sent once; an undo sends nothing; an
//! answer lost after the simulator accepted the reply (a timeout, a 500) or a reset connection
//! leaves it "not confirmed" and a later sync confirms it; a refused key fails it with words
//! and stops the tenant's other replies; a job that finds a reply already `sending` (a crash)
//! never sends it again; `send_at` holds it until its time; a 429 (refused before Instantly
//! acts) puts it back to wait; the mailbox's signature goes below it. Every fault case checks that the
//! simulator received exactly one reply request. Validation, roles and isolation:
//! `lead_replies_rules.rs`.

use std::sync::Arc;
use std::time::Duration;

use allcampaigns::domain::{Role, TenantId};
use allcampaigns::jobs::runner::Runner;
use allcampaigns::leads::replies::send::{KEY_REFUSED, NOT_CONFIRMED, ReplySender};
use allcampaigns::leads::replies::{ReplyChange, ReplyState};
use allcampaigns::store::AuditFilter;
use allcampaigns::sync::SyncOptions;
use chrono::Utc;
use instantly_sim::{Fault, FaultConfig, Scale};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, member, spawn_app};
use crate::on_both_backends;
use crate::sync::{Synced, connected, whole_cycles};

on_both_backends!(
    a_reply_waits_out_its_undo_window_then_is_sent_once_with_instantlys_email_id,
    an_undo_within_the_window_cancels_it_and_nothing_reaches_instantly,
    an_answer_that_times_out_after_instantly_accepted_it_is_not_confirmed_until_sync_finds_it,
    a_500_after_instantly_accepted_it_is_not_confirmed_and_asked_once,
    a_connection_reset_is_not_confirmed_and_asked_once,
    a_refused_key_fails_the_reply_with_words_and_stops_the_tenants_other_replies,
    a_job_that_finds_its_reply_already_sending_makes_it_not_confirmed_and_sends_nothing,
    a_reply_sent_later_does_not_leave_before_its_time_and_does_at_it,
    a_reply_refused_with_429_waits_again_and_is_sent_once_accepted,
    the_mailboxs_signature_is_appended_when_the_reply_leaves,
);

pub const OWNER: &str = "owner@agency.example";
/// The reply path, as the simulator logs it.
const REPLY_PATH: &str = "/api/v2/emails/reply";

/// A tenant synced from the simulator, the app on its database, and a runner with the reply
/// sender (sharing the sync worker's budgets, as `serve` builds it).
pub struct Replying {
    pub s: Synced,
    pub app: TestApp,
    pub token: String,
    pub runner: Runner,
    /// A thread with a lead's reply that is not automatic.
    pub thread: String,
}

pub async fn replying(db: TestDb) -> Replying {
    let options = SyncOptions {
        timeout: Duration::from_secs(2),
        ..whole_cycles()
    };
    replying_with(db, options).await
}

pub async fn replying_with(db: TestDb, options: SyncOptions) -> Replying {
    let s = connected(db, Scale::Small, options).await;
    s.cycle().await;
    let app = spawn_app(s.db.config.clone()).await;
    member(&app, s.tenant, OWNER, Role::Owner).await;
    let token = token_for(&app, OWNER).await;
    let sender = ReplySender::new(s.store.clone(), s.worker.clone());
    let runner = Runner::new(s.store.clone()).with_handler(Arc::new(sender));
    let threads = s
        .rows(
            "SELECT thread_id FROM messages WHERE tenant_id = $1 AND direction = 'received' \
             AND from_address NOT LIKE 'mailer-daemon%' AND NOT is_auto_reply \
             ORDER BY thread_id LIMIT 1",
        )
        .await;
    Replying {
        thread: threads[0].clone(),
        s,
        app,
        token,
        runner,
    }
}

impl Replying {
    pub fn replies(&self, tenant: TenantId, thread: &str) -> String {
        format!("/api/v1/tenants/{tenant}/threads/{thread}/replies")
    }

    /// Queues a reply to the thread; answers the outbox entry.
    pub async fn reply(&self, body: Value) -> Value {
        let path = self.replies(self.s.tenant, &self.thread);
        let (status, reply) = call(&self.app, &self.token, Method::POST, &path, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        reply
    }

    /// The thread's replies as the API lists them.
    pub async fn listed(&self) -> Vec<Value> {
        let path = self.replies(self.s.tenant, &self.thread);
        let (status, list) = call(&self.app, &self.token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["items"].as_array().unwrap().clone()
    }

    /// One reply as the API lists it now.
    pub async fn now(&self, reply: &Value) -> Value {
        let listed = self.listed().await;
        let found = listed.iter().find(|r| r["reply_id"] == reply["reply_id"]);
        found.expect("the reply is listed").clone()
    }

    /// Runs every job due `ahead` from now (past the undo window); answers how many ran.
    pub async fn run_due(&self, ahead: chrono::Duration) -> usize {
        let mut ran = 0;
        while let Some(outcome) = self.runner.run_once_at(Utc::now() + ahead).await.unwrap() {
            outcome.result.expect("the handler does not fail");
            ran += 1;
            assert!(ran < 20, "jobs never settle");
        }
        ran
    }

    /// How many reply requests the simulator received.
    pub fn reply_requests(&self) -> usize {
        let log = self.s.sim.request_log();
        log.iter()
            .filter(|r| r.method == "POST" && r.target.starts_with(REPLY_PATH))
            .count()
    }

    /// Faults on the reply path only, striking after the simulator handled it when asked.
    fn fail_replies(&self, fault: Fault, after_handler: bool) {
        self.s.sim.set_faults(FaultConfig {
            path_prefix: Some(REPLY_PATH.into()),
            next: vec![fault],
            after_handler,
            timeout_ms: Some(5_000),
            ..FaultConfig::default()
        });
    }

    pub async fn actions(&self) -> Vec<String> {
        let filter = AuditFilter {
            limit: 500,
            ..AuditFilter::default()
        };
        let entries = self.s.store.audit_entries(self.s.tenant, &filter).await;
        let mut actions: Vec<String> = entries
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("lead.reply_"))
            .collect();
        actions.sort();
        actions
    }
}

fn past_undo() -> chrono::Duration {
    chrono::Duration::seconds(6)
}

fn state(reply: &Value) -> &str {
    reply["state"].as_str().unwrap()
}

async fn a_reply_waits_out_its_undo_window_then_is_sent_once_with_instantlys_email_id(db: TestDb) {
    let r = replying(db).await;
    let reply = r
        .reply(json!({"body": "Thanks **Ann**,\nTuesday works."}))
        .await;
    assert_eq!(state(&reply), "scheduled");
    assert_eq!(reply["undo_until"], reply["send_at"]);
    let send_at: chrono::DateTime<Utc> = reply["send_at"].as_str().unwrap().parse().unwrap();
    let waits = send_at - Utc::now();
    assert!(waits > chrono::Duration::seconds(3), "{waits}");
    assert_eq!(
        reply["html"],
        "<p>Thanks <strong>Ann</strong>,<br>\nTuesday works.</p>\n"
    );
    assert!(reply["subject"].as_str().unwrap().starts_with("Re:"));
    // The thread shows it at once, pending, and so does the lead's timeline; nothing leaves
    // before the window ends.
    assert_eq!(state(&r.listed().await[0]), "scheduled");
    let lead = reply["lead_email"].as_str().unwrap();
    let timeline = format!("/api/v1/tenants/{}/leads/{lead}/timeline", r.s.tenant);
    let (status, page) = call(&r.app, &r.token, Method::GET, &timeline, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let pending = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "reply");
    assert_eq!(
        pending.expect("the reply is on the timeline")["reply"]["state"],
        "scheduled"
    );
    assert_eq!(r.run_due(chrono::Duration::zero()).await, 0);
    assert_eq!(r.reply_requests(), 0);

    assert_eq!(r.run_due(past_undo()).await, 1);
    let sent = r.now(&reply).await;
    assert_eq!(state(&sent), "sent", "{sent}");
    assert!(
        sent["instantly_email_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(sent["attempted_at"].is_string() && sent["sent_at"].is_string());
    assert_eq!(
        (
            sent["undo_until"].clone(),
            sent["confirmed_by_sync"].clone()
        ),
        (Value::Null, json!(false))
    );
    assert_eq!(r.reply_requests(), 1);
    // Sent, it is the first touch of the thread's reply (speed-to-reply).
    let speed = format!(
        "/api/v1/tenants/{}/threads/{}/speed-to-reply",
        r.s.tenant, r.thread
    );
    let (status, touch) = call(&r.app, &r.token, Method::GET, &speed, None).await;
    assert_eq!(status, StatusCode::OK, "{touch}");
    assert_eq!(touch["touch_kind"], "reply", "{touch}");
    // A later sync stores the sent message; the reply stays as it is, and nothing is resent.
    r.s.cycle().await;
    assert_eq!(
        r.now(&reply).await["instantly_email_id"],
        sent["instantly_email_id"]
    );
    assert_eq!(r.run_due(past_undo()).await, 0);
    assert_eq!(r.reply_requests(), 1);
    assert_eq!(r.actions().await, ["lead.reply_queued", "lead.reply_sent"]);
}

async fn an_undo_within_the_window_cancels_it_and_nothing_reaches_instantly(db: TestDb) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Oops, wrong thread"})).await;
    let id = reply["reply_id"].as_str().unwrap();
    let cancel = format!("{}/{id}/cancel", r.replies(r.s.tenant, &r.thread));
    let (status, cancelled) = call(&r.app, &r.token, Method::POST, &cancel, None).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(
        (state(&cancelled), &cancelled["undo_until"]),
        ("cancelled", &Value::Null)
    );
    let (status, again) = call(&r.app, &r.token, Method::POST, &cancel, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "conflict");
    assert_eq!(
        r.run_due(past_undo()).await,
        0,
        "its job was cancelled with it"
    );
    assert_eq!(state(&r.now(&reply).await), "cancelled");
    assert_eq!(r.reply_requests(), 0);
    assert_eq!(
        r.actions().await,
        ["lead.reply_cancelled", "lead.reply_queued"]
    );
}

async fn an_answer_that_times_out_after_instantly_accepted_it_is_not_confirmed_until_sync_finds_it(
    db: TestDb,
) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Monday at 10 suits me."})).await;
    r.fail_replies(Fault::Timeout, true);
    r.run_due(past_undo()).await;
    let unconfirmed = r.now(&reply).await;
    assert_eq!(state(&unconfirmed), "not_confirmed", "{unconfirmed}");
    let error = unconfirmed["error"].as_str().unwrap();
    assert!(error.starts_with(NOT_CONFIRMED), "{error}");
    assert_eq!(unconfirmed["instantly_email_id"], Value::Null);
    assert_eq!(r.reply_requests(), 1);
    // Operators see unconfirmed replies first.
    let outbox = format!("/api/v1/tenants/{}/outbox", r.s.tenant);
    let (status, listed) = call(&r.app, &r.token, Method::GET, &outbox, None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["items"][0]["reply_id"], reply["reply_id"]);

    r.s.sim.clear_faults();
    assert_eq!(r.run_due(past_undo()).await, 0, "nothing is resent");
    r.s.cycle().await;
    let confirmed = r.now(&reply).await;
    assert_eq!(state(&confirmed), "sent", "{confirmed}");
    assert_eq!(confirmed["confirmed_by_sync"], true);
    let email = confirmed["instantly_email_id"].as_str().unwrap();
    let stored =
        r.s.rows(&format!(
            "SELECT body_text FROM messages WHERE tenant_id = $1 AND instantly_id = '{email}' \
             AND direction = 'sent'"
        ))
        .await;
    assert_eq!(stored, ["Monday at 10 suits me."]);
    assert_eq!(r.reply_requests(), 1);
    let actions = r.actions().await;
    assert_eq!(
        actions,
        [
            "lead.reply_confirmed",
            "lead.reply_not_confirmed",
            "lead.reply_queued"
        ]
    );
}

async fn a_500_after_instantly_accepted_it_is_not_confirmed_and_asked_once(db: TestDb) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Sounds good."})).await;
    r.fail_replies(Fault::Error500, true);
    r.run_due(past_undo()).await;
    let got = r.now(&reply).await;
    assert_eq!(state(&got), "not_confirmed", "{got}");
    assert!(
        got["error"].as_str().unwrap().contains("server error"),
        "{got}"
    );
    assert_eq!(r.reply_requests(), 1);
    assert_eq!(r.run_due(past_undo()).await, 0);
    assert_eq!(r.reply_requests(), 1);
}

/// A reset reaches us the same whether Instantly acted or not, so it is not confirmed (never
/// failed: that would invite a second send).
async fn a_connection_reset_is_not_confirmed_and_asked_once(db: TestDb) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Sounds good."})).await;
    r.fail_replies(Fault::Reset, false);
    r.run_due(past_undo()).await;
    let got = r.now(&reply).await;
    assert_eq!(state(&got), "not_confirmed", "{got}");
    assert_eq!(r.reply_requests(), 1);
    // Instantly did not act on it: sync finds nothing and it stays for a person to check.
    r.s.sim.clear_faults();
    r.s.cycle().await;
    assert_eq!(state(&r.now(&reply).await), "not_confirmed");
    assert_eq!(r.reply_requests(), 1);
}

async fn a_refused_key_fails_the_reply_with_words_and_stops_the_tenants_other_replies(db: TestDb) {
    let r = replying(db).await;
    let first = r.reply(json!({"body": "First"})).await;
    let second = r.reply(json!({"body": "Second"})).await;
    r.fail_replies(Fault::Error401, false);
    assert_eq!(r.run_due(past_undo()).await, 2);
    let key = r.s.sim.workspaces()[0].api_key.clone();
    for reply in [&first, &second] {
        let got = r.now(reply).await;
        assert_eq!(state(&got), "failed", "{got}");
        let error = got["error"].as_str().unwrap();
        assert_eq!(error, KEY_REFUSED);
        assert!(!got.to_string().contains(&key), "the key never shows");
    }
    assert_eq!(r.reply_requests(), 1, "the second reply was not attempted");
    let link = r.s.store.connection(r.s.tenant).await.unwrap().unwrap();
    assert_eq!(link.status.as_str(), "needs_attention");
    // A reply queued while the link is refused fails the same way, without a call.
    r.s.sim.clear_faults();
    let third = r.reply(json!({"body": "Third"})).await;
    r.run_due(past_undo()).await;
    assert_eq!(state(&r.now(&third).await), "failed");
    assert_eq!(r.reply_requests(), 1);
}

async fn a_job_that_finds_its_reply_already_sending_makes_it_not_confirmed_and_sends_nothing(
    db: TestDb,
) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Crash test"})).await;
    let id = reply["reply_id"].as_str().unwrap().parse().unwrap();
    // A worker claimed it and stopped before writing Instantly's answer.
    let claim = ReplyChange::new(ReplyState::Scheduled, ReplyState::Sending, Utc::now());
    let store = &r.s.store;
    assert!(
        store
            .change_reply(r.s.tenant, id, &claim, None)
            .await
            .unwrap()
    );
    assert_eq!(r.run_due(past_undo()).await, 1);
    let got = r.now(&reply).await;
    assert_eq!(state(&got), "not_confirmed", "{got}");
    assert!(got["error"].as_str().unwrap().starts_with(NOT_CONFIRMED));
    assert_eq!(r.reply_requests(), 0);
}

async fn a_reply_sent_later_does_not_leave_before_its_time_and_does_at_it(db: TestDb) {
    let r = replying(db).await;
    let later = Utc::now() + chrono::Duration::hours(2);
    let reply = r
        .reply(json!({"body": "Good morning!", "send_at": later.to_rfc3339()}))
        .await;
    let send_at: chrono::DateTime<Utc> = reply["send_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(send_at.timestamp(), later.timestamp());
    assert_eq!(r.run_due(chrono::Duration::hours(1)).await, 0);
    assert_eq!(state(&r.now(&reply).await), "scheduled");
    assert_eq!(r.reply_requests(), 0);
    assert_eq!(r.run_due(chrono::Duration::minutes(121)).await, 1);
    assert_eq!(state(&r.now(&reply).await), "sent");
    assert_eq!(r.reply_requests(), 1);
}

/// Instantly answers 429 before it acts: the client retries within the shared budget, then the
/// reply waits for its job's next run, and goes out once.
async fn a_reply_refused_with_429_waits_again_and_is_sent_once_accepted(db: TestDb) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Sounds good."})).await;
    r.s.sim.set_faults(FaultConfig {
        path_prefix: Some(REPLY_PATH.into()),
        next: vec![Fault::Error429; 4],
        ..FaultConfig::default()
    });
    assert_eq!(r.run_due(past_undo()).await, 1);
    let waiting = r.now(&reply).await;
    assert_eq!(
        (state(&waiting), &waiting["error"]),
        ("scheduled", &Value::Null)
    );
    let accepted = |r: &Replying| {
        let log = r.s.sim.request_log();
        let accepted = log.iter().filter(|x| x.target.starts_with(REPLY_PATH));
        accepted.filter(|x| x.status == Some(200)).count()
    };
    assert_eq!((r.reply_requests(), accepted(&r)), (4, 0));
    assert_eq!(r.run_due(chrono::Duration::minutes(5)).await, 1);
    assert_eq!(state(&r.now(&reply).await), "sent");
    assert_eq!((r.reply_requests(), accepted(&r)), (5, 1));
}

/// The signature saved for the mailbox when the reply leaves goes below it (a reply waiting
/// when it was saved too); an empty one clears it.
async fn the_mailboxs_signature_is_appended_when_the_reply_leaves(db: TestDb) {
    let r = replying(db).await;
    let reply = r.reply(json!({"body": "Monday?"})).await;
    let eaccount = reply["eaccount"].as_str().unwrap().to_uppercase();
    let path = format!(
        "/api/v1/tenants/{}/mailboxes/{eaccount}/signature",
        r.s.tenant
    );
    let (status, empty) = call(&r.app, &r.token, Method::GET, &path, None).await;
    assert_eq!(
        (status, &empty["body"], &empty["updated_at"]),
        (StatusCode::OK, &json!(""), &Value::Null)
    );
    let body = Some(json!({"body": "Ann Lee\n*Acme*"}));
    let (status, saved) = call(&r.app, &r.token, Method::PUT, &path, body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["mailbox"], eaccount.to_lowercase());
    assert_eq!(saved["html"], "<p>Ann Lee<br>\n<em>Acme</em></p>\n");
    let (_, shown) = call(&r.app, &r.token, Method::GET, &path, None).await;
    assert_eq!(shown["body"], "Ann Lee\n*Acme*");

    r.run_due(past_undo()).await;
    let sent = r.now(&reply).await;
    assert_eq!(state(&sent), "sent", "{sent}");
    assert_eq!(
        sent["body"], "Monday?",
        "the outbox keeps the body as written"
    );
    r.s.cycle().await;
    let email = sent["instantly_email_id"].as_str().unwrap();
    let stored =
        r.s.rows(&format!(
            "SELECT body_text FROM messages WHERE tenant_id = $1 AND instantly_id = '{email}'"
        ))
        .await;
    assert_eq!(stored, ["Monday?\n\nAnn Lee\n*Acme*"]);

    let (status, cleared) = call(
        &r.app,
        &r.token,
        Method::PUT,
        &path,
        Some(json!({"body": ""})),
    )
    .await;
    assert_eq!((status, &cleared["body"]), (StatusCode::OK, &json!("")));
    let too_long = Some(json!({"body": "x".repeat(2_001)}));
    let (status, _) = call(&r.app, &r.token, Method::PUT, &path, too_long).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let not_a_mailbox = format!("/api/v1/tenants/{}/mailboxes/nobody/signature", r.s.tenant);
    let (status, _) = call(&r.app, &r.token, Method::GET, &not_a_mailbox, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
