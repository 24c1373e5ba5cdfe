//! Each master key's count of seals (`encryption_keys.seals`), written once for both backends.

use async_trait::async_trait;

use crate::store::db::{Args, Scope, SqlBacked};
use crate::store::{Result, SealCountStore, sql};

#[async_trait]
impl<S: SqlBacked> SealCountStore for S {
    #[tracing::instrument(name = "store.seal_counts", level = "debug", skip_all)]
    async fn seal_counts(&self) -> Result<Vec<(u32, u64)>> {
        let mut tx = self.db().begin(Scope::Global, false).await?;
        let rows: Vec<(i64, i64)> = tx.fetch_all(sql::SEAL_COUNTS, Args::new()).await?;
        Ok(rows
            .into_iter()
            .map(|(id, seals)| (id as u32, u64::try_from(seals).unwrap_or(0)))
            .collect())
    }

    #[tracing::instrument(name = "store.add_seals", level = "debug", skip_all)]
    async fn add_seals(&self, key_id: u32, seals: u64) -> Result<Option<u64>> {
        let mut tx = self.db().begin(Scope::Global, true).await?;
        let args = Args::new()
            .bind(i64::from(key_id))
            .bind(i64::try_from(seals).unwrap_or(i64::MAX));
        let total: Option<(i64,)> = tx.fetch_optional(sql::ADD_SEALS, args).await?;
        tx.commit().await?;
        Ok(total.map(|(total,)| u64::try_from(total).unwrap_or(0)))
    }
}
