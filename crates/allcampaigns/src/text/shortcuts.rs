//! The words of the inbox's keyboard and live layer (`static/inbox.js`): the list of
//! shortcuts, the snooze chooser, and what the page says after an action, when new replies
//! arrive, and who else is on a thread. Words the script fills in carry `{n}` or `{name}`.

use super::pages::Words;

pub struct ShortcutTexts {
    pub help_title: Words,
    /// The button and hint that open the list: "Keyboard shortcuts (?)".
    pub help_open: Words,
    pub close: Words,
    /// Each shortcut: its keys as shown, and what it does.
    pub keys: &'static [(Words, Words)],
    pub snooze_title: Words,
    pub snooze_pick: Words,
    /// Said when a key needs a thread and none is chosen.
    pub pick_first: Words,
    pub undo: Words,
    pub undone: Words,
    /// Before the server's reason, when it refused an action.
    pub refused: Words,
    pub offline: Words,
    /// `{n}` new threads are waiting above the list.
    pub new_threads: Words,
    pub viewing: Words,
    pub writing: Words,
    /// A teammate who set no display name.
    pub teammate: Words,
    pub did_read: Words,
    pub did_unread: Words,
    pub did_done: Words,
    pub did_undone: Words,
    pub did_snooze: Words,
    pub did_unsnooze: Words,
    pub did_assign: Words,
}
