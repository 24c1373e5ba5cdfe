//! The storage interface: use-case shaped, grouped by area, tenant first.
//!
//! Two implementations: [`sqlite::SqliteStore`] (the embedded default, where the tenant filter in
//! every query is the guard) and [`postgres::PgStore`] (the same filter, plus row-level security
//! with the allowed tenants set per transaction). SQL text is shared where it is identical.

// Crate-wide for the inbox benchmark, which runs the inbox's statements alone beside the app.
pub(crate) mod db;
mod inbound_sql;
pub(crate) mod inbox_sql;
mod lead_state_sql;
mod leads_sql;
mod models;
mod notifications_sql;
mod pipeline_sql;
pub mod postgres;
mod read_cache;
mod replies_sql;
mod senders_sql;
pub(crate) mod shared;
mod sql;
pub mod sqlite;
mod sync;
mod sync_sql;
mod sync_tables;
mod views_sql;
mod write_gate;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use models::*;
pub use postgres::{JobNotices, Notices};
/// The job queue's claim statements alone, for the jobs benchmark's raw rate.
pub use sql::{LEASE_NEXT_JOB, LEASE_NEXT_JOB_PG};
pub use sync::*;
pub use sync_sql::iso as sync_iso;
pub use sync_tables::{ALL_TABLES, Kind, Shape, shape};

use crate::config::{Config, DatabaseConfig};
use crate::domain::{Email, Role, TenantId, UserId};
use crate::inbound::InboundStore;
use crate::inbox::InboxStore;
use crate::inbox::senders::SenderStore;
use crate::inbox::views::ViewStore;
use crate::jobs::JobStore;
use crate::leads::LeadStore;
use crate::leads::list::LeadListStore;
use crate::leads::replies::ReplyStore;
use crate::leads::speed::SpeedStore;
use crate::leads::stages::PipelineStore;
use crate::leads::state::LeadStateStore;
use crate::leads::timeline::TimelineStore;
use crate::live::LiveStore;
use crate::notifications::NotificationStore;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or reference rule refused the change; the kind says which (the caller
    /// words it for a person).
    #[error("the change conflicts with stored data: {0:?}")]
    Conflict(ConflictKind),
    #[error("the last owner of a tenant cannot be removed or demoted")]
    LastOwner,
    /// Only an owner may change or remove an owner (checked inside the changing transaction).
    #[error("only an owner may change or remove an owner")]
    Forbidden,
    /// Another worker took over this job; the holder must stop without writing.
    #[error("the job's lease was lost to another worker")]
    LeaseLost,
    /// This process's other writes held SQLite's write lock for the whole wait.
    #[error("the database stayed busy with other writes; try again in a moment")]
    WriteBusy,
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

/// The conflicts the store can report, without the database's text (which could reveal
/// another tenant's rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    EmailTaken,
    AlreadyMember,
    AlreadyExists,
    MissingReference,
    ValueNotAllowed,
    LastInstallAdmin,
}

/// People, their sessions and their sign-in links. Not tenant data.
#[async_trait]
pub trait AccountStore {
    async fn create_user(&self, email: &Email, display_name: &str) -> Result<User>;
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    async fn update_profile(&self, id: UserId, profile: &Profile) -> Result<User>;
    async fn count_users(&self) -> Result<i64>;

    /// Stores a sign-in token and voids every older one for the same address and purpose.
    async fn create_sign_in_token(&self, token: &SignInToken) -> Result<()>;
    /// Takes a token once: a second call with the same hash finds nothing.
    async fn consume_sign_in_token(
        &self,
        hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<SignInToken>>;
    /// A live token, left in place: what the confirm page shows before anyone presses.
    async fn sign_in_token(&self, hash: &[u8], now: DateTime<Utc>) -> Result<Option<SignInToken>>;

    async fn create_session(&self, session: &Session) -> Result<()>;
    async fn session(&self, id_hash: &[u8]) -> Result<Option<Session>>;
    async fn touch_session(&self, id_hash: &[u8], now: DateTime<Utc>) -> Result<()>;
    async fn delete_session(&self, id_hash: &[u8]) -> Result<()>;
    async fn delete_user_sessions(&self, user: UserId) -> Result<u64>;

    async fn append_user_audit(&self, entry: &UserAuditEntry) -> Result<()>;
    /// A person's own audit entries, oldest first.
    async fn user_audit_entries(&self, user: UserId) -> Result<Vec<UserAuditEntry>>;

    async fn create_api_token(&self, token: &ApiToken, token_hash: &[u8]) -> Result<()>;
    /// The token with this hash, live or not; a read only, so an unknown bearer writes nothing.
    async fn api_token_by_hash(&self, token_hash: &[u8]) -> Result<Option<ApiToken>>;
    async fn mark_api_token_used(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<()>;
    async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>>;
    async fn revoke_api_token(
        &self,
        user: UserId,
        id: uuid::Uuid,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Revokes every live token of `user`; returns how many.
    async fn revoke_user_api_tokens(&self, user: UserId, now: DateTime<Utc>) -> Result<u64>;

    /// Deletes sessions past their end (or idle since `idle_before`), sign-in links and
    /// invitations past their expiry, and tokens expired or revoked by `now`.
    async fn prune_expired(&self, now: DateTime<Utc>, idle_before: DateTime<Utc>)
    -> Result<Pruned>;

    /// Install admins may create tenants and grant this to others (security review finding 2).
    async fn is_install_admin(&self, user: UserId) -> Result<bool>;
    async fn install_admins(&self) -> Result<Vec<InstallAdmin>>;
    /// Makes `user` an install admin; false when they already were one.
    async fn grant_install_admin(&self, user: UserId, by: Option<UserId>) -> Result<bool>;
    /// `NotFound` when `user` is not one; a conflict when they are the last one.
    async fn revoke_install_admin(&self, user: UserId) -> Result<()>;
}

/// Tenants and who may work in them.
#[async_trait]
pub trait TenantStore {
    /// Creates the tenant, with `owner` as its first owner when given (the command line creates
    /// tenants for an operator to staff later).
    async fn create_tenant(&self, owner: Option<UserId>, profile: &TenantProfile)
    -> Result<Tenant>;
    async fn tenant(&self, tenant: TenantId) -> Result<Option<Tenant>>;
    async fn update_tenant(&self, tenant: TenantId, profile: &TenantProfile) -> Result<Tenant>;
    async fn delete_tenant(&self, tenant: TenantId) -> Result<()>;
    /// The tenants a user belongs to, with their role in each, by name.
    async fn tenants_of_user(&self, user: UserId) -> Result<Vec<(Tenant, Role)>>;
    /// Every tenant id, for background work that visits each tenant in turn.
    async fn tenant_directory(&self) -> Result<Vec<TenantId>>;

    async fn add_member(&self, tenant: TenantId, user: UserId, role: Role) -> Result<()>;
    async fn member_role(&self, tenant: TenantId, user: UserId) -> Result<Option<Role>>;
    async fn members(&self, tenant: TenantId) -> Result<Vec<Member>>;
    /// The members of each of `tenants`, in one read.
    async fn members_of_tenants(&self, tenants: &[TenantId]) -> Result<Vec<TenantMember>>;
    /// Changes a member's role for an actor of role `by`, returning the previous role. In one
    /// transaction: only owners touch owners (`Forbidden`), a tenant keeps an owner, and the
    /// member's open invitations that the new role cannot grant are voided.
    async fn set_member_role(
        &self,
        tenant: TenantId,
        user: UserId,
        role: Role,
        by: Role,
    ) -> Result<Role>;
    /// Removes a member for an actor of role `by` (same rules), voiding every invitation they
    /// sent; returns the role they had.
    async fn remove_member(&self, tenant: TenantId, user: UserId, by: Role) -> Result<Role>;

    async fn create_invitation(&self, tenant: TenantId, invitation: &Invitation) -> Result<()>;
    /// Stores the invitation and its audit entry in one transaction: both or neither.
    async fn create_invitation_audited(
        &self,
        tenant: TenantId,
        invitation: &Invitation,
        entry: &NewAuditEntry,
    ) -> Result<()>;
    async fn invitations(&self, tenant: TenantId) -> Result<Vec<Invitation>>;
    /// Takes an invitation once by its token hash.
    async fn take_invitation(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>>;

    /// An invitation by its token hash, left in place (what the accept page shows).
    async fn invitation_by_token(
        &self,
        tenant: TenantId,
        token_hash: &[u8],
    ) -> Result<Option<Invitation>>;
    /// Deletes an open invitation by id, returning it.
    async fn withdraw_invitation(
        &self,
        tenant: TenantId,
        id: uuid::Uuid,
    ) -> Result<Option<Invitation>>;
}

/// The per-tenant audit trail (append-only) and the operational request log.
#[async_trait]
pub trait AuditStore {
    async fn append_audit(&self, tenant: TenantId, entry: &NewAuditEntry) -> Result<AuditEntry>;
    async fn audit_entries(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>>;
    async fn insert_request_log(&self, entries: &[RequestLogEntry]) -> Result<()>;
    async fn prune_request_log(&self, before: DateTime<Utc>) -> Result<u64>;
    async fn count_request_log(&self) -> Result<i64>;
}

/// Instantly connections and every stored secret, for rotation.
#[async_trait]
pub trait ConnectionStore {
    async fn save_connection(
        &self,
        tenant: TenantId,
        connection: &NewConnection,
    ) -> Result<Connection>;
    async fn connection(&self, tenant: TenantId) -> Result<Option<Connection>>;
    async fn set_connection_status(&self, tenant: TenantId, status: &ConnectionCheck)
    -> Result<()>;
    async fn delete_connection(&self, tenant: TenantId) -> Result<()>;
    /// Whether another tenant has this Instantly workspace connected (yes or no, never which).
    async fn workspace_connected_elsewhere(
        &self,
        tenant: TenantId,
        workspace_id: &str,
    ) -> Result<bool>;

    async fn key_checks(&self) -> Result<Vec<KeyCheck>>;
    async fn add_key_check(&self, check: &KeyCheck) -> Result<()>;
    async fn delete_key_check(&self, key_id: u32) -> Result<()>;
    /// Secrets of one tenant sealed with any key other than `key_id`.
    async fn secrets_not_under(&self, tenant: TenantId, key_id: u32) -> Result<Vec<StoredSecret>>;
    /// Swaps one sealed secret for another, only if it still holds `old`.
    async fn replace_secret(
        &self,
        old: &StoredSecret,
        new_envelope: &[u8],
        new_key_id: u32,
    ) -> Result<bool>;
    /// How many secrets each key id seals, across every tenant.
    async fn secret_key_usage(&self) -> Result<Vec<(u32, i64)>>;
}

/// How many times each master key has sealed (RELIABILITY SEC-03), kept beside the key's
/// check value so the count outlives every process that adds to it.
#[async_trait]
pub trait SealCountStore {
    async fn seal_counts(&self) -> Result<Vec<(u32, u64)>>;
    /// Adds `seals` to a key's count and answers the new total; `None` when the key has no
    /// check value stored yet.
    async fn add_seals(&self, key_id: u32, seals: u64) -> Result<Option<u64>>;
}

/// Health of the store itself.
#[async_trait]
pub trait StoreHealth {
    /// The database answers and every migration this build knows is applied.
    async fn ready(&self) -> Result<bool>;
    fn backend(&self) -> Backend;
}

pub trait Store:
    AccountStore
    + TenantStore
    + AuditStore
    + ConnectionStore
    + SealCountStore
    + SyncStore
    + JobStore
    + LiveStore
    + InboxStore
    + ViewStore
    + SenderStore
    + LeadStore
    + PipelineStore
    + LeadStateStore
    + TimelineStore
    + SpeedStore
    + LeadListStore
    + ReplyStore
    + NotificationStore
    + InboundStore
    + StoreHealth
    + Send
    + Sync
{
}
impl<T> Store for T where
    T: AccountStore
        + TenantStore
        + AuditStore
        + ConnectionStore
        + SealCountStore
        + SyncStore
        + JobStore
        + LiveStore
        + InboxStore
        + ViewStore
        + SenderStore
        + LeadStore
        + PipelineStore
        + LeadStateStore
        + TimelineStore
        + SpeedStore
        + LeadListStore
        + ReplyStore
        + NotificationStore
        + InboundStore
        + StoreHealth
        + Send
        + Sync
{
}

pub type DynStore = Arc<dyn Store>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens the configured store; migrates first when `migrate` is set (on PostgreSQL only when an
/// owner connection is configured, since the app role may not change the schema).
pub async fn open(config: &Config, migrate: bool) -> anyhow::Result<DynStore> {
    match &config.database {
        DatabaseConfig::Sqlite { path } => {
            let store = sqlite::SqliteStore::open(path, config.db_max_connections)
                .await?
                .with_read_cache(config.inbox_cache);
            store.migrate().await?;
            Ok(Arc::new(store))
        }
        DatabaseConfig::Postgres {
            url,
            migrate_url,
            app_role,
        } => {
            if let (true, Some(owner_url)) = (migrate, migrate_url) {
                postgres::migrate(owner_url, app_role).await?;
            }
            let store = postgres::PgStore::connect(url, config.db_max_connections)
                .await?
                .with_read_cache(config.inbox_cache);
            store.refuse_privileged_role().await?;
            if !store.ready().await.unwrap_or(false) {
                anyhow::bail!(
                    "the PostgreSQL database is not migrated: run `allcampaigns migrate` with \
                     ALLCAMPAIGNS_MIGRATE_DATABASE_URL set to the owner role"
                );
            }
            Ok(Arc::new(store))
        }
    }
}

/// `allcampaigns migrate`: on PostgreSQL as the owner (the migrate URL, or `DATABASE_URL` when
/// that is the owner), creating and granting the app role.
pub async fn migrate_only(config: &Config) -> anyhow::Result<()> {
    match &config.database {
        DatabaseConfig::Sqlite { path } => {
            sqlite::SqliteStore::open(path, 1).await?.migrate().await
        }
        DatabaseConfig::Postgres {
            url,
            migrate_url,
            app_role,
        } => postgres::migrate(migrate_url.as_ref().unwrap_or(url), app_role).await,
    }
}

/// The Instantly API key of a tenant's connection, as a secret to re-encrypt.
fn connection_secret(tenant: TenantId, envelope: Vec<u8>) -> StoredSecret {
    StoredSecret {
        tenant,
        purpose: crate::crypto::Purpose::InstantlyApiKey,
        row: tenant.to_string(),
        envelope,
    }
}

/// The rules of a member change by an actor of role `by`, given the member's `current` role
/// (`None`: not a member) and `next` role (`None`: removal): only owners touch owners, and a
/// tenant keeps an owner.
fn member_change_rule(
    current: Option<&str>,
    other_owners: i64,
    next: Option<Role>,
    by: Role,
) -> Result<Role> {
    let current: Role = current
        .and_then(|role| role.parse().ok())
        .ok_or(StoreError::NotFound)?;
    if (current == Role::Owner || next == Some(Role::Owner)) && by != Role::Owner {
        return Err(StoreError::Forbidden);
    }
    last_owner_rule(Some(current.as_str()), other_owners, next)?;
    Ok(current)
}

/// A member's role after a change, as `VOID_INVITATIONS_OF` reads it (`None`: removed).
fn role_after(next: Option<Role>) -> &'static str {
    next.map_or("none", Role::as_str)
}

/// A member change is refused when it would leave a tenant without an owner.
/// `next` is the new role, or `None` when the member is being removed.
fn last_owner_rule(current: Option<&str>, other_owners: i64, next: Option<Role>) -> Result<()> {
    match current {
        None => Err(StoreError::NotFound),
        Some("owner") if other_owners == 0 && next != Some(Role::Owner) => {
            Err(StoreError::LastOwner)
        }
        _ => Ok(()),
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            // SQLite names no constraint; its message names the columns instead.
            let constraint = db.constraint().unwrap_or(db.message());
            if let Some(kind) = conflict_kind(constraint, db.kind()) {
                return StoreError::Conflict(kind);
            }
        }
        StoreError::Database(error)
    }
}

/// Which conflict a constraint violation is, from the constraint's name (or SQLite's message).
fn conflict_kind(constraint: &str, kind: sqlx::error::ErrorKind) -> Option<ConflictKind> {
    use sqlx::error::ErrorKind::*;
    match kind {
        UniqueViolation => Some(match constraint {
            c if c.contains("email") => ConflictKind::EmailTaken,
            c if c.contains("memberships") => ConflictKind::AlreadyMember,
            _ => ConflictKind::AlreadyExists,
        }),
        ForeignKeyViolation => Some(ConflictKind::MissingReference),
        CheckViolation => Some(ConflictKind::ValueNotAllowed),
        _ => None,
    }
}

/// A stream's state as a row of `sync_streams`, to be written with the page it describes.
fn stream_state_write(state: &StreamState, now: DateTime<Utc>) -> Write {
    let time = |t: Option<DateTime<Utc>>| t.map(sync_sql::iso);
    let row = serde_json::json!({
        "stream": state.stream,
        "cursor": state.cursor,
        "watermark": time(state.watermark),
        "backfilled": state.backfilled,
        "done": state.done,
        "estimated_total": state.estimated_total,
        "last_success_at": time(state.last_success_at),
        "last_error": state.last_error,
        "last_error_at": time(state.last_error_at),
        "reconciled_at": time(state.reconciled_at),
        "next_run_at": time(state.next_run_at),
        "updated_at": sync_sql::iso(now),
    });
    Write::Upsert {
        table: Table::SyncStreams,
        rows: serde_json::Value::Array(vec![row]),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The store speaks no user words: conflicts carry a kind that `AppError` words (code review
    /// 1.2; issue 11 point 3), so `store` and `text` do not import each other.
    #[test]
    fn the_store_does_not_import_text() {
        fn visit(dir: &Path, offenders: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, offenders);
                } else if std::fs::read_to_string(&path)
                    .unwrap()
                    .contains(concat!("crate::", "text"))
                {
                    offenders.push(path.display().to_string());
                }
            }
        }
        let mut offenders = Vec::new();
        visit(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store"),
            &mut offenders,
        );
        assert!(offenders.is_empty(), "{offenders:?}");
    }
}
