//! Inspection helpers for the catalogue tests: read a test database around the app's guards.

use std::collections::BTreeMap;

use allcampaigns::domain::TenantId;
use allcampaigns::store::Table;
use serde_json::json;
use sqlx::{Connection, Row, SqliteConnection};

use crate::helpers::TestDb;

/// A direct connection to this test's SQLite file.
pub async fn sqlite_file(db: &TestDb) -> SqliteConnection {
    let path = db.dir.path().join("allcampaigns.db");
    SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap()
}

/// Every row a tenant owns, per table (every table with a `tenant_id` column), as text that
/// shows each column's exact stored value, sorted.
pub async fn tenant_rows(db: &TestDb, tenant: TenantId) -> BTreeMap<String, Vec<String>> {
    if db.is_postgres() {
        postgres_rows(db, tenant).await
    } else {
        sqlite_rows(db, tenant).await
    }
}

async fn postgres_rows(db: &TestDb, tenant: TenantId) -> BTreeMap<String, Vec<String>> {
    let mut conn = db.superuser().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.table_name::text FROM information_schema.columns c \
         JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' \
         AND t.table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut all = BTreeMap::new();
    for table in tables {
        let sql =
            format!("SELECT row_to_json(t)::text FROM {table} t WHERE tenant_id = $1 ORDER BY 1");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(tenant)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        all.insert(table, rows);
    }
    all
}

async fn sqlite_rows(db: &TestDb, tenant: TenantId) -> BTreeMap<String, Vec<String>> {
    let mut conn = sqlite_file(db).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND p.name = 'tenant_id' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut all = BTreeMap::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        // quote() renders every type exactly, blobs as hex, NULL as NULL.
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {row} FROM \"{table}\" WHERE tenant_id = ? ORDER BY 1");
        let rows: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant)
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        all.insert(table, rows);
    }
    all
}

/// A row of `table` with every column filled by a plausible value, keys overridden.
pub fn row_for(table: Table, keys: &[(&str, serde_json::Value)]) -> serde_json::Value {
    use allcampaigns::store::{Kind, shape};
    let shape = shape(table);
    let mut row = serde_json::Map::new();
    for key in shape.key {
        row.insert((*key).into(), json!("k"));
    }
    for (column, kind) in shape.columns {
        let value = match (*column, kind) {
            ("direction", _) => json!("received"),
            (_, Kind::Text) => json!("x"),
            (_, Kind::Int) => json!(1),
            (_, Kind::Real) => json!(1.5),
            (_, Kind::Bool) => json!(true),
            (_, Kind::Time) => json!("2026-11-01T10:00:00.000Z"),
            (_, Kind::Day) => json!("2026-11-01"),
        };
        row.insert((*column).into(), value);
    }
    for (key, value) in keys {
        row.insert((*key).into(), value.clone());
    }
    serde_json::Value::Object(row)
}
