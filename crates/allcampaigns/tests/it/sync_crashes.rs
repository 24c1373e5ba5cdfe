//! SYNC-01 the hard way: the sync is stopped where it stands, not after a commit. The cycle's
//! future is dropped at points spread over the cycle, and the real binary is SIGKILLed
//! mid-cycle, while every call to Instantly is slowed so that pages are being written when it
//! happens. After each stop the store holds whole pages with their checkpoints; resuming ends
//! equal to the simulator's truth. Both backends.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use allcampaigns::config::DatabaseConfig;
use allcampaigns::jobs::JobKind;
use allcampaigns::store::Table;
use allcampaigns::sync::SyncOptions;
use instantly_sim::{FaultConfig, Scale};
use rand::Rng;
use secrecy::ExposeSecret;

use crate::helpers::TestDb;
use crate::on_both_backends;
use crate::sync::{Synced, connected, quick_retries, whole_cycles};

on_both_backends!(
    sync_01_a_cycle_dropped_anywhere_resumes_to_the_truth,
    sync_01_kill_9_of_the_sync_command_mid_cycle_resumes_to_the_truth,
);

/// Every call to Instantly takes this much longer, so the next page is being fetched while
/// this one is written.
fn latency() -> FaultConfig {
    FaultConfig {
        latency_ms: 5,
        ..FaultConfig::default()
    }
}

/// What the stop left must be whole parts of pages: each part's messages came with their
/// threads, and only the first parts of one page (at most its 100 messages less the last
/// part's) lie beyond the checkpoint, which commits with the page's last part (the backfills
/// count what they read). Leads are written a page to a transaction.
async fn assert_whole_pages(s: &Synced) {
    let states = s.store.stream_states(s.tenant).await.unwrap();
    let done = |stream: &str| {
        let state = states.iter().find(|x| x.stream == stream);
        state.map_or(0, |x| x.done)
    };
    let counts = s.store.stored_counts(s.tenant).await.unwrap();
    let stored = |table: Table| {
        let count = counts.iter().find(|(t, _)| *t == table);
        count.map_or(0, |(_, n)| *n)
    };
    let (messages, read) = (stored(Table::Messages), done("emails"));
    assert!(
        (read..read + 100).contains(&messages),
        "{messages} messages stored, {read} read by the checkpoint"
    );
    assert_eq!(stored(Table::Leads), done("leads"), "leads and checkpoint");
    let threads = s
        .rows("SELECT '' || coalesce(SUM(message_count), 0) FROM threads WHERE tenant_id = $1")
        .await;
    assert_eq!(
        threads,
        [stored(Table::Messages).to_string()],
        "threads count every stored message"
    );
}

/// Whether the message backfill has begun and not ended.
async fn mid_backfill(s: &Synced) -> bool {
    let states = s.store.stream_states(s.tenant).await.unwrap();
    let emails = states.iter().find(|x| x.stream == "emails");
    emails.is_some_and(|x| x.done > 0 && !x.backfilled)
}

/// As after a crash once its lease has run out: another worker claims the tenant's job and
/// hands it back due now. A stopped holder's transaction may hold the job's row a moment
/// longer (PostgreSQL skips it then), so this waits for it.
async fn lease_runs_out(s: &Synced) {
    let later = chrono::Utc::now() + chrono::Duration::minutes(10);
    let lease = later + chrono::Duration::minutes(1);
    let started = Instant::now();
    loop {
        let claim = s
            .store
            .lease_next_job(JobKind::Sync, Some(s.tenant), later, lease);
        if let Some(job) = claim.await.unwrap() {
            s.store.requeue_job(&job, chrono::Utc::now()).await.unwrap();
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the job is lost"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Where to stop the next run: once it has made some calls to Instantly (1 to `span`), then
/// 0 to 40 ms more. Pages are fetched one ahead of the writer and one takes 20 to 50 ms to
/// write, so most stops land while a page is written, the others anywhere in the cycle.
struct StopPoints {
    rng: rand::rngs::ThreadRng,
    /// Fewer calls than a whole cycle makes, once one has run to its end.
    span: u64,
}

impl StopPoints {
    fn new() -> Self {
        Self {
            rng: rand::rng(),
            span: 25,
        }
    }

    /// Waits for the next stop point, or until `ended` says the run is over.
    async fn wait(&mut self, s: &Synced, mut ended: impl FnMut() -> bool) {
        let calls = s.sim.requests_served() + self.rng.random_range(1..=self.span);
        let started = Instant::now();
        while s.sim.requests_served() < calls && !ended() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the sync hangs"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let more = self.rng.random_range(0..=40);
        tokio::time::sleep(Duration::from_millis(more)).await;
    }

    /// A whole run took `calls`: stop the next one before its end.
    fn ran_to_the_end(&mut self, calls: u64) {
        self.span = calls.saturating_sub(1).max(1);
    }
}

/// SYNC-01: `run_once` runs in a task that is aborted at a stop point, forty times, so the
/// cycle is dropped while it waits for Instantly, for the database, or in the middle of a
/// page's transaction; each time, whole pages only. Then the sync runs to the end and equals
/// the truth.
async fn sync_01_a_cycle_dropped_anywhere_resumes_to_the_truth(db: TestDb) {
    let options = SyncOptions {
        pages_per_slice: 8,
        ..quick_retries()
    };
    let s = connected(db, Scale::Small, options).await;
    s.sim.set_faults(latency());
    let mut stops = StopPoints::new();
    let (mut dropped, mut while_backfilling) = (0, 0);
    for _ in 0..40 {
        let before = s.sim.requests_served();
        let worker = s.worker.clone();
        let run = tokio::spawn(async move { worker.run_once().await });
        stops.wait(&s, || run.is_finished()).await;
        run.abort();
        if run.await.is_err_and(|e| e.is_cancelled()) {
            dropped += 1;
            while_backfilling += usize::from(mid_backfill(&s).await);
        } else {
            stops.ran_to_the_end(s.sim.requests_served() - before);
        }
        lease_runs_out(&s).await;
        assert_whole_pages(&s).await;
    }
    eprintln!("SYNC-01: {dropped} of 40 runs dropped, {while_backfilling} mid-backfill");
    assert!(dropped >= 30, "only {dropped} runs were dropped");
    assert!(while_backfilling > 0, "no drop while messages streamed in");
    s.sim.clear_faults();
    s.drain().await;
    assert_whole_pages(&s).await;
    s.assert_equals_truth().await;
}

/// `allcampaigns sync --tenant T --once` against this test's database and simulator.
fn sync_command(s: &Synced) -> Command {
    let config = &s.db.config;
    let mut command = Command::new(env!("CARGO_BIN_EXE_allcampaigns"));
    command
        .args(["sync", "--tenant", &s.tenant.to_string(), "--once"])
        .env_clear()
        .env("ALLCAMPAIGNS_DATA_DIR", &config.data_dir)
        .env("ALLCAMPAIGNS_INSTANTLY_RATE_LIMITS", "off")
        .env("ALLCAMPAIGNS_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let DatabaseConfig::Postgres {
        url, migrate_url, ..
    } = &config.database
    {
        command.env("DATABASE_URL", url.expose_secret());
        if let Some(owner) = migrate_url {
            command.env("ALLCAMPAIGNS_MIGRATE_DATABASE_URL", owner.expose_secret());
        }
    }
    if let Some(key) = &config.master_key {
        command.env("ALLCAMPAIGNS_MASTER_KEY", key.expose_secret());
    }
    command
}

/// SYNC-01: the sync command is SIGKILLed at a stop point, fifteen times, so it dies in any
/// stream and mostly while a page is written; each time, whole pages only. Then a last run
/// ends equal to the truth.
async fn sync_01_kill_9_of_the_sync_command_mid_cycle_resumes_to_the_truth(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.sim.set_faults(latency());
    let mut stops = StopPoints::new();
    let (mut killed, mut while_backfilling) = (0, 0);
    for _ in 0..40 {
        if killed == 15 {
            break;
        }
        let before = s.sim.requests_served();
        let mut child = sync_command(&s).spawn().expect("the binary starts");
        stops.wait(&s, || child.try_wait().unwrap().is_some()).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            killed += 1;
            while_backfilling += usize::from(mid_backfill(&s).await);
        } else {
            stops.ran_to_the_end(s.sim.requests_served() - before);
        }
        lease_runs_out(&s).await;
        assert_whole_pages(&s).await;
    }
    eprintln!("SYNC-01: {killed} kills, {while_backfilling} mid-backfill");
    assert_eq!(killed, 15, "the sync was killed fifteen times");
    assert!(while_backfilling > 0, "no kill while messages streamed in");
    s.sim.clear_faults();
    let output = sync_command(&s)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_whole_pages(&s).await;
    s.assert_equals_truth().await;
}
