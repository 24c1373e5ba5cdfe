//! Replies from someone other than the lead (issue 12): a colleague or a referral answers in
//! the lead's thread. Such a reply is marked until a person attaches its address to the lead
//! (then every thread of that lead shows it as the lead's) or makes a lead of our own of it
//! (then every thread shows it as that person's). Both live in our own tables, keyed by tenant
//! first, which no sync writes; the rules are in [`sender_rules`](super::sender_rules).
//!
//! A lead is known by its address, lower-cased, as its other threads are found. Addresses are
//! compared without regard to case.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThreadDetail;
use crate::domain::{TenantId, UserId};
use crate::store::{NewAuditEntry, Result};

/// Who wrote a received message, as the thread's lead sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderRelation {
    /// The thread's lead.
    Lead,
    /// Another address attached to the thread's lead.
    Attached,
    /// A lead made here from a reply of theirs.
    NewLead,
    /// Someone other than the lead, not yet attached or made a lead: marked.
    Other,
}

impl SenderRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Attached => "attached",
            Self::NewLead => "new_lead",
            Self::Other => "other",
        }
    }
}

/// The sender of one received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSender {
    /// As the message gives it.
    pub address: String,
    /// The From header's display name, or the name of the lead made from it.
    pub name: Option<String>,
    pub relation: SenderRelation,
}

impl MessageSender {
    /// "Name <address>", or the address alone.
    pub fn display(&self) -> String {
        match &self.name {
            Some(name) => format!("{name} <{}>", self.address),
            None => self.address.clone(),
        }
    }
}

/// What the store knows about a thread's senders, read in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KnownSenders {
    /// Message id → the display name of its From header.
    pub names: HashMap<String, String>,
    /// The addresses attached to the thread's lead (lower-cased).
    pub attached: HashSet<String>,
    /// Leads made here among the thread's senders: address (lower-cased) → name.
    pub own_leads: HashMap<String, Option<String>>,
}

/// What a person does with a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderAction {
    /// Record the address as another address of the thread's lead.
    Attach,
    /// Make a lead of our own for the address.
    NewLead,
}

impl SenderAction {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "attach" => Some(Self::Attach),
            "new_lead" => Some(Self::NewLead),
            _ => None,
        }
    }
}

/// A lead made here from a reply.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OwnLead {
    /// Lower-cased.
    pub email: String,
    pub name: Option<String>,
    /// The thread whose reply made it.
    pub thread_id: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// An address to attach to a lead (both lower-cased), and who attaches it where.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub lead_email: String,
    pub address: String,
    pub thread_id: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// Our own records of senders. Each change writes its audit entry in its transaction, and
/// only when it changed something: a second attach or new lead is a no-op (`false`).
#[async_trait]
pub trait SenderStore {
    /// The From names of the thread's messages, the addresses attached to `lead_email`, and
    /// the leads made here among `addresses` (each lower-cased).
    async fn known_senders(
        &self,
        tenant: TenantId,
        thread_id: &str,
        lead_email: Option<&str>,
        addresses: &[String],
    ) -> Result<KnownSenders>;

    async fn attach_address(
        &self,
        tenant: TenantId,
        attachment: &Attachment,
        entry: &NewAuditEntry,
    ) -> Result<bool>;

    async fn add_own_lead(
        &self,
        tenant: TenantId,
        lead: &OwnLead,
        entry: &NewAuditEntry,
    ) -> Result<bool>;

    /// The lead made here for an address (lower-cased), if any.
    async fn own_lead(&self, tenant: TenantId, email: &str) -> Result<Option<OwnLead>>;
}

/// An address as compared: the part inside `<…>` when there is one, trimmed, lower-cased;
/// `None` when it is no address.
pub fn normalize(address: &str) -> Option<String> {
    let inner = match (address.find('<'), address.rfind('>')) {
        (Some(open), Some(close)) if open < close => &address[open + 1..close],
        _ => address,
    };
    let inner = inner.trim();
    let plausible = inner.contains('@')
        && inner.chars().count() <= 320
        && !inner.chars().any(|c| c.is_control() || c.is_whitespace());
    plausible.then(|| inner.to_lowercase())
}

/// A mail system's notice (a bounce) is no person's reply.
fn is_mail_system(address: &str) -> bool {
    address.starts_with("mailer-daemon@") || address.starts_with("postmaster@")
}

/// The thread's lead as a key: its address, lower-cased.
pub fn lead_key(detail: &ThreadDetail) -> Option<String> {
    detail.summary.lead_email.as_deref().and_then(normalize)
}

/// The distinct senders of the thread's received messages (lower-cased).
pub fn sender_addresses(detail: &ThreadDetail) -> Vec<String> {
    let mut addresses: Vec<String> = detail
        .messages
        .iter()
        .filter(|m| m.direction == "received")
        .filter_map(|m| m.from_address.as_deref().and_then(normalize))
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses
}

/// The sender of each message of the thread, in order: `None` for our sends, a message
/// without a sender, a mail system's notice, and every message of a thread with no lead
/// (there is no one to be other than).
pub fn senders(detail: &ThreadDetail, known: &KnownSenders) -> Vec<Option<MessageSender>> {
    let Some(lead) = lead_key(detail) else {
        return vec![None; detail.messages.len()];
    };
    let lead_record = detail.lead.as_ref().and_then(|l| l.email.as_deref());
    let lead_record = lead_record.and_then(normalize);
    detail
        .messages
        .iter()
        .map(|m| {
            if m.direction != "received" {
                return None;
            }
            let address = m.from_address.as_deref()?;
            let key = normalize(address).filter(|a| !is_mail_system(a))?;
            let mut name = known.names.get(&m.id).cloned();
            let relation = if key == lead || Some(&key) == lead_record.as_ref() {
                SenderRelation::Lead
            } else if known.attached.contains(&key) {
                SenderRelation::Attached
            } else if let Some(own) = known.own_leads.get(&key) {
                name = own.clone().or(name);
                SenderRelation::NewLead
            } else {
                SenderRelation::Other
            };
            Some(MessageSender {
                address: address.trim().to_owned(),
                name,
                relation,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::{InboxMessage, ThreadSummary};

    fn message(id: &str, direction: &str, from: &str) -> InboxMessage {
        InboxMessage {
            id: id.into(),
            direction: direction.into(),
            mailbox: "us@agency.example".into(),
            from_address: Some(from.into()),
            to_addresses: String::new(),
            cc_addresses: None,
            subject: String::new(),
            body_text: String::new(),
            body_html: None,
            attachments: None,
            is_auto_reply: false,
            at: Utc::now(),
            step: None,
        }
    }

    fn thread(lead: Option<&str>, messages: Vec<InboxMessage>) -> ThreadDetail {
        ThreadDetail {
            summary: ThreadSummary {
                tenant_id: TenantId::new(),
                thread_id: "t".into(),
                lead_id: None,
                lead_email: lead.map(Into::into),
                campaign_id: None,
                mailbox: String::new(),
                subject: String::new(),
                snippet: String::new(),
                last_message_at: Utc::now(),
                last_direction: "received".into(),
                message_count: messages.len() as i64,
                category: "primary".into(),
                unread: false,
                done: false,
                snoozed_until: None,
                owner_id: None,
                stage: None,
                tags: Vec::new(),
            },
            messages,
            lead: None,
            other_threads: Vec::new(),
        }
    }

    fn relations(detail: &ThreadDetail, known: &KnownSenders) -> Vec<Option<&'static str>> {
        let senders = senders(detail, known);
        let relation = |s: &Option<MessageSender>| s.as_ref().map(|s| s.relation.as_str());
        senders.iter().map(relation).collect()
    }

    #[test]
    fn the_lead_in_any_case_is_the_lead_and_anyone_else_is_marked() {
        let detail = thread(
            Some("Ann@Acme.example"),
            vec![
                message("1", "sent", "us@agency.example"),
                message("2", "received", "ann@ACME.example"),
                message("3", "received", "Bob Smith <Bob@acme.example>"),
                message("4", "received", "MAILER-DAEMON@mail.example"),
            ],
        );
        let known = KnownSenders::default();
        assert_eq!(
            relations(&detail, &known),
            [None, Some("lead"), Some("other"), None]
        );
        assert_eq!(sender_addresses(&detail)[0], "ann@acme.example");
    }

    #[test]
    fn attached_addresses_and_leads_made_here_are_no_longer_marked() {
        let detail = thread(
            Some("ann@acme.example"),
            vec![
                message("1", "received", "BOB@acme.example"),
                message("2", "received", "cat@acme.example"),
            ],
        );
        let known = KnownSenders {
            names: HashMap::from([("2".into(), "Cat from the header".into())]),
            attached: HashSet::from(["bob@acme.example".into()]),
            own_leads: HashMap::from([("cat@acme.example".into(), Some("Cat Lee".into()))]),
        };
        assert_eq!(
            relations(&detail, &known),
            [Some("attached"), Some("new_lead")]
        );
        let cat = senders(&detail, &known)[1].clone().unwrap();
        assert_eq!(cat.display(), "Cat Lee <cat@acme.example>");
    }

    #[test]
    fn a_thread_without_a_lead_marks_nobody() {
        let detail = thread(None, vec![message("1", "received", "bob@acme.example")]);
        assert_eq!(relations(&detail, &KnownSenders::default()), [None]);
    }

    #[test]
    fn only_addresses_normalize() {
        assert_eq!(
            normalize(" Bob <BOB@x.example> "),
            Some("bob@x.example".into())
        );
        assert_eq!(normalize("no address"), None);
        assert_eq!(normalize("a\0b@x.example"), None);
        assert_eq!(normalize(&format!("{}@x.example", "a".repeat(400))), None);
    }
}
