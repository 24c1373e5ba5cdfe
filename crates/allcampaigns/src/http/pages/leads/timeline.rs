//! The lead page's timeline as shown: each event of `leads::timeline::page` in words, with
//! who and when, and a change's from → to.

use chrono::{DateTime, Utc};

use super::author_name;
use crate::domain::{Role, TenantId};
use crate::http::pages::inbox::rows::{When, thread_path};
use crate::leads::state::{Change, Source};
use crate::leads::timeline::Event;
use crate::leads::{Call, Note};
use crate::text::{LeadTexts, Texts};

pub struct EventView {
    /// Its kind, for the page's styles and tests: change, call, note, reply or message.
    pub kind: &'static str,
    pub when: When,
    pub title: String,
    pub who: Option<String>,
    /// Text shown as is (escaped by the template).
    pub text: Option<String>,
    /// Markup rendered by `leads::markdown`, which lets only safe markup through.
    pub html: Option<String>,
    pub href: Option<String>,
}

pub struct Context<'a> {
    pub tenant: TenantId,
    pub viewer: Role,
    pub now: DateTime<Utc>,
    pub w: &'a LeadTexts,
    pub t: &'a Texts,
}

pub fn view(event: Event, cx: &Context) -> EventView {
    let when = When::of(event.at(), cx.now, &cx.t.inbox);
    let mut shown = EventView {
        kind: "",
        when,
        title: String::new(),
        who: None,
        text: None,
        html: None,
        href: None,
    };
    match event {
        Event::Change(change) => changed(&mut shown, change, cx.viewer, cx.w),
        Event::Call(call) => called(&mut shown, call, cx.viewer, cx.w),
        Event::Note(note) => noted(&mut shown, note, cx.viewer, cx.w),
        Event::Reply(reply) => {
            shown.kind = "reply";
            shown.title = (cx.w.reply_pending)((cx.w.reply_state)(reply.state.as_str()));
            shown.who = reply
                .author
                .as_ref()
                .map(|a| author_name(Some(a), cx.viewer, cx.w));
            shown.html = Some(reply.html);
            shown.href = Some(thread_path(cx.tenant, &reply.thread_id));
        }
        Event::Message(message) => {
            shown.kind = "message";
            shown.title = if message.direction == "received" {
                cx.w.message_in.to_owned()
            } else {
                cx.w.message_out.to_owned()
            };
            shown.who = message.from_address;
            shown.text = Some(format!("{}\n{}", message.subject, message.preview));
            shown.href = Some(thread_path(cx.tenant, &message.thread_id));
        }
    }
    shown
}

fn changed(shown: &mut EventView, change: Change, viewer: Role, w: &LeadTexts) {
    shown.kind = "change";
    let side = |label: Option<String>, raw: Option<String>| {
        label.or(raw).unwrap_or_else(|| w.nothing.to_owned())
    };
    let from = side(change.from_label, change.from);
    let to = side(change.to_label, change.to);
    shown.title = (w.changed)((w.field_name)(&change.field), &from, &to);
    shown.who = Some(match (&change.actor, change.source) {
        (Some(actor), _) => author_name(Some(actor), viewer, w),
        (None, Source::Rule) => (w.source)(w.source_rule),
        (None, Source::Instantly) => (w.source)(w.source_instantly),
        (None, Source::Person) => (w.by)(w.someone),
    });
    shown.text = change.reason;
}

fn called(shown: &mut EventView, call: Call, viewer: Role, w: &LeadTexts) {
    shown.kind = "call";
    let outcome = (w.outcome)(call.outcome.as_str());
    shown.title = (w.call_logged)(outcome, &(w.minutes)(call.duration_seconds));
    shown.who = call
        .author
        .as_ref()
        .map(|a| author_name(Some(a), viewer, w));
    shown.html = call.notes_html;
}

fn noted(shown: &mut EventView, note: Note, viewer: Role, w: &LeadTexts) {
    shown.kind = "note";
    let mark = if note.shared {
        w.shared_mark
    } else {
        w.internal_mark
    };
    shown.title = format!("{} ({mark})", w.note_added);
    shown.who = note
        .author
        .as_ref()
        .map(|a| author_name(Some(a), viewer, w));
    shown.html = Some(note.html);
}
