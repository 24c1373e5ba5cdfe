//! SEC-03 against a real database: each master key's count of seals is kept in the database,
//! adds up across processes, survives a reopen, raises the alarm, and shows in `keys status`
//! and the metrics.

use allcampaigns::crypto::{Keyring, SealStatus};
use allcampaigns::domain::TenantId;
use allcampaigns::keys;
use allcampaigns::store::{ConnectionStatus, DynStore, TenantProfile};
use allcampaigns::sync::link::{Workspace, sealed_link};

use crate::helpers::{TestDb, secret, spawn_app};

crate::on_both_backends!(
    sec_03_seal_counts_add_up_across_processes_survive_a_reopen_and_raise_the_alarm,
    sec_03_the_metrics_show_each_keys_seals_and_alarm,
);

async fn tenant(store: &DynStore) -> TenantId {
    let profile = TenantProfile {
        name: "Sealed".into(),
        ..Default::default()
    };
    store.create_tenant(None, &profile).await.unwrap().id
}

/// Seals a key for `tenant` and saves it, as linking does, then saves the count.
async fn seal_one(store: &DynStore, keyring: &Keyring, tenant: TenantId) {
    let workspace = Workspace {
        id: None,
        name: None,
    };
    let link = sealed_link(
        keyring,
        tenant,
        &secret("sk_sealed"),
        "https://api.instantly.ai",
        workspace,
        ConnectionStatus::Connected,
    );
    store.save_connection(tenant, &link).await.unwrap();
    keys::save_seal_counts(store, keyring).await;
}

fn status(keyring: &Keyring) -> SealStatus {
    let status = keyring.seal_status();
    assert_eq!(status.len(), 1, "{status:?}");
    status[0]
}

async fn sec_03_seal_counts_add_up_across_processes_survive_a_reopen_and_raise_the_alarm(
    db: TestDb,
) {
    let store = db.store().await;
    let first = keys::load_keyring(&db.config, &store).await.unwrap();
    assert_eq!(status(&first).seals, 1, "the key's check value is a seal");
    let (a, b) = (tenant(&store).await, tenant(&store).await);
    seal_one(&store, &first, a).await;
    seal_one(&store, &first, b).await;
    assert_eq!(status(&first).seals, 3);

    // A second process on the same database starts from the stored count and adds to it.
    let second = keys::load_keyring(&db.config, &store).await.unwrap();
    assert_eq!(status(&second).seals, 3);
    seal_one(&store, &second, a).await;
    assert_eq!(status(&second).seals, 4);
    seal_one(&store, &first, b).await;
    assert_eq!(
        status(&first).seals,
        5,
        "the first learns of the second's seal"
    );
    drop((first, second, store));

    let store = db.store().await;
    let reopened = keys::load_keyring(&db.config, &store).await.unwrap();
    assert_eq!(status(&reopened).seals, 5, "the count survives a reopen");
    assert!(!status(&reopened).alarm);
    let listed = keys::status(&db.config, &store).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].primary);
    assert_eq!((listed[0].seals.seals, listed[0].secrets), (5, 2));

    let at_six = keys::load_keyring_with_alarm(&db.config, &store, 6)
        .await
        .unwrap();
    assert!(!status(&at_six).alarm);
    seal_one(&store, &at_six, a).await;
    assert_eq!(status(&at_six).seals, 6);
    assert!(status(&at_six).alarm, "the sixth seal reaches the alarm");
    let past = keys::load_keyring_with_alarm(&db.config, &store, 6)
        .await
        .unwrap();
    assert!(status(&past).alarm, "a key loaded past its alarm raises it");
}

async fn sec_03_the_metrics_show_each_keys_seals_and_alarm(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("allcampaigns_master_key_seals{key_id=\"1\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("allcampaigns_master_key_seal_alarm{key_id=\"1\"} 0"),
        "{metrics}"
    );
    app.stop().await;
}
