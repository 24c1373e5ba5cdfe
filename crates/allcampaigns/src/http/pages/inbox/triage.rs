//! Triage by form: one thread (`POST /inbox/t/{tenant_id}/{thread_id}/triage`) or a selection
//! (`POST /inbox/triage`: checked threads, or all that match the list's filter, which asks
//! for a confirmation above 100). Each calls `inbox::rules::triage` per client and answers
//! 303 back to the list or thread with the list's query kept.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{
    DateTime, Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::clients;
use super::query::ListQuery;
use super::rows::thread_path;
use crate::app::AppState;
use crate::auth::csrf::CsrfToken;
use crate::auth::{CurrentUser, TenantAccess};
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::http::pages::render;
use crate::http::pages::ui::Ui;
use crate::inbox::{COUNT_CAP, MAX_BULK, MAX_LIMIT, Triage, rules};
use crate::services::Services;
use crate::text::Problem;

/// Above this many threads, "all that match" asks first.
const CONFIRM_ABOVE: usize = 100;

/// A form's fields, repeated names kept (`thread` is one per checked row).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub async fn one(
    State(state): State<AppState>,
    access: TenantAccess,
    Path((_, thread_id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let fields = Fields::parse(&body);
    let change = change(&fields, access.current.user.id, Utc::now())?;
    let ids = [thread_id];
    rules::triage(&Services::of(&state), &access, &ids, change).await?;
    let back = ListQuery::parse(fields.get("back"));
    let to = if fields.get("return") == Some("list") {
        back.href("/inbox")
    } else {
        back.href(&thread_path(access.tenant, &ids[0]))
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "inbox_confirm.html")]
struct ConfirmPage {
    ui: Ui,
    csrf: String,
    message: String,
    fields: Vec<(String, String)>,
    cancel_href: String,
}

pub async fn bulk(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> AppResult<Response> {
    let fields = Fields::parse(&body);
    let change = change(&fields, current.user.id, Utc::now())?;
    let back = ListQuery::parse(fields.get("back"));
    let chosen = if fields.get("all") == Some("1") {
        matching(&state, &current, &back).await?
    } else {
        checked(&fields)?
    };
    if chosen.is_empty() {
        return Err(AppError::Invalid {
            field: "thread",
            problem: Problem::NotExpected {
                input: String::new(),
                expected: "at least one thread",
            },
        });
    }
    if chosen.len() > CONFIRM_ABOVE && fields.get("confirm") != Some("1") {
        let ui = Ui::of_user(&state, &current).await?;
        let page = ConfirmPage {
            message: (ui.t.inbox.bulk_confirm)(chosen.len() as i64),
            ui,
            csrf,
            fields: fields
                .0
                .into_iter()
                .filter(|(n, _)| !matches!(n.as_str(), "csrf" | "thread" | "confirm"))
                .collect(),
            cancel_href: back.href("/inbox"),
        };
        return Ok(render(&page)?.into_response());
    }
    apply(&state, &current, chosen, change).await?;
    Ok(Redirect::to(&back.href("/inbox")).into_response())
}

/// The checked rows, `tenant/thread` each.
fn checked(fields: &Fields) -> AppResult<Vec<(TenantId, String)>> {
    fields
        .all("thread")
        .map(|key| {
            let (tenant, thread) = key.split_once('/').ok_or(AppError::NotFound)?;
            let tenant = tenant.parse().map_err(|_| AppError::NotFound)?;
            Ok((tenant, thread.to_owned()))
        })
        .collect()
}

/// Every thread the list's filter matches (its tab included), up to the count cap.
async fn matching(
    state: &AppState,
    current: &CurrentUser,
    back: &ListQuery,
) -> AppResult<Vec<(TenantId, String)>> {
    let services = Services::of(state);
    let request = back.with("cursor", None).params().read(current.user.id)?;
    let mut cursor = None;
    let mut found = Vec::new();
    loop {
        let page = rules::list(
            &services,
            current,
            request.tenant,
            &request.filter,
            cursor.as_ref(),
            MAX_LIMIT,
        )
        .await?;
        found.extend(page.items.into_iter().map(|t| (t.tenant_id, t.thread_id)));
        match page.next {
            Some(next) if (found.len() as i64) < COUNT_CAP => cursor = Some(next),
            _ => break,
        }
    }
    Ok(found)
}

/// Applies `change` client by client, at most [`MAX_BULK`] threads a call. A client the
/// person is not in is 404; one where their role does not triage is 403.
async fn apply(
    state: &AppState,
    current: &CurrentUser,
    chosen: Vec<(TenantId, String)>,
    change: Triage,
) -> AppResult<()> {
    let clients = clients(state, current).await?;
    let mut by_tenant: BTreeMap<TenantId, Vec<String>> = BTreeMap::new();
    for (tenant, thread) in chosen {
        by_tenant.entry(tenant).or_default().push(thread);
    }
    let services = Services::of(state);
    for (tenant, mut threads) in by_tenant {
        let client = clients
            .iter()
            .find(|c| c.id == tenant)
            .ok_or(AppError::NotFound)?;
        let access = TenantAccess {
            current: current.clone(),
            tenant,
            role: client.role,
        };
        threads.sort();
        threads.dedup();
        for part in threads.chunks(MAX_BULK) {
            rules::triage(&services, &access, part, change).await?;
        }
    }
    Ok(())
}

/// The change a form asks for.
fn change(fields: &Fields, me: UserId, now: DateTime<Utc>) -> AppResult<Triage> {
    let action = fields.get("action").unwrap_or_default();
    let zone = zone(fields)?;
    let today = now.with_timezone(&zone).date_naive();
    Ok(match action {
        "read" => Triage::Read,
        "unread" => Triage::Unread,
        "done" => Triage::Done,
        "undone" => Triage::Undone,
        "unsnooze" => Triage::Unsnooze,
        "snooze_later" => Triage::Snooze {
            until: now + Duration::hours(3),
        },
        "snooze_tomorrow" => Triage::Snooze {
            until: nine_on(today + Days::new(1), zone),
        },
        "snooze_week" => Triage::Snooze {
            until: nine_on(next_monday(today), zone),
        },
        "snooze_at" => Triage::Snooze {
            until: chosen_time(fields.get("until"))?,
        },
        "assign_me" => Triage::Assign { owner: Some(me) },
        "assign_none" => Triage::Assign { owner: None },
        "assign" => Triage::Assign {
            owner: match fields.get("owner") {
                None | Some("none") => None,
                Some(id) => Some(id.parse().map_err(|_| invalid("owner", id, "a member"))?),
            },
        },
        other => return Err(invalid("action", other, "a triage action")),
    })
}

/// The person's time zone as their browser names it (`tz`, which the inbox script adds to
/// every triage form), for "tomorrow 9:00" and "next week"; UTC without it.
fn zone(fields: &Fields) -> AppResult<Tz> {
    match fields.get("tz") {
        None => Ok(Tz::UTC),
        Some(name) => name
            .parse()
            .map_err(|_| invalid("tz", name, "a time zone such as Europe/Sofia")),
    }
}

/// 9:00 of `day` in `zone` (on a day whose clock change skips 9:00, the first instant after).
fn nine_on(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let nine = day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
    let local = zone.from_local_datetime(&nine).earliest().or_else(|| {
        zone.from_local_datetime(&(nine + Duration::hours(1)))
            .earliest()
    });
    local.map_or_else(|| nine.and_utc(), |at| at.with_timezone(&Utc))
}

fn next_monday(today: NaiveDate) -> NaiveDate {
    let ahead = 7 - u64::from(today.weekday().num_days_from_monday());
    let monday = today + Days::new(ahead);
    debug_assert_eq!(monday.weekday(), Weekday::Mon);
    monday
}

/// A `datetime-local` value (`2026-12-01T14:30`), read as UTC.
fn chosen_time(value: Option<&str>) -> AppResult<DateTime<Utc>> {
    let value = value.unwrap_or_default();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .into_iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|at| at.and_utc())
        .ok_or_else(|| invalid("until", value, "a day and time like 2026-12-01T14:30"))
}

pub(super) fn invalid(field: &'static str, input: &str, expected: &'static str) -> AppError {
    AppError::Invalid {
        field,
        problem: Problem::NotExpected {
            input: input.chars().take(40).collect(),
            expected,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn snooze_presets_land_where_they_say() {
        let now = "2026-12-02T15:20:00Z".parse::<DateTime<Utc>>().unwrap();
        let me = UserId::new();
        let until = |action| match change(&fields(&[("action", action)]), me, now).unwrap() {
            Triage::Snooze { until } => until.to_rfc3339(),
            other => panic!("{other:?}"),
        };
        assert_eq!(until("snooze_later"), "2026-12-02T18:20:00+00:00");
        assert_eq!(until("snooze_tomorrow"), "2026-12-03T09:00:00+00:00");
        assert_eq!(until("snooze_week"), "2026-12-07T09:00:00+00:00");
        // In the person's own zone (Sofia is UTC+2 in winter), and refused when unknown.
        let sofia = |action| {
            let form = fields(&[("action", action), ("tz", "Europe/Sofia")]);
            match change(&form, me, now).unwrap() {
                Triage::Snooze { until } => until.to_rfc3339(),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(sofia("snooze_tomorrow"), "2026-12-03T07:00:00+00:00");
        assert_eq!(sofia("snooze_week"), "2026-12-07T07:00:00+00:00");
        let late = "2026-12-06T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let sunday_night = fields(&[("action", "snooze_week"), ("tz", "Europe/Sofia")]);
        assert!(
            matches!(change(&sunday_night, me, late), Ok(Triage::Snooze { until })
                if until.to_rfc3339() == "2026-12-14T07:00:00+00:00"),
            "01:30 on Monday in Sofia: next week is the Monday after"
        );
        let nowhere = fields(&[("action", "snooze_tomorrow"), ("tz", "Mars/Olympus")]);
        assert!(change(&nowhere, me, now).is_err());
        let chosen = fields(&[("action", "snooze_at"), ("until", "2026-12-24T08:15")]);
        assert!(matches!(
            change(&chosen, me, now),
            Ok(Triage::Snooze { .. })
        ));
        let bad = fields(&[("action", "snooze_at"), ("until", "soon")]);
        assert!(change(&bad, me, now).is_err());
        assert!(change(&fields(&[("action", "explode")]), me, now).is_err());
        let mine = change(&fields(&[("action", "assign_me")]), me, now).unwrap();
        assert_eq!(mine, Triage::Assign { owner: Some(me) });
    }
}
