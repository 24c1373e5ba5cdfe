//! Streams small enough to read whole every cycle: campaigns, mailboxes, lists, labels, tags,
//! tag mappings, and the analytics re-pulled over a trailing window.

use std::collections::HashMap;

use chrono::Utc;
use futures::{Stream, StreamExt};
use instantly::models::Campaign;
use instantly::{
    AccountQuery, CampaignAnalyticsQuery, CampaignQuery, DateRange, LabelQuery, ListQuery, Page,
    TagMappingQuery, TagQuery,
};
use serde_json::Value;

use super::leads::is_last;
use super::{Ctx, Progress, SyncResult, rows};
use crate::store::{StreamState, Table, Write};

/// Reads every page of a list (these lists are short).
async fn read_all<T>(
    pages: impl Stream<Item = instantly::Result<Page<T>>>,
    progress: &mut Progress,
) -> SyncResult<Vec<T>> {
    let mut pages = std::pin::pin!(pages);
    let mut items = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page?;
        progress.pages += 1;
        let last = is_last(&page);
        items.extend(page.items);
        if last {
            break;
        }
    }
    progress.read = items.len() as u64;
    Ok(items)
}

/// Upserts the whole set and marks deleted whatever Instantly no longer lists.
async fn replace_set(
    ctx: &Ctx<'_>,
    state: &mut StreamState,
    table: Table,
    ids: Vec<String>,
    rows: Vec<Value>,
    mut extra: Vec<Write>,
    progress: &mut Progress,
) -> SyncResult<()> {
    let mut writes = vec![
        Write::Upsert {
            table,
            rows: Value::Array(rows),
        },
        Write::MarkDeletedExcept { table, ids },
    ];
    writes.append(&mut extra);
    finish(state, progress.read);
    progress.written += ctx.commit(&writes, state).await?;
    Ok(())
}

/// A pass that read everything it set out to.
pub fn finish(state: &mut StreamState, done: u64) {
    let now = Utc::now();
    state.backfilled = true;
    state.done = done as i64;
    state.estimated_total = Some(done as i64);
    state.last_success_at = Some(now);
    state.last_error = None;
    state.cursor = None;
}

pub async fn campaigns(ctx: &Ctx<'_>, state: &mut StreamState) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    let list = read_all(
        ctx.client.campaign_pages(CampaignQuery::default()),
        &mut progress,
    )
    .await?;
    let stored: HashMap<String, i64> = ctx
        .store
        .fingerprints(ctx.tenant, Table::Campaigns)
        .await?
        .into_iter()
        .collect();
    let changed: Vec<&Campaign> = list
        .iter()
        .filter(|c| stored.get(&c.id) != Some(&rows::fingerprint(*c)))
        .collect();
    let steps = vec![
        Write::ClearCampaignSteps {
            campaign_ids: changed.iter().map(|c| c.id.clone()).collect(),
        },
        Write::Upsert {
            table: Table::CampaignSteps,
            rows: Value::Array(
                changed
                    .iter()
                    .flat_map(|c| rows::campaign_steps(c))
                    .collect(),
            ),
        },
    ];
    let ids = list.iter().map(|c| c.id.clone()).collect();
    let rows = list.iter().map(rows::campaign).collect();
    replace_set(
        ctx,
        state,
        Table::Campaigns,
        ids,
        rows,
        steps,
        &mut progress,
    )
    .await?;
    Ok(progress)
}

pub async fn mailboxes(ctx: &Ctx<'_>, state: &mut StreamState) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    let pages = ctx.client.account_pages(AccountQuery::default());
    let list = read_all(pages, &mut progress).await?;
    let ids = list.iter().map(|a| a.email.clone()).collect();
    let rows = list.iter().map(rows::mailbox).collect();
    replace_set(
        ctx,
        state,
        Table::Mailboxes,
        ids,
        rows,
        vec![],
        &mut progress,
    )
    .await?;
    Ok(progress)
}

/// Lists, labels, tags and tag mappings: read whole, replaced whole.
pub async fn simple_set(
    ctx: &Ctx<'_>,
    state: &mut StreamState,
    table: Table,
) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    let client = ctx.client;
    let (ids, rows): (Vec<String>, Vec<Value>) = match table {
        Table::LeadLists => read_all(client.lead_list_pages(ListQuery::default()), &mut progress)
            .await?
            .iter()
            .map(|l| (l.id.clone(), rows::lead_list(l)))
            .unzip(),
        Table::LeadLabels => read_all(
            client.lead_label_pages(LabelQuery::default()),
            &mut progress,
        )
        .await?
        .iter()
        .map(|l| (l.id.clone(), rows::lead_label(l)))
        .unzip(),
        Table::CustomTags => read_all(client.custom_tag_pages(TagQuery::default()), &mut progress)
            .await?
            .iter()
            .map(|t| (t.id.clone(), rows::custom_tag(t)))
            .unzip(),
        _ => read_all(
            client.custom_tag_mapping_pages(TagMappingQuery::default()),
            &mut progress,
        )
        .await?
        .iter()
        .map(|m| (m.id.clone(), rows::tag_mapping(m)))
        .unzip(),
    };
    replace_set(ctx, state, table, ids, rows, vec![], &mut progress).await?;
    Ok(progress)
}

/// The window of days re-read: everything on the first pass, the trailing days after.
fn analytics_window(ctx: &Ctx<'_>, state: &StreamState) -> DateRange {
    let today = Utc::now().date_naive();
    let start = state
        .backfilled
        .then(|| today - chrono::Days::new(ctx.options.analytics_days as u64));
    DateRange {
        start,
        end: Some(today),
    }
}

/// What the campaign totals say the workspace holds, for backfill progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct Estimates {
    pub leads: i64,
    pub messages: i64,
}

/// Campaign totals, each campaign's days and its steps and variants.
pub async fn campaign_analytics(
    ctx: &Ctx<'_>,
    state: &mut StreamState,
    estimates: &mut Estimates,
) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    let range = analytics_window(ctx, state);
    let totals = ctx
        .client
        .campaign_analytics(&CampaignAnalyticsQuery::default())
        .await?;
    progress.pages += 1;
    estimates.leads = totals.iter().map(|c| c.leads_count).sum();
    estimates.messages = totals
        .iter()
        .map(|c| c.emails_sent_count + c.reply_count)
        .sum();
    let mut daily = Vec::new();
    let mut steps = Vec::new();
    for campaign in &totals {
        let id = campaign.campaign_id.as_str();
        let days = ctx.client.campaign_daily_analytics(Some(id), range).await?;
        daily.extend(days.iter().filter_map(|d| rows::campaign_daily(id, d)));
        let all_time = DateRange::default();
        let by_step = ctx
            .client
            .campaign_steps_analytics(Some(id), all_time, true)
            .await?;
        steps.extend(by_step.iter().map(|s| rows::campaign_step_totals(id, s)));
        progress.pages += 2;
    }
    let earliest = daily
        .iter()
        .filter_map(|d| d["day"].as_str()?.parse::<chrono::NaiveDate>().ok())
        .min()
        .unwrap_or_else(|| Utc::now().date_naive());
    progress.read = (totals.len() + daily.len() + steps.len()) as u64;
    let writes = [
        Write::Upsert {
            table: Table::CampaignTotals,
            rows: Value::Array(totals.iter().map(rows::campaign_totals).collect()),
        },
        Write::Upsert {
            table: Table::CampaignDaily,
            rows: Value::Array(daily),
        },
        Write::Upsert {
            table: Table::CampaignStepTotals,
            rows: Value::Array(steps),
        },
        Write::RefreshTenantDaily { from: earliest },
    ];
    finish(state, progress.read);
    progress.written += ctx.commit(&writes, state).await?;
    Ok(progress)
}

/// Each mailbox's sending days and warm-up days, with warm-up health.
pub async fn mailbox_analytics(ctx: &Ctx<'_>, state: &mut StreamState) -> SyncResult<Progress> {
    let mut progress = Progress::default();
    let range = analytics_window(ctx, state);
    let daily = ctx.client.account_daily_analytics(&[], range).await?;
    progress.pages += 1;
    let mailboxes: Vec<String> = ctx
        .store
        .fingerprints(ctx.tenant, Table::Mailboxes)
        .await?
        .into_iter()
        .map(|(email, _)| email)
        .collect();
    let mut warmup_rows = Vec::new();
    // Warm-up analytics take at most 100 mailboxes per call.
    for chunk in mailboxes.chunks(100) {
        let warmup = ctx.client.warmup_analytics(chunk).await?;
        progress.pages += 1;
        for (mailbox, days) in &warmup.email_date_data {
            for (day, numbers) in days {
                warmup_rows.push(rows::warmup_daily(mailbox, day, numbers));
            }
        }
    }
    progress.read = (daily.len() + warmup_rows.len()) as u64;
    let writes = [
        Write::Upsert {
            table: Table::MailboxDaily,
            rows: Value::Array(daily.iter().map(rows::mailbox_daily).collect()),
        },
        Write::Upsert {
            table: Table::WarmupDaily,
            rows: Value::Array(warmup_rows),
        },
    ];
    finish(state, progress.read);
    progress.written += ctx.commit(&writes, state).await?;
    Ok(progress)
}
