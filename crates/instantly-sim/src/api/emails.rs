//! Emails (Unibox): the list with its filters and cursor, get, unread count, mark as read,
//! reply.

use axum::body::Bytes;
use axum::extract::Path;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Duplicate, Params, Ws, json_body, ok, page};
use crate::data::LeadNow;
use crate::data::leads::MsgKind;
use crate::data::live::CustomContent;
use crate::data::rng::{Kind, parse_iso};
use crate::data::{EmailKey, Workspace};

/// Filters of `GET /emails` resolved against one workspace.
#[derive(Default)]
struct Filter {
    lead: Option<u32>,
    campaign: Option<u16>,
    list: Option<u16>,
    accounts: Option<Vec<u16>>,
    company_domain: Option<String>,
    is_unread: Option<bool>,
    ue_types: Option<&'static [i64]>,
    i_status: Option<i64>,
    focused: Option<bool>,
    latest_of_thread: bool,
    min_ts: i64,
    max_ts: i64,
    /// A filter named something that does not exist: nothing matches.
    nothing: bool,
}

impl Filter {
    fn parse(w: &Workspace, p: &Params) -> ApiResult<Filter> {
        let mut f = Filter {
            min_ts: i64::MIN,
            max_ts: i64::MAX,
            ..Filter::default()
        };
        let time = |key: &str| -> ApiResult<Option<i64>> {
            p.get(key)
                .map(|v| {
                    parse_iso(v).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "querystring/{key} must match format \"date-time\""
                        ))
                    })
                })
                .transpose()
        };
        f.min_ts = time("min_timestamp_created")?.unwrap_or(i64::MIN);
        f.max_ts = time("max_timestamp_created")?.unwrap_or(i64::MAX);
        f.is_unread = p.flag("is_unread")?;
        f.latest_of_thread = p.flag("latest_of_thread")?.unwrap_or(false);
        f.i_status = p.number("i_status")?;
        f.ue_types = match p
            .one_of("email_type", &["received", "sent", "manual"])?
            .as_deref()
        {
            Some("received") => Some(&[2]),
            Some("sent") => Some(&[1, 3]),
            Some("manual") => Some(&[3]),
            _ => None,
        };
        f.focused = match p
            .one_of("mode", &["emode_focused", "emode_others", "emode_all"])?
            .as_deref()
        {
            Some("emode_focused") => Some(true),
            Some("emode_others") => Some(false),
            _ => None,
        };
        let lead_ref = p.get("lead").or(p.get("search"));
        if let Some(search) = lead_ref {
            f.lead = match search.strip_prefix("thread:") {
                Some(thread) => w.lead_index_of(thread, Kind::Thread),
                None => w.lead_index_by_email(search),
            };
            f.nothing |= f.lead.is_none();
        }
        if let Some(id) = p.get("campaign_id") {
            f.campaign = w
                .campaigns
                .iter()
                .position(|c| c.id == id)
                .map(|i| i as u16);
            f.nothing |= f.campaign.is_none();
        }
        if let Some(id) = p.get("list_id") {
            f.list = w.lists.iter().position(|l| l.id == id).map(|i| i as u16);
            f.nothing |= f.list.is_none();
        }
        let accounts = p.all("eaccount");
        if !accounts.is_empty() {
            let found: Vec<u16> = accounts
                .iter()
                .filter_map(|e| w.account_index(e))
                .map(|i| i as u16)
                .collect();
            f.nothing |= found.is_empty();
            f.accounts = Some(found);
        }
        f.company_domain = p.get("company_domain").map(str::to_lowercase);
        let never = ["has_reminder", "scheduled_only"]
            .iter()
            .any(|k| p.get(k) == Some("true"));
        f.nothing |= never || p.get("assigned_to").is_some();
        Ok(f)
    }

    fn matches_lead(&self, w: &Workspace, lead: &LeadNow) -> bool {
        let core = &lead.core;
        self.campaign.is_none_or(|c| core.campaign == Some(c))
            && self.list.is_none_or(|l| core.list == Some(l))
            && self
                .accounts
                .as_ref()
                .is_none_or(|a| a.contains(&core.account))
            && self
                .company_domain
                .as_ref()
                .is_none_or(|d| w.company_domain(core.company) == *d)
    }

    fn matches_email(&self, lead: &LeadNow, pos: usize) -> bool {
        let msg = &lead.plan.msgs[pos];
        let ue_type = match msg.kind {
            MsgKind::Step => 1,
            MsgKind::Manual => 3,
            _ => 2,
        };
        let i_status = (msg.kind == MsgKind::Reply)
            .then_some(lead.plan.interest)
            .flatten();
        (self.min_ts..=self.max_ts).contains(&msg.ts)
            && self.is_unread.is_none_or(|u| msg.unread == u)
            && self.ue_types.is_none_or(|t| t.contains(&ue_type))
            && self.i_status.is_none_or(|s| i_status == Some(s))
            && self
                .focused
                .is_none_or(|f| (msg.kind == MsgKind::Reply) == f)
            && (!self.latest_of_thread || pos + 1 == lead.plan.msgs.len())
    }
}

/// The keys of one lead's thread, in index order.
fn lead_keys(w: &Workspace, lead: u32) -> Vec<EmailKey> {
    let now = w.lead_now(lead);
    let keys = now.plan.msgs.iter().enumerate();
    let mut keys: Vec<EmailKey> = keys
        .map(|(pos, m)| EmailKey {
            ts: m.ts,
            lead,
            pos: pos as u16,
        })
        .collect();
    keys.sort_unstable();
    keys
}

/// The bounds within `keys` of the time window, after the cursor (including the cursor's own
/// email when the duplicate fault is on).
fn window(
    keys: &[EmailKey],
    f: &Filter,
    desc: bool,
    cursor: Option<EmailKey>,
    dup: bool,
) -> (usize, usize) {
    let mut low = keys.partition_point(|k| k.ts < f.min_ts);
    let mut high = keys.partition_point(|k| k.ts <= f.max_ts).max(low);
    if let Some(cursor) = cursor {
        let at = keys.partition_point(|k| *k < cursor);
        let exact = keys.get(at) == Some(&cursor);
        if desc {
            high = high.min(at + usize::from(dup && exact));
        } else {
            low = low.max(at + usize::from(exact && !dup));
        }
    }
    (low, high.max(low))
}

pub async fn list(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let desc = params.one_of("sort_order", &["asc", "desc"])?.as_deref() != Some("asc");
    let w = ws.sim.read(ws.index);
    let filter = Filter::parse(&w, &params)?;
    let cursor = match params.get("starting_after") {
        None => None,
        Some(id) => Some(w.email_key_of(id).ok_or_else(|| {
            ApiError::bad_request("querystring/starting_after is not a valid email id")
        })?),
    };
    let mut items = Vec::new();
    if !filter.nothing {
        let own;
        let keys: &[EmailKey] = match filter.lead {
            Some(lead) => {
                own = lead_keys(&w, lead);
                &own
            }
            None => &w.emails,
        };
        let (low, high) = window(keys, &filter, desc, cursor, dup);
        let ordered: Box<dyn Iterator<Item = &EmailKey>> = if desc {
            Box::new(keys[low..high].iter().rev())
        } else {
            Box::new(keys[low..high].iter())
        };
        let mut current: Option<LeadNow> = None;
        for &key in ordered {
            if current.as_ref().is_none_or(|c| c.core.index != key.lead) {
                current = Some(w.lead_now(key.lead));
            }
            let lead = current.as_ref().expect("set above");
            let pos = usize::from(key.pos);
            if pos < lead.plan.msgs.len()
                && filter.matches_lead(&w, lead)
                && filter.matches_email(lead, pos)
            {
                items.push(w.email_json(lead, pos));
                if items.len() >= limit {
                    break;
                }
            }
        }
    }
    Ok(page(items, limit, |e| {
        e["id"].as_str().unwrap_or_default().to_owned()
    }))
}

pub async fn get_one(ws: Ws, Path(id): Path<String>) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let key = w.email_key_of(&id).ok_or_else(ApiError::not_found)?;
    let lead = w.lead_now(key.lead);
    let pos = usize::from(key.pos);
    if lead.plan.msgs.get(pos).is_none_or(|m| m.ts != key.ts) {
        return Err(ApiError::not_found());
    }
    ok(w.email_json(&lead, pos))
}

pub async fn unread_count(ws: Ws) -> ApiResult {
    ok(json!({ "count": ws.sim.read(ws.index).live.unread }))
}

pub async fn mark_read(ws: Ws, Path(thread_id): Path<String>) -> ApiResult {
    let mut w = ws.sim.write(ws.index);
    let lead = w
        .lead_index_of(&thread_id, Kind::Thread)
        .ok_or_else(ApiError::not_found)?;
    w.mark_thread_read(lead);
    ok(json!({ "success": true }))
}

/// Appends the reply to the thread of `reply_to_uuid`, sent from the thread's mailbox.
pub async fn reply(ws: Ws, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    for field in ["eaccount", "reply_to_uuid", "subject", "body"] {
        if body.get(field).is_none() {
            return Err(ApiError::bad_request(format!(
                "body must have required property '{field}'"
            )));
        }
    }
    let text_of = |key: &str| {
        body["body"]
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut w = ws.sim.write(ws.index);
    let reply_to = body["reply_to_uuid"]
        .as_str()
        .and_then(|id| w.email_key_of(id))
        .ok_or_else(ApiError::not_found)?;
    w.account_index(body["eaccount"].as_str().unwrap_or_default())
        .ok_or_else(ApiError::not_found)?;
    let key = w
        .append_email(reply_to.lead, MsgKind::Manual, 0)
        .ok_or_else(|| ApiError::bad_request("thread is full"))?;
    let content = CustomContent {
        subject: body["subject"].as_str().unwrap_or_default().to_owned(),
        text: text_of("text"),
        html: text_of("html"),
    };
    w.live.custom.insert((key.lead, key.pos), content);
    let lead = w.lead_now(key.lead);
    ok(w.email_json(&lead, usize::from(key.pos)))
}
