//! The raw engine rate for the rows the sync just wrote: the same rows inserted again under a
//! second tenant, by the fastest plain means of each engine (same table, indexes and triggers).

use std::path::Path;
use std::time::Instant;

use allcampaigns::config::Sources;
use allcampaigns::domain::TenantId;
use allcampaigns::store::{DynStore, Kind, Table, TenantProfile, shape};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};

const TABLES: [Table; 2] = [Table::Leads, Table::Messages];

pub struct Pg {
    owner_url: String,
    base: String,
    name: String,
}

impl Pg {
    /// Removes the run's database.
    pub async fn drop_database(&self) -> anyhow::Result<()> {
        let mut admin = PgConnection::connect(&self.base).await?;
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await?;
        Ok(())
    }
}

fn with_database(base: &str, name: &str, user: Option<&str>) -> String {
    let mut url = url::Url::parse(base).expect("a PostgreSQL URL");
    url.set_path(name);
    if let Some(user) = user {
        url.set_username(user).expect("a user");
    }
    url.to_string()
}

/// A fresh database for the run, configured as an install would be (two roles).
pub async fn fresh_postgres(sources: &mut Sources) -> anyhow::Result<Pg> {
    let base = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("ac_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&base).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    let owner_url = with_database(&base, &name, None);
    let env = &mut sources.env;
    env.insert(
        "DATABASE_URL".into(),
        with_database(&base, &name, Some("allcampaigns_app")),
    );
    env.insert(
        "ALLCAMPAIGNS_MIGRATE_DATABASE_URL".into(),
        owner_url.clone(),
    );
    let key = allcampaigns::crypto::format_key(1, &[7; 32]);
    env.insert("ALLCAMPAIGNS_MASTER_KEY".into(), key.to_string());
    Ok(Pg {
        owner_url,
        base,
        name,
    })
}

fn columns(table: Table) -> Vec<(&'static str, Kind)> {
    let shape = shape(table);
    shape
        .key
        .iter()
        .map(|c| (*c, Kind::Text))
        .chain(shape.columns.iter().copied())
        .collect()
}

/// COPY out, then COPY in under a second tenant; only the COPY in is timed.
pub async fn postgres(pg: &Pg, tenant: TenantId) -> anyhow::Result<Vec<(&'static str, f64)>> {
    let mut conn = PgConnection::connect(&pg.owner_url).await?;
    let copy = TenantId::new();
    sqlx::query("INSERT INTO tenants (tenant_id, name, created_at, updated_at) VALUES ($1, 'raw', now(), now())")
        .bind(copy)
        .execute(&mut conn)
        .await?;
    let mut rates = Vec::new();
    for table in TABLES {
        let name = shape(table).name;
        let cols: Vec<&str> = columns(table).iter().map(|(c, _)| *c).collect();
        let list = cols.join(", ");
        let out = format!(
            "COPY (SELECT '{copy}'::uuid, {list} FROM {name} WHERE tenant_id = '{tenant}') TO STDOUT"
        );
        let mut data = Vec::new();
        let mut stream = conn.copy_out_raw(&out).await?;
        while let Some(chunk) = futures::StreamExt::next(&mut stream).await {
            data.extend_from_slice(&chunk?);
        }
        drop(stream);
        let rows = data.iter().filter(|b| **b == b'\n').count();
        let started = Instant::now();
        let into = format!("COPY {name} (tenant_id, {list}) FROM STDIN");
        let mut sink = conn.copy_in_raw(&into).await?;
        sink.send(data).await?;
        sink.finish().await?;
        rates.push((name, rows as f64 / started.elapsed().as_secs_f64()));
    }
    Ok(rates)
}

enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

/// Reads the rows back, then times prepared single-row inserts in transactions of 10,000.
pub async fn sqlite(
    path: &Path,
    store: &DynStore,
    tenant: TenantId,
) -> anyhow::Result<Vec<(&'static str, f64)>> {
    let profile = TenantProfile {
        name: "raw".into(),
        ..Default::default()
    };
    let copy = store.create_tenant(None, &profile).await?.id;
    let mut conn = SqliteConnection::connect(&format!("sqlite:{}", path.display())).await?;
    let mut rates = Vec::new();
    for table in TABLES {
        let name = shape(table).name;
        let cols = columns(table);
        let list: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
        let select = format!(
            "SELECT {} FROM {name} WHERE tenant_id = $1",
            list.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(select))
            .bind(tenant)
            .fetch_all(&mut conn)
            .await?;
        let values: Vec<Vec<Val>> = rows
            .iter()
            .map(|row| {
                cols.iter()
                    .enumerate()
                    .map(|(i, (_, kind))| match kind {
                        Kind::Int | Kind::Bool => Val::Int(row.get(i)),
                        Kind::Real => Val::Real(row.get(i)),
                        _ => Val::Text(row.get(i)),
                    })
                    .collect()
            })
            .collect();
        drop(rows);
        let marks: Vec<String> = (2..=cols.len() + 1).map(|n| format!("${n}")).collect();
        let insert = format!(
            "INSERT INTO {name} (tenant_id, {}) VALUES ($1, {})",
            list.join(", "),
            marks.join(", ")
        );
        let started = Instant::now();
        for chunk in values.chunks(10_000) {
            let mut tx = conn.begin().await?;
            for row in chunk {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone())).bind(copy);
                for value in row {
                    query = match value {
                        Val::Text(v) => query.bind(v.clone()),
                        Val::Int(v) => query.bind(*v),
                        Val::Real(v) => query.bind(*v),
                    };
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        rates.push((name, values.len() as f64 / started.elapsed().as_secs_f64()));
    }
    Ok(rates)
}
