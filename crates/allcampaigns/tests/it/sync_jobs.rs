//! Sync as a job on the general queue (issue 11 point 4), on both backends: the runner runs a
//! tenant's cycle through the sync handler and queues the next one; "sync now" pulls the one live
//! job forward; a removed link cancels it and fences its holder; failing cycles back off, capped,
//! and never go dead; migration 0011 moves the old `jobs` rows into the queue.

use std::sync::Arc;
use std::time::Duration;

use allcampaigns::crypto::Keyring;
use allcampaigns::jobs::runner::Runner;
use allcampaigns::jobs::{JobKind, JobState};
use allcampaigns::mail::Mailer;
use allcampaigns::store::{StoreError, StreamState};
use allcampaigns::sync::status::tenant_status;
use allcampaigns::sync::{SyncWorker, live_job, sync_job};
use chrono::Utc;
use instantly::BudgetConfig;
use instantly_sim::Scale;
use sqlx::Connection;

use crate::helpers::TestDb;
use crate::on_both_backends;
use crate::sync::{connected, whole_cycles};

/// SQLite keeps job times to the millisecond.
const MILLIS: chrono::Duration = chrono::Duration::milliseconds(1);

on_both_backends!(
    the_runner_syncs_a_linked_tenant_and_queues_its_next_cycle,
    sync_now_brings_the_live_job_forward_and_never_adds_a_second,
    a_sync_asked_for_while_its_cycle_runs_is_due_right_after_it,
    a_removed_link_cancels_the_live_sync_and_fences_its_holder,
    failing_cycles_back_off_capped_and_the_sync_never_goes_dead,
    migration_0011_moves_each_tenants_sync_job_into_the_job_queue,
);

async fn the_runner_syncs_a_linked_tenant_and_queues_its_next_cycle(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let runner = Runner::new(s.store.clone()).with_handler(Arc::new(s.worker.clone()));
    let before = Utc::now();
    let outcome = runner
        .run_once()
        .await
        .unwrap()
        .expect("the new link is due");
    assert_eq!(outcome.job.tenant, s.tenant);
    assert_eq!(outcome.job.unique_key.as_deref(), Some("sync"));
    assert_eq!(
        outcome.state,
        Some(JobState::Queued),
        "{:?}",
        outcome.result
    );
    let next = live_job(&s.store, s.tenant)
        .await
        .unwrap()
        .expect("queued again");
    assert_eq!(next.id, outcome.job.id, "the same job, not a new one");
    assert_eq!((next.attempts, next.last_error.as_deref()), (0, None));
    let interval = chrono::Duration::from_std(whole_cycles().interval).unwrap();
    assert!(next.run_at >= before + interval - MILLIS, "{next:?}");
    assert!(
        runner.run_once().await.unwrap().is_none(),
        "not due before the interval"
    );

    let status = tenant_status(&s.store, s.tenant).await.unwrap();
    assert!(status.backfilled());
    assert_eq!(status.next_run_at, Some(next.run_at));
    assert!(!status.running);
    SyncWorker::request(&s.store, s.tenant).await.unwrap();
    let now = Utc::now();
    let lease = now + chrono::Duration::seconds(60);
    let held = s.store.lease_next_job(JobKind::Sync, None, now, lease);
    assert!(held.await.unwrap().is_some());
    let status = tenant_status(&s.store, s.tenant).await.unwrap();
    assert!(status.running, "a held lease is a running sync");
}

async fn sync_now_brings_the_live_job_forward_and_never_adds_a_second(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    let waiting = live_job(&s.store, s.tenant).await.unwrap().unwrap();
    assert!(waiting.run_at > Utc::now(), "waits for the interval");
    SyncWorker::request(&s.store, s.tenant).await.unwrap();
    SyncWorker::request(&s.store, s.tenant).await.unwrap();
    let now = live_job(&s.store, s.tenant).await.unwrap().unwrap();
    assert_eq!(now.id, waiting.id, "one live sync per tenant");
    assert!(now.run_at <= Utc::now(), "due now");
    let later = sync_job(Utc::now() + chrono::Duration::hours(1));
    s.store.enqueue_or_advance(s.tenant, &later).await.unwrap();
    let kept = live_job(&s.store, s.tenant).await.unwrap().unwrap();
    assert_eq!(kept.run_at, now.run_at, "never pushed back");
    let second = s.store.enqueue(s.tenant, &sync_job(Utc::now())).await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
}

/// "Sync now", or an inbound event, while a cycle runs: the cycle's own requeue (at its
/// interval) must not swallow it.
async fn a_sync_asked_for_while_its_cycle_runs_is_due_right_after_it(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let interval = chrono::Duration::minutes(10);
    for asked in [false, true] {
        let now = Utc::now();
        let lease = now + chrono::Duration::seconds(60);
        let held = s
            .store
            .lease_next_job(JobKind::Sync, Some(s.tenant), now, lease)
            .await
            .unwrap()
            .expect("the sync is due");
        if asked {
            SyncWorker::request(&s.store, s.tenant).await.unwrap();
        }
        let next = Utc::now() + interval;
        s.store.requeue_job(&held, next).await.unwrap();
        let queued = live_job(&s.store, s.tenant).await.unwrap().unwrap();
        assert_eq!(queued.id, held.id, "one live sync");
        if asked {
            assert!(
                queued.run_at <= Utc::now(),
                "due right after: {:?}",
                queued.run_at
            );
        } else {
            assert!(queued.run_at > Utc::now() + chrono::Duration::minutes(9));
            // Due again for the asked round.
            SyncWorker::request(&s.store, s.tenant).await.unwrap();
        }
    }
}

async fn a_removed_link_cancels_the_live_sync_and_fences_its_holder(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let now = Utc::now();
    let lease = now + chrono::Duration::seconds(60);
    let held = s
        .store
        .lease_next_job(JobKind::Sync, Some(s.tenant), now, lease);
    let held = held.await.unwrap().expect("the new link's sync");
    s.store.delete_connection(s.tenant).await.unwrap();
    SyncWorker::stop(&s.store, s.tenant).await.unwrap();
    assert!(live_job(&s.store, s.tenant).await.unwrap().is_none());
    let page = StreamState::new("leads");
    let lease = held.lease(Duration::from_secs(60));
    let refused = s.store.apply(s.tenant, Some(&lease), &[], &page).await;
    assert!(matches!(refused, Err(StoreError::LeaseLost)), "{refused:?}");
    assert!(
        s.worker.run_once().await.unwrap().is_none(),
        "nothing left to run"
    );

    // A sync that finds its link gone (removed by hand, say) finishes instead of coming back.
    SyncWorker::request(&s.store, s.tenant).await.unwrap();
    let outcome = s.worker.run_once().await.unwrap().expect("due");
    assert!(outcome.result.is_err(), "stopped");
    assert!(live_job(&s.store, s.tenant).await.unwrap().is_none());
}

/// The old sync's schedule, kept: 30 s doubling per failed attempt up to 30 minutes, for as long
/// as it fails; never dead after the queue's default eight attempts.
async fn failing_cycles_back_off_capped_and_the_sync_never_goes_dead(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let (wrong_keyring, _text) = Keyring::generate();
    let worker = SyncWorker::new(
        s.store.clone(),
        Arc::new(wrong_keyring),
        BudgetConfig::unlimited(),
        whole_cycles(),
        Mailer::capture().0,
    );
    for attempt in 1..=10i64 {
        let before = Utc::now();
        let outcome = worker.run_once().await.unwrap().expect("due");
        assert!(outcome.result.is_err());
        let job = live_job(&s.store, s.tenant)
            .await
            .unwrap()
            .expect("still live");
        assert_eq!((job.state, job.attempts), (JobState::Queued, attempt));
        let wait = chrono::Duration::seconds((30 << attempt).min(30 * 60));
        let after = Utc::now();
        assert!(
            job.run_at >= before + wait - MILLIS && job.run_at <= after + wait,
            "attempt {attempt}: {job:?}"
        );
        // Time passes, as it would.
        SyncWorker::request(&s.store, s.tenant).await.unwrap();
    }
    assert!(s.store.dead_jobs(s.tenant).await.unwrap().is_empty());
}

async fn migration_0011_moves_each_tenants_sync_job_into_the_job_queue(db: TestDb) {
    let tenant = uuid::Uuid::now_v7();
    let run_at = "2026-11-01T10:00:00.000Z";
    match (&db.owner_url, &db.superuser_url) {
        (Some(owner), Some(_)) => {
            let mut owner = sqlx::PgConnection::connect(owner).await.unwrap();
            let migrator = &allcampaigns::store::postgres::MIGRATOR;
            migrator.run_to(10, &mut owner).await.unwrap();
            let mut su = db.superuser().await;
            sqlx::query(
                "INSERT INTO tenants (tenant_id, name, created_at, updated_at) \
                 VALUES ($1, 'Acme', now(), now())",
            )
            .bind(tenant)
            .execute(&mut su)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO jobs (tenant_id, kind, run_at, locked_by, locked_until, attempts, \
                 last_error, created_at) VALUES ($1, 'sync', $2::timestamptz, 'old-worker', \
                 $2::timestamptz + interval '2 minutes', 3, 'sync:flaky', now())",
            )
            .bind(tenant)
            .bind(run_at)
            .execute(&mut su)
            .await
            .unwrap();
        }
        _ => {
            let path = db.dir.path().join("allcampaigns.db");
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true);
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            let migrator = &allcampaigns::store::sqlite::MIGRATOR;
            migrator.run_to(10, &mut conn).await.unwrap();
            sqlx::query(
                "INSERT INTO tenants (tenant_id, name, created_at, updated_at) \
                 VALUES ($1, 'Acme', '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z')",
            )
            .bind(tenant)
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO jobs (tenant_id, kind, run_at, locked_by, locked_until, attempts, \
                 last_error, created_at) VALUES ($1, 'sync', $2, 'old-worker', \
                 '2026-11-01T10:02:00.000Z', 3, 'sync:flaky', '2026-10-01T00:00:00.000Z')",
            )
            .bind(tenant)
            .bind(run_at)
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
        }
    }
    let store = db.store().await;
    let tenant = allcampaigns::domain::TenantId::from_uuid(tenant);
    let job = live_job(&store, tenant).await.unwrap().expect("moved");
    assert_eq!(job.state, JobState::Queued, "an old holder's lease is void");
    assert_eq!(
        (job.attempts, job.last_error.as_deref()),
        (3, Some("sync:flaky"))
    );
    assert_eq!(job.run_at.to_rfc3339(), "2026-11-01T10:00:00+00:00");
    assert_eq!(
        job.max_attempts,
        i64::from(sync_job(Utc::now()).max_attempts)
    );
    let now = Utc::now();
    let lease = now + chrono::Duration::seconds(60);
    let leased = store.lease_next_job(JobKind::Sync, None, now, lease);
    assert_eq!(
        leased.await.unwrap().map(|j| j.id),
        Some(job.id),
        "due, and runs"
    );
}
