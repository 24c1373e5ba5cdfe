//! Leads and their threads, derived on demand from (seed, index).

use super::Workspace;
use super::pools::*;
use super::rng::*;

/// The cheap, fixed facts of one lead.
#[derive(Debug, Clone)]
pub struct LeadCore {
    pub index: u32,
    pub created_ms: i64,
    pub campaign: Option<u16>,
    pub list: Option<u16>,
    pub account: u16,
    pub first: usize,
    pub last: usize,
    pub company: u32,
    pub title: usize,
    pub city: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgKind {
    /// A campaign step sent by Instantly (`ue_type` 1).
    Step,
    /// The lead answered (`ue_type` 2).
    Reply,
    /// An out-of-office answer (`ue_type` 2, `is_auto_reply` 1).
    AutoReply,
    /// A delivery failure notice (`ue_type` 2).
    Bounce,
    /// Sent by hand from the Unibox (`ue_type` 3).
    Manual,
}

/// One email of a thread. Replies carry the step and variant they answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg {
    pub kind: MsgKind,
    pub ts: i64,
    pub step: u8,
    pub variant: u8,
    pub opened: bool,
    pub clicked: bool,
    pub unread: bool,
    /// Picks the body text.
    pub content: u32,
}

/// A lead's generated history.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub msgs: Vec<Msg>,
    pub interest: Option<i64>,
    pub status: i64,
}

const INTERESTS: &[i64] = &[1, 1, 1, 2, 2, 3, 4, 0, 0, -1, -1, -2, -3, -4];

impl Workspace {
    pub fn lead_core(&self, index: u32) -> LeadCore {
        let mut r = Rng::new(&[self.seed, Kind::Lead as u64, u64::from(index)]);
        let (campaign, list) = if self.lists.is_empty() || !r.percent(10) {
            (Some(r.below(self.campaigns.len() as u64) as u16), None)
        } else {
            (None, Some(r.below(self.lists.len() as u64) as u16))
        };
        let account = match campaign {
            Some(c) => r.pick(&self.campaigns[usize::from(c)].accounts),
            None => r.below(self.accounts.len() as u64) as u16,
        };
        LeadCore {
            index,
            created_ms: self.lead_start_ms + i64::from(index) * self.lead_spacing_ms,
            campaign,
            list,
            account,
            first: r.below(FIRST_NAMES.len() as u64) as usize,
            last: r.below(LAST_NAMES.len() as u64) as usize,
            company: r.below(u64::from(self.companies)) as u32,
            title: r.below(JOB_TITLES.len() as u64) as usize,
            city: r.below(CITIES.len() as u64) as usize,
        }
    }

    pub fn plan(&self, core: &LeadCore) -> Plan {
        let mut r = Rng::new(&[self.seed, Kind::Thread as u64, u64::from(core.index)]);
        let Some(campaign) = core.campaign.map(|c| &self.campaigns[usize::from(c)]) else {
            return Plan {
                status: 1,
                ..Plan::default()
            };
        };
        if campaign.status == 0 || !r.percent(88) {
            let status = if r.percent(2) { -3 } else { 1 };
            return Plan {
                status,
                ..Plan::default()
            };
        }
        let total = campaign.steps.len();
        let mut sent = if r.percent(60) {
            total
        } else {
            1 + r.below(total as u64) as usize
        };
        let bounce = r.percent(3);
        let reply_after = r.percent(18).then(|| r.below(sent as u64) as usize);
        let auto_reply = !bounce && r.percent(6);
        if bounce {
            sent = 1;
        } else if let Some(k) = reply_after.filter(|_| campaign.stop_on_reply) {
            sent = k + 1;
        }
        let mut msgs = Vec::new();
        let mut ts = core.created_ms + r.range(HOUR_MS, 3 * DAY_MS);
        for (k, step) in campaign.steps.iter().enumerate().take(sent) {
            let variant = r.below(step.variants.len() as u64) as u8;
            let opened = campaign.open_tracking && r.percent(45);
            let clicked = opened && campaign.link_tracking && r.percent(15);
            msgs.push(msg(
                MsgKind::Step,
                ts,
                k as u8,
                variant,
                opened,
                clicked,
                false,
                &mut r,
            ));
            if k == 0 && bounce {
                let at = ts + 5 * MINUTE_MS;
                msgs.push(msg(
                    MsgKind::Bounce,
                    at,
                    0,
                    variant,
                    false,
                    false,
                    r.percent(30),
                    &mut r,
                ));
            }
            if k == 0 && auto_reply {
                let at = ts + r.range(10 * MINUTE_MS, 2 * HOUR_MS);
                msgs.push(msg(
                    MsgKind::AutoReply,
                    at,
                    0,
                    variant,
                    false,
                    false,
                    r.percent(40),
                    &mut r,
                ));
            }
            if reply_after == Some(k) && !bounce {
                let at = ts + r.range(HOUR_MS, 2 * DAY_MS);
                msgs.push(msg(
                    MsgKind::Reply,
                    at,
                    k as u8,
                    variant,
                    false,
                    false,
                    r.percent(35),
                    &mut r,
                ));
            }
            ts += step.delay_days * DAY_MS + r.range(0, 8 * HOUR_MS);
        }
        let interest = reply_after.filter(|_| !bounce).map(|_| r.pick(INTERESTS));
        if matches!(interest, Some(1..=3)) && r.percent(50) {
            let reply = msgs.iter().find(|m| m.kind == MsgKind::Reply).copied();
            if let Some(reply) = reply {
                let at = reply.ts + r.range(2 * HOUR_MS, DAY_MS);
                msgs.push(msg(
                    MsgKind::Manual,
                    at,
                    reply.step,
                    reply.variant,
                    false,
                    false,
                    false,
                    &mut r,
                ));
            }
        }
        msgs.retain(|m| m.ts < DATA_END_MS);
        msgs.sort_by_key(|m| m.ts);
        for (pos, m) in msgs.iter_mut().enumerate() {
            m.ts += pos as i64; // distinct timestamps within a thread
        }
        let status = match () {
            _ if msgs.iter().any(|m| m.kind == MsgKind::Bounce) => -1,
            _ if interest == Some(-1) && r.percent(30) => -2,
            _ if interest.is_some() || sent == total => 3,
            _ if r.percent(3) => 2,
            _ => 1,
        };
        let interest = if msgs.iter().any(|m| m.kind == MsgKind::Reply) {
            interest
        } else {
            None
        };
        Plan {
            msgs,
            interest,
            status,
        }
    }

    pub fn lead_id(&self, index: u32) -> String {
        let created = self.lead_start_ms + i64::from(index) * self.lead_spacing_ms;
        make_id(self.seed, created, Kind::Lead, index, 0).to_string()
    }

    pub fn thread_id(&self, index: u32) -> String {
        let created = self.lead_start_ms + i64::from(index) * self.lead_spacing_ms;
        make_id(self.seed, created, Kind::Thread, index, 0).to_string()
    }

    /// The lead index named by a lead id or thread id of this workspace.
    pub fn lead_index_of(&self, id: &str, kind: Kind) -> Option<u32> {
        let (_, k, index, _) = parse_id(id)?;
        let rebuilt = match kind {
            Kind::Thread => self.thread_id(index),
            _ => self.lead_id(index),
        };
        (k == kind as u8 && index < self.lead_count && rebuilt == id.to_ascii_lowercase())
            .then_some(index)
    }

    pub fn company_domain(&self, company: u32) -> String {
        let slug = COMPANIES[company as usize % COMPANIES.len()].1;
        format!("{slug}-{company}.example")
    }

    pub fn lead_email(&self, core: &LeadCore) -> String {
        let first = FIRST_NAMES[core.first].1;
        let last = LAST_NAMES[core.last].1;
        format!(
            "{first}.{last}.{}@{}",
            core.index,
            self.company_domain(core.company)
        )
    }

    /// The lead index of an email address generated by [`Workspace::lead_email`].
    pub fn lead_index_by_email(&self, email: &str) -> Option<u32> {
        let email = email.trim().to_ascii_lowercase();
        let local = email.split('@').next()?;
        let index: u32 = local.rsplit('.').next()?.parse().ok()?;
        let valid = index < self.lead_count && self.lead_email(&self.lead_core(index)) == email;
        valid.then_some(index)
    }
}

#[allow(clippy::too_many_arguments)]
fn msg(
    kind: MsgKind,
    ts: i64,
    step: u8,
    variant: u8,
    opened: bool,
    clicked: bool,
    unread: bool,
    r: &mut Rng,
) -> Msg {
    Msg {
        kind,
        ts,
        step,
        variant,
        opened,
        clicked,
        unread,
        content: r.next_u64() as u32,
    }
}
