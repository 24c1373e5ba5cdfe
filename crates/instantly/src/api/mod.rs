//! One method per Instantly operation, grouped by area.

mod accounts;
mod analytics;
mod campaigns;
mod emails;
mod leads;
mod workspace;

pub use accounts::AccountQuery;
pub use analytics::{CampaignAnalyticsQuery, DateRange};
pub use campaigns::CampaignQuery;
pub use emails::{EmailQuery, EmailType, SortOrder};
pub use leads::{InterestStatusUpdate, LeadQuery};
pub use workspace::{LabelQuery, ListQuery, TagMappingQuery, TagQuery, WebhookQuery};

use std::fmt::Display;

/// Query-string builder that skips absent values.
#[derive(Debug, Default)]
pub(crate) struct Query(pub Vec<(&'static str, String)>);

impl Query {
    pub fn opt(mut self, key: &'static str, value: Option<impl Display>) -> Self {
        if let Some(value) = value {
            self.0.push((key, value.to_string()));
        }
        self
    }

    pub fn flag(self, key: &'static str, on: bool) -> Self {
        self.opt(key, on.then_some(true))
    }

    pub fn many(mut self, key: &'static str, values: &[String]) -> Self {
        self.0.extend(values.iter().map(|v| (key, v.clone())));
        self
    }

    /// The first page or the page after `cursor`, at the full page size.
    pub fn page(self, cursor: Option<String>) -> Vec<(&'static str, String)> {
        self.opt("limit", Some(crate::PAGE_SIZE))
            .opt("starting_after", cursor)
            .0
    }

    pub fn build(self) -> Vec<(&'static str, String)> {
        self.0
    }
}

/// Percent-encodes one path segment (account emails, ids from elsewhere).
pub(crate) fn segment(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
