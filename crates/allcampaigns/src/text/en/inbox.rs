//! English: the inbox.

use super::*;

pub const INBOX: InboxTexts = InboxTexts {
    title: "Inbox",
    title_unread: |n| format!("Inbox ({n})"),
    tabs_label: "Views",
    primary: "Primary",
    others: "Others",
    snoozed: "Snoozed",
    done: "Done",
    all: "All",
    count_capped: |n| format!("{}+", thousands(n)),
    count: thousands,
    search_label: "Search subject, body and lead",
    search_placeholder: "Search replies",
    search: "Search",
    filters: "Filters",
    client: "Client",
    any_client: "Every client",
    campaign: "Campaign id",
    mailbox: "Mailbox",
    stage: "Stage",
    any_stage: "Any stage",
    owner: "Owner",
    anyone: "Anyone",
    me: "Me",
    nobody: "Unassigned",
    unread_filter: "Read state",
    unread_any: "Read or unread",
    unread_only: "Unread only",
    read_only: "Read only",
    tag: "Tag id",
    from: "From day",
    to: "To day",
    apply: "Apply",
    clear: "Clear filters",
    list_label: "Threads",
    older: "Older threads",
    newest: "Back to the newest",
    empty_no_clients: "You are in no client yet. Ask an admin to invite you, or create a client \
                       and link its Instantly workspace: its replies will arrive here.",
    empty_filtered: "Nothing matches these filters or this search. Clear the filters or try \
                     other words.",
    empty_tab: |tab| format!("Nothing in {tab}. New replies arrive in Primary as they sync."),
    unread: "Unread",
    last_from_lead: "They wrote last",
    last_from_us: "We wrote last",
    unassigned: "Unassigned",
    select_thread: |subject| format!("Select: {subject}"),
    in_client: |client| format!("Client: {client}"),
    ago: |seconds| match seconds {
        s if s < 60 => "just now".to_owned(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s => format!("{} d ago", s / 86_400),
    },
    stage_name: |stage| {
        match stage {
            None => "Lead",
            Some(0) => "Out of office",
            Some(1) => "Interested",
            Some(2) => "Meeting booked",
            Some(3) => "Meeting completed",
            Some(4) => "Won",
            Some(-1) => "Not interested",
            Some(-2) => "Wrong person",
            Some(-3) => "Lost",
            Some(-4) => "No show",
            Some(_) => "Custom label",
        }
        .to_owned()
    },
    bulk_label: "Change the selected threads",
    bulk_action: "Action",
    bulk_all: "All threads that match this filter",
    bulk_apply: "Apply to selected",
    bulk_confirm_heading: "Change many threads?",
    bulk_confirm: |n| {
        format!(
            "This changes {} threads, every one that matches the filter.",
            thousands(n)
        )
    },
    bulk_confirm_button: "Yes, change them all",
    cancel: "Cancel",
    action_read: "Mark read",
    action_unread: "Mark unread",
    action_done: "Done",
    action_undone: "Not done",
    action_unsnooze: "Wake now",
    action_snooze_later: "Snooze: later today",
    action_snooze_tomorrow: "Snooze: tomorrow 9:00",
    action_snooze_week: "Snooze: next week",
    action_snooze_at: "Snooze until",
    action_snooze_until_back: |day| format!("Snooze until they are back ({day}, 9:00 UTC)"),
    snooze_until: "Snooze until (UTC)",
    action_assign_me: "Assign to me",
    action_assign_none: "Unassign",
    action_assign: "Assign",
    assign_to: "Assign to",
    triage_label: "Triage",
    read_only_role: "Your role reads this inbox; an operator or admin triages it.",
    back_to_list: "Back to the list",
    thread_label: "Thread",
    open_in_instantly: "Open in Instantly",
    received: "Received",
    sent: "Sent",
    auto_reply: "Automatic reply",
    via_mailbox: |mailbox| format!("via {mailbox}"),
    from_label: "From",
    to_label: "To",
    cc_label: "Cc",
    quoted: "Quoted history",
    show_images: "Show images",
    images_blocked: "Remote images are blocked so the sender cannot see you read this.",
    message_frame: |subject| format!("Message: {subject}"),
    attachments: "Attachments",
    file_size,
    lead_label: "Lead",
    lead_unknown: "This lead is not synced yet.",
    company: "Company",
    job_title: "Title",
    phone: "Phone",
    website: "Website",
    interest: "Interest",
    snoozed_until: |at| format!("Snoozed until {at}"),
    marked_done: "Done",
    owned_by: |who| format!("Owner: {who}"),
    tags: "Tags",
    engagement: "Engagement",
    engagement_counts: |opens, clicks, replies| {
        let plural = |n: i64, one: &str, many: &str| {
            format!("{} {}", thousands(n), if n == 1 { one } else { many })
        };
        format!(
            "{} · {} · {}",
            plural(opens, "open", "opens"),
            plural(clicks, "click", "clicks"),
            plural(replies, "reply", "replies")
        )
    },
    last_contact: "Last contact",
    step: "Step of our latest send",
    replied_to: "Replied to",
    step_variant: |step, variant| match variant.and_then(variant_letter) {
        Some(letter) => format!("step {step}, variant {letter}"),
        None => format!("step {step}"),
    },
    custom_variables: "Custom variables",
    other_threads: "Other threads with this person",
    no_other_threads: "No other thread with this person in this client.",
    from_other: |who| format!("From someone other than the lead: {who}"),
    from_attached: |who| format!("From another address of this lead: {who}"),
    from_new_lead: |who| format!("From a lead made here: {who}"),
    sender_actions_label: "What to do with this sender",
    action_attach_sender: "Attach to the lead",
    action_new_lead: "Make a new lead",
};

/// `12345` as "12,345".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

/// Variants as Instantly's editor names them: 1 is A.
fn variant_letter(variant: i64) -> Option<char> {
    u8::try_from(variant - 1)
        .ok()
        .filter(|n| *n < 26)
        .map(|n| char::from(b'A' + n))
}
