//! Templates carry no words of their own: every word comes from a language's `Texts`.

use std::path::{Path, PathBuf};

/// Attributes whose values people read (or hear, with a screen reader).
const READ_ATTRIBUTES: [&str; 5] = ["placeholder", "aria-label", "title", "alt", "label"];

#[test]
fn templates_carry_no_words_of_their_own() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let templates = template_files(&dir);
    assert!(
        templates
            .iter()
            .any(|path| path.ends_with("mail/sign_in.txt")),
        "mail templates are checked too"
    );
    let mut found = Vec::new();
    for path in templates {
        let source = std::fs::read_to_string(&path).unwrap();
        for words in own_words(&source) {
            found.push(format!("{}: {words:?}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "words outside Texts:\n{}",
        found.join("\n")
    );
}

/// Every file under `dir`, mail templates (`mail/`) included.
fn template_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(template_files(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The letters left once template code is removed: text between tags, and the values of
/// attributes people read.
fn own_words(source: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut rest = source;
    while let Some(start) = rest.find(['{']) {
        plain.push_str(&rest[..start]);
        let after = &rest[start..];
        let close = match &after[..2.min(after.len())] {
            "{{" => "}}",
            "{%" => "%}",
            "{#" => "#}",
            _ => {
                plain.push('{');
                rest = &after[1..];
                continue;
            }
        };
        let end = after.find(close).expect("closed template tag") + 2;
        plain.push(' ');
        rest = &after[end..];
    }
    plain.push_str(rest);
    let mut words = Vec::new();
    let mut text = plain.as_str();
    while let Some(open) = text.find('<') {
        keep_letters(&text[..open], &mut words);
        let close = text[open..].find('>').expect("closed tag") + open;
        read_attributes(&text[open..close], &mut words);
        text = &text[close + 1..];
    }
    keep_letters(text, &mut words);
    words
}

fn read_attributes(tag: &str, words: &mut Vec<String>) {
    if tag.starts_with("<!") {
        return;
    }
    for attribute in READ_ATTRIBUTES {
        let marker = format!(" {attribute}=\"");
        if let Some(at) = tag.find(&marker) {
            let value = &tag[at + marker.len()..];
            keep_letters(&value[..value.find('"').unwrap_or(value.len())], words);
        }
    }
}

fn keep_letters(text: &str, words: &mut Vec<String>) {
    let text = text.trim();
    if text.chars().any(char::is_alphabetic) {
        words.push(text.to_owned());
    }
}

#[test]
fn the_check_finds_words_in_text_and_read_attributes() {
    let source = r#"<p>{{ t.x }} Hello</p><input placeholder="name" value="{{ v }}"><a href="/x">{{ t.y }}</a>"#;
    assert_eq!(own_words(source), vec!["Hello", "name"]);
    assert!(own_words(r#"<td>…{{ a }}</td><span aria-hidden="true">⚠ </span>"#).is_empty());
    // A mail's text part has no tags: whatever is left outside `{{ }}` is its own words.
    assert_eq!(
        own_words("{{ t.a }}\n\nAccept: {{ link }}\n"),
        vec!["Accept:"]
    );
}

#[test]
fn sync_faults_are_stored_as_codes_and_worded_when_shown() {
    use super::{Lang, SyncFault};
    let faults = [
        SyncFault::KeyRefused,
        SyncFault::PlanLapsed,
        SyncFault::SlowDown,
        SyncFault::Flaky,
        SyncFault::WorkspaceChanged,
        SyncFault::TakenOver,
        SyncFault::Database,
        SyncFault::Unknown,
        SyncFault::Instantly {
            detail: "unexpected answer: 418".into(),
        },
    ];
    let english = Lang::En.texts();
    for fault in faults {
        let stored = fault.stored();
        assert_eq!(SyncFault::from_stored(&stored), Some(fault), "{stored}");
        assert!(
            !english.stored_fault(&stored).starts_with("sync:"),
            "{stored}"
        );
    }
    assert_eq!(
        english.stored_fault("sync:key_refused"),
        "Instantly refused the API key. Paste a new key on the Instantly link page."
    );
    // Text kept before faults had codes is shown as it was.
    assert_eq!(english.stored_fault("Instantly: gone"), "Instantly: gone");
    assert_eq!(
        SyncFault::from_stored("sync:new_in_v9"),
        Some(SyncFault::Unknown)
    );
}
