use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use strum::VariantArray;

/// One stream of a tenant's sync: a part of the Instantly workspace copied with its own
/// checkpoint. Declared in the order a cycle visits them: the small sets first (threads and
/// leads refer to them), fresh messages before the long lead passes.
///
/// Every use is an exhaustive `match`, so a new stream does not compile until the cycle, the
/// status and every language handle it. [`Stream::as_str`] is the name stored in
/// `sync_streams.stream` and shown by the API and the command line: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, VariantArray, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Workspace,
    Campaigns,
    Mailboxes,
    LeadLists,
    LeadLabels,
    CustomTags,
    CustomTagMappings,
    CampaignAnalytics,
    MailboxAnalytics,
    Emails,
    Leads,
    LeadsReconcile,
}

impl Stream {
    /// Every stream, in the order a cycle visits them (derived, so none can be left out).
    pub const ALL: &'static [Stream] = Stream::VARIANTS;

    pub const fn as_str(self) -> &'static str {
        match self {
            Stream::Workspace => "workspace",
            Stream::Campaigns => "campaigns",
            Stream::Mailboxes => "mailboxes",
            Stream::LeadLists => "lead_lists",
            Stream::LeadLabels => "lead_labels",
            Stream::CustomTags => "custom_tags",
            Stream::CustomTagMappings => "custom_tag_mappings",
            Stream::CampaignAnalytics => "campaign_analytics",
            Stream::MailboxAnalytics => "mailbox_analytics",
            Stream::Emails => "emails",
            Stream::Leads => "leads",
            Stream::LeadsReconcile => "leads_reconcile",
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so the command line's `{:<20}` columns still line up.
        f.pad(self.as_str())
    }
}

/// A stored stream name that no stream answers to (a stream since removed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a sync stream")]
pub struct UnknownStream(pub String);

impl FromStr for Stream {
    type Err = UnknownStream;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stream::ALL
            .iter()
            .copied()
            .find(|stream| stream.as_str() == s)
            .ok_or_else(|| UnknownStream(s.to_owned()))
    }
}

/// Compares with a stored name, as the store's `StreamState::stream` holds it.
impl PartialEq<str> for Stream {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Stream {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names stored in `sync_streams.stream` before streams were typed, in cycle order:
    /// existing databases hold these, so they must not change.
    const STORED: [&str; 12] = [
        "workspace",
        "campaigns",
        "mailboxes",
        "lead_lists",
        "lead_labels",
        "custom_tags",
        "custom_tag_mappings",
        "campaign_analytics",
        "mailbox_analytics",
        "emails",
        "leads",
        "leads_reconcile",
    ];

    #[test]
    fn stored_names_and_cycle_order_are_unchanged() {
        let names: Vec<&str> = Stream::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, STORED);
    }

    #[test]
    fn names_parse_back_and_serialize_as_stored() {
        for stream in Stream::ALL {
            assert_eq!(stream.as_str().parse::<Stream>(), Ok(*stream));
            assert_eq!(stream.to_string(), stream.as_str());
            assert_eq!(format!("{stream:<20}|").len(), 21, "{stream} pads");
            let json = serde_json::to_value(stream).unwrap();
            assert_eq!(json, serde_json::json!(stream.as_str()));
        }
        assert_eq!(
            "lead".parse::<Stream>(),
            Err(UnknownStream("lead".to_owned()))
        );
    }
}
