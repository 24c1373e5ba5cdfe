/// Something a person asked for that could not be done, as data: each language words it
/// (`Texts::say`). Variants carry only what the words need, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    // Answers of the error type's fixed variants.
    NotFound,
    MethodNotAllowed,
    SignInRequired,
    NoAccess,
    FormExpired,
    LinkUsed,
    TooLarge,
    TooManyRequests,
    TookTooLong,
    NotReady,
    OurFault,

    // Sign-in, setup and profile.
    EmailNeeded,
    SetupEmailNeeded,
    NotAnEmail {
        input: String,
    },
    DisplayNameTooLong,
    AvatarNotAnAddress,
    AvatarNotHttps,
    UnknownTheme,
    UnknownLanguage,
    TokenName,
    TokenDays,
    TokenTenant,

    // Tenants.
    TenantName,
    NotAnAddress {
        field: TenantUrl,
    },
    NotWebScheme {
        field: TenantUrl,
    },
    AccentColour,
    /// A line break, tab, other control character or bidi override in a name (security
    /// review finding 10).
    HiddenCharacters {
        field: NameField,
    },
    ConfirmName {
        name: String,
    },

    // Members.
    NotARole {
        input: String,
    },
    InviteNeedsEmailAndRole,
    AlreadyInvited {
        email: String,
    },
    LastOwnerDemoted,
    LastOwnerRemoved,
    InvitationNotSent,

    // Install admins.
    LastInstallAdmin,
    NoAccountFor {
        email: String,
    },

    // The Instantly connection and sync.
    ApiKeyMissing,
    KeyRefused,
    PlanWithoutApi,
    InstantlyAddress {
        detail: String,
    },
    InstantlyUnreachable {
        detail: String,
    },
    WorkspaceElsewhere {
        workspace: String,
    },
    NothingToSync,
    SyncStopped,

    // Background jobs.
    NotAJobState {
        input: String,
    },
    /// Only a dead job can be retried.
    JobNotDead,
    /// A finished or cancelled job has nothing left to cancel.
    JobFinished,
    /// The same work (its unique key) is already queued or running.
    JobAlreadyQueued,
    /// The cancel form came without its confirmation ticked.
    CancelUnconfirmed,
    /// A removal form came without its confirmation ticked.
    RemoveUnconfirmed,

    // The audit filters.
    NotADate {
        input: String,
    },
    UnknownPerson,

    // The inbox.
    /// A query parameter or field that is not one of the values it takes; `expected` says
    /// which (in the API's own terms: names, numbers, formats).
    NotExpected {
        input: String,
        expected: &'static str,
    },
    /// A snooze must end in the future.
    SnoozeInPast,
    /// A snooze must end within [`crate::inbox::MAX_SNOOZE_DAYS`].
    SnoozeTooFar,
    /// The person to assign is not a member of the tenant.
    NotAMember,
    /// A view shared with a client's team needs that one client filtered on.
    ViewShareNeedsClient,

    // Lead work.
    /// Only a reply still waiting out its undo window (or its send time) can be undone.
    ReplyNotScheduled {
        state: &'static str,
    },
    /// The client's lead settings switched replies and statuses to Instantly off.
    InstantlyWritesOff,
    /// Only a waiting reminder can be cancelled.
    ReminderSettled,

    // Rules the database enforces.
    EmailTaken,
    AlreadyMember,
    AlreadyExists,
    MissingReference,
    ValueNotAllowed,

    /// Sync stopped or failed (see [`SyncFault`]).
    Sync(SyncFault),

    /// The image proxy did not show an image (see [`ImageFault`]).
    ImageNotLoaded(ImageFault),

    /// A JSON body that could not be read; the detail is serde's, about the body only.
    Body {
        kind: BodyFault,
        detail: String,
    },
}

/// The tenant fields that hold web addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantUrl {
    Website,
    LogoUrl,
}

/// Fields a person names things in, for refusals that name the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameField {
    TenantName,
    ClientName,
    Website,
    AccentColour,
    LogoUrl,
    DisplayName,
    TokenName,
}

/// Why the image proxy did not show an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFault {
    /// The address (or a redirect's) is one we never fetch: private, loopback, another port…
    Refused,
    /// The answer was not an image we show (SVG, HTML, or bytes that are not an image).
    NotAnImage,
    TooLarge,
    /// The image's server failed, answered with an error, or redirected too often.
    Unreachable,
}

/// What was wrong with a JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFault {
    NotJson,
    BadSyntax,
    WrongShape,
}

/// English, for the command line and the logs; pages word problems in the person's language.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&super::Lang::En.texts().say(self))
    }
}

/// Why a sync stream or a connection stopped. It is kept with the stream
/// (`sync_streams.last_error`) and the connection (`status_detail`) as a stable code, and worded
/// when shown, so each reader sees it in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncFault {
    KeyRefused,
    PlanLapsed,
    SlowDown,
    Flaky,
    WorkspaceChanged,
    TakenOver,
    Database,
    /// A code this version does not know (written by a newer one).
    Unknown,
    /// Any other answer of Instantly; the detail is the client's description of it.
    Instantly {
        detail: String,
    },
}

impl SyncFault {
    const PREFIX: &'static str = "sync:";

    /// The stored form: `sync:<code>`, or `sync:instantly:<detail>`.
    pub fn stored(&self) -> String {
        let code = match self {
            Self::KeyRefused => "key_refused",
            Self::PlanLapsed => "plan_lapsed",
            Self::SlowDown => "slow_down",
            Self::Flaky => "flaky",
            Self::WorkspaceChanged => "workspace_changed",
            Self::TakenOver => "taken_over",
            Self::Database => "database",
            Self::Unknown => "unknown",
            Self::Instantly { detail } => return format!("{}instantly:{detail}", Self::PREFIX),
        };
        format!("{}{code}", Self::PREFIX)
    }

    /// The fault a stored text names; `None` for text that is not a code (stored before codes).
    pub fn from_stored(text: &str) -> Option<Self> {
        let code = text.strip_prefix(Self::PREFIX)?;
        if let Some(detail) = code.strip_prefix("instantly:") {
            return Some(Self::Instantly {
                detail: detail.to_owned(),
            });
        }
        Some(match code {
            "key_refused" => Self::KeyRefused,
            "plan_lapsed" => Self::PlanLapsed,
            "slow_down" => Self::SlowDown,
            "flaky" => Self::Flaky,
            "workspace_changed" => Self::WorkspaceChanged,
            "taken_over" => Self::TakenOver,
            "database" => Self::Database,
            _ => Self::Unknown,
        })
    }
}
