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

/// Membership in the JSON array of ids bound at `$n`. On PostgreSQL an array (`= ANY`) lets the index take the
/// ids as its condition; an `IN (subquery)` was planned as a semi join over every row of the
/// tenant while the table's statistics were still those of an empty table.
fn in_json(dialect: Dialect, n: u8) -> String {
    match dialect {
        Dialect::Sqlite => format!("IN (SELECT value FROM json_each(${n}))"),
        Dialect::Postgres => format!("= ANY(ARRAY(SELECT jsonb_array_elements_text(${n})))"),
    }
}

/// Absence from a JSON array of ids (a hashed subplan on PostgreSQL).
fn not_in_json(dialect: Dialect, n: u8) -> String {
    match dialect {
        Dialect::Sqlite => format!("NOT IN (SELECT value FROM json_each(${n}))"),
        Dialect::Postgres => format!("NOT IN (SELECT jsonb_array_elements_text(${n}))"),
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
                 AND instantly_id {}",
                shape(*table).name,
                time_param(dialect, 3),
                not_in_json(dialect, 2)
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
                 AND instantly_id {} \
                 AND ($4 IS NULL OR instantly_id > $4) AND ($5 IS NULL OR instantly_id <= $5)",
                shape(*table).name,
                time_param(dialect, 3),
                not_in_json(dialect, 2)
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

/// A thread row from its newest message, with counts over all of its messages, and its inbox
/// category: `primary` when a received message is a real reply (see [`REAL_REPLY`]).
fn refresh_threads(dialect: Dialect) -> String {
    let source = match dialect {
        Dialect::Sqlite => THREADS_BY_WINDOW.replace("{real}", REAL_REPLY),
        // One index probe per thread, whatever the statistics say: a backfill fills `messages`
        // from empty faster than they are gathered, and a plan made for a tiny table scanned
        // every message of the tenant for every page.
        Dialect::Postgres => THREADS_BY_PROBE.replace("{real}", REAL_REPLY),
    };
    format!(
        "INSERT INTO threads (tenant_id, thread_id, lead_id, lead_email, campaign_id, mailbox, \
             subject, message_count, unread_count, last_message_id, last_message_at, \
             last_direction, last_preview, interest_status, received_count, last_received_at, \
             category) \
         {source} \
         ON CONFLICT (tenant_id, thread_id) DO UPDATE SET lead_id = excluded.lead_id, \
             lead_email = excluded.lead_email, campaign_id = excluded.campaign_id, \
             mailbox = excluded.mailbox, subject = excluded.subject, \
             message_count = excluded.message_count, unread_count = excluded.unread_count, \
             last_message_id = excluded.last_message_id, \
             last_message_at = excluded.last_message_at, \
             last_direction = excluded.last_direction, last_preview = excluded.last_preview, \
             interest_status = excluded.interest_status, \
             received_count = excluded.received_count, \
             last_received_at = excluded.last_received_at, category = excluded.category \
         WHERE threads.message_count <> excluded.message_count \
             OR threads.unread_count <> excluded.unread_count \
             OR threads.last_message_id <> excluded.last_message_id \
             OR threads.category <> excluded.category \
             OR threads.interest_status {distinct} excluded.interest_status",
        distinct = distinct(dialect),
    )
}

/// A received message that needs a person: not an auto-reply or out-of-office (Instantly flags
/// those) and not a bounce from a mailer daemon or postmaster. Migration 0013 says the same.
const REAL_REPLY: &str = "direction = 'received' AND NOT is_auto_reply \
     AND lower(coalesce(from_address, '')) NOT LIKE 'mailer-daemon@%' \
     AND lower(coalesce(from_address, '')) NOT LIKE 'postmaster@%'";

const THREADS_BY_WINDOW: &str = "SELECT tenant_id, thread_id, lead_id, lead_email, campaign_id, \
         mailbox, subject, n, unread, instantly_id, timestamp_created, direction, \
         substr(body_text, 1, 200), interest_status, received, last_received, \
         CASE WHEN replies > 0 THEN 'primary' ELSE 'others' END \
     FROM (SELECT m.*, \
             ROW_NUMBER() OVER (PARTITION BY thread_id \
                 ORDER BY timestamp_created DESC, instantly_id DESC) AS newest, \
             COUNT(*) OVER (PARTITION BY thread_id) AS n, \
             SUM(is_unread) OVER (PARTITION BY thread_id) AS unread, \
             SUM(direction = 'received') OVER (PARTITION BY thread_id) AS received, \
             MAX(CASE WHEN direction = 'received' THEN timestamp_created END) \
                 OVER (PARTITION BY thread_id) AS last_received, \
             SUM({real}) OVER (PARTITION BY thread_id) AS replies \
           FROM messages m \
           WHERE tenant_id = $1 AND thread_id IN (SELECT value FROM json_each($2))) x \
     WHERE newest = 1";

const THREADS_BY_PROBE: &str = "SELECT $1, t.thread_id, m.lead_id, m.lead_email, m.campaign_id, \
         m.mailbox, m.subject, c.n, c.unread, m.instantly_id, m.timestamp_created, m.direction, \
         substr(m.body_text, 1, 200), m.interest_status, c.received, c.last_received, \
         CASE WHEN c.replies > 0 THEN 'primary' ELSE 'others' END \
     FROM (SELECT DISTINCT jsonb_array_elements_text($2) AS thread_id) t \
     CROSS JOIN LATERAL (SELECT COUNT(*) AS n, SUM(is_unread::int) AS unread, \
             COUNT(*) FILTER (WHERE direction = 'received') AS received, \
             MAX(timestamp_created) FILTER (WHERE direction = 'received') AS last_received, \
             COUNT(*) FILTER (WHERE {real}) AS replies \
         FROM messages WHERE tenant_id = $1 AND thread_id = t.thread_id) c \
     CROSS JOIN LATERAL (SELECT lead_id, lead_email, campaign_id, mailbox, subject, instantly_id, \
             timestamp_created, direction, body_text, interest_status \
         FROM messages WHERE tenant_id = $1 AND thread_id = t.thread_id \
         ORDER BY timestamp_created DESC, instantly_id DESC LIMIT 1) m";

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

/// Stored fingerprints of a table keyed by Instantly id.
pub fn fingerprints(table: Table) -> String {
    format!(
        "SELECT instantly_id, fingerprint FROM {} WHERE tenant_id = $1",
        shape(table).name
    )
}
