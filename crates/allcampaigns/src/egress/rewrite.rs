//! "Show images": a stored, sanitized email body whose remote images wait in
//! `data-remote-src` (see `sync::sanitize`) gets each of them as a signed image-proxy address
//! in `src`, so the browser loads them only through our proxy. Every other image source
//! (`src`, `srcset`) is removed, so the result loads nothing from anywhere else even if the
//! markup was not what the sanitizer writes.

use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str};
use url::Url;

use crate::sync::sanitize::decode_references;

use super::signing::{ImageGrant, ImageUrlSigner};

/// Where a stored body keeps a blocked image's URL (`sync::sanitize` writes it).
const REMOTE_SRC: &str = "data-remote-src";

/// `html` with its remote images pointed at the image proxy, for `grant`'s person. Should the rewriter fail (it
/// fails only on memory limits), the body comes back with no image sources at all.
pub fn show_images(html: &str, urls: &ImageUrlSigner, grant: ImageGrant) -> String {
    let proxied =
        RewriteStrSettings::new().append_element_content_handler(element!("img", |img| {
            point_at_proxy(img, urls, grant);
            Ok(())
        }));
    rewrite_str(html, proxied).unwrap_or_else(|_| {
        let bare =
            RewriteStrSettings::new().append_element_content_handler(element!("img", |img| {
                img.remove_attribute("src");
                img.remove_attribute("srcset");
                Ok(())
            }));
        rewrite_str(html, bare).unwrap_or_default()
    })
}

fn point_at_proxy(img: &mut Element, urls: &ImageUrlSigner, grant: ImageGrant) {
    let remote = img.get_attribute(REMOTE_SRC);
    img.remove_attribute("src");
    img.remove_attribute("srcset");
    img.remove_attribute(REMOTE_SRC);
    let target = remote
        .map(|value| decode(&value))
        .and_then(|value| Url::parse(&value).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"));
    if let Some(url) = target {
        // lol_html escapes `"` in values but not `&`: the query's `&` is written as a reference.
        let path = urls.proxy_path(&url, grant).replace('&', "&amp;");
        let _ = img.set_attribute("src", &path);
    }
}

/// Decodes the character references the sanitizer's serializer writes in attribute values
/// (lol_html hands values over as written). Anything else stays as it is.
fn decode(value: &str) -> String {
    decode_references(value, '\u{a0}').into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Keyring, format_key};
    use crate::sync::sanitize::clean_html;

    fn grant() -> ImageGrant {
        ImageGrant::for_user(crate::domain::UserId::new(), chrono::Utc::now())
    }

    fn signer() -> ImageUrlSigner {
        ImageUrlSigner::from_keyring(&Keyring::from_text(&format_key(1, &[3; 32])).unwrap())
    }

    /// The (url, sig) pairs of every proxied image in `html`.
    fn proxied(html: &str) -> Vec<(String, ImageGrant, String)> {
        let mut found = Vec::new();
        for part in html.split("src=\"").skip(1) {
            let value = decode(&part[..part.find('"').unwrap()]);
            let url = Url::parse(&format!("http://app{value}")).unwrap();
            assert_eq!(url.path(), super::super::signing::PROXY_PATH);
            let pairs: std::collections::HashMap<String, String> =
                url.query_pairs().into_owned().collect();
            let grant = ImageGrant {
                user: pairs["u"].parse().unwrap(),
                expires: pairs["exp"].parse().unwrap(),
            };
            found.push((pairs["url"].clone(), grant, pairs["sig"].clone()));
        }
        found
    }

    #[test]
    fn stored_remote_images_load_only_through_signed_proxy_addresses() {
        let (stored, blocked) = clean_html(
            "<p>Hi</p><img src=\"https://cdn.example.com/a.png?x=1&amp;y=&quot;2\" alt=\"a\">\
             <img src=\"http://t.example.net/pixel.gif\">",
        );
        assert!(blocked);
        let grant = grant();
        let shown = show_images(&stored, &signer(), grant);
        assert!(!shown.contains(REMOTE_SRC), "{shown}");
        let images = proxied(&shown);
        assert_eq!(images.len(), 2, "{shown}");
        assert_eq!(images[0].0, "https://cdn.example.com/a.png?x=1&y=%222");
        assert_eq!(images[1].0, "http://t.example.net/pixel.gif");
        for (url, granted, sig) in &images {
            assert_eq!(*granted, grant);
            assert!(
                signer().verify(url, grant, sig, chrono::Utc::now()),
                "{url}"
            );
        }
        assert!(shown.contains("alt=\"a\""));
        assert!(shown.contains("<p>Hi</p>"));
    }

    #[test]
    fn any_other_image_source_is_removed_and_non_web_urls_are_not_proxied() {
        let hostile = "<img src=\"https://evil.example/x.png\" srcset=\"https://evil.example/y.png 2x\">\
             <img data-remote-src=\"javascript:alert(1)\">\
             <img data-remote-src=\"data:image/png;base64,AAAA\">\
             <img data-remote-src=\"not a url\">";
        let shown = show_images(hostile, &signer(), grant());
        assert!(!shown.contains("evil.example"), "{shown}");
        assert!(!shown.contains("srcset"), "{shown}");
        assert!(!shown.contains("javascript"), "{shown}");
        assert!(!shown.contains("data:"), "{shown}");
        assert!(proxied(&shown).is_empty(), "{shown}");
        assert_eq!(shown.matches("<img").count(), 4);
    }

    #[test]
    fn the_serializers_references_are_decoded_and_others_kept() {
        assert_eq!(decode("a&amp;b&quot;c&lt;&gt;&nbsp;"), "a&b\"c<>\u{a0}");
        assert_eq!(decode("x&copy;y&"), "x&copy;y&");
    }
}
