//! A client's settings for lead work: the currency its deal values are in, its time zone and
//! business hours (speed-to-reply counts in them; "send later" aims at them), and whether
//! replies and statuses are sent to Instantly. Every member reads them; owners and admins
//! change them. A client that never changed them has the defaults.

use chrono::{DateTime, SubsecRound, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::json;

use super::input::invalid;
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::services::Services;

#[derive(Debug, Clone, PartialEq)]
pub struct LeadSettings {
    /// ISO 4217, upper-case.
    pub currency: String,
    pub time_zone: Tz,
    /// Business hours, in minutes from local midnight: `day_starts` up to `day_ends`.
    pub day_starts: u16,
    pub day_ends: u16,
    /// The business days: a bit per weekday, Monday the lowest.
    pub workdays: u8,
    /// Replies and stage statuses are sent to Instantly (on unless switched off).
    pub instantly_writes: bool,
    /// `None` while the client has the defaults.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Default for LeadSettings {
    fn default() -> Self {
        Self {
            currency: "USD".into(),
            time_zone: Tz::UTC,
            day_starts: 9 * 60,
            day_ends: 17 * 60,
            workdays: 0b001_1111,
            instantly_writes: true,
            updated_at: None,
        }
    }
}

impl LeadSettings {
    pub fn is_workday(&self, day: Weekday) -> bool {
        self.workdays & (1 << day.num_days_from_monday()) != 0
    }

    /// The business days by their three-letter names, Monday first.
    pub fn workday_names(&self) -> Vec<&'static str> {
        WEEKDAYS
            .iter()
            .filter(|(_, day)| self.is_workday(*day))
            .map(|(name, _)| *name)
            .collect()
    }
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// What to change; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub currency: Option<String>,
    pub time_zone: Option<String>,
    /// `HH:MM`, local time.
    pub day_starts: Option<String>,
    pub day_ends: Option<String>,
    pub workdays: Option<Vec<String>>,
    pub instantly_writes: Option<bool>,
}

/// The client's settings, or the defaults.
pub async fn load(services: &Services<'_>, access: &TenantAccess) -> AppResult<LeadSettings> {
    let stored = services.store.lead_settings(access.tenant).await?;
    Ok(stored.unwrap_or_default())
}

pub async fn change(
    services: &Services<'_>,
    access: &TenantAccess,
    change: SettingsChange,
) -> AppResult<LeadSettings> {
    access.require_admin()?;
    let mut settings = load(services, access).await?;
    if let Some(value) = &change.currency {
        settings.currency = currency(value)?;
    }
    if let Some(value) = &change.time_zone {
        settings.time_zone = value.trim().parse().map_err(|_| {
            invalid(
                "time_zone",
                value.chars().take(40).collect(),
                "a time zone of the IANA database, such as Europe/Sofia",
            )
        })?;
    }
    if let Some(value) = &change.day_starts {
        settings.day_starts = minutes("day_starts", value)?;
    }
    if let Some(value) = &change.day_ends {
        settings.day_ends = minutes("day_ends", value)?;
    }
    if settings.day_ends <= settings.day_starts || settings.day_ends > 24 * 60 {
        return Err(invalid(
            "day_ends",
            clock(settings.day_ends),
            "a time after the start of the business day, at most 24:00",
        ));
    }
    if let Some(names) = &change.workdays {
        settings.workdays = workdays(names)?;
    }
    if let Some(writes) = change.instantly_writes {
        settings.instantly_writes = writes;
    }
    settings.updated_at = Some(Utc::now().trunc_subsecs(6));
    let details = json!({
        "currency": settings.currency,
        "time_zone": settings.time_zone.name(),
        "business_hours": [clock(settings.day_starts), clock(settings.day_ends)],
        "workdays": settings.workday_names(),
        "instantly_writes": settings.instantly_writes,
    });
    let actor = Some(access.current.user.id);
    let entry = audit::entry(actor, AuditAction::LeadSettingsChanged, None, details);
    services
        .store
        .put_lead_settings(access.tenant, &settings, &entry)
        .await?;
    Ok(settings)
}

/// `HH:MM` of minutes from midnight (24:00 for the end of the day).
pub fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn minutes(field: &'static str, value: &str) -> AppResult<u16> {
    let refused = || {
        invalid(
            field,
            value.chars().take(40).collect(),
            "a time written HH:MM, from 00:00 to 24:00",
        )
    };
    let (hours, mins) = value.trim().split_once(':').ok_or_else(refused)?;
    let hours: u16 = hours.parse().map_err(|_| refused())?;
    let mins: u16 = mins.parse().map_err(|_| refused())?;
    if hours > 24 || mins > 59 || (hours == 24 && mins > 0) {
        return Err(refused());
    }
    Ok(hours * 60 + mins)
}

fn currency(value: &str) -> AppResult<String> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(invalid(
            "currency",
            value.chars().take(40).collect(),
            "a three-letter ISO 4217 code, such as EUR",
        ))
    }
}

fn workdays(names: &[String]) -> AppResult<u8> {
    names.iter().try_fold(0u8, |days, name| {
        let lower = name.trim().to_ascii_lowercase();
        let day = WEEKDAYS
            .iter()
            .position(|(short, _)| *short == lower)
            .ok_or_else(|| {
                invalid(
                    "workdays",
                    name.chars().take(40).collect(),
                    "days written mon, tue, wed, thu, fri, sat, sun",
                )
            })?;
        Ok(days | (1 << day))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_currencies_and_days_are_checked() {
        assert_eq!(minutes("f", "09:30").unwrap(), 570);
        assert_eq!(minutes("f", "24:00").unwrap(), 1440);
        for refused in [
            "", "9", "25:00", "24:01", "10:60", "-1:00", "ab:cd", "9999:00",
        ] {
            assert!(minutes("f", refused).is_err(), "{refused}");
        }
        assert_eq!(currency(" eur ").unwrap(), "EUR");
        assert!(currency("EURO").is_err() && currency("E1R").is_err());
        let days = workdays(&["Mon".into(), "sun".into()]).unwrap();
        assert_eq!(days, 0b100_0001);
        assert!(workdays(&["monday".into()]).is_err());
        let settings = LeadSettings::default();
        assert_eq!(
            settings.workday_names(),
            ["mon", "tue", "wed", "thu", "fri"]
        );
        assert_eq!(clock(settings.day_ends), "17:00");
    }
}
