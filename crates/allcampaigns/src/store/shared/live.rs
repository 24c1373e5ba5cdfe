//! Live events between nodes: PostgreSQL `NOTIFY live_events`; SQLite has one node and no such
//! channel.

use async_trait::async_trait;

use crate::live::LiveStore;
use crate::store::db::{Db, SqlBacked};
use crate::store::postgres::{LIVE_CHANNEL, Notices};
use crate::store::{Result, sql};

#[async_trait]
impl<S: SqlBacked> LiveStore for S {
    async fn announce(&self, payloads: &[String]) -> Result<bool> {
        let Db::Postgres(pool) = self.db() else {
            return Ok(false);
        };
        // Outside any transaction: the change it tells of has committed already. A notice
        // carries no tenant data beyond ids, so it needs no tenant scope.
        if !payloads.is_empty() {
            sqlx::query(sql::NOTIFY_EACH)
                .bind(LIVE_CHANNEL)
                .bind(payloads)
                .execute(pool)
                .await?;
        }
        Ok(true)
    }

    async fn listen_for_live(&self) -> Result<Option<Notices>> {
        match self.db() {
            Db::Postgres(pool) => Notices::listen(pool, LIVE_CHANNEL).await.map(Some),
            Db::Sqlite(..) => Ok(None),
        }
    }
}
