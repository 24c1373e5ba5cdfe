//! Reading what a person writes on a lead: markdown text within its limits, and instants.
//! Each refusal is a 422 naming the field; none can fail the server (PostgreSQL refuses a NUL
//! in text, so control characters other than line breaks and tabs are refused here).

use chrono::{DateTime, Duration, SubsecRound, Utc};

use super::MAX_TEXT_CHARS;
use super::markdown;
use crate::error::{AppError, AppResult};
use crate::text::Problem;

/// How far back a call may be logged, and how far ahead a call back may be agreed (times
/// stay four-digit years, which SQLite compares as text).
pub const MAX_YEARS: i64 = 10;
/// A call logged a little ahead of the server's clock is a clock's difference, not the future.
const CLOCK_SLACK: Duration = Duration::minutes(10);

/// Markdown text, trimmed, and its rendering: 1 to 10,000 characters.
pub fn text(field: &'static str, text: &str) -> AppResult<(String, String)> {
    let text = text.trim();
    let count = text.chars().count();
    if count == 0 || count > MAX_TEXT_CHARS {
        return Err(invalid(
            field,
            format!("{count} characters"),
            "a text of 1 to 10,000 characters",
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(
            field,
            "a control character".into(),
            "text without control characters other than line breaks and tabs",
        ));
    }
    Ok((text.to_owned(), markdown::render(text)))
}

/// Optional text: absent or blank is none.
pub fn optional_text(
    field: &'static str,
    value: Option<&str>,
) -> AppResult<Option<(String, String)>> {
    match value {
        Some(value) if !value.trim().is_empty() => text(field, value).map(Some),
        _ => Ok(None),
    }
}

/// An RFC 3339 instant with its offset, to the microsecond (as both backends keep it).
pub fn instant(field: &'static str, value: &str) -> AppResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|at| at.to_utc().trunc_subsecs(6))
        .map_err(|_| {
            invalid(
                field,
                value.chars().take(40).collect(),
                "an RFC 3339 time with its offset, such as 2026-11-30T14:05:00+01:00",
            )
        })
}

/// When a call happened: within the last ten years and not in the future.
pub fn call_time(value: &str, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    let at = instant("at", value)?;
    let earliest = now - Duration::days(365 * MAX_YEARS);
    if at < earliest || at > now + CLOCK_SLACK {
        return Err(invalid(
            "at",
            value.chars().take(40).collect(),
            "a time within the last ten years and not in the future",
        ));
    }
    Ok(at)
}

/// When to call back: after the call and within ten years.
pub fn call_back_time(
    value: &str,
    call: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    let at = instant("call_back_at", value)?;
    if at <= call || at > now + Duration::days(365 * MAX_YEARS) {
        return Err(invalid(
            "call_back_at",
            value.chars().take(40).collect(),
            "a time after the call and within ten years",
        ));
    }
    Ok(at)
}

/// A name trimmed, of 1 to `max` characters without control characters (`sized` says so when
/// it is not), that none of `taken` has in any case (`unique` says so when one has).
pub fn unique_name<'a>(
    name: &str,
    max: usize,
    mut taken: impl Iterator<Item = &'a str>,
    sized: &'static str,
    unique: &'static str,
) -> AppResult<String> {
    let name = name.trim();
    let count = name.chars().count();
    let shown = || name.chars().take(40).collect();
    if count == 0 || count > max || name.chars().any(char::is_control) {
        return Err(invalid("name", shown(), sized));
    }
    let lower = name.to_lowercase();
    if taken.any(|other| other.to_lowercase() == lower) {
        return Err(invalid("name", shown(), unique));
    }
    Ok(name.to_owned())
}

pub fn invalid(field: &'static str, input: String, expected: &'static str) -> AppError {
    AppError::Invalid {
        field,
        problem: Problem::NotExpected { input, expected },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: AppResult<impl std::fmt::Debug>) -> &'static str {
        match result {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn text_is_trimmed_rendered_and_bounded() {
        let (body, html) = text("body", "  **hi**\n").unwrap();
        assert_eq!(
            (body.as_str(), html.as_str()),
            ("**hi**", "<p><strong>hi</strong></p>\n")
        );
        assert!(text("body", &"é".repeat(MAX_TEXT_CHARS)).is_ok());
        for refused in [
            "",
            " \n\t ",
            &"x".repeat(MAX_TEXT_CHARS + 1),
            "a\0b",
            "a\u{1b}[31m",
        ] {
            assert_eq!(field_of(text("body", refused)), "body", "{refused:?}");
        }
        assert_eq!(optional_text("notes", Some("  ")).unwrap(), None);
        assert_eq!(optional_text("notes", None).unwrap(), None);
        assert_eq!(field_of(optional_text("notes", Some("\0"))), "notes");
    }

    #[test]
    fn times_need_an_offset_and_a_sensible_range() {
        let now: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().unwrap();
        let at = call_time("2026-11-30T13:05:00.1234567+01:00", now).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-30T12:05:00.123456+00:00");
        for refused in [
            "2026-11-30T12:00:00",
            "2026-11-30",
            "yesterday",
            "2026-12-01T12:00:00Z",
            "2001-01-01T00:00:00Z",
            "+275760-09-13T00:00:00Z",
        ] {
            assert_eq!(field_of(call_time(refused, now)), "at", "{refused}");
        }
        let back = call_back_time("2026-12-02T09:00:00-05:00", at, now).unwrap();
        assert_eq!(back.to_rfc3339(), "2026-12-02T14:00:00+00:00");
        for refused in ["2026-11-30T11:00:00Z", "2046-01-01T00:00:00Z", "soon"] {
            assert_eq!(field_of(call_back_time(refused, at, now)), "call_back_at");
        }
    }
}
