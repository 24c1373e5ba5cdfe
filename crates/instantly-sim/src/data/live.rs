//! Changes to a workspace after generation: new emails, interest changes, mailbox changes,
//! read marks. Each keeps the email index, the unread count and the analytics consistent.

use super::leads::{Msg, MsgKind};
use super::stats::Seen;
use super::{EmailKey, Workspace};

/// Text of an email written through the API (replies), by (lead, position).
#[derive(Debug, Clone)]
pub struct CustomContent {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Threads longer than this get no more emails (positions must fit the id).
pub const MAX_THREAD: usize = 250;

impl Workspace {
    /// Moves the simulated clock forward and returns the new "now".
    pub fn advance_clock(&mut self, ms: i64) -> i64 {
        if let Some(frozen) = self.live.frozen_clock_ms {
            return frozen;
        }
        self.live.clock_ms += ms.max(1);
        self.live.clock_ms
    }

    /// Appends an email to a lead's thread at the current clock; returns its index key.
    pub fn append_email(&mut self, lead: u32, kind: MsgKind, content: u32) -> Option<EmailKey> {
        let now = self.lead_now(lead);
        let msgs = &now.plan.msgs;
        let last_step = msgs.iter().rev().find(|m| m.kind == MsgKind::Step)?;
        if msgs.len() >= MAX_THREAD {
            return None;
        }
        let ts = self.advance_clock(1_000);
        let unread = kind != MsgKind::Manual;
        let msg = Msg {
            kind,
            ts,
            step: last_step.step,
            variant: last_step.variant,
            opened: false,
            clicked: false,
            unread,
            content,
        };
        let key = EmailKey {
            ts,
            lead,
            pos: msgs.len() as u16,
        };
        if let Some(campaign) = now.core.campaign {
            let mut seen = Seen::of(msgs);
            self.stats
                .record(campaign, now.core.account, &msg, &mut seen);
        }
        self.live.extra.entry(lead).or_default().push(msg);
        self.live.unread += u64::from(unread);
        // Usually the newest, but tied timestamps can order before the last key.
        let at = self.emails.partition_point(|k| *k < key);
        self.emails.insert(at, key);
        Some(key)
    }

    /// Clicks the link of the lead's latest unclicked step email; returns that email's key.
    pub fn add_click(&mut self, lead: u32) -> Option<EmailKey> {
        let now = self.lead_now(lead);
        let msgs = &now.plan.msgs;
        let pos = msgs
            .iter()
            .rposition(|m| m.kind == MsgKind::Step && !m.clicked)?;
        let campaign = now.core.campaign?;
        self.stats
            .record_click(campaign, now.core.account, &msgs[pos], &Seen::of(msgs));
        self.live.clicks.entry(lead).or_default().push(pos as u16);
        self.advance_clock(1_000);
        Some(EmailKey {
            ts: msgs[pos].ts,
            lead,
            pos: pos as u16,
        })
    }

    /// Sets a lead's interest status; returns the previous one.
    pub fn set_interest(&mut self, lead: u32, value: Option<i64>) -> Option<i64> {
        let now = self.lead_now(lead);
        let previous = now.plan.interest;
        if let Some(campaign) = now.core.campaign {
            self.stats.campaigns[usize::from(campaign)].move_interest(previous, value);
        }
        let at = self.advance_clock(1_000);
        self.live.interest.insert(lead, (value, at));
        previous
    }

    /// Sets a mailbox's status; returns the previous one.
    pub fn set_account_status(&mut self, account: usize, status: i64) -> i64 {
        let at = self.advance_clock(1_000);
        let account = &mut self.accounts[account];
        account.updated_ms = at;
        std::mem::replace(&mut account.status, status)
    }

    /// Marks every email of a lead's thread read; returns how many were unread.
    pub fn mark_thread_read(&mut self, lead: u32) -> u64 {
        let unread = self
            .lead_now(lead)
            .plan
            .msgs
            .iter()
            .filter(|m| m.unread)
            .count() as u64;
        self.live.read_threads.insert(lead);
        for msg in self.live.extra.get_mut(&lead).into_iter().flatten() {
            msg.unread = false;
        }
        self.live.unread -= unread;
        unread
    }
}
