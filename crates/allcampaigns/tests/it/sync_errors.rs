//! A failed sync cycle hands its whole chain of causes to the caller, while the job keeps only
//! the plain outermost words (code review 2.2 / change 3: errors kept as `anyhow::Error` at the
//! worker boundary, not flattened to a `String`).

use std::sync::Arc;

use allcampaigns::crypto::{CryptoError, Keyring};
use allcampaigns::mail::Mailer;
use allcampaigns::sync::{SyncWorker, live_job};
use instantly::BudgetConfig;
use instantly_sim::Scale;

use crate::helpers::TestDb;
use crate::on_both_backends;
use crate::sync::{connected, whole_cycles};

on_both_backends!(a_failed_cycle_keeps_its_causes_and_the_job_keeps_plain_words);

/// A worker whose keyring cannot open the stored Instantly key (the key file was swapped).
async fn a_failed_cycle_keeps_its_causes_and_the_job_keeps_plain_words(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let (wrong_keyring, _text) = Keyring::generate();
    let worker = SyncWorker::new(
        s.store.clone(),
        Arc::new(wrong_keyring),
        BudgetConfig::unlimited(),
        whole_cycles(),
        Mailer::capture().0,
    );
    let outcome = worker
        .run_once()
        .await
        .unwrap()
        .expect("the new connection is due");
    assert_eq!(outcome.tenant, s.tenant);
    let error = outcome.result.expect_err("the key cannot be opened");
    assert_eq!(error.to_string(), "cannot open the stored Instantly key");
    assert!(
        error
            .chain()
            .any(|cause| cause.downcast_ref::<CryptoError>().is_some()),
        "the crypto failure is kept as the cause: {error:#}"
    );
    let job = live_job(&s.store, s.tenant).await.unwrap().unwrap();
    assert_eq!(
        job.last_error.as_deref(),
        Some("cannot open the stored Instantly key"),
        "the job stores the plain words only"
    );
}
