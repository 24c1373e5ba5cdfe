//! Email HTML made safe once, at ingest.
//!
//! Bodies go through ammonia with a small allow-list: formatting, tables, links and
//! images, no styles, no foreign (SVG/MathML) content, no embedding elements.
//!
//! Remote images must not load until the user asks, so a stored `<img>` carries its
//! URL in `data-remote-src` instead of `src`. Ammonia cannot rename attributes, and a
//! textual pre-pass over untrusted HTML would have to guess how a browser tokenizes it.
//! Instead the rename runs on ammonia's *output*, whose shape is fixed by the html5ever
//! serializer: every `<` in text or attribute values is escaped, attributes are always
//! `name="value"` with `"` escaped, and the policy admits no comments or raw-text
//! elements. So every literal `<` opens a tag and the next `>` closes it, and `Tokens`
//! can split the markup exactly. The pipeline is:
//!
//! 1. `INBOUND` sanitizes, allowing `img src` only for http(s) URLs;
//! 2. `rewrite` renames that `src` to `data-remote-src`;
//! 3. `STORED`, the same policy without `src`, re-sanitizes (then `rewrite` again)
//!    until the result is a fixpoint.
//!
//! The stored markup is thus `STORED` output changed only by `rewrite`, which renames or
//! drops image attributes and inserts newlines but never adds markup: a mistake in step
//! 2 could lose an image, never load one.
//!
//! Re-sanitizing can change the tree (dropping a wrapper may leave a `<div>` inside a
//! `<p>`, which the parser then splits), hence the loop. If it does not settle within
//! a few passes the body degrades to escaped plain text, which is a fixpoint by
//! construction; `clean_html` is therefore idempotent for every input.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, Url, UrlRelative};

/// A message body ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanBody {
    /// Sanitized HTML, or None when the message had no HTML part.
    pub html: Option<String>,
    /// Plain text for search and previews: the text part when present, else text derived from the HTML.
    pub text: String,
    /// Whether any remote image/resource was blocked (the UI offers "show images").
    pub blocked_remote: bool,
}

/// Where a blocked image keeps its URL until the user asks to load it.
const REMOTE_SRC: &str = "data-remote-src";

/// Re-sanitizing passes allowed before falling back to plain text.
const MAX_PASSES: usize = 4;

#[rustfmt::skip]
const FORMATTING_TAGS: &[&str] = &[
    "a", "b", "blockquote", "br", "caption", "code", "div", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
];

/// Elements removed together with their content: scripts, styles, content never shown,
/// and raw-text elements whose content would otherwise come out as literal markup.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "title", "noscript", "noembed", "noframes", "iframe", "xmp", "textarea",
    "template",
];

/// Tags that separate text by a blank line in [`html_to_text`].
#[rustfmt::skip]
const PARAGRAPH_TAGS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "table", "hr",
];

/// Tags that start a new line in [`html_to_text`].
#[rustfmt::skip]
const LINE_TAGS: &[&str] = &[
    "div", "li", "tr", "dt", "dd", "caption", "thead", "tbody", "tfoot", "section", "article",
    "header", "footer", "main", "nav", "aside", "address", "center", "figure", "figcaption",
    "details", "summary", "form", "fieldset",
];

/// Table cells, kept apart by a space in [`html_to_text`].
const CELL_TAGS: &[&str] = &["td", "th"];

/// The first pass: like [`STORED`], but admits http(s) `img src` for [`rewrite`] to move.
static INBOUND: LazyLock<Builder<'static>> = LazyLock::new(|| html_policy(true));

/// The policy every stored body satisfies: nothing in it can fetch a remote resource.
static STORED: LazyLock<Builder<'static>> = LazyLock::new(|| html_policy(false));

/// Keeps only the tags [`html_to_text`] turns into line breaks, without attributes.
static TEXT: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut policy = Builder::empty();
    policy
        .tags(
            [PARAGRAPH_TAGS, LINE_TAGS, CELL_TAGS, &["br"]]
                .concat()
                .into_iter()
                .collect(),
        )
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::new());
    policy
});

fn html_policy(allow_img_src: bool) -> Builder<'static> {
    let mut img = HashSet::from(["alt", "width", "height", REMOTE_SRC]);
    if allow_img_src {
        img.insert("src");
    }
    let cell = HashSet::from(["colspan", "rowspan"]);
    let mut policy = Builder::empty();
    policy
        .tags(FORMATTING_TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href"])),
            ("img", img),
            ("td", cell.clone()),
            ("th", cell),
        ]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        // An email has no base URL to resolve against.
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank")
        .attribute_filter(keep_attribute);
    policy
}

/// Image URLs must be absolute http(s): ammonia's scheme list also admits mailto, and it
/// does not know that `data-remote-src` holds a URL.
fn keep_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let image_url = element == "img" && matches!(attribute, "src" | REMOTE_SRC);
    let web_url = || Url::parse(value).is_ok_and(|url| matches!(url.scheme(), "http" | "https"));
    (!image_url || web_url()).then_some(Cow::Borrowed(value))
}

/// Sanitizes one message: HTML part if any, and the plain text used for search and previews.
pub fn clean_body(html: Option<&str>, text: Option<&str>) -> CleanBody {
    let html = html.filter(|html| !html.trim().is_empty());
    let (clean, blocked_remote) = match html.map(clean_html) {
        Some((clean, blocked)) => (Some(clean), blocked),
        None => (None, false),
    };
    let text = match text.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => text.to_owned(),
        None => html.map(html_to_text).unwrap_or_default(),
    };
    CleanBody {
        html: clean,
        text,
        blocked_remote,
    }
}

/// Sanitizes email HTML for storage. Returns the markup and whether it holds images
/// whose loading was deferred (their URL is in `data-remote-src`).
pub fn clean_html(html: &str) -> (String, bool) {
    let mut current = rewrite(&INBOUND.clean(html).to_string());
    for _ in 0..MAX_PASSES {
        let next = rewrite(&STORED.clean(&current).to_string());
        if next == current {
            let blocked = has_remote_images(&current);
            return (current, blocked);
        }
        current = next;
    }
    (escape_text(&html_to_text(html)), false)
}

/// Readable plain text: blocks and `<br>` become line breaks, other whitespace collapses.
pub fn html_to_text(html: &str) -> String {
    let markup = TEXT.clean(html).to_string();
    let mut text = PlainText::default();
    let mut pre_depth = 0_usize;
    for token in Tokens(&markup) {
        match token {
            Token::Text(raw) => text.push(&decode(raw), pre_depth > 0),
            Token::Tag { name, end, .. } => {
                if name == "pre" {
                    pre_depth = if end {
                        pre_depth.saturating_sub(1)
                    } else {
                        pre_depth + 1
                    };
                }
                if name == "br" {
                    text.newlines = (text.newlines + 1).min(2);
                } else if PARAGRAPH_TAGS.contains(&name) {
                    text.newlines = 2;
                } else if LINE_TAGS.contains(&name) {
                    text.newlines = text.newlines.max(1);
                } else if CELL_TAGS.contains(&name) {
                    text.space = true;
                }
            }
        }
    }
    text.out.trim().to_owned()
}

/// Accumulates text, emitting pending separators only between two pieces of content.
#[derive(Default)]
struct PlainText {
    out: String,
    space: bool,
    newlines: usize,
}

impl PlainText {
    fn push(&mut self, text: &str, preformatted: bool) {
        for c in text.chars() {
            if c.is_whitespace() && !preformatted {
                self.space = true;
                continue;
            }
            if !self.out.is_empty() {
                if self.newlines > 0 {
                    self.out.extend(std::iter::repeat_n('\n', self.newlines));
                } else if self.space {
                    self.out.push(' ');
                }
            }
            self.space = false;
            self.newlines = 0;
            self.out.push(c);
        }
    }
}

/// Decodes the only references the serializer writes (`&nbsp;` as a plain space: text is read).
fn decode(text: &str) -> Cow<'_, str> {
    decode_references(text, ' ')
}

/// Decodes the references ammonia's serializer writes (`&amp; &lt; &gt; &quot; &nbsp;`, the
/// last as `nbsp`); anything else that starts with `&` stays as it is.
pub fn decode_references(text: &str, nbsp: char) -> Cow<'_, str> {
    const REFERENCES: [(&str, Option<char>); 5] = [
        ("&amp;", Some('&')),
        ("&lt;", Some('<')),
        ("&gt;", Some('>')),
        ("&quot;", Some('"')),
        ("&nbsp;", None),
    ];
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (c, len) = REFERENCES
            .iter()
            .find(|(reference, _)| rest.starts_with(reference))
            .map_or(('&', 1), |&(reference, c)| {
                (c.unwrap_or(nbsp), reference.len())
            });
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Plain text as markup (lines joined by `<br>`), escaped exactly as the serializer
/// would, so that sanitizing it again reproduces it.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Moves image URLs from `src` to `data-remote-src`, and keeps `<pre>` content stable:
/// the parser drops a newline right after `<pre>`, which the serializer does not restore.
fn rewrite(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len() + markup.len() / 8);
    let mut tokens = Tokens(markup).peekable();
    while let Some(token) = tokens.next() {
        match token {
            Token::Text(text) => out.push_str(text),
            Token::Tag {
                raw,
                name: "img",
                end: false,
            } => push_image(&mut out, raw),
            Token::Tag { raw, name, end } => {
                out.push_str(raw);
                let newline_next =
                    matches!(tokens.peek(), Some(Token::Text(text)) if text.starts_with('\n'));
                if name == "pre" && !end && newline_next {
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn push_image(out: &mut String, raw: &str) {
    let Some(attributes) = attributes(raw) else {
        // Not in serializer form: copied as is, and the STORED pass removes any `src`.
        out.push_str(raw);
        return;
    };
    let has_src = attributes.iter().any(|&(name, _)| name == "src");
    out.push_str("<img");
    for (name, value) in attributes {
        let name = match name {
            "src" => REMOTE_SRC,
            REMOTE_SRC if has_src => continue,
            name => name,
        };
        for part in [" ", name, "=\"", value, "\""] {
            out.push_str(part);
        }
    }
    out.push('>');
}

fn has_remote_images(markup: &str) -> bool {
    Tokens(markup).any(|token| match token {
        Token::Tag {
            raw,
            name: "img",
            end: false,
        } => attributes(raw).is_some_and(|attrs| attrs.iter().any(|&(n, _)| n == REMOTE_SRC)),
        _ => false,
    })
}

/// A piece of ammonia's serialized output.
#[derive(Debug, Clone, Copy)]
enum Token<'a> {
    Text(&'a str),
    Tag {
        raw: &'a str,
        name: &'a str,
        end: bool,
    },
}

/// Splits markup in the html5ever serializer's shape (see the module comment) into text
/// and tags. Never fails; on other input the tokens are merely meaningless.
struct Tokens<'a>(&'a str);

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let rest = self.0;
        if rest.is_empty() {
            return None;
        }
        let (token_len, token) = if rest.starts_with('<') {
            match rest.find('>') {
                Some(close) => {
                    let raw = &rest[..=close];
                    let inner = &raw[1..close];
                    let (end, inner) = match inner.strip_prefix('/') {
                        Some(inner) => (true, inner),
                        None => (false, inner),
                    };
                    let name = inner.split(' ').next().unwrap_or(inner);
                    (close + 1, Token::Tag { raw, name, end })
                }
                None => (rest.len(), Token::Text(rest)),
            }
        } else {
            let len = rest.find('<').unwrap_or(rest.len());
            (len, Token::Text(&rest[..len]))
        };
        self.0 = &rest[token_len..];
        Some(token)
    }
}

/// The attributes of a serialized start tag, still escaped, or None if the tag is not
/// in serializer form.
fn attributes(raw: &str) -> Option<Vec<(&str, &str)>> {
    let inner = raw.strip_prefix('<')?.strip_suffix('>')?;
    let mut rest = inner.find(' ').map_or("", |at| &inner[at..]);
    let mut attributes = Vec::new();
    while !rest.is_empty() {
        let (name, after) = rest.strip_prefix(' ')?.split_once("=\"")?;
        let (value, after) = after.split_once('"')?;
        attributes.push((name, value));
        rest = after;
    }
    Some(attributes)
}

#[cfg(test)]
mod tests;
