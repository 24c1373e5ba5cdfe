//! A search as the inbox runs it: the words of what was typed (runs of letters and digits, at
//! most [`MAX_WORDS`]), each of which must appear in one message of a thread, or in its lead's
//! name, address or company. Case and accents are folded by the index on each backend
//! (SQLite FTS5 `remove_diacritics 2`; PostgreSQL `unaccent` and `lower`).

/// Words beyond this are ignored.
pub const MAX_WORDS: usize = 8;
/// Longer words are cut (no real word is this long).
const MAX_WORD_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    words: Vec<String>,
}

impl SearchQuery {
    /// `None` when the text holds no word.
    pub fn parse(text: &str) -> Option<Self> {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .take(MAX_WORDS)
            .map(|word| word.chars().take(MAX_WORD_CHARS).collect())
            .collect();
        (!words.is_empty()).then_some(Self { words })
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// An FTS5 query: every word quoted (so none is read as an operator), all required.
    pub fn fts5(&self) -> String {
        let quoted: Vec<String> = self.words.iter().map(|w| format!("\"{w}\"")).collect();
        quoted.join(" ")
    }

    /// The words for `plainto_tsquery` (which ANDs them) after folding.
    pub fn plain(&self) -> String {
        self.words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits_and_operators_are_quoted() {
        let query = SearchQuery::parse("  Ivan@Acme.bg OR \"Ångström\" Здравей! ").unwrap();
        assert_eq!(
            query.words(),
            ["Ivan", "Acme", "bg", "OR", "Ångström", "Здравей"]
        );
        assert_eq!(
            query.fts5(),
            "\"Ivan\" \"Acme\" \"bg\" \"OR\" \"Ångström\" \"Здравей\""
        );
        assert_eq!(SearchQuery::parse(" -- ** \"\" "), None);
        assert_eq!(
            SearchQuery::parse(&"a ".repeat(50)).unwrap().words().len(),
            MAX_WORDS
        );
    }
}
