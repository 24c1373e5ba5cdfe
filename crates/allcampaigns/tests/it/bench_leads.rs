//! The lead benchmark (`allcampaigns bench leads`) runs end to end on a small seed, a few
//! requests per scenario, so the harness keeps working between recorded runs: the product
//! serves as a child process, every scenario answers 200 with a `Server-Timing` figure, the
//! reads run alone, and the measured lead is given notes until its timeline holds the events
//! asked for (once).

use allcampaigns::cli::bench_leads::{self, Options};
use allcampaigns::domain::Email;
use allcampaigns::store::TenantProfile;

use crate::helpers::TestDb;
use crate::inbox_api::one_thread;
use crate::lead_state::synced_status;
use crate::on_both_backends;

on_both_backends!(the_lead_benchmark_times_every_scenario_through_the_server_and_alone);

const OWNER: &str = "bench-owner@agency.example";
const REQUESTS: u32 = 3;

async fn the_lead_benchmark_times_every_scenario_through_the_server_and_alone(db: TestDb) {
    let store = db.store().await;
    let owner = store
        .create_user(&Email::parse(OWNER).unwrap(), "Bench")
        .await
        .unwrap()
        .id;
    let profile = TenantProfile {
        name: "Bench client".into(),
        ..Default::default()
    };
    let tenant = store.create_tenant(Some(owner), &profile).await.unwrap().id;
    one_thread(&store, tenant, "bench").await;
    synced_status(&store, tenant, "lead-1", "bench@lead.example", 1).await;
    let options = |events| Options {
        requests: REQUESTS,
        budget_secs: 60,
        events,
        email: OWNER.into(),
        until: None,
        server_binary: Some(env!("CARGO_BIN_EXE_allcampaigns").into()),
    };
    let rows = bench_leads::run(db.config.clone(), options(20))
        .await
        .unwrap();
    let names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    for row in &rows {
        assert_eq!(row.server.count, REQUESTS as usize, "{}", row.name);
        assert_eq!(row.alone.count, REQUESTS as usize, "{}", row.name);
        assert!(
            row.server.p50 > 0.0 && row.server.p50 <= row.loopback.p50,
            "{row:?}"
        );
    }
    let notes = |n| {
        let store = store.clone();
        async move {
            let all = store
                .lead_notes(tenant, "bench@lead.example", true, None, 1000)
                .await
                .unwrap();
            assert_eq!(all.len(), n);
        }
    };
    // Two messages of the thread, and notes for the rest; a second run adds none.
    notes(18).await;
    bench_leads::run(db.config.clone(), options(20))
        .await
        .unwrap();
    notes(18).await;
}
