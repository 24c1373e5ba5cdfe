//! Time moves: `POST /__sim/tick` adds replies, changes interest statuses and mailbox
//! statuses, so incremental sync and webhooks can be tested. Choices are deterministic from
//! the seed and the tick number.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::data::leads::MsgKind;
use crate::data::rng::{Kind, Rng, iso};
use crate::data::{EmailKey, Workspace};
use crate::state::Sim;
use crate::webhooks::{self, Event, interest_event};

/// What one tick should do, in every workspace or only in `workspace_id`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TickRequest {
    pub workspace_id: Option<String>,
    pub new_replies: u32,
    pub status_changes: u32,
    pub mailbox_changes: u32,
    /// Link clicks on emails already sent (delivered to webhooks as `link_clicked`).
    pub clicks: u32,
    /// Give every new reply of this tick the same `timestamp_created` (cursor-tie tests).
    pub tied_replies: bool,
    /// New replies written by a colleague of the lead (same company domain, one fixed address
    /// per lead) instead of the lead, in the lead's thread. Drawn apart from the other
    /// changes, so a tick without them changes exactly what it did before they existed.
    pub colleague_replies: u32,
    /// The thread the colleague replies go to; random contacted leads' threads when unset.
    pub colleague_thread: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TickReport {
    pub workspaces: Vec<WorkspaceChanges>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkspaceChanges {
    pub workspace_id: String,
    /// The simulated clock after the tick.
    pub clock: String,
    pub new_emails: Vec<NewEmail>,
    pub status_changes: Vec<StatusChange>,
    pub mailbox_changes: Vec<MailboxChange>,
    pub clicks: Vec<Click>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Click {
    pub email_id: String,
    pub lead_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewEmail {
    pub id: String,
    pub thread_id: String,
    pub lead_id: String,
    pub auto_reply: bool,
    pub timestamp_created: String,
    /// Written by the lead's colleague (see [`TickRequest::colleague_replies`]).
    #[serde(default)]
    pub colleague: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusChange {
    pub lead_id: String,
    pub lead_email: String,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailboxChange {
    pub email: String,
    pub from: i64,
    pub to: i64,
}

const NEW_INTERESTS: &[Option<i64>] = &[
    Some(1),
    Some(1),
    Some(2),
    Some(3),
    Some(4),
    Some(0),
    Some(-1),
    Some(-2),
    Some(-4),
    None,
];

pub fn tick(sim: &Arc<Sim>, request: &TickRequest) -> TickReport {
    let mut report = TickReport::default();
    for index in 0..sim.workspace_count() {
        let mut w = sim.write(index);
        if request.workspace_id.as_ref().is_some_and(|id| *id != w.id) {
            continue;
        }
        let (changes, events) = tick_workspace(&mut w, request);
        drop(w);
        webhooks::emit(sim, index, events);
        report.workspaces.push(changes);
    }
    report
}

fn tick_workspace(w: &mut Workspace, request: &TickRequest) -> (WorkspaceChanges, Vec<Event>) {
    w.live.ticks += 1;
    let mut r = Rng::new(&[w.seed, 900, w.live.ticks]);
    let mut changes = WorkspaceChanges {
        workspace_id: w.id.clone(),
        ..Default::default()
    };
    let mut events = Vec::new();
    if request.tied_replies {
        let at = w.advance_clock(1_000);
        w.live.frozen_clock_ms = Some(at);
    }
    for _ in 0..request.new_replies {
        let Some(lead) = contacted_lead(w, &mut r) else {
            break;
        };
        let kind = if r.percent(20) {
            MsgKind::AutoReply
        } else {
            MsgKind::Reply
        };
        let Some(key) = w.append_email(lead, kind, r.next_u64() as u32) else {
            continue;
        };
        events.push(reply_event(w, key));
        changes.new_emails.push(NewEmail {
            id: w.email_id(key),
            thread_id: w.thread_id(lead),
            lead_id: w.lead_id(lead),
            auto_reply: kind == MsgKind::AutoReply,
            timestamp_created: iso(key.ts),
            colleague: false,
        });
    }
    colleague_replies(w, request, &mut changes, &mut events);
    w.live.frozen_clock_ms = None;
    for _ in 0..request.status_changes {
        let Some(lead) = contacted_lead(w, &mut r) else {
            break;
        };
        let current = w.lead_now(lead).plan.interest;
        let to = r.pick(NEW_INTERESTS);
        if to == current {
            continue;
        }
        let from = w.set_interest(lead, to);
        events.extend(interest_event_of(w, lead, to));
        let lead_email = w.lead_email(&w.lead_core(lead));
        changes.status_changes.push(StatusChange {
            lead_id: w.lead_id(lead),
            lead_email,
            from,
            to,
        });
    }
    for _ in 0..request.mailbox_changes {
        let account = r.below(w.accounts.len() as u64) as usize;
        let to = if w.accounts[account].status == 1 {
            r.pick(&[2, -1, -3])
        } else {
            1
        };
        let from = w.set_account_status(account, to);
        if to < 0 {
            events.push(account_event(w, account));
        }
        changes.mailbox_changes.push(MailboxChange {
            email: w.accounts[account].email.clone(),
            from,
            to,
        });
    }
    for _ in 0..request.clicks {
        let Some(lead) = contacted_lead(w, &mut r) else {
            break;
        };
        let Some(key) = w.add_click(lead) else {
            continue;
        };
        events.push(click_event(w, key));
        changes.clicks.push(Click {
            email_id: w.email_id(key),
            lead_id: w.lead_id(lead),
        });
    }
    changes.clock = iso(w.live.clock_ms);
    (changes, events)
}

/// Replies from leads' colleagues, with their own random draws (see
/// [`TickRequest::colleague_replies`]).
fn colleague_replies(
    w: &mut Workspace,
    request: &TickRequest,
    changes: &mut WorkspaceChanges,
    events: &mut Vec<Event>,
) {
    let mut r = Rng::new(&[w.seed, 901, w.live.ticks]);
    let chosen = request
        .colleague_thread
        .as_deref()
        .map(|thread| w.lead_index_of(thread, Kind::Thread));
    for _ in 0..request.colleague_replies {
        let lead = match chosen {
            Some(lead) => lead,
            None => contacted_lead(w, &mut r),
        };
        let Some(lead) = lead else {
            break;
        };
        let Some(key) = w.append_email(lead, MsgKind::Reply, r.next_u64() as u32) else {
            continue;
        };
        w.live.colleague_replies.insert((lead, key.pos));
        events.push(reply_event(w, key));
        changes.new_emails.push(NewEmail {
            id: w.email_id(key),
            thread_id: w.thread_id(lead),
            lead_id: w.lead_id(lead),
            auto_reply: false,
            timestamp_created: iso(key.ts),
            colleague: true,
        });
    }
}

/// A random lead that has been emailed by a campaign.
fn contacted_lead(w: &Workspace, r: &mut Rng) -> Option<u32> {
    (0..200)
        .map(|_| r.below(u64::from(w.lead_count)) as u32)
        .find(|lead| {
            let now = w.lead_now(*lead);
            now.core.campaign.is_some() && now.plan.msgs.iter().any(|m| m.kind == MsgKind::Step)
        })
}

/// The base payload of a lead event: campaign, lead and the lead's variables merged in.
fn lead_event(w: &Workspace, event_type: &str, lead: u32) -> Event {
    let now = w.lead_now(lead);
    let mut event = Event::new(event_type, &w.id, w.live.clock_ms);
    let lead_json = w.lead_json(&now.view());
    if let Some(Value::Object(vars)) = lead_json.get("payload") {
        event.payload.extend(vars.clone());
    }
    let campaign = now.core.campaign.map(|c| &w.campaigns[usize::from(c)]);
    event.campaign_id = campaign.map(|c| c.id.clone());
    let account = &w.accounts[usize::from(now.core.account)];
    let p = &mut event.payload;
    p.insert("campaign_id".into(), json!(campaign.map(|c| c.id.clone())));
    p.insert(
        "campaign_name".into(),
        json!(campaign.map(|c| c.name.clone())),
    );
    p.insert("lead_email".into(), json!(w.lead_email(&now.core)));
    p.insert("email".into(), json!(w.lead_email(&now.core)));
    p.insert("email_account".into(), json!(account.email));
    event
}

fn reply_event(w: &Workspace, key: EmailKey) -> Event {
    let now = w.lead_now(key.lead);
    let msg = now.plan.msgs[usize::from(key.pos)];
    let email = w.email_json(&now, usize::from(key.pos));
    let name = if msg.kind == MsgKind::AutoReply {
        "auto_reply_received"
    } else {
        "reply_received"
    };
    let mut event = lead_event(w, name, key.lead);
    let first = !now.plan.msgs[..usize::from(key.pos)]
        .iter()
        .any(|m| m.kind == msg.kind);
    let text = email["body"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let p = &mut event.payload;
    p.insert(
        "unibox_url".into(),
        json!(format!(
            "https://app.instantly.ai/app/unibox?thread_search=thread:{}",
            email["thread_id"].as_str().unwrap_or_default()
        )),
    );
    p.insert("step".into(), json!(msg.step + 1));
    p.insert("variant".into(), json!(msg.variant + 1));
    p.insert("is_first".into(), json!(first));
    p.insert("email_id".into(), email["id"].clone());
    p.insert("reply_subject".into(), email["subject"].clone());
    p.insert(
        "reply_text_snippet".into(),
        json!(text.chars().take(100).collect::<String>()),
    );
    p.insert("reply_text".into(), json!(text));
    p.insert("reply_html".into(), email["body"]["html"].clone());
    event
}

fn click_event(w: &Workspace, key: EmailKey) -> Event {
    let now = w.lead_now(key.lead);
    let msg = now.plan.msgs[usize::from(key.pos)];
    let email = w.email_json(&now, usize::from(key.pos));
    let mut event = lead_event(w, "link_clicked", key.lead);
    let p = &mut event.payload;
    p.insert("step".into(), json!(msg.step + 1));
    p.insert("variant".into(), json!(msg.variant + 1));
    p.insert("email_id".into(), email["id"].clone());
    p.insert("email_subject".into(), email["subject"].clone());
    p.insert("email_text".into(), email["body"]["text"].clone());
    p.insert("email_html".into(), email["body"]["html"].clone());
    event
}

/// The event of an interest change (custom labels are delivered under their own name).
pub fn interest_event_of(w: &Workspace, lead: u32, value: Option<i64>) -> Option<Event> {
    let label = w.labels.iter().find(|l| Some(l.interest_status) == value);
    let name = match label {
        Some(label) => label.label,
        None => interest_event(value)?,
    };
    let mut event = lead_event(w, name, lead);
    event.interest_value = label.map(|l| l.interest_status);
    Some(event)
}

fn account_event(w: &Workspace, account: usize) -> Event {
    let mut event = Event::new("account_error", &w.id, w.live.clock_ms);
    event
        .payload
        .insert("email_account".into(), json!(w.accounts[account].email));
    event.payload.insert("campaign_id".into(), Value::Null);
    event.payload.insert("campaign_name".into(), Value::Null);
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Scale, build_workspaces};

    fn sender(w: &Workspace, lead: u32, pos: usize) -> (String, String) {
        let email = w.email_json(&w.lead_now(lead), pos);
        let name = email["from_address_json"][0]["name"]
            .as_str()
            .unwrap_or_default();
        let from = email["from_address_email"].as_str().unwrap_or_default();
        (from.to_owned(), name.to_owned())
    }

    #[test]
    fn generated_replies_come_only_from_the_lead_and_colleagues_only_when_asked() {
        let w = &mut build_workspaces(3, Scale::Small, 1)[0];
        for key in w.emails.clone() {
            let lead = w.lead_now(key.lead);
            let msg = lead.plan.msgs[usize::from(key.pos)];
            if msg.kind == MsgKind::Reply {
                let (from, _) = sender(w, key.lead, usize::from(key.pos));
                assert_eq!(from, w.lead_email(&lead.core));
            }
        }
        let before = w.emails.clone();
        let request = TickRequest {
            colleague_replies: 3,
            ..TickRequest::default()
        };
        let (changes, _) = tick_workspace(w, &request);
        assert_eq!(changes.new_emails.len(), 3);
        for new in &changes.new_emails {
            assert!(new.colleague);
            let key = w.email_key_of(&new.id).unwrap();
            let lead_email = w.lead_email(&w.lead_core(key.lead));
            let (from, name) = sender(w, key.lead, usize::from(key.pos));
            assert_ne!(
                from.to_lowercase(),
                lead_email,
                "someone other than the lead"
            );
            assert_eq!(from.split('@').nth(1), lead_email.split('@').nth(1));
            assert!(!name.is_empty());
            assert_eq!((name, from), w.colleague(&w.lead_now(key.lead)));
        }
        assert!(before.iter().all(|k| w.emails.contains(k)));
    }

    #[test]
    fn colleague_replies_leave_every_other_change_of_a_tick_as_it_was() {
        let plain = TickRequest {
            new_replies: 4,
            status_changes: 3,
            ..TickRequest::default()
        };
        let with_colleagues = TickRequest {
            colleague_replies: 2,
            ..plain.clone()
        };
        let (a, _) = tick_workspace(&mut build_workspaces(3, Scale::Small, 1)[0], &plain);
        let (b, _) = tick_workspace(
            &mut build_workspaces(3, Scale::Small, 1)[0],
            &with_colleagues,
        );
        let ids = |c: &WorkspaceChanges| -> Vec<String> {
            let own = c.new_emails.iter().filter(|e| !e.colleague);
            own.map(|e| e.id.clone()).collect()
        };
        assert_eq!(ids(&a), ids(&b));
        let changed = |c: &WorkspaceChanges| -> Vec<(String, Option<i64>)> {
            let all = c.status_changes.iter();
            all.map(|s| (s.lead_id.clone(), s.to)).collect()
        };
        assert_eq!(changed(&a), changed(&b));
        assert_eq!(b.new_emails.iter().filter(|e| e.colleague).count(), 2);
    }

    #[test]
    fn colleague_replies_can_be_sent_to_one_thread() {
        let w = &mut build_workspaces(3, Scale::Small, 1)[0];
        let (first, _) = tick_workspace(
            w,
            &TickRequest {
                colleague_replies: 1,
                ..TickRequest::default()
            },
        );
        let thread = first.new_emails[0].thread_id.clone();
        let again = TickRequest {
            colleague_replies: 2,
            colleague_thread: Some(thread.clone()),
            ..TickRequest::default()
        };
        let (second, _) = tick_workspace(w, &again);
        assert!(second.new_emails.iter().all(|e| e.thread_id == thread));
        assert_eq!(second.new_emails.len(), 2);
    }
}
