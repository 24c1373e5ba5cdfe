//! SQLite durability: kill -9 while writing (DUR-03) and WAL growth behind a long reader
//! (DUR-06), through the product's own store and its settings (WAL, synchronous FULL).

use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use allcampaigns::config::{self, Config, Sources};
use allcampaigns::store::{NewAuditEntry, StreamState, Table, TenantProfile, Write};
use rand::{Rng, SeedableRng};
use serde_json::json;
use sqlx::{Connection, SqliteConnection};

use crate::catalogue_support::row_for;

/// The data directory of the writer child process.
const WRITER_DIR: &str = "DUR03_DATA_DIR";
/// The first number the writer child acknowledges (unique per round).
const WRITER_FROM: &str = "DUR03_FROM";

fn sqlite_config(dir: &Path) -> Config {
    let mut sources = Sources::default();
    sources
        .env
        .insert("ALLCAMPAIGNS_LISTEN".into(), "127.0.0.1:0".into());
    sources
        .env
        .insert("ALLCAMPAIGNS_DATA_DIR".into(), dir.display().to_string());
    config::load(&sources).expect("configuration")
}

async fn open_file(dir: &Path) -> SqliteConnection {
    let path = dir.join("allcampaigns.db");
    SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap()
}

/// The writer half of DUR-03, run only as a child of `dur_03_…` (which sets the variables):
/// appends audit entries through the store and prints `ack N` after each commit returns.
#[test]
#[ignore = "the child process of dur_03; runs only when started by it"]
fn dur_03_writer_child() {
    let (Ok(dir), Ok(from)) = (std::env::var(WRITER_DIR), std::env::var(WRITER_FROM)) else {
        return;
    };
    let from: u64 = from.parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = allcampaigns::store::open(&sqlite_config(Path::new(&dir)), true)
            .await
            .unwrap();
        let tenant = store.tenant_directory().await.unwrap()[0];
        let padding = "x".repeat(1500);
        let mut out = std::io::stdout().lock();
        for n in from.. {
            let entry = NewAuditEntry {
                actor: None,
                action: "dur03".into(),
                target: Some(n.to_string()),
                details: json!({ "padding": padding }),
                request_id: None,
            };
            store.append_audit(tenant, &entry).await.unwrap();
            writeln!(out, "ack {n}").unwrap();
            out.flush().unwrap();
        }
    });
}

/// Starts the writer, lets it commit for a random while, SIGKILLs it, and returns the
/// numbers it acknowledged (complete lines only).
fn one_killed_writer(dir: &Path, from: u64, rng: &mut impl Rng) -> Vec<u64> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability::dur_03_writer_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITER_DIR, dir)
        .env(WRITER_FROM, from.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, acks) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = Vec::new();
        while stdout.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
            let text = String::from_utf8_lossy(&line);
            if let Some(n) = text.strip_prefix("ack ").and_then(|t| t.strip_suffix('\n')) {
                let _ = lines.send(n.parse::<u64>().unwrap());
            }
            line.clear();
        }
    });
    let mut acked = vec![
        acks.recv_timeout(Duration::from_secs(20))
            .expect("the writer commits within 20 s"),
    ];
    std::thread::sleep(Duration::from_millis(rng.random_range(0..40)));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap();
    acked.extend(acks.try_iter());
    acked
}

/// DUR-03: a writer process is SIGKILLed at random points, 200 times; after each kill the file
/// passes `PRAGMA integrity_check` and holds every commit the writer acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dur_03_kill_9_never_corrupts_and_never_loses_an_acknowledged_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = allcampaigns::store::open(&sqlite_config(dir.path()), true)
        .await
        .unwrap();
    let profile = TenantProfile {
        name: "dur".into(),
        ..Default::default()
    };
    store.create_tenant(None, &profile).await.unwrap();
    drop(store);
    let mut rng = rand::rng();
    let mut acknowledged = Vec::new();
    let started = Instant::now();
    for round in 0..200u64 {
        let dir_path = dir.path().to_path_buf();
        let mut round_rng = rand::rngs::StdRng::from_rng(&mut rng);
        let acked = tokio::task::spawn_blocking(move || {
            one_killed_writer(&dir_path, round * 1_000_000, &mut round_rng)
        })
        .await
        .unwrap();
        acknowledged.extend(acked);
        let mut conn = open_file(dir.path()).await;
        let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(check, vec!["ok".to_string()], "round {round}");
        let stored: std::collections::HashSet<u64> =
            sqlx::query_scalar::<_, String>("SELECT target FROM audit_log WHERE action = 'dur03'")
                .fetch_all(&mut conn)
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.parse().unwrap())
                .collect();
        let lost: Vec<_> = acknowledged
            .iter()
            .filter(|n| !stored.contains(n))
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged but lost: {lost:?}"
        );
        conn.close().await.unwrap();
    }
    eprintln!(
        "DUR-03: 200 kills, {} acknowledged commits, {:?}",
        acknowledged.len(),
        started.elapsed()
    );
}

fn wal_size(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("allcampaigns.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0)
}

/// DUR-06: heavy writes while a reader holds a snapshot grow the WAL (no checkpoint can reset
/// it); once the reader ends, the automatic checkpoints bring it back under control: the same
/// load twice more grows it by at most one transaction, then not at all, and a full checkpoint
/// succeeds and empties it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dur_06_the_wal_stays_bounded_once_a_long_reader_ends() {
    let dir = tempfile::tempdir().unwrap();
    let store = allcampaigns::store::open(&sqlite_config(dir.path()), true)
        .await
        .unwrap();
    let profile = TenantProfile {
        name: "dur".into(),
        ..Default::default()
    };
    let tenant = store.create_tenant(None, &profile).await.unwrap().id;
    let body = "y".repeat(2000);
    let write_pages = |batch: u32| {
        let store = store.clone();
        let body = body.clone();
        async move {
            let state = StreamState::new("dur06");
            for page in 0..40 {
                let rows: Vec<_> = (0..100)
                    .map(|i| {
                        let id = format!("{batch}-{page}-{i}");
                        row_for(
                            Table::Messages,
                            &[("instantly_id", json!(id)), ("body_text", json!(body))],
                        )
                    })
                    .collect();
                let write = Write::Upsert {
                    table: Table::Messages,
                    rows: json!(rows),
                };
                store.apply(tenant, None, &[write], &state).await.unwrap();
            }
        }
    };
    let mut reader = open_file(dir.path()).await;
    sqlx::raw_sql("BEGIN; SELECT COUNT(*) FROM messages;")
        .execute(&mut reader)
        .await
        .unwrap();
    write_pages(1).await;
    let with_reader = wal_size(dir.path());
    assert!(
        with_reader > 8 << 20,
        "the reader pinned the WAL: {with_reader} bytes"
    );
    sqlx::raw_sql("COMMIT").execute(&mut reader).await.unwrap();
    // The first commit after the reader ends still appends (the checkpoint that lets the WAL
    // restart runs after it); from then on the WAL is reused from its start.
    write_pages(2).await;
    let settled = wal_size(dir.path());
    assert!(
        settled <= with_reader + (2 << 20),
        "the WAL kept growing after the reader ended: {with_reader} → {settled}"
    );
    write_pages(3).await;
    let after = wal_size(dir.path());
    assert!(
        after <= settled,
        "the same load again grew the WAL: {settled} → {after}"
    );
    let (busy, _log, _checkpointed): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut reader)
            .await
            .unwrap();
    assert_eq!(busy, 0, "the checkpoint completed");
    assert_eq!(wal_size(dir.path()), 0, "and emptied the WAL");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut reader)
        .await
        .unwrap();
    assert_eq!(check, "ok");
}
