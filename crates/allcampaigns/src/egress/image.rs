//! The image proxy's fetch: an email image through [`Egress`], following at most
//! [`MAX_REDIRECTS`] redirects (each target checked again from the start), and answered only
//! when it is a raster image a browser shows, by its declared type and by its bytes.

use reqwest::header::{CONTENT_TYPE, LOCATION};
use url::Url;

use super::signing::ImageUrlSigner;
use super::{Egress, EgressError, EgressSettings};

pub const MAX_REDIRECTS: usize = 3;

/// What the proxy asks for.
const ACCEPT_IMAGES: &str = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8";

/// The types served, as the bytes show them. SVG is never among them: it can carry script.
const SERVED_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
    "image/vnd.microsoft.icon",
];

/// The image proxy: its egress client and the signer of its addresses.
#[derive(Debug)]
pub struct ImageProxy {
    pub egress: Egress,
    pub urls: ImageUrlSigner,
}

impl ImageProxy {
    /// The production proxy: system resolver, default limits, nothing allowed past the rules.
    pub fn new(urls: ImageUrlSigner) -> Self {
        Self {
            egress: Egress::new(EgressSettings::default()),
            urls,
        }
    }
}

/// An image ready to send.
#[derive(Debug)]
pub struct Image {
    /// Taken from the bytes, not from the upstream's header.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    Egress(#[from] EgressError),
    #[error("{host} redirected more than {MAX_REDIRECTS} times")]
    TooManyRedirects { host: String },
    #[error("{host} redirected without a usable location")]
    BadRedirect { host: String },
    #[error("{host} answered {status}")]
    Status { host: String, status: u16 },
    #[error("{host} sent {declared}, which is not an image type that is shown")]
    NotAnImage { host: String, declared: String },
    #[error("{host} sent bytes that are not an image that is shown")]
    NotImageBytes { host: String },
}

/// Fetches `url` as an image (see the module comment).
pub async fn fetch_image(egress: &Egress, url: Url) -> Result<Image, ImageError> {
    let mut url = url;
    let mut redirects = 0;
    loop {
        let answer = egress.get(&url, ACCEPT_IMAGES).await?;
        let status = answer.status();
        let host = answer.host().to_owned();
        if status.is_redirection() {
            if redirects == MAX_REDIRECTS {
                return Err(ImageError::TooManyRedirects { host });
            }
            redirects += 1;
            url = answer
                .headers()
                .get(LOCATION)
                .and_then(|location| location.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .ok_or(ImageError::BadRedirect { host })?;
            continue;
        }
        if !status.is_success() {
            return Err(ImageError::Status {
                host,
                status: status.as_u16(),
            });
        }
        let declared = declared_type(answer.headers());
        if !is_image_type(&declared) {
            return Err(ImageError::NotAnImage { host, declared });
        }
        let bytes = answer.body().await?;
        let content_type = sniff(&bytes).ok_or(ImageError::NotImageBytes { host })?;
        return Ok(Image {
            content_type,
            bytes,
        });
    }
}

/// The declared media type, lower case, without parameters (at most 100 characters).
fn declared_type(headers: &reqwest::header::HeaderMap) -> String {
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.chars().take(100).collect::<String>().to_lowercase()
}

/// `image/*`, except SVG or any other XML-based type.
fn is_image_type(declared: &str) -> bool {
    declared.strip_prefix("image/").is_some_and(|subtype| {
        !subtype.is_empty() && !subtype.contains("svg") && !subtype.ends_with("+xml")
    })
}

/// The served type the bytes are, if any.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let mime = infer::get(bytes)?.mime_type();
    SERVED_TYPES.iter().copied().find(|&served| served == mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_raster_image_types_are_accepted_as_declared() {
        for good in [
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "image/x-icon",
        ] {
            assert!(is_image_type(good), "{good}");
        }
        for bad in [
            "",
            "image/",
            "image/svg+xml",
            "image/svg",
            "image/foo+xml",
            "text/html",
            "application/octet-stream",
            "imagex/png",
        ] {
            assert!(!is_image_type(bad), "{bad}");
        }
    }

    #[test]
    fn the_declared_type_drops_parameters_and_case() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(CONTENT_TYPE, "Image/PNG; charset=binary".parse().unwrap());
        assert_eq!(declared_type(&headers), "image/png");
        assert_eq!(declared_type(&reqwest::header::HeaderMap::new()), "");
    }

    #[test]
    fn bytes_are_sniffed_and_svg_or_html_is_never_an_image() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
        assert_eq!(sniff(png), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"),
            None
        );
        assert_eq!(sniff(b"<html><script>alert(1)</script></html>"), None);
        assert_eq!(sniff(b""), None);
    }
}
