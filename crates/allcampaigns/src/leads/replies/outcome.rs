//! What Instantly's answer to a reply proves, and the words each outcome is stored with.
//!
//! An answer proves the reply was sent (the email), or that Instantly certainly did not take
//! it (a 4xx, or a client that could not be built), or nothing: a timeout, a reset, a 5xx or
//! an unreadable 2xx may follow a request Instantly acted on, so the reply is "not confirmed"
//! and a person checks before resending. A reset is never read as "not sent": it looks the
//! same whether or not the request arrived. A 429 comes before Instantly acts, so the reply
//! may go later.

/// What an unconfirmed reply says, first: a person must look before sending it again.
pub const NOT_CONFIRMED: &str = "not confirmed: check before resending";
pub const KEY_REFUSED: &str =
    "Instantly refused this client's API key: reconnect it in the Instantly link settings";
pub const PLAN_LAPSED: &str = "Instantly refused this client's workspace: it has no active paid \
     plan; renew it, then reconnect the Instantly link";
pub const KEY_UNREADABLE: &str = "the stored Instantly key cannot be opened: reconnect it in the \
     Instantly link settings";
pub const NO_LINK: &str =
    "this client has no Instantly link: connect one in the Instantly link settings";
pub const SLOWED_DOWN: &str = "Instantly kept answering that there were too many requests";

/// What Instantly's answer (or its absence) proves about a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        email_id: String,
    },
    /// It may have reached Instantly.
    NotConfirmed {
        why: String,
    },
    /// Instantly certainly did not take it.
    Failed {
        why: String,
    },
    /// 429: refused before Instantly acted; it may go later.
    RetryLater,
}

/// Reads an answer.
pub fn outcome(result: Result<instantly::Email, instantly::Error>) -> Outcome {
    use instantly::Error as E;
    let failed = |why: String| Outcome::Failed { why };
    let unconfirmed = |cause: &str| Outcome::NotConfirmed {
        why: format!("{NOT_CONFIRMED} ({cause})"),
    };
    match result {
        Ok(email) => Outcome::Sent { email_id: email.id },
        Err(E::InvalidCredentials { .. }) => failed(KEY_REFUSED.into()),
        Err(E::PaymentRequired) => failed(PLAN_LAPSED.into()),
        Err(E::RateLimited { .. }) => Outcome::RetryLater,
        Err(E::BadRequest { message }) => failed(format!("Instantly refused the reply: {message}")),
        Err(E::NotFound) => failed(
            "Instantly no longer knows the message answered or the mailbox it leaves from".into(),
        ),
        Err(E::Config(_)) => failed("the Instantly link's address cannot be used".into()),
        Err(E::Unexpected { status, message }) if (400..500).contains(&status) => failed(format!(
            "Instantly refused the reply (HTTP {status}): {message}"
        )),
        Err(E::Transient { reason }) if reason.starts_with("HTTP ") => {
            unconfirmed("Instantly answered with a server error")
        }
        Err(E::Transient { .. }) => unconfirmed("Instantly's answer did not arrive"),
        Err(E::Decode { .. }) => unconfirmed("Instantly's answer could not be read"),
        Err(E::Unexpected { .. } | E::Pagination(_)) => {
            unconfirmed("Instantly's answer was unexpected")
        }
    }
}

/// The refusal that needs the link fixed (a refused key, a lapsed plan), to mark the link as
/// sync does.
pub fn link_refusal(error: &instantly::Error) -> Option<instantly::Error> {
    match error {
        instantly::Error::InvalidCredentials { status } => {
            Some(instantly::Error::InvalidCredentials { status: *status })
        }
        instantly::Error::PaymentRequired => Some(instantly::Error::PaymentRequired),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use instantly::Error as E;

    #[test]
    fn an_answer_that_may_have_been_acted_on_is_not_confirmed() {
        for error in [
            E::Transient {
                reason: "timeout: operation timed out".into(),
            },
            E::Transient {
                reason: "connection error: connection reset by peer".into(),
            },
            E::Transient {
                reason: "HTTP 500: Internal server error".into(),
            },
            E::Decode {
                operation: "POST".into(),
                reason: "eof".into(),
            },
            E::Unexpected {
                status: 302,
                message: String::new(),
            },
        ] {
            let got = outcome(Err(error));
            let Outcome::NotConfirmed { why } = &got else {
                panic!("{got:?}");
            };
            assert!(why.starts_with(NOT_CONFIRMED), "{why}");
        }
    }

    #[test]
    fn refusals_fail_and_a_refused_link_says_why_without_the_key() {
        let refused = E::InvalidCredentials { status: 401 };
        assert!(link_refusal(&refused).is_some());
        let why = KEY_REFUSED.to_owned();
        assert_eq!(outcome(Err(refused)), Outcome::Failed { why });
        assert!(link_refusal(&E::PaymentRequired).is_some());
        let why = PLAN_LAPSED.to_owned();
        assert_eq!(outcome(Err(E::PaymentRequired)), Outcome::Failed { why });
        assert!(link_refusal(&E::NotFound).is_none());
        for error in [
            E::BadRequest {
                message: "bad".into(),
            },
            E::NotFound,
            E::Unexpected {
                status: 409,
                message: "conflict".into(),
            },
        ] {
            assert!(matches!(outcome(Err(error)), Outcome::Failed { .. }));
        }
        let slow = E::RateLimited { retry_after: None };
        assert_eq!(outcome(Err(slow)), Outcome::RetryLater);
    }
}
