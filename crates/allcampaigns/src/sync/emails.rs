//! Unibox messages, grouped into threads. Two passes share one checkpoint:
//! - incremental, oldest first from the watermark minus an overlap, so replies arrive within a
//!   cycle, and late or tied timestamps are read again (the upsert collapses repeats);
//! - backfill, newest first by cursor, so the inbox fills from the top while history streams in.
//!
//! The list endpoint allows 20 requests a minute per workspace; the client's budget paces it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use instantly::{Email, EmailQuery, SortOrder};
use serde_json::Value;

use super::leads::{is_last, mark_success};
use super::prefetch::{Prefetch, Ready};
use super::{Ctx, Progress, Suppression, SyncResult, rows};
use crate::store::{StreamState, Table, Write};

/// Threads written per transaction. A page of a hundred messages in one transaction held
/// SQLite's write lock for about 50 ms on agency-L, and a person's click waited for it.
const THREADS_PER_PART: usize = 25;

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
        progress.written += ctx.commit_parts(&prepared, state).await?;
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
        progress.written += ctx.commit_parts(&prepared, state).await?;
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

/// The page's messages (none about a suppressed address) and their threads recomputed, in
/// parts of at most [`THREADS_PER_PART`] threads. Run ahead of the writer, on the blocking
/// pool: sanitizing the HTML is the costly part.
fn writes(suppression: &Suppression, emails: &[Email]) -> Vec<Vec<Write>> {
    let mut by_thread: BTreeMap<String, Vec<&Email>> = BTreeMap::new();
    for email in emails
        .iter()
        .filter(|e| !suppression.covers(e.lead.as_deref()))
    {
        by_thread
            .entry(rows::thread_of(email))
            .or_default()
            .push(email);
    }
    let threads: Vec<(String, Vec<&Email>)> = by_thread.into_iter().collect();
    threads
        .chunks(THREADS_PER_PART)
        .map(|part| {
            let messages = part.iter().flat_map(|(_, emails)| emails);
            vec![
                Write::Upsert {
                    table: Table::Messages,
                    rows: Value::Array(messages.map(|e| rows::message(e)).collect()),
                },
                Write::RefreshThreads {
                    thread_ids: part.iter().map(|(thread, _)| thread.clone()).collect(),
                },
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::domain::TenantId;

    fn email(id: usize, thread: usize) -> Email {
        serde_json::from_value(json!({
            "id": format!("m{id:03}"),
            "timestamp_created": "2026-11-27T15:42:10.000Z",
            "timestamp_email": "2026-11-27T15:42:00.000Z",
            "message_id": format!("<m{id}@mail.example>"),
            "subject": "Re: Quick question",
            "to_address_email_list": "anna@outreach-one.com",
            "body": { "text": "Sounds good." },
            "organization_id": "0199a000-0000-7000-8000-000000000001",
            "eaccount": "anna@outreach-one.com",
            "thread_id": format!("t{thread:03}"),
            "from_address_email": "jo@northwind.example",
            "lead": "jo@northwind.example",
            "ue_type": 2
        }))
        .unwrap()
    }

    /// A page of 100 messages in 60 threads is written in parts of at most 25 threads; each
    /// message is in the part that refreshes its thread, once.
    #[test]
    fn a_page_is_written_in_parts_of_whole_threads() {
        let page: Vec<Email> = (0..100).map(|i| email(i, i % 60)).collect();
        let none = Suppression {
            tenant: TenantId::new(),
            hashes: Arc::new(HashSet::new()),
        };
        let parts = writes(&none, &page);
        assert_eq!(parts.len(), 3);
        let mut part_of_message = HashMap::new();
        for (n, part) in parts.iter().enumerate() {
            let [
                Write::Upsert { rows, .. },
                Write::RefreshThreads { thread_ids },
            ] = &part[..]
            else {
                panic!("a part is its messages and their threads: {part:?}");
            };
            assert!(thread_ids.len() <= THREADS_PER_PART);
            for row in rows.as_array().unwrap() {
                assert!(thread_ids.contains(&row["thread_id"].as_str().unwrap().to_owned()));
                let id = row["instantly_id"].as_str().unwrap().to_owned();
                assert_eq!(part_of_message.insert(id, n), None, "written once");
            }
        }
        assert_eq!(part_of_message.len(), 100);
        assert!(writes(&none, &[]).is_empty());
    }
}
