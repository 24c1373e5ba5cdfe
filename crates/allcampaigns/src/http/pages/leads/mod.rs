//! Lead work in pages (issue 13): the lead panel beside an inbox thread ([`thread`]), the lead
//! page (`/leads/t/{tenant_id}/{lead_id}`, [`lead`]), the leads list with its bulk changes
//! (`/leads`, [`list`]), speed-to-reply and the replies awaiting a first touch ([`speed`]),
//! and the forms they post ([`forms`]). Server-rendered and working without JavaScript
//! (`static/leads.js` adds the keys); each handler parses, calls `leads::*` and renders.

pub mod bulk;
pub mod forms;
pub mod lead;
pub mod list;
pub mod panel;
mod query;
pub mod speed;
pub mod thread;
mod timeline;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::{Role, TenantId};
pub use crate::http::pages::inbox::thread::person_name;
use crate::leads::Author;
use crate::text::LeadTexts;

/// The lead page's path; the lead named by its address, as `leads::lead_key` reads it.
pub fn lead_path(tenant: TenantId, lead: &str) -> String {
    let lead: String = url::form_urlencoded::byte_serialize(lead.as_bytes()).collect();
    format!("/leads/t/{tenant}/{lead}")
}

/// A moment as the client's clock shows it, with the zone's name.
pub fn local_time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A moment as a `datetime-local` field in the client's zone holds it.
pub fn local_input(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` field's value, read in the client's zone, as RFC 3339 for the domain
/// rules; anything else is passed on as written, for them to refuse with their words.
pub fn from_local_input(value: &str, zone: Tz) -> String {
    let value = value.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .and_then(|local| zone.from_local_datetime(&local).earliest())
        .map(|at| at.to_rfc3339())
        .unwrap_or_else(|| value.to_owned())
}

/// "by …" for an author as a viewer of `viewer`'s role may see them: by name, else by address
/// when that role may see it (a client representative sees agency staff by name only).
pub fn author_name(author: Option<&Author>, viewer: Role, w: &LeadTexts) -> String {
    let Some(author) = author else {
        return (w.by)(w.someone);
    };
    let name = if author.display_name.trim().is_empty() {
        author.address_for(viewer).unwrap_or(w.staff)
    } else {
        author.display_name.as_str()
    };
    (w.by)(name)
}

/// Where a form goes back to: the page it came from when that is a path of this site,
/// else `fallback`.
pub fn back_to(asked: Option<&str>, fallback: String) -> String {
    match asked {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_field_is_read_in_the_clients_zone() {
        let zone: Tz = "Europe/Sofia".parse().unwrap();
        let at = from_local_input("2026-01-15T10:30", zone);
        assert_eq!(at, "2026-01-15T10:30:00+02:00");
        assert_eq!(from_local_input("soon", zone), "soon");
    }

    #[test]
    fn only_paths_of_this_site_are_gone_back_to() {
        let fallback = || "/leads".to_owned();
        assert_eq!(
            back_to(Some("/inbox?view=all"), fallback()),
            "/inbox?view=all"
        );
        assert_eq!(back_to(Some("//evil.example"), fallback()), "/leads");
        assert_eq!(back_to(Some("https://evil.example"), fallback()), "/leads");
        assert_eq!(back_to(Some("/\\evil.example"), fallback()), "/leads");
        assert_eq!(back_to(None, fallback()), "/leads");
    }
}
