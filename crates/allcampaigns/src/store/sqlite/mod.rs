//! The embedded SQLite store: one file, WAL, foreign keys, a busy timeout. The tenant filter
//! every query carries is the isolation guard here (there is no row-level security).

use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, bail};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::db::{Db, SqlBacked, WRITE_WAIT};
use crate::private_fs;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    db: Db,
}

/// The connection settings every pooled connection must show (RELIABILITY DUR-01).
#[derive(Debug, PartialEq, Eq)]
pub struct Pragmas {
    pub journal_mode: String,
    pub synchronous: i64,
    pub foreign_keys: i64,
    pub busy_timeout: i64,
}

impl SqliteStore {
    pub async fn open(path: &Path, max_connections: u32) -> anyhow::Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            private_fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the data folder {}", parent.display()))?;
        }
        for file in [
            path.to_owned(),
            suffixed(path, "-wal"),
            suffixed(path, "-shm"),
        ] {
            if file == path || file.exists() {
                private_fs::touch_private(&file)
                    .and_then(|()| private_fs::restrict_to_owner(&file))
                    .with_context(|| format!("cannot protect {}", file.display()))?;
            }
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged commit survives power loss too, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(WRITE_WAIT);
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the SQLite database {}", path.display()))?;
        let store = Self {
            db: Db::sqlite(pool.clone()),
            pool,
        };
        store.check_pragmas().await?;
        Ok(store)
    }

    /// Keeps inbox pages and counts for `ttl` at most between changes (zero: none).
    pub fn with_read_cache(self, ttl: std::time::Duration) -> Self {
        Self {
            db: self.db.with_read_cache(ttl),
            ..self
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .context("cannot apply the SQLite migrations")?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn pragmas(&self) -> anyhow::Result<Pragmas> {
        let mut conn = self.pool.acquire().await?;
        let journal_mode = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let foreign_keys = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy_timeout = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        Ok(Pragmas {
            journal_mode,
            synchronous,
            foreign_keys,
            busy_timeout,
        })
    }

    async fn check_pragmas(&self) -> anyhow::Result<()> {
        let pragmas = self.pragmas().await?;
        if pragmas.journal_mode != "wal" || pragmas.foreign_keys != 1 || pragmas.busy_timeout <= 0 {
            bail!(
                "SQLite did not accept the required settings (WAL, foreign keys, busy timeout): {pragmas:?}"
            );
        }
        Ok(())
    }
}

impl SqlBacked for SqliteStore {
    fn db(&self) -> &Db {
        &self.db
    }
}

/// `path` with `suffix` added to its file name, as SQLite names its companion files.
fn suffixed(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}
