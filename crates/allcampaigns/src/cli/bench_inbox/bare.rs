//! The inbox's statements alone: the store's own text and parameters (`store::inbox_sql`), in
//! the order the store runs them, on one held database connection (a pool of one, opened as
//! the app opens its pool), with no HTTP, authentication, rules or JSON around them. Under
//! PostgreSQL they run as the store runs them: in a transaction with the tenant setting.

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::config::{Config, DatabaseConfig};
use crate::domain::TenantId;
use crate::inbox::{Cursor, InboxMessage, ThreadFilter, ThreadSummary};
use crate::store::db::{Args, Db, Scope, SqlBacked, Tx};
use crate::store::inbox_sql;
use crate::store::postgres::PgStore;
use crate::store::shared::inbox_pages::{add_tags, lead_and_threads, merged_page, set_search};
use crate::store::sqlite::SqliteStore;
use crate::store::{Backend, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

pub(crate) struct Bare {
    db: Db,
    tenants: Vec<TenantId>,
}

impl Bare {
    pub async fn open(config: &Config, tenants: &[TenantId]) -> anyhow::Result<Self> {
        let db = match &config.database {
            DatabaseConfig::Sqlite { path } => SqliteStore::open(path, 1).await?.db().clone(),
            DatabaseConfig::Postgres { url, .. } => PgStore::connect(url, 1).await?.db().clone(),
        };
        Ok(Self {
            db,
            tenants: tenants.to_vec(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// A read of every tenant, as the lists open theirs.
    pub async fn read(&self) -> Result<Tx> {
        self.db.begin(Scope::Tenants(&self.tenants), false).await
    }

    /// One list page, as `InboxStore::threads` reads it; answers the rows on the page.
    pub async fn page(
        &self,
        filter: &ThreadFilter,
        after: Option<&Cursor>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut tx = self.read().await?;
        set_search(&mut tx, filter).await?;
        let mut rows = merged_page(&mut tx, &self.tenants, filter, after, limit + 1, now).await?;
        rows.truncate(limit as usize);
        add_tags(&mut tx, &mut rows).await?;
        Ok(rows.len())
    }

    /// One thread with its messages, lead and the lead's other threads, as
    /// `InboxStore::thread` reads it; answers its message count.
    pub async fn thread(
        &self,
        tenant: TenantId,
        thread: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut tx = self.db.begin(Scope::Tenant(tenant), false).await?;
        let query = inbox_sql::summary(self.backend(), tenant, thread, now);
        let summary: Option<ThreadSummary> = tx
            .fetch_optional(AssertSqlSafe(query.sql), query.args)
            .await?;
        let mut rows = vec![summary.ok_or(StoreError::NotFound)?];
        add_tags(&mut tx, &mut rows).await?;
        let summary = rows.remove(0);
        let args = Args::new().bind(tenant).bind(thread);
        let messages: Vec<InboxMessage> = tx.fetch_all(inbox_sql::THREAD_MESSAGES, args).await?;
        let (lead, others) = lead_and_threads(&mut tx, tenant, &summary).await?;
        std::hint::black_box((lead, others));
        Ok(messages.len())
    }
}
