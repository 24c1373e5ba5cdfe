//! Pacing against the simulator's per-workspace limits: no 429 while the budget is respected,
//! and backoff that honours `Retry-After` when the server is stricter than the budget.

mod support;

use std::time::{Duration, Instant};

use futures::future::join_all;
use instantly::{
    BudgetConfig, Client, EmailQuery, Error, RateBudget, RetryPolicy, WorkspaceBudgets,
};
use instantly_sim::{RateLimitConfig, Scale};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sharing_a_workspace_budget_never_see_a_429() {
    let sim = simulator(Scale::Small, 1, true).await;
    let limits = RateLimitConfig {
        enabled: true,
        per_second: 20,
        per_minute: 6_000,
        email_list_per_minute: 60,
    };
    sim.set_rate_limits(limits);
    let budgets = WorkspaceBudgets::new(BudgetConfig {
        per_second: 20,
        per_minute: 6_000,
        email_list_per_minute: 60,
    });
    let clients: Vec<Client> = (0..3)
        .map(|_| {
            let mut config = config(&sim, 0);
            config.budget = budgets.budget(&sim.workspaces()[0].id);
            config.retry = RetryPolicy::none();
            Client::new(config).unwrap()
        })
        .collect();
    let started = Instant::now();
    let general = clients.iter().map(|client| async move {
        for _ in 0..20 {
            client.current_workspace().await.expect("within budget");
        }
    });
    let email_list = async {
        for _ in 0..4 {
            let page = clients[0].email_pages(EmailQuery::default());
            futures::pin_mut!(page);
            futures::StreamExt::next(&mut page)
                .await
                .unwrap()
                .expect("within budget");
        }
    };
    let (_, ()) = tokio::join!(join_all(general), email_list);
    let elapsed = started.elapsed();
    assert_eq!(sim.rate_limited_count(), 0);
    assert!(
        elapsed >= Duration::from_millis(2_900),
        "64 requests at 20/s take about 3 s: {elapsed:?}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stricter_than_the_budget_is_absorbed_by_retry_after() {
    let sim = simulator(Scale::Small, 1, true).await;
    sim.set_rate_limits(RateLimitConfig {
        enabled: true,
        per_second: 5,
        per_minute: 6_000,
        email_list_per_minute: 20,
    });
    let client = client(&sim, 0);
    let started = Instant::now();
    for _ in 0..12 {
        client
            .current_workspace()
            .await
            .expect("retried after 429s");
    }
    assert!(
        sim.rate_limited_count() > 0,
        "the server did refuse some requests"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "and the client waited as told"
    );

    let mut strict = config(&sim, 0);
    strict.retry = RetryPolicy::none();
    strict.budget = RateBudget::new(BudgetConfig::unlimited());
    let strict = Client::new(strict).unwrap();
    let errors = join_all((0..10).map(|_| strict.current_workspace())).await;
    let limited = errors
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("some were refused");
    assert!(
        matches!(limited, Error::RateLimited { retry_after: Some(d) } if *d >= Duration::from_secs(1)),
        "{limited:?}"
    );
    sim.shutdown().await;
}
