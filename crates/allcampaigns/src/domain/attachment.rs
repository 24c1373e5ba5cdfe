//! A file attached to an email, as we keep it: what Instantly's `attachment_json` says of it,
//! checked once at sync (a name, a size, a type, and a download address only when it is
//! `https`; no control character or bidi override in a name). We keep the list, never the file.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::is_allowed_in_name;

/// More files than this on one email are not listed (real replies carry a handful).
const MAX_FILES: usize = 50;
const MAX_NAME_CHARS: usize = 255;
const MAX_TYPE_CHARS: usize = 127;
const MAX_URL_BYTES: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Attachment {
    /// The files Instantly lists (`{"files": [...]}`); anything unreadable is left out.
    pub fn from_instantly(value: Option<&Value>) -> Vec<Self> {
        let Some(files) = value.and_then(|v| v.get("files")).and_then(Value::as_array) else {
            return Vec::new();
        };
        files
            .iter()
            .filter_map(Self::from_file)
            .take(MAX_FILES)
            .collect()
    }

    fn from_file(file: &Value) -> Option<Self> {
        let text = |name: &str, max: usize| {
            file.get(name)
                .and_then(Value::as_str)
                .map(|s| {
                    let kept = s.chars().filter(|c| is_allowed_in_name(*c)).take(max);
                    kept.collect::<String>().trim().to_owned()
                })
                .filter(|s| !s.is_empty())
        };
        Some(Self {
            filename: text("filename", MAX_NAME_CHARS)?,
            size: file
                .get("size")
                .and_then(Value::as_f64)
                .filter(|s| *s >= 0.0)
                .map(|s| s as u64),
            mime_type: text("type", MAX_TYPE_CHARS),
            url: file
                .get("url")
                .and_then(Value::as_str)
                .filter(|url| url.len() <= MAX_URL_BYTES)
                .and_then(|url| url::Url::parse(url).ok())
                .filter(|url| url.scheme() == "https")
                .map(String::from),
        })
    }

    /// The list as stored (JSON text), `None` when there is none.
    pub fn store(list: &[Self]) -> Option<String> {
        (!list.is_empty()).then(|| serde_json::to_string(list).expect("attachments serialize"))
    }

    /// The list back from storage; an unreadable one reads as none.
    pub fn load(stored: Option<&str>) -> Vec<Self> {
        stored
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_named_files_are_kept_and_only_https_addresses() {
        let listed = json!({"files": [
            {"filename": " offer.pdf ", "size": 1927, "type": "application/pdf",
             "url": "https://cdn.example.com/offer.pdf"},
            {"filename": "x\u{202e}fdp.exe", "url": "javascript:alert(1)"},
            {"filename": "", "url": "https://cdn.example.com/nameless"},
            {"size": -3},
            "not an object",
        ]});
        let files = Attachment::from_instantly(Some(&listed));
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].filename, "offer.pdf");
        assert_eq!(files[0].size, Some(1927));
        assert_eq!(
            files[0].url.as_deref(),
            Some("https://cdn.example.com/offer.pdf")
        );
        assert_eq!(
            files[1].filename, "xfdp.exe",
            "no bidi override reverses a name"
        );
        assert_eq!(files[1].url, None, "a javascript: address is not kept");
        assert_eq!(
            Attachment::load(Attachment::store(&files).as_deref()),
            files
        );
        assert!(Attachment::from_instantly(None).is_empty());
        assert!(Attachment::from_instantly(Some(&json!({"files": "no"}))).is_empty());
        assert!(Attachment::load(Some("{broken")).is_empty());
    }
}
