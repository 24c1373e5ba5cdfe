//! The inbox benchmark (`allcampaigns bench inbox`) runs end to end on the inbox tests' seed, a
//! few requests per scenario, so the harness keeps working between recorded runs: the product
//! serves as a child process, every scenario answers 200 with a `Server-Timing` figure, the
//! statements run alone, a term named on the command line is timed beside the picked ones,
//! and on SQLite a tiny backfill writes while a thread is triaged.

use allcampaigns::cli::bench_inbox::{self, BackfillSize, Options};
use allcampaigns::domain::{Email, Role};

use crate::helpers::TestDb;
use crate::inbox_fixture::fixture;
use crate::on_both_backends;

on_both_backends!(the_inbox_benchmark_times_every_scenario_through_the_server_and_alone);

const OWNER: &str = "bench-owner@agency.example";
const REQUESTS: u32 = 3;

async fn the_inbox_benchmark_times_every_scenario_through_the_server_and_alone(db: TestDb) {
    let store = db.store().await;
    let seeded = fixture(store.clone()).await;
    let owner = store
        .create_user(&Email::parse(OWNER).unwrap(), "Bench")
        .await
        .unwrap()
        .id;
    for &tenant in &seeded.tenants {
        store.add_member(tenant, owner, Role::Owner).await.unwrap();
    }
    let options = Options {
        requests: REQUESTS,
        limit: 2,
        budget_secs: 60,
        wrk_secs: 0,
        connections: 4,
        backfill_workspaces: 1,
        backfill_size: BackfillSize::Tiny,
        email: OWNER.into(),
        terms: vec!["pricing".into()],
        server_binary: Some(env!("CARGO_BIN_EXE_allcampaigns").into()),
    };
    let report = bench_inbox::run(db.config.clone(), options).await.unwrap();

    assert_eq!(report.clients, seeded.tenants.len());
    let names: Vec<&str> = report.rows.iter().map(|row| row.name.as_str()).collect();
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(names.contains(&"next page by cursor"), "{names:?}");
    assert!(names.contains(&"search, named term `pricing`"), "{names:?}");
    assert_eq!(names.iter().filter(|n| n.starts_with("search")).count(), 4);
    for row in &report.rows {
        assert_eq!(row.server.count, REQUESTS as usize, "{}", row.name);
        assert_eq!(row.alone.count, REQUESTS as usize, "{}", row.name);
        assert!(
            row.server.p50 > 0.0 && row.server.p50 <= row.loopback.p50,
            "{row:?}"
        );
    }
    assert!(report.rss_end.rss_kib > 0);
    let backfill = report.backfill.as_ref();
    assert_eq!(backfill.is_some(), !db.is_postgres());
    if let Some(backfill) = backfill {
        assert_eq!(backfill.server.count, REQUESTS as usize);
        assert!(backfill.rows_written > 0);
    }
    let text = report.render();
    assert!(text.contains("| next page by cursor |"), "{text}");
}
