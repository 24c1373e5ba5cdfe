//! A person's choices written back to Instantly (issue 13), on both backends, against the real
//! simulator over HTTP: a stage a person sets is sent as the lead's interest status once (the
//! last of quick changes only) and sync brings it back; nothing is sent while the client's
//! writes are off, for a stage without a status, or when the stage is cleared; a thread read
//! here is marked read there; a 500 is retried; a refused key marks the link and says why.

use std::sync::Arc;

use allcampaigns::jobs::JobKind;
use allcampaigns::jobs::runner::Runner;
use allcampaigns::leads::replies::send::KEY_REFUSED;
use allcampaigns::leads::write_back::{InterestSender, ReadMarker, Writer};
use allcampaigns::store::ConnectionStatus;
use allcampaigns::sync::SyncOptions;
use chrono::Utc;
use instantly_sim::{Fault, FaultConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::call;
use crate::lead_replies::{Replying, replying_with};
use crate::on_both_backends;
use crate::sync::whole_cycles;

on_both_backends!(
    a_persons_stage_is_sent_once_as_the_interest_status_and_sync_brings_it_back,
    nothing_is_sent_while_writes_are_off_for_a_stage_without_a_status_or_a_cleared_one,
    a_thread_read_here_is_marked_read_in_instantly_once,
    a_500_is_retried_and_a_refused_key_marks_the_link_and_says_why,
);

const INTEREST_PATH: &str = "/api/v2/leads/update-interest-status";
const READ_PATH: &str = "/api/v2/emails/threads/";

struct WriteBack {
    r: Replying,
    runner: Runner,
    /// A lead of the workspace, as synced.
    lead: String,
}

async fn write_back(db: crate::helpers::TestDb) -> WriteBack {
    // Every cycle reconciles the leads, so a status set in Instantly comes back at once.
    let options = SyncOptions {
        timeout: std::time::Duration::from_secs(2),
        reconcile_every: chrono::Duration::zero(),
        ..whole_cycles()
    };
    let r = replying_with(db, options).await;
    let writer = Writer::new(r.s.store.clone(), r.s.worker.clone());
    let runner = Runner::new(r.s.store.clone())
        .with_handler(Arc::new(InterestSender(writer.clone())))
        .with_handler(Arc::new(ReadMarker(writer)));
    let leads =
        r.s.rows("SELECT email FROM leads WHERE tenant_id = $1 ORDER BY email LIMIT 1")
            .await;
    WriteBack {
        lead: leads[0].to_lowercase(),
        r,
        runner,
    }
}

impl WriteBack {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        call(&self.r.app, &self.r.token, method, path, body).await
    }

    async fn stage_id(&self, name: &str) -> String {
        let path = format!("/api/v1/tenants/{}/pipeline", self.r.s.tenant);
        let (status, stages) = self.call(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{stages}");
        let stages = stages["stages"].as_array().unwrap();
        let stage = stages.iter().find(|s| s["name"] == name).expect(name);
        stage["stage_id"].as_str().unwrap().to_owned()
    }

    async fn set_stage(&self, stage: Value) {
        let path = format!("/api/v1/tenants/{}/leads/{}", self.r.s.tenant, self.lead);
        let body = json!({ "stage": stage });
        let (status, state) = self.call(Method::PATCH, &path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{state}");
    }

    async fn writes(&self, on: bool) {
        let path = format!("/api/v1/tenants/{}/lead-settings", self.r.s.tenant);
        let body = json!({ "instantly_writes": on });
        let (status, settings) = self.call(Method::PATCH, &path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{settings}");
    }

    /// Runs every job due now; answers how many ran and how many of them failed.
    async fn run_due(&self, ahead: chrono::Duration) -> (usize, usize) {
        let (mut ran, mut failed) = (0, 0);
        while let Some(outcome) = self.runner.run_once_at(Utc::now() + ahead).await.unwrap() {
            ran += 1;
            failed += usize::from(outcome.result.is_err());
            assert!(ran < 20, "jobs never settle");
        }
        (ran, failed)
    }

    fn requests(&self, prefix: &str) -> usize {
        let log = self.r.s.sim.request_log();
        let to = |r: &&instantly_sim::Served| r.method == "POST" && r.target.starts_with(prefix);
        log.iter().filter(to).count()
    }

    /// Instantly's interest status of the lead, as the local copy has it after a sync.
    async fn synced_status(&self) -> Vec<String> {
        self.r.s.cycle().await;
        let sql = format!(
            "SELECT COALESCE(CAST(interest_status AS TEXT), 'none') FROM leads \
             WHERE tenant_id = $1 AND lower(email) = '{}'",
            self.lead
        );
        self.r.s.rows(&sql).await
    }
}

async fn a_persons_stage_is_sent_once_as_the_interest_status_and_sync_brings_it_back(
    db: crate::helpers::TestDb,
) {
    let w = write_back(db).await;
    w.set_stage(json!(w.stage_id("Meeting booked").await)).await;
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (1, 0));
    assert_eq!(w.requests(INTEREST_PATH), 1);
    let statuses = w.synced_status().await;
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| s == "2"),
        "{statuses:?}"
    );

    // A quick change of mind sends the last choice only.
    w.set_stage(json!(w.stage_id("Won").await)).await;
    w.set_stage(json!(w.stage_id("Lost").await)).await;
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (1, 0));
    assert_eq!(w.requests(INTEREST_PATH), 2);
    let statuses = w.synced_status().await;
    assert!(statuses.iter().all(|s| s == "-3"), "{statuses:?}");
    // The person's stage is still the lead's, from a person.
    let path = format!("/api/v1/tenants/{}/leads/{}", w.r.s.tenant, w.lead);
    let (_, state) = w.call(Method::GET, &path, None).await;
    assert_eq!(
        (&state["stage"]["name"], &state["stage_source"]),
        (&json!("Lost"), &json!("person")),
        "{state}"
    );
    w.r.app.stop().await;
}

async fn nothing_is_sent_while_writes_are_off_for_a_stage_without_a_status_or_a_cleared_one(
    db: crate::helpers::TestDb,
) {
    let w = write_back(db).await;
    w.writes(false).await;
    w.set_stage(json!(w.stage_id("Interested").await)).await;
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (0, 0));

    // Switched off after the change was queued: the job runs and sends nothing.
    w.writes(true).await;
    w.set_stage(json!(w.stage_id("Won").await)).await;
    w.writes(false).await;
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (1, 0));
    w.writes(true).await;

    let path = format!("/api/v1/tenants/{}/pipeline/stages", w.r.s.tenant);
    let body = json!({"name": "Proposal sent", "colour": "#A1B2C3", "sentiment": "positive"});
    let (status, stage) = w.call(Method::POST, &path, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{stage}");
    w.set_stage(stage["stage_id"].clone()).await;
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (1, 0));
    w.set_stage(Value::Null).await;
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (0, 0));
    assert_eq!(w.requests(INTEREST_PATH), 0);
    w.r.app.stop().await;
}

async fn a_thread_read_here_is_marked_read_in_instantly_once(db: crate::helpers::TestDb) {
    let w = write_back(db).await;
    let tenant = w.r.s.tenant;
    let path = format!("/api/v1/tenants/{tenant}/threads/{}/triage", w.r.thread);
    let read = || Some(json!({"action": "read"}));
    let (status, _) = w.call(Method::POST, &path, read()).await;
    assert!(status.is_success(), "{status}");
    let (status, _) = w.call(Method::POST, &path, read()).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (1, 0));
    let marked = format!("{READ_PATH}{}/mark-as-read", w.r.thread);
    assert_eq!(w.requests(&marked), 1);

    w.writes(false).await;
    let (status, _) = w.call(Method::POST, &path, read()).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (0, 0));
    assert_eq!(w.requests(READ_PATH), 1);
    w.r.app.stop().await;
}

async fn a_500_is_retried_and_a_refused_key_marks_the_link_and_says_why(
    db: crate::helpers::TestDb,
) {
    let w = write_back(db).await;
    let fail = |fault| {
        w.r.s.sim.set_faults(FaultConfig {
            path_prefix: Some(INTEREST_PATH.into()),
            next: vec![fault],
            ..FaultConfig::default()
        })
    };
    fail(Fault::Error500);
    w.set_stage(json!(w.stage_id("Interested").await)).await;
    let (_, failed) = w.run_due(chrono::Duration::zero()).await;
    assert_eq!(failed, 1, "the 500 fails the attempt");
    // Setting a value twice is harmless: the next attempt sends it.
    assert_eq!(w.run_due(chrono::Duration::hours(2)).await, (1, 0));
    let statuses = w.synced_status().await;
    assert!(statuses.iter().all(|s| s == "1"), "{statuses:?}");

    fail(Fault::Error401);
    w.set_stage(json!(w.stage_id("Won").await)).await;
    assert_eq!(w.run_due(chrono::Duration::zero()).await, (1, 1));
    let store = &w.r.s.store;
    let link = store.connection(w.r.s.tenant).await.unwrap().unwrap();
    assert_eq!(link.status, ConnectionStatus::NeedsAttention);
    // The later attempts make no call and say what to do; the last leaves the job dead, for
    // an admin to retry once the link is reconnected.
    let requests = w.requests(INTEREST_PATH);
    let (ran, failed) = w.run_due(chrono::Duration::days(1)).await;
    assert!(ran > 0 && failed == ran, "{ran} {failed}");
    assert_eq!(w.requests(INTEREST_PATH), requests);
    let dead = store.dead_jobs(w.r.s.tenant).await.unwrap();
    let job = dead.iter().find(|j| j.kind == JobKind::SendInterest);
    let error = job.and_then(|j| j.last_error.clone()).unwrap_or_default();
    assert!(error.contains(KEY_REFUSED), "{error}");
    let key = w.r.s.sim.workspaces()[0].api_key.clone();
    assert!(!error.contains(&key), "the key never shows");
    w.r.app.stop().await;
}
