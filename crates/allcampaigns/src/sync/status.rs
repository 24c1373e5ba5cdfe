//! Where each stream of a tenant stands, for the connection page, the API and `sync status`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::JOB_KIND;
use super::cycle::STREAMS;
use crate::domain::TenantId;
use crate::store::{DynStore, Result, StreamState, Table};
use crate::text::Texts;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StreamStatus {
    pub stream: String,
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
            .filter(|s| s.stream != "leads_reconcile")
            .all(|s| s.backfilled)
    }
}

fn table_of(stream: &str) -> Option<Table> {
    Some(match stream {
        "campaigns" => Table::Campaigns,
        "mailboxes" => Table::Mailboxes,
        "lead_lists" => Table::LeadLists,
        "lead_labels" => Table::LeadLabels,
        "custom_tags" => Table::CustomTags,
        "custom_tag_mappings" => Table::CustomTagMappings,
        "campaign_analytics" => Table::CampaignDaily,
        "mailbox_analytics" => Table::MailboxDaily,
        "emails" => Table::Messages,
        "leads" | "leads_reconcile" => Table::Leads,
        _ => return None,
    })
}

pub async fn tenant_status(store: &DynStore, tenant: TenantId) -> Result<SyncStatus> {
    let states = store.stream_states(tenant).await?;
    let counts = store.stored_counts(tenant).await?;
    let job = store.job(tenant, JOB_KIND).await?;
    let now = Utc::now();
    let streams = STREAMS
        .iter()
        .map(|stream| {
            let state = states
                .iter()
                .find(|s| s.stream == *stream)
                .cloned()
                .unwrap_or_else(|| StreamState::new(stream));
            let stored = table_of(stream)
                .and_then(|t| counts.iter().find(|(table, _)| *table == t))
                .map(|(_, n)| *n);
            StreamStatus {
                stream: state.stream,
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
        running: job
            .as_ref()
            .is_some_and(|j| j.locked_until.is_some_and(|until| until > now)),
        streams,
    })
}
