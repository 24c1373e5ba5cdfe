//! Keeps each thread's search document (migration 0019) in step with its messages: sync calls
//! [`index_threads`] in the same transaction as it refreshes the threads of a page.

use serde_json::Value;

use crate::domain::TenantId;
use crate::store::db::{Args, Param, Tx};
use crate::store::{Backend, Result};

/// SQLite: removes the page's documents under their current keys.
const SQLITE_DROP: &str = "DELETE FROM thread_search WHERE rowid IN (SELECT search_key \
     FROM threads WHERE tenant_id = $1 AND thread_id IN (SELECT value FROM json_each($2)) \
         AND search_key IS NOT NULL)";

/// SQLite: a thread keeps its key while its newest message stays in the same second, else it
/// takes the next free key of its new second (the largest there plus one, by the unique
/// index). One thread at a time, so two threads of one page and second never take the same.
const SQLITE_KEY: &str = "UPDATE threads SET search_key = CASE \
         WHEN search_key / 2147483648 = coalesce(unixepoch(last_message_at), 0) THEN search_key \
         ELSE (SELECT coalesce(max(k.search_key) + 1, \
                   coalesce(unixepoch(threads.last_message_at), 0) * 2147483648) \
               FROM threads k \
               WHERE k.search_key >= coalesce(unixepoch(threads.last_message_at), 0) * 2147483648 \
                 AND k.search_key < (coalesce(unixepoch(threads.last_message_at), 0) + 1) \
                     * 2147483648) \
         END \
     WHERE tenant_id = $1 AND thread_id = $2";

/// SQLite: writes the page's documents under their keys.
const SQLITE_WRITE: &str = "INSERT INTO thread_search (rowid, tenant, words) \
     SELECT search_key, tenant, words FROM thread_search_docs \
     WHERE tenant_id = $1 AND thread_id IN (SELECT value FROM json_each($2)) \
         AND search_key IS NOT NULL";

/// PostgreSQL: the owner's definer function rewrites the documents (the app role sees only
/// documents that match its own search, so it could not).
const POSTGRES_INDEX: &str =
    "SELECT app_index_threads($1, ARRAY(SELECT jsonb_array_elements_text($2)))";

/// Rewrites the search documents of these threads of `tenant` from their rows and messages.
pub(crate) async fn index_threads(
    tx: &mut Tx,
    tenant: TenantId,
    thread_ids: &[String],
) -> Result<()> {
    if thread_ids.is_empty() {
        return Ok(());
    }
    let ids = || Param::Json(Value::from(thread_ids.to_vec()));
    match tx.backend() {
        Backend::Sqlite => {
            tx.execute(SQLITE_DROP, Args::new().bind(tenant).bind(ids()))
                .await?;
            for thread in thread_ids {
                tx.execute(SQLITE_KEY, Args::new().bind(tenant).bind(thread))
                    .await?;
            }
            tx.execute(SQLITE_WRITE, Args::new().bind(tenant).bind(ids()))
                .await?;
        }
        Backend::Postgres => {
            tx.execute(POSTGRES_INDEX, Args::new().bind(tenant).bind(ids()))
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    /// Rewriting a page's documents reads them by key: never a scan of the whole index or of
    /// every thread of the client.
    #[tokio::test]
    async fn a_page_of_documents_is_rewritten_by_key() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        crate::store::sqlite::MIGRATOR.run(&mut conn).await.unwrap();
        for statement in [super::SQLITE_DROP, super::SQLITE_KEY, super::SQLITE_WRITE] {
            let explain = format!("EXPLAIN QUERY PLAN {statement}");
            let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(explain))
                .bind(vec![1u8; 16])
                .bind("[\"a\"]")
                .fetch_all(&mut conn)
                .await
                .unwrap();
            let steps: Vec<String> = plan.into_iter().map(|(_, _, _, step)| step).collect();
            let by_key = |step: &&String| {
                !step.starts_with("SCAN")
                    || step.starts_with("SCAN json_each")
                    || step.ends_with("VIRTUAL TABLE INDEX 0:=")
            };
            assert!(steps.iter().all(|step| by_key(&step)), "{steps:#?}");
        }
    }
}
