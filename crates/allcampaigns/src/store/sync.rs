//! Storage for the Instantly copy: pages written with their checkpoint in one transaction, the
//! per-stream sync state and the suppression list. Sync's job lives in the job queue.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Result;
use crate::domain::TenantId;
use crate::jobs::Lease;

/// Where one stream of one tenant stands. Saved in the same transaction as the data it describes.
#[derive(Debug, Clone, PartialEq, Default, sqlx::FromRow)]
pub struct StreamState {
    pub stream: String,
    /// Where the next page starts (an Instantly cursor), or none to start from the beginning.
    pub cursor: Option<String>,
    /// The newest `timestamp_created` brought in, for incremental reads by time.
    pub watermark: Option<DateTime<Utc>>,
    /// The first full pass has finished.
    pub backfilled: bool,
    /// Objects read in the current pass, and the estimated total, for progress.
    pub done: i64,
    pub estimated_total: Option<i64>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last failure in plain words; cleared by the next success.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// When the last full reconciliation pass finished.
    pub reconciled_at: Option<DateTime<Utc>>,
    pub next_run_at: Option<DateTime<Utc>>,
}

impl StreamState {
    pub fn new(stream: &str) -> Self {
        Self {
            stream: stream.to_owned(),
            ..Self::default()
        }
    }
}

/// The tables sync writes. Each has a declared shape (see `sync_tables`), so the SQL for both
/// backends is generated from one description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Campaigns,
    CampaignSteps,
    CampaignTotals,
    CampaignDaily,
    CampaignStepTotals,
    Mailboxes,
    MailboxDaily,
    WarmupDaily,
    LeadLists,
    LeadLabels,
    CustomTags,
    CustomTagMappings,
    Leads,
    Messages,
    /// The checkpoints themselves: a stream's state is written like any other row.
    SyncStreams,
}

/// One change in a page's transaction. Rows travel as one JSON array per statement, so a page
/// of a hundred objects is one round trip on either backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Inserts or updates rows (objects with the table's column names); an unchanged row (same
    /// fingerprint) is left alone, and a row marked deleted comes back.
    Upsert { table: Table, rows: Value },
    /// After a complete scan: marks every live row not in `ids` deleted.
    MarkDeletedExcept { table: Table, ids: Vec<String> },
    /// After one page of a scan ordered by id: marks deleted the live rows whose id falls in
    /// `(after, through]` (open-ended where `None`) but are not in `ids`.
    MarkDeletedInRange {
        table: Table,
        after: Option<String>,
        through: Option<String>,
        ids: Vec<String>,
    },
    /// Removes the steps of these campaigns (before their current steps are written again).
    ClearCampaignSteps { campaign_ids: Vec<String> },
    /// Recomputes the thread rows of these Instantly thread ids from their messages.
    RefreshThreads { thread_ids: Vec<String> },
    /// Recomputes the per-tenant daily sums from the campaign daily rows since `from`.
    RefreshTenantDaily { from: chrono::NaiveDate },
}

#[async_trait]
pub trait SyncStore {
    async fn stream_states(&self, tenant: TenantId) -> Result<Vec<StreamState>>;
    /// Saves a stream's state alone (a failure, or a pass that wrote nothing).
    async fn save_stream_state(&self, tenant: TenantId, state: &StreamState) -> Result<()>;
    /// Applies a page's writes and saves the state in one transaction, only while `lease`
    /// still holds (else [`super::StoreError::LeaseLost`]), which it extends. Returns the rows
    /// changed.
    async fn apply(
        &self,
        tenant: TenantId,
        lease: Option<&Lease>,
        writes: &[Write],
        state: &StreamState,
    ) -> Result<u64>;
    /// Applies writes in a transaction of their own, without the stream's state: the first
    /// parts of a page split so that no transaction holds SQLite's write lock for long (the
    /// state follows with the last part, so a crash between them reads the page again, and
    /// the upserts make that harmless).
    async fn apply_part(
        &self,
        tenant: TenantId,
        lease: Option<&Lease>,
        writes: &[Write],
    ) -> Result<u64>;
    /// Live rows per table, for status and progress.
    async fn stored_counts(&self, tenant: TenantId) -> Result<Vec<(Table, i64)>>;
    /// Stored fingerprints of a small table (campaigns, mailboxes), by id.
    async fn fingerprints(&self, tenant: TenantId, table: Table) -> Result<Vec<(String, i64)>>;

    async fn suppressed_hashes(&self, tenant: TenantId) -> Result<Vec<Vec<u8>>>;
    async fn add_suppression(&self, tenant: TenantId, email_hash: &[u8]) -> Result<()>;
}
