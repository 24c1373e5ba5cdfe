//! When the writer of an out-of-office reply says they are back, so the inbox can offer to
//! snooze the thread until then. Reads dates written with month names (English, Bulgarian,
//! German, French, Spanish), ISO dates, day-first dotted dates, slashed dates (the reading
//! closest after the reply when both are possible) and English weekdays after a return word.
//! Of the dates found between the reply and half a year later, the one after a return word
//! wins, else the latest; a date after "through" means the day after.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;

/// Month names and their usual short forms, lower case, with the month's number.
#[rustfmt::skip]
const MONTHS: &[(&str, u32)] = &[
    ("january", 1), ("jan", 1), ("february", 2), ("feb", 2), ("march", 3), ("mar", 3),
    ("april", 4), ("apr", 4), ("may", 5), ("june", 6), ("jun", 6), ("july", 7), ("jul", 7),
    ("august", 8), ("aug", 8), ("september", 9), ("sept", 9), ("sep", 9), ("october", 10),
    ("oct", 10), ("november", 11), ("nov", 11), ("december", 12), ("dec", 12), ("януари", 1),
    ("февруари", 2), ("март", 3), ("април", 4), ("май", 5), ("юни", 6), ("юли", 7), ("август", 8),
    ("септември", 9), ("октомври", 10), ("ноември", 11), ("декември", 12), ("januar", 1),
    ("februar", 2), ("märz", 3), ("mai", 5), ("juni", 6), ("juli", 7), ("oktober", 10),
    ("dezember", 12), ("janvier", 1), ("février", 2), ("mars", 3), ("avril", 4), ("juin", 6),
    ("juillet", 7), ("août", 8), ("septembre", 9), ("octobre", 10), ("novembre", 11),
    ("décembre", 12), ("enero", 1), ("febrero", 2), ("marzo", 3), ("abril", 4), ("mayo", 5),
    ("junio", 6), ("julio", 7), ("agosto", 8), ("septiembre", 9), ("octubre", 10),
    ("noviembre", 11), ("diciembre", 12),
];

/// Words that say the date is the day of return.
const RETURN_WORDS: &[&str] = &[
    "back",
    "return",
    "returning",
    "върна",
    "връщам",
    "zurück",
    "retour",
    "regres",
    "vuelvo",
];
/// Words that say the date is the last day away.
const THROUGH_WORDS: &[&str] = &["through", "thru", "inclusive", "включително"];
/// How much text before a date is read for those words.
const CUE_WINDOW: usize = 40;
/// Dates later than this after the reply are not a return from leave.
const HORIZON_DAYS: u64 = 183;

struct Patterns {
    iso: Regex,
    numeric: Regex,
    day_month: Regex,
    month_day: Regex,
    weekday: Regex,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let mut names: Vec<&str> = MONTHS.iter().map(|(name, _)| *name).collect();
    // Longest first, so "sept" is not read as "sep" and a following "t".
    names.sort_by_key(|name| std::cmp::Reverse(name.chars().count()));
    let month = format!("({})", names.join("|"));
    let ordinal = r"(?:st|nd|rd|th|-?(?:ти|ви|ри))?";
    let build = |pattern: &str| Regex::new(&format!("(?iu){pattern}")).expect("valid pattern");
    Patterns {
        iso: build(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),
        numeric: build(r"\b(\d{1,2})([./])(\d{1,2})(?:[./](\d{4}|\d{2}))?\b"),
        day_month: build(&format!(
            r"\b(\d{{1,2}}){ordinal}\.?\s+(?:of\s+|de\s+)?{month}\.?(?:,?\s+(\d{{4}}))?(?:\W|$)"
        )),
        month_day: build(&format!(
            r"(?:^|\W){month}\.?\s+(\d{{1,2}}){ordinal}\b(?:,?\s+(\d{{4}}))?"
        )),
        weekday: build(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
    }
});

/// The day the writer says they are back, read from an auto-reply received on `received`.
pub fn return_date(text: &str, received: NaiveDate) -> Option<NaiveDate> {
    let latest = received.checked_add_days(Days::new(HORIZON_DAYS))?;
    let mut found: Vec<Found> = candidates(text, received)
        .into_iter()
        .filter(|found| found.date >= received && found.date <= latest)
        .collect();
    found.sort_by_key(|found| (found.after_return_word, found.date));
    let chosen = found.last()?;
    match chosen.through {
        true => chosen.date.succ_opt(),
        false => Some(chosen.date),
    }
}

struct Found {
    date: NaiveDate,
    after_return_word: bool,
    through: bool,
}

fn candidates(text: &str, received: NaiveDate) -> Vec<Found> {
    let p = &*PATTERNS;
    let mut dates: Vec<(usize, NaiveDate)> = Vec::new();
    for c in p.iso.captures_iter(text) {
        let date = ymd(number(&c, 1), number(&c, 2), number(&c, 3));
        dates.extend(date.map(|date| (c.get(0).map_or(0, |m| m.start()), date)));
    }
    for c in p.numeric.captures_iter(text) {
        let start = c.get(0).map_or(0, |m| m.start());
        let (a, b, year) = (
            number(&c, 1),
            number(&c, 3),
            c.get(4).map(|y| year_of(y.as_str())),
        );
        let readings = match &c[2] {
            "." => vec![(a, b)],
            _ => vec![(a, b), (b, a)],
        };
        let closest = readings
            .into_iter()
            .filter_map(|(day, month)| dated(day, month, year, received))
            .filter(|date| *date >= received)
            .min();
        dates.extend(closest.map(|date| (start, date)));
    }
    for (pattern, day_at, month_at) in [(&p.day_month, 1, 2), (&p.month_day, 2, 1)] {
        for c in pattern.captures_iter(text) {
            let start = c.get(0).map_or(0, |m| m.start());
            let month = month_named(&c[month_at]);
            let year = c.get(3).map(|y| year_of(y.as_str()));
            let date = month.and_then(|month| dated(number(&c, day_at), month, year, received));
            dates.extend(date.map(|date| (start, date)));
        }
    }
    for c in p.weekday.captures_iter(text) {
        let start = c.get(0).map_or(0, |m| m.start());
        if has_word(&before(text, start), RETURN_WORDS) {
            let weekday: Option<Weekday> = c[1].parse().ok();
            dates.extend(weekday.map(|weekday| (start, next_weekday(received, weekday))));
        }
    }
    dates
        .into_iter()
        .map(|(start, date)| {
            let cue = before(text, start);
            Found {
                date,
                after_return_word: has_word(&cue, RETURN_WORDS),
                through: has_word(&cue, THROUGH_WORDS),
            }
        })
        .collect()
}

fn number(captures: &regex::Captures<'_>, group: usize) -> u32 {
    captures
        .get(group)
        .and_then(|m| m.as_str().parse().ok())
        .unwrap_or(0)
}

/// A two-digit year is this century's.
fn year_of(text: &str) -> i32 {
    let year: i32 = text.parse().unwrap_or(0);
    if year < 100 { 2000 + year } else { year }
}

fn ymd(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// The date with this day and month: in `year` when given, else the first one not before the
/// reply (this year's, or next year's).
fn dated(day: u32, month: u32, year: Option<i32>, received: NaiveDate) -> Option<NaiveDate> {
    if let Some(year) = year {
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    let this_year = NaiveDate::from_ymd_opt(received.year(), month, day)?;
    match this_year >= received {
        true => Some(this_year),
        false => NaiveDate::from_ymd_opt(received.year() + 1, month, day),
    }
}

fn month_named(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    MONTHS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, number)| *number)
}

/// The next `weekday` after `day` (a week later when `day` is one).
fn next_weekday(day: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - day.weekday().num_days_from_monday()) % 7;
    day + Days::new(if ahead == 0 { 7 } else { u64::from(ahead) })
}

/// Up to `CUE_WINDOW` characters before byte `start`, within its sentence.
fn before(text: &str, start: usize) -> String {
    let head = &text[..start];
    let sentence = head
        .rfind(['.', ';', '!', '?', '\n'])
        .map_or(head, |end| &head[end + 1..]);
    let skip = sentence.chars().count().saturating_sub(CUE_WINDOW);
    sentence
        .chars()
        .skip(skip)
        .collect::<String>()
        .to_lowercase()
}

fn has_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|word| text.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(text: &str, received: (i32, u32, u32)) -> Option<NaiveDate> {
        let (y, m, d) = received;
        return_date(text, NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn english_month_names_with_and_without_a_year() {
        let reply = "I am out of the office from December 1 to December 5 and will be back on \
                     Monday, December 8th.";
        assert_eq!(on(reply, (2026, 12, 1)), day(2026, 12, 8));
        assert_eq!(on("Back on 8 Dec 2026.", (2026, 11, 30)), day(2026, 12, 8));
        assert_eq!(
            on("Returning the 3rd of January", (2026, 12, 20)),
            day(2027, 1, 3)
        );
        assert_eq!(on("Away until Jan. 12.", (2026, 12, 20)), day(2027, 1, 12));
    }

    #[test]
    fn other_languages_read_their_month_names() {
        let bulgarian = "Ще отсъствам до 12 януари. Ще се върна на 13 януари 2027 г.";
        assert_eq!(on(bulgarian, (2026, 12, 22)), day(2027, 1, 13));
        assert_eq!(
            on("ДО 5 ДЕКЕМВРИ съм в отпуск", (2026, 12, 1)),
            day(2026, 12, 5)
        );
        assert_eq!(
            on("Ich bin ab dem 14. Dezember zurück.", (2026, 12, 1)),
            day(2026, 12, 14)
        );
        assert_eq!(
            on("De retour le 2 février.", (2027, 1, 20)),
            day(2027, 2, 2)
        );
        assert_eq!(on("Vuelvo el 7 de marzo.", (2027, 3, 1)), day(2027, 3, 7));
    }

    #[test]
    fn numeric_dates_take_the_reading_that_makes_sense() {
        assert_eq!(on("Back on 2026-12-08.", (2026, 12, 1)), day(2026, 12, 8));
        assert_eq!(on("Zurück am 8.12.2026", (2026, 12, 1)), day(2026, 12, 8));
        // 12/08 after 1 December can only be 8 December (12 August has passed).
        assert_eq!(on("Out until 12/08", (2026, 12, 1)), day(2026, 12, 8));
        assert_eq!(on("Out until 15/12/26", (2026, 12, 1)), day(2026, 12, 15));
        assert_eq!(on("Out until 12/15/2026", (2026, 12, 1)), day(2026, 12, 15));
    }

    #[test]
    fn a_return_word_wins_and_through_means_the_day_after() {
        let reply = "Back on December 3; our office is closed December 24 to 26.";
        assert_eq!(on(reply, (2026, 12, 1)), day(2026, 12, 3));
        assert_eq!(
            on("Out through December 5.", (2026, 12, 1)),
            day(2026, 12, 6)
        );
        assert_eq!(on("I'll be back Monday.", (2026, 12, 2)), day(2026, 12, 7));
    }

    #[test]
    fn no_date_past_dates_and_far_dates_give_nothing() {
        assert_eq!(
            on("I am out of the office with limited access.", (2026, 12, 1)),
            None
        );
        assert_eq!(on("Out since 2026-11-20.", (2026, 12, 1)), None);
        assert_eq!(on("Back on 2028-01-01.", (2026, 12, 1)), None);
        assert_eq!(on("Call me Monday.", (2026, 12, 1)), None, "no return word");
        assert_eq!(on("Order 31/31 and 99.99 arrived", (2026, 12, 1)), None);
    }

    #[test]
    fn any_text_reads_without_panicking() {
        for text in [
            "",
            "1",
            "31.2.",
            "back on February 30",
            "\u{202e}декември 99",
            "٣/٤",
        ] {
            let _ = on(text, (2026, 12, 1));
        }
    }
}
