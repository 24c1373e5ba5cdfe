//! Emails: ids that decode to their index position, and their JSON with text and HTML bodies
//! (some of it hostile, for the product's sanitizer).

use serde_json::{Value, json};

use super::leads::{Msg, MsgKind};
use super::pools::*;
use super::rng::*;
use super::{EmailKey, LeadNow, Workspace};

impl Workspace {
    pub fn email_id(&self, key: EmailKey) -> String {
        make_id(self.seed, key.ts, Kind::Email, key.lead, key.pos as u8).to_string()
    }

    /// The index key named by an email id of this workspace.
    pub fn email_key_of(&self, id: &str) -> Option<EmailKey> {
        let (ts, kind, lead, pos) = parse_id(id)?;
        let key = EmailKey {
            ts,
            lead,
            pos: u16::from(pos),
        };
        let valid = kind == Kind::Email as u8
            && lead < self.lead_count
            && self.email_id(key) == id.to_ascii_lowercase();
        valid.then_some(key)
    }

    /// The email at `pos` of a lead's thread.
    pub fn email_json(&self, lead: &LeadNow, pos: usize) -> Value {
        let msg = &lead.plan.msgs[pos];
        let core = &lead.core;
        let key = EmailKey {
            ts: msg.ts,
            lead: core.index,
            pos: pos as u16,
        };
        let id = self.email_id(key);
        let account = &self.accounts[usize::from(core.account)].email;
        let lead_email = self.lead_email(core);
        let colleague = (self.live.colleague_replies)
            .contains(&(core.index, pos as u16))
            .then(|| self.colleague(lead));
        let (from, to) = match (msg.kind, &colleague) {
            (MsgKind::Step | MsgKind::Manual, _) => (account.clone(), lead_email.clone()),
            (MsgKind::Reply, Some((_, address))) => (address.clone(), account.clone()),
            (MsgKind::Reply | MsgKind::AutoReply, _) => (lead_email.clone(), account.clone()),
            (MsgKind::Bounce, _) => ("mailer-daemon@googlemail.com".to_owned(), account.clone()),
        };
        let (subject, text, html) = match self.live.custom.get(&(core.index, pos as u16)) {
            Some(c) => (c.subject.clone(), c.text.clone(), c.html.clone()),
            None => self.content(lead, msg, &id),
        };
        let (text, html) = match &colleague {
            Some((name, _)) => colleague_text(name, FIRST_NAMES[core.first].0),
            None => (text, html),
        };
        let received = matches!(
            msg.kind,
            MsgKind::Reply | MsgKind::AutoReply | MsgKind::Bounce
        );
        let sender_name = match (msg.kind, &colleague) {
            (MsgKind::Reply, Some((name, _))) => name.clone(),
            (MsgKind::Reply, None) => self.lead_name(lead),
            _ => String::new(),
        };
        let interest = (msg.kind == MsgKind::Reply)
            .then_some(lead.plan.interest)
            .flatten();
        let domain = from.split('@').nth(1).unwrap_or("example.com").to_owned();
        json!({
            "id": id,
            "timestamp_created": iso(msg.ts),
            "timestamp_email": iso(msg.ts - i64::from(msg.content % 90_000)),
            "message_id": format!("<{:08x}{:08x}.{pos}@{domain}>", msg.content, core.index),
            "subject": subject,
            "from_address_email": from,
            "to_address_email_list": to,
            "cc_address_email_list": null,
            "bcc_address_email_list": null,
            "reply_to": null,
            "body": { "text": text, "html": html },
            "content_preview": text.chars().take(80).collect::<String>(),
            "organization_id": self.id,
            "campaign_id": core.campaign.map(|c| self.campaigns[usize::from(c)].id.clone()),
            "subsequence_id": null,
            "list_id": core.list.map(|l| self.lists[usize::from(l)].id.clone()),
            "lead": lead_email,
            "lead_id": self.lead_id(core.index),
            "eaccount": account,
            "ue_type": match msg.kind { MsgKind::Step => 1, MsgKind::Manual => 3, _ => 2 },
            "step": (msg.kind == MsgKind::Step).then(|| format!("step-{}", msg.step + 1)),
            "is_unread": u8::from(msg.unread),
            "is_auto_reply": u8::from(msg.kind == MsgKind::AutoReply),
            "is_focused": u8::from(msg.kind == MsgKind::Reply),
            "reminder_ts": null,
            "ai_interest_value": interest.map(|i| match i { 1..=4 => 0.9, 0 => 0.5, _ => 0.1 }),
            "ai_assisted": 0,
            "i_status": interest,
            "thread_id": self.thread_id(core.index),
            "attachment_json": (received && msg.content.is_multiple_of(20)).then(|| json!({ "files": [{
                "filename": "Proposal – v2.pdf", "size": 48_213, "type": "application/pdf",
                "url": format!("https://files.example/{id}/proposal.pdf"),
            }]})),
            "from_address_json": [{ "address": from, "name": sender_name }],
            "to_address_json": [{ "address": to }],
            "cc_address_json": null,
            "ai_agent_id": null,
        })
    }

    /// The lead's colleague at the same company, who sometimes answers in the lead's place:
    /// (display name, address). Fixed per lead, so every reply of theirs comes from one
    /// address, written with capitals as people's mail programs often send it.
    pub fn colleague(&self, lead: &LeadNow) -> (String, String) {
        let core = &lead.core;
        let index = core.index as usize;
        let mut first = (index * 7 + 3) % FIRST_NAMES.len();
        if first == core.first {
            first = (first + 1) % FIRST_NAMES.len();
        }
        let (first, last) = (
            FIRST_NAMES[first],
            LAST_NAMES[(index * 5 + 1) % LAST_NAMES.len()],
        );
        let capital = |word: &str| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        };
        let address = format!(
            "{}.{}@{}",
            capital(first.1),
            capital(last.1),
            self.company_domain(core.company)
        );
        (format!("{} {}", first.0, last.0), address)
    }

    fn lead_name(&self, lead: &LeadNow) -> String {
        format!(
            "{} {}",
            FIRST_NAMES[lead.core.first].0, LAST_NAMES[lead.core.last].0
        )
    }

    /// (subject, text, html) of a message.
    fn content(&self, lead: &LeadNow, msg: &Msg, id: &str) -> (String, String, String) {
        let core = &lead.core;
        let first = FIRST_NAMES[core.first].0;
        let company = COMPANIES[core.company as usize % COMPANIES.len()].0;
        let fill = |t: String| {
            t.replace("{{firstName}}", first)
                .replace("{{companyName}}", company)
        };
        let step_subject = self
            .step_text(core.campaign, msg, |(s, _)| SUBJECTS[s])
            .map(fill);
        let subject = step_subject.clone().unwrap_or_else(|| "Hello".to_owned());
        let pick = |pool: &[&'static str]| pool[msg.content as usize % pool.len()];
        match msg.kind {
            MsgKind::Step => {
                let text = self
                    .step_text(core.campaign, msg, |(_, b)| BODIES[b])
                    .map(fill)
                    .unwrap_or_default();
                let paragraphs: String = text
                    .split("\n\n")
                    .map(|p| format!("<p>{}</p>", escape(p)))
                    .collect();
                let pixel = format!(
                    "<img src=\"https://track.instantly-sim.example/o/{id}.png\" width=\"1\" height=\"1\" alt=\"\">"
                );
                let html = format!(
                    "<div>{paragraphs}<p><a href=\"https://cal.example/demo?l={}\">Book a time</a></p>{pixel}</div>",
                    core.index
                );
                (subject, text, html)
            }
            MsgKind::Reply => {
                let text = format!("{}\n\n— {first}", pick(REPLIES));
                let html = if msg.content % 10 < 3 {
                    pick(HOSTILE_HTML).to_owned()
                } else {
                    format!(
                        "<div dir=\"auto\">{}</div><blockquote>{}</blockquote>",
                        escape(&text),
                        escape(&subject)
                    )
                };
                (format!("Re: {subject}"), text, html)
            }
            MsgKind::AutoReply => {
                let text = pick(AUTO_REPLIES).to_owned();
                let html = format!("<p>{}</p>", escape(&text));
                (format!("Automatic reply: {subject}"), text, html)
            }
            MsgKind::Bounce => {
                let text = format!(
                    "Address not found\n\nYour message wasn't delivered to {} because the address couldn't be found.",
                    self.lead_email(core)
                );
                let html = format!(
                    "<html><body><h2>Address not found</h2><p>{}</p></body></html>",
                    escape(&text)
                );
                (
                    "Delivery Status Notification (Failure)".to_owned(),
                    text,
                    html,
                )
            }
            MsgKind::Manual => {
                let text = format!(
                    "Thanks {first}! Here is my calendar: https://cal.example/meet\n\nBest"
                );
                let html = format!(
                    "<p>Thanks {}! Here is my <a href=\"https://cal.example/meet\">calendar</a>.</p><p>Best</p>",
                    escape(first)
                );
                (format!("Re: {subject}"), text, html)
            }
        }
    }

    fn step_text(
        &self,
        campaign: Option<u16>,
        msg: &Msg,
        f: impl Fn((usize, usize)) -> &'static str,
    ) -> Option<String> {
        let campaign = &self.campaigns[usize::from(campaign?)];
        let step = campaign.steps.get(usize::from(msg.step))?;
        step.variants
            .get(usize::from(msg.variant))
            .map(|v| f(*v).to_owned())
    }
}

/// A colleague's answer in the lead's place: (text, html).
fn colleague_text(name: &str, lead_first: &str) -> (String, String) {
    let text = format!(
        "Hi, {lead_first} passed your note to me: I look after this for our team. \
         Could you send me the details?\n\n— {name}"
    );
    let html = format!("<div dir=\"auto\">{}</div>", escape(&text));
    (text, html)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "<br>")
}
