//! `GET /image-proxy?url=…&sig=…`: an email's remote image, fetched by us so the browser
//! never contacts the sender's server (RELIABILITY HTML-04). Only for URLs this install signed
//! for a person who may still sign in, until the signature expires (`egress::signing`: the
//! sandboxed frame that asks sends no session cookie); only raster images; nothing of the
//! upstream answer but the image bytes is passed on (no cookies, no headers).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use url::Url;

use crate::app::AppState;
use crate::egress::image::{ImageError, fetch_image};
use crate::egress::signing::ImageGrant;
use crate::egress::{Egress, EgressError};
use crate::error::{AppError, AppResult};
use crate::text::{ImageFault, Problem};

/// How long the browser may keep an image, for this person only.
const CACHE_CONTROL: &str = "private, max-age=86400";

#[derive(Debug, Deserialize)]
pub struct ProxyQuery {
    url: Option<String>,
    u: Option<String>,
    exp: Option<String>,
    sig: Option<String>,
}

impl ProxyQuery {
    /// The URL and grant the signature covers, if they are all there and well formed.
    fn signed(self) -> Option<(String, ImageGrant, String)> {
        let grant = ImageGrant {
            user: self.u?.parse().ok()?,
            expires: self.exp?.parse().ok()?,
        };
        Some((self.url?, grant, self.sig?))
    }
}

pub async fn serve(
    State(state): State<AppState>,
    query: Result<Query<ProxyQuery>, QueryRejection>,
) -> AppResult<Response> {
    let proxy = &state.image_proxy;
    let Some((url, grant, signature)) = query.ok().and_then(|Query(query)| query.signed()) else {
        return Err(AppError::Forbidden);
    };
    if !proxy
        .urls
        .verify(&url, grant, &signature, chrono::Utc::now())
    {
        return Err(AppError::Forbidden);
    }
    // A person removed since the page was shown gets nothing more.
    let person = state.store.user(grant.user).await?;
    if person.is_none() {
        return Err(AppError::Forbidden);
    }
    let url = Url::parse(&url).map_err(|_| AppError::Forbidden)?;
    let image = fetch(&proxy.egress, url).await?;
    let mut response = image.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(image.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    Ok(response)
}

async fn fetch(egress: &Egress, url: Url) -> AppResult<crate::egress::image::Image> {
    fetch_image(egress, url).await.map_err(|error| {
        // The host and the rule, never the URL (its query may carry a tracking secret).
        tracing::info!(error = %error, "the image proxy did not load an image");
        AppError::Upstream(Problem::ImageNotLoaded(fault(&error)))
    })
}

fn fault(error: &ImageError) -> ImageFault {
    match error {
        ImageError::Egress(EgressError::TooLarge { .. }) => ImageFault::TooLarge,
        ImageError::Egress(error) if error.is_refusal() => ImageFault::Refused,
        ImageError::NotAnImage { .. } | ImageError::NotImageBytes { .. } => ImageFault::NotAnImage,
        ImageError::Egress(_)
        | ImageError::TooManyRedirects { .. }
        | ImageError::BadRedirect { .. }
        | ImageError::Status { .. } => ImageFault::Unreachable,
    }
}
