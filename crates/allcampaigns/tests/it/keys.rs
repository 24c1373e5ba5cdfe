//! Master keys against a real database: SEC-02, SEC-04, SEC-07 and SEC-09.

use allcampaigns::crypto::{CryptoError, Keyring, format_key};
use allcampaigns::domain::{Email, TenantId};
use allcampaigns::keys;
use allcampaigns::store::{ConnectionStatus, DynStore, TenantProfile};
use allcampaigns::sync::link::{Workspace, open_api_key, sealed_link};

use crate::helpers::{TestDb, secret};

crate::on_both_backends!(
    sec_02_a_sealed_key_copied_to_another_tenants_row_does_not_decrypt,
    sec_04_rotation_moves_every_secret_and_retiring_a_used_key_is_refused,
    sec_07_the_stored_bytes_hold_no_plaintext_and_have_the_envelope_length,
    sec_09_start_up_refuses_a_missing_or_wrong_master_key,
);

const CANARY: &str = "sk_canary_7f3a9c1e5b2d4f60";

async fn tenant(store: &DynStore, name: &str) -> TenantId {
    let owner = store
        .create_user(&Email::parse(&format!("{name}@example.com")).unwrap(), "")
        .await
        .unwrap();
    store
        .create_tenant(
            Some(owner.id),
            &TenantProfile {
                name: name.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

async fn connect(store: &DynStore, keyring: &Keyring, tenant: TenantId, key: &str) {
    let workspace = Workspace {
        id: Some("ws".into()),
        name: Some("Workspace".into()),
    };
    let connection = sealed_link(
        keyring,
        tenant,
        &secret(key),
        "https://api.instantly.ai",
        workspace,
        ConnectionStatus::Connected,
    );
    store.save_connection(tenant, &connection).await.unwrap();
}

async fn sec_02_a_sealed_key_copied_to_another_tenants_row_does_not_decrypt(db: TestDb) {
    let store = db.store().await;
    let keyring = keys::load_keyring(&db.config, &store).await.unwrap();
    let (a, b) = (tenant(&store, "a").await, tenant(&store, "b").await);
    connect(&store, &keyring, a, "key-of-a").await;
    connect(&store, &keyring, b, CANARY).await;
    let mut a_row = store.connection(a).await.unwrap().unwrap();
    let b_row = store.connection(b).await.unwrap().unwrap();
    assert_eq!(
        open_api_key(&keyring, &a_row)
            .map(|k| secrecy::ExposeSecret::expose_secret(&k).to_string())
            .unwrap(),
        "key-of-a"
    );
    a_row.api_key_envelope = b_row.api_key_envelope.clone();
    let error = open_api_key(&keyring, &a_row).unwrap_err();
    assert_eq!(error, CryptoError::Decrypt);
    assert!(!error.to_string().contains(CANARY));
}

async fn sec_04_rotation_moves_every_secret_and_retiring_a_used_key_is_refused(db: TestDb) {
    let store = db.store().await;
    let mut config = db.config.clone();
    config.master_key = None; // rotation works on the key file
    config.master_key_file = db.dir.path().join("rotation.key");
    std::fs::write(&config.master_key_file, format_key(1, &[42; 32]).as_str()).unwrap();
    let keyring = keys::load_keyring(&config, &store).await.unwrap();
    let tenants = [
        tenant(&store, "a").await,
        tenant(&store, "b").await,
        tenant(&store, "c").await,
    ];
    for (i, t) in tenants.iter().enumerate() {
        connect(&store, &keyring, *t, &format!("{CANARY}-{i}")).await;
    }
    assert_eq!(store.secret_key_usage().await.unwrap(), vec![(1, 3)]);

    let retire_early = keys::retire(&config, &store, 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(retire_early.contains("primary"), "{retire_early}");
    let (new_id, report) = keys::rotate(&config, &store).await.unwrap();
    assert_eq!((new_id, report.moved, report.failed), (2, 3, 0));
    assert_eq!(store.secret_key_usage().await.unwrap(), vec![(2, 3)]);
    let rotated = keys::load_keyring(&config, &store).await.unwrap();
    for (i, t) in tenants.iter().enumerate() {
        let row = store.connection(*t).await.unwrap().unwrap();
        let key = open_api_key(&rotated, &row).unwrap();
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(&key),
            &format!("{CANARY}-{i}")
        );
    }
    // A secret written under the old key after rotation keeps kid 1 in use until moved again.
    let old_only = Keyring::from_text(format_key(1, &[42; 32]).as_str()).unwrap();
    connect(&store, &old_only, tenants[0], "late-write").await;
    let refused = keys::retire(&config, &store, 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("still seals 1"), "{refused}");
    assert_eq!(
        keys::reencrypt_all(&store, &rotated).await.unwrap().moved,
        1
    );
    keys::retire(&config, &store, 1).await.unwrap();
    let remaining = keys::load_keyring(&config, &store).await.unwrap();
    assert_eq!(remaining.key_ids(), vec![2]);
}

async fn sec_07_the_stored_bytes_hold_no_plaintext_and_have_the_envelope_length(db: TestDb) {
    let store = db.store().await;
    let keyring = keys::load_keyring(&db.config, &store).await.unwrap();
    let t = tenant(&store, "a").await;
    connect(&store, &keyring, t, CANARY).await;
    let raw: Vec<u8> = if db.is_postgres() {
        sqlx::query_scalar("SELECT api_key FROM instantly_connections")
            .fetch_one(&mut db.superuser().await)
            .await
            .unwrap()
    } else {
        let path = db.dir.path().join("allcampaigns.db");
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT api_key FROM instantly_connections")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(raw.len(), 5 + 12 + CANARY.len() + 16);
    assert!(
        !raw.windows(8)
            .any(|w| CANARY.as_bytes().windows(8).any(|c| c == w))
    );
    let row = store.connection(t).await.unwrap().unwrap();
    assert_eq!(row.key_last4, "4f60");
}

async fn sec_09_start_up_refuses_a_missing_or_wrong_master_key(db: TestDb) {
    let store = db.store().await;
    let mut config = db.config.clone();
    config.master_key = None;
    config.master_key_file = db.dir.path().join("sec09.key");
    if db.is_postgres() {
        let refused = keys::load_keyring(&config, &store)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("PostgreSQL installs need an explicit master key"),
            "{refused}"
        );
        std::fs::write(&config.master_key_file, format_key(1, &[1; 32]).as_str()).unwrap();
    }
    let keyring = keys::load_keyring(&config, &store).await.unwrap();
    let t = tenant(&store, "a").await;
    connect(&store, &keyring, t, CANARY).await;

    std::fs::remove_file(&config.master_key_file).unwrap();
    let missing = keys::load_keyring(&config, &store)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("no master key was found") || missing.contains("not configured"),
        "{missing}"
    );
    assert!(
        !config.master_key_file.exists(),
        "no new key is made for a database that has secrets"
    );

    std::fs::write(&config.master_key_file, format_key(1, &[9; 32]).as_str()).unwrap();
    let wrong = keys::load_keyring(&config, &store)
        .await
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("does not match"), "{wrong}");

    config.master_key = Some(secret(format_key(1, &[7; 32]).as_str()));
    let wrong_env = keys::load_keyring(&config, &store)
        .await
        .unwrap_err()
        .to_string();
    assert!(wrong_env.contains("does not match"), "{wrong_env}");
    for message in [missing, wrong, wrong_env] {
        assert!(!message.contains(CANARY));
    }
}
