//! `allcampaigns jobs ping`: pings (jobs that do nothing) enqueued for whichever node's workers
//! take them; with `--wait`, how long each took to start and to finish. Times come from the job
//! rows, written with the clocks of the node that enqueued and of the node that ran it.

use std::time::Duration;

use anyhow::bail;
use chrono::{DateTime, Utc};

use super::PingArgs;
use crate::config::Config;
use crate::jobs::{Job, JobState, ping};
use crate::store::{self, DynStore};

/// How often `--wait` reads the pings' rows.
const LOOK_EVERY: Duration = Duration::from_millis(20);

pub async fn ping(config: Config, args: PingArgs) -> anyhow::Result<()> {
    let hold = Duration::from_millis(args.hold_ms);
    if hold >= config.job_lease {
        bail!(
            "--hold-ms must be less than the job lease ({} s, ALLCAMPAIGNS_JOB_LEASE_SECS), \
             or another worker would take the ping over",
            config.job_lease.as_secs()
        );
    }
    let store = store::open(&config, true).await?;
    let tenants = match &args.tenant {
        Some(id) => vec![super::sync::existing_tenant(&store, id).await?],
        None => store.tenant_directory().await?,
    };
    if tenants.is_empty() {
        bail!("there is no tenant to ping: create one with `allcampaigns tenant create`");
    }
    let mut queued = Vec::new();
    for tenant in tenants.iter().cycle().take(args.count as usize) {
        queued.push(store.enqueue(*tenant, &ping::ping(hold)).await?);
    }
    println!(
        "queued {} pings for {} tenants",
        queued.len(),
        tenants.len().min(queued.len())
    );
    if !args.wait {
        return Ok(());
    }
    let watched = watch(&store, queued, Duration::from_secs(args.timeout_secs)).await?;
    report(&watched)
}

/// One ping as `--wait` saw it: when it started (if seen running) and when it ended.
struct Watched {
    job: Job,
    started: Option<DateTime<Utc>>,
    ended: Option<(JobState, DateTime<Utc>)>,
}

/// Reads the pings' rows until each has ended or `timeout` has passed.
async fn watch(
    store: &DynStore,
    jobs: Vec<Job>,
    timeout: Duration,
) -> anyhow::Result<Vec<Watched>> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut watched: Vec<Watched> = jobs
        .into_iter()
        .map(|job| Watched {
            job,
            started: None,
            ended: None,
        })
        .collect();
    loop {
        for ping in watched.iter_mut().filter(|ping| ping.ended.is_none()) {
            let Some(row) = store.queued_job(ping.job.tenant, ping.job.id).await? else {
                bail!("ping {} vanished (its tenant was deleted?)", ping.job.id);
            };
            match row.state {
                JobState::Queued => {}
                // A running row's last change is its claim.
                JobState::Running => ping.started = ping.started.or(Some(row.updated_at)),
                ended => ping.ended = Some((ended, row.updated_at)),
            }
        }
        if watched.iter().all(|ping| ping.ended.is_some())
            || tokio::time::Instant::now() >= deadline
        {
            return Ok(watched);
        }
        tokio::time::sleep(LOOK_EVERY).await;
    }
}

fn report(watched: &[Watched]) -> anyhow::Result<()> {
    let millis = |at: DateTime<Utc>, job: &Job| (at - job.created_at).num_milliseconds();
    let mut starts = Vec::new();
    for Watched {
        job,
        started,
        ended,
    } in watched
    {
        let line = match (started, ended) {
            (Some(started), Some((JobState::Done, done))) => {
                starts.push(millis(*started, job));
                format!(
                    "started after {} ms, done after {} ms",
                    millis(*started, job),
                    millis(*done, job)
                )
            }
            // Ended between two looks: it started no later than it ended.
            (None, Some((JobState::Done, done))) => {
                starts.push(millis(*done, job));
                format!("started and done within {} ms", millis(*done, job))
            }
            (_, Some((state, _))) => format!("ended {}", state.as_str()),
            (Some(started), None) => {
                format!("started after {} ms, still running", millis(*started, job))
            }
            (None, None) => "not started".to_owned(),
        };
        println!("ping {} (tenant {}): {line}", job.id, job.tenant);
    }
    let done = starts.len();
    starts.sort_unstable();
    if let (Some(median), Some(most)) = (starts.get(done / 2), starts.last()) {
        println!(
            "{done} of {} pings done; start median {median} ms, slowest {most} ms",
            watched.len()
        );
    }
    if done < watched.len() {
        bail!(
            "{} of {} pings were not done in time: is a worker running (`allcampaigns worker`, \
             or `serve` with ALLCAMPAIGNS_SYNC_WORKERS above 0)?",
            watched.len() - done,
            watched.len()
        );
    }
    Ok(())
}
