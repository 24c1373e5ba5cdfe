//! English: the inbox's keyboard and live layer.

use super::*;

pub const SHORTCUTS: ShortcutTexts = ShortcutTexts {
    help_title: "Keyboard shortcuts",
    help_open: "Keyboard shortcuts (?)",
    close: "Close",
    keys: &[
        ("j / k", "Next / previous thread"),
        ("o or Enter", "Open the thread"),
        ("u", "Mark read or unread"),
        ("e", "Mark done, or back to the inbox"),
        ("s", "Snooze"),
        ("a", "Assign to me"),
        ("x", "Select the thread"),
        ("z", "Undo the last action"),
        (
            "l / L",
            "A reply from someone else: attach to the lead / make a new lead",
        ),
        ("/", "Search"),
        ("g then i", "Go to the inbox"),
        ("?", "This list"),
    ],
    snooze_title: "Snooze until",
    snooze_pick: "Press 1, 2 or 3, or choose a time.",
    pick_first: "Choose a thread first: j and k move, x selects.",
    undo: "Undo",
    undone: "Undone.",
    refused: "Not saved:",
    offline: "the server could not be reached. Nothing changed.",
    new_threads: "{n} new: show them",
    viewing: "{name} has it open",
    writing: "{name} is writing",
    teammate: "A teammate",
    did_read: "Marked read.",
    did_unread: "Marked unread.",
    did_done: "Marked done.",
    did_undone: "Back in the inbox.",
    did_snooze: "Snoozed.",
    did_unsnooze: "Woken.",
    did_assign: "Assigned.",
};
