//! The inbox's list parameters as they arrive (text, as in a URL), read into a
//! [`ThreadFilter`]. A value that cannot be read is a 400 naming its parameter; the JSON API
//! and the pages share this reading, so a filter kept in a URL means the same everywhere.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    Cursor, DEFAULT_LIMIT, InboxView, MAX_LIMIT, OwnerFilter, SearchQuery, ThreadFilter,
    is_plausible_id,
};
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::text::Problem;

/// Longest search text read.
const MAX_Q_CHARS: usize = 500;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadParams {
    /// Only this client's threads (a tenant id); all the caller may see when absent.
    #[param(value_type = Option<uuid::Uuid>)]
    pub tenant: Option<String>,
    /// The tab: `primary` (the default), `others`, `snoozed`, `done` or `all`.
    pub view: Option<String>,
    /// Words that must all appear in one message (subject, body, the lead's address) or in the
    /// lead's name, address or company; case and accents are ignored.
    pub q: Option<String>,
    /// `true` or `false`.
    #[param(value_type = Option<bool>)]
    pub unread: Option<String>,
    /// `me`, `none` (unassigned), or a user id.
    pub owner: Option<String>,
    /// Instantly's interest status (an integer).
    #[param(value_type = Option<i64>)]
    pub stage: Option<String>,
    /// An Instantly campaign id.
    pub campaign: Option<String>,
    /// A sending mailbox (its address).
    pub mailbox: Option<String>,
    /// An Instantly custom tag id, on the thread's campaign or mailbox.
    pub tag: Option<String>,
    /// Last message at or after: an RFC 3339 instant or a day (`2026-11-30`, from its start).
    pub from: Option<String>,
    /// Last message before: an RFC 3339 instant, or a day (through its end).
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Threads per page, 1 to 100 (default 50).
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

/// A list request, read.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRequest {
    pub tenant: Option<TenantId>,
    pub filter: ThreadFilter,
    pub cursor: Option<Cursor>,
    pub limit: u32,
}

impl ThreadParams {
    /// Reads every parameter; `me` is the caller, for `owner=me`.
    pub fn read(&self, me: UserId) -> AppResult<ListRequest> {
        let filter = ThreadFilter {
            view: self.view()?,
            search: self.search()?,
            unread: read(&self.unread, "unread", "true or false", parse_bool)?,
            owner: read(&self.owner, "owner", "me, none or a user id", |v| {
                parse_owner(v, me)
            })?,
            stage: read(
                &self.stage,
                "stage",
                "an interest status (an integer)",
                |v| v.parse().ok(),
            )?,
            campaign: id_like(&self.campaign, "campaign")?,
            mailbox: id_like(&self.mailbox, "mailbox")?,
            tag: id_like(&self.tag, "tag")?,
            from: read(&self.from, "from", DATE, |v| instant(v, false))?,
            to: read(&self.to, "to", DATE, |v| instant(v, true))?,
        };
        Ok(ListRequest {
            tenant: read(&self.tenant, "tenant", "a tenant id", |v| v.parse().ok())?,
            filter,
            cursor: read(
                &self.cursor,
                "cursor",
                "a cursor from a previous page",
                Cursor::decode,
            )?,
            limit: read(&self.limit, "limit", "a number from 1 to 100", parse_limit)?
                .unwrap_or(DEFAULT_LIMIT),
        })
    }

    fn view(&self) -> AppResult<InboxView> {
        let expected = "primary, others, snoozed, done or all";
        Ok(read(&self.view, "view", expected, InboxView::from_name)?.unwrap_or_default())
    }

    fn search(&self) -> AppResult<Option<SearchQuery>> {
        let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) else {
            return Ok(None);
        };
        let q: String = q.chars().take(MAX_Q_CHARS).collect();
        match SearchQuery::parse(&q) {
            Some(search) => Ok(Some(search)),
            None => Err(bad("q", &q, "a search with at least one letter or digit")),
        }
    }
}

const DATE: &str = "an RFC 3339 instant or a day like 2026-11-30";

/// An absent parameter is `None`; one that `parse` refuses (an empty one too: the document
/// types these) is a 400.
fn read<T>(
    value: &Option<String>,
    parameter: &'static str,
    expected: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> AppResult<Option<T>> {
    match value.as_deref() {
        None => Ok(None),
        Some(text) => parse(text)
            .map(Some)
            .ok_or_else(|| bad(parameter, text, expected)),
    }
}

fn bad(parameter: &'static str, input: &str, expected: &'static str) -> AppError {
    AppError::BadParameter {
        parameter,
        problem: Problem::NotExpected {
            input: input.chars().take(40).collect(),
            expected,
        },
    }
}

/// Free text: an empty value filters nothing.
fn id_like(value: &Option<String>, parameter: &'static str) -> AppResult<Option<String>> {
    let value = value.clone().filter(|v| !v.is_empty());
    read(&value, parameter, "an id of at most 200 characters", |v| {
        is_plausible_id(v).then(|| v.to_owned())
    })
}

fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn parse_owner(value: &str, me: UserId) -> Option<OwnerFilter> {
    match value {
        "me" => Some(OwnerFilter::User(me)),
        "none" => Some(OwnerFilter::Nobody),
        id => id.parse().ok().map(OwnerFilter::User),
    }
}

fn parse_limit(value: &str) -> Option<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
}

/// An instant, or a day: its start, or (`end`) the start of the next day.
fn instant(value: &str, end: bool) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.to_utc());
    }
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let day = if end {
        day.checked_add_days(Days::new(1))?
    } else {
        day
    };
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> ThreadParams {
        let mut params = ThreadParams::default();
        for (name, value) in pairs {
            let value = Some((*value).to_owned());
            match *name {
                "tenant" => params.tenant = value,
                "view" => params.view = value,
                "q" => params.q = value,
                "unread" => params.unread = value,
                "owner" => params.owner = value,
                "stage" => params.stage = value,
                "from" => params.from = value,
                "to" => params.to = value,
                "cursor" => params.cursor = value,
                "limit" => params.limit = value,
                "campaign" => params.campaign = value,
                other => panic!("{other}"),
            }
        }
        params
    }

    #[test]
    fn defaults_are_the_primary_tab_and_fifty_threads() {
        let request = ThreadParams::default().read(UserId::new()).unwrap();
        assert_eq!(request.filter, ThreadFilter::default());
        assert_eq!(request.limit, DEFAULT_LIMIT);
        assert_eq!(request.tenant, None);
    }

    #[test]
    fn each_bad_parameter_is_named() {
        for (name, value) in [
            ("view", "inbox"),
            ("unread", "yes"),
            ("owner", "someone"),
            ("stage", "hot"),
            ("from", "yesterday"),
            ("to", "2026-13-01"),
            ("cursor", "nope"),
            ("limit", "101"),
            ("limit", "0"),
            ("tenant", "acme"),
            ("q", "!!!"),
            ("tenant", ""),
            ("limit", ""),
            ("view", " all"),
            ("campaign", "c\u{0}1"),
        ] {
            let error = params(&[(name, value)]).read(UserId::new()).unwrap_err();
            assert!(
                matches!(error, AppError::BadParameter { parameter, .. } if parameter == name),
                "{name}={value}: {error:?}"
            );
            assert_eq!(error.status(), axum::http::StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn owner_me_is_the_caller_and_a_day_covers_all_of_it() {
        let me = UserId::new();
        let request = params(&[
            ("owner", "me"),
            ("from", "2026-11-30"),
            ("to", "2026-11-30"),
        ])
        .read(me)
        .unwrap();
        assert_eq!(request.filter.owner, Some(OwnerFilter::User(me)));
        let from = request.filter.from.unwrap();
        let to = request.filter.to.unwrap();
        assert_eq!((to - from).num_hours(), 24);
    }
}
