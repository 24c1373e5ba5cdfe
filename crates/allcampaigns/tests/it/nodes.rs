//! Several nodes on one PostgreSQL (issue 11 point 6): two `allcampaigns worker` processes and
//! one `serve` (the real binary) share 200 ping jobs across tenants and run each exactly once; a
//! worker killed with SIGKILL mid-job loses its lease and the other finishes the job, once.
//! Also the ping job itself on both backends, and `jobs ping --wait` with no worker running.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use allcampaigns::config::DatabaseConfig;
use allcampaigns::domain::TenantId;
use allcampaigns::jobs::ping::{PingHandler, ping};
use allcampaigns::jobs::runner::Runner;
use allcampaigns::jobs::{Job, JobState};
use allcampaigns::store::*;
use secrecy::ExposeSecret;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::helpers::TestDb;

crate::on_both_backends!(a_ping_holds_its_worker_for_its_hold_then_is_done_after_one_attempt);

async fn tenants(store: &DynStore, count: usize) -> Vec<TenantId> {
    let mut ids = Vec::new();
    for n in 0..count {
        let profile = TenantProfile {
            name: format!("Client {n}"),
            ..TenantProfile::default()
        };
        ids.push(store.create_tenant(None, &profile).await.unwrap().id);
    }
    ids
}

async fn a_ping_holds_its_worker_for_its_hold_then_is_done_after_one_attempt(db: TestDb) {
    let store = db.store().await;
    let tenant = tenants(&store, 1).await[0];
    let runner = Runner::new(store.clone()).with_handler(Arc::new(PingHandler));
    let job = runner
        .enqueue(tenant, &ping(Duration::from_millis(200)))
        .await
        .unwrap();
    let started = Instant::now();
    let outcome = runner.run_once().await.unwrap().expect("the ping was due");
    assert!(started.elapsed() >= Duration::from_millis(200), "held");
    assert_eq!(
        (outcome.job.id, outcome.state),
        (job.id, Some(JobState::Done))
    );
    let stored = store.queued_job(tenant, job.id).await.unwrap().unwrap();
    assert_eq!((stored.state, stored.attempts), (JobState::Done, 1));
    assert!(runner.run_once().await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_ping_wait_says_when_no_worker_took_the_pings() {
    let db = TestDb::sqlite().await;
    let store = db.store().await;
    tenants(&store, 2).await;
    let env = [("ALLCAMPAIGNS_DATA_DIR", db.dir.path().display().to_string())];
    let args = [
        "jobs",
        "ping",
        "--count",
        "3",
        "--wait",
        "--timeout-secs",
        "1",
    ];
    let output = allcampaigns(&env, &args);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(
        stdout.starts_with("queued 3 pings for 2 tenants"),
        "{stdout}"
    );
    assert_eq!(stdout.matches(": not started").count(), 3, "{stdout}");
    assert!(
        stderr.contains("3 of 3 pings were not done in time"),
        "{stderr}"
    );
    let hold = ["jobs", "ping", "--hold-ms", "60000"];
    let refused = allcampaigns(&[("ALLCAMPAIGNS_JOB_LEASE_SECS", "60".into())], &hold);
    assert!(
        text(&refused.stderr).contains("less than the job lease"),
        "{refused:?}"
    );
}

/// Issue 11 point 6, on PostgreSQL only: the processes share one database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_and_a_serve_run_each_job_once_and_a_killed_workers_job_finishes_on_the_other()
{
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store = db.store().await;
    let tenants = tenants(&store, 5).await;
    let env = node_env(&db);
    let mut serve = Node::start("serve", &env);
    let workers = [Node::start("worker", &env), Node::start("worker", &env)];

    // 200 pings across the tenants; one in eight holds its lane, so all nodes get some.
    let mut ids = Vec::new();
    for n in 0..200 {
        let hold = Duration::from_millis(if n % 8 == 0 { 300 } else { 0 });
        let job = store.enqueue(tenants[n % 5], &ping(hold)).await.unwrap();
        ids.push(job.id);
    }
    let mut inspector = db.superuser().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while done_count(&mut inspector).await < 200 {
        assert!(Instant::now() < deadline, "200 pings done within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let attempts: Vec<i64> = sqlx::query_scalar("SELECT attempts FROM job_queue")
        .fetch_all(&mut inspector)
        .await
        .unwrap();
    assert!(attempts.iter().all(|&a| a == 1), "{attempts:?}");
    let nodes = [&serve, &workers[0], &workers[1]];
    let deadline = Instant::now() + Duration::from_secs(5);
    while nodes
        .iter()
        .map(|n| n.lines_saying("job done").len())
        .sum::<usize>()
        < 200
    {
        assert!(
            Instant::now() < deadline,
            "a completion line per ping within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut done: Vec<Uuid> = nodes
        .iter()
        .flat_map(|n| n.lines_saying("job done"))
        .collect();
    done.sort();
    ids.sort();
    assert_eq!(
        done, ids,
        "exactly one completion line per job across the nodes"
    );
    let busy = nodes
        .iter()
        .filter(|n| !n.lines_saying("job done").is_empty());
    assert!(busy.count() >= 2, "the work was shared");

    // The operator's check, against the running nodes.
    let pinged = allcampaigns(&env, &["jobs", "ping", "--count", "3", "--wait"]);
    assert!(pinged.status.success(), "{pinged:?}");
    assert!(
        text(&pinged.stdout).contains("3 of 3 pings done"),
        "{pinged:?}"
    );

    // Only the two workers from here: one is killed mid-job, the other finishes its job.
    serve.stop();
    let long = store
        .enqueue(tenants[0], &ping(Duration::from_secs(2)))
        .await
        .unwrap();
    let holder = wait_for_holder(&workers, long.id);
    let mut workers = workers;
    workers[holder].kill();
    let other = &workers[1 - holder];
    let finished = wait_for_done(&store, &long).await;
    assert_eq!(finished.attempts, 2);
    // The first lease (3 s from the first claim, itself after the enqueue) had to run out
    // before the second claim, whose 2 s hold then ran whole.
    assert!(finished.updated_at - long.created_at >= chrono::Duration::seconds(5));
    let everywhere: Vec<Uuid> = workers
        .iter()
        .flat_map(|w| w.lines_saying("job done"))
        .filter(|id| *id == long.id)
        .collect();
    assert_eq!(everywhere, [long.id], "one completion line");
    assert!(other.lines_saying("job done").contains(&long.id));
    drop(workers);
    drop(inspector);
}

/// Waits (at most 10 s) for a worker's "job started" line for `job`; answers which worker.
fn wait_for_holder(workers: &[Node; 2], job: Uuid) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(holder) = workers
            .iter()
            .position(|w| w.lines_saying("job started").contains(&job))
        {
            return holder;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no worker started the long ping");
}

async fn wait_for_done(store: &DynStore, job: &Job) -> Job {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let row = store.queued_job(job.tenant, job.id).await.unwrap().unwrap();
        if row.state == JobState::Done {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the killed worker's job was not finished by the other");
}

async fn done_count(inspector: &mut PgConnection) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM job_queue WHERE state = 'done'")
        .fetch_one(inspector)
        .await
        .unwrap()
}

/// Every node's settings: the test database, short leases and polls, JSON logs that name each
/// job started (debug) and done (info).
fn node_env(db: &TestDb) -> Vec<(&'static str, String)> {
    let DatabaseConfig::Postgres { url, .. } = &db.config.database else {
        panic!("a PostgreSQL test database");
    };
    let key = db.config.master_key.as_ref().expect("the test master key");
    vec![
        ("ALLCAMPAIGNS_DATA_DIR", db.dir.path().display().to_string()),
        ("ALLCAMPAIGNS_DATABASE_URL", url.expose_secret().to_owned()),
        (
            "ALLCAMPAIGNS_MIGRATE_DATABASE_URL",
            db.owner_url.clone().expect("postgres"),
        ),
        ("ALLCAMPAIGNS_MASTER_KEY", key.expose_secret().to_owned()),
        ("ALLCAMPAIGNS_LISTEN", "127.0.0.1:0".into()),
        ("ALLCAMPAIGNS_DB_MAX_CONNECTIONS", "6".into()),
        ("ALLCAMPAIGNS_SYNC_WORKERS", "4".into()),
        ("ALLCAMPAIGNS_JOB_LEASE_SECS", "3".into()),
        ("ALLCAMPAIGNS_JOB_POLL_MS", "100".into()),
        ("ALLCAMPAIGNS_LOG", "info,allcampaigns::jobs=debug".into()),
        ("ALLCAMPAIGNS_LOG_FORMAT", "json".into()),
    ]
}

fn allcampaigns(env: &[(&str, String)], args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One `allcampaigns` process and the JSON log lines it has written so far; killed on drop.
struct Node {
    child: Child,
    log: Arc<Mutex<Vec<Value>>>,
}

impl Node {
    /// Starts `allcampaigns <command>` and waits for its first line on stdout (it is ready).
    fn start(command: &str, env: &[(&str, String)]) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
            .arg(command)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped");
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                lines.lock().unwrap().push(value);
            }
        });
        // stdout keeps being drained: a closed pipe would kill the child's next print.
        let stdout = child.stdout.take().expect("piped");
        let (said, first_line) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = said.send(line);
            }
        });
        if first_line.recv_timeout(Duration::from_secs(30)).is_err() {
            let log = log.lock().unwrap();
            panic!("`{command}` did not start: {log:?}");
        }
        Node { child, log }
    }

    /// The job ids of the log lines with this message.
    fn lines_saying(&self, message: &str) -> Vec<Uuid> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|line| line["message"] == message)
            .filter_map(|line| line["job"].as_str()?.parse().ok())
            .collect()
    }

    /// SIGTERM, then waits (at most 10 s) for a clean exit.
    fn stop(&mut self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "a graceful stop exits 0: {status:?}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the node did not stop within 10 s");
    }

    /// SIGKILL: no chance to release anything.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
