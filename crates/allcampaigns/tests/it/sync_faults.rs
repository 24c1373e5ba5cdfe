//! Provider faults driven through the sync, checked against the simulator's request log: a key
//! revoked mid-backfill, a `Retry-After` given as an HTTP date, 400 and 404 answers (SYNC-06),
//! and a bandwidth cap with latency, timeouts and resets (SYNC-11). Both backends.

use std::time::Duration;

use allcampaigns::domain::{Email, Role, Stream};
use allcampaigns::store::{AuditFilter, StreamState};
use allcampaigns::sync::{SyncOptions, SyncWorker, live_job};
use instantly_sim::{Fault, FaultConfig, Scale, Served};

use crate::helpers::TestDb;
use crate::on_both_backends;
use crate::sync::{Synced, connected, quick_retries, whole_cycles};

on_both_backends!(
    sync_06_a_key_revoked_mid_backfill_stops_the_sync_and_tells_the_admins,
    sync_06_a_retry_after_http_date_is_obeyed_through_the_worker,
    sync_06_400_and_404_mid_backfill_are_asked_once_and_keep_the_checkpoint,
    sync_11_a_bandwidth_cap_latency_timeouts_and_resets_still_end_equal_to_the_truth,
    sync_06_a_failed_stream_is_the_jobs_error_even_while_other_streams_have_more,
);

/// The message list: one stream's calls, so a fault there fails that stream alone.
const EMAILS: &str = "/api/v2/emails";

/// Faults for the message list only, in the order given.
fn on_emails(next: Vec<Fault>) -> FaultConfig {
    FaultConfig {
        path_prefix: Some(EMAILS.into()),
        next,
        ..FaultConfig::default()
    }
}

/// A backfill two pages into every list: a worker that stops each stream after two pages runs once.
async fn part_way(s: &Synced) {
    let slices = SyncOptions {
        pages_per_slice: 2,
        ..quick_retries()
    };
    let outcome = s.worker.clone().with_options(slices).run_once().await;
    let report = outcome.unwrap().expect("due").result.unwrap();
    assert!(report.more() && report.failed().count() == 0, "{report:?}");
    let emails = checkpoint(&s.store.stream_states(s.tenant).await.unwrap(), "emails");
    assert!(emails.cursor.is_some() && !emails.backfilled, "{emails:?}");
}

fn checkpoint(states: &[StreamState], stream: &str) -> StreamState {
    let found = states.iter().find(|x| x.stream == stream);
    found.cloned().unwrap_or_else(|| StreamState::new(stream))
}

type Position = (
    String,
    Option<String>,
    Option<chrono::DateTime<chrono::Utc>>,
    bool,
);

/// Where each stream would resume, and how far the list backfills got: what a failure must
/// leave alone. (The analytics streams count the days they read again each cycle.)
fn positions(states: &[StreamState]) -> (Vec<Position>, [i64; 2]) {
    let mut positions: Vec<_> = states
        .iter()
        .map(|x| {
            (
                x.stream.clone(),
                x.cursor.clone(),
                x.watermark,
                x.backfilled,
            )
        })
        .collect();
    positions.sort();
    let done = ["emails", "leads"].map(|stream| checkpoint(states, stream).done);
    (positions, done)
}

async fn add_member(s: &Synced, address: &str, role: Role) {
    let email = Email::parse(address).unwrap();
    let user = s.store.create_user(&email, "").await.unwrap();
    s.store.add_member(s.tenant, user.id, role).await.unwrap();
}

/// SYNC-06: the key is revoked while the backfill is part way (Instantly answers 401 to the
/// message list): that one call is not retried and nothing more is asked, the link needs
/// attention, the owner and the admin are told (not the operator), the job is stopped and no
/// checkpoint moves.
async fn sync_06_a_key_revoked_mid_backfill_stops_the_sync_and_tells_the_admins(db: TestDb) {
    let mut s = connected(db, Scale::Small, whole_cycles()).await;
    add_member(&s, "owner@example.com", Role::Owner).await;
    add_member(&s, "admin@example.com", Role::Admin).await;
    add_member(&s, "operator@example.com", Role::Operator).await;
    part_way(&s).await;
    let before = s.store.stream_states(s.tenant).await.unwrap();
    s.sim.set_faults(on_emails(vec![Fault::Error401]));
    let from = s.sim.request_log().len();
    let outcome = s.worker.run_once().await.unwrap().expect("due");
    assert!(outcome.result.is_err(), "{:?}", outcome.result);
    let log = s.sim.request_log().split_off(from);
    let last = log.last().unwrap();
    assert_eq!(
        (last.fault, last.status),
        (Some(Fault::Error401), Some(401)),
        "the refused call was the last one: {log:#?}"
    );
    let connection = s.store.connection(s.tenant).await.unwrap().unwrap();
    assert_eq!(connection.status.as_str(), "needs_attention");
    assert_eq!(
        connection.status_detail.as_deref(),
        Some("sync:key_refused")
    );
    let mut told = Vec::new();
    while let Ok(mail) = s.inbox.try_recv() {
        told.push(mail.to);
    }
    told.sort();
    assert_eq!(told, ["admin@example.com", "owner@example.com"]);
    assert!(live_job(&s.store, s.tenant).await.unwrap().is_none());
    let after = s.store.stream_states(s.tenant).await.unwrap();
    assert_eq!(positions(&after), positions(&before), "no checkpoint moved");
    let audit = s
        .store
        .audit_entries(
            s.tenant,
            &AuditFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let marked = audit
        .iter()
        .filter(|e| e.action == "connection.needs_attention");
    assert_eq!(marked.count(), 1);
    let served = s.sim.requests_served();
    assert!(s.worker.run_once().await.unwrap().is_none(), "nothing due");
    assert_eq!(
        s.sim.requests_served(),
        served,
        "Instantly is not asked again"
    );
}

/// SYNC-06: Instantly answers the first message page with 429 and a `Retry-After` HTTP date
/// two seconds ahead; through the worker, the page is asked again no earlier than that date,
/// and the cycle still ends equal to the truth.
async fn sync_06_a_retry_after_http_date_is_obeyed_through_the_worker(db: TestDb) {
    let mut options = whole_cycles();
    options.retry.max_retry_after = Duration::from_secs(10);
    let s = connected(db, Scale::Small, options).await;
    s.sim.set_faults(FaultConfig {
        retry_after_secs: Some(2),
        retry_after_date: true,
        ..on_emails(vec![Fault::Error429])
    });
    let outcome = s.worker.run_once().await.unwrap().expect("due");
    let report = outcome.result.unwrap();
    assert!(report.failed().count() == 0 && !report.more(), "{report:?}");
    let log = s.sim.request_log();
    let limited = log.iter().position(|r| r.status == Some(429)).unwrap();
    let (refused, retried) = (&log[limited], &log[limited + 1]);
    let date = refused.retry_after.as_deref().expect("a Retry-After date");
    assert!(date.ends_with(" GMT"), "an HTTP date: {date}");
    let date = chrono::DateTime::parse_from_rfc2822(date).unwrap();
    assert!(date >= refused.at + chrono::TimeDelta::seconds(2), "{date}");
    assert_eq!(retried.target, refused.target, "the same page again");
    assert!(
        retried.at >= date,
        "asked again at {} before {date}",
        retried.at
    );
    s.sim.clear_faults();
    s.assert_equals_truth().await;
}

/// SYNC-06: with the backfill part way, the message list answers 400, then (next cycle) 404.
/// Each is asked once (no retry), fails its stream only, is the job's recorded error, and
/// leaves the message checkpoint where it was; the key is not blamed. Afterwards the sync
/// resumes and ends equal to the truth.
async fn sync_06_400_and_404_mid_backfill_are_asked_once_and_keep_the_checkpoint(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    part_way(&s).await;
    for (fault, status) in [(Fault::Error400, 400), (Fault::Error404, 404)] {
        let before = checkpoint(&s.store.stream_states(s.tenant).await.unwrap(), "emails");
        s.sim.set_faults(on_emails(vec![fault]));
        SyncWorker::request(&s.store, s.tenant).await.unwrap();
        let from = s.sim.request_log().len();
        let outcome = s.worker.run_once().await.unwrap().expect("due");
        let report = outcome
            .result
            .expect("a refused call fails a stream, not the cycle");
        let failed: Vec<_> = report.failed().collect();
        assert_eq!(failed.len(), 1, "{report:?}");
        assert_eq!(failed[0].stream, Stream::Emails);
        let log = s.sim.request_log().split_off(from);
        let refused: Vec<&Served> = log.iter().filter(|r| r.fault.is_some()).collect();
        assert_eq!(refused.len(), 1, "{log:#?}");
        assert_eq!(refused[0].status, Some(status));
        let asked = log.iter().filter(|r| r.target == refused[0].target);
        assert_eq!(asked.count(), 1, "{status} is not retried: {log:#?}");
        let job = live_job(&s.store, s.tenant).await.unwrap().unwrap();
        assert_eq!(
            job.last_error, failed[0].error,
            "{status} is the job's error"
        );
        let after = checkpoint(&s.store.stream_states(s.tenant).await.unwrap(), "emails");
        assert_eq!(
            (&after.cursor, after.watermark, after.backfilled, after.done),
            (
                &before.cursor,
                before.watermark,
                before.backfilled,
                before.done
            ),
            "{status} moved the message checkpoint"
        );
        assert!(
            after.last_error.is_some(),
            "{status} is recorded on the stream"
        );
        let connection = s.store.connection(s.tenant).await.unwrap().unwrap();
        assert_eq!(
            connection.status.as_str(),
            "connected",
            "the key is not blamed"
        );
    }
    s.sim.clear_faults();
    SyncWorker::request(&s.store, s.tenant).await.unwrap();
    s.drain().await;
    s.assert_equals_truth().await;
}

/// SYNC-11: a quarter of the answers trickle in at 64 KiB/s, and every call takes 20 ms more;
/// some hang, some are reset, some cut short. A page of a hundred messages or leads (about
/// 170 kB) cannot arrive at that rate within the client's timeout of half a second, so each
/// slow page is given up on and asked again. The state still ends equal to the truth.
///
/// The worker's client keeps Instantly's production timeout (30 s, not a sync option), so this
/// test runs the same cycle with a client of its own.
async fn sync_11_a_bandwidth_cap_latency_timeouts_and_resets_still_end_equal_to_the_truth(
    db: TestDb,
) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let worker = s.worker.clone().with_options(SyncOptions {
        timeout: Duration::from_millis(500),
        ..whole_cycles()
    });
    s.sim.set_faults(FaultConfig {
        latency_ms: 20,
        slow: 0.25,
        bytes_per_sec: Some(64 * 1024),
        timeout: 0.03,
        timeout_ms: Some(3_000),
        reset: 0.03,
        truncate: 0.03,
        // One of each for certain, then at random.
        next: vec![Fault::Timeout, Fault::Reset, Fault::Truncate],
        ..FaultConfig::default()
    });
    let mut cycles = 0;
    loop {
        cycles += 1;
        assert!(cycles <= 20, "the sync never got through");
        // As "sync now": a cycle whose streams failed would otherwise wait out its backoff.
        SyncWorker::request(&s.store, s.tenant).await.unwrap();
        let outcome = worker.run_once().await.unwrap().expect("due");
        let report = outcome.result.unwrap();
        if report.failed().count() == 0 && !report.more() {
            break;
        }
    }
    let log = s.sim.request_log();
    s.sim.clear_faults();
    let given_up = log
        .iter()
        .filter(|r| r.fault == Some(Fault::Slow) && r.status.is_none());
    assert!(given_up.count() > 0, "some slow pages were given up on");
    s.assert_equals_truth().await;
}

/// A slice that leaves work runs again at once; the stream that failed in it still shows as
/// the job's error meanwhile.
async fn sync_06_a_failed_stream_is_the_jobs_error_even_while_other_streams_have_more(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.sim.set_faults(on_emails(vec![Fault::Error400]));
    let slices = SyncOptions {
        pages_per_slice: 1,
        ..quick_retries()
    };
    let outcome = s.worker.clone().with_options(slices).run_once().await;
    let report = outcome.unwrap().expect("due").result.unwrap();
    assert!(report.more(), "{report:?}");
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 1, "{report:?}");
    let job = live_job(&s.store, s.tenant).await.unwrap().unwrap();
    assert_eq!(job.last_error, failed[0].error);
    assert!(job.run_at <= chrono::Utc::now(), "runs again at once");
}
