//! Labels suggested for a reply by rules computed here, never by a third-party service: out of
//! office (with the return date when the reply gives one), an unsubscribe request, the wrong
//! person, not interested. A suggestion is shown with its reason and applied only when a
//! person chooses it: it never changes a stage, and never hides a reply, by itself.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;

use crate::domain::return_date;

/// What a rule read in a reply. The stored names never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    OutOfOffice,
    Unsubscribe,
    WrongPerson,
    NotInterested,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutOfOffice => "out_of_office",
            Self::Unsubscribe => "unsubscribe",
            Self::WrongPerson => "wrong_person",
            Self::NotInterested => "not_interested",
        }
    }

    /// The Instantly interest status the label stands for (an unsubscribe request is not
    /// interested, and more: the reason says so).
    pub fn instantly_status(self) -> i64 {
        match self {
            Self::OutOfOffice => 0,
            Self::Unsubscribe | Self::NotInterested => -1,
            Self::WrongPerson => -2,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub label: Label,
    /// The words that matched, as written.
    pub reason: String,
    /// For an out-of-office reply: the day the writer says they are back.
    pub until: Option<NaiveDate>,
}

/// The rules in the order they win: an automatic out-of-office says nothing of interest, and
/// a request to stop writing outranks a plain "no".
static RULES: LazyLock<[(Label, Regex); 4]> = LazyLock::new(|| {
    let build = |words: &str| Regex::new(&format!(r"(?iu)\b(?:{words})\b")).expect("a valid rule");
    [
        (
            Label::OutOfOffice,
            build(
                r"out of (?:the )?office|ooo|on (?:annual |parental |maternity |sick )?leave|on (?:vacation|holiday)|away from (?:the |my )?(?:office|desk)|limited access to (?:my )?e-?mail|извън офиса|в отпуск|автоматичен отговор|nicht im büro|abwesend",
            ),
        ),
        (
            Label::Unsubscribe,
            build(
                r"unsubscribe|remove me|take me off|stop (?:e-?mailing|contacting|writing)|do not (?:contact|e-?mail)|don't (?:contact|e-?mail)|отпишете|не ми пишете|спрете да ми пишете|abmelden",
            ),
        ),
        (
            Label::WrongPerson,
            build(
                r"wrong person|not the right person|no longer (?:works?|with|at)|(?:has )?left the company|не работи (?:вече|повече)|грешен човек",
            ),
        ),
        (
            Label::NotInterested,
            build(
                r"not interested|no,? thanks|no,? thank you|not a (?:good )?fit|не се интересувам|не ни е интересно|kein interesse",
            ),
        ),
    ]
});

/// What the rules read in a reply (`auto_reply` as Instantly flagged it) received at `at`.
pub fn suggest(text: &str, auto_reply: bool, at: DateTime<Utc>) -> Option<Suggestion> {
    let matched = RULES
        .iter()
        .find_map(|(label, rule)| rule.find(text).map(|m| (*label, m.as_str().to_owned())));
    let (label, reason) = match matched {
        Some(found) => found,
        None if auto_reply => (Label::OutOfOffice, "an automatic reply".to_owned()),
        None => return None,
    };
    let until = (label == Label::OutOfOffice)
        .then(|| return_date(text, at.date_naive()))
        .flatten();
    Some(Suggestion {
        label,
        reason,
        until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        "2026-12-02T09:00:00Z".parse().unwrap()
    }

    fn label(text: &str) -> Option<Label> {
        suggest(text, false, at()).map(|s| s.label)
    }

    #[test]
    fn each_rule_reads_its_words_and_says_why() {
        let ooo = suggest("I am out of the office until 14 December.", false, at()).unwrap();
        assert_eq!(ooo.label, Label::OutOfOffice);
        assert_eq!(ooo.reason, "out of the office");
        assert_eq!(ooo.until, NaiveDate::from_ymd_opt(2026, 12, 14));
        assert_eq!(
            label("Please REMOVE ME from your list"),
            Some(Label::Unsubscribe)
        );
        assert_eq!(label("Не ми пишете повече."), Some(Label::Unsubscribe));
        assert_eq!(
            label("Maria no longer works here."),
            Some(Label::WrongPerson)
        );
        assert_eq!(label("No thanks, we're set."), Some(Label::NotInterested));
        assert_eq!(label("Не се интересувам."), Some(Label::NotInterested));
        assert_eq!(label("Sounds great, let's talk Tuesday"), None);
        assert_eq!(
            label("The lookout of office supplies"),
            None,
            "words, not parts of words"
        );
    }

    #[test]
    fn an_automatic_reply_is_out_of_office_and_an_unsubscribe_outranks_a_no() {
        let auto = suggest("Thanks for your message.", true, at()).unwrap();
        assert_eq!(
            (auto.label, auto.reason.as_str()),
            (Label::OutOfOffice, "an automatic reply")
        );
        assert_eq!(
            label("Not interested. Unsubscribe me."),
            Some(Label::Unsubscribe)
        );
        assert_eq!(Label::WrongPerson.instantly_status(), -2);
    }
}
