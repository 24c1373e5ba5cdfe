//! Light markdown for notes and call logs (bold, italic, links, lists, paragraphs, line
//! breaks), rendered with pulldown-cmark and cleaned by ammonia to exactly those tags.
//!
//! The source is untrusted (a client representative writes notes too) and the rendering is
//! shown inline in pages, not in a sandboxed frame as mail is. So:
//! - raw HTML in the source becomes text (escaped), never markup, and never vanishes unseen;
//! - images are not rendered: their alt text stays as text, so nothing loads from anywhere;
//! - other constructs (headings, code, quotes) render, and ammonia keeps only their text;
//! - links keep only http, https and mailto addresses (relative ones are dropped) and carry
//!   `rel="noopener noreferrer nofollow"`.
//!
//! A single newline is a line break, as people type notes.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Every tag a rendering may hold.
pub const TAGS: &[&str] = &["a", "br", "em", "li", "ol", "p", "strong", "ul"];
/// The schemes a link may keep.
pub const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];
/// What every link carries: no access to our page, no referrer, no endorsement.
pub const LINK_REL: &str = "noopener noreferrer nofollow";

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut policy = Builder::empty();
    policy
        .tags(TAGS.iter().copied().collect())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href"])),
            ("ol", HashSet::from(["start"])),
        ]))
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .clean_content_tags(HashSet::from(["script", "style"]));
    policy
});

/// The HTML of a markdown source, safe to place in a page as it is.
pub fn render(source: &str) -> String {
    let events = Parser::new_ext(source, Options::empty()).filter_map(inert);
    let mut markup = String::with_capacity(source.len() + source.len() / 2);
    html::push_html(&mut markup, events);
    POLICY.clean(&markup).to_string()
}

/// Raw HTML becomes text and images their alt text; a soft break is a line break.
fn inert(event: Event<'_>) -> Option<Event<'_>> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::SoftBreak => Some(Event::HardBreak),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests;
