//! Sending accounts (mailboxes), warmup analytics and vitals.

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::Path;
use serde_json::{Map, Value, json};

use super::{ApiError, ApiResult, Duplicate, Params, Ws, json_body, ok, page};
use crate::data::rng::{Rng, date_of_day, day_of, parse_iso};
use crate::data::{Account, Workspace};

const FILTERS: &[&str] = &[
    "ACC_FILTER_PAUSED",
    "ACC_FILTER_ERROR",
    "ACC_FILTER_NO_CTD",
    "ACC_FILTER_PW_ACCOUNTS",
    "ACC_FILTER_DFY",
    "ACC_FILTER_DFY_SETUP_PENDING",
    "ACC_FILTER_W_ACTIVE",
    "ACC_FILTER_W_PAUSED",
    "ACC_FILTER_W_ERROR",
];

fn passes_filter(a: &Account, filter: Option<&str>) -> bool {
    match filter {
        Some("ACC_FILTER_PAUSED") => a.status == 2,
        Some("ACC_FILTER_ERROR") => a.status < 0,
        Some("ACC_FILTER_W_ACTIVE") => a.warmup_status == 1,
        Some("ACC_FILTER_W_PAUSED") => a.warmup_status == 0,
        Some("ACC_FILTER_W_ERROR") => a.warmup_status < 0,
        Some(_) => false,
        None => true,
    }
}

/// The cursor of an account: `timestamp_created&email`.
fn cursor_of(item: &Value) -> String {
    let ts = item["timestamp_created"].as_str().unwrap_or_default();
    format!("{ts}&{}", item["email"].as_str().unwrap_or_default())
}

/// Parses `timestamp&email`, or a legacy bare timestamp (then every account created at that
/// instant counts as seen).
fn parse_cursor(cursor: &str) -> ApiResult<(i64, Option<String>)> {
    let (ts, email) = match cursor.split_once('&') {
        Some((ts, email)) => (ts, Some(email.to_lowercase())),
        None => (cursor, None),
    };
    let ts = parse_iso(ts)
        .ok_or_else(|| ApiError::bad_request("querystring/starting_after is not a valid cursor"))?;
    Ok((ts, email))
}

pub async fn list(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let status = params.number("status")?;
    let provider = params.number("provider_code")?;
    let filter = params.one_of("filter", FILTERS)?;
    params.one_of(
        "sort_by",
        &["timestamp_created", "email", "stat_warmup_score", "status"],
    )?;
    let desc = params.one_of("sort_order", &["asc", "desc"])?.as_deref() == Some("desc");
    let include_tags = params.flag("include_tags")?.unwrap_or(false);
    let search = params.get("search").map(str::to_lowercase);
    let any_tags = params.all("tag_ids");
    let all_tags = params.all("tag_ids_all");
    let cursor = params.get("starting_after").map(parse_cursor).transpose()?;
    let w = ws.sim.read(ws.index);
    let tags_of = |a: &Account| -> BTreeSet<String> {
        let mapped = w
            .mappings
            .iter()
            .filter(|m| m.resource_type == 1 && m.resource_id == a.uuid);
        mapped.map(|m| w.tags[m.tag].id.clone()).collect()
    };
    let mut matching: Vec<&Account> = w
        .accounts
        .iter()
        .filter(|a| status.is_none_or(|s| a.status == s))
        .filter(|a| provider.is_none_or(|p| a.provider_code == p))
        .filter(|a| passes_filter(a, filter.as_deref()))
        .filter(|a| search.as_ref().is_none_or(|s| a.email.contains(s.as_str())))
        .filter(|a| any_tags.is_empty() || any_tags.iter().any(|t| tags_of(a).contains(t)))
        .filter(|a| all_tags.iter().all(|t| tags_of(a).contains(t)))
        .collect();
    matching.sort_by(|a, b| (a.created_ms, &a.email).cmp(&(b.created_ms, &b.email)));
    if desc {
        matching.reverse();
    }
    let after = |a: &Account| match &cursor {
        None => true,
        Some((ts, None)) => {
            if desc {
                a.created_ms < *ts
            } else {
                a.created_ms > *ts
            }
        }
        Some((ts, Some(email))) => {
            let order = (a.created_ms, a.email.as_str()).cmp(&(*ts, email.as_str()));
            if desc { order.is_lt() } else { order.is_gt() }
        }
    };
    let start = matching
        .iter()
        .position(|a| after(a))
        .unwrap_or(matching.len());
    let start = if dup && cursor.is_some() {
        start.saturating_sub(1)
    } else {
        start
    };
    let items = matching[start..].iter().take(limit).map(|a| {
        let mut json = w.account_json(a);
        if include_tags {
            json["tags"] = Value::Array(w.account_tags(a));
        }
        json
    });
    Ok(page(items.collect(), limit, cursor_of))
}

pub async fn get_one(ws: Ws, Path(email): Path<String>) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let index = w.account_index(&email).ok_or_else(ApiError::not_found)?;
    ok(w.account_json(&w.accounts[index]))
}

/// `{emails: [..]}` (1 to 100 mailboxes of this workspace).
pub async fn warmup(ws: Ws, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let emails: Vec<String> = match body.get("emails").and_then(Value::as_array) {
        Some(list) if (1..=100).contains(&list.len()) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "body/emails must NOT have more than 100 items",
            ));
        }
        None => {
            return Err(ApiError::bad_request(
                "body must have required property 'emails'",
            ));
        }
    };
    let w = ws.sim.read(ws.index);
    let (mut by_date, mut aggregate) = (Map::new(), Map::new());
    for email in emails {
        let Some(index) = w.account_index(&email) else {
            continue;
        };
        let (days, total) = warmup_of(&w, index);
        by_date.insert(email.clone(), days);
        aggregate.insert(email, total);
    }
    ok(json!({ "email_date_data": by_date, "aggregate_data": aggregate }))
}

/// Two weeks of warmup traffic of one mailbox: (per day, aggregate).
fn warmup_of(w: &Workspace, index: usize) -> (Value, Value) {
    let account = &w.accounts[index];
    let today = day_of(w.live.clock_ms);
    let (mut days, mut totals) = (Map::new(), [0i64; 4]);
    let spam_rate = if account.warmup_status < 0 { 30 } else { 4 };
    for day in today - 14..today {
        let mut r = Rng::new(&[w.seed, 200, index as u64, day as u64]);
        let sent = r.range(10, 40);
        let spam = sent * r.range(0, spam_rate) / 100;
        let received = r.range(10, 40);
        let counts = [sent, sent - spam, spam, received];
        totals.iter_mut().zip(counts).for_each(|(t, c)| *t += c);
        let day_json = json!({
            "sent": sent, "landed_inbox": sent - spam, "landed_spam": spam, "received": received,
        });
        days.insert(date_of_day(day), day_json);
    }
    let score = account.score.unwrap_or(50.0);
    let label = if score >= 80.0 {
        "Good"
    } else if score >= 60.0 {
        "Fair"
    } else {
        "Poor"
    };
    let total = json!({
        "sent": totals[0], "landed_inbox": totals[1], "landed_spam": totals[2], "received": totals[3],
        "health_score_label": label, "health_score": score,
    });
    (Value::Object(days), total)
}

/// DNS checks of the mailboxes' domains (all mailboxes when `accounts` is absent).
pub async fn vitals(ws: Ws, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let w = ws.sim.read(ws.index);
    let requested: Vec<String> = match body.get("accounts").and_then(Value::as_array) {
        Some(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        None => w.accounts.iter().map(|a| a.email.clone()).collect(),
    };
    let mut domains = BTreeSet::new();
    for email in &requested {
        let index = w
            .account_index(email)
            .ok_or_else(|| ApiError::ErrorOnly(format!("Account {email} not found")))?;
        domains.insert(
            w.accounts[index]
                .email
                .split('@')
                .nth(1)
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let (mut success, mut failure) = (Vec::new(), Vec::new());
    for domain in domains {
        let mut r = Rng::new(&[
            w.seed,
            300,
            domain.len() as u64,
            domain.bytes().map(u64::from).sum(),
        ]);
        let checks = [r.percent(98), r.percent(92), r.percent(85), r.percent(75)];
        let all_pass = checks.iter().all(|c| *c);
        let entry = json!({
            "domain": domain, "allPass": all_pass,
            "mx": checks[0], "spf": checks[1], "dkim": checks[2], "dmarc": checks[3],
        });
        if all_pass {
            success.push(entry)
        } else {
            failure.push(entry)
        }
    }
    ok(json!({ "status": "success", "success_list": success, "failure_list": failure }))
}
