//! A message body as the thread view shows it (RELIABILITY HTML-03/04/05). The sanitized HTML
//! goes into an `<iframe sandbox srcdoc>` (the template writes the frame: no `allow-scripts`,
//! no `allow-same-origin`) as a whole document whose own CSP loads images only from our
//! origin (the image proxy) and `data:`; quoted history is folded into `<details>`, which
//! works without script. A plain-text body is split at its quoted history.

use lol_html::html_content::ContentType;
use lol_html::{RewriteStrSettings, element, rewrite_str};

use crate::egress::rewrite::show_images;
use crate::egress::signing::{ImageGrant, ImageUrlSigner};

/// Where a stored body keeps a blocked image (`sync::sanitize`).
const BLOCKED_IMAGE: &str = "data-remote-src";

/// What a body needs to be shown.
pub struct Framing<'a> {
    /// Our origin (`https://app.example`): the only place images load from.
    pub origin: &'a str,
    /// The words on a folded quote.
    pub quoted_label: &'a str,
    /// `Some` after "show images": the proxy addresses are signed for this grant.
    pub images: Option<(&'a ImageUrlSigner, ImageGrant)>,
}

/// Whether a stored body holds remote images that wait for "show images".
pub fn has_blocked_images(html: &str) -> bool {
    html.contains(BLOCKED_IMAGE)
}

/// The document for `srcdoc` (the template escapes it into the attribute).
pub fn frame_document(html: &str, framing: &Framing) -> String {
    let shown = match framing.images {
        Some((signer, grant)) => show_images(html, signer, grant),
        None => html.to_owned(),
    };
    let folded = fold_quotes(&shown, framing.quoted_label);
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         img-src {origin} data:; style-src 'unsafe-inline'\">\
         <meta name=\"referrer\" content=\"no-referrer\"></head><body>{folded}</body></html>",
        origin = attribute_safe(framing.origin),
    )
}

/// An origin has no quote or angle bracket; should a configured one, it is dropped (the
/// frame then loads images from nowhere).
fn attribute_safe(origin: &str) -> &str {
    if origin
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ":/.-[]".contains(c))
    {
        origin
    } else {
        "'none'"
    }
}

/// Wraps each quoted block (`blockquote`, Gmail's and Outlook's quote containers) in a
/// closed `<details>`. Should the rewriter fail, the body is shown unfolded.
fn fold_quotes(html: &str, label: &str) -> String {
    let summary = format!("<details><summary>{}</summary>", escape(label));
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        "blockquote, div.gmail_quote, div#appendonsend, div.moz-cite-prefix",
        |el| {
            el.before(&summary, ContentType::Html);
            el.after("</details>", ContentType::Html);
            Ok(())
        }
    ));
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_owned())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain-text body split into what was written and the quoted history below it (from the
/// first line quoted with `>` or introducing a quote: "On … wrote:").
pub fn split_text(text: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|line| {
        let line = line.trim();
        line.starts_with('>')
            || (line.starts_with("On ") && line.ends_with("wrote:"))
            || line.starts_with("-----Original Message-----")
    });
    match start {
        Some(at) if at > 0 || lines.len() > 1 => {
            let own = lines[..at].join("\n").trim_end().to_owned();
            let quoted = lines[at..].join("\n");
            (own, Some(quoted))
        }
        _ => (text.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::sanitize::clean_html;

    fn framing() -> Framing<'static> {
        Framing {
            origin: "https://app.example",
            quoted_label: "Quoted <history>",
            images: None,
        }
    }

    #[test]
    fn the_frame_document_carries_its_csp_and_folds_quotes() {
        let (stored, _) = clean_html(
            "<p>Yes, let's talk.</p><blockquote><p>Would you like a call?</p></blockquote>",
        );
        let doc = frame_document(&stored, &framing());
        assert!(doc.contains(
            "content=\"default-src 'none'; img-src https://app.example data:; style-src 'unsafe-inline'\""
        ));
        assert!(doc.contains("<details><summary>Quoted &lt;history&gt;</summary><blockquote>"));
        assert!(doc.contains("</blockquote></details>"));
    }

    #[test]
    fn html_05_every_link_opens_apart_without_opener_or_referrer_and_javascript_is_dropped() {
        let (stored, _) = clean_html(
            "<a href=\"https://example.com/a\" target=\"_self\" rel=\"opener\">a</a>\
             <a href=\"http://example.com/b\">b</a><a href=\"javascript:alert(1)\">c</a>\
             <a href=\"data:text/html,<script>alert(1)</script>\">d</a>",
        );
        let doc = frame_document(&stored, &framing());
        assert!(!doc.contains("javascript:"), "{doc}");
        assert!(!doc.contains("data:text"), "{doc}");
        let anchors: Vec<&str> = doc.split("<a ").skip(1).collect();
        assert_eq!(anchors.len(), 4, "{doc}");
        for anchor in anchors {
            let tag = &anchor[..anchor.find('>').unwrap()];
            assert!(tag.contains("rel=\"noopener noreferrer\""), "{tag}");
            assert!(tag.contains("target=\"_blank\""), "{tag}");
        }
    }

    #[test]
    fn an_origin_that_could_break_the_attribute_is_dropped() {
        let doc = frame_document(
            "<p>x</p>",
            &Framing {
                origin: "https://a\" onload=\"x",
                ..framing()
            },
        );
        assert!(doc.contains("img-src 'none' data:"));
    }

    #[test]
    fn plain_text_is_split_at_its_quoted_history() {
        let (own, quoted) = split_text("Sounds good.\n\nOn Mon, Ana wrote:\n> Call?\n");
        assert_eq!(own, "Sounds good.");
        assert_eq!(quoted.unwrap(), "On Mon, Ana wrote:\n> Call?");
        assert_eq!(split_text("Just this."), ("Just this.".to_owned(), None));
    }
}
