//! English: the page of a client's failed background work.

use super::*;

pub const JOBS: JobsTexts = JobsTexts {
    title: "Background jobs",
    heading: |tenant| format!("Failed background work of {tenant}"),
    back: "Back to the client",
    intro: "Work that failed its last attempt waits here. Retry it once the cause is fixed, or \
            cancel it so it never runs.",
    empty: "Nothing has failed. Work that fails its last attempt will wait here for you to retry \
            or cancel it.",
    latest_only: |limit| {
        format!("Showing the latest {limit}; retry or cancel these to see older ones.")
    },
    caption: "Jobs that failed their last attempt",
    work: "Work",
    attempts: "Attempts",
    attempts_of: |made, allowed| format!("{made} of {allowed}"),
    last_error: "Last error",
    no_error: "none recorded",
    failed_at: "Failed (UTC)",
    actions: "Actions",
    retry: "Retry",
    cancel_confirm: "Never run this work",
    cancel: "Cancel job",
    retried: "Queued again: it runs as soon as a worker is free.",
    cancelled: "Cancelled: it will not run.",
    kind_sync: "Sync with Instantly",
    kind_ping: "Check that background workers run",
    kind_snooze_wake: "Bring a snoozed thread back to the inbox when it is due",
    kind_send_reply: "Send a reply through Instantly once its undo window has passed",
    kind_send_interest: "Send a lead's stage to Instantly as its interest status",
    kind_mark_thread_read: "Mark a thread read in Instantly",
    kind_thread_reminder: "Remind a member of a thread the lead has not answered",
    kind_mention_mail: "Mail a member that a teammate mentioned them",
};
