//! Speed-to-reply (`/speed-to-reply`): `leads::speed::report` of a period (the last 30 days
//! unless `from`/`to` days are given) in total, per client and per operator; and the positive
//! replies nobody touched yet (`/inbox/awaiting`), oldest first, each linking to its thread.
//! Both are for the agency's roles, as in the API: a client representative's are empty.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::http::pages::inbox::rows::{When, thread_path};
use crate::http::pages::render;
use crate::http::pages::shell::Section;
use crate::http::pages::ui::Ui;
use crate::leads::speed::{self, MAX_DAYS, Summary};
use crate::leads::{DEFAULT_LIMIT, bad_parameter, staff_clients};
use crate::services::Services;
use crate::text::LeadTexts;

/// One line of the report.
pub struct SummaryRow {
    pub name: String,
    pub replies: u64,
    pub touched: u64,
    pub median: String,
    pub p90: String,
    pub median_business: String,
    pub p90_business: String,
    pub within_1h: String,
    pub within_24h: String,
}

impl SummaryRow {
    fn new(name: String, s: &Summary, w: &LeadTexts) -> Self {
        let span = |seconds: Option<i64>| seconds.map_or_else(|| "–".to_owned(), w.span);
        let share = |part: f64| format!("{:.0} %", part * 100.0);
        Self {
            name,
            replies: s.replies,
            touched: s.touched,
            median: span(s.median_seconds),
            p90: span(s.p90_seconds),
            median_business: span(s.median_business_seconds),
            p90_business: span(s.p90_business_seconds),
            within_1h: share(s.within_1h),
            within_24h: share(s.within_24h),
        }
    }
}

#[derive(Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "speed.html")]
struct SpeedPage {
    ui: Ui,
    lw: &'static LeadTexts,
    from: String,
    to: String,
    /// The caller works leads in no client (a client representative): nothing to report.
    no_clients: bool,
    none: bool,
    /// One row: the report's total.
    total: Vec<SummaryRow>,
    clients: Vec<SummaryRow>,
    operators: Vec<SummaryRow>,
}

pub async fn report(
    State(app): State<AppState>,
    current: CurrentUser,
    Query(period): Query<Period>,
) -> AppResult<Html<String>> {
    let (from, to) = read_period(&period, Utc::now())?;
    let services = Services::of(&app);
    let report = speed::report(&services, &current, None, from, to).await?;
    let ui = Ui::of_user(&app, &current)
        .await?
        .in_section(Section::Analytics);
    let w = &ui.t.leads;
    render(&SpeedPage {
        lw: w,
        from: from.format("%Y-%m-%d").to_string(),
        to: (to - Duration::days(1)).format("%Y-%m-%d").to_string(),
        no_clients: report.clients.is_empty(),
        none: report.total.replies == 0,
        total: vec![SummaryRow::new(w.speed_total.to_owned(), &report.total, w)],
        clients: report
            .clients
            .iter()
            .map(|(_, name, s)| SummaryRow::new(name.clone(), s, w))
            .collect(),
        operators: report
            .operators
            .iter()
            .map(|(_, name, s)| {
                let name = if name.trim().is_empty() {
                    w.unnamed
                } else {
                    name
                };
                SummaryRow::new(name.to_owned(), s, w)
            })
            .collect(),
        ui,
    })
}

/// `from` and `to` are days (UTC), `to` included: the last 30 days when absent.
fn read_period(period: &Period, now: DateTime<Utc>) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let day = |name: &'static str, text: &Option<String>| -> AppResult<Option<DateTime<Utc>>> {
        let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|at| Some(at.and_utc()))
            .ok_or_else(|| bad_parameter(name, text, "a day YYYY-MM-DD"))
    };
    let to = day("to", &period.to)?.map_or(now, |day| day + Duration::days(1));
    let from = day("from", &period.from)?.unwrap_or(to - Duration::days(30));
    if from >= to || to - from > Duration::days(MAX_DAYS) {
        let shown = period.to.as_deref().unwrap_or_default();
        return Err(bad_parameter(
            "to",
            shown,
            "a day after `from`, at most 366 days after it",
        ));
    }
    Ok((from, to))
}

pub struct AwaitingRow {
    pub href: String,
    pub lead: String,
    pub client: String,
    pub replied: When,
}

#[derive(Template)]
#[template(path = "awaiting.html")]
struct AwaitingPage {
    ui: Ui,
    lw: &'static LeadTexts,
    has_clients: bool,
    rows: Vec<AwaitingRow>,
}

pub async fn awaiting(
    State(app): State<AppState>,
    current: CurrentUser,
) -> AppResult<Html<String>> {
    let services = Services::of(&app);
    let clients = staff_clients(&services, &current, None).await?;
    let waiting = speed::awaiting(&services, &current, None, DEFAULT_LIMIT).await?;
    let ui = Ui::of_user(&app, &current)
        .await?
        .in_section(Section::Inbox);
    let now = Utc::now();
    let rows = waiting
        .into_iter()
        .map(|touch| AwaitingRow {
            href: format!("{}?view=all", thread_path(touch.tenant, &touch.thread_id)),
            client: clients
                .iter()
                .find(|(a, _)| a.tenant == touch.tenant)
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
            replied: When::of(touch.replied_at, now, &ui.t.inbox),
            lead: touch.lead_email,
        })
        .collect();
    render(&AwaitingPage {
        lw: &ui.t.leads,
        has_clients: !clients.is_empty(),
        rows,
        ui,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_is_the_last_30_days_or_the_days_asked_to_included() {
        let now: DateTime<Utc> = "2026-12-02T10:00:00Z".parse().unwrap();
        let none = Period {
            from: None,
            to: None,
        };
        let (from, to) = read_period(&none, now).unwrap();
        assert_eq!((to, to - from), (now, Duration::days(30)));
        let days = Period {
            from: Some("2026-11-01".into()),
            to: Some("2026-11-30".into()),
        };
        let (from, to) = read_period(&days, now).unwrap();
        assert_eq!(from.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        let backwards = Period {
            from: Some("2026-11-30".into()),
            to: Some("2026-11-01".into()),
        };
        assert!(read_period(&backwards, now).is_err());
    }
}
