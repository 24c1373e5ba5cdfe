//! The inbox page's query string: the list's filters (read as the JSON API reads them, empty
//! form fields meaning "no filter") and whether a thread's images are shown. The list's query
//! is written back canonically, so links, tabs and redirects after triage keep it and carry
//! nothing else.

use crate::inbox::params::ThreadParams;

/// The list parameters, in the order links write them.
const NAMES: [&str; 13] = [
    "tenant", "view", "q", "unread", "owner", "stage", "campaign", "mailbox", "tag", "from", "to",
    "cursor", "limit",
];

/// The list's parameters as given (non-empty ones; the last of a repeated one wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pairs: Vec<(&'static str, String)>,
    /// `images=1`: show this thread's remote images through the proxy.
    pub images: bool,
}

impl ListQuery {
    /// Reads a raw query string (or a form's `back` field). Unknown names are ignored.
    pub fn parse(raw: Option<&str>) -> Self {
        let mut query = Self::default();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if name == "images" {
                query.images = value == "1";
                continue;
            }
            let Some(name) = NAMES.into_iter().find(|known| *known == name) else {
                continue;
            };
            query.pairs.retain(|(known, _)| *known != name);
            if !value.trim().is_empty() {
                query.pairs.push((name, value.into_owned()));
            }
        }
        query
            .pairs
            .sort_by_key(|(name, _)| NAMES.iter().position(|n| n == name));
        query
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The same query with `name` set to `value` (or removed when `None`).
    pub fn with(&self, name: &'static str, value: Option<&str>) -> Self {
        let mut query = self.clone();
        query.pairs.retain(|(known, _)| *known != name);
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            query.pairs.push((name, value.to_owned()));
            query
                .pairs
                .sort_by_key(|(name, _)| NAMES.iter().position(|n| n == name));
        }
        query.images = false;
        query
    }

    /// The list parameters, URL-encoded, without `images` (empty when there are none).
    pub fn encode(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.pairs {
            out.append_pair(name, value);
        }
        out.finish()
    }

    /// `path`, with this query when there is one.
    pub fn href(&self, path: &str) -> String {
        let query = self.encode();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    /// Whether any filter or search narrows the list (the tab and the page do not).
    pub fn is_filtered(&self) -> bool {
        self.pairs
            .iter()
            .any(|(name, _)| !matches!(*name, "view" | "cursor" | "limit"))
    }

    /// The parameters as the shared reader takes them.
    pub fn params(&self) -> ThreadParams {
        let get = |name: &str| self.get(name).map(str::to_owned);
        ThreadParams {
            tenant: get("tenant"),
            view: get("view"),
            q: get("q"),
            unread: get("unread"),
            owner: get("owner"),
            stage: get("stage"),
            campaign: get("campaign"),
            mailbox: get("mailbox"),
            tag: get("tag"),
            from: get("from"),
            to: get("to"),
            cursor: get("cursor"),
            limit: get("limit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_unknown_names_and_images_stay_out_of_the_list_query() {
        let query = ListQuery::parse(Some(
            "q=&view=done&evil=%0d%0aSet-Cookie&unread=true&images=1&tenant=&view=all",
        ));
        assert!(query.images);
        assert_eq!(query.encode(), "view=all&unread=true");
        assert_eq!(query.href("/inbox"), "/inbox?view=all&unread=true");
        assert!(query.is_filtered());
        assert_eq!(ListQuery::parse(None).href("/inbox"), "/inbox");
    }

    #[test]
    fn with_replaces_one_parameter_in_place() {
        let query = ListQuery::parse(Some("cursor=abc&view=done&q=hello%20world"));
        let tab = query.with("view", Some("all")).with("cursor", None);
        assert_eq!(tab.encode(), "view=all&q=hello+world");
        assert!(!query.with("q", None).is_filtered());
    }
}
