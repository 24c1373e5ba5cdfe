//! The words of notifications: the page that lists a person's mentions and reminders, its link
//! in the top bar, and the "remind me if no reply" form beside a thread.

use super::pages::{With, Words};

/// Words with two values put in their place.
pub type WithTwo = fn(&str, &str) -> String;

pub struct NotifyTexts {
    /// The top bar's link and the page's title.
    pub title: Words,
    /// After the count in the top bar's link, for screen readers.
    pub unread_count: Words,
    pub mark_read: Words,
    pub mark_all_read: Words,
    /// Beside a notification not read yet.
    pub unread: Words,
    /// Says what brings notifications, when there are none.
    pub empty: Words,
    /// "Ana mentioned you on", before the lead's link.
    pub mentioned: With,
    /// A mention whose author is gone.
    pub teammate: Words,
    /// Before the thread's link, in a reminder.
    pub no_reply: Words,
    /// A thread's link when it has no subject.
    pub the_thread: Words,
    /// "in Acme", the client a notification is in.
    pub in_client: With,
    pub reminders: Words,
    /// The time field's label, with the client's time zone.
    pub remind_at: With,
    pub remind: Words,
    pub quick_label: Words,
    pub tomorrow_nine: Words,
    pub in_three_days: Words,
    pub in_a_week: Words,
    pub no_reminders: Words,
    /// "For Ana, at 2026-01-15 09:00 EET".
    pub reminder_for: WithTwo,
    /// `waiting`, `reminded`, `answered` or `cancelled` in words.
    pub state: fn(&str) -> Words,
    pub cancel: Words,
    /// The reminder form's key, for the list of shortcuts.
    pub keys: &'static [(Words, Words)],
}
