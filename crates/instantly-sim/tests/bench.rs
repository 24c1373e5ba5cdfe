//! Throughput of list pages, to check that the simulator is never the bottleneck of a sync
//! benchmark. Run in release mode:
//! `cargo test --release -p instantly-sim --test bench -- --ignored --nocapture`
//! (`BENCH_SCALE=large` for the large data set).

use std::time::{Duration, Instant};

use instantly_sim::{Scale, SimConfig, Simulator};
use serde_json::{Value, json};

/// Pages one list for `duration` with `workers` concurrent walkers (each starting over at the
/// end of the list); returns pages/s.
async fn pages_per_second(
    base: &str,
    key: &str,
    leads: bool,
    workers: usize,
    duration: Duration,
) -> f64 {
    let http = reqwest::Client::new();
    let walkers = (0..workers).map(|_| {
        let (http, base, key) = (http.clone(), base.to_owned(), key.to_owned());
        tokio::spawn(async move {
            let (mut pages, mut cursor, started) = (0u64, None::<String>, Instant::now());
            while started.elapsed() < duration {
                let request = if leads {
                    let mut body = json!({ "limit": 100 });
                    body["starting_after"] = json!(cursor);
                    http.post(format!("{base}/api/v2/leads/list")).json(&body)
                } else {
                    let mut url = format!("{base}/api/v2/emails?limit=100");
                    if let Some(c) = &cursor {
                        url.push_str(&format!("&starting_after={c}"));
                    }
                    http.get(url)
                };
                let page: Value = request
                    .bearer_auth(&key)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert!(page["items"].is_array(), "{page}");
                // At the end of the list the cursor is absent: start over.
                cursor = page["next_starting_after"].as_str().map(str::to_owned);
                pages += 1;
            }
            pages
        })
    });
    let mut total = 0;
    for walker in walkers.collect::<Vec<_>>() {
        total += walker.await.unwrap();
    }
    total as f64 / duration.as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run in release mode with --ignored --nocapture"]
async fn list_pages_are_served_fast_enough_not_to_bottleneck_a_sync() {
    let scale: Scale = std::env::var("BENCH_SCALE")
        .unwrap_or("medium".into())
        .parse()
        .unwrap();
    let started = Instant::now();
    let config = SimConfig {
        seed: 1,
        scale,
        workspaces: 3,
        rate_limits: false,
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    println!(
        "scale {scale}: generated and listening in {:.2?}",
        started.elapsed()
    );
    let key = sim.workspaces()[2].api_key.clone();
    let base = sim.base_url();
    for workers in [1, 4] {
        let emails = pages_per_second(&base, &key, false, workers, Duration::from_secs(5)).await;
        let leads = pages_per_second(&base, &key, true, workers, Duration::from_secs(5)).await;
        println!(
            "{workers} concurrent walker(s): GET /emails {emails:.0} pages/s, POST /leads/list {leads:.0} pages/s"
        );
    }
    sim.shutdown().await;
}
