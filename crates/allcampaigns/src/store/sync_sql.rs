//! The statements behind each [`Write`], for either backend. `$1` is always the tenant; the
//! other parameters are JSON arrays or text, so both backends bind them the same way.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use super::sync::{Table, Write};
use super::sync_tables::{ALL_TABLES, shape};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Json(Value),
    Text(Option<String>),
}

pub struct Statement {
    pub sql: String,
    pub params: Vec<Param>,
}

/// Instants as Instantly writes them (milliseconds, `Z`): fixed width, so text order is time
/// order on SQLite.
pub fn iso(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn ids_json(ids: &[String]) -> Param {
    Param::Json(Value::from(ids.to_vec()))
}

/// `x IN` the JSON array bound at `$n`.
fn in_json(dialect: Dialect, n: u8) -> String {
    match dialect {
        Dialect::Sqlite => format!("IN (SELECT value FROM json_each(${n}))"),
        Dialect::Postgres => format!("IN (SELECT jsonb_array_elements_text(${n}))"),
    }
}

fn time_param(dialect: Dialect, n: u8) -> String {
    match dialect {
        Dialect::Sqlite => format!("${n}"),
        Dialect::Postgres => format!("${n}::timestamptz"),
    }
}

pub fn statement(dialect: Dialect, write: &Write, now: DateTime<Utc>) -> Statement {
    match write {
        Write::Upsert { table, rows } => {
            let shape = shape(*table);
            let sql = match dialect {
                Dialect::Sqlite => shape.sqlite_upsert(),
                Dialect::Postgres => shape.postgres_upsert(),
            };
            Statement {
                sql,
                params: vec![Param::Json(rows.clone())],
            }
        }
        Write::MarkDeletedExcept { table, ids } => Statement {
            sql: format!(
                "UPDATE {} SET deleted_at = {} WHERE tenant_id = $1 AND deleted_at IS NULL \
                 AND instantly_id NOT {}",
                shape(*table).name,
                time_param(dialect, 3),
                in_json(dialect, 2)
            ),
            params: vec![ids_json(ids), Param::Text(Some(iso(now)))],
        },
        Write::MarkDeletedInRange {
            table,
            after,
            through,
            ids,
        } => Statement {
            sql: format!(
                "UPDATE {} SET deleted_at = {} WHERE tenant_id = $1 AND deleted_at IS NULL \
                 AND instantly_id NOT {} \
                 AND ($4 IS NULL OR instantly_id > $4) AND ($5 IS NULL OR instantly_id <= $5)",
                shape(*table).name,
                time_param(dialect, 3),
                in_json(dialect, 2)
            )
            .replace("$4", text_param(dialect, 4))
            .replace("$5", text_param(dialect, 5)),
            params: vec![
                ids_json(ids),
                Param::Text(Some(iso(now))),
                Param::Text(after.clone()),
                Param::Text(through.clone()),
            ],
        },
        Write::ClearCampaignSteps { campaign_ids } => Statement {
            sql: format!(
                "DELETE FROM campaign_steps WHERE tenant_id = $1 AND campaign_id {}",
                in_json(dialect, 2)
            ),
            params: vec![ids_json(campaign_ids)],
        },
        Write::RefreshThreads { thread_ids } => Statement {
            sql: refresh_threads(dialect),
            params: vec![ids_json(thread_ids)],
        },
        Write::RefreshTenantDaily { from } => Statement {
            sql: refresh_tenant_daily(dialect),
            params: vec![Param::Text(Some(from.format("%Y-%m-%d").to_string()))],
        },
    }
}

fn text_param(dialect: Dialect, n: u8) -> &'static str {
    match (dialect, n) {
        (Dialect::Sqlite, 4) => "$4",
        (Dialect::Sqlite, _) => "$5",
        (Dialect::Postgres, 4) => "$4::text",
        (Dialect::Postgres, _) => "$5::text",
    }
}

/// A thread row from its newest message, with counts over all of its messages.
fn refresh_threads(dialect: Dialect) -> String {
    let unread = match dialect {
        Dialect::Sqlite => "SUM(is_unread)",
        Dialect::Postgres => "SUM(is_unread::int)",
    };
    format!(
        "INSERT INTO threads (tenant_id, thread_id, lead_id, lead_email, campaign_id, mailbox, \
             subject, message_count, unread_count, last_message_id, last_message_at, \
             last_direction, last_preview, interest_status) \
         SELECT tenant_id, thread_id, lead_id, lead_email, campaign_id, mailbox, subject, n, \
             unread, instantly_id, timestamp_created, direction, substr(body_text, 1, 200), \
             interest_status \
         FROM (SELECT m.*, \
                 ROW_NUMBER() OVER (PARTITION BY thread_id \
                     ORDER BY timestamp_created DESC, instantly_id DESC) AS newest, \
                 COUNT(*) OVER (PARTITION BY thread_id) AS n, \
                 {unread} OVER (PARTITION BY thread_id) AS unread \
               FROM messages m WHERE tenant_id = $1 AND thread_id {ids}) x \
         WHERE newest = 1 \
         ON CONFLICT (tenant_id, thread_id) DO UPDATE SET lead_id = excluded.lead_id, \
             lead_email = excluded.lead_email, campaign_id = excluded.campaign_id, \
             mailbox = excluded.mailbox, subject = excluded.subject, \
             message_count = excluded.message_count, unread_count = excluded.unread_count, \
             last_message_id = excluded.last_message_id, \
             last_message_at = excluded.last_message_at, \
             last_direction = excluded.last_direction, last_preview = excluded.last_preview, \
             interest_status = excluded.interest_status \
         WHERE threads.message_count <> excluded.message_count \
             OR threads.unread_count <> excluded.unread_count \
             OR threads.last_message_id <> excluded.last_message_id \
             OR threads.interest_status {distinct} excluded.interest_status",
        ids = in_json(dialect, 2),
        distinct = distinct(dialect),
    )
}

/// Null-safe inequality.
fn distinct(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "IS NOT",
        Dialect::Postgres => "IS DISTINCT FROM",
    }
}

fn refresh_tenant_daily(dialect: Dialect) -> String {
    let from = match dialect {
        Dialect::Sqlite => "$2",
        Dialect::Postgres => "$2::date",
    };
    format!(
        "INSERT INTO tenant_daily (tenant_id, day, sent, contacted, opened_unique, \
             replied_unique, clicked_unique, opportunities) \
         SELECT tenant_id, day, SUM(sent), SUM(contacted), SUM(opened_unique), \
             SUM(replied_unique), SUM(clicked_unique), SUM(opportunities) \
         FROM campaign_daily WHERE tenant_id = $1 AND day >= {from} \
         GROUP BY tenant_id, day \
         ON CONFLICT (tenant_id, day) DO UPDATE SET sent = excluded.sent, \
             contacted = excluded.contacted, opened_unique = excluded.opened_unique, \
             replied_unique = excluded.replied_unique, clicked_unique = excluded.clicked_unique, \
             opportunities = excluded.opportunities \
         WHERE (tenant_daily.sent, tenant_daily.contacted, tenant_daily.opened_unique, \
                tenant_daily.replied_unique, tenant_daily.clicked_unique, \
                tenant_daily.opportunities) \
            <> (excluded.sent, excluded.contacted, excluded.opened_unique, \
                excluded.replied_unique, excluded.clicked_unique, excluded.opportunities)"
    )
}

/// Live rows of every sync table in one statement: `(index in ALL_TABLES, count)` rows.
pub fn counts() -> String {
    ALL_TABLES
        .iter()
        .enumerate()
        .map(|(index, table)| {
            let shape = shape(*table);
            let live = if shape.soft_delete {
                " AND deleted_at IS NULL"
            } else {
                ""
            };
            format!(
                "SELECT CAST({index} AS BIGINT), COUNT(*) FROM {} WHERE tenant_id = $1{live}",
                shape.name
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Renews the lease as part of a write; no row means the lease was lost.
pub fn renew_lease(dialect: Dialect) -> String {
    format!(
        "UPDATE jobs SET locked_until = {} WHERE tenant_id = $1 AND kind = $2 AND locked_by = $3",
        time_param(dialect, 4)
    )
}

/// Stored fingerprints of a table keyed by Instantly id.
pub fn fingerprints(table: Table) -> String {
    format!(
        "SELECT instantly_id, fingerprint FROM {} WHERE tenant_id = $1",
        shape(table).name
    )
}
