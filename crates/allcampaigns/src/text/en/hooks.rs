//! English: a client's inbound hook for Instantly's webhooks.

use crate::text::HookTexts;

pub const HOOKS: HookTexts = HookTexts {
    title: "Instantly webhooks",
    heading: |tenant| format!("Instantly webhooks of {tenant}"),
    back: "Back to the Instantly link",
    about: "Instantly can post this client's events (replies, status changes, bounces) here as \
        they happen, so replies reach the inbox at once. Sync reads everything anyway; \
        webhooks only make it sooner.",
    made_heading: "Your new webhook address",
    shown_once: "Copy these now: they are shown only this once. Instantly must send the header \
        with every event; an event without it is refused.",
    address: "Address",
    header: "Header",
    header_value: "Header value",
    in_instantly: "In Instantly",
    registered: "Registered by All Campaigns",
    not_https: "Not registered: this install's public address is not https. Add a webhook in \
        Instantly with the address and header above.",
    no_link: "Not registered: this client has no working Instantly link. Add a webhook in \
        Instantly with the address and header above.",
    registration_failed: |why| {
        format!(
            "Not registered: Instantly answered \u{201c}{why}\u{201d}. Add a webhook in Instantly \
         with the address and header above."
        )
    },
    by_hand: "Set up by hand in Instantly (or not yet)",
    made_at: "Made (UTC)",
    none_yet: "This client has no webhook address yet.",
    make_hint: "Make one, then give it to Instantly (an https install does that itself).",
    ask_admin: "Ask an owner or admin of this client to make one.",
    make: "Make a webhook address",
    remake: "Make a new address",
    remake_warning: "A new address replaces this one: events sent to the old one are refused \
        from then on.",
    remove_confirm: "Yes, stop receiving Instantly's webhooks for this client",
    remove: "Remove the webhook address",
    events_heading: "Latest events received",
    events_caption: "Events Instantly posted, newest first",
    no_events: "No events received yet. They appear here as Instantly posts them, and are kept \
        for the inbound log's retention period.",
    received: "Received",
    event: "Event",
    lead: "Lead",
    email_id: "Email id",
    link: "Instantly webhooks",
};
