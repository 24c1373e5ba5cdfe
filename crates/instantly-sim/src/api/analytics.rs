//! Campaign and account analytics, summed from the counters recorded per message.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{ApiError, ApiResult, Params, Ws, ok};
use crate::data::rng::{date_of_day, day_of, day_of_date};
use crate::data::stats::{CampaignTotals, Counters};
use crate::data::{Campaign, Workspace};

/// Inclusive day range from `start_date`/`end_date`, validated with Instantly's `{message}` body.
fn day_range(params: &Params, default_start: i64, default_end: i64) -> ApiResult<(i64, i64)> {
    let parse = |key: &str, default: i64| match params.get(key) {
        None => Ok(default),
        Some(text) => day_of_date(text.get(..10).unwrap_or(text)).ok_or_else(|| {
            ApiError::MessageOnly(format!("{key} must be a valid date (YYYY-MM-DD)"))
        }),
    };
    let (start, end) = (
        parse("start_date", default_start)?,
        parse("end_date", default_end)?,
    );
    if start > end {
        return Err(ApiError::MessageOnly(
            "Start Date must be earlier than End Date".into(),
        ));
    }
    Ok((start, end))
}

/// The campaigns selected by `id`/`ids`/`campaign_id` and `campaign_status`.
fn selected<'a>(w: &'a Workspace, params: &Params) -> ApiResult<Vec<(u16, &'a Campaign)>> {
    let mut ids = params.all("ids");
    ids.extend(params.all("id"));
    ids.extend(params.all("campaign_id"));
    let status = params.number("campaign_status")?;
    let chosen = w
        .campaigns
        .iter()
        .enumerate()
        .filter(|(_, c)| ids.is_empty() || ids.contains(&c.id));
    let chosen = chosen.filter(|(_, c)| status.is_none_or(|s| c.status == s));
    Ok(chosen.map(|(i, c)| (i as u16, c)).collect())
}

fn sum(w: &Workspace, campaign: u16, (start, end): (i64, i64)) -> Counters {
    w.stats
        .sum_steps(|k| k.0 == campaign && (start..=end).contains(&k.1))
}

fn counter_fields(c: &Counters) -> Value {
    json!({
        "open_count_unique": c.unique_opened,
        "open_count_unique_by_step": c.opened,
        "link_click_count": c.clicks,
        "link_click_count_unique": c.unique_clicks,
        "link_click_count_unique_by_step": c.clicks,
        "reply_count": c.replies,
        "reply_count_unique": c.unique_replies,
        "reply_count_unique_by_step": c.unique_replies,
        "reply_count_automatic": c.replies_automatic,
        "reply_count_automatic_unique": c.unique_replies_automatic,
        "reply_count_automatic_unique_by_step": c.unique_replies_automatic,
        "bounced_count": c.bounced,
        "emails_sent_count": c.sent,
        "contacted_count": c.contacted,
        "new_leads_contacted_count": c.new_leads_contacted,
    })
}

fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        target.extend(extra);
    }
}

pub async fn campaigns(ws: Ws, params: Params) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let range = day_range(&params, i64::MIN / 2, i64::MAX / 2)?;
    params.flag("exclude_total_leads_count")?;
    let mut rows = Vec::new();
    for (i, c) in selected(&w, &params)? {
        if sum(&w, i, (i64::MIN, i64::MAX)).sent == 0 {
            continue; // Instantly lists a campaign only once it has sent
        }
        let counters = sum(&w, i, range);
        let totals = &w.stats.campaigns[usize::from(i)];
        let mut row = json!({
            "campaign_name": c.name,
            "campaign_id": c.id,
            "campaign_status": c.status,
            "campaign_is_evergreen": c.evergreen,
            "leads_count": totals.leads,
            "open_count": counters.unique_opened,
            "unsubscribed_count": totals.unsubscribed,
            "completed_count": totals.completed,
            "total_opportunities": totals.opportunities(),
            "total_opportunity_value": f64::from(totals.opportunities()) * c.pl_value,
        });
        merge(&mut row, counter_fields(&counters));
        rows.push(row);
    }
    ok(Value::Array(rows))
}

pub async fn overview(ws: Ws, params: Params) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let range = day_range(&params, i64::MIN / 2, i64::MAX / 2)?;
    params.flag("expand_crm_events")?;
    let (mut counters, mut totals, mut value) =
        (Counters::default(), CampaignTotals::default(), 0.0);
    for (i, c) in selected(&w, &params)? {
        counters.add(&sum(&w, i, range));
        let t = &w.stats.campaigns[usize::from(i)];
        totals.unsubscribed += t.unsubscribed;
        totals.completed += t.completed;
        value += f64::from(t.opportunities()) * c.pl_value;
        for (status, n) in &t.interest {
            *totals.interest.entry(*status).or_default() += n;
        }
    }
    let interest = |s: i64| totals.interest.get(&s).copied().unwrap_or(0);
    let mut body = json!({
        "open_count": counters.opened,
        "unsubscribed_count": totals.unsubscribed,
        "completed_count": totals.completed,
        "total_opportunities": totals.opportunities(),
        "total_opportunity_value": value,
        "total_interested": interest(1),
        "total_meeting_booked": interest(2),
        "total_meeting_completed": interest(3),
        "total_closed": interest(4),
    });
    merge(&mut body, counter_fields(&counters));
    ok(body)
}

fn day_fields(c: &Counters) -> Value {
    json!({
        "sent": c.sent, "contacted": c.contacted, "new_leads_contacted": c.new_leads_contacted,
        "opened": c.opened, "unique_opened": c.unique_opened, "replies": c.replies,
        "unique_replies": c.unique_replies, "replies_automatic": c.replies_automatic,
        "unique_replies_automatic": c.unique_replies_automatic, "clicks": c.clicks,
        "unique_clicks": c.unique_clicks,
    })
}

pub async fn daily(ws: Ws, params: Params) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let range = day_range(&params, i64::MIN / 2, i64::MAX / 2)?;
    let campaigns: Vec<u16> = selected(&w, &params)?.into_iter().map(|(i, _)| i).collect();
    let mut days: BTreeMap<i64, Counters> = BTreeMap::new();
    for (key, cell) in &w.stats.steps {
        if campaigns.contains(&key.0) && (range.0..=range.1).contains(&key.1) {
            days.entry(key.1).or_default().add(cell);
        }
    }
    let rows = days.iter().map(|(day, c)| {
        let mut row = json!({
            "date": date_of_day(*day),
            "opportunities": c.opportunities,
            "unique_opportunities": c.unique_opportunities,
        });
        merge(&mut row, day_fields(c));
        row
    });
    ok(Value::Array(rows.collect()))
}

pub async fn steps(ws: Ws, params: Params) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let range = day_range(&params, i64::MIN / 2, i64::MAX / 2)?;
    let with_opportunities = params.flag("include_opportunities_count")?.unwrap_or(false);
    let campaigns: Vec<u16> = selected(&w, &params)?.into_iter().map(|(i, _)| i).collect();
    let mut cells: BTreeMap<(u8, u8), Counters> = BTreeMap::new();
    for (key, cell) in &w.stats.steps {
        if campaigns.contains(&key.0) && (range.0..=range.1).contains(&key.1) {
            cells.entry((key.2, key.3)).or_default().add(cell);
        }
    }
    let rows = cells.iter().map(|((step, variant), c)| {
        let mut row = day_fields(c);
        for key in ["contacted", "new_leads_contacted"] {
            row.as_object_mut().map(|o| o.remove(key));
        }
        row["step"] = json!((step + 1).to_string());
        row["variant"] = json!(variant.to_string());
        if with_opportunities {
            row["opportunities"] = json!(c.opportunities);
            row["unique_opportunities"] = json!(c.unique_opportunities);
        }
        row
    });
    ok(Value::Array(rows.collect()))
}

pub async fn accounts_daily(ws: Ws, params: Params) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let today = day_of(w.live.clock_ms);
    let range = day_range(&params, today - 30, today)?;
    let emails = params.all("emails");
    let wanted = |i: u16| {
        emails.is_empty()
            || emails
                .iter()
                .any(|e| e.eq_ignore_ascii_case(&w.accounts[usize::from(i)].email))
    };
    let mut rows: Vec<(i64, &str, &Counters)> = w
        .stats
        .accounts
        .iter()
        .filter(|((a, day), _)| wanted(*a) && (range.0..=range.1).contains(day))
        .map(|((a, day), c)| (*day, w.accounts[usize::from(*a)].email.as_str(), c))
        .collect();
    rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let rows = rows.into_iter().map(|(day, email, c)| {
        let mut row =
            json!({ "date": date_of_day(day), "email_account": email, "bounced": c.bounced });
        merge(&mut row, day_fields(c));
        row
    });
    ok(Value::Array(rows.collect()))
}
