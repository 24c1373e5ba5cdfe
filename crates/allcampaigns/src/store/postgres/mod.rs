//! The PostgreSQL store. The app connects as a role that owns nothing and cannot bypass
//! row-level security; each tenant-scoped unit of work runs in a transaction that first sets
//! the allowed tenants with `set_config(…, true)` and a bound parameter, so the setting dies
//! with the transaction and never leaks to the next borrower of a pooled connection.

mod audit;
mod notices;
mod roles;
mod tenants;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

pub(crate) use audit::insert_request_log;
pub use notices::{CHANNEL as JOB_CHANNEL, JobNotices, LIVE_CHANNEL, Notices};
pub use roles::{migrate, refuse_privileged_role};
pub(crate) use tenants::tenants_of_user;

use super::Result;
use super::db::{Db, SqlBacked};
use crate::domain::TenantId;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    db: Db,
}

impl PgStore {
    pub async fn connect(url: &SecretString, max_connections: u32) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(url.expose_secret())
            .context("DATABASE_URL is not a valid PostgreSQL address")?
            .application_name("allcampaigns");
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("cannot connect to PostgreSQL")?;
        Ok(Self {
            db: Db::postgres(pool.clone()),
            pool,
        })
    }

    /// Keeps inbox pages and counts for `ttl` at most between changes (zero: none).
    pub fn with_read_cache(self, ttl: std::time::Duration) -> Self {
        Self {
            db: self.db.with_read_cache(ttl),
            ..self
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn refuse_privileged_role(&self) -> anyhow::Result<()> {
        refuse_privileged_role(&self.pool).await
    }

    /// A transaction that may see and write the given tenants only.
    pub async fn scoped(&self, tenants: &[TenantId]) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await?;
        let allowed = tenants
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query("SELECT set_config('app.tenant_ids', $1, true)")
            .bind(allowed)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

impl SqlBacked for PgStore {
    fn db(&self) -> &Db {
        &self.db
    }
}
