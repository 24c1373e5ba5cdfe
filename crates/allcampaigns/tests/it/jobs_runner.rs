//! The generic job runner (issue 11 point 4) on both backends: a handler per kind, `run_once`,
//! failures recorded with their chain and a backoff, the local wake-up on enqueue, and on
//! PostgreSQL the wake-up of another node's idle runner through `LISTEN`/`NOTIFY`.

use std::sync::Arc;
use std::time::Duration;

use allcampaigns::domain::TenantId;
use allcampaigns::jobs::runner::{Handler, Next, Runner};
use allcampaigns::jobs::{Job, JobKind, JobState, NewJob};
use allcampaigns::store::*;
use async_trait::async_trait;
use chrono::Utc;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::helpers::{APP_ROLE, TestDb};

crate::on_both_backends!(
    run_once_hands_a_due_job_to_its_handler_and_completes_it,
    a_failing_handler_queues_the_job_again_with_its_error_chain,
    an_idle_runner_starts_a_new_job_within_a_second_of_enqueue,
    a_job_whose_last_attempt_lost_its_worker_goes_dead_without_running_again,
    a_panicking_handler_fails_its_attempt_and_the_runner_carries_on,
);

/// Reports each job it runs; fails when the payload asks it to.
struct Recorder(mpsc::UnboundedSender<Job>);

#[async_trait]
impl Handler for Recorder {
    fn kind(&self) -> JobKind {
        JobKind::Sync
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        self.0.send(job.clone()).ok();
        if job.payload["panic"] == json!(true) {
            panic!("a handler bug");
        }
        if job.payload["fail"] == json!(true) {
            return Err(anyhow::anyhow!("Instantly answered 500").context("cannot sync"));
        }
        Ok(Next::Done)
    }
}

async fn setup(db: &TestDb) -> (DynStore, TenantId, Runner, mpsc::UnboundedReceiver<Job>) {
    let store = db.store().await;
    let profile = TenantProfile {
        name: "Acme".into(),
        ..TenantProfile::default()
    };
    let tenant = store.create_tenant(None, &profile).await.unwrap().id;
    let (sender, receiver) = mpsc::unbounded_channel();
    let runner = Runner::new(store.clone()).with_handler(Arc::new(Recorder(sender)));
    (store, tenant, runner, receiver)
}

async fn run_once_hands_a_due_job_to_its_handler_and_completes_it(db: TestDb) {
    let (store, tenant, runner, mut ran) = setup(&db).await;
    assert!(runner.run_once().await.unwrap().is_none(), "nothing due");
    let job = runner
        .enqueue(tenant, &NewJob::now(JobKind::Sync, json!({"n": 1})))
        .await
        .unwrap();
    let outcome = runner.run_once().await.unwrap().unwrap();
    assert!(outcome.result.is_ok());
    assert_eq!(outcome.state, Some(JobState::Done));
    assert_eq!(ran.recv().await.unwrap().payload, json!({"n": 1}));
    let stored = store.queued_job(tenant, job.id).await.unwrap().unwrap();
    assert_eq!(stored.state, JobState::Done);
    assert!(runner.run_once().await.unwrap().is_none());
}

async fn a_failing_handler_queues_the_job_again_with_its_error_chain(db: TestDb) {
    let (store, tenant, runner, _ran) = setup(&db).await;
    let job = NewJob::now(JobKind::Sync, json!({"fail": true}));
    let job = runner.enqueue(tenant, &job).await.unwrap();
    let before = Utc::now();
    let outcome = runner.run_once().await.unwrap().unwrap();
    assert!(outcome.result.is_err());
    assert_eq!(outcome.state, Some(JobState::Queued));
    let stored = store.queued_job(tenant, job.id).await.unwrap().unwrap();
    assert_eq!(
        stored.last_error.as_deref(),
        Some("cannot sync: Instantly answered 500")
    );
    assert!(
        stored.run_at >= before + chrono::Duration::seconds(5),
        "backs off"
    );
    assert!(runner.run_once().await.unwrap().is_none(), "not due yet");
}

async fn an_idle_runner_starts_a_new_job_within_a_second_of_enqueue(db: TestDb) {
    let (store, tenant, runner, mut ran) = setup(&db).await;
    // Polling alone would take a minute: only the wake-up can meet the second.
    let runner = runner.with_poll(Duration::from_secs(60));
    let cancel = CancellationToken::new();
    let lanes = tokio::spawn(runner.clone().run(1, cancel.clone()));
    let first = NewJob::now(JobKind::Sync, json!({}));
    let first = runner.enqueue(tenant, &first).await.unwrap();
    tokio::time::timeout(Duration::from_secs(1), ran.recv())
        .await
        .expect("the first job started")
        .unwrap();
    while store
        .queued_job(tenant, first.id)
        .await
        .unwrap()
        .unwrap()
        .state
        != JobState::Done
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let second = NewJob::now(JobKind::Sync, json!({"n": 2}));
    runner.enqueue(tenant, &second).await.unwrap();
    let started = tokio::time::timeout(Duration::from_secs(1), ran.recv())
        .await
        .expect("an idle runner starts a new job within a second")
        .unwrap();
    assert_eq!(started.payload, json!({"n": 2}));
    cancel.cancel();
    lanes.await.unwrap();
}

async fn a_job_whose_last_attempt_lost_its_worker_goes_dead_without_running_again(db: TestDb) {
    let (store, tenant, runner, mut ran) = setup(&db).await;
    let job = NewJob {
        max_attempts: 1,
        ..NewJob::now(JobKind::Sync, json!({}))
    };
    let job = runner.enqueue(tenant, &job).await.unwrap();
    // A worker leases the last attempt and stops; its lease has ended (a second ago, so the
    // runner's own clock cannot fall inside the same millisecond on SQLite).
    let now = Utc::now();
    let ended = now - chrono::Duration::seconds(1);
    store
        .lease_next_job(JobKind::Sync, None, now, ended)
        .await
        .unwrap()
        .unwrap();
    let outcome = runner.run_once().await.unwrap().unwrap();
    assert_eq!(outcome.job.id, job.id);
    assert_eq!(outcome.state, Some(JobState::Dead));
    assert!(ran.try_recv().is_err(), "no attempt past the maximum");
    let dead = store.dead_jobs(tenant).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("worker stopped")
    );
}

/// Two nodes on one PostgreSQL database (two runners, two pools): node B idles with a poll of a
/// minute, a job enqueued through node A's store starts on B within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_runner_on_another_node_starts_a_new_job_within_a_second() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (_, tenant, node_b, mut ran) = setup(&db).await;
    let node_a = db.store().await;
    let cancel = CancellationToken::new();
    let node_b = node_b.with_poll(Duration::from_secs(60));
    let lanes = tokio::spawn(node_b.run(1, cancel.clone()));
    // B listens before its lanes first look, so it starts this one either way; once it has, it
    // is listening.
    let first = NewJob::now(JobKind::Sync, json!({"n": 1}));
    node_a.enqueue(tenant, &first).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), ran.recv())
        .await
        .expect("the first job started")
        .unwrap();
    let listeners: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND usename = $1 AND query = 'LISTEN \"job_queue\"'",
    )
    .bind(APP_ROLE)
    .fetch_one(&mut db.superuser().await)
    .await
    .unwrap();
    assert_eq!(listeners, 1, "B listens, as the app role");
    // Give B's lane the moment it needs to go idle, so only the notice can wake it in time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = NewJob::now(JobKind::Sync, json!({"n": 2}));
    node_a.enqueue(tenant, &second).await.unwrap();
    let started = tokio::time::timeout(Duration::from_secs(1), ran.recv())
        .await
        .expect("B starts A's job within a second")
        .unwrap();
    assert_eq!(started.payload, json!({"n": 2}));
    cancel.cancel();
    lanes.await.unwrap();
}

/// A runner whose `LISTEN` connection is killed (a restart, a proxy) keeps starting jobs: its
/// lanes poll while the listener is away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_that_loses_its_listener_still_starts_jobs_by_polling() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let (store, tenant, runner, mut ran) = setup(&db).await;
    let cancel = CancellationToken::new();
    let runner = runner.with_poll(Duration::from_millis(200));
    let lanes = tokio::spawn(runner.run(1, cancel.clone()));
    let first = NewJob::now(JobKind::Sync, json!({"n": 1}));
    store.enqueue(tenant, &first).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), ran.recv())
        .await
        .expect("the first job started")
        .unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query = 'LISTEN \"job_queue\"'",
    )
    .fetch_all(&mut db.superuser().await)
    .await
    .unwrap();
    assert_eq!(killed, [true], "the listener was there, and is gone");
    let second = NewJob::now(JobKind::Sync, json!({"n": 2}));
    store.enqueue(tenant, &second).await.unwrap();
    let started = tokio::time::timeout(Duration::from_secs(2), ran.recv())
        .await
        .expect("the runner still starts jobs")
        .unwrap();
    assert_eq!(started.payload, json!({"n": 2}));
    cancel.cancel();
    lanes.await.unwrap();
}

async fn a_panicking_handler_fails_its_attempt_and_the_runner_carries_on(db: TestDb) {
    let (store, tenant, runner, _ran) = setup(&db).await;
    let job = NewJob::now(JobKind::Sync, json!({"panic": true}));
    let job = runner.enqueue(tenant, &job).await.unwrap();
    let outcome = runner.run_once().await.unwrap().unwrap();
    assert_eq!(
        outcome.result.unwrap_err().to_string(),
        "the job's handler panicked"
    );
    assert_eq!(outcome.state, Some(JobState::Queued));
    let stored = store.queued_job(tenant, job.id).await.unwrap().unwrap();
    assert_eq!(stored.attempts, 1);
    assert_eq!(stored.lease_token, None, "not left leased");
    assert_eq!(
        stored.last_error.as_deref(),
        Some("the job's handler panicked")
    );
}
