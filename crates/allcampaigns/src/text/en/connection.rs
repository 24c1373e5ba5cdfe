//! English: the Instantly link page and its sync table.

use crate::domain::Stream;
use crate::text::{ConnectionTexts, SyncTexts, Unit};

pub const CONNECTION: ConnectionTexts = ConnectionTexts {
    title: "Instantly link",
    heading: |tenant| format!("Instantly link of {tenant}"),
    back: "Back to the client",
    stopped_heading: "Sync has stopped",
    refused_default: "Instantly refused this client's API key.",
    fix_before: "Paste a working key under",
    fix_link: "Replace the key",
    fix_after: "; sync resumes right after it is checked.",
    fix_ask: "Ask an owner or admin of this client to paste a new Instantly API key on this page.",
    nothing_asked: "Nothing is asked of Instantly until then.",
    status: "Status",
    pending: "pending",
    connected: "connected",
    needs_attention: "needs attention",
    workspace: "Workspace",
    unknown: "unknown",
    api_key: "API key",
    ending_in: "ending in",
    last_problem: "Last problem",
    connected_at: "Connected (UTC)",
    sync_heading: "Sync",
    sync_now: "Sync now",
    syncing: "Syncing now",
    next_run: "Next run:",
    no_run: "No run scheduled.",
    caption: "Sync status of each stream",
    stream: "Stream",
    stored: "Stored",
    last_success: "Last success",
    progress: "Progress",
    last_error: "Last error",
    never: "never",
    error_prefix: "Error:",
    none: "none",
    first_sync: "The first sync starts within a minute of connecting; campaigns, leads and \
                 Unibox messages then appear here stream by stream, with their progress.",
    not_connected: "Not connected yet.",
    paste_key: "Paste the workspace's API key from Instantly (Settings → Integrations → API keys) \
                below.",
    ask_admin: "Ask an owner or admin to connect it.",
    replace_heading: "Replace the key",
    connect_heading: "Connect Instantly",
    key_label: "Instantly API key",
    share_workspace: "Connect this workspace here as well",
    check_and_save: "Check and save",
    remove_confirm: "Remove the key; sync stops",
    remove: "Remove the Instantly link",
    sync_requested: "Sync requested: it starts as soon as a worker is free, usually within \
                     seconds.",
};

pub const SYNC: SyncTexts = SyncTexts {
    stream: |stream| match stream {
        Stream::Workspace => "Workspace details",
        Stream::Campaigns => "Campaigns",
        Stream::Mailboxes => "Sending accounts",
        Stream::LeadLists => "Lead lists",
        Stream::LeadLabels => "Lead labels",
        Stream::CustomTags => "Tags",
        Stream::CustomTagMappings => "Tag assignments",
        Stream::CampaignAnalytics => "Campaign analytics",
        Stream::MailboxAnalytics => "Sending account analytics",
        Stream::Emails => "Unibox messages",
        Stream::Leads => "Leads",
        Stream::LeadsReconcile => "Lead reconciliation",
    },
    just_now: "just now",
    ago: |span| format!("{span} ago"),
    now: "now",
    within: |span| format!("in {span}"),
    span,
    digit_group: ",",
    nothing_stored: "—",
    complete: "complete",
    of_total: |done, total, percent| format!("{done} / {total} ({percent}%)"),
    so_far: |done| format!("{done} so far"),
    not_started: "not started",
};

fn span(amount: i64, unit: Unit) -> String {
    let unit = match unit {
        Unit::Second => "second",
        Unit::Minute => "minute",
        Unit::Hour => "hour",
        Unit::Day => "day",
    };
    let plural = if amount == 1 { "" } else { "s" };
    format!("{amount} {unit}{plural}")
}
