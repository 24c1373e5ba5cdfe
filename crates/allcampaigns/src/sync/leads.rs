//! Leads: new ones by the id cursor every cycle (Instantly lists leads in id order), and a
//! scheduled reconciliation pass over all of them for changes and deletions.

use chrono::Utc;
use instantly::{Lead, LeadQuery};
use serde_json::Value;

use super::prefetch::{Prefetch, Ready};
use super::{Ctx, Progress, Suppression, SyncResult, rows};
use crate::store::{StreamState, Table, Write};

/// New leads after the cursor. The first pass is the backfill.
pub async fn new_leads(ctx: &Ctx<'_>, state: &mut StreamState) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    let query = LeadQuery {
        starting_after: state.cursor.clone(),
        ..LeadQuery::default()
    };
    let mut pages = prefetch_rows(ctx, query);
    loop {
        if progress.pages == ctx.options.pages_per_slice {
            progress.more = true;
            break;
        }
        let Ready { page, prepared } = pages.next().await?;
        progress.pages += 1;
        progress.read += page.items.len() as u64;
        let last = is_last(&page);
        if let Some(last) = page.items.last() {
            state.cursor = Some(last.id.clone());
        }
        state.done += page.items.len() as i64;
        if last {
            if !state.backfilled {
                // The backfill read every lead just now: the next reconciliation can wait.
                state.reconciled_at = Some(Utc::now());
            }
            state.backfilled = true;
            mark_success(state);
        }
        progress.written += ctx.commit(&[prepared], state).await?;
        if last {
            break;
        }
    }
    Ok(progress)
}

/// Whether the reconciliation pass should run (or continue) this cycle.
pub fn reconcile_due(ctx: &Ctx<'_>, leads: &StreamState, state: &StreamState) -> bool {
    let last = state.reconciled_at.or(leads.reconciled_at);
    leads.backfilled
        && (state.cursor.is_some()
            || last.is_none_or(|at| Utc::now() - at >= ctx.options.reconcile_every))
}

/// Every lead again, page by page: changed ones rewritten, vanished ones marked deleted.
pub async fn reconcile(ctx: &Ctx<'_>, state: &mut StreamState) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    if state.cursor.is_none() {
        state.done = 0;
    }
    let query = LeadQuery {
        starting_after: state.cursor.clone(),
        ..LeadQuery::default()
    };
    let mut pages = prefetch_rows(ctx, query);
    loop {
        if progress.pages == ctx.options.pages_per_slice {
            progress.more = true;
            break;
        }
        let Ready { page, prepared } = pages.next().await?;
        progress.pages += 1;
        progress.read += page.items.len() as u64;
        let last = is_last(&page);
        let after = state.cursor.clone();
        // The last page owns everything after it: what is stored beyond it is gone.
        let through = if last {
            None
        } else {
            page.items.last().map(|l| l.id.clone())
        };
        let writes = [
            prepared,
            Write::MarkDeletedInRange {
                table: Table::Leads,
                after,
                through: through.clone(),
                ids: page.items.iter().map(|l| l.id.clone()).collect(),
            },
        ];
        state.done += page.items.len() as i64;
        state.cursor = through;
        if last {
            state.reconciled_at = Some(Utc::now());
            state.estimated_total = Some(state.done);
            state.backfilled = true;
            mark_success(state);
        }
        progress.written += ctx.commit(&writes, state).await?;
        if last {
            break;
        }
    }
    Ok(progress)
}

/// Instantly's end of a list: no cursor, or no items (a full last page still has a cursor).
/// Page length is no signal: the client drops items a faulty page repeats.
pub fn is_last<T>(page: &instantly::Page<T>) -> bool {
    page.next_starting_after.is_none() || page.items.is_empty()
}

/// Lead pages, each turned into its upsert ahead of the writer.
fn prefetch_rows(ctx: &Ctx<'_>, query: LeadQuery) -> Prefetch<Lead, Write> {
    let suppression = ctx.suppression();
    let pages = ctx.client.lead_pages(query);
    Prefetch::new(pages, ctx.options.pages_per_slice, move |leads| {
        upsert(&suppression, leads)
    })
}

fn upsert(suppression: &Suppression, leads: &[Lead]) -> Write {
    let rows = leads
        .iter()
        .filter(|l| !suppression.covers(l.email.as_deref()))
        .map(rows::lead)
        .collect();
    Write::Upsert {
        table: Table::Leads,
        rows: Value::Array(rows),
    }
}

pub fn mark_success(state: &mut StreamState) {
    state.last_success_at = Some(Utc::now());
    state.last_error = None;
}
