//! Claims that scale (issue 11 point 4): the claim picks a tenant first and reads two partial
//! indexes, so concurrent claimers drain a backlog each job once, a lease that ran out is taken
//! over before queued work, a head another claimer holds is skipped, and finished jobs are
//! pruned across tenants without touching live or dead ones.

use std::collections::HashSet;

use allcampaigns::domain::TenantId;
use allcampaigns::jobs::{JobKind, JobState, NewJob};
use allcampaigns::store::*;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::TestDb;

crate::on_both_backends!(
    concurrent_claimers_drain_a_backlog_each_job_once,
    a_lease_that_ran_out_goes_before_queued_work,
    finished_jobs_are_pruned_across_tenants_and_live_ones_kept,
);

async fn tenant(store: &DynStore, name: &str) -> TenantId {
    let profile = TenantProfile {
        name: name.into(),
        ..TenantProfile::default()
    };
    store.create_tenant(None, &profile).await.unwrap().id
}

fn ping() -> NewJob {
    NewJob::now(JobKind::Ping, json!({}))
}

async fn concurrent_claimers_drain_a_backlog_each_job_once(db: TestDb) {
    let store = db.store().await;
    let mut queued = HashSet::new();
    for name in ["Acme", "Zeta", "Orbit"] {
        let id = tenant(&store, name).await;
        for _ in 0..40 {
            queued.insert(store.enqueue(id, &ping()).await.unwrap().id);
        }
    }
    let claimers = (0..6).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut ran = Vec::new();
            loop {
                let now = Utc::now();
                let lease = now + Duration::seconds(60);
                let Some(job) = store
                    .lease_next_job(JobKind::Ping, None, now, lease)
                    .await
                    .unwrap()
                else {
                    return ran;
                };
                assert_eq!(job.state, JobState::Running);
                store.complete_job(&job).await.unwrap();
                ran.push(job.id);
            }
        })
    });
    let mut ran = Vec::new();
    for claimer in claimers {
        ran.extend(claimer.await.unwrap());
    }
    let once: HashSet<_> = ran.iter().copied().collect();
    assert_eq!(once.len(), ran.len(), "a job ran twice");
    assert_eq!(once, queued, "every job ran");
}

async fn a_lease_that_ran_out_goes_before_queued_work(db: TestDb) {
    let store = db.store().await;
    let acme = tenant(&store, "Acme").await;
    let crashed = store.enqueue(acme, &ping()).await.unwrap();
    let now = Utc::now() + Duration::seconds(1);
    let held = store
        .lease_next_job(JobKind::Ping, None, now, now + Duration::seconds(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.id, crashed.id);
    store.enqueue(acme, &ping()).await.unwrap();

    let later = now + Duration::seconds(10);
    let taken = store
        .lease_next_job(JobKind::Ping, None, later, later + Duration::seconds(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.id, crashed.id, "the crashed holder's job first");
    assert_eq!(taken.attempts, 2);
    assert_ne!(taken.lease_token, held.lease_token);
    let fenced = store.complete_job(&held).await.unwrap_err();
    assert!(matches!(fenced, StoreError::LeaseLost), "{fenced:?}");
    store.complete_job(&taken).await.unwrap();
}

async fn finished_jobs_are_pruned_across_tenants_and_live_ones_kept(db: TestDb) {
    let store = db.store().await;
    let (acme, zeta) = (tenant(&store, "Acme").await, tenant(&store, "Zeta").await);
    let mut finished = Vec::new();
    for id in [acme, zeta] {
        let done = store.enqueue(id, &ping()).await.unwrap();
        let now = Utc::now() + Duration::seconds(1);
        let job = store
            .lease_next_job(JobKind::Ping, Some(id), now, now + Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        store.complete_job(&job).await.unwrap();
        let cancelled = store.enqueue(id, &ping()).await.unwrap();
        store.cancel_queued_job(id, cancelled.id).await.unwrap();
        finished.push((id, done.id));
        finished.push((id, cancelled.id));
    }
    let dead = NewJob {
        max_attempts: 1,
        ..ping()
    };
    let dead = store.enqueue(acme, &dead).await.unwrap();
    let now = Utc::now() + Duration::seconds(1);
    let job = store
        .lease_next_job(JobKind::Ping, Some(acme), now, now + Duration::seconds(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.id, dead.id);
    let state = store.fail_job(&job, "boom", now).await.unwrap();
    assert_eq!(state, JobState::Dead);
    let queued = store.enqueue(zeta, &ping()).await.unwrap();

    let before = Utc::now() - Duration::days(7);
    assert_eq!(store.prune_finished_jobs(before).await.unwrap(), 0);
    let pruned = store
        .prune_finished_jobs(Utc::now() + Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(pruned, 4, "done and cancelled, both tenants");
    for (id, job) in finished {
        assert!(store.queued_job(id, job).await.unwrap().is_none());
    }
    let kept = store.queued_job(acme, dead.id).await.unwrap().unwrap();
    assert_eq!(kept.state, JobState::Dead, "dead jobs wait for an admin");
    let kept = store.queued_job(zeta, queued.id).await.unwrap().unwrap();
    assert_eq!(kept.state, JobState::Queued);
}
