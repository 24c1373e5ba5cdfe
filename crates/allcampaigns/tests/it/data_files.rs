//! The data folder and the SQLite files are the product user's alone (security review
//! finding 13): they hold emails, the audit trail, session hashes and sealed keys.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use allcampaigns::store::sqlite::SqliteStore;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn finding_13_a_new_data_folder_is_0700_and_its_database_files_0600() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let db = data.join("allcampaigns.db");
    let store = SqliteStore::open(&db, 2).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(mode(&data), 0o700);
    for file in [
        "allcampaigns.db",
        "allcampaigns.db-wal",
        "allcampaigns.db-shm",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
}

#[tokio::test]
async fn finding_13_database_files_readable_by_others_are_narrowed_at_open() {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("allcampaigns.db");
    {
        let store = SqliteStore::open(&db, 1).await.unwrap();
        store.migrate().await.unwrap();
    }
    for file in [
        "allcampaigns.db",
        "allcampaigns.db-wal",
        "allcampaigns.db-shm",
    ] {
        let path = root.path().join(file);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let _store = SqliteStore::open(&db, 1).await.unwrap();
    assert_eq!(mode(&db), 0o600);
    let wal = root.path().join("allcampaigns.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
}
