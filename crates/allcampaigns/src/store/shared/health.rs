//! Health of the store itself, asked the same way on both backends.

use async_trait::async_trait;

use crate::store::db::{Args, Scope, SqlBacked};
use crate::store::{Backend, Result, StoreHealth, postgres, sql, sqlite};

#[async_trait]
impl<S: SqlBacked> StoreHealth for S {
    #[tracing::instrument(name = "store.ready", level = "debug", skip_all)]
    async fn ready(&self) -> Result<bool> {
        let migrator = match self.backend() {
            Backend::Sqlite => &sqlite::MIGRATOR,
            Backend::Postgres => &postgres::MIGRATOR,
        };
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let applied: Vec<i64> = tx.scalars(sql::APPLIED_MIGRATIONS, Args::new()).await?;
        Ok(migrator.iter().all(|m| applied.contains(&m.version)))
    }

    fn backend(&self) -> Backend {
        self.db().backend()
    }
}
