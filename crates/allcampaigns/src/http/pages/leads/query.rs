//! The leads list's query string: the parameters `/api/v1/leads` reads (empty form fields
//! meaning "no filter"), written back in one order so links and the CSV link carry the same.

/// The list's parameters, in the order links write them.
const NAMES: [&str; 8] = [
    "tenant", "q", "campaign", "stage", "owner", "tag", "replied", "cursor",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadQuery {
    pairs: Vec<(&'static str, String)>,
}

impl LeadQuery {
    /// Reads a raw query string (or a form's `back`); unknown names are ignored and the last of
    /// a repeated one wins.
    pub fn parse(raw: Option<&str>) -> Self {
        let mut query = Self::default();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if let Some(name) = NAMES.into_iter().find(|known| *known == name) {
                query = query.with(name, Some(value.trim()));
            }
        }
        query
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The same query with `name` set to `value` (or removed when `None` or empty).
    pub fn with(&self, name: &'static str, value: Option<&str>) -> Self {
        let mut query = self.clone();
        query.pairs.retain(|(known, _)| *known != name);
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            query.pairs.push((name, value.to_owned()));
            query
                .pairs
                .sort_by_key(|(name, _)| NAMES.iter().position(|n| n == name));
        }
        query
    }

    /// `path`, with this query when there is one.
    pub fn href(&self, path: &str) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.pairs {
            out.append_pair(name, value);
        }
        let query = out.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    /// Whether a filter or search narrows the list (the page does not).
    pub fn is_filtered(&self) -> bool {
        self.pairs.iter().any(|(name, _)| *name != "cursor")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_known_non_empty_parameters_in_one_order() {
        let query = LeadQuery::parse(Some("replied=true&x=1&tenant=&q=ann&stage=s"));
        assert_eq!(query.href("/leads"), "/leads?q=ann&stage=s&replied=true");
        assert!(query.is_filtered());
        assert!(!LeadQuery::parse(Some("cursor=c")).is_filtered());
    }
}
