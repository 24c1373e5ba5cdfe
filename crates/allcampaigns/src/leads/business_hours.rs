//! Time counted in a client's business hours: the part of an interval that falls on its
//! business days between the day's opening and closing, in the client's time zone. Each day's
//! hours are placed by the zone's own rules, so a day that changes to or from summer time has
//! its hours where a clock on the wall shows them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::settings::LeadSettings;

/// Seconds of `from..to` within business hours (0 when `to` is not after `from`).
pub fn business_seconds(settings: &LeadSettings, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    if to <= from {
        return 0;
    }
    let zone = settings.time_zone;
    let last = to.with_timezone(&zone).date_naive();
    let mut day = from.with_timezone(&zone).date_naive();
    let mut total = 0;
    while day <= last {
        if settings.is_workday(day.weekday())
            && let Some((open, close)) = hours_of(settings, zone, day)
        {
            let (start, end) = (open.max(from), close.min(to));
            if end > start {
                total += (end - start).num_seconds();
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    total
}

/// The first instant from `at` on that is within business hours: `at` itself during them,
/// else the next opening. `at` when no day of the next fortnight has hours (no workdays).
pub fn next_open(settings: &LeadSettings, at: DateTime<Utc>) -> DateTime<Utc> {
    let zone = settings.time_zone;
    let mut day = at.with_timezone(&zone).date_naive();
    for _ in 0..15 {
        if settings.is_workday(day.weekday())
            && let Some((open, close)) = hours_of(settings, zone, day)
            && at < close
        {
            return open.max(at);
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    at
}

/// When the business day `day` opens and closes, in UTC.
fn hours_of(
    settings: &LeadSettings,
    zone: Tz,
    day: NaiveDate,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let open = local(zone, wall_time(day, settings.day_starts)?)?;
    let close = local(zone, wall_time(day, settings.day_ends)?)?;
    Some((open, close))
}

fn wall_time(day: NaiveDate, minutes: u16) -> Option<NaiveDateTime> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    midnight.checked_add_signed(Duration::minutes(i64::from(minutes)))
}

/// The instant a wall clock in `zone` shows `time`: the earlier of two when the clock goes
/// back; a time it skips going forward is read in the offset before the change.
fn local(zone: Tz, time: NaiveDateTime) -> Option<DateTime<Utc>> {
    if let Some(at) = zone.from_local_datetime(&time).earliest() {
        return Some(at.with_timezone(&Utc));
    }
    let before = time.checked_sub_signed(Duration::hours(1))?;
    let at = zone.from_local_datetime(&before).earliest()?;
    Some(at.with_timezone(&Utc) + Duration::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sofia: 09:00 to 17:00, Monday to Friday. Summer time began there on Sunday
    /// 29 March 2026 (03:00 became 04:00, UTC+2 to UTC+3).
    fn sofia() -> LeadSettings {
        LeadSettings {
            time_zone: "Europe/Sofia".parse().unwrap(),
            ..Default::default()
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn a_weekend_and_a_change_to_summer_time_are_counted_by_the_wall_clock() {
        let settings = sofia();
        // Friday 16:00 (UTC+2) to Monday 10:30 (UTC+3): one hour on Friday, none on the
        // weekend, an hour and a half on Monday.
        let reply = at("2026-03-27T16:00:00+02:00");
        let touch = at("2026-03-30T10:30:00+03:00");
        assert_eq!(business_seconds(&settings, reply, touch), 9_000);
        assert_eq!((touch - reply).num_seconds(), 235_800);
        // Saturday to Monday 09:15: a quarter of an hour.
        let saturday = at("2026-03-28T11:00:00+02:00");
        let monday = at("2026-03-30T09:15:00+03:00");
        assert_eq!(business_seconds(&settings, saturday, monday), 900);
        // Before opening to after closing on one day: the whole day.
        let early = at("2026-03-31T06:00:00+03:00");
        let late = at("2026-03-31T22:00:00+03:00");
        assert_eq!(business_seconds(&settings, early, late), 8 * 3600);
        assert_eq!(business_seconds(&settings, late, early), 0);
    }

    #[test]
    fn the_next_opening_skips_the_evening_and_the_weekend() {
        let settings = sofia();
        let open_now = at("2026-03-27T10:00:00+02:00");
        assert_eq!(next_open(&settings, open_now), open_now);
        let friday_evening = at("2026-03-27T17:30:00+02:00");
        assert_eq!(
            next_open(&settings, friday_evening),
            at("2026-03-30T09:00:00+03:00"),
            "Monday's opening, in summer time"
        );
        let early = at("2026-03-31T06:00:00+03:00");
        assert_eq!(next_open(&settings, early), at("2026-03-31T09:00:00+03:00"));
        let never = LeadSettings {
            workdays: 0,
            ..sofia()
        };
        assert_eq!(next_open(&never, early), early);
    }

    #[test]
    fn hours_that_a_clock_skips_are_read_in_the_offset_before_the_change() {
        let settings = LeadSettings {
            time_zone: "Europe/Sofia".parse().unwrap(),
            day_starts: 3 * 60 + 30,
            workdays: 0b111_1111,
            ..Default::default()
        };
        let sunday = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let (open, _) = hours_of(&settings, settings.time_zone, sunday).unwrap();
        assert_eq!(open, at("2026-03-29T03:30:00+02:00"));
    }
}
