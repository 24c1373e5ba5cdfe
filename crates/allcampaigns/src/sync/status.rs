//! Where each stream of a tenant stands, for the connection page, the API and `sync status`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::live_job;
use crate::domain::{Stream, TenantId};
use crate::jobs::JobState;
use crate::store::{DynStore, Result, StreamState, Table};
use crate::text::Texts;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StreamStatus {
    pub stream: Stream,
    /// Live rows stored for this stream (none for streams that store no rows of their own).
    pub stored: Option<i64>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last failure, in plain words; cleared by the next success.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// Where the next page starts (an Instantly cursor).
    pub cursor: Option<String>,
    pub backfilled: bool,
    /// Objects read in the current pass, and the estimated total.
    pub done: i64,
    pub estimated_total: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SyncStatus {
    /// When the next cycle is due (none when sync is stopped or never started).
    pub next_run_at: Option<DateTime<Utc>>,
    pub running: bool,
    pub streams: Vec<StreamStatus>,
}

impl SyncStatus {
    /// The stored faults of the streams worded in `texts`' language (they are kept as codes).
    pub fn in_words(mut self, texts: &Texts) -> Self {
        for stream in &mut self.streams {
            stream.last_error = stream.last_error.take().map(|e| texts.stored_fault(&e));
        }
        self
    }

    /// Every stream has finished its first pass (reconciliation is a later, periodic pass).
    pub fn backfilled(&self) -> bool {
        self.streams
            .iter()
            .filter(|s| s.stream != Stream::LeadsReconcile)
            .all(|s| s.backfilled)
    }
}

/// The table whose live rows a stream's status counts.
fn table_of(stream: Stream) -> Option<Table> {
    Some(match stream {
        Stream::Campaigns => Table::Campaigns,
        Stream::Mailboxes => Table::Mailboxes,
        Stream::LeadLists => Table::LeadLists,
        Stream::LeadLabels => Table::LeadLabels,
        Stream::CustomTags => Table::CustomTags,
        Stream::CustomTagMappings => Table::CustomTagMappings,
        Stream::CampaignAnalytics => Table::CampaignDaily,
        Stream::MailboxAnalytics => Table::MailboxDaily,
        Stream::Emails => Table::Messages,
        Stream::Leads | Stream::LeadsReconcile => Table::Leads,
        Stream::Workspace => return None,
    })
}

pub async fn tenant_status(store: &DynStore, tenant: TenantId) -> Result<SyncStatus> {
    let states = store.stream_states(tenant).await?;
    let counts = store.stored_counts(tenant).await?;
    let job = live_job(store, tenant).await?;
    let now = Utc::now();
    let streams = Stream::ALL
        .iter()
        .map(|&stream| {
            let state = states
                .iter()
                .find(|s| stream == *s.stream)
                .cloned()
                .unwrap_or_else(|| StreamState::new(stream.as_str()));
            let stored = table_of(stream)
                .and_then(|t| counts.iter().find(|(table, _)| *table == t))
                .map(|(_, n)| *n);
            StreamStatus {
                stream,
                stored,
                last_success_at: state.last_success_at,
                last_error: state.last_error,
                last_error_at: state.last_error_at,
                cursor: state.cursor,
                backfilled: state.backfilled,
                done: state.done,
                estimated_total: state.estimated_total,
            }
        })
        .collect();
    Ok(SyncStatus {
        next_run_at: job.as_ref().map(|j| j.run_at),
        running: job.as_ref().is_some_and(|j| {
            j.state == JobState::Running && j.lease_until.is_some_and(|until| until > now)
        }),
        streams,
    })
}
