//! The thread pane and the lead pane beside the list.

use chrono::{DateTime, Utc};
use url::Url;

use super::body::{Framing, frame_document, has_blocked_images, split_text};
use super::query::ListQuery;
use super::rows::{Names, When, full_name, snooze_value, thread_path};
use crate::domain::{Attachment, UserId};
use crate::egress::signing::{ImageGrant, ImageUrlSigner};
use crate::inbox::senders::{MessageSender, SenderRelation};
use crate::inbox::{InboxLead, InboxMessage, ThreadDetail};
use crate::store::Member;
use crate::text::Texts;

pub struct MessageView {
    pub received: bool,
    pub auto_reply: bool,
    pub mailbox: String,
    pub from: String,
    pub to: String,
    pub cc: Option<String>,
    pub subject: String,
    pub when: When,
    /// The sanitized HTML as a whole document for `srcdoc`.
    pub frame: Option<String>,
    pub text: String,
    pub quoted: Option<String>,
    pub attachments: Vec<AttachmentView>,
    /// Who wrote a reply when it is not the lead's own address, in words.
    pub sender_note: Option<String>,
    /// The reply is from someone other than the lead: marked, with its two actions.
    pub from_other: bool,
    /// The sender's address, for those actions.
    pub sender_address: String,
}

/// A file the message carried: its name, size and type, and Instantly's download address
/// when it gave an `https` one.
pub struct AttachmentView {
    pub name: String,
    pub about: String,
    pub href: Option<String>,
}

pub struct LeadView {
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub interest: String,
    pub campaign: Option<String>,
    pub engagement: String,
    pub last_contact: Option<When>,
    pub variables: Vec<(String, String)>,
    /// The campaign step (and variant) the lead last replied to.
    pub replied_to: Option<String>,
}

/// Another thread of the lead, as a link that keeps the list's query.
pub struct OtherThread {
    pub href: String,
    pub subject: String,
    pub mailbox: String,
    pub campaign: Option<String>,
    pub when: When,
}

pub struct ThreadPane {
    /// `tenant/thread`, as the list's rows name it.
    pub key: String,
    pub presence_href: String,
    pub subject: String,
    pub client: String,
    /// The thread's triage action and its form's return address.
    pub action: String,
    /// Where a reply's sender is attached to the lead or made a lead.
    pub senders_action: String,
    pub back: String,
    pub list_href: String,
    pub images_href: Option<String>,
    pub instantly_href: String,
    pub messages: Vec<MessageView>,
    pub lead: Option<LeadView>,
    /// The campaign step of our latest send, when Instantly named one.
    pub step: Option<String>,
    pub other_threads: Vec<OtherThread>,
    pub unread: bool,
    pub done: bool,
    pub snoozed: Option<String>,
    /// What an undo restores (see `rows::Row`).
    pub snoozed_value: String,
    pub owner_id: String,
    /// An out-of-office reply names the day its writer is back: the `until` to snooze to (9:00
    /// that day) and the button's words.
    pub back_on: Option<(String, String)>,
    pub owner: Option<String>,
    pub stage: String,
    pub tags: Vec<String>,
    pub can_triage: bool,
    /// Members the thread may be assigned to.
    pub members: Vec<(UserId, String)>,
}

/// What building the pane needs besides the thread.
pub struct PaneContext<'a> {
    pub names: &'a Names<'a>,
    pub query: &'a ListQuery,
    pub texts: &'static Texts,
    pub origin: &'a str,
    pub instantly: &'a Url,
    pub signer: &'a ImageUrlSigner,
    pub me: UserId,
    pub now: DateTime<Utc>,
}

impl ThreadPane {
    pub fn new(
        detail: ThreadDetail,
        senders: Vec<Option<MessageSender>>,
        members: Vec<Member>,
        cx: &PaneContext,
    ) -> Self {
        let t = &cx.texts.inbox;
        let summary = &detail.summary;
        let tenant = summary.tenant_id;
        let path = thread_path(tenant, &summary.thread_id);
        let blocked = detail
            .messages
            .iter()
            .any(|m| m.body_html.as_deref().is_some_and(has_blocked_images));
        let grant = ImageGrant::for_user(cx.me, cx.now);
        let framing = Framing {
            origin: cx.origin,
            quoted_label: t.quoted,
            images: cx.query.images.then_some((cx.signer, grant)),
        };
        let client = cx.names.client(tenant);
        let images_href = (blocked && !cx.query.images).then(|| {
            let list = cx.query.encode();
            let sep = if list.is_empty() { "" } else { "&" };
            format!("{path}?{list}{sep}images=1")
        });
        Self {
            key: format!("{tenant}/{}", summary.thread_id),
            presence_href: format!("{path}/presence"),
            snoozed_value: snooze_value(summary.snoozed_until),
            owner_id: summary
                .owner_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            action: format!("{path}/triage"),
            senders_action: format!("{path}/senders"),
            back: cx.query.encode(),
            list_href: cx.query.href("/inbox"),
            images_href,
            instantly_href: instantly_thread(cx.instantly, &summary.thread_id),
            messages: detail
                .messages
                .iter()
                .zip(
                    senders
                        .iter()
                        .chain(std::iter::repeat(&None::<MessageSender>)),
                )
                .map(|(m, sender)| message(m, sender.as_ref(), &framing, cx))
                .collect(),
            lead: detail.lead.as_ref().map(|lead| lead_view(lead, cx)),
            step: detail
                .messages
                .iter()
                .rev()
                .filter(|m| m.direction == "sent")
                .find_map(|m| m.step.clone().filter(|step| !step.is_empty())),
            other_threads: detail
                .other_threads
                .iter()
                .map(|other| OtherThread {
                    href: cx.query.href(&thread_path(tenant, &other.thread_id)),
                    subject: other.subject.clone(),
                    mailbox: other.mailbox.clone(),
                    campaign: other.campaign_id.clone(),
                    when: When::of(other.last_message_at, cx.now, t),
                })
                .collect(),
            unread: summary.unread,
            done: summary.done,
            snoozed: summary
                .snoozed_until
                .map(|at| (t.snoozed_until)(&at.format("%Y-%m-%d %H:%M UTC").to_string())),
            back_on: back_on(&detail.messages, cx.now).map(|day| {
                let label = (t.action_snooze_until_back)(&day.format("%Y-%m-%d").to_string());
                (format!("{}T09:00", day.format("%Y-%m-%d")), label)
            }),
            owner: summary.owner_id.map(|id| cx.names.person(id)),
            stage: (t.stage_name)(summary.stage),
            tags: summary.tags.clone(),
            can_triage: client.is_some_and(|c| c.role.can_work_leads()),
            client: client.map(|c| c.name.clone()).unwrap_or_default(),
            members: members
                .into_iter()
                .filter(|m| m.role.can_work_leads())
                .map(|m| (m.user_id, person_name(&m)))
                .collect(),
            subject: summary.subject.clone(),
        }
    }
}

pub fn person_name(member: &Member) -> String {
    if member.display_name.trim().is_empty() {
        member.email.to_string()
    } else {
        member.display_name.clone()
    }
}

fn message(
    m: &InboxMessage,
    sender: Option<&MessageSender>,
    framing: &Framing,
    cx: &PaneContext,
) -> MessageView {
    let (text, quoted) = split_text(&m.body_text);
    let t = &cx.texts.inbox;
    let sender_note = sender.and_then(|s| {
        let words = match s.relation {
            SenderRelation::Lead => return None,
            SenderRelation::Attached => t.from_attached,
            SenderRelation::NewLead => t.from_new_lead,
            SenderRelation::Other => t.from_other,
        };
        Some(words(&s.display()))
    });
    MessageView {
        received: m.direction == "received",
        auto_reply: m.is_auto_reply,
        mailbox: m.mailbox.clone(),
        from: m.from_address.clone().unwrap_or_default(),
        to: m.to_addresses.clone(),
        cc: m.cc_addresses.clone().filter(|cc| !cc.is_empty()),
        subject: m.subject.clone(),
        when: When::of(m.at, cx.now, &cx.texts.inbox),
        frame: m
            .body_html
            .as_deref()
            .filter(|html| !html.trim().is_empty())
            .map(|html| frame_document(html, framing)),
        text,
        quoted,
        attachments: Attachment::load(m.attachments.as_deref())
            .into_iter()
            .map(|file| attachment_view(file, cx.texts))
            .collect(),
        sender_note,
        from_other: sender.is_some_and(|s| s.relation == SenderRelation::Other),
        sender_address: sender.map(|s| s.address.clone()).unwrap_or_default(),
    }
}

fn attachment_view(file: Attachment, texts: &Texts) -> AttachmentView {
    let size = file.size.map(texts.inbox.file_size);
    let about = [size, file.mime_type]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    AttachmentView {
        name: file.filename,
        about: about.join(", "),
        href: file.url,
    }
}

fn lead_view(lead: &InboxLead, cx: &PaneContext) -> LeadView {
    let t = &cx.texts.inbox;
    let name = full_name(lead.first_name.as_deref(), lead.last_name.as_deref());
    let name = if name.trim().is_empty() {
        lead.email.clone().unwrap_or_default()
    } else {
        name
    };
    LeadView {
        name,
        email: lead.email.clone(),
        company: lead.company_name.clone(),
        job_title: lead.job_title.clone(),
        phone: lead.phone.clone(),
        website: lead.website.clone().filter(|w| is_web(w)),
        interest: (t.stage_name)(lead.interest_status),
        campaign: lead.campaign_id.clone(),
        engagement: (t.engagement_counts)(lead.open_count, lead.click_count, lead.reply_count),
        last_contact: lead.last_contact_at.map(|at| When::of(at, cx.now, t)),
        variables: variables(&lead.custom_variables),
        replied_to: lead
            .replied_step
            .map(|step| (t.step_variant)(step, lead.replied_variant)),
    }
}

/// Instantly's custom variables (a JSON object) as name and value, in name order; anything
/// else shows nothing.
pub(crate) fn variables(json: &str) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(json) else {
        return Vec::new();
    };
    let mut pairs: Vec<(String, String)> = map
        .into_iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| match value {
            serde_json::Value::String(text) => (name, text),
            other => (name, other.to_string()),
        })
        .collect();
    pairs.sort();
    pairs
}

/// Only http(s) addresses become links.
pub(crate) fn is_web(address: &str) -> bool {
    Url::parse(address).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
}

/// The same thread in Instantly's Unibox: its app beside the API host (`api.` → `app.`).
fn instantly_thread(api: &Url, thread: &str) -> String {
    let mut app = api.clone();
    if let Some(host) = api.host_str().and_then(|h| h.strip_prefix("api.")) {
        let _ = app.set_host(Some(&format!("app.{host}")));
    }
    app.set_path("/app/unibox");
    app.query_pairs_mut()
        .clear()
        .append_pair("thread_id", thread);
    app.to_string()
}

/// The day the lead says they are back, read from the latest auto-reply they sent, when it is
/// still ahead.
fn back_on(messages: &[InboxMessage], now: DateTime<Utc>) -> Option<chrono::NaiveDate> {
    let reply = messages
        .iter()
        .rev()
        .find(|m| m.direction == "received" && m.is_auto_reply)?;
    let day = crate::domain::return_date(&reply.body_text, reply.at.date_naive())?;
    (day > now.date_naive()).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_variables_show_in_name_order_and_anything_else_shows_nothing() {
        let shown = variables(r#"{"b": "two", "a": 1, "c": null}"#);
        assert_eq!(
            shown,
            [("a".into(), "1".into()), ("b".into(), "two".into())]
        );
        assert!(variables("[1]").is_empty());
        assert!(variables("not json").is_empty());
    }

    #[test]
    fn the_instantly_link_points_at_the_app_beside_the_api() {
        let api = Url::parse("https://api.instantly.ai/").unwrap();
        assert_eq!(
            instantly_thread(&api, "t 1&x"),
            "https://app.instantly.ai/app/unibox?thread_id=t+1%26x"
        );
    }
}
