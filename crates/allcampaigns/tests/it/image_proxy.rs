//! The image proxy (RELIABILITY HTML-04, WH-09) against real HTTP servers on loopback: one
//! `upstream` serving images, pages and redirects, and a `canary` nothing may ever reach.
//!
//! Both are on 127.0.0.1, which the proxy refuses; the proxy under test is given an egress
//! client whose settings allow exactly the upstream's address (`EgressSettings::allow`, which
//! no configuration can set) and a resolver that answers hostile DNS. Private and metadata
//! addresses (10/8, 169.254.169.254) appear only as URLs the proxy must refuse before any
//! connection: no test sends a packet to them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use allcampaigns::config::Config;
use allcampaigns::crypto::Keyring;
use allcampaigns::domain::Email;
use allcampaigns::egress::signing::{ImageGrant, ImageUrlSigner};
use allcampaigns::egress::{Egress, EgressSettings, Resolve, USER_AGENT};
use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use secrecy::ExposeSecret;

use crate::helpers::{TestApp, TestDb, Visitor, spawn_app_with_image_egress};

crate::on_both_backends!(
    html_04_a_real_png_from_an_allowed_address_is_served_with_safe_headers_and_nothing_forwarded,
    html_04_private_loopback_and_metadata_addresses_are_refused_directly_and_after_redirects,
    html_04_answers_that_are_not_images_or_too_large_are_refused,
    html_04_only_signed_urls_of_a_present_person_are_served,
    without_the_allow_list_the_test_servers_own_loopback_address_is_refused,
    an_upstream_that_stalls_is_cut_off_at_the_time_limit,
);

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(PNG)
        .unwrap()
}

/// The signer of this install's proxy addresses, made from its master key independently of
/// the app (the key file the app created, or the key in the environment).
pub fn image_signer(config: &Config) -> ImageUrlSigner {
    let text = match &config.master_key {
        Some(key) => key.expose_secret().to_string(),
        None => std::fs::read_to_string(&config.master_key_file).expect("the app made a key file"),
    };
    ImageUrlSigner::from_keyring(&Keyring::from_text(&text).unwrap())
}

/// A request a test server saw.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) path: String,
    host: Option<String>,
    pub(crate) cookie: Option<String>,
    pub(crate) referer: Option<String>,
    user_agent: Option<String>,
}

/// A real HTTP server on 127.0.0.1 that records every request.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn record(
    State(seen): State<Arc<Mutex<Vec<Seen>>>>,
    request: Request,
    next: Next,
) -> Response {
    let entry = seen_of(&request);
    seen.lock().unwrap().push(entry);
    next.run(request).await
}

fn seen_of(request: &Request) -> Seen {
    let value_of = |name: header::HeaderName| {
        request
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap_or("?").to_owned())
    };
    Seen {
        path: request.uri().to_string(),
        host: value_of(header::HOST),
        cookie: value_of(header::COOKIE),
        referer: value_of(header::REFERER),
        user_agent: value_of(header::USER_AGENT),
    }
}

async fn serve(router: Router) -> Server {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let router = router.layer(axum::middleware::from_fn_with_state(seen.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Server { addr, seen }
}

fn typed(content_type: &'static str, body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body.into()).into_response()
}

fn redirect_to(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

/// The upstream every test fetches from.
pub(crate) async fn upstream() -> Server {
    let router =
        Router::new()
            .route(
                "/logo.png",
                get(|| async {
                    let mut response = typed("image/png", png());
                    let cookie = header::HeaderValue::from_static("tracker=1; Path=/");
                    response.headers_mut().insert(header::SET_COOKIE, cookie);
                    response
                }),
            )
            .route(
                "/mislabelled.jpg",
                get(|| async { typed("image/jpeg", png()) }),
            )
            .route(
                "/page.html",
                get(|| async { typed("text/html", "<html><script>alert(1)</script></html>") }),
            )
            .route(
                "/fake.png",
                get(|| async { typed("image/png", "this is not a PNG") }),
            )
            .route(
                "/drawing.svg",
                get(|| async {
                    typed(
                        "image/svg+xml",
                        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
                    )
                }),
            )
            .route("/untyped.png", get(|| async { png() }))
            .route("/huge.png", get(|| async { typed("image/png", huge()) }))
            .route(
                "/endless.png",
                get(|| async { typed("image/png", endless()) }),
            )
            .route("/missing.png", get(|| async { StatusCode::NOT_FOUND }))
            .route(
                "/stalls.png",
                get(|| async { typed("image/png", stalls()) }),
            )
            .route(
                "/redirect",
                get(|Query(query): Query<HashMap<String, String>>| async move {
                    redirect_to(&query["to"])
                }),
            )
            .route(
                "/hops/{n}",
                get(|Path(n): Path<u32>| async move {
                    match n {
                        0 => typed("image/png", png()),
                        n => redirect_to(&format!("/hops/{}", n - 1)),
                    }
                }),
            );
    serve(router).await
}

/// A PNG signature followed by 6 MiB, with its length announced.
fn huge() -> Vec<u8> {
    let mut body = png();
    body.resize(6 * 1024 * 1024, 0);
    body
}

/// A PNG signature followed by 64 KiB chunks well past the cap, its length not announced.
fn endless() -> Body {
    let first = Bytes::from(png());
    let rest = (0..160).map(|_| Bytes::from(vec![0u8; 64 * 1024]));
    let chunks = std::iter::once(first)
        .chain(rest)
        .map(Ok::<_, std::io::Error>);
    Body::from_stream(futures::stream::iter(chunks))
}

/// A PNG signature, then nothing for a minute.
fn stalls() -> Body {
    let first = futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from(png())) });
    let stall = futures::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        Ok(Bytes::new())
    });
    Body::from_stream(futures::StreamExt::chain(first, stall))
}

/// A server nothing may reach: any request to it is a failure of the guard.
async fn canary() -> Server {
    serve(Router::new().fallback(|| async { typed("image/png", png()) })).await
}

/// Answers hostile DNS: public-looking names that lead to private addresses, and one name
/// for the upstream (to show the connection goes where the check looked).
struct HostileDns {
    upstream: SocketAddr,
}

#[async_trait]
impl Resolve for HostileDns {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        let ip = match host {
            "images.example.test" => "10.1.2.3".parse().unwrap(),
            "metadata.example.test" => "169.254.169.254".parse().unwrap(),
            "six.example.test" => "::1".parse().unwrap(),
            "localhost" => "127.0.0.1".parse().unwrap(),
            "pinned.example.test" => self.upstream.ip(),
            _ => return Err(std::io::Error::other("no such name in this test")),
        };
        Ok(vec![SocketAddr::new(ip, port)])
    }
}

/// An app whose proxy may reach `allowed` (and nothing else past the rules).
pub(crate) async fn app_allowing(
    db: &TestDb,
    upstream: &Server,
    allowed: Vec<SocketAddr>,
) -> TestApp {
    let settings = EgressSettings {
        allow: allowed,
        ..EgressSettings::default()
    };
    app_with(db, upstream, settings).await
}

async fn app_with(db: &TestDb, upstream: &Server, settings: EgressSettings) -> TestApp {
    let resolver = Arc::new(HostileDns {
        upstream: upstream.addr,
    });
    let egress = Egress::new(settings).with_resolver(resolver);
    spawn_app_with_image_egress(db.config.clone(), egress).await
}

fn proxied(signer: &ImageUrlSigner, grant: ImageGrant, url: &str) -> String {
    signer.proxy_path(&url::Url::parse(url).unwrap(), grant)
}

/// A grant of image addresses for the person with `address`, from now.
pub async fn grant_of(app: &TestApp, address: &str) -> ImageGrant {
    let email = Email::parse(address).unwrap();
    let user = app.store.user_by_email(&email).await.unwrap().unwrap();
    ImageGrant::for_user(user.id, chrono::Utc::now())
}

async fn html_04_a_real_png_from_an_allowed_address_is_served_with_safe_headers_and_nothing_forwarded(
    db: TestDb,
) {
    let upstream = upstream().await;
    let app = app_allowing(&db, &upstream, vec![upstream.addr]).await;
    let signer = image_signer(&db.config);
    let mut ana = Visitor::signed_in(&app, "ana@example.com").await;
    let grant = grant_of(&app, "ana@example.com").await;

    let served = ana
        .get(&proxied(&signer, grant, &upstream.url("/logo.png")))
        .await;
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(headers[header::CACHE_CONTROL], "private, max-age=86400");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'"
    );
    let cookies: Vec<_> = headers.get_all(header::SET_COOKIE).iter().collect();
    assert!(
        cookies
            .iter()
            .all(|c| !c.to_str().unwrap().contains("tracker")),
        "{cookies:?}"
    );
    assert_eq!(served.bytes().await.unwrap().to_vec(), png());

    let seen = upstream.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/logo.png");
    assert_eq!(seen[0].cookie, None, "our session cookie never leaves");
    assert_eq!(seen[0].referer, None);
    assert_eq!(seen[0].user_agent.as_deref(), Some(USER_AGENT));

    // The type comes from the bytes, not from the upstream's label.
    let relabelled = ana
        .get(&proxied(&signer, grant, &upstream.url("/mislabelled.jpg")))
        .await;
    assert_eq!(relabelled.status(), 200);
    assert_eq!(relabelled.headers()[header::CONTENT_TYPE], "image/png");

    // A name is resolved by our resolver only, and the connection goes to what it answered.
    let port = upstream.addr.port();
    let pinned = format!("http://pinned.example.test:{port}/logo.png");
    assert_eq!(
        ana.get(&proxied(&signer, grant, &pinned)).await.status(),
        200
    );
    let last = upstream.seen().pop().unwrap();
    assert_eq!(
        last.host.as_deref(),
        Some(&*format!("pinned.example.test:{port}"))
    );

    // Up to three redirects are followed; a fourth is refused.
    let three = ana
        .get(&proxied(&signer, grant, &upstream.url("/hops/3")))
        .await;
    assert_eq!(three.status(), 200);
    let four = ana
        .get(&proxied(&signer, grant, &upstream.url("/hops/4")))
        .await;
    assert_eq!(four.status(), 502);
    let hops = upstream
        .seen()
        .iter()
        .filter(|s| s.path.starts_with("/hops/4"))
        .count();
    assert_eq!(hops, 1, "the fourth redirect's target is never asked for");
    app.stop().await;
}

/// Every address the proxy must never reach, written the ways an email could write it.
fn refused_targets(canary: &Server) -> Vec<String> {
    let port = canary.addr.port();
    vec![
        canary.url("/x.png"),
        format!("http://localhost:{port}/x.png"),
        format!("http://2130706433:{port}/x.png"),
        format!("http://0177.0.0.1:{port}/x.png"),
        format!("http://0x7f.1:{port}/x.png"),
        format!("http://[::ffff:127.0.0.1]:{port}/x.png"),
        format!("http://[::1]:{port}/x.png"),
        "http://127.0.0.1/x.png".into(),
        "http://10.0.0.1/x.png".into(),
        "http://10.255.255.254/x.png".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[fd00::1]/x.png".into(),
        "http://images.example.test/logo.png".into(),
        "http://metadata.example.test/latest/meta-data/".into(),
        "http://six.example.test/x.png".into(),
    ]
}

async fn html_04_private_loopback_and_metadata_addresses_are_refused_directly_and_after_redirects(
    db: TestDb,
) {
    let upstream = upstream().await;
    let canary = canary().await;
    let app = app_allowing(&db, &upstream, vec![upstream.addr]).await;
    let signer = image_signer(&db.config);
    let mut ana = Visitor::signed_in(&app, "ana@example.com").await;
    let grant = grant_of(&app, "ana@example.com").await;
    for target in refused_targets(&canary) {
        let direct = ana.get(&proxied(&signer, grant, &target)).await;
        assert_eq!(direct.status(), 502, "{target}");
        let body = direct.text().await.unwrap();
        assert!(
            body.contains("not one we load images from"),
            "{target}: {body}"
        );

        let hop = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("to", &target)
            .finish();
        let redirected = ana
            .get(&proxied(
                &signer,
                grant,
                &upstream.url(&format!("/redirect?{hop}")),
            ))
            .await;
        assert_eq!(redirected.status(), 502, "redirect to {target}");
    }
    let redirects = upstream
        .seen()
        .iter()
        .filter(|s| s.path.starts_with("/redirect"))
        .count();
    assert_eq!(
        redirects,
        refused_targets(&canary).len(),
        "every redirect was asked for"
    );
    assert!(
        canary.seen().is_empty(),
        "the canary was reached: {:?}",
        canary.seen()
    );
    app.stop().await;
}

async fn html_04_answers_that_are_not_images_or_too_large_are_refused(db: TestDb) {
    let upstream = upstream().await;
    let app = app_allowing(&db, &upstream, vec![upstream.addr]).await;
    let signer = image_signer(&db.config);
    let mut ana = Visitor::signed_in(&app, "ana@example.com").await;
    let grant = grant_of(&app, "ana@example.com").await;
    for (path, words) in [
        ("/page.html", "does not hold an image"),
        ("/fake.png", "does not hold an image"),
        ("/drawing.svg", "does not hold an image"),
        ("/untyped.png", "does not hold an image"),
        ("/huge.png", "too large"),
        ("/endless.png", "too large"),
        ("/missing.png", "did not send it"),
    ] {
        let answer = ana.get(&proxied(&signer, grant, &upstream.url(path))).await;
        assert_eq!(answer.status(), 502, "{path}");
        let content_type = answer.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        let body = answer.text().await.unwrap();
        assert!(body.contains(words), "{path}: {body}");
        assert!(
            !body.contains("alert(1)"),
            "{path}: upstream content was passed on"
        );
    }
    app.stop().await;
}

/// The frame that asks for an image sends no session cookie (it is sandboxed without
/// `allow-same-origin`): the signature, bound to a person and an expiry, is the proof. An
/// unsigned, tampered, forged, expired or other person's address is refused, and so is a
/// good one of a person no longer here.
async fn html_04_only_signed_urls_of_a_present_person_are_served(db: TestDb) {
    let upstream = upstream().await;
    let app = app_allowing(&db, &upstream, vec![upstream.addr]).await;
    let signer = image_signer(&db.config);
    let logo = upstream.url("/logo.png");
    let _ana = Visitor::signed_in(&app, "ana@example.com").await;
    let grant = grant_of(&app, "ana@example.com").await;
    let signed = proxied(&signer, grant, &logo);

    let other_url = proxied(&signer, grant, &upstream.url("/mislabelled.jpg"));
    let other_sig = other_url.split("&sig=").nth(1).unwrap();
    let encoded_logo: String = url::form_urlencoded::byte_serialize(logo.as_bytes()).collect();
    let stranger = ImageUrlSigner::from_keyring(&Keyring::generate().0);
    let forged = proxied(&stranger, grant, &logo);
    let tampered_url = signed.replace("logo.png", "mislabelled.jpg");
    let tampered_sig = {
        let (head, sig) = signed.split_once("&sig=").unwrap();
        let flipped = if sig.starts_with('A') { "B" } else { "A" };
        format!("{head}&sig={flipped}{}", &sig[1..])
    };
    let someone_else = ImageGrant {
        user: allcampaigns::domain::UserId::new(),
        ..grant
    };
    let other_person = signed.replace(&grant.user.to_string(), &someone_else.user.to_string());
    let longer = signed.replace(
        &format!("exp={}", grant.expires),
        &format!("exp={}", grant.expires + 60),
    );
    let expired = ImageGrant {
        expires: chrono::Utc::now().timestamp() - 1,
        ..grant
    };
    let absent = proxied(&signer, someone_else, &logo);
    for path in [
        "/image-proxy".to_string(),
        format!("/image-proxy?url={encoded_logo}"),
        format!("/image-proxy?url={encoded_logo}&sig="),
        format!("/image-proxy?url={encoded_logo}&sig={other_sig}"),
        format!("/image-proxy?url={encoded_logo}&u=x&exp=y&sig={other_sig}"),
        tampered_url,
        tampered_sig,
        forged,
        other_person,
        longer,
        proxied(&signer, expired, &logo),
        absent,
    ] {
        assert_eq!(app.get(&path).await.status(), 403, "{path}");
    }
    assert!(
        upstream.seen().is_empty(),
        "nothing was fetched for an unsigned URL"
    );
    let served = app.get(&signed).await;
    assert_eq!(served.status(), 200, "served without a session");
    app.stop().await;
}

async fn without_the_allow_list_the_test_servers_own_loopback_address_is_refused(db: TestDb) {
    let upstream = upstream().await;
    let app = app_allowing(&db, &upstream, Vec::new()).await;
    let signer = image_signer(&db.config);
    let mut ana = Visitor::signed_in(&app, "ana@example.com").await;
    let grant = grant_of(&app, "ana@example.com").await;
    let port = upstream.addr.port();
    for url in [
        upstream.url("/logo.png"),
        format!("http://pinned.example.test:{port}/logo.png"),
    ] {
        assert_eq!(
            ana.get(&proxied(&signer, grant, &url)).await.status(),
            502,
            "{url}"
        );
    }
    assert!(upstream.seen().is_empty());
    app.stop().await;
}

async fn an_upstream_that_stalls_is_cut_off_at_the_time_limit(db: TestDb) {
    let upstream = upstream().await;
    let settings = EgressSettings {
        total_timeout: std::time::Duration::from_millis(500),
        allow: vec![upstream.addr],
        ..EgressSettings::default()
    };
    let app = app_with(&db, &upstream, settings).await;
    let signer = image_signer(&db.config);
    let mut ana = Visitor::signed_in(&app, "ana@example.com").await;
    let grant = grant_of(&app, "ana@example.com").await;
    let started = std::time::Instant::now();
    let answer = ana
        .get(&proxied(&signer, grant, &upstream.url("/stalls.png")))
        .await;
    assert_eq!(answer.status(), 502);
    assert!(answer.text().await.unwrap().contains("did not send it"));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    app.stop().await;
}
