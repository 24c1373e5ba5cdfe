//! Sync catalogue cases not covered in `sync.rs`: a checkpoint in the future (SYNC-04), a
//! refused key and a missing endpoint through the worker (SYNC-06), and latency on top of
//! the faults (SYNC-11). Both backends, against the real simulator.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use allcampaigns::store::{ConnectionStatus, StreamState};
use allcampaigns::sync::link::{Workspace, sealed_link};
use allcampaigns::sync::{Hooks, SyncOptions, SyncWorker};
use axum::http::StatusCode;
use instantly_sim::Scale;

use crate::helpers::TestDb;
use crate::on_both_backends;
use crate::sync::{Synced, connected, whole_cycles};

fn emails_state(states: &[StreamState]) -> StreamState {
    states
        .iter()
        .find(|s| s.stream == "emails")
        .unwrap()
        .clone()
}

async fn message_count(s: &Synced) -> usize {
    s.store
        .stored_counts(s.tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|(table, _)| *table == allcampaigns::store::Table::Messages)
        .map(|(_, n)| n as usize)
        .unwrap()
}

/// SYNC-04: with the messages checkpoint in the year 2999, a cycle reads no records, reports
/// no error, and leaves the checkpoint where it was (never moved backwards).
async fn sync_04_a_checkpoint_in_the_year_2999_reads_nothing_and_stays(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    let future = chrono::DateTime::parse_from_rfc3339("2999-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let mut state = emails_state(&s.store.stream_states(s.tenant).await.unwrap());
    assert!(state.backfilled);
    state.watermark = Some(future);
    s.store.save_stream_state(s.tenant, &state).await.unwrap();
    let stored = message_count(&s).await;
    s.sim.tick(&instantly_sim::TickRequest {
        new_replies: 5,
        ..Default::default()
    });
    let report = s.cycle().await;
    assert_eq!(report.failed().count(), 0, "{report:?}");
    let emails = report
        .streams
        .iter()
        .find(|r| r.stream == "emails")
        .unwrap();
    assert_eq!(emails.progress.read, 0, "{emails:?}");
    assert_eq!(message_count(&s).await, stored, "no message written");
    let after = emails_state(&s.store.stream_states(s.tenant).await.unwrap());
    assert_eq!(after.watermark, Some(future), "not moved backwards");
    assert!(after.last_error.is_none() && after.last_success_at.is_some());
}

/// Replaces the stored connection, as if the key or the address had changed under us.
async fn reconnect(s: &Synced, api_key: &str, base_url: &str) {
    let keyring = allcampaigns::keys::load_keyring(&s.db.config, &s.store)
        .await
        .unwrap();
    let workspace = Workspace {
        id: Some(s.workspace.clone()),
        name: None,
    };
    let connection = sealed_link(
        &keyring,
        s.tenant,
        &api_key.to_string().into(),
        base_url,
        workspace,
        ConnectionStatus::Connected,
    );
    s.store
        .save_connection(s.tenant, &connection)
        .await
        .unwrap();
}

async fn add_owner(s: &Synced) {
    let email = allcampaigns::domain::Email::parse("owner@example.com").unwrap();
    let owner = s.store.create_user(&email, "Owner").await.unwrap();
    s.store
        .add_member(s.tenant, owner.id, allcampaigns::domain::Role::Owner)
        .await
        .unwrap();
}

/// SYNC-06: a key Instantly refuses with 401 (not a lapsed plan), through the worker: the
/// connection needs attention, the owner is told once, no checkpoint moves, the request is
/// not retried and Instantly is not asked again.
async fn sync_06_a_401_through_the_worker_marks_the_key_and_stops(db: TestDb) {
    let mut s = connected(db, Scale::Small, whole_cycles()).await;
    add_owner(&s).await;
    s.cycle().await;
    let before = s.store.stream_states(s.tenant).await.unwrap();
    reconnect(&s, "not-a-key-instantly-knows", &s.sim.base_url()).await;
    SyncWorker::request(&s.store, s.tenant).await.unwrap();
    let served = s.sim.requests_served();
    let outcome = s.worker.run_once().await.unwrap().expect("due");
    assert!(outcome.result.is_err(), "{:?}", outcome.result);
    assert_eq!(s.sim.requests_served() - served, 1, "a 401 is not retried");
    let connection = s.store.connection(s.tenant).await.unwrap().unwrap();
    assert_eq!(connection.status.as_str(), "needs_attention");
    assert_eq!(
        connection.status_detail.as_deref(),
        Some("sync:key_refused")
    );
    let mail = s.inbox.try_recv().expect("the owner is told");
    assert_eq!(mail.to, "owner@example.com");
    assert!(s.inbox.try_recv().is_err(), "told once");
    let after = s.store.stream_states(s.tenant).await.unwrap();
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            (&b.cursor, b.watermark),
            (&a.cursor, a.watermark),
            "{}",
            a.stream
        );
    }
    let served = s.sim.requests_served();
    assert!(s.worker.run_once().await.unwrap().is_none(), "nothing due");
    assert_eq!(
        s.sim.requests_served(),
        served,
        "Instantly is not asked again"
    );
}

/// A provider that answers every request with `status`, counting them.
async fn provider_answering(status: u16) -> (String, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let body =
                serde_json::json!({"statusCode": status, "error": "refused", "message": "refused"});
            (StatusCode::from_u16(status).unwrap(), axum::Json(body))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), count)
}

/// SYNC-06: 400 and 404 answers are not retried: each failing stream makes its call once,
/// keeps its checkpoint and records the error, and the key is not blamed.
async fn sync_06_400_and_404_through_the_worker_are_not_retried(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    let before = s.store.stream_states(s.tenant).await.unwrap();
    let key = s.sim.workspaces()[0].api_key.clone();
    for status in [400, 404] {
        let (base_url, calls) = provider_answering(status).await;
        reconnect(&s, &key, &base_url).await;
        let report = s.worker.sync_tenant(s.tenant, Hooks::default()).await;
        let report =
            report.unwrap_or_else(|e| panic!("{status} fails streams, not the cycle: {e}"));
        let failed = report.failed().count() as u64;
        assert!(failed > 0, "{report:?}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            failed,
            "{status}: one call per failed stream, no retries: {report:?}"
        );
        let connection = s.store.connection(s.tenant).await.unwrap().unwrap();
        assert_eq!(
            connection.status.as_str(),
            "connected",
            "the key is not blamed"
        );
        let after = s.store.stream_states(s.tenant).await.unwrap();
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(
                (&b.cursor, b.watermark),
                (&a.cursor, a.watermark),
                "{}",
                a.stream
            );
        }
        assert!(after.iter().any(|a| a.last_error.is_some()));
    }
}

/// SYNC-11: 40 ms of latency on every call, slow timeouts, resets and truncated bodies
/// between the app and the provider; the final state still equals the simulator's truth.
/// (The bandwidth cap, with a client timeout that gives up on slow bodies, is in
/// `sync_faults.rs`.)
async fn sync_11_latency_timeouts_and_resets_still_end_equal_to_the_truth(db: TestDb) {
    let options = SyncOptions {
        pages_per_slice: 4,
        ..whole_cycles()
    };
    let s = connected(db, Scale::Small, options).await;
    s.sim.set_faults(instantly_sim::FaultConfig {
        latency_ms: 40,
        timeout: 0.03,
        timeout_ms: Some(300),
        reset: 0.05,
        truncate: 0.05,
        ..Default::default()
    });
    for _ in 0..200 {
        if let Some(outcome) = s.worker.run_once().await.unwrap()
            && outcome
                .result
                .as_ref()
                .is_ok_and(|r| !r.more() && r.failed().count() == 0)
        {
            break;
        }
        SyncWorker::request(&s.store, s.tenant).await.unwrap();
    }
    let injected = s.sim.injected_faults();
    assert!(!injected.is_empty(), "faults were injected");
    s.sim.clear_faults();
    s.assert_equals_truth().await;
}

on_both_backends!(
    sync_04_a_checkpoint_in_the_year_2999_reads_nothing_and_stays,
    sync_06_a_401_through_the_worker_marks_the_key_and_stops,
    sync_06_400_and_404_through_the_worker_are_not_retried,
    sync_11_latency_timeouts_and_resets_still_end_equal_to_the_truth,
);
