//! The simulated Instantly data: several workspaces generated from a seed and a scale.
//!
//! Small things (campaigns, mailboxes, lists, tags) are materialized. Leads and threads are
//! derived on demand from their index; only a sorted index of all emails and the analytics are
//! built up front. Changes made by ticks and writes live in [`Live`].

mod build;
pub mod emails;
pub mod entities;
pub mod lead_json;
pub mod leads;
pub mod live;
pub mod pools;
pub mod rng;
pub mod stats;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

pub use build::build_workspaces;
pub use entities::*;
use lead_json::LeadView;
use leads::{LeadCore, Msg, Plan};
use stats::Stats;

/// How much data to generate (leads in total across all workspaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// About 1,000 leads.
    #[default]
    Small,
    /// About 50,000 leads.
    Medium,
    /// About 1,000,000 leads and 3,000,000 emails.
    Large,
}

impl Scale {
    pub fn total_leads(self) -> u32 {
        match self {
            Scale::Small => 1_000,
            Scale::Medium => 50_000,
            Scale::Large => 1_000_000,
        }
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scale::Small => "small",
            Scale::Medium => "medium",
            Scale::Large => "large",
        })
    }
}

impl FromStr for Scale {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "small" => Ok(Scale::Small),
            "medium" => Ok(Scale::Medium),
            "large" => Ok(Scale::Large),
            other => Err(format!(
                "unknown scale {other:?} (expected small, medium or large)"
            )),
        }
    }
}

/// One position in the email index, ordered by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EmailKey {
    pub ts: i64,
    pub lead: u32,
    pub pos: u16,
}

/// What changed since generation.
#[derive(Debug, Default)]
pub struct Live {
    /// The simulated "now"; ticks move it forward.
    pub clock_ms: i64,
    pub ticks: u64,
    /// lead → (interest status, when it changed).
    pub interest: HashMap<u32, (Option<i64>, i64)>,
    /// lead → emails added after generation.
    pub extra: HashMap<u32, Vec<Msg>>,
    /// Threads marked read (their generated emails count as read).
    pub read_threads: HashSet<u32>,
    pub unread: u64,
    pub webhooks: Vec<WebhookSub>,
    pub custom: HashMap<(u32, u16), live::CustomContent>,
    /// lead → positions of step emails clicked after generation.
    pub clicks: HashMap<u32, Vec<u16>>,
    /// While set, new emails all get this timestamp (ties, for cursor tests).
    pub frozen_clock_ms: Option<i64>,
    /// Replies (lead, position) written by the lead's colleague rather than the lead.
    pub colleague_replies: HashSet<(u32, u16)>,
}

pub struct Workspace {
    pub index: usize,
    pub seed: u64,
    pub id: String,
    pub name: String,
    pub api_key: String,
    pub owner: String,
    pub created_ms: i64,
    pub campaigns: Vec<Campaign>,
    pub accounts: Vec<Account>,
    pub lists: Vec<LeadList>,
    pub tags: Vec<Tag>,
    pub mappings: Vec<TagMapping>,
    pub labels: Vec<Label>,
    pub lead_count: u32,
    pub lead_start_ms: i64,
    pub lead_spacing_ms: i64,
    pub companies: u32,
    /// Every email, ascending by (timestamp_created, lead, position in thread).
    pub emails: Vec<EmailKey>,
    pub stats: Stats,
    pub live: Live,
}

/// A lead as it is now: generated history plus live changes.
pub struct LeadNow {
    pub core: LeadCore,
    pub plan: Plan,
    pub interest_changed_ms: Option<i64>,
}

impl LeadNow {
    pub fn view(&self) -> LeadView<'_> {
        LeadView {
            core: &self.core,
            msgs: &self.plan.msgs,
            interest: self.plan.interest,
            interest_changed_ms: self.interest_changed_ms,
            status: self.plan.status,
        }
    }
}

impl Workspace {
    /// The lead with its full thread (generated and added) and current interest status.
    pub fn lead_now(&self, index: u32) -> LeadNow {
        let core = self.lead_core(index);
        let mut plan = self.plan(&core);
        if self.live.read_threads.contains(&index) {
            plan.msgs.iter_mut().for_each(|m| m.unread = false);
        }
        for pos in self.live.clicks.get(&index).into_iter().flatten() {
            let msg = &mut plan.msgs[usize::from(*pos)];
            (msg.opened, msg.clicked) = (true, true);
        }
        if let Some(extra) = self.live.extra.get(&index) {
            plan.msgs.extend_from_slice(extra);
        }
        let mut interest_changed_ms = None;
        if let Some((interest, at)) = self.live.interest.get(&index) {
            plan.interest = *interest;
            interest_changed_ms = Some(*at);
        }
        LeadNow {
            core,
            plan,
            interest_changed_ms,
        }
    }

    pub fn lead_json_now(&self, index: u32) -> serde_json::Value {
        self.lead_json(&self.lead_now(index).view())
    }

    pub fn account_index(&self, email: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| a.email.eq_ignore_ascii_case(email))
    }
}

impl Workspace {
    /// A lead with only its fixed facts (no thread): enough for campaign and list filters.
    pub fn lead_now_light(&self, index: u32) -> LeadNow {
        LeadNow {
            core: self.lead_core(index),
            plan: Plan::default(),
            interest_changed_ms: None,
        }
    }
}

#[cfg(test)]
mod tests;
