//! One cycle over a tenant's streams, each recording its own success or failure.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;

use super::{Ctx, Progress, SyncError, SyncResult, emails, leads, small};
use crate::domain::Stream;
use crate::store::{StreamState, Table};

#[derive(Debug, Clone, Serialize)]
pub struct StreamReport {
    pub stream: Stream,
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
    let mut cycle = Cycle {
        ctx,
        workspace_id,
        states: saved_states(ctx).await?,
        estimates: small::Estimates::default(),
    };
    let mut report = CycleReport::default();
    for &stream in Stream::ALL {
        let mut state = cycle
            .states
            .remove(&stream)
            .unwrap_or_else(|| StreamState::new(stream.as_str()));
        estimate(stream, &mut state, &cycle.estimates);
        if stream == Stream::LeadsReconcile && !cycle.reconcile_due(&state).await? {
            continue;
        }
        let entry = match cycle.run_stream(stream, &mut state).await {
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
        cycle.states.insert(stream, state);
        report.streams.push(entry);
    }
    Ok(report)
}

/// The tenant's checkpoints by stream. A stored name no stream answers to (one since removed)
/// is left alone.
async fn saved_states(ctx: &Ctx<'_>) -> SyncResult<HashMap<Stream, StreamState>> {
    let mut states = HashMap::new();
    for state in ctx.store.stream_states(ctx.tenant).await? {
        match state.stream.parse::<Stream>() {
            Ok(stream) => {
                states.insert(stream, state);
            }
            Err(unknown) => tracing::debug!(tenant = %ctx.tenant, %unknown, "checkpoint skipped"),
        }
    }
    Ok(states)
}

/// What a cycle carries from one stream to the next.
struct Cycle<'c, 'a> {
    ctx: &'c Ctx<'a>,
    workspace_id: Option<&'c str>,
    /// Checkpoints not yet run, and those this cycle has already written.
    states: HashMap<Stream, StreamState>,
    estimates: small::Estimates,
}

impl Cycle<'_, '_> {
    async fn run_stream(
        &mut self,
        stream: Stream,
        state: &mut StreamState,
    ) -> SyncResult<Progress> {
        let ctx = self.ctx;
        match stream {
            Stream::Workspace => workspace(ctx, state, self.workspace_id).await,
            Stream::Campaigns => small::campaigns(ctx, state).await,
            Stream::Mailboxes => small::mailboxes(ctx, state).await,
            Stream::LeadLists => small::simple_set(ctx, state, Table::LeadLists).await,
            Stream::LeadLabels => small::simple_set(ctx, state, Table::LeadLabels).await,
            Stream::CustomTags => small::simple_set(ctx, state, Table::CustomTags).await,
            Stream::CustomTagMappings => {
                small::simple_set(ctx, state, Table::CustomTagMappings).await
            }
            Stream::CampaignAnalytics => {
                small::campaign_analytics(ctx, state, &mut self.estimates).await
            }
            Stream::MailboxAnalytics => small::mailbox_analytics(ctx, state).await,
            Stream::Emails => emails::sync(ctx, state).await,
            Stream::Leads => leads::new_leads(ctx, state).await,
            Stream::LeadsReconcile => leads::reconcile(ctx, state).await,
        }
    }

    /// A full lead pass is due again (it follows the lead stream's own state).
    async fn reconcile_due(&self, state: &StreamState) -> SyncResult<bool> {
        let leads = self.state_of(Stream::Leads).await?;
        Ok(leads::reconcile_due(self.ctx, &leads, state))
    }

    /// The state another stream left (re-read, since it was written during this cycle).
    async fn state_of(&self, stream: Stream) -> SyncResult<StreamState> {
        if let Some(state) = self.states.get(&stream) {
            return Ok(state.clone());
        }
        Ok(self
            .ctx
            .store
            .stream_states(self.ctx.tenant)
            .await?
            .into_iter()
            .find(|s| stream == *s.stream)
            .unwrap_or_else(|| StreamState::new(stream.as_str())))
    }
}

/// A backfill's expected total, from what the campaign totals count (never below what is done).
fn estimate(stream: Stream, state: &mut StreamState, estimates: &small::Estimates) {
    let expected = match stream {
        Stream::Leads => estimates.leads,
        Stream::Emails => estimates.messages,
        Stream::Workspace
        | Stream::Campaigns
        | Stream::Mailboxes
        | Stream::LeadLists
        | Stream::LeadLabels
        | Stream::CustomTags
        | Stream::CustomTagMappings
        | Stream::CampaignAnalytics
        | Stream::MailboxAnalytics
        | Stream::LeadsReconcile => return,
    };
    if !state.backfilled && expected > 0 {
        state.estimated_total = Some(expected.max(state.done));
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
    let error = causes(error);
    tracing::warn!(tenant = %ctx.tenant, stream = %state.stream, error = %error, "sync stream failed");
    if let Err(e) = ctx.store.save_stream_state(ctx.tenant, &saved).await {
        tracing::error!(error = %e, "could not record a sync failure");
    }
    *state = saved;
}

/// The error and its causes ("database error: … database is locked"): the outermost message
/// alone told an operator nothing they could act on.
fn causes(error: &SyncError) -> String {
    std::iter::successors(Some(error as &dyn std::error::Error), |e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn a_failed_stream_is_logged_with_its_cause() {
        let error = SyncError::Store(StoreError::Database(sqlx::Error::PoolTimedOut));
        let logged = causes(&error);
        assert!(logged.starts_with("database error: "), "{logged}");
        assert!(logged.contains("pool timed out"), "{logged}");
    }
}
