//! Text a person names things with (tenant names, display names, token names) ends up in mail
//! subjects, mail bodies and log lines. Control characters could forge lines there, and bidi
//! overrides could make a name read differently from what it is (security review finding 10).

/// Right-to-left/left-to-right embeddings and overrides (U+202A–202E) and isolates
/// (U+2066–2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` may appear in a name: no control character (CR, LF, tab or any other `Cc`) and
/// no bidi override or isolate.
pub fn is_allowed_in_name(c: char) -> bool {
    !c.is_control() && !is_bidi_control(c)
}

/// True when every character of `text` may appear in a name.
pub fn is_plain_name(text: &str) -> bool {
    text.chars().all(is_allowed_in_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Security review finding 10.
    #[test]
    fn finding_10_line_breaks_tabs_controls_and_bidi_overrides_are_not_plain() {
        for bad in [
            "Acme\nACTION NEEDED",
            "Acme\r",
            "Ac\tme",
            "Acme\u{0}",
            "Acme\u{7f}",
            "Acme\u{85}",
            "\u{202e}emcA",
            "Acme\u{202a}",
            "Acme\u{2066}x\u{2069}",
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
        for good in [
            "Acme",
            "Acme & Co.",
            "Société Générale",
            "東京",
            "O'Brien – Ltd",
        ] {
            assert!(is_plain_name(good), "{good:?}");
        }
    }
}
