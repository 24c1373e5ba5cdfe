//! Live events between nodes: PostgreSQL `NOTIFY live_events`; SQLite has one node and no such
//! channel.

use async_trait::async_trait;

use crate::live::LiveStore;
use crate::store::db::{Args, Db, SqlBacked};
use crate::store::postgres::{LIVE_CHANNEL, Notices};
use crate::store::{Result, sql};

#[async_trait]
impl<S: SqlBacked> LiveStore for S {
    async fn announce(&self, payload: &str) -> Result<bool> {
        let Db::Postgres(_) = self.db() else {
            return Ok(false);
        };
        let mut tx = self
            .db()
            .begin(crate::store::db::Scope::Global, true)
            .await?;
        let args = Args::new().bind(LIVE_CHANNEL).bind(payload);
        tx.execute(sql::NOTIFY, args).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn listen_for_live(&self) -> Result<Option<Notices>> {
        match self.db() {
            Db::Postgres(pool) => Notices::listen(pool, LIVE_CHANNEL).await.map(Some),
            Db::Sqlite(_) => Ok(None),
        }
    }
}
