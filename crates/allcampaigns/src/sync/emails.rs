//! Unibox messages, grouped into threads. Two passes share one checkpoint:
//! - incremental, oldest first from the watermark minus an overlap, so replies arrive within a
//!   cycle, and late or tied timestamps are read again (the upsert collapses repeats);
//! - backfill, newest first by cursor, so the inbox fills from the top while history streams in.
//!
//! The list endpoint allows 20 requests a minute per workspace; the client's budget paces it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use instantly::{Email, EmailQuery, SortOrder};
use serde_json::Value;

use super::leads::{is_last, mark_success};
use super::prefetch::{Prefetch, Ready};
use super::{Ctx, Progress, Suppression, SyncResult, rows};
use crate::store::{StreamState, Table, Write};

pub async fn sync(ctx: &Ctx<'_>, state: &mut StreamState) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    if state.watermark.is_some() {
        incremental(ctx, state, &mut progress).await?;
    }
    if !state.backfilled && !progress.more {
        backfill(ctx, state, &mut progress).await?;
    }
    if !progress.more {
        mark_success(state);
        progress.written += ctx.commit(&[], state).await?;
    }
    Ok(progress)
}

async fn incremental(
    ctx: &Ctx<'_>,
    state: &mut StreamState,
    progress: &mut Progress,
) -> SyncResult<()> {
    // Messages newer than every one seen before are new: their threads are announced once
    // committed (one of them may have reopened a done or snoozed thread). The overlap read
    // again is not.
    let seen_until = state.watermark;
    let since = state.watermark.map(|w| w - ctx.options.overlap);
    let query = EmailQuery {
        min_timestamp_created: since,
        sort_order: Some(SortOrder::Asc),
        ..EmailQuery::default()
    };
    let suppression = ctx.suppression();
    let mut pages = Prefetch::new(ctx.client.email_pages(query), u64::MAX, move |emails| {
        writes(&suppression, emails)
    });
    // Not cut by the slice: a restart would begin at the watermark again, and new mail since
    // the last cycle is bounded, while stopping inside the overlap could never make progress.
    loop {
        let Ready { page, prepared } = pages.next().await?;
        progress.pages += 1;
        progress.read += page.items.len() as u64;
        state.watermark = newest(state.watermark, &page.items);
        progress.written += ctx.commit(&prepared, state).await?;
        ctx.announce_threads(new_threads(ctx, seen_until, &page.items))
            .await;
        if is_last(&page) {
            return Ok(());
        }
    }
}

async fn backfill(
    ctx: &Ctx<'_>,
    state: &mut StreamState,
    progress: &mut Progress,
) -> SyncResult<()> {
    let query = EmailQuery {
        sort_order: Some(SortOrder::Desc),
        starting_after: state.cursor.clone(),
        ..EmailQuery::default()
    };
    let suppression = ctx.suppression();
    let budget = ctx.options.pages_per_slice;
    let mut pages = Prefetch::new(ctx.client.email_pages(query), budget, move |emails| {
        writes(&suppression, emails)
    });
    let mut slice = 0;
    loop {
        slice += 1;
        if slice > ctx.options.pages_per_slice {
            progress.more = true;
            return Ok(());
        }
        let Ready { page, prepared } = pages.next().await?;
        progress.pages += 1;
        progress.read += page.items.len() as u64;
        state.done += page.items.len() as i64;
        // The first page holds the newest message: incremental reads start from there.
        state.watermark = newest(state.watermark, &page.items);
        if let Some(last) = page.items.last() {
            state.cursor = Some(last.id.clone());
        }
        let finished = is_last(&page);
        if finished {
            state.backfilled = true;
            state.cursor = None;
            state.estimated_total = Some(state.done);
        }
        progress.written += ctx.commit(&prepared, state).await?;
        if finished {
            return Ok(());
        }
    }
}

/// The threads of the messages after `seen_until` (none about a suppressed address).
fn new_threads(
    ctx: &Ctx<'_>,
    seen_until: Option<DateTime<Utc>>,
    emails: &[Email],
) -> BTreeSet<String> {
    let suppression = ctx.suppression();
    emails
        .iter()
        .filter(|e| seen_until.is_none_or(|seen| e.timestamp_created > seen))
        .filter(|e| !suppression.covers(e.lead.as_deref()))
        .map(rows::thread_of)
        .collect()
}

fn newest(watermark: Option<DateTime<Utc>>, emails: &[Email]) -> Option<DateTime<Utc>> {
    emails
        .iter()
        .map(|e| e.timestamp_created)
        .chain(watermark)
        .max()
}

/// The page's messages (none about a suppressed address) and their threads recomputed. Run
/// ahead of the writer, on the blocking pool: sanitizing the HTML is the costly part.
fn writes(suppression: &Suppression, emails: &[Email]) -> Vec<Write> {
    let kept: Vec<&Email> = emails
        .iter()
        .filter(|e| !suppression.covers(e.lead.as_deref()))
        .collect();
    let threads: BTreeSet<String> = kept.iter().map(|e| rows::thread_of(e)).collect();
    vec![
        Write::Upsert {
            table: Table::Messages,
            rows: Value::Array(kept.iter().map(|e| rows::message(e)).collect()),
        },
        Write::RefreshThreads {
            thread_ids: threads.into_iter().collect(),
        },
    ]
}
