//! `cargo bench -p allcampaigns --bench jobs`: the general job queue on SQLite (a temp file)
//! and, when `TEST_DATABASE_URL` (or `BENCH_DATABASE_URL`) is set, on PostgreSQL (a fresh
//! database owned by an ordinary role, the app connecting as its own role, as installs are):
//! (a) trivial jobs (pings, no hold) per second through the runner; (b) enqueue-to-start
//! latency with idle workers, enqueued on the same node (the local wake-up) and on another node
//! (PostgreSQL: its `NOTIFY`; SQLite: found by polling); (c) beside them, the raw claim statement alone in a loop, no runner (only
//! the claims are timed).
//!
//! Settings (environment): `BENCH_JOBS` (jobs per throughput run, default 3000),
//! `BENCH_LANES` (lanes per run, default `1,4`), `BENCH_TENANTS` (default 10),
//! `BENCH_SAMPLES` (latency samples on one node, default 200; a quarter of that across nodes),
//! `BENCH_DB` (`sqlite`, `postgres` or `both`, the default: PostgreSQL when a URL is set),
//! `BENCH_FINISHED` (finished jobs kept as history for the last claim figure, default 100000).

use std::sync::Arc;
use std::time::{Duration, Instant};

use allcampaigns::config::{self, Sources};
use allcampaigns::domain::TenantId;
use allcampaigns::jobs::ping::{PingHandler, ping};
use allcampaigns::jobs::runner::{Handler, Next, Runner};
use allcampaigns::jobs::{Job, JobKind};
use allcampaigns::store::{self, DynStore, LEASE_NEXT_JOB, LEASE_NEXT_JOB_PG, TenantProfile};
use async_trait::async_trait;
use chrono::Utc;
use sqlx::sqlite::{SqliteConnectOptions, SqliteSynchronous};
use sqlx::{Connection, PgConnection, SqliteConnection};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

fn setting(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_owned())
}

fn number(key: &str, default: usize) -> usize {
    setting(key, &default.to_string())
        .parse()
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let pg_url = std::env::var("BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .ok();
    let which = setting("BENCH_DB", "both");
    if which != "postgres" {
        let dir = tempfile::tempdir()?;
        let bench = Bench::sqlite(dir.path()).await?;
        bench.run("SQLite").await?;
    }
    match (which.as_str(), pg_url) {
        ("sqlite", _) => {}
        (_, Some(url)) => {
            let dir = tempfile::tempdir()?;
            let (bench, database) = Bench::postgres(&url, dir.path()).await?;
            bench.run("PostgreSQL").await?;
            database.drop_it().await?;
        }
        (_, None) => println!("PostgreSQL skipped: set TEST_DATABASE_URL or BENCH_DATABASE_URL"),
    }
    Ok(())
}

/// One backend: the node's store, another node's store, and raw connections that read every
/// tenant's jobs (`inspector`) and claim as the app would, without the runner (`claimer`).
struct Bench {
    store: DynStore,
    other_node: DynStore,
    inspector: Raw,
    claimer: Raw,
}

enum Raw {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Bench {
    async fn sqlite(dir: &std::path::Path) -> anyhow::Result<Self> {
        let mut sources = Sources::default();
        let data_dir = dir.display().to_string();
        sources.env.insert("ALLCAMPAIGNS_DATA_DIR".into(), data_dir);
        let (store, other_node) = two_nodes(&sources).await?;
        // The store's own settings: WAL (kept in the file), synchronous FULL, a busy timeout.
        let options = SqliteConnectOptions::new()
            .filename(dir.join("allcampaigns.db"))
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let inspector = Raw::Sqlite(SqliteConnection::connect_with(&options).await?);
        let claimer = Raw::Sqlite(SqliteConnection::connect_with(&options).await?);
        Ok(Self {
            store,
            other_node,
            inspector,
            claimer,
        })
    }

    async fn postgres(base: &str, dir: &std::path::Path) -> anyhow::Result<(Self, Database)> {
        let database = Database::create(base).await?;
        let mut sources = Sources::default();
        let env = &mut sources.env;
        env.insert("ALLCAMPAIGNS_DATA_DIR".into(), dir.display().to_string());
        env.insert("DATABASE_URL".into(), database.url(Some(APP_ROLE)));
        let owner = database.url(Some(OWNER_ROLE));
        env.insert("ALLCAMPAIGNS_MIGRATE_DATABASE_URL".into(), owner);
        let key = allcampaigns::crypto::format_key(1, &[7; 32]).to_string();
        env.insert("ALLCAMPAIGNS_MASTER_KEY".into(), key);
        let (store, other_node) = two_nodes(&sources).await?;
        let inspector = Raw::Postgres(PgConnection::connect(&database.url(None)).await?);
        let claimer = PgConnection::connect(&database.url(Some(APP_ROLE))).await?;
        let bench = Self {
            store,
            other_node,
            inspector,
            claimer: Raw::Postgres(claimer),
        };
        Ok((bench, database))
    }

    async fn run(mut self, name: &str) -> anyhow::Result<()> {
        let (jobs, tenant_count) = (number("BENCH_JOBS", 3000), number("BENCH_TENANTS", 10));
        let tenants = self.tenants(tenant_count).await?;
        println!("{name}: {jobs} pings over {tenant_count} tenants");
        let started = Instant::now();
        for n in 0..jobs {
            let tenant = tenants[n % tenants.len()];
            self.store.enqueue(tenant, &ping(Duration::ZERO)).await?;
        }
        let rate = jobs as f64 / started.elapsed().as_secs_f64();
        println!("  enqueue, one at a time: {rate:.0} jobs/s");
        for lanes in setting("BENCH_LANES", "1,4").split(',') {
            let lanes: usize = lanes.trim().parse()?;
            let rate = self.throughput(&[lanes], jobs).await?;
            println!("  runner, {lanes} lanes: {rate:.0} jobs/s");
        }
        let rate = self.throughput(&[4, 4], jobs).await?;
        println!("  runner, two nodes of 4 lanes: {rate:.0} jobs/s");
        let rate = self.raw_claims(jobs).await?;
        println!("  claim statement alone, one connection: {rate:.0} claims/s");
        let finished = number("BENCH_FINISHED", 100_000);
        let (p50, p95) = self.claim_beside_history(tenants[0], finished).await?;
        println!(
            "  claim statement, one job queued beside {finished} finished: p50 {p50:.2?}, p95 {p95:.2?}"
        );
        self.inspector.execute("DELETE FROM job_queue").await?;
        let samples = number("BENCH_SAMPLES", 200);
        for (label, other, samples) in [
            ("same node", false, samples),
            ("other node", true, samples / 4),
        ] {
            let mut took = self.latency(&tenants, other, samples).await?;
            took.sort();
            let (p50, p95) = (percentile(&took, 0.50), percentile(&took, 0.95));
            let most = took.last().copied().unwrap_or_default();
            println!(
                "  enqueue to start, {label}, idle lanes ({samples} samples): p50 {p50:.1?}, p95 {p95:.1?}, max {most:.1?}"
            );
        }
        Ok(())
    }

    async fn tenants(&self, count: usize) -> anyhow::Result<Vec<TenantId>> {
        let mut ids = Vec::new();
        for n in 0..count {
            let profile = TenantProfile {
                name: format!("Client {n}"),
                ..TenantProfile::default()
            };
            ids.push(self.store.create_tenant(None, &profile).await?.id);
        }
        Ok(ids)
    }

    /// Queues every job again, runs runners of these lanes (one node each) until all are
    /// done, and answers jobs per second.
    async fn throughput(&mut self, nodes: &[usize], jobs: usize) -> anyhow::Result<f64> {
        self.inspector.execute(REQUEUE).await?;
        let cancel = CancellationToken::new();
        let started = Instant::now();
        let mut running = Vec::new();
        for (n, lanes) in nodes.iter().enumerate() {
            let store = if n == 0 {
                &self.store
            } else {
                &self.other_node
            };
            let runner = Runner::new(store.clone()).with_handler(Arc::new(PingHandler));
            running.push(tokio::spawn(runner.run(*lanes, cancel.clone())));
        }
        while self.inspector.done().await? < jobs as i64 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let took = started.elapsed();
        cancel.cancel();
        for node in running {
            node.await?;
        }
        Ok(jobs as f64 / took.as_secs_f64())
    }

    /// Queues every job again and claims them one at a time with the bare claim statement,
    /// timing only the claims. Each claimed job is then marked done with a plain update, as the
    /// runner would: left running, the claimed rows would slow every later claim.
    async fn raw_claims(&mut self, jobs: usize) -> anyhow::Result<f64> {
        self.inspector.execute(REQUEUE).await?;
        let mut claiming = Duration::ZERO;
        let mut claimed = 0;
        loop {
            let started = Instant::now();
            let Some((tenant, job)) = self.claimer.claim().await? else {
                break;
            };
            claiming += started.elapsed();
            claimed += 1;
            self.inspector.finish(tenant, job).await?;
        }
        anyhow::ensure!(claimed == jobs, "claimed {claimed} of {jobs}");
        Ok(jobs as f64 / claiming.as_secs_f64())
    }

    /// Adds `finished` done jobs of one tenant, then claims one queued job 200 times (queued
    /// again after each), timing the claims: what a long-running install's claim costs.
    async fn claim_beside_history(
        &mut self,
        tenant: TenantId,
        finished: usize,
    ) -> anyhow::Result<(Duration, Duration)> {
        self.inspector.add_finished(tenant, finished).await?;
        self.store.enqueue(tenant, &ping(Duration::ZERO)).await?;
        let mut took = Vec::new();
        for _ in 0..200 {
            let started = Instant::now();
            let claimed = self.claimer.claim().await?;
            took.push(started.elapsed());
            let (tenant, job) = claimed.ok_or_else(|| anyhow::anyhow!("nothing claimed"))?;
            self.inspector.requeue(tenant, job).await?;
        }
        took.sort();
        Ok((percentile(&took, 0.50), percentile(&took, 0.95)))
    }

    /// Enqueues one ping at a time, each after the one before has started and a gap (varied, so
    /// the samples fall at every point of the idle lanes' poll), and answers the waits.
    async fn latency(
        &self,
        tenants: &[TenantId],
        other: bool,
        samples: usize,
    ) -> anyhow::Result<Vec<Duration>> {
        let (starts, mut started) = mpsc::unbounded_channel();
        let runner = Runner::new(self.store.clone()).with_handler(Arc::new(Clocked(starts)));
        let cancel = CancellationToken::new();
        let lanes = tokio::spawn(runner.clone().run(4, cancel.clone()));
        let mut took = Vec::new();
        for n in 0..samples {
            let gap = if other {
                50 + n * 137 % 400
            } else {
                20 + n * 7 % 30
            };
            tokio::time::sleep(Duration::from_millis(gap as u64)).await;
            let tenant = tenants[n % tenants.len()];
            let enqueued = Instant::now();
            let job = match other {
                false => runner.enqueue(tenant, &ping(Duration::ZERO)).await?,
                true => {
                    self.other_node
                        .enqueue(tenant, &ping(Duration::ZERO))
                        .await?
                }
            };
            loop {
                let next = tokio::time::timeout(Duration::from_secs(10), started.recv()).await?;
                match next {
                    Some((id, at)) if id == job.id => break took.push(at - enqueued),
                    Some(_) => {}
                    None => anyhow::bail!("the runner stopped"),
                }
            }
        }
        cancel.cancel();
        lanes.await?;
        Ok(took)
    }
}

/// Every job queued again and due, as if just enqueued.
const REQUEUE: &str = "UPDATE job_queue SET state = 'queued', attempts = 0, lease_until = NULL, \
     lease_token = NULL, run_at = '2000-01-01T00:00:00.000Z'";

impl Raw {
    async fn execute(&mut self, sql: &'static str) -> anyhow::Result<()> {
        match self {
            Raw::Sqlite(conn) => sqlx::query(sql).execute(conn).await.map(drop)?,
            Raw::Postgres(conn) => sqlx::query(sql).execute(conn).await.map(drop)?,
        }
        Ok(())
    }

    async fn done(&mut self) -> anyhow::Result<i64> {
        const DONE: &str = "SELECT count(*) FROM job_queue WHERE state = 'done'";
        Ok(match self {
            Raw::Sqlite(conn) => sqlx::query_scalar(DONE).fetch_one(conn).await?,
            Raw::Postgres(conn) => sqlx::query_scalar(DONE).fetch_one(conn).await?,
        })
    }

    /// The claim statement the store runs, bound as the store binds it: the claimed job's
    /// tenant and id, none when no job is due.
    async fn claim(&mut self) -> anyhow::Result<Option<(Uuid, Uuid)>> {
        let now = Utc::now();
        let until = now + chrono::Duration::minutes(5);
        let token = Uuid::new_v4().to_string();
        let kind = JobKind::Ping.as_str();
        Ok(match self {
            Raw::Sqlite(conn) => {
                sqlx::query_as(LEASE_NEXT_JOB)
                    .bind(kind)
                    .bind(None::<Uuid>)
                    .bind(store::sync_iso(now))
                    .bind(store::sync_iso(until))
                    .bind(token)
                    .fetch_optional(conn)
                    .await?
            }
            Raw::Postgres(conn) => {
                sqlx::query_as(LEASE_NEXT_JOB_PG)
                    .bind(kind)
                    .bind(None::<Uuid>)
                    .bind(now)
                    .bind(until)
                    .bind(token)
                    .fetch_optional(conn)
                    .await?
            }
        })
    }

    async fn finish(&mut self, tenant: Uuid, job: Uuid) -> anyhow::Result<()> {
        const FINISH: &str = "UPDATE job_queue SET state = 'done', lease_until = NULL, \
             lease_token = NULL WHERE tenant_id = $1 AND job_id = $2";
        self.change_job(FINISH, tenant, job).await
    }

    async fn requeue(&mut self, tenant: Uuid, job: Uuid) -> anyhow::Result<()> {
        const REQUEUE_ONE: &str = "UPDATE job_queue SET state = 'queued', lease_until = NULL, \
             lease_token = NULL WHERE tenant_id = $1 AND job_id = $2";
        self.change_job(REQUEUE_ONE, tenant, job).await
    }

    /// `count` done pings of `tenant`, finished long ago.
    async fn add_finished(&mut self, tenant: TenantId, count: usize) -> anyhow::Result<()> {
        const SQLITE: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
             WHERE i < $2) INSERT INTO job_queue (tenant_id, job_id, kind, payload, state, \
             run_at, max_attempts, created_at, updated_at) SELECT $1, randomblob(16), 'ping', \
             '{}', 'done', '2000-01-01T00:00:00.000Z', 8, '2000-01-01T00:00:00.000Z', \
             '2000-01-01T00:00:00.000Z' FROM n";
        const POSTGRES: &str = "INSERT INTO job_queue (tenant_id, job_id, kind, payload, state, \
             run_at, max_attempts, created_at, updated_at) SELECT $1, gen_random_uuid(), 'ping', \
             '{}', 'done', '2000-01-01', 8, '2000-01-01', '2000-01-01' \
             FROM generate_series(1, $2)";
        let (tenant, count) = (tenant.as_uuid(), i64::try_from(count)?);
        match self {
            Raw::Sqlite(conn) => {
                let query = sqlx::query(SQLITE).bind(tenant).bind(count);
                query.execute(conn).await.map(drop)?
            }
            Raw::Postgres(conn) => {
                let query = sqlx::query(POSTGRES).bind(tenant).bind(count);
                query.execute(&mut *conn).await.map(drop)?;
                sqlx::query("ANALYZE job_queue")
                    .execute(conn)
                    .await
                    .map(drop)?
            }
        }
        Ok(())
    }

    async fn change_job(
        &mut self,
        sql: &'static str,
        tenant: Uuid,
        job: Uuid,
    ) -> anyhow::Result<()> {
        match self {
            Raw::Sqlite(conn) => {
                let query = sqlx::query(sql).bind(tenant).bind(job);
                query.execute(conn).await.map(drop)?
            }
            Raw::Postgres(conn) => {
                let query = sqlx::query(sql).bind(tenant).bind(job);
                query.execute(conn).await.map(drop)?
            }
        }
        Ok(())
    }
}

/// A ping that reports the instant it started.
struct Clocked(mpsc::UnboundedSender<(Uuid, Instant)>);

#[async_trait]
impl Handler for Clocked {
    fn kind(&self) -> JobKind {
        JobKind::Ping
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let _ = self.0.send((job.id, Instant::now()));
        PingHandler.run(job).await
    }
}

/// This node's store (migrating) and a second one with its own pool, as another node has.
async fn two_nodes(sources: &Sources) -> anyhow::Result<(DynStore, DynStore)> {
    let config = config::load(sources)?;
    let store = store::open(&config, true).await?;
    let other = store::open(&config, false).await?;
    Ok((store, other))
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let last = sorted.len().saturating_sub(1);
    let at = (last as f64 * share).round() as usize;
    sorted.get(at).copied().unwrap_or_default()
}

const OWNER_ROLE: &str = "ac_bench_owner";
const APP_ROLE: &str = "allcampaigns_app";

/// The run's PostgreSQL database, owned by an ordinary role as the README sets installs up.
struct Database {
    base: String,
    name: String,
}

impl Database {
    async fn create(base: &str) -> anyhow::Result<Self> {
        let name = format!("ac_bench_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(base).await?;
        let role = format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') \
             THEN CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE; END IF; END $$"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(role))
            .execute(&mut admin)
            .await?;
        let create = format!("CREATE DATABASE {name} OWNER {OWNER_ROLE}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await?;
        Ok(Self {
            base: base.to_owned(),
            name,
        })
    }

    /// This database as `user` (none: as the server's superuser, which reads every row).
    fn url(&self, user: Option<&str>) -> String {
        let mut url = url::Url::parse(&self.base).expect("a PostgreSQL URL");
        url.set_path(&self.name);
        if let Some(user) = user {
            url.set_username(user).expect("a user");
            url.set_password(None).expect("no password");
        }
        url.to_string()
    }

    async fn drop_it(self) -> anyhow::Result<()> {
        let mut admin = PgConnection::connect(&self.base).await?;
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(&mut admin)
            .await?;
        Ok(())
    }
}
