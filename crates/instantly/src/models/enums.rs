//! Named constants for Instantly's numeric enums.
//!
//! The API sends these as plain JSON numbers and adds values over time, so the models keep the
//! numbers (`i64`) and these modules name the documented ones.

/// `Lead.lt_interest_status` and `Email.i_status`. Absent or `null` means a plain "Lead".
/// Custom lead labels add further, server-generated values.
pub mod interest {
    pub const OUT_OF_OFFICE: i64 = 0;
    pub const INTERESTED: i64 = 1;
    pub const MEETING_BOOKED: i64 = 2;
    pub const MEETING_COMPLETED: i64 = 3;
    /// "Won" in the current spec, "Closed" in older documentation.
    pub const WON: i64 = 4;
    pub const NOT_INTERESTED: i64 = -1;
    pub const WRONG_PERSON: i64 = -2;
    pub const LOST: i64 = -3;
    pub const NO_SHOW: i64 = -4;
}

/// `Email.ue_type`: where the email sits in its lifecycle.
pub mod ue_type {
    pub const SENT_FROM_CAMPAIGN: i64 = 1;
    pub const RECEIVED: i64 = 2;
    /// Sent by hand (Unibox reply or manual send).
    pub const SENT: i64 = 3;
    pub const SCHEDULED: i64 = 4;
}

/// `Account.status`.
pub mod account_status {
    pub const ACTIVE: i64 = 1;
    pub const PAUSED: i64 = 2;
    /// Temporarily paused for maintenance; resumes by itself.
    pub const MAINTENANCE: i64 = 3;
    pub const CONNECTION_ERROR: i64 = -1;
    pub const SOFT_BOUNCE_ERROR: i64 = -2;
    pub const SENDING_ERROR: i64 = -3;
}

/// `Account.warmup_status`.
pub mod warmup_status {
    pub const PAUSED: i64 = 0;
    pub const ACTIVE: i64 = 1;
    pub const BANNED: i64 = -1;
    pub const SPAM_FOLDER_UNKNOWN: i64 = -2;
    pub const PERMANENT_SUSPENSION: i64 = -3;
}

/// `Campaign.status`.
pub mod campaign_status {
    pub const DRAFT: i64 = 0;
    pub const ACTIVE: i64 = 1;
    pub const PAUSED: i64 = 2;
    pub const COMPLETED: i64 = 3;
    pub const RUNNING_SUBSEQUENCES: i64 = 4;
    pub const ACCOUNT_SUSPENDED: i64 = -99;
    pub const ACCOUNTS_UNHEALTHY: i64 = -1;
    pub const BOUNCE_PROTECT: i64 = -2;
}

/// `Lead.status`.
pub mod lead_status {
    pub const ACTIVE: i64 = 1;
    pub const PAUSED: i64 = 2;
    pub const COMPLETED: i64 = 3;
    pub const BOUNCED: i64 = -1;
    pub const UNSUBSCRIBED: i64 = -2;
    pub const SKIPPED: i64 = -3;
}

/// `Account.provider_code`.
pub mod provider_code {
    pub const CUSTOM_IMAP_SMTP: i64 = 1;
    pub const GOOGLE: i64 = 2;
    pub const MICROSOFT: i64 = 3;
    pub const AWS: i64 = 4;
    pub const AIRMAIL: i64 = 8;
}
