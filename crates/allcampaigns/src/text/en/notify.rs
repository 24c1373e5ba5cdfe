//! English: notifications and reminders.

use super::*;

pub const NOTIFY: NotifyTexts = NotifyTexts {
    title: "Notifications",
    unread_count: "unread",
    mark_read: "Mark read",
    mark_all_read: "Mark all read",
    unread: "Unread",
    empty: "Nothing yet. You are notified when a teammate mentions you in a note with @ and \
            your name (@ana, or your email address), and when a thread you asked to be \
            reminded of has no reply from the lead in time.",
    mentioned: |who| format!("{who} mentioned you on"),
    teammate: "A teammate",
    no_reply: "No reply yet on",
    the_thread: "the thread",
    in_client: |client| format!("in {client}"),
    reminders: "Remind me if no reply",
    remind_at: |zone| format!("Remind me at (time in {zone})"),
    remind: "Set the reminder",
    quick_label: "Or remind me",
    tomorrow_nine: "Tomorrow at 9:00",
    in_three_days: "In 3 days",
    in_a_week: "In a week",
    no_reminders: "No reminders on this thread.",
    reminder_for: |who, when| format!("For {who}, at {when}"),
    state: |state| match state {
        "waiting" => "Waiting",
        "reminded" => "Reminded",
        "answered" => "The lead answered, so it cancelled itself",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    },
    cancel: "Cancel",
    keys: &[("m", "Remind me if no reply")],
};
