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

    // Tenants.
    TenantName,
    NotAnAddress {
        field: TenantUrl,
    },
    NotWebScheme {
        field: TenantUrl,
    },
    AccentColour,
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

    // The audit filters.
    NotADate {
        input: String,
    },
    UnknownPerson,

    // Rules the database enforces.
    EmailTaken,
    AlreadyMember,
    AlreadyExists,
    MissingReference,
    ValueNotAllowed,

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
