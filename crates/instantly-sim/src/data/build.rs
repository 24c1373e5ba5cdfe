//! Generation of the workspaces.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::entities::*;
use super::leads::MsgKind;
use super::pools::*;
use super::rng::*;
use super::stats::{CampaignTotals, Seen, Stats};
use super::{EmailKey, Live, Scale, Workspace};

const TIMEZONES: &[&str] = &[
    "America/Chicago",
    "Europe/Belgrade",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Etc/GMT+12",
];
const CAMPAIGN_STATUSES: &[i64] = &[1, 1, 2, 1, 3, 0, 1, -1, 4, 1, -2, 2, 1, -99, 1, 3];
const TAG_LABELS: &[(&str, Option<&str>)] = &[
    ("Client A", Some("Managed for client A")),
    ("Warm", None),
    ("Priority ⭐", Some("Watch closely")),
    ("EU", None),
    ("Needs review", Some("Deliverability issue")),
    ("Q4", None),
];
const LABELS: &[(&str, &str, Option<&str>)] = &[
    ("Referral 🤝", "positive", Some("Pointed us to a colleague")),
    ("Budget next year", "neutral", None),
    ("Competitor customer", "negative", Some("Uses a competitor")),
];

/// Builds `count` workspaces sharing `scale`'s leads (workspace `i` gets a share ∝ `i + 1`),
/// in parallel.
pub fn build_workspaces(seed: u64, scale: Scale, count: usize) -> Vec<Workspace> {
    let count = count.max(1);
    let weights: u64 = (1..=count as u64).sum();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .map(|i| {
                let leads = u64::from(scale.total_leads()) * (i as u64 + 1) / weights;
                scope.spawn(move || build_workspace(seed, i, leads.max(10) as u32))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("workspace generation panicked"))
            .collect()
    })
}

fn build_workspace(seed: u64, index: usize, lead_count: u32) -> Workspace {
    let ws_seed = hash(&[seed, index as u64]);
    let mut r = Rng::new(&[ws_seed, Kind::Workspace as u64]);
    let created_ms = DATA_END_MS - 400 * DAY_MS + index as i64 * DAY_MS;
    let name = AGENCY_CLIENTS[index % AGENCY_CLIENTS.len()];
    let name = if index < AGENCY_CLIENTS.len() {
        name.to_owned()
    } else {
        format!("{name} {index}")
    };
    let id = make_id(ws_seed, created_ms, Kind::Workspace, index as u32, 0).to_string();
    let secret: String = (0..24)
        .map(|_| r.pick(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") as char)
        .collect();
    let lead_start_ms = DATA_END_MS - 130 * DAY_MS;
    let mut ws = Workspace {
        index,
        seed: ws_seed,
        api_key: STANDARD.encode(format!("{id}:{secret}")),
        owner: make_id(ws_seed, created_ms, Kind::User, 0, 0).to_string(),
        id,
        name,
        created_ms,
        campaigns: Vec::new(),
        accounts: Vec::new(),
        lists: Vec::new(),
        tags: Vec::new(),
        mappings: Vec::new(),
        labels: Vec::new(),
        lead_count,
        lead_start_ms,
        lead_spacing_ms: ((125 * DAY_MS) / i64::from(lead_count)).max(1),
        companies: (lead_count / 4).max(1),
        emails: Vec::new(),
        stats: Stats::default(),
        live: Live {
            clock_ms: DATA_END_MS,
            ..Live::default()
        },
    };
    ws.accounts = accounts(&ws, (lead_count / 400).clamp(3, 300));
    ws.campaigns = campaigns(&ws, (lead_count / 1_500).clamp(2, 40));
    ws.lists = lists(&ws, (lead_count / 5_000).clamp(1, 20));
    ws.tags = tags(&ws);
    ws.mappings = mappings(&ws);
    ws.labels = labels(&ws);
    index_threads(&mut ws);
    ws
}

fn accounts(ws: &Workspace, count: u32) -> Vec<Account> {
    let slug: String = ws
        .name
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    (0..count)
        .map(|i| {
            let mut r = Rng::new(&[ws.seed, 100, u64::from(i)]);
            let (first, first_ascii) = r.pick(FIRST_NAMES);
            let (last, last_ascii) = r.pick(LAST_NAMES);
            let domain = format!(
                "{}{slug}-{}.example",
                r.pick(&["try", "get", "hello", "meet"]),
                i % 7
            );
            let created_ms = ws.created_ms + DAY_MS + i64::from(i) * HOUR_MS;
            Account {
                uuid: make_id(ws.seed, created_ms, Kind::User, i + 1, 1).to_string(),
                email: format!("{first_ascii}.{last_ascii}{i}@{domain}"),
                first_name: first,
                last_name: last,
                created_ms,
                updated_ms: created_ms + r.range(DAY_MS, 200 * DAY_MS),
                status: r.pick(&[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, -1, -2, -3]),
                warmup_status: r.pick(&[1, 1, 1, 1, 1, 1, 0, 0, -1, -2, -3]),
                provider_code: r.pick(&[2, 2, 2, 3, 3, 1, 4, 8]),
                score: (!r.percent(5)).then(|| r.range(40, 101) as f64),
                daily_limit: r.range(20, 60),
                sending_gap: r.range(5, 30),
            }
        })
        .collect()
}

fn campaigns(ws: &Workspace, count: u32) -> Vec<Campaign> {
    let per_campaign = (ws.accounts.len() * 2 / count as usize).clamp(2, ws.accounts.len());
    (0..count)
        .map(|i| {
            let mut r = Rng::new(&[ws.seed, Kind::Campaign as u64, u64::from(i)]);
            let created_ms = DATA_END_MS - 140 * DAY_MS + i64::from(i) * 6 * HOUR_MS;
            let steps = (0..r.range(4, 7))
                .map(|_| StepDef {
                    delay_days: r.range(2, 6),
                    variants: (0..r.range(1, 4))
                        .map(|_| {
                            (
                                r.below(SUBJECTS.len() as u64) as usize,
                                r.below(BODIES.len() as u64) as usize,
                            )
                        })
                        .collect(),
                })
                .collect();
            let first = i as usize * per_campaign / 2;
            let accounts = (0..per_campaign)
                .map(|k| ((first + k) % ws.accounts.len()) as u16)
                .collect();
            Campaign {
                id: make_id(ws.seed, created_ms, Kind::Campaign, i, 0).to_string(),
                name: format!(
                    "{} #{}",
                    CAMPAIGN_THEMES[i as usize % CAMPAIGN_THEMES.len()],
                    i + 1
                ),
                status: CAMPAIGN_STATUSES[i as usize % CAMPAIGN_STATUSES.len()],
                created_ms,
                updated_ms: created_ms + r.range(HOUR_MS, 100 * DAY_MS),
                steps,
                accounts,
                stop_on_reply: !r.percent(10),
                open_tracking: !r.percent(15),
                link_tracking: r.percent(70),
                daily_limit: r.range(50, 500),
                pl_value: r.range(1, 20) as f64 * 100.0,
                timezone: r.pick(TIMEZONES),
                evergreen: r.percent(10),
            }
        })
        .collect()
}

fn lists(ws: &Workspace, count: u32) -> Vec<LeadList> {
    (0..count)
        .map(|i| {
            let created_ms = DATA_END_MS - 135 * DAY_MS + i64::from(i) * HOUR_MS;
            LeadList {
                id: make_id(ws.seed, created_ms, Kind::List, i, 0).to_string(),
                name: format!("Import {} — {}", i + 1, CITIES[i as usize % CITIES.len()]),
                created_ms,
                has_enrichment_task: i % 3 == 0,
            }
        })
        .collect()
}

fn tags(ws: &Workspace) -> Vec<Tag> {
    let tags = TAG_LABELS
        .iter()
        .enumerate()
        .map(|(i, (label, description))| {
            let created_ms = ws.created_ms + i as i64 * HOUR_MS;
            Tag {
                id: make_id(ws.seed, created_ms, Kind::Tag, i as u32, 0).to_string(),
                label,
                description: *description,
                created_ms,
            }
        });
    tags.collect()
}

fn mappings(ws: &Workspace) -> Vec<TagMapping> {
    let accounts = ws.accounts.iter().enumerate().filter(|(i, _)| i % 3 == 0);
    let accounts = accounts.map(|(i, a)| (i % ws.tags.len(), a.uuid.clone(), 1, a.created_ms));
    let campaigns = ws
        .campaigns
        .iter()
        .enumerate()
        .map(|(i, c)| (i % ws.tags.len(), c.id.clone(), 2, c.created_ms));
    let mut all: Vec<TagMapping> = accounts
        .chain(campaigns)
        .enumerate()
        .map(|(n, (tag, resource_id, resource_type, at))| TagMapping {
            id: make_id(ws.seed, at + MINUTE_MS, Kind::Mapping, n as u32, 0).to_string(),
            tag,
            resource_id,
            resource_type,
            created_ms: at + MINUTE_MS,
        })
        .collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

fn labels(ws: &Workspace) -> Vec<Label> {
    let labels = LABELS
        .iter()
        .enumerate()
        .map(|(i, (label, status_label, description))| {
            let created_ms = ws.created_ms + 2 * DAY_MS + i as i64 * HOUR_MS;
            Label {
                id: make_id(ws.seed, created_ms, Kind::Label, i as u32, 0).to_string(),
                label,
                status_label,
                interest_status: 10_001 + i as i64,
                description: *description,
                created_ms,
            }
        });
    labels.collect()
}

/// Walks every thread once: fills the email index, the analytics and the unread count.
fn index_threads(ws: &mut Workspace) {
    let mut emails = Vec::with_capacity(ws.lead_count as usize * 3);
    let mut stats = Stats {
        campaigns: vec![CampaignTotals::default(); ws.campaigns.len()],
        ..Stats::default()
    };
    let mut unread = 0;
    for index in 0..ws.lead_count {
        let core = ws.lead_core(index);
        let plan = ws.plan(&core);
        for (pos, msg) in plan.msgs.iter().enumerate() {
            emails.push(EmailKey {
                ts: msg.ts,
                lead: index,
                pos: pos as u16,
            });
            unread += u64::from(msg.unread);
        }
        let Some(c) = core.campaign else { continue };
        let totals = &mut stats.campaigns[usize::from(c)];
        totals.leads += 1;
        totals.completed += u32::from(plan.status == 3);
        totals.unsubscribed += u32::from(plan.status == -2);
        totals.bounced += u32::from(plan.status == -1);
        totals.move_interest(None, plan.interest);
        let mut seen = Seen::default();
        for msg in &plan.msgs {
            stats.record(c, core.account, msg, &mut seen);
        }
        let first_reply = plan.msgs.iter().find(|m| m.kind == MsgKind::Reply);
        if matches!(plan.interest, Some(1..=4))
            && let Some(reply) = first_reply
        {
            stats.record_opportunity(c, reply);
        }
    }
    emails.sort_unstable();
    ws.emails = emails;
    ws.stats = stats;
    ws.live.unread = unread;
}
