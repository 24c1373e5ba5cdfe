//! English.

mod admins;
mod connection;
mod hooks;
mod inbox;
mod jobs;
mod leads;
mod mail;
mod notify;
mod problem;
mod shortcuts;
mod views;

use super::*;

pub const EN: Texts = Texts {
    lang: Lang::En,
    language_name: "English",
    brand: "All Campaigns",
    layout: Layout {
        profile: "Profile",
        clients_nav: "Clients",
        all_clients: "All clients",
    },
    shell: Shell {
        nav_label: "Areas",
        inbox: "Inbox",
        leads: "Leads",
        analytics: "Analytics",
        connections: "Connections",
        clients: "Clients",
        inbox_coming: "Every reply of every client in one queue arrives here next: tabs, \
                       filters, search, and triage from the keyboard. Until then, each client's \
                       replies are in Instantly's Unibox.",
        leads_coming: "Pipeline stages, owners, tags, notes, call logs and replies sent through \
                       Instantly, for every lead of every client, arrive here after the inbox.",
        analytics_coming: "Sends, opens, replies and meetings per client, campaign and mailbox \
                           over time arrive here after lead work.",
        connections_coming: "Routing lead events to other systems (signed webhooks, chat and \
                             email) with a full run history arrives here. The Instantly link of \
                             each client stays under Clients.",
        back_to_clients: "Go to your clients",
    },
    sign_in: SignIn {
        title: "Sign in",
        intro: "We will email you a link that signs you in. No password needed.",
        email_label: "Email address",
        submit: "Email me a sign-in link",
        sent_title: "Check your email",
        sent_body: "If that address has an account, a sign-in link is on its way. It works once \
                    and expires in 15 minutes.",
        sent_retry_before: "Nothing arrived? Check spam, or",
        sent_retry_link: "ask for another link",
        sent_retry_after: ".",
        confirm_heading: "Sign in to All Campaigns",
        confirm_as: |email| format!("This link signs in as {email}."),
        confirm_body: "Press the button to finish signing in on this device. If you did not ask \
                       for this link, close this page.",
        confirm_submit: "Sign in",
        dead_link: "This link has expired or was already used; ask for a new one.",
    },
    setup: Setup {
        title: "Set up All Campaigns",
        heading: "Welcome to All Campaigns",
        intro: "Name the first owner of this install. You will be signed in straight away; \
                later sign-ins use emailed links.",
        email_label: "Your email address",
        submit: "Create the owner and sign in",
    },
    home: Home {
        heading: "Your clients",
        sign_out: |email| format!("Sign out {email}"),
        empty_before: "You are not a member of any client yet.",
        empty_link: "Create the first one",
        empty_after: ", or ask an owner to invite you.",
        empty_invited_only: "You are not a member of any client yet. Ask an owner to invite you.",
        new_client: "New client",
        admins_link: "Install admins",
    },
    tenant: TenantTexts {
        members_link: "Members",
        audit_link: "Audit log",
        jobs_link: "Background jobs",
        settings_link: "Settings",
        client: "Client",
        website: "Website",
        your_role: "Your role",
        connection_link: "Instantly link",
        members_heading: "Members",
        agency_member: "agency team member",
        delete_heading: "Delete this client",
        delete_body: "Deleting removes the client and all its data. Type its name to confirm.",
        confirm_label: "Name of the client",
        delete_submit: "Delete permanently",
    },
    tenant_form: TenantForm {
        new_heading: "New client",
        settings_heading: "Client settings",
        name: "Name",
        client_name: "Client name",
        website: "Website",
        accent_colour: "Accent colour",
        logo_url: "Logo URL",
        optional: "(optional)",
        website_example: "https://example.com",
        accent_example: "#3554d1",
        save: "Save",
    },
    members: Members {
        title: "Members",
        heading: |tenant| format!("Members of {tenant}"),
        back: "Back to the client",
        email: "Email",
        role: "Role",
        actions: "Actions",
        you: "(you)",
        role_of: |email| format!("Role of {email}"),
        change: "Change",
        remove: "Remove",
        invite_heading: "Invite someone",
        email_label: "Email address",
        send: "Send invitation",
        open_invitations: "Open invitations",
        until: |role, day| format!("{role}, until {day}"),
        withdraw: "Withdraw",
    },
    admins: admins::ADMINS,
    invitation: admins::INVITATION,
    profile: ProfileTexts {
        title: "Your profile",
        signed_in_as: |email| format!("Signed in as {email}"),
        saved: "Saved.",
        display_name: "Display name",
        avatar_url: "Avatar URL",
        avatar_hint: "(https, optional)",
        theme: "Theme",
        language: "Language",
        save: "Save",
        tokens_heading: "API tokens",
        tokens_intro: "Personal access tokens act as you on the JSON API under /api/v1. Send one \
                       in the header Authorization: Bearer followed by the token.",
        tokens_described: "The API is described at",
        new_token: "Copy this token now; it will not be shown again:",
        token_name_column: "Name",
        ends_in: "Ends in",
        last_used: "Last used",
        never: "never",
        revoked: "revoked",
        revoke: "Revoke",
        token_name: "Token name",
        token_example: "reporting script",
        create_token: "Create token",
        token_access: "Access",
        read_only: "read-only",
        read_write: "read and write",
        token_client: "Client",
        all_clients: "all your clients",
        expires: "Expires",
        expired: "expired",
        token_days: "Valid for (days)",
        token_limit: "Limit to client",
        token_read_only: "Read-only (GET requests only)",
        revoke_all_tokens: "Revoke all tokens",
        sessions: "Sessions",
        sign_out_everywhere: "Sign out on every device",
        also_revoke_tokens: "Also revoke all API tokens",
        mention_emails: "Email me when a teammate mentions me",
    },
    connection: connection::CONNECTION,
    hooks: hooks::HOOKS,
    sync: connection::SYNC,
    audit: AuditTexts {
        title: "Audit log",
        heading: |tenant| format!("Audit log of {tenant}"),
        back: "Back to the client",
        action: "Action",
        action_example: "member.invited",
        person: "Person",
        anyone: "anyone",
        from: "From",
        to: "To",
        filter: "Filter",
        empty: "No entries match. Widen the dates or clear the filters.",
        when: "When (UTC)",
        who: "Who",
        target: "Target",
        request: "Request",
        system: "system",
        former_member: |id| format!("former member {id}"),
    },
    jobs: jobs::JOBS,
    inbox: inbox::INBOX,
    leads: leads::LEADS,
    shortcuts: shortcuts::SHORTCUTS,
    views: views::VIEWS,
    notify: notify::NOTIFY,
    error_page: ErrorPage {
        status: status_name,
        back: "Back to the start page",
    },
    mail: mail::MAIL,
    role_name: |role| match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Operator => "operator",
        Role::Client => "client",
    },
    role_duty: |role| match role {
        Role::Owner => "owner: everything, including deletion",
        Role::Admin => "admin: also members and the Instantly link",
        Role::Operator => "operator: works the inbox",
        Role::Client => "client: sees this client only, read-mostly",
    },
    theme_name: |theme| match theme {
        "light" => "light",
        "dark" => "dark",
        _ => "system",
    },
    say: problem::say,
};

fn status_name(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Sign in needed",
        403 => "Not allowed",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Too large",
        422 => "Check the form",
        429 => "Too many requests",
        502 => "Another service did not answer",
        503 => "Not ready",
        504 => "Took too long",
        _ => "Error",
    }
}
