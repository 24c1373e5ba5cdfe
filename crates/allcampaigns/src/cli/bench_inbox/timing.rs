//! The latency scenarios: each sends its request over one keep-alive connection, one after
//! another, reading the server's own time from `Server-Timing: app;dur=…` (the handler and
//! every layer inside the request-observing middleware; not the socket) and the loopback time
//! the client saw; then the same statements alone on one connection, as many times.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use secrecy::ExposeSecret;

use super::Caller;
use super::bare::Bare;
use super::picks::Picks;
use super::report::Row;
use super::server::Server;
use crate::domain::TenantId;
use crate::inbox::Cursor;
use crate::inbox::params::ThreadParams;

/// Requests before the timed ones, so caches and prepared statements are warm.
const WARM_UP: u32 = 20;
/// The server's default request timeout, applied to the statements alone too.
const ALONE_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct Scenario {
    pub name: String,
    /// The goal's p95 in milliseconds (PERFORMANCE.md).
    pub goal_ms: f64,
    pub kind: Kind,
}

pub(crate) enum Kind {
    /// `GET /api/v1/threads` with these parameters; `next` asks for the page after the first.
    List {
        params: Vec<(&'static str, String)>,
        next: bool,
    },
    Thread {
        tenant: TenantId,
        thread: String,
    },
}

pub(crate) fn scenarios(picks: &Picks, limit: u32) -> Vec<Scenario> {
    let limit = ("limit", limit.to_string());
    let list = |name: String, mut params: Vec<(&'static str, String)>, goal_ms| {
        params.push(limit.clone());
        Scenario {
            name,
            goal_ms,
            kind: Kind::List {
                params,
                next: false,
            },
        }
    };
    let two_filters = match picks.stage {
        Some(stage) => vec![("unread", "true".into()), ("stage", stage.to_string())],
        None => vec![("unread", "true".into()), ("owner", "none".into())],
    };
    let described = two_filters
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut all = vec![
        list("first page, no filter".into(), Vec::new(), 20.0),
        list(format!("first page, {described}"), two_filters, 20.0),
    ];
    for term in &picks.terms {
        let name = format!("search, {} term `{}`", term.label, term.text);
        all.push(list(name, vec![("q", term.text.clone())], 50.0));
    }
    all.push(Scenario {
        name: "next page by cursor".into(),
        goal_ms: 20.0,
        kind: Kind::List {
            params: vec![limit.clone()],
            next: true,
        },
    });
    all.push(Scenario {
        name: format!("thread of {} messages", picks.thread_messages),
        goal_ms: 15.0,
        kind: Kind::Thread {
            tenant: picks.thread.0,
            thread: picks.thread.1.clone(),
        },
    });
    all
}

pub(crate) fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// p50, p95 and the largest of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub count: usize,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(mut samples: Vec<f64>) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| {
            samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1]
        };
        Self {
            count: samples.len(),
            p50: at(0.50),
            p95: at(0.95),
            max: samples[samples.len() - 1],
        }
    }
}

/// Times one scenario through the server, then its statements alone.
pub(crate) async fn measure(
    client: &reqwest::Client,
    server: &Server,
    caller: &Caller,
    bare: &Bare,
    scenario: &Scenario,
    requests: u32,
    budget: Duration,
) -> anyhow::Result<Row> {
    let (url, cursor) = target(client, server, caller, scenario).await?;
    let alone = || run_alone(bare, caller, scenario, cursor.as_ref());
    let plan = Plan {
        name: &scenario.name,
        goal_ms: scenario.goal_ms,
        requests,
        budget,
    };
    timed(client, caller, &url, alone, &plan).await
}

/// What one timed row is: its name, goal and how many requests each side gets in how long.
pub(crate) struct Plan<'a> {
    pub name: &'a str,
    /// The goal's p95 in milliseconds (PERFORMANCE.md).
    pub goal_ms: f64,
    pub requests: u32,
    pub budget: Duration,
}

/// Times `url` through the server, then `alone` (the same statements on one connection); each
/// side warms up for at most a quarter of the budget and stops early (saying so in the row's
/// name) once its timed requests have taken the budget, so a slow query cannot stall a run.
pub(crate) async fn timed<F, Fut>(
    client: &reqwest::Client,
    caller: &Caller,
    url: &reqwest::Url,
    alone: F,
    plan: &Plan<'_>,
) -> anyhow::Result<Row>
where
    F: Fn() -> Fut,
    Fut: Future<Output = anyhow::Result<usize>>,
{
    let (requests, budget) = (plan.requests, plan.budget);
    let (mut served, mut loopback) = (Vec::new(), Vec::new());
    // A request that fails (a 504 after the request timeout, say) ends the scenario's requests
    // and is reported in its row; the statements alone still run.
    let mut failed = None;
    let warm = Instant::now();
    for _ in 0..WARM_UP {
        if let Err(error) = timed_get(client, caller, url).await {
            failed = Some(format!("{error:#}"));
            break;
        }
        if warm.elapsed() > budget / 4 {
            break;
        }
    }
    let started = Instant::now();
    for _ in 0..requests {
        if failed.is_some() {
            break;
        }
        match timed_get(client, caller, url).await {
            Ok((server_ms, client_ms)) => {
                served.push(server_ms);
                loopback.push(client_ms);
            }
            Err(error) => failed = Some(format!("{error:#}")),
        }
        if started.elapsed() > budget {
            break;
        }
    }
    // The statements alone get the server's request timeout too.
    let once = || tokio::time::timeout(ALONE_TIMEOUT, alone());
    let mut alone = Vec::new();
    let warm = Instant::now();
    for _ in 0..WARM_UP {
        let Ok(found) = once().await else {
            failed
                .get_or_insert_with(String::new)
                .push_str("; alone: over 30 s");
            break;
        };
        found?;
        if warm.elapsed() > budget / 4 {
            break;
        }
    }
    let started = Instant::now();
    for _ in 0..requests {
        let begun = Instant::now();
        let Ok(found) = once().await else {
            failed
                .get_or_insert_with(String::new)
                .push_str("; alone: over 30 s");
            break;
        };
        std::hint::black_box(found?);
        alone.push(begun.elapsed().as_secs_f64() * 1000.0);
        if started.elapsed() > budget {
            break;
        }
    }
    let mut name = plan.name.to_owned();
    if let Some(error) = failed {
        name = format!("{name} (failed: {error})");
    }
    if served.len() < requests as usize || alone.len() < requests as usize {
        let (a, b) = (served.len(), alone.len());
        name = format!("{name} (time cap: {a} requests, {b} alone)");
    }
    Ok(Row {
        name,
        goal_ms: plan.goal_ms,
        server: Stats::of(served),
        loopback: Stats::of(loopback),
        alone: Stats::of(alone),
    })
}

/// The request's URL, and for the next page the cursor of the first.
async fn target(
    client: &reqwest::Client,
    server: &Server,
    caller: &Caller,
    scenario: &Scenario,
) -> anyhow::Result<(reqwest::Url, Option<Cursor>)> {
    let base = &server.base;
    match &scenario.kind {
        Kind::Thread { tenant, thread } => {
            let url = format!("{base}/api/v1/tenants/{tenant}/threads/{thread}");
            Ok((url.parse()?, None))
        }
        Kind::List { params, next } => {
            let mut url = reqwest::Url::parse(&format!("{base}/api/v1/threads"))?;
            url.query_pairs_mut()
                .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            if !next {
                return Ok((url, None));
            }
            let first: serde_json::Value = bearer(client.get(url.clone()), caller)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let text = first["next_cursor"]
                .as_str()
                .context("the first page has no next page")?;
            let cursor = Cursor::decode(text).context("an unreadable next_cursor")?;
            url.query_pairs_mut().append_pair("cursor", text);
            Ok((url, Some(cursor)))
        }
    }
}

pub(crate) fn bearer(request: reqwest::RequestBuilder, caller: &Caller) -> reqwest::RequestBuilder {
    request.bearer_auth(caller.token.expose_secret())
}

/// One request: (server time, loopback time) in milliseconds; anything but 200 fails the run.
pub(crate) async fn timed_get(
    client: &reqwest::Client,
    caller: &Caller,
    url: &reqwest::Url,
) -> anyhow::Result<(f64, f64)> {
    let started = Instant::now();
    let response = bearer(client.get(url.clone()), caller).send().await?;
    let status = response.status();
    let server_ms = server_time(response.headers());
    let body = response.bytes().await?;
    let client_ms = started.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(status == reqwest::StatusCode::OK, "{url} answered {status}");
    std::hint::black_box(body);
    Ok((server_ms.context("no Server-Timing header")?, client_ms))
}

/// `app;dur=1.234` → 1.234.
pub(crate) fn server_time(headers: &reqwest::header::HeaderMap) -> Option<f64> {
    let value = headers.get("server-timing")?.to_str().ok()?;
    value
        .split(';')
        .find_map(|part| part.trim().strip_prefix("dur=")?.parse().ok())
}

async fn run_alone(
    bare: &Bare,
    caller: &Caller,
    scenario: &Scenario,
    cursor: Option<&Cursor>,
) -> anyhow::Result<usize> {
    let now = Utc::now();
    Ok(match &scenario.kind {
        Kind::Thread { tenant, thread } => bare.thread(*tenant, thread, now).await?,
        Kind::List { params, .. } => {
            let object: serde_json::Map<String, serde_json::Value> = params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(v.as_str())))
                .collect();
            let params: ThreadParams = serde_json::from_value(object.into())?;
            let request = params
                .read(caller.user)
                .map_err(|error| anyhow::anyhow!("{error:?}"))?;
            bare.page(&request.filter, cursor, request.limit, now)
                .await?
        }
    })
}
