//! The words of each area, as fields a language fills. Words around a link come as the text
//! before it, the link's own words and the text after it, so a language can order them.

use crate::domain::Stream;

pub type Words = &'static str;
/// Words with one value put in their place.
pub type With = fn(&str) -> String;

pub struct Layout {
    pub profile: Words,
    pub clients_nav: Words,
    pub all_clients: Words,
}

/// The sidebar's areas, and what the ones not built yet will hold.
pub struct Shell {
    pub nav_label: Words,
    pub inbox: Words,
    pub leads: Words,
    pub analytics: Words,
    pub connections: Words,
    pub clients: Words,
    pub inbox_coming: Words,
    pub leads_coming: Words,
    pub analytics_coming: Words,
    pub connections_coming: Words,
    pub back_to_clients: Words,
}

pub struct SignIn {
    pub title: Words,
    pub intro: Words,
    pub email_label: Words,
    pub submit: Words,
    pub sent_title: Words,
    pub sent_body: Words,
    pub sent_retry_before: Words,
    pub sent_retry_link: Words,
    pub sent_retry_after: Words,
    pub confirm_heading: Words,
    /// Names the account the link signs into, so nobody is signed in as someone else unaware.
    pub confirm_as: With,
    pub confirm_body: Words,
    pub confirm_submit: Words,
    pub dead_link: Words,
}

pub struct Setup {
    pub title: Words,
    pub heading: Words,
    pub intro: Words,
    pub email_label: Words,
    pub submit: Words,
}

pub struct Home {
    pub heading: Words,
    pub sign_out: With,
    pub empty_before: Words,
    pub empty_link: Words,
    pub empty_after: Words,
    /// For people who may not create clients (not install admins).
    pub empty_invited_only: Words,
    pub new_client: Words,
    pub admins_link: Words,
}

pub struct TenantTexts {
    pub members_link: Words,
    pub audit_link: Words,
    pub jobs_link: Words,
    pub settings_link: Words,
    pub client: Words,
    pub website: Words,
    pub your_role: Words,
    pub connection_link: Words,
    pub members_heading: Words,
    /// Stands for an agency member whose address a client does not see and who has no
    /// display name (security review finding 21).
    pub agency_member: Words,
    pub delete_heading: Words,
    pub delete_body: Words,
    pub confirm_label: Words,
    pub delete_submit: Words,
}

pub struct TenantForm {
    pub new_heading: Words,
    pub settings_heading: Words,
    pub name: Words,
    pub client_name: Words,
    pub website: Words,
    pub accent_colour: Words,
    pub logo_url: Words,
    pub optional: Words,
    pub website_example: Words,
    pub accent_example: Words,
    pub save: Words,
}

pub struct Members {
    pub title: Words,
    pub heading: With,
    pub back: Words,
    pub email: Words,
    pub role: Words,
    pub actions: Words,
    pub you: Words,
    pub role_of: With,
    pub change: Words,
    pub remove: Words,
    pub invite_heading: Words,
    pub email_label: Words,
    pub send: Words,
    pub open_invitations: Words,
    pub until: fn(&str, &str) -> String,
    pub withdraw: Words,
}

pub struct InvitationTexts {
    pub title: Words,
    pub heading: Words,
    /// The client and the role: "join {tenant} as {role}".
    pub joining: fn(&str, &str) -> String,
    /// The invited address.
    pub for_address: With,
    pub body: Words,
    pub submit: Words,
    /// The browser's account and the invited address, when they differ.
    pub signed_in_as_other: fn(&str, &str) -> String,
    pub switch_submit: With,
    pub dead: Words,
    pub joined_heading: Words,
    /// The address and the client, once an existing account has joined.
    pub joined: fn(&str, &str) -> String,
    pub sign_in_next: Words,
    pub sign_in_link: Words,
}

/// The page where install admins grant and revoke the right to create clients.
pub struct AdminsTexts {
    pub title: Words,
    pub intro: Words,
    pub email: Words,
    pub since: Words,
    pub you: Words,
    pub revoke: Words,
    pub grant_heading: Words,
    pub email_label: Words,
    pub grant: Words,
    pub back: Words,
}

pub struct ProfileTexts {
    pub title: Words,
    pub signed_in_as: With,
    pub saved: Words,
    pub display_name: Words,
    pub avatar_url: Words,
    pub avatar_hint: Words,
    pub theme: Words,
    pub language: Words,
    pub save: Words,
    pub tokens_heading: Words,
    pub tokens_intro: Words,
    pub tokens_described: Words,
    pub new_token: Words,
    pub token_name_column: Words,
    pub ends_in: Words,
    pub last_used: Words,
    pub never: Words,
    pub revoked: Words,
    pub revoke: Words,
    pub token_name: Words,
    pub token_example: Words,
    pub create_token: Words,
    pub token_access: Words,
    pub read_only: Words,
    pub read_write: Words,
    pub token_client: Words,
    pub all_clients: Words,
    pub expires: Words,
    pub expired: Words,
    pub token_days: Words,
    pub token_limit: Words,
    pub token_read_only: Words,
    pub revoke_all_tokens: Words,
    pub sessions: Words,
    pub sign_out_everywhere: Words,
    pub also_revoke_tokens: Words,
    pub mention_emails: Words,
}

/// The inbound hook page: Instantly's webhooks for one client.
pub struct HookTexts {
    pub title: Words,
    pub heading: With,
    pub back: Words,
    pub about: Words,
    pub made_heading: Words,
    pub shown_once: Words,
    pub address: Words,
    pub header: Words,
    pub header_value: Words,
    pub in_instantly: Words,
    pub registered: Words,
    pub not_https: Words,
    pub no_link: Words,
    pub registration_failed: With,
    pub by_hand: Words,
    pub made_at: Words,
    pub none_yet: Words,
    pub make_hint: Words,
    pub ask_admin: Words,
    pub make: Words,
    pub remake: Words,
    pub remake_warning: Words,
    pub remove_confirm: Words,
    pub remove: Words,
    pub events_heading: Words,
    pub events_caption: Words,
    pub no_events: Words,
    pub received: Words,
    pub event: Words,
    pub lead: Words,
    pub email_id: Words,
    /// The Instantly link page's way to this one.
    pub link: Words,
}

pub struct ConnectionTexts {
    pub title: Words,
    pub heading: With,
    pub back: Words,
    pub stopped_heading: Words,
    pub refused_default: Words,
    pub fix_before: Words,
    pub fix_link: Words,
    pub fix_after: Words,
    pub fix_ask: Words,
    pub nothing_asked: Words,
    pub status: Words,
    pub pending: Words,
    pub connected: Words,
    pub needs_attention: Words,
    pub workspace: Words,
    pub unknown: Words,
    pub api_key: Words,
    pub ending_in: Words,
    pub last_problem: Words,
    pub connected_at: Words,
    pub sync_heading: Words,
    pub sync_now: Words,
    pub syncing: Words,
    pub next_run: Words,
    pub no_run: Words,
    pub caption: Words,
    pub stream: Words,
    pub stored: Words,
    pub last_success: Words,
    pub progress: Words,
    pub last_error: Words,
    pub never: Words,
    pub error_prefix: Words,
    pub none: Words,
    pub first_sync: Words,
    pub not_connected: Words,
    pub paste_key: Words,
    pub ask_admin: Words,
    pub replace_heading: Words,
    pub connect_heading: Words,
    pub key_label: Words,
    pub share_workspace: Words,
    pub check_and_save: Words,
    pub remove_confirm: Words,
    pub remove: Words,
    pub sync_requested: Words,
}

/// A length of time's unit; languages decline them by amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Second,
    Minute,
    Hour,
    Day,
}

pub struct SyncTexts {
    /// A stream's name in plain words.
    pub stream: fn(Stream) -> &'static str,
    pub just_now: Words,
    pub ago: With,
    pub now: Words,
    pub within: With,
    pub span: fn(i64, Unit) -> String,
    pub digit_group: Words,
    pub nothing_stored: Words,
    pub complete: Words,
    pub of_total: fn(&str, &str, i64) -> String,
    pub so_far: With,
    pub not_started: Words,
}

pub struct AuditTexts {
    pub title: Words,
    pub heading: With,
    pub back: Words,
    pub action: Words,
    pub action_example: Words,
    pub person: Words,
    pub anyone: Words,
    pub from: Words,
    pub to: Words,
    pub filter: Words,
    pub empty: Words,
    pub when: Words,
    pub who: Words,
    pub target: Words,
    pub request: Words,
    pub system: Words,
    pub former_member: With,
}

/// The page of a client's failed background work.
pub struct JobsTexts {
    pub title: Words,
    pub heading: With,
    pub back: Words,
    pub intro: Words,
    /// No job needs anyone: says so, and what the page is for.
    pub empty: Words,
    /// Shown when the list stops at its limit.
    pub latest_only: fn(i64) -> String,
    pub caption: Words,
    pub work: Words,
    pub attempts: Words,
    /// Attempts made and allowed: "3 of 8".
    pub attempts_of: fn(i64, i64) -> String,
    pub last_error: Words,
    pub no_error: Words,
    pub failed_at: Words,
    pub actions: Words,
    pub retry: Words,
    pub cancel_confirm: Words,
    pub cancel: Words,
    pub retried: Words,
    pub cancelled: Words,
    /// The work of a sync job.
    pub kind_sync: Words,
    /// The work of a ping (`allcampaigns jobs ping`).
    pub kind_ping: Words,
    pub kind_snooze_wake: Words,
    pub kind_send_reply: Words,
    pub kind_send_interest: Words,
    pub kind_mark_thread_read: Words,
    pub kind_thread_reminder: Words,
    pub kind_mention_mail: Words,
}

pub struct ErrorPage {
    /// A status code's name, as the page's heading.
    pub status: fn(u16) -> &'static str,
    pub back: Words,
}
