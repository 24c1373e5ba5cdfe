//! Keyset pages of a lead's notes and calls: the cursor is the last row's `(time, id)` as
//! base64url JSON (a note's creation, a call's time), and the page parameters are read as
//! the inbox reads its own, a 400 naming the parameter that cannot be read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::{AppError, AppResult};
use crate::inbox::{decode_token, encode_token};
use crate::text::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    #[serde(rename = "a")]
    pub at: DateTime<Utc>,
    #[serde(rename = "i")]
    pub id: Uuid,
}

/// Cursors longer than this are refused unread.
const MAX_ENCODED: usize = 256;

impl PageCursor {
    pub fn encode(&self) -> String {
        encode_token(self)
    }

    /// `None` for anything that is not a cursor this code made.
    pub fn decode(text: &str) -> Option<Self> {
        decode_token(text, MAX_ENCODED)
    }
}

/// The page parameters of a lead's notes or calls, as they arrive.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 50).
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

impl PageParams {
    /// Where the page starts and how long it is.
    pub fn read(&self) -> AppResult<(Option<PageCursor>, u32)> {
        self.read_with(PageCursor::decode)
    }

    /// The same for a page whose cursor `decode` reads.
    pub fn read_with<C>(&self, decode: impl Fn(&str) -> Option<C>) -> AppResult<(Option<C>, u32)> {
        let cursor =
            match self.cursor.as_deref() {
                None => None,
                Some(text) => Some(decode(text).ok_or_else(|| {
                    bad_parameter("cursor", text, "a cursor from a previous page")
                })?),
            };
        let limit = read_limit(self.limit.as_deref())?;
        Ok((cursor, limit))
    }
}

/// A page length as given: 1 to 100, 50 when absent.
pub fn read_limit(text: Option<&str>) -> AppResult<u32> {
    match text {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| bad_parameter("limit", text, "a number from 1 to 100")),
    }
}

/// A query parameter that cannot be read: 400 naming it, with the start of what came.
pub fn bad_parameter(parameter: &'static str, input: &str, expected: &'static str) -> AppError {
    AppError::BadParameter {
        parameter,
        problem: Problem::NotExpected {
            input: input.chars().take(40).collect(),
            expected,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let cursor = PageCursor {
            at: "2026-11-30T10:00:00.123456Z".parse().unwrap(),
            id: Uuid::now_v7(),
        };
        assert_eq!(PageCursor::decode(&cursor.encode()), Some(cursor));
        for garbage in ["", "x", "!!!!", &"A".repeat(300), "e30"] {
            assert_eq!(PageCursor::decode(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn page_parameters_are_read_or_named() {
        let params = |cursor: Option<&str>, limit: Option<&str>| PageParams {
            cursor: cursor.map(Into::into),
            limit: limit.map(Into::into),
        };
        assert_eq!(params(None, None).read().unwrap(), (None, DEFAULT_LIMIT));
        assert_eq!(params(None, Some("100")).read().unwrap().1, 100);
        for (cursor, limit, named) in [
            (None, Some("0"), "limit"),
            (None, Some("101"), "limit"),
            (None, Some("-1"), "limit"),
            (Some("xyz"), None, "cursor"),
        ] {
            match params(cursor, limit).read() {
                Err(AppError::BadParameter { parameter, .. }) => assert_eq!(parameter, named),
                other => panic!("{cursor:?} {limit:?}: {other:?}"),
            }
        }
    }
}
