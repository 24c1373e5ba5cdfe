//! Fairness between tenants: a worker gives each due tenant one slice in turn, so a large
//! backfill never holds a small client's sync back until it is done. Both backends.

use std::sync::Arc;

use allcampaigns::domain::TenantId;
use allcampaigns::mail::Mailer;
use allcampaigns::store::TenantProfile;
use allcampaigns::sync::{SyncOptions, SyncWorker};
use instantly::BudgetConfig;
use instantly_sim::{Scale, SimConfig, Simulator};

use crate::helpers::TestDb;
use crate::on_both_backends;

on_both_backends!(tenants_take_turns_slice_by_slice_until_each_backfill_is_done);

async fn tenants_take_turns_slice_by_slice_until_each_backfill_is_done(db: TestDb) {
    let sim = Simulator::start(SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: 11,
        scale: Scale::Small,
        workspaces: 2,
        rate_limits: false,
    })
    .await
    .unwrap();
    let store = db.store().await;
    let keyring = Arc::new(
        allcampaigns::keys::load_keyring(&db.config, &store)
            .await
            .unwrap(),
    );
    let mut tenants = Vec::new();
    for (index, workspace) in sim.workspaces().into_iter().enumerate() {
        let profile = TenantProfile {
            name: format!("Client {index}"),
            ..Default::default()
        };
        let tenant = store.create_tenant(None, &profile).await.unwrap().id;
        crate::instantly_link::link_as_operator(
            &store,
            &keyring,
            tenant,
            &workspace.api_key,
            &sim.base_url(),
        )
        .await;
        tenants.push(tenant);
    }
    let options = SyncOptions {
        pages_per_slice: 1,
        ..SyncOptions::default()
    };
    let (mailer, _inbox) = Mailer::capture();
    let worker = SyncWorker::new(store, keyring, BudgetConfig::unlimited(), options, mailer);

    // One lane, as the most contended case: record whose slice each claim ran.
    let mut turns: Vec<TenantId> = Vec::new();
    let mut done: Vec<TenantId> = Vec::new();
    let mut first_done_at = None;
    while done.len() < tenants.len() {
        let outcome = worker
            .run_once()
            .await
            .unwrap()
            .expect("a tenant with work left is due");
        assert!(turns.len() < 5_000, "the backfills never finish");
        let report = outcome.result.expect("the slice succeeds");
        turns.push(outcome.tenant);
        if !report.more() {
            done.push(outcome.tenant);
            first_done_at.get_or_insert(turns.len() - 1);
        }
    }
    assert!(turns.len() > 10, "each backfill took several slices");
    let both_busy = &turns[..=first_done_at.expect("a tenant finished")];
    for pair in both_busy.windows(2) {
        assert_ne!(
            pair[0], pair[1],
            "while both have work, no tenant gets two slices in a row: {turns:?}"
        );
    }
}
