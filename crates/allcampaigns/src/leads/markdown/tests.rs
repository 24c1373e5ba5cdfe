//! The renderer on light markdown, raw HTML, images and links, and a hostile corpus checked
//! by reading the output as text, independently of ammonia.

use regex::Regex;

use super::*;

/// Markdown and HTML that try to run script, load something, or smuggle an address with
/// another scheme into a link.
pub const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/x.js></SCRIPT>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=javascript:alert('XSS')>",
    "**<img src=x onerror=alert(1)>**",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<style>body{background:url(https://t.example/x)}</style>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"http://ok.example\" onmouseover=\"alert(1)\">x</a>",
    "<div onclick=\"alert(1)\">x</div>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0; url=https://evil.example/\">",
    "<object data=\"javascript:alert(1)\"></object>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](  javascript:alert(1)  )",
    "[x](java\tscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x](//evil.example/)",
    "[x](/relative/path)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x](http://ok.example/ \"title\" onmouseover=alert(1))",
    "[x](http://ok.example/\"onmouseover=\"alert(1))",
    "[x](https://ok.example/?a=<script>)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "![x](http://evil.example/i.png)",
    "![x](javascript:alert(1))",
    "![x](data:image/png;base64,AAAA)",
    "[![x](http://evil.example/i.png)](javascript:alert(1))",
    "* <script>alert(1)</script>\n* [y](javascript:alert(1))",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "> <img src=x onerror=alert(1)>",
    "\u{0}<script>alert(1)</script>",
];

/// Where a rendering's markup breaks the policy, if anywhere: every `<` opens a tag of
/// [`TAGS`], whose attributes are only `href` (http, https or mailto), `rel` (ours) and
/// `start`, each quoted. Independent of ammonia: it reads the output as text.
pub fn violation(html: &str) -> Option<String> {
    let tag = Regex::new(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^<>]*)>").unwrap();
    let attribute = Regex::new(r#"\s*([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)""#).unwrap();
    if tag.find_iter(html).count() != html.matches('<').count() {
        return Some(format!("a `<` that opens no tag: {html}"));
    }
    for found in tag.captures_iter(html) {
        let name = found[2].to_ascii_lowercase();
        if !TAGS.contains(&name.as_str()) {
            return Some(format!("tag {name}: {html}"));
        }
        let rest = attribute.replace_all(&found[3], "");
        if !rest.trim().trim_end_matches('/').trim().is_empty() {
            return Some(format!("unquoted attribute {rest:?}: {html}"));
        }
        for pair in attribute.captures_iter(&found[3]) {
            let (key, value) = (pair[1].to_ascii_lowercase(), &pair[2]);
            let lower = value.to_ascii_lowercase();
            let safe = match key.as_str() {
                "href" => ["http://", "https://", "mailto:"]
                    .iter()
                    .any(|scheme| lower.starts_with(scheme)),
                "rel" => value == LINK_REL,
                "start" => value.chars().all(|c| c.is_ascii_digit()),
                _ => false,
            };
            if !safe {
                return Some(format!("{key}={value:?}: {html}"));
            }
        }
    }
    None
}

#[test]
fn the_hostile_corpus_renders_inert() {
    for source in HOSTILE {
        let html = render(source);
        assert_eq!(violation(&html), None, "{source:?}");
        let lower = html.to_lowercase();
        for tag in [
            "<script", "<img", "<iframe", "<style", "<svg", "<object", "<form",
        ] {
            assert!(!lower.contains(tag), "{tag} survived {source:?}: {html}");
        }
    }
}

#[test]
fn the_checker_catches_what_it_should() {
    for bad in [
        "<img src=\"https://x.example/\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"data:text/html,x\">x</a>",
        "<p onclick=\"x\">x</p>",
        "<p title=x>x</p>",
        "<a rel=\"opener\" href=\"https://x.example/\">x</a>",
        "<p>a < b</p>",
    ] {
        assert!(violation(bad).is_some(), "{bad}");
    }
}

#[test]
fn the_light_markdown_renders() {
    let cases = [
        (
            "**bold** and *italic* and _this_",
            "<p><strong>bold</strong> and <em>italic</em> and <em>this</em></p>\n",
        ),
        (
            "[site](https://example.com/a?b=1&c=2)",
            "<p><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"noopener noreferrer nofollow\">site</a></p>\n",
        ),
        (
            "<mailto:ann@example.com>",
            "<p><a href=\"mailto:ann@example.com\" rel=\"noopener noreferrer nofollow\">mailto:ann@example.com</a></p>\n",
        ),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"),
        (
            "3. three\n4. four",
            "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n",
        ),
        (
            "first line\nsecond line",
            "<p>first line<br>\nsecond line</p>\n",
        ),
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>\n"),
    ];
    for (source, expected) in cases {
        assert_eq!(render(source), expected, "{source:?}");
    }
}

#[test]
fn raw_html_shows_as_text_and_images_as_their_alt_text() {
    assert_eq!(
        render("say <b>hi</b> & <script>x</script>"),
        "<p>say &lt;b&gt;hi&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</p>\n"
    );
    assert_eq!(
        render("![the logo](http://evil.example/i.png)"),
        "<p>the logo</p>\n"
    );
    assert_eq!(render("# Heading\n`code`"), "Heading\n<p>code</p>\n");
}

#[test]
fn links_lose_every_other_scheme_and_relative_addresses() {
    for source in [
        "[x](javascript:alert(1))",
        "[x](/relative)",
        "[x](//evil.example/)",
        "[x](ftp://files.example/)",
    ] {
        assert_eq!(
            render(source),
            "<p><a rel=\"noopener noreferrer nofollow\">x</a></p>\n",
            "{source}"
        );
    }
}
