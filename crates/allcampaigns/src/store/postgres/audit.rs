//! The request log's batch insert: one `UNNEST` statement per batch.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::store::{RequestLogEntry, Result};

/// The whole batch in one `UNNEST` insert (SQLite takes one row per statement).
pub(crate) async fn insert_request_log(
    conn: &mut PgConnection,
    entries: &[RequestLogEntry],
) -> Result<()> {
    let columns = RequestLogColumns::from(entries);
    sqlx::query(
        "INSERT INTO request_log (at, ip, user_agent, method, route, status, duration_ms) \
         SELECT * FROM UNNEST($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], \
                              $6::int4[], $7::int4[])",
    )
    .bind(columns.at)
    .bind(columns.ip)
    .bind(columns.user_agent)
    .bind(columns.method)
    .bind(columns.route)
    .bind(columns.status)
    .bind(columns.duration_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Request-log entries as columns, for one `UNNEST` insert per batch.
#[derive(Default)]
struct RequestLogColumns {
    at: Vec<DateTime<Utc>>,
    ip: Vec<Option<String>>,
    user_agent: Vec<Option<String>>,
    method: Vec<String>,
    route: Vec<String>,
    status: Vec<i32>,
    duration_ms: Vec<i32>,
}

impl From<&[RequestLogEntry]> for RequestLogColumns {
    fn from(entries: &[RequestLogEntry]) -> Self {
        let mut columns = Self::default();
        for entry in entries {
            columns.at.push(entry.at);
            columns.ip.push(entry.ip.clone());
            columns.user_agent.push(entry.user_agent.clone());
            columns.method.push(entry.method.clone());
            columns.route.push(entry.route.clone());
            columns.status.push(i32::from(entry.status));
            columns
                .duration_ms
                .push(i32::try_from(entry.duration_ms).unwrap_or(i32::MAX));
        }
        columns
    }
}
