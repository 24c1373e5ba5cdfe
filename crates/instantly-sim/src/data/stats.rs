//! Analytics kept consistent with the generated messages: every counter is the sum of the
//! events recorded from the threads (and from ticks).

use std::collections::{BTreeMap, HashMap};

use super::leads::{Msg, MsgKind};
use super::rng::day_of;

/// Counters of one (campaign, day, step, variant) or (mailbox, day) cell.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    pub sent: u32,
    pub contacted: u32,
    pub new_leads_contacted: u32,
    pub opened: u32,
    pub unique_opened: u32,
    pub replies: u32,
    pub unique_replies: u32,
    pub replies_automatic: u32,
    pub unique_replies_automatic: u32,
    pub clicks: u32,
    pub unique_clicks: u32,
    pub bounced: u32,
    pub opportunities: u32,
    pub unique_opportunities: u32,
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.sent += o.sent;
        self.contacted += o.contacted;
        self.new_leads_contacted += o.new_leads_contacted;
        self.opened += o.opened;
        self.unique_opened += o.unique_opened;
        self.replies += o.replies;
        self.unique_replies += o.unique_replies;
        self.replies_automatic += o.replies_automatic;
        self.unique_replies_automatic += o.unique_replies_automatic;
        self.clicks += o.clicks;
        self.unique_clicks += o.unique_clicks;
        self.bounced += o.bounced;
        self.opportunities += o.opportunities;
        self.unique_opportunities += o.unique_opportunities;
    }
}

/// Lead-state totals of one campaign (not split by day).
#[derive(Debug, Default, Clone)]
pub struct CampaignTotals {
    pub leads: u32,
    pub completed: u32,
    pub unsubscribed: u32,
    pub bounced: u32,
    /// interest status → leads.
    pub interest: BTreeMap<i64, u32>,
}

impl CampaignTotals {
    pub fn opportunities(&self) -> u32 {
        (1..=4).filter_map(|s| self.interest.get(&s)).sum()
    }

    pub fn move_interest(&mut self, from: Option<i64>, to: Option<i64>) {
        if let Some(from) = from {
            *self.interest.entry(from).or_default() -= 1;
        }
        if let Some(to) = to {
            *self.interest.entry(to).or_default() += 1;
        }
    }
}

pub type StepKey = (u16, i64, u8, u8);

#[derive(Debug, Default)]
pub struct Stats {
    /// (campaign, day, step, variant) → counters.
    pub steps: HashMap<StepKey, Counters>,
    /// (mailbox, day) → counters.
    pub accounts: HashMap<(u16, i64), Counters>,
    pub campaigns: Vec<CampaignTotals>,
}

/// What has already happened in a thread, to tell first events from repeats.
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen {
    pub contacted: bool,
    pub opened: bool,
    pub clicked: bool,
    pub replied: bool,
    pub auto_replied: bool,
}

impl Seen {
    pub fn of(msgs: &[Msg]) -> Seen {
        let mut seen = Seen::default();
        for msg in msgs {
            seen.contacted |= msg.kind == MsgKind::Step;
            seen.opened |= msg.opened;
            seen.clicked |= msg.clicked;
            seen.replied |= msg.kind == MsgKind::Reply;
            seen.auto_replied |= msg.kind == MsgKind::AutoReply;
        }
        seen
    }
}

impl Stats {
    /// Records one message of a campaign thread; `seen` is updated.
    pub fn record(&mut self, campaign: u16, account: u16, msg: &Msg, seen: &mut Seen) {
        let mut c = Counters::default();
        match msg.kind {
            MsgKind::Step => {
                c.sent = 1;
                if !seen.contacted {
                    c.contacted = 1;
                    c.new_leads_contacted = 1;
                }
                c.opened = u32::from(msg.opened);
                c.unique_opened = u32::from(msg.opened && !seen.opened);
                c.clicks = u32::from(msg.clicked);
                c.unique_clicks = u32::from(msg.clicked && !seen.clicked);
            }
            MsgKind::Reply => {
                c.replies = 1;
                c.unique_replies = u32::from(!seen.replied);
            }
            MsgKind::AutoReply => {
                c.replies_automatic = 1;
                c.unique_replies_automatic = u32::from(!seen.auto_replied);
            }
            MsgKind::Bounce => c.bounced = 1,
            MsgKind::Manual => return,
        }
        seen.contacted |= msg.kind == MsgKind::Step;
        seen.opened |= msg.opened;
        seen.clicked |= msg.clicked;
        seen.replied |= msg.kind == MsgKind::Reply;
        seen.auto_replied |= msg.kind == MsgKind::AutoReply;
        let day = day_of(msg.ts);
        let key = (campaign, day, msg.step, msg.variant);
        self.steps.entry(key).or_default().add(&c);
        self.accounts.entry((account, day)).or_default().add(&c);
    }

    /// Records a click on a step email sent earlier (an unopened email counts as opened too).
    pub fn record_click(&mut self, campaign: u16, account: u16, msg: &Msg, seen: &Seen) {
        let c = Counters {
            clicks: 1,
            unique_clicks: u32::from(!seen.clicked),
            opened: u32::from(!msg.opened),
            unique_opened: u32::from(!msg.opened && !seen.opened),
            ..Counters::default()
        };
        let day = day_of(msg.ts);
        self.steps
            .entry((campaign, day, msg.step, msg.variant))
            .or_default()
            .add(&c);
        self.accounts.entry((account, day)).or_default().add(&c);
    }

    /// Counts an opportunity on the day the lead first replied.
    pub fn record_opportunity(&mut self, campaign: u16, msg: &Msg) {
        let key = (campaign, day_of(msg.ts), msg.step, msg.variant);
        let cell = self.steps.entry(key).or_default();
        cell.opportunities += 1;
        cell.unique_opportunities += 1;
    }

    /// Sum of the step cells matching the filters.
    pub fn sum_steps(&self, keep: impl Fn(&StepKey) -> bool) -> Counters {
        let mut total = Counters::default();
        for (key, cell) in &self.steps {
            if keep(key) {
                total.add(cell);
            }
        }
        total
    }
}
