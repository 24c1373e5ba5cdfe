//! One cycle over a tenant's streams, each recording its own success or failure.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;

use super::{Ctx, Progress, SyncError, SyncResult, emails, leads, small};
use crate::store::{StreamState, Table};

/// The streams, in the order a cycle visits them: the small sets first (threads and leads
/// refer to them), fresh messages before the long lead passes.
pub const STREAMS: [&str; 12] = [
    "workspace",
    "campaigns",
    "mailboxes",
    "lead_lists",
    "lead_labels",
    "custom_tags",
    "custom_tag_mappings",
    "campaign_analytics",
    "mailbox_analytics",
    "emails",
    "leads",
    "leads_reconcile",
];

#[derive(Debug, Clone, Serialize)]
pub struct StreamReport {
    pub stream: &'static str,
    #[serde(flatten)]
    pub progress: Progress,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CycleReport {
    pub streams: Vec<StreamReport>,
}

impl CycleReport {
    /// Some stream still has backfill or reconciliation work (the slice ran out).
    pub fn more(&self) -> bool {
        self.streams.iter().any(|s| s.progress.more)
    }

    pub fn failed(&self) -> impl Iterator<Item = &StreamReport> {
        self.streams.iter().filter(|s| s.error.is_some())
    }

    pub fn written(&self) -> u64 {
        self.streams.iter().map(|s| s.progress.written).sum()
    }

    pub fn pages(&self) -> u64 {
        self.streams.iter().map(|s| s.progress.pages).sum()
    }
}

/// Runs every stream once. A stream's failure is recorded on it and the others go on; a refused
/// key or a lost lease ends the cycle with that error.
pub async fn run_cycle(
    ctx: &Ctx<'_>,
    workspace_id: Option<&str>,
    on_stream: &(dyn Fn(&StreamReport) + Sync),
) -> SyncResult<CycleReport> {
    let mut states: HashMap<String, StreamState> = ctx
        .store
        .stream_states(ctx.tenant)
        .await?
        .into_iter()
        .map(|s| (s.stream.clone(), s))
        .collect();
    let mut report = CycleReport::default();
    let mut estimates = small::Estimates::default();
    for stream in STREAMS {
        let mut state = states
            .remove(stream)
            .unwrap_or_else(|| StreamState::new(stream));
        estimate(&mut state, &estimates);
        let result = match stream {
            "leads_reconcile" => {
                let leads = report_state(&states, "leads", ctx).await?;
                if !leads::reconcile_due(ctx, &leads, &state) {
                    continue;
                }
                leads::reconcile(ctx, &mut state).await
            }
            "campaign_analytics" => {
                small::campaign_analytics(ctx, &mut state, &mut estimates).await
            }
            _ => run_stream(ctx, stream, &mut state, workspace_id).await,
        };
        let entry = match result {
            Ok(progress) => StreamReport {
                stream,
                progress,
                error: None,
            },
            Err(error) => {
                record_failure(ctx, &mut state, &error).await;
                if error.ends_cycle() {
                    return Err(error);
                }
                StreamReport {
                    stream,
                    progress: Progress::default(),
                    error: Some(error.plain()),
                }
            }
        };
        on_stream(&entry);
        states.insert(stream.to_owned(), state);
        report.streams.push(entry);
    }
    Ok(report)
}

/// A backfill's expected total, from what the campaign totals count (never below what is done).
fn estimate(state: &mut StreamState, estimates: &small::Estimates) {
    let expected = match state.stream.as_str() {
        "leads" => estimates.leads,
        "emails" => estimates.messages,
        _ => return,
    };
    if !state.backfilled && expected > 0 {
        state.estimated_total = Some(expected.max(state.done));
    }
}

/// The state another stream left (re-read, since it was written during this cycle).
async fn report_state(
    states: &HashMap<String, StreamState>,
    stream: &str,
    ctx: &Ctx<'_>,
) -> SyncResult<StreamState> {
    if let Some(state) = states.get(stream) {
        return Ok(state.clone());
    }
    Ok(ctx
        .store
        .stream_states(ctx.tenant)
        .await?
        .into_iter()
        .find(|s| s.stream == stream)
        .unwrap_or_else(|| StreamState::new(stream)))
}

async fn run_stream(
    ctx: &Ctx<'_>,
    stream: &str,
    state: &mut StreamState,
    workspace_id: Option<&str>,
) -> SyncResult<Progress> {
    match stream {
        "workspace" => workspace(ctx, state, workspace_id).await,
        "campaigns" => small::campaigns(ctx, state).await,
        "mailboxes" => small::mailboxes(ctx, state).await,
        "lead_lists" => small::simple_set(ctx, state, Table::LeadLists).await,
        "lead_labels" => small::simple_set(ctx, state, Table::LeadLabels).await,
        "custom_tags" => small::simple_set(ctx, state, Table::CustomTags).await,
        "custom_tag_mappings" => small::simple_set(ctx, state, Table::CustomTagMappings).await,
        "mailbox_analytics" => small::mailbox_analytics(ctx, state).await,
        "emails" => emails::sync(ctx, state).await,
        _ => leads::new_leads(ctx, state).await,
    }
}

/// The key still opens the workspace it was connected to.
async fn workspace(
    ctx: &Ctx<'_>,
    state: &mut StreamState,
    expected: Option<&str>,
) -> SyncResult<Progress> {
    let current = ctx.client.current_workspace().await?;
    if expected.is_some_and(|id| id != current.id) {
        return Err(SyncError::WorkspaceChanged);
    }
    small::finish(state, 1);
    let written = ctx.commit(&[], state).await?;
    Ok(Progress {
        pages: 1,
        read: 1,
        written,
        more: false,
    })
}

/// Records the failure on the stream; its checkpoint stays where the last committed page left it.
async fn record_failure(ctx: &Ctx<'_>, state: &mut StreamState, error: &SyncError) {
    if matches!(error, SyncError::Store(crate::store::StoreError::LeaseLost)) {
        return;
    }
    let mut saved = ctx
        .store
        .stream_states(ctx.tenant)
        .await
        .ok()
        .and_then(|states| states.into_iter().find(|s| s.stream == state.stream))
        .unwrap_or_else(|| StreamState::new(&state.stream));
    saved.last_error = Some(error.fault().stored());
    saved.last_error_at = Some(Utc::now());
    tracing::warn!(tenant = %ctx.tenant, stream = %state.stream, error = %error, "sync stream failed");
    if let Err(e) = ctx.store.save_stream_state(ctx.tenant, &saved).await {
        tracing::error!(error = %e, "could not record a sync failure");
    }
    *state = saved;
}
