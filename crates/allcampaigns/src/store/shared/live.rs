//! Live events between nodes: PostgreSQL `NOTIFY live_events`; SQLite has one node and no such
//! channel.

use async_trait::async_trait;

use crate::domain::TenantId;
use crate::live::LiveStore;
use crate::store::db::{Engine, SqlBacked};
use crate::store::postgres::{LIVE_CHANNEL, Notices};
use crate::store::{Result, sql};

#[async_trait]
impl<S: SqlBacked> LiveStore for S {
    async fn announce(&self, payloads: &[String]) -> Result<bool> {
        let Engine::Postgres(pool) = self.db().engine() else {
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
        match self.db().engine() {
            Engine::Postgres(pool) => Notices::listen(pool, LIVE_CHANNEL).await.map(Some),
            Engine::Sqlite(..) => Ok(None),
        }
    }

    fn heard_change(&self, tenant: TenantId) {
        self.db().reads().changed(&[tenant]);
    }

    fn missed_changes(&self) {
        self.db().reads().changed_everywhere();
    }
}
