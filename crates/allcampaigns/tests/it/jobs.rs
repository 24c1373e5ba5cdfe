//! The general job queue (issue 11 point 4) through the store, on both backends: unique keys,
//! exclusive claims, fencing by lease, backoff to dead, retry and cancel, tenant isolation.

use allcampaigns::domain::TenantId;
use allcampaigns::jobs::{JobKind, JobState, NewJob};
use allcampaigns::store::*;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::TestDb;

crate::on_both_backends!(
    a_unique_key_refuses_a_second_live_job,
    a_claim_is_exclusive_and_waits_for_run_at,
    a_lost_lease_fences_the_old_holder,
    failures_back_off_then_the_job_goes_dead_until_retried,
    a_cancelled_job_is_never_claimed_and_its_holder_is_fenced,
    another_tenants_job_answers_not_found,
    a_tenant_with_a_job_running_waits_behind_a_tenant_with_none,
);

async fn tenant(store: &DynStore, name: &str) -> TenantId {
    let profile = TenantProfile {
        name: name.into(),
        ..TenantProfile::default()
    };
    store.create_tenant(None, &profile).await.unwrap().id
}

fn sync_job() -> NewJob {
    NewJob::now(JobKind::Sync, json!({"full": false})).unique("sync")
}

async fn a_unique_key_refuses_a_second_live_job(db: TestDb) {
    let store = db.store().await;
    let (acme, zeta) = (tenant(&store, "Acme").await, tenant(&store, "Zeta").await);
    let first = store.enqueue(acme, &sync_job()).await.unwrap();
    assert_eq!(first.state, JobState::Queued);
    assert_eq!(first.payload, json!({"full": false}));
    let second = store.enqueue(acme, &sync_job()).await.unwrap_err();
    assert!(
        matches!(second, StoreError::Conflict(ConflictKind::AlreadyExists)),
        "{second:?}"
    );
    store.enqueue(zeta, &sync_job()).await.unwrap();
    let keyless = NewJob::now(JobKind::Sync, json!({}));
    store.enqueue(acme, &keyless).await.unwrap();
    store.enqueue(acme, &keyless).await.unwrap();

    let now = Utc::now();
    let leased = store
        .lease_next_job(JobKind::Sync, Some(acme), now, now + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(leased.id, first.id, "the oldest due job first");
    let running = store.enqueue(acme, &sync_job()).await.unwrap_err();
    assert!(
        matches!(running, StoreError::Conflict(_)),
        "running is live"
    );
    store.complete_job(&leased).await.unwrap();
    assert_eq!(
        store
            .queued_job(acme, first.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        JobState::Done
    );
    store.enqueue(acme, &sync_job()).await.unwrap();
}

async fn a_claim_is_exclusive_and_waits_for_run_at(db: TestDb) {
    let store = db.store().await;
    let acme = tenant(&store, "Acme").await;
    let later = NewJob {
        run_at: Utc::now() + Duration::hours(1),
        ..NewJob::now(JobKind::Sync, json!({}))
    };
    let later = store.enqueue(acme, &later).await.unwrap();
    let due = store.enqueue(acme, &sync_job()).await.unwrap();
    let now = Utc::now();
    let lease = now + Duration::seconds(30);
    let claims = (0..4).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.lease_next_job(JobKind::Sync, None, now, lease).await })
    });
    let mut won = Vec::new();
    for claim in claims {
        won.extend(claim.await.unwrap().unwrap());
    }
    assert_eq!(won.len(), 1, "{won:?}");
    let job = &won[0];
    assert_eq!((job.id, job.tenant), (due.id, acme));
    assert_eq!(job.state, JobState::Running);
    assert_eq!(job.attempts, 1);
    assert!(job.lease_token.is_some());
    store.complete_job(job).await.unwrap();
    let at_run_at = later.run_at + Duration::seconds(1);
    let next = store
        .lease_next_job(
            JobKind::Sync,
            None,
            at_run_at,
            at_run_at + Duration::seconds(30),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.id, later.id);
}

async fn a_lost_lease_fences_the_old_holder(db: TestDb) {
    let store = db.store().await;
    let acme = tenant(&store, "Acme").await;
    let job = store.enqueue(acme, &sync_job()).await.unwrap();
    let now = Utc::now();
    let old = store
        .lease_next_job(JobKind::Sync, None, now, now + Duration::seconds(5))
        .await
        .unwrap()
        .unwrap();
    let held = store
        .lease_next_job(JobKind::Sync, None, now + Duration::seconds(1), now)
        .await
        .unwrap();
    assert_eq!(held, None, "a held lease is not taken");
    let after = now + Duration::seconds(6);
    let new = store
        .lease_next_job(JobKind::Sync, None, after, after + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.id, job.id);
    assert_eq!(new.attempts, 2);
    assert_ne!(new.lease_token, old.lease_token);
    let completed = store.complete_job(&old).await.unwrap_err();
    assert!(matches!(completed, StoreError::LeaseLost), "{completed:?}");
    let failed = store.fail_job(&old, "late", after).await.unwrap_err();
    assert!(matches!(failed, StoreError::LeaseLost), "{failed:?}");
    store.complete_job(&new).await.unwrap();
    assert_eq!(
        store.queued_job(acme, job.id).await.unwrap().unwrap().state,
        JobState::Done
    );
}

async fn failures_back_off_then_the_job_goes_dead_until_retried(db: TestDb) {
    let store = db.store().await;
    let acme = tenant(&store, "Acme").await;
    let new = NewJob {
        max_attempts: 2,
        ..sync_job()
    };
    let job = store.enqueue(acme, &new).await.unwrap();
    let now = Utc::now();
    let lease = |at| (at, at + Duration::seconds(30));
    let (at, until) = lease(now);
    let first = store
        .lease_next_job(JobKind::Sync, None, at, until)
        .await
        .unwrap()
        .unwrap();
    let retry_at = allcampaigns::jobs::retry_at(now, first.attempts);
    assert!(retry_at >= now + Duration::seconds(5) && retry_at <= now + Duration::seconds(10));
    let state = store.fail_job(&first, "timeout", retry_at).await.unwrap();
    assert_eq!(state, JobState::Queued);
    let (at, until) = lease(now + Duration::seconds(1));
    let early = store.lease_next_job(JobKind::Sync, None, at, until).await;
    assert_eq!(early.unwrap(), None, "backing off");
    let (at, until) = lease(retry_at);
    let second = store
        .lease_next_job(JobKind::Sync, None, at, until)
        .await
        .unwrap()
        .unwrap();
    let chain = "cannot sync: Instantly answered 500: internal error";
    let state = store.fail_job(&second, chain, retry_at).await.unwrap();
    assert_eq!(state, JobState::Dead, "the last attempt failed");
    let (at, until) = lease(retry_at + Duration::days(1));
    let none = store.lease_next_job(JobKind::Sync, None, at, until).await;
    assert_eq!(none.unwrap(), None, "a dead job is never claimed");

    let dead = store.dead_jobs(acme).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (job.id, 2));
    assert_eq!(dead[0].last_error.as_deref(), Some(chain));
    store.retry_dead_job(acme, job.id).await.unwrap();
    let again = store.retry_dead_job(acme, job.id).await.unwrap_err();
    assert!(
        matches!(again, StoreError::NotFound),
        "only a dead job is retried"
    );
    assert!(store.dead_jobs(acme).await.unwrap().is_empty());
    let (at, until) = lease(Utc::now() + Duration::seconds(1));
    let retried = store
        .lease_next_job(JobKind::Sync, None, at, until)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((retried.id, retried.attempts), (job.id, 1));
}

async fn a_cancelled_job_is_never_claimed_and_its_holder_is_fenced(db: TestDb) {
    let store = db.store().await;
    let acme = tenant(&store, "Acme").await;
    let queued = store.enqueue(acme, &sync_job()).await.unwrap();
    store.cancel_queued_job(acme, queued.id).await.unwrap();
    let twice = store.cancel_queued_job(acme, queued.id).await.unwrap_err();
    assert!(matches!(twice, StoreError::NotFound), "{twice:?}");
    let now = Utc::now();
    let lease = now + Duration::seconds(30);
    let none = store.lease_next_job(JobKind::Sync, None, now, lease).await;
    assert_eq!(none.unwrap(), None);

    store.enqueue(acme, &sync_job()).await.unwrap();
    let (now, lease) = (Utc::now(), Utc::now() + Duration::seconds(30));
    let running = store
        .lease_next_job(JobKind::Sync, None, now, lease)
        .await
        .unwrap()
        .unwrap();
    store.cancel_queued_job(acme, running.id).await.unwrap();
    let fenced = store.complete_job(&running).await.unwrap_err();
    assert!(matches!(fenced, StoreError::LeaseLost), "{fenced:?}");
    assert_eq!(
        store
            .queued_job(acme, running.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        JobState::Cancelled
    );
}

async fn another_tenants_job_answers_not_found(db: TestDb) {
    let store = db.store().await;
    let (acme, zeta) = (tenant(&store, "Acme").await, tenant(&store, "Zeta").await);
    let job = NewJob {
        max_attempts: 1,
        ..sync_job()
    };
    let job = store.enqueue(acme, &job).await.unwrap();
    assert_eq!(store.queued_job(zeta, job.id).await.unwrap(), None);
    let cancel = store.cancel_queued_job(zeta, job.id).await.unwrap_err();
    assert!(matches!(cancel, StoreError::NotFound), "{cancel:?}");
    let now = Utc::now();
    let lease = now + Duration::seconds(30);
    let other = store
        .lease_next_job(JobKind::Sync, Some(zeta), now, lease)
        .await;
    assert_eq!(other.unwrap(), None);
    let leased = store
        .lease_next_job(JobKind::Sync, Some(acme), now, lease)
        .await
        .unwrap()
        .unwrap();
    store.fail_job(&leased, "boom", now).await.unwrap();
    assert!(store.dead_jobs(zeta).await.unwrap().is_empty());
    let retry = store.retry_dead_job(zeta, job.id).await.unwrap_err();
    assert!(matches!(retry, StoreError::NotFound), "{retry:?}");
    assert_eq!(store.dead_jobs(acme).await.unwrap().len(), 1);
}

async fn a_tenant_with_a_job_running_waits_behind_a_tenant_with_none(db: TestDb) {
    let store = db.store().await;
    let (busy, quiet) = (tenant(&store, "Busy").await, tenant(&store, "Quiet").await);
    let backlog = NewJob::now(JobKind::Sync, json!({}));
    for _ in 0..3 {
        store.enqueue(busy, &backlog).await.unwrap();
    }
    store.enqueue(quiet, &backlog).await.unwrap();
    let now = Utc::now() + Duration::seconds(1);
    let lease = now + Duration::seconds(30);
    let mut order = Vec::new();
    while let Some(job) = store
        .lease_next_job(JobKind::Sync, None, now, lease)
        .await
        .unwrap()
    {
        order.push(job.tenant);
    }
    assert_eq!(
        order,
        [busy, quiet, busy, busy],
        "the quiet tenant is not held back"
    );
}
