//! Each injected fault class is recovered by retrying, or surfaces as the right typed error
//! (RELIABILITY SYNC-06), and errors that retrying cannot fix are not retried.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use instantly::{
    CampaignAnalyticsQuery, Client, DateRange, Error, InterestStatusUpdate, LeadQuery, NewWebhook,
    RetryPolicy,
};
use instantly_sim::{Fault, FaultConfig, RunningSim, Scale};
use support::*;

fn next(faults: &[Fault]) -> FaultConfig {
    FaultConfig {
        next: faults.to_vec(),
        ..FaultConfig::default()
    }
}

async fn served_by(sim: &RunningSim, call: impl std::future::Future<Output = ()>) -> u64 {
    let before = sim.requests_served();
    call.await;
    sim.requests_served() - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_resets_and_truncated_bodies_are_retried_until_they_succeed() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    for fault in [
        Fault::Error500,
        Fault::Error502,
        Fault::Error503,
        Fault::Reset,
        Fault::Truncate,
    ] {
        sim.set_faults(next(&[fault, fault]));
        let served = served_by(&sim, async {
            let workspace = client.current_workspace().await;
            assert!(workspace.is_ok(), "{fault:?}: {workspace:?}");
        })
        .await;
        assert_eq!(served, 3, "{fault:?}: two failures, then success");
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_429_is_retried_after_the_retry_after_delay() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    sim.set_faults(FaultConfig {
        retry_after_secs: Some(1),
        ..next(&[Fault::Error429])
    });
    let started = Instant::now();
    client.current_workspace().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );

    sim.set_faults(FaultConfig {
        retry_after_secs: Some(600),
        ..next(&[Fault::Error429])
    });
    let error = client.current_workspace().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(600)),
        "{error:?}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_times_out_is_retried() {
    let sim = simulator(Scale::Small, 1, false).await;
    let mut config = config(&sim, 0);
    config.timeout = Duration::from_millis(400);
    let client = Client::new(config).unwrap();
    sim.set_faults(FaultConfig {
        timeout_ms: Some(3_000),
        ..next(&[Fault::Timeout])
    });
    let started = Instant::now();
    client.current_workspace().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(sim.injected_faults(), vec![Fault::Timeout]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_429_with_an_http_date_is_retried_no_earlier_than_that_date() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    sim.set_faults(FaultConfig {
        retry_after_secs: Some(2),
        retry_after_date: true,
        ..next(&[Fault::Error429])
    });
    client.current_workspace().await.unwrap();
    let log = sim.request_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].status, Some(429));
    let date = log[0].retry_after.as_deref().expect("a Retry-After date");
    let date = chrono::DateTime::parse_from_rfc2822(date).unwrap();
    assert!(date >= log[0].at + chrono::TimeDelta::seconds(2), "{log:?}");
    assert!(log[1].at >= date, "retried at {} before {date}", log[1].at);
    assert_eq!(log[1].status, Some(200));
    sim.shutdown().await;
}

/// SYNC-11: a body that trickles in slower than the client's timeout allows is given up on and
/// asked for again; a small one that trickles still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_that_outlasts_the_timeout_is_retried() {
    use futures::StreamExt;
    let sim = simulator(Scale::Small, 1, false).await;
    let mut config = config(&sim, 0);
    config.timeout = Duration::from_secs(1);
    let client = Client::new(config).unwrap();
    let slow = |next: Vec<Fault>| FaultConfig {
        bytes_per_sec: Some(32 * 1024),
        next,
        ..FaultConfig::default()
    };
    sim.set_faults(slow(vec![Fault::Slow]));
    let started = Instant::now();
    client.current_workspace().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "it trickled"
    );
    let log = sim.request_log();
    assert_eq!(log.len(), 1, "a small body arrives in time: {log:?}");
    assert_eq!(log[0].status, Some(200), "and wholly");

    sim.set_faults(slow(vec![Fault::Slow]));
    let started = Instant::now();
    let mut pages = Box::pin(client.lead_pages(LeadQuery::default()));
    let page = pages.next().await.unwrap().unwrap();
    assert_eq!(page.items.len(), 100);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the first try timed out"
    );
    let log = sim.request_log();
    let tries: Vec<_> = log[1..]
        .iter()
        .map(|s| (&s.target, s.fault, s.status))
        .collect();
    let page = &log[1].target;
    assert_eq!(
        tries,
        vec![(page, Some(Fault::Slow), None), (page, None, Some(200))],
        "one slow answer given up on before its end, then the same page again"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_repeated_across_pages_are_delivered_once() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    let truth = sim.truth(&sim.workspaces()[0].id).unwrap();
    sim.set_faults(FaultConfig {
        duplicate: 1.0,
        ..FaultConfig::default()
    });
    let leads = collect(client.leads(LeadQuery::default())).await;
    let ids: Vec<String> = leads.into_iter().map(|l| l.id).collect();
    assert_eq!(ids, truth_ids(&truth, "leads"));
    assert!(sim.injected_faults().contains(&Fault::Duplicate));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_failures_surface_as_transient_errors_after_the_last_attempt() {
    let sim = simulator(Scale::Small, 1, false).await;
    let mut config = config(&sim, 0);
    config.retry = RetryPolicy {
        max_attempts: 3,
        ..quick_retries()
    };
    let client = Client::new(config).unwrap();
    for rates in [
        FaultConfig {
            error_503: 1.0,
            ..FaultConfig::default()
        },
        FaultConfig {
            reset: 1.0,
            ..FaultConfig::default()
        },
        FaultConfig {
            truncate: 1.0,
            ..FaultConfig::default()
        },
    ] {
        sim.set_faults(rates.clone());
        let served = served_by(&sim, async {
            let error = client.current_workspace().await.unwrap_err();
            assert!(
                matches!(error, Error::Transient { .. }),
                "{rates:?}: {error:?}"
            );
        })
        .await;
        assert_eq!(served, 3);
    }
    sim.clear_faults();
    sim.set_faults(FaultConfig {
        error_429: 1.0,
        ..FaultConfig::default()
    });
    let error = client.current_workspace().await.unwrap_err();
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_keys_unknown_ids_and_bad_requests_fail_at_once() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    let mut bad = config(&sim, 0);
    bad.api_key = "not-a-key".to_owned().into();
    let bad = Client::new(bad).unwrap();
    let served = served_by(&sim, async {
        let error = bad.current_workspace().await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidCredentials { status: 401 }),
            "{error:?}"
        );
    });
    assert_eq!(served.await, 1);

    let served = served_by(&sim, async {
        let error = client
            .campaign("0199d1a0-0000-7000-8000-000000000000")
            .await
            .unwrap_err();
        assert!(matches!(error, Error::NotFound), "{error:?}");
    });
    assert_eq!(served.await, 1);

    let reversed = DateRange {
        start: "2026-10-02".parse().ok(),
        end: "2026-10-01".parse().ok(),
    };
    let query = CampaignAnalyticsQuery {
        range: reversed,
        ..Default::default()
    };
    let served = served_by(&sim, async {
        let error = client.campaign_analytics(&query).await.unwrap_err();
        assert!(
            matches!(&error, Error::BadRequest { message } if message == "Start Date must be earlier than End Date"),
            "{error:?}"
        );
    });
    assert_eq!(served.await, 1);

    let update = InterestStatusUpdate {
        lead_email: "nobody@nowhere.example".into(),
        interest_value: Some(1),
        ..Default::default()
    };
    let error = client.update_interest_status(&update).await.unwrap_err();
    assert!(
        matches!(&error, Error::BadRequest { message } if message == "Invalid lead email"),
        "{error:?}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_is_not_repeated_after_a_server_error() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    sim.set_faults(next(&[Fault::Error503]));
    let hook = NewWebhook {
        target_hook_url: format!("{}/hook", sim.base_url()),
        ..Default::default()
    };
    let served = served_by(&sim, async {
        let error = client.create_webhook(&hook).await.unwrap_err();
        assert!(matches!(error, Error::Transient { .. }), "{error:?}");
    });
    assert_eq!(served.await, 1);
    sim.set_faults(next(&[Fault::Error429]));
    client
        .create_webhook(&hook)
        .await
        .expect("a 429 was not acted on, so it is retried");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_without_a_paid_plan_surfaces_as_payment_required() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    assert!(sim.set_paid(&sim.workspaces()[0].id, false));
    let served = served_by(&sim, async {
        let error = client.current_workspace().await.unwrap_err();
        assert!(matches!(error, Error::PaymentRequired), "{error:?}");
    });
    assert_eq!(served.await, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cloudflare_403_is_an_invalid_credentials_error_and_is_not_retried() {
    let agents: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = agents.clone();
    let blocked = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let agent = headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        seen.lock().unwrap().push(agent.to_owned());
        async { (axum::http::StatusCode::FORBIDDEN, "error code: 1010") }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, blocked).await.unwrap() });

    let mut config = instantly::ClientConfig::new("key".to_owned().into());
    config.base_url = base_url;
    config.retry = quick_retries();
    let error = Client::new(config)
        .unwrap()
        .current_workspace()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidCredentials { status: 403 }),
        "{error:?}"
    );
    assert_eq!(
        *agents.lock().unwrap(),
        vec![instantly::DEFAULT_USER_AGENT.to_owned()],
        "one request, with an explicit User-Agent"
    );
}
