//! The one place that matches on the backend for plain statements: a unit of work opens for a
//! [`Scope`], binds [`Param`]s, and runs shared `$N` SQL on whichever database is configured.
//! Store methods written on top of it are written once for both backends, with their scope in
//! plain sight.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::error::BoxDynError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::types::Json;
use sqlx::{Arguments, FromRow, Postgres, SqlSafeStr, Sqlite, Transaction};
use uuid::Uuid;

use super::read_cache::{READ_CACHE_TTL, ReadCache};
use super::sync_sql::iso;
pub use super::write_gate::WriteGate;
use super::write_gate::{Turn, Writer};
use super::{Backend, Result, StoreError};
use crate::domain::{TenantId, UserId};

/// The database a store runs on. Cloning shares the pool (and SQLite's write gate) and the
/// inbox reads kept between changes.
#[derive(Clone)]
pub struct Db {
    engine: Engine,
    reads: Arc<ReadCache>,
}

#[derive(Clone)]
pub enum Engine {
    Sqlite(SqlitePool, WriteGate),
    Postgres(PgPool),
}

/// How long a write waits for its turn (here) or for the file's lock (SQLite's busy timeout)
/// before it fails.
pub const WRITE_WAIT: Duration = Duration::from_secs(10);

/// What a unit of work may see. PostgreSQL enforces it with row-level security; on SQLite the
/// tenant filter each statement carries is the guard, and the scope documents it.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Data that belongs to no tenant (people, sessions, tokens, key checks).
    Global,
    Tenant(TenantId),
    Tenants(&'a [TenantId]),
    /// A person's own memberships, and no tenant's data.
    User(UserId),
}

/// Any row type that decodes on both backends: what `#[derive(sqlx::FromRow)]` already gives.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

impl From<super::sync_sql::Param> for Param {
    fn from(value: super::sync_sql::Param) -> Self {
        match value {
            super::sync_sql::Param::Json(json) => Param::Json(json),
            super::sync_sql::Param::Text(text) => Param::Text(text),
        }
    }
}

/// A store built on [`Db`]: the area traits are implemented once for every such store.
pub trait SqlBacked: Send + Sync {
    fn db(&self) -> &Db;
}

/// One bound value. Each variant encodes the same way as the code before it bound it, so
/// existing databases read the same.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    /// An instant in an application table: sqlx's own encoding on each backend.
    Time(Option<DateTime<Utc>>),
    /// An instant in a table sync and the job queue compare as text on SQLite: fixed-width ISO
    /// (milliseconds, `Z`) there, `timestamptz` on PostgreSQL.
    SyncTime(DateTime<Utc>),
    Bytes(Vec<u8>),
    Json(serde_json::Value),
}

/// The parameters of one statement, `$1` first.
#[derive(Debug, Default, Clone)]
pub struct Args(Vec<Param>);

impl Args {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn bind(mut self, value: impl Into<Param>) -> Self {
        self.0.push(value.into());
        self
    }

    /// How many parameters are bound: the last placeholder's number.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Binds each value and answers their placeholders (`$k, $k+1, …`) for an `IN (…)` list.
    pub fn bind_list<T: Into<Param> + Copy>(mut self, values: &[T]) -> (Self, String) {
        let mut list = Vec::with_capacity(values.len());
        for &value in values {
            self.0.push(value.into());
            list.push(format!("${}", self.0.len()));
        }
        (self, list.join(", "))
    }

    fn sqlite(self) -> Result<SqliteArguments> {
        self.sqlite_args()
            .map_err(|e| sqlx::Error::Encode(e).into())
    }

    fn postgres(self) -> Result<PgArguments> {
        self.postgres_args()
            .map_err(|e| sqlx::Error::Encode(e).into())
    }

    pub(crate) fn sqlite_args(self) -> Result<SqliteArguments, BoxDynError> {
        let mut args = SqliteArguments::default();
        for param in self.0 {
            match param {
                Param::Uuid(v) => args.add(v),
                Param::Text(v) => args.add(v),
                Param::Int(v) => args.add(v),
                Param::Bool(v) => args.add(v),
                Param::Time(v) => args.add(v),
                Param::SyncTime(v) => args.add(iso(v)),
                Param::Bytes(v) => args.add(v),
                Param::Json(v) => args.add(Json(v)),
            }?;
        }
        Ok(args)
    }

    fn postgres_args(self) -> Result<PgArguments, BoxDynError> {
        let mut args = PgArguments::default();
        for param in self.0 {
            match param {
                Param::Uuid(v) => args.add(v),
                Param::Text(v) => args.add(v),
                Param::Int(v) => args.add(v),
                Param::Bool(v) => args.add(v),
                Param::Time(v) => args.add(v),
                Param::SyncTime(v) => args.add(v),
                Param::Bytes(v) => args.add(v),
                Param::Json(v) => args.add(Json(v)),
            }?;
        }
        Ok(args)
    }
}

impl Db {
    pub fn sqlite(pool: SqlitePool) -> Self {
        Self::on(Engine::Sqlite(pool, WriteGate::default()))
    }

    pub fn postgres(pool: PgPool) -> Self {
        Self::on(Engine::Postgres(pool))
    }

    fn on(engine: Engine) -> Self {
        Self {
            engine,
            reads: Arc::new(ReadCache::new(READ_CACHE_TTL)),
        }
    }

    /// Keeps inbox reads for `ttl` at most (zero: not at all).
    pub fn with_read_cache(self, ttl: Duration) -> Self {
        Self {
            reads: Arc::new(ReadCache::new(ttl)),
            ..self
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn reads(&self) -> &ReadCache {
        &self.reads
    }

    /// Opens a unit of work. PostgreSQL: `BEGIN` and the scope set with `set_config(…, true)`,
    /// so it dies with the transaction (a global read runs on a plain connection). SQLite: a plain
    /// connection to read, `BEGIN IMMEDIATE` to write, so read-then-write rules hold.
    pub async fn begin(&self, scope: Scope<'_>, write: bool) -> Result<Tx> {
        self.open(scope, write.then_some(Writer::Person)).await
    }

    /// Opens a unit of work that writes in the background (sync's pages): on SQLite it lets
    /// people's writes queued meanwhile go first (see [`WriteGate`]).
    pub async fn begin_background(&self, scope: Scope<'_>) -> Result<Tx> {
        self.open(scope, Some(Writer::Background)).await
    }

    async fn open(&self, scope: Scope<'_>, writer: Option<Writer>) -> Result<Tx> {
        let write = writer.is_some();
        let inner = match &self.engine {
            Engine::Sqlite(pool, gate) if let Some(writer) = writer => {
                let turn = tokio::time::timeout(WRITE_WAIT, gate.turn(writer))
                    .await
                    .map_err(|_| StoreError::WriteBusy)?;
                Inner::SqliteTx(pool.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            Engine::Sqlite(pool, _) => Inner::SqliteConn(pool.acquire().await?),
            Engine::Postgres(pool) => match scope_setting(scope) {
                None if !write => Inner::PgConn(pool.acquire().await?),
                None => Inner::PgTx(pool.begin().await?),
                Some((set_config, value)) => {
                    let mut tx = pool.begin().await?;
                    sqlx::query(set_config)
                        .bind(value)
                        .execute(&mut *tx)
                        .await?;
                    Inner::PgTx(tx)
                }
            },
        };
        let changes = match scope {
            Scope::Tenant(tenant) if write => vec![tenant],
            Scope::Tenants(tenants) if write => tenants.to_vec(),
            _ => Vec::new(),
        };
        Ok(Tx {
            inner,
            reads: self.reads.clone(),
            changes,
        })
    }
}

impl Db {
    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::Sqlite(..) => Backend::Sqlite,
            Engine::Postgres(_) => Backend::Postgres,
        }
    }

    /// The one of two statements that asks this backend the same question (PostgreSQL asks
    /// some across tenants through a definer function).
    pub fn either(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self.engine {
            Engine::Sqlite(..) => sqlite,
            Engine::Postgres(_) => postgres,
        }
    }
}

/// The PostgreSQL setting row-level security reads for a scope, and its value.
fn scope_setting(scope: Scope<'_>) -> Option<(&'static str, String)> {
    const TENANTS: &str = "SELECT set_config('app.tenant_ids', $1, true)";
    const USER: &str = "SELECT set_config('app.user_id', $1, true)";
    let tenants = |ids: &[TenantId]| {
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        ids.join(",")
    };
    match scope {
        Scope::Global => None,
        Scope::Tenant(tenant) => Some((TENANTS, tenants(&[tenant]))),
        Scope::Tenants(ids) => Some((TENANTS, tenants(ids))),
        Scope::User(user) => Some((USER, user.to_string())),
    }
}

/// An open unit of work: commit it to keep its writes; dropping it rolls them back.
pub struct Tx {
    inner: Inner,
    reads: Arc<ReadCache>,
    /// The tenants a write may change: their kept reads end when it commits. Every write to a
    /// tenant's data runs in its scope (PostgreSQL's row-level security refuses it otherwise).
    changes: Vec<TenantId>,
}

enum Inner {
    /// A write, and this process's turn at SQLite's write lock, held until it ends.
    SqliteTx(Transaction<'static, Sqlite>, Turn),
    SqliteConn(PoolConnection<Sqlite>),
    PgTx(Transaction<'static, Postgres>),
    PgConn(PoolConnection<Postgres>),
}

/// The connection under a [`Tx`], for the few statements that differ by backend.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::SqliteTx(..) | Inner::SqliteConn(_) => Backend::Sqlite,
            Inner::PgTx(_) | Inner::PgConn(_) => Backend::Postgres,
        }
    }

    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            Inner::SqliteTx(tx, _) => Conn::Sqlite(tx),
            Inner::SqliteConn(conn) => Conn::Sqlite(conn),
            Inner::PgTx(tx) => Conn::Postgres(tx),
            Inner::PgConn(conn) => Conn::Postgres(conn),
        }
    }

    pub async fn fetch_optional<T: Row>(
        &mut self,
        sql: impl SqlSafeStr + Send,
        args: Args,
    ) -> Result<Option<T>> {
        Ok(match self.conn() {
            Conn::Sqlite(c) => {
                let query = sqlx::query_as_with(sql, args.sqlite()?);
                query.fetch_optional(c).await?
            }
            Conn::Postgres(c) => {
                let query = sqlx::query_as_with(sql, args.postgres()?);
                query.fetch_optional(c).await?
            }
        })
    }

    pub async fn fetch_one<T: Row>(
        &mut self,
        sql: impl SqlSafeStr + Send,
        args: Args,
    ) -> Result<T> {
        Ok(match self.conn() {
            Conn::Sqlite(c) => {
                let query = sqlx::query_as_with(sql, args.sqlite()?);
                query.fetch_one(c).await?
            }
            Conn::Postgres(c) => {
                let query = sqlx::query_as_with(sql, args.postgres()?);
                query.fetch_one(c).await?
            }
        })
    }

    pub async fn fetch_all<T: Row>(
        &mut self,
        sql: impl SqlSafeStr + Send,
        args: Args,
    ) -> Result<Vec<T>> {
        Ok(match self.conn() {
            Conn::Sqlite(c) => {
                let query = sqlx::query_as_with(sql, args.sqlite()?);
                query.fetch_all(c).await?
            }
            Conn::Postgres(c) => {
                let query = sqlx::query_as_with(sql, args.postgres()?);
                query.fetch_all(c).await?
            }
        })
    }

    /// The single value of a single row.
    pub async fn scalar<T>(&mut self, sql: impl SqlSafeStr + Send, args: Args) -> Result<T>
    where
        (T,): Row,
    {
        let (value,) = self.fetch_one(sql, args).await?;
        Ok(value)
    }

    /// The first column of every row.
    pub async fn scalars<T>(&mut self, sql: impl SqlSafeStr + Send, args: Args) -> Result<Vec<T>>
    where
        (T,): Row,
    {
        let rows: Vec<(T,)> = self.fetch_all(sql, args).await?;
        Ok(rows.into_iter().map(|(value,)| value).collect())
    }

    /// Runs a statement; returns how many rows it changed.
    pub async fn execute(&mut self, sql: impl SqlSafeStr + Send, args: Args) -> Result<u64> {
        Ok(match self.conn() {
            Conn::Sqlite(c) => {
                let query = sqlx::query_with(sql, args.sqlite()?);
                query.execute(c).await?.rows_affected()
            }
            Conn::Postgres(c) => {
                let query = sqlx::query_with(sql, args.postgres()?);
                query.execute(c).await?.rows_affected()
            }
        })
    }

    /// Narrows an open PostgreSQL transaction to one tenant's rows from here on (a claim finds
    /// the tenant, then reads its job in that tenant's scope without a second transaction).
    /// SQLite has no row-level security: nothing to narrow.
    pub async fn narrow_to(&mut self, tenant: TenantId) -> Result<()> {
        if let Some((set_config, value)) = scope_setting(Scope::Tenant(tenant))
            && self.backend() == Backend::Postgres
        {
            self.execute(set_config, Args::new().bind(value)).await?;
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        match self.inner {
            Inner::SqliteTx(tx, _turn) => tx.commit().await?,
            Inner::PgTx(tx) => tx.commit().await?,
            Inner::SqliteConn(_) | Inner::PgConn(_) => {}
        }
        // After the commit: a read that saw the old generation began before the change.
        self.reads.changed(&self.changes);
        Ok(())
    }
}

impl From<Uuid> for Param {
    fn from(value: Uuid) -> Self {
        Param::Uuid(Some(value))
    }
}

impl From<Option<Uuid>> for Param {
    fn from(value: Option<Uuid>) -> Self {
        Param::Uuid(value)
    }
}

impl From<TenantId> for Param {
    fn from(value: TenantId) -> Self {
        Param::Uuid(Some(value.as_uuid()))
    }
}

impl From<UserId> for Param {
    fn from(value: UserId) -> Self {
        Param::Uuid(Some(value.as_uuid()))
    }
}

impl From<Option<TenantId>> for Param {
    fn from(value: Option<TenantId>) -> Self {
        Param::Uuid(value.map(|id| id.as_uuid()))
    }
}

impl From<Option<UserId>> for Param {
    fn from(value: Option<UserId>) -> Self {
        Param::Uuid(value.map(|id| id.as_uuid()))
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Param::Text(Some(value.to_owned()))
    }
}

impl From<&String> for Param {
    fn from(value: &String) -> Self {
        Param::Text(Some(value.clone()))
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Param::Text(Some(value))
    }
}

impl From<Option<&str>> for Param {
    fn from(value: Option<&str>) -> Self {
        Param::Text(value.map(str::to_owned))
    }
}

impl From<&Option<String>> for Param {
    fn from(value: &Option<String>) -> Self {
        Param::Text(value.clone())
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Param::Int(Some(value))
    }
}

impl From<Option<i64>> for Param {
    fn from(value: Option<i64>) -> Self {
        Param::Int(value)
    }
}

impl From<bool> for Param {
    fn from(value: bool) -> Self {
        Param::Bool(value)
    }
}

impl From<DateTime<Utc>> for Param {
    fn from(value: DateTime<Utc>) -> Self {
        Param::Time(Some(value))
    }
}

impl From<Option<DateTime<Utc>>> for Param {
    fn from(value: Option<DateTime<Utc>>) -> Self {
        Param::Time(value)
    }
}

impl From<&[u8]> for Param {
    fn from(value: &[u8]) -> Self {
        Param::Bytes(value.to_vec())
    }
}

impl From<&Vec<u8>> for Param {
    fn from(value: &Vec<u8>) -> Self {
        Param::Bytes(value.clone())
    }
}

impl From<&serde_json::Value> for Param {
    fn from(value: &serde_json::Value) -> Self {
        Param::Json(value.clone())
    }
}
